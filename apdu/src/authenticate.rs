//! AUTHENTICATE (TS 31.102 §7.1.2, Release 17): the security context of P2 and the response
//! data, as one codec the card (building) and the ME (parsing) share.
//!
//! * P2 b3–b1 (§7.1.2, with b8 = 1 "specific reference data"): `000` GSM context (`80`),
//!   `001` 3G/EPS/5G context (`81`), `100` GBA context (`84`); `111` (`87`) is RFU in
//!   TS 31.102 and is vusim's proposed 5G AKMA context (docs/api/akma.md §3).
//! * Responses: 3G success `DB L RES L CK L IK [L Kc]` (§7.1.2.1), synchronisation failure
//!   `DC L AUTS` (AUTS 14 bytes), GSM context `L SRES L Kc` (SRES 4, Kc 8), GBA bootstrapping
//!   success `DB L RES` (§7.1.2.3), NAF derivation `DB L Ks_ext_NAF` (§7.1.2.4, 32 bytes), and
//!   vusim's 5G AKMA context `DB 10 RES* 20 K_SEAF`.
//!
//! Key material (CK, IK, Kc, Ks_ext_NAF, K_SEAF) is wiped on drop and never shown by `Debug`.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// Tag of a successful answer ("Successful 3G/GBA/… operation").
pub const TAG_SUCCESS: u8 = 0xDB;
/// Tag of a synchronisation failure.
pub const TAG_SYNC_FAILURE: u8 = 0xDC;
/// GBA context, bootstrapping mode (first data byte of the command).
pub const TAG_GBA_BOOTSTRAP: u8 = 0xDD;
/// GBA context, NAF derivation mode (first data byte of the command).
pub const TAG_GBA_NAF: u8 = 0xDE;

/// The security context of an AUTHENTICATE command (P2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthContext {
    /// GSM context, P2 `80`.
    Gsm,
    /// 3G/EPS/5G context, P2 `81`.
    ThreeG,
    /// GBA context, P2 `84`.
    Gba,
    /// P2 `87`: RFU in TS 31.102 §7.1.2; vusim's proposed 5G AKMA context.
    Vusim5gAkma,
}

impl AuthContext {
    /// P2.
    pub const fn p2(self) -> u8 {
        match self {
            AuthContext::Gsm => 0x80,
            AuthContext::ThreeG => 0x81,
            AuthContext::Gba => 0x84,
            AuthContext::Vusim5gAkma => 0x87,
        }
    }

    /// The context of a P2 with b8 = 1 and b7–b4 = 0; `None` for other codings (b3–b1 `010`,
    /// `011` are the VGCS/VBS and MBMS contexts, not modelled here; `101`, `110` RFU).
    pub const fn from_p2(p2: u8) -> Option<AuthContext> {
        match p2 {
            0x80 => Some(AuthContext::Gsm),
            0x81 => Some(AuthContext::ThreeG),
            0x84 => Some(AuthContext::Gba),
            0x87 => Some(AuthContext::Vusim5gAkma),
            _ => None,
        }
    }
}

/// Which answer the command asked for (the context, and for GBA the mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// GSM context.
    Gsm,
    /// 3G context.
    ThreeG,
    /// GBA bootstrapping.
    GbaBootstrap,
    /// GBA NAF derivation.
    GbaNaf,
    /// vusim's 5G AKMA context.
    Vusim5gAkma,
    /// vusim's 5G AKMA context with EAP-AKA′ as the method (data ends `01 01`).
    Vusim5gAkmaEap,
}

/// The method field of vusim's 5G AKMA context for EAP-AKA′: a last length-value field
/// `01 01` after the SNN (absent: 5G AKA).
pub const AKMA_METHOD_EAP_AKA_PRIME: u8 = 0x01;

/// An AUTHENTICATE answer (the response data; the status word is `9000`).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub enum AuthResponse {
    /// 3G context success.
    ThreeG {
        /// RES (4–16 bytes).
        res: Vec<u8>,
        /// CK.
        ck: [u8; 16],
        /// IK.
        ik: [u8; 16],
        /// Kc (when service n°27 GSM Access is available).
        kc: Option<[u8; 8]>,
    },
    /// GSM context.
    Gsm {
        /// SRES.
        sres: [u8; 4],
        /// Kc.
        kc: [u8; 8],
    },
    /// Synchronisation failure (3G, GBA bootstrapping, 5G AKMA).
    SyncFailure {
        /// AUTS = SQN_MS ⊕ AK* ‖ MAC-S.
        auts: [u8; 14],
    },
    /// GBA bootstrapping success.
    GbaBootstrap {
        /// RES.
        res: Vec<u8>,
    },
    /// GBA NAF derivation.
    NafDerivation {
        /// Ks_ext_NAF.
        ks_ext_naf: Vec<u8>,
    },
    /// vusim's 5G AKMA context success.
    Vusim5gAkma {
        /// RES*.
        res_star: [u8; 16],
        /// K_SEAF.
        k_seaf: [u8; 32],
    },
    /// vusim's 5G AKMA context success with EAP-AKA′: what the ME needs for AT_RES and AT_MAC,
    /// and K_SEAF (K_AUSF = EMSK's first half stays in the card).
    Vusim5gAkmaEap {
        /// RES (4–16 bytes).
        res: Vec<u8>,
        /// K_aut (RFC 9048 §3.3).
        k_aut: [u8; 32],
        /// K_SEAF.
        k_seaf: [u8; 32],
    },
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthResponse::ThreeG { res, kc, .. } => write!(
                f,
                "ThreeG {{ res: {} bytes, ck, ik{} }}",
                res.len(),
                if kc.is_some() { ", kc" } else { "" }
            ),
            AuthResponse::Gsm { .. } => write!(f, "Gsm {{ sres, kc }}"),
            AuthResponse::SyncFailure { .. } => write!(f, "SyncFailure {{ auts }}"),
            AuthResponse::GbaBootstrap { res } => {
                write!(f, "GbaBootstrap {{ res: {} bytes }}", res.len())
            }
            AuthResponse::NafDerivation { ks_ext_naf } => {
                write!(
                    f,
                    "NafDerivation {{ ks_ext_naf: {} bytes }}",
                    ks_ext_naf.len()
                )
            }
            AuthResponse::Vusim5gAkma { .. } => write!(f, "Vusim5gAkma {{ res_star, k_seaf }}"),
            AuthResponse::Vusim5gAkmaEap { res, .. } => write!(
                f,
                "Vusim5gAkmaEap {{ res: {} bytes, k_aut, k_seaf }}",
                res.len()
            ),
        }
    }
}

/// Why an answer does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AUTHENTICATE answer malformed for the {mode:?} mode ({len} bytes)")]
pub struct AuthResponseError {
    /// What the command asked for.
    pub mode: AuthMode,
    /// Length of the data.
    pub len: usize,
}

/// Append `L value`. Every field of these answers is at most 32 bytes (RES ≤ 16, keys ≤ 32);
/// a longer value is cut at 255 bytes so the coding stays self-consistent.
fn lv(out: &mut Vec<u8>, v: &[u8]) {
    let v = v.get(..usize::from(u8::MAX)).unwrap_or(v);
    out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(v);
}

/// Reads LV fields.
struct Lv<'a>(&'a [u8]);

impl<'a> Lv<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&l, rest) = self.0.split_first()?;
        let l = usize::from(l);
        let v = rest.get(..l)?;
        self.0 = rest.get(l..)?;
        Some(v)
    }

    fn fixed<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.next()?.try_into().ok()
    }
}

impl AuthResponse {
    /// The response data.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            AuthResponse::ThreeG { res, ck, ik, kc } => {
                out.push(TAG_SUCCESS);
                lv(&mut out, res);
                lv(&mut out, ck);
                lv(&mut out, ik);
                if let Some(kc) = kc {
                    lv(&mut out, kc);
                }
            }
            AuthResponse::Gsm { sres, kc } => {
                lv(&mut out, sres);
                lv(&mut out, kc);
            }
            AuthResponse::SyncFailure { auts } => {
                out.push(TAG_SYNC_FAILURE);
                lv(&mut out, auts);
            }
            AuthResponse::GbaBootstrap { res } => {
                out.push(TAG_SUCCESS);
                lv(&mut out, res);
            }
            AuthResponse::NafDerivation { ks_ext_naf } => {
                out.push(TAG_SUCCESS);
                lv(&mut out, ks_ext_naf);
            }
            AuthResponse::Vusim5gAkma { res_star, k_seaf } => {
                out.push(TAG_SUCCESS);
                lv(&mut out, res_star);
                lv(&mut out, k_seaf);
            }
            AuthResponse::Vusim5gAkmaEap { res, k_aut, k_seaf } => {
                out.push(TAG_SUCCESS);
                lv(&mut out, res);
                lv(&mut out, k_aut);
                lv(&mut out, k_seaf);
            }
        }
        out
    }

    /// Decode the answer to a command of `mode`; every byte must be accounted for.
    pub fn parse(mode: AuthMode, data: &[u8]) -> Result<AuthResponse, AuthResponseError> {
        let err = AuthResponseError {
            mode,
            len: data.len(),
        };
        let sync_possible = matches!(
            mode,
            AuthMode::ThreeG
                | AuthMode::GbaBootstrap
                | AuthMode::Vusim5gAkma
                | AuthMode::Vusim5gAkmaEap
        );
        let decoded = match (mode, data.split_first()) {
            (_, Some((&TAG_SYNC_FAILURE, rest))) if sync_possible => {
                let mut r = Lv(rest);
                r.fixed()
                    .map(|auts| (AuthResponse::SyncFailure { auts }, r.0))
            }
            (AuthMode::Gsm, _) => {
                let mut r = Lv(data);
                (|| {
                    let sres = r.fixed()?;
                    let kc = r.fixed()?;
                    Some((AuthResponse::Gsm { sres, kc }, r.0))
                })()
            }
            (AuthMode::ThreeG, Some((&TAG_SUCCESS, rest))) => {
                let mut r = Lv(rest);
                (|| {
                    let res = r.next().filter(|v| (4..=16).contains(&v.len()))?.to_vec();
                    let ck = r.fixed()?;
                    let ik = r.fixed()?;
                    let kc = if r.0.is_empty() {
                        None
                    } else {
                        Some(r.fixed()?)
                    };
                    Some((AuthResponse::ThreeG { res, ck, ik, kc }, r.0))
                })()
            }
            (AuthMode::GbaBootstrap, Some((&TAG_SUCCESS, rest))) => {
                let mut r = Lv(rest);
                r.next()
                    .filter(|v| (4..=16).contains(&v.len()))
                    .map(|res| (AuthResponse::GbaBootstrap { res: res.to_vec() }, r.0))
            }
            (AuthMode::GbaNaf, Some((&TAG_SUCCESS, rest))) => {
                let mut r = Lv(rest);
                r.next().map(|k| {
                    (
                        AuthResponse::NafDerivation {
                            ks_ext_naf: k.to_vec(),
                        },
                        r.0,
                    )
                })
            }
            (AuthMode::Vusim5gAkma, Some((&TAG_SUCCESS, rest))) => {
                let mut r = Lv(rest);
                (|| {
                    let res_star = r.fixed()?;
                    let k_seaf = r.fixed()?;
                    Some((AuthResponse::Vusim5gAkma { res_star, k_seaf }, r.0))
                })()
            }
            (AuthMode::Vusim5gAkmaEap, Some((&TAG_SUCCESS, rest))) => {
                let mut r = Lv(rest);
                (|| {
                    let res = r.next().filter(|v| (4..=16).contains(&v.len()))?.to_vec();
                    let k_aut = r.fixed()?;
                    let k_seaf = r.fixed()?;
                    Some((AuthResponse::Vusim5gAkmaEap { res, k_aut, k_seaf }, r.0))
                })()
            }
            _ => None,
        };
        match decoded {
            Some((resp, [])) => Ok(resp),
            _ => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn akma_eap_answer_round_trip() {
        let a = AuthResponse::Vusim5gAkmaEap {
            res: vec![0xAA; 8],
            k_aut: [0x11; 32],
            k_seaf: [0x22; 32],
        };
        let e = a.encode();
        assert_eq!(&e[..3], &[0xDB, 0x08, 0xAA]);
        assert_eq!(&e[10..12], &[0x20, 0x11]);
        assert_eq!(&e[43..45], &[0x20, 0x22]);
        assert_eq!(e.len(), 1 + 9 + 33 + 33);
        assert_eq!(
            AuthResponse::parse(AuthMode::Vusim5gAkmaEap, &e).unwrap(),
            a
        );
        assert!(AuthResponse::parse(AuthMode::Vusim5gAkmaEap, &e[..e.len() - 1]).is_err());
        assert!(AuthResponse::parse(AuthMode::Vusim5gAkma, &e).is_err());
    }

    #[test]
    fn three_g_with_and_without_kc() {
        // DB 08 RES 10 CK 10 IK [08 Kc], written out by hand (TS 31.102 §7.1.2.1).
        let mut d = vec![0xDB, 0x08];
        d.extend([0xA5; 8]);
        d.push(0x10);
        d.extend([0xC1; 16]);
        d.push(0x10);
        d.extend([0x11; 16]);
        let r = AuthResponse::parse(AuthMode::ThreeG, &d).unwrap();
        assert_eq!(
            r,
            AuthResponse::ThreeG {
                res: vec![0xA5; 8],
                ck: [0xC1; 16],
                ik: [0x11; 16],
                kc: None
            }
        );
        assert_eq!(r.encode(), d);
        d.push(0x08);
        d.extend([0x6C; 8]);
        let r = AuthResponse::parse(AuthMode::ThreeG, &d).unwrap();
        assert!(matches!(r, AuthResponse::ThreeG { kc: Some(k), .. } if k == [0x6C; 8]));
        assert_eq!(r.encode(), d);
    }

    #[test]
    fn sync_failure_gsm_gba_and_akma() {
        let mut auts = vec![0xDC, 0x0E];
        auts.extend(1..=14u8);
        for mode in [
            AuthMode::ThreeG,
            AuthMode::GbaBootstrap,
            AuthMode::Vusim5gAkma,
        ] {
            let r = AuthResponse::parse(mode, &auts).unwrap();
            assert!(matches!(r, AuthResponse::SyncFailure { .. }));
            assert_eq!(r.encode(), auts);
        }
        // No synchronisation failure in the GSM context or for the NAF derivation.
        assert!(AuthResponse::parse(AuthMode::GbaNaf, &auts).is_err());
        let gsm = [[0x04].as_slice(), &[1, 2, 3, 4], &[0x08], &[9; 8]].concat();
        let r = AuthResponse::parse(AuthMode::Gsm, &gsm).unwrap();
        assert_eq!(
            r,
            AuthResponse::Gsm {
                sres: [1, 2, 3, 4],
                kc: [9; 8]
            }
        );
        assert_eq!(r.encode(), gsm);
        let naf = [[0xDB, 0x20].as_slice(), &[7; 32]].concat();
        let r = AuthResponse::parse(AuthMode::GbaNaf, &naf).unwrap();
        assert_eq!(r.encode(), naf);
        let akma = [[0xDB, 0x10].as_slice(), &[3; 16], &[0x20], &[4; 32]].concat();
        let r = AuthResponse::parse(AuthMode::Vusim5gAkma, &akma).unwrap();
        assert_eq!(
            r,
            AuthResponse::Vusim5gAkma {
                res_star: [3; 16],
                k_seaf: [4; 32]
            }
        );
        assert_eq!(r.encode(), akma);
    }

    #[test]
    fn malformed_answers_are_errors() {
        for (mode, d) in [
            (AuthMode::ThreeG, &[0xDB, 0x08, 1, 2][..]),
            (AuthMode::ThreeG, &[][..]),
            (AuthMode::Gsm, &[0x04, 1, 2, 3, 4, 0x08, 1][..]),
            (AuthMode::GbaBootstrap, &[0xDB, 0x04, 1, 2, 3, 4, 5][..]),
            (AuthMode::Vusim5gAkma, &[0xDB, 0x10][..]),
            (AuthMode::ThreeG, &[0xDC, 0x0D, 0][..]),
        ] {
            assert_eq!(
                AuthResponse::parse(mode, d),
                Err(AuthResponseError { mode, len: d.len() })
            );
        }
    }

    #[test]
    fn context_p2_round_trip_and_debug_hides_keys() {
        for c in [
            AuthContext::Gsm,
            AuthContext::ThreeG,
            AuthContext::Gba,
            AuthContext::Vusim5gAkma,
        ] {
            assert_eq!(AuthContext::from_p2(c.p2()), Some(c));
        }
        assert_eq!(AuthContext::from_p2(0x82), None);
        let r = AuthResponse::Gsm {
            sres: [0xAB; 4],
            kc: [0xCD; 8],
        };
        assert!(!format!("{r:?}").to_lowercase().contains("cdcd"));
    }
}
