//! 5G key derivations (3GPP TS 33.501 Annex A.2–A.7, A.9; A.3 via TS 33.402 A.2) and the
//! EAP-AKA' key schedule (RFC 5448 §3.3 / RFC 9048 §3.3).
//!
//! All use the TS 33.220 B.2 KDF ([`super::kdf`]):
//!
//! | output | key | FC | parameters |
//! |---|---|---|---|
//! | K_AUSF (5G AKA) | CK ‖ IK | 0x6A | SNN, SQN ⊕ AK |
//! | RES* / XRES* | CK ‖ IK | 0x6B | SNN, RAND, RES → last 16 octets |
//! | K_SEAF | K_AUSF | 0x6C | SNN |
//! | K_AMF | K_SEAF | 0x6D | SUPI (string), ABBA |
//! | K_gNB (A.9) | K_AMF | 0x6E | UL NAS COUNT, access type |
//! | CK' ‖ IK' | CK ‖ IK | 0x20 | SNN (or access network identity), SQN ⊕ AK |
//!
//! H(X)RES* = last 16 octets of SHA-256(RAND ‖ (X)RES*) (A.5). For EAP-AKA',
//! `MK = PRF'(IK' ‖ CK', "EAP-AKA'" ‖ Identity)` with
//! `PRF'(K, S) = T1 ‖ T2 ‖ …, Ti = HMAC-SHA-256(K, Ti-1 ‖ S ‖ i)`; K_encr = MK[0..16],
//! K_aut = MK[16..48], K_re = MK[48..80], MSK = MK[80..144], EMSK = MK[144..208], and
//! K_AUSF = EMSK[0..32] (TS 33.501 §6.1.3.1; note the key order IK' then CK').
//!
//! The serving network name (TS 24.501 §9.12.1) is `5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org`
//! with the MNC always zero-padded to three digits.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::kdf::{hmac_sha256, KdfInput};
use super::keys::{
    Ck, CkPrime, DerivedKey, Emsk, Ik, IkPrime, KAut, KEncr, KRe, Kamf, Kausf, Kseaf, Msk,
};
use super::CryptoError;

/// FC for K_AUSF (A.2).
pub const FC_KAUSF: u8 = 0x6A;
/// FC for RES* / XRES* (A.4).
pub const FC_RES_STAR: u8 = 0x6B;
/// FC for K_SEAF (A.6).
pub const FC_KSEAF: u8 = 0x6C;
/// FC for K_AMF (A.7).
pub const FC_KAMF: u8 = 0x6D;
/// FC for K_gNB (A.9).
pub const FC_KGNB: u8 = 0x6E;
/// FC for CK' ‖ IK' (TS 33.402 A.2).
pub const FC_CK_IK_PRIME: u8 = 0x20;

fn check_mcc_mnc(mcc: &str, mnc: &str) -> Result<(), CryptoError> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if mcc.len() != 3 || !digits(mcc) {
        return Err(CryptoError::InvalidFormat {
            what: "MCC",
            reason: "must be 3 decimal digits",
        });
    }
    if !(2..=3).contains(&mnc.len()) || !digits(mnc) {
        return Err(CryptoError::InvalidFormat {
            what: "MNC",
            reason: "must be 2 or 3 decimal digits",
        });
    }
    Ok(())
}

/// Serving network name `5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org`, MNC zero-padded to 3 digits.
///
/// # Errors
/// [`CryptoError::InvalidFormat`] unless MCC is 3 digits and MNC 2 or 3 digits.
pub fn serving_network_name(mcc: &str, mnc: &str) -> Result<String, CryptoError> {
    check_mcc_mnc(mcc, mnc)?;
    Ok(format!("5G:mnc{mnc:0>3}.mcc{mcc}.3gppnetwork.org"))
}

fn ck_ik(ck: &Ck, ik: &Ik) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    let (a, b) = key.split_at_mut(16);
    a.copy_from_slice(ck.expose());
    b.copy_from_slice(ik.expose());
    key
}

/// K_AUSF for 5G AKA (A.2): `KDF(CK ‖ IK, 0x6A, SNN, SQN ⊕ AK)`.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long SNN.
pub fn k_ausf(ck: &Ck, ik: &Ik, snn: &str, sqn_xor_ak: &[u8; 6]) -> Result<Kausf, CryptoError> {
    let out = KdfInput::new(FC_KAUSF)
        .string(snn)?
        .bytes(sqn_xor_ak)?
        .derive(&*ck_ik(ck, ik))?;
    Ok(Kausf::new(*out.expose()))
}

/// RES* (UE) or XRES* (ARPF) (A.4): last 16 octets of `KDF(CK ‖ IK, 0x6B, SNN, RAND, RES)`.
///
/// # Errors
/// [`CryptoError::UnsupportedLength`] for a RES outside 4..=16 octets.
pub fn res_star(
    ck: &Ck,
    ik: &Ik,
    snn: &str,
    rand: &[u8; 16],
    res: &[u8],
) -> Result<[u8; 16], CryptoError> {
    if !(4..=16).contains(&res.len()) {
        return Err(CryptoError::UnsupportedLength {
            what: "RES for RES*",
            allowed: "4..=16 bytes",
            got: res.len(),
        });
    }
    let out = KdfInput::new(FC_RES_STAR)
        .string(snn)?
        .bytes(rand)?
        .bytes(res)?
        .derive(&*ck_ik(ck, ik))?;
    Ok(last16(out.expose()))
}

fn last16(x: &[u8; 32]) -> [u8; 16] {
    let mut o = [0u8; 16];
    o.copy_from_slice(x.split_at(16).1);
    o
}

/// HRES* / HXRES* (A.5): last 16 octets of `SHA-256(RAND ‖ (X)RES*)`.
#[must_use]
pub fn hres_star(rand: &[u8; 16], res_star: &[u8; 16]) -> [u8; 16] {
    let d: [u8; 32] = Sha256::new()
        .chain_update(rand)
        .chain_update(res_star)
        .finalize()
        .into();
    last16(&d)
}

/// K_SEAF (A.6): `KDF(K_AUSF, 0x6C, SNN)`.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long SNN.
pub fn k_seaf(k_ausf: &Kausf, snn: &str) -> Result<Kseaf, CryptoError> {
    let out = KdfInput::new(FC_KSEAF)
        .string(snn)?
        .derive(k_ausf.as_bytes())?;
    Ok(Kseaf::new(*out.expose()))
}

/// K_AMF (A.7): `KDF(K_SEAF, 0x6D, SUPI, ABBA)`; SUPI as a character string (IMSI digits or
/// NAI, A.7.0), ABBA as octets (`00 00` in Rel-15/16).
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long SUPI or ABBA.
pub fn k_amf(k_seaf: &Kseaf, supi: &str, abba: &[u8]) -> Result<Kamf, CryptoError> {
    let out = KdfInput::new(FC_KAMF)
        .string(supi)?
        .bytes(abba)?
        .derive(k_seaf.as_bytes())?;
    Ok(Kamf::new(*out.expose()))
}

/// K_gNB (A.9): `KDF(K_AMF, 0x6E, UL NAS COUNT (4 octets), access type distinguisher)`;
/// the distinguisher is `0x01` for 3GPP access and `0x02` for non-3GPP access (K_N3IWF).
///
/// # Errors
/// Not expected (fixed-size inputs).
pub fn k_gnb(k_amf: &Kamf, ul_nas_count: u32, access_type: u8) -> Result<DerivedKey, CryptoError> {
    KdfInput::new(FC_KGNB)
        .bytes(&ul_nas_count.to_be_bytes())?
        .bytes(&[access_type])?
        .derive(k_amf.as_bytes())
}

/// CK' ‖ IK' (TS 33.402 A.2, TS 33.501 A.3): `KDF(CK ‖ IK, 0x20, network name, SQN ⊕ AK)`;
/// CK' is the first 16 octets. For 5G the network name is the SNN.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long network name.
pub fn ck_ik_prime(
    ck: &Ck,
    ik: &Ik,
    network_name: &str,
    sqn_xor_ak: &[u8; 6],
) -> Result<(CkPrime, IkPrime), CryptoError> {
    let out = KdfInput::new(FC_CK_IK_PRIME)
        .string(network_name)?
        .bytes(sqn_xor_ak)?
        .derive(&*ck_ik(ck, ik))?;
    let (a, b) = out.expose().split_at(16);
    Ok((CkPrime::from_slice(a)?, IkPrime::from_slice(b)?))
}

/// PRF' (RFC 5448 §3.4 / RFC 9048 §3.4.1): the first `len` octets of
/// `T1 ‖ T2 ‖ …`, `Ti = HMAC-SHA-256(K, Ti-1 ‖ S ‖ i)` (T0 empty, i one octet).
///
/// # Errors
/// [`CryptoError::UnsupportedLength`] if `len` exceeds 255 × 32 octets.
pub fn prf_prime(key: &[u8], s: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if len > 255 * 32 {
        return Err(CryptoError::UnsupportedLength {
            what: "PRF' output",
            allowed: "at most 8160 bytes",
            got: len,
        });
    }
    let mut out = Zeroizing::new(Vec::with_capacity(len + 32));
    let mut t = Zeroizing::new([0u8; 32]);
    let mut t_len = 0usize;
    let mut i: u8 = 1;
    while out.len() < len {
        let prev = t.get(..t_len).unwrap_or(&[]);
        *t = hmac_sha256(key, &[prev, s, &[i]])?;
        t_len = 32;
        out.extend_from_slice(&*t);
        i = i.wrapping_add(1);
    }
    out.truncate(len);
    Ok(out)
}

/// The EAP-AKA' keys derived from MK (RFC 9048 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EapAkaPrimeKeys {
    /// K_encr (128 bits).
    pub k_encr: KEncr,
    /// K_aut (256 bits).
    pub k_aut: KAut,
    /// K_re (256 bits).
    pub k_re: KRe,
    /// MSK (512 bits).
    pub msk: Msk,
    /// EMSK (512 bits).
    pub emsk: Emsk,
}

impl EapAkaPrimeKeys {
    /// `MK = PRF'(IK' ‖ CK', "EAP-AKA'" ‖ Identity)`, 208 octets, split into the five keys.
    ///
    /// # Errors
    /// Not expected (the lengths are fixed).
    pub fn derive(
        ik_prime: &IkPrime,
        ck_prime: &CkPrime,
        identity: &[u8],
    ) -> Result<Self, CryptoError> {
        let mut key = Zeroizing::new([0u8; 32]);
        let (a, b) = key.split_at_mut(16);
        a.copy_from_slice(ik_prime.expose());
        b.copy_from_slice(ck_prime.expose());
        let mut s = Zeroizing::new(b"EAP-AKA'".to_vec());
        s.extend_from_slice(identity);
        let mk = prf_prime(&*key, &s, 208)?;
        let (k_encr, rest) = mk.split_at(16);
        let (k_aut, rest) = rest.split_at(32);
        let (k_re, rest) = rest.split_at(32);
        let (msk, emsk) = rest.split_at(64);
        Ok(Self {
            k_encr: KEncr::from_slice(k_encr)?,
            k_aut: KAut::from_slice(k_aut)?,
            k_re: KRe::from_slice(k_re)?,
            msk: Msk::from_slice(msk)?,
            emsk: Emsk::from_slice(emsk)?,
        })
    }

    /// K_AUSF for EAP-AKA' = the most significant 256 bits of EMSK (TS 33.501 §6.1.3.1).
    #[must_use]
    pub fn k_ausf(&self) -> Kausf {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.emsk.expose().split_at(32).0);
        Kausf::new(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snn_pads_mnc() {
        assert_eq!(
            serving_network_name("001", "01").ok().as_deref(),
            Some("5G:mnc001.mcc001.3gppnetwork.org")
        );
        assert_eq!(
            serving_network_name("310", "410").ok().as_deref(),
            Some("5G:mnc410.mcc310.3gppnetwork.org")
        );
        assert!(serving_network_name("01", "01").is_err());
        assert!(serving_network_name("001", "1").is_err());
    }

    #[test]
    fn prf_prime_prefix_property() {
        let a = prf_prime(b"k", b"s", 100).expect("len ok");
        let b = prf_prime(b"k", b"s", 40).expect("len ok");
        assert_eq!(a.get(..40), Some(b.as_slice()));
        assert!(prf_prime(b"k", b"s", 255 * 32 + 1).is_err());
    }
}
