//! The USIM's experimental contexts (off unless a profile turns them on): AUTHENTICATE in the
//! proposed 5G AKMA context P2 `87` — RFU in TS 31.102 §7.1.2, a TR 33.835 study proposal coded
//! by vusim (docs/api/akma.md §3) — and the IoT Ks of TR 33.863 solution #11 (docs/api/iot.md).

use vusim_apdu::authenticate::{AuthResponse, AKMA_METHOD_EAP_AKA_PRIME};
use vusim_apdu::{Response, StatusWord};
use zeroize::Zeroizing;

use super::{bcd, take_lv, Usim, DF_5GS, EF_AD, EF_IMSI, EF_ROUTING_INDICATOR};
use crate::card::applet::Context;
use crate::card::keystore::{KeyEntry, KeyKind};
use crate::crypto::aka::{self, Autn};
use crate::crypto::fiveg::EapAkaPrimeKeys;
use crate::crypto::keys::Kausf;
use crate::crypto::{akma, fiveg, seed};

/// The experimental contexts of the USIM, off unless a profile turns them on (`[akma]`,
/// `[iot]`): AUTHENTICATE in the proposed 5G AKMA context (P2 `87`, docs/api/akma.md §3) and the
/// IoT Ks kept after each successful AKA (TR 33.863 solution #11, docs/api/iot.md §3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsimExtensions {
    /// Answer AUTHENTICATE P2 `87` (else `9864` as before).
    pub akma_context: bool,
    /// K_AKMA lifetime in seconds of card time after the AKA (`None`: until the next one).
    pub k_akma_lifetime: Option<u64>,
    /// Keep Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT") after each successful AKA in the 3G and
    /// 5G AKMA contexts.
    pub iot_ks: bool,
    /// IoT Ks lifetime in seconds of card time after the AKA (`None`: until the next one).
    pub iot_ks_lifetime: Option<u64>,
}

/// The SUPI/SNN/RID inputs of the 5G AKMA context, read or checked before anything changes.
pub(super) struct AkmaInputs {
    supi: String,
    rid: String,
    realm: String,
}

impl Usim {
    /// 5G AKMA context (P2 `87`, this project's proposal, docs/api/akma.md §3): 5G AKA (or
    /// EAP-AKA′ with the method field `01 01`) with K_AUSF kept in the card. Data
    /// `10 RAND 10 AUTN L SNN [01 01]`; AUTN is checked exactly as in the 3G context (`9862` MAC failure, `DC 0E AUTS` synchronisation failure, nothing kept);
    /// on success RES* (TS 33.501 A.4), K_AUSF (A.2), K_SEAF (A.6), K_AKMA and A-TID
    /// (TS 33.535 A.2, A.3) are derived, K_AKMA goes to the key store with its A-TID and A-KID
    /// (replacing the previous one), and only `DB 10 RES* 20 K_SEAF` is returned (EAP-AKA′:
    /// `DB L RES 20 K_aut 20 K_SEAF`, K_AUSF = EMSK's first 256 bits, TS 33.501 §6.1.3.1).
    pub(super) fn akma_5g(
        &mut self,
        ctx: &mut Context<'_>,
        data: &[u8],
    ) -> Result<Response, StatusWord> {
        if !self.ext.akma_context {
            return Err(StatusWord::AUTH_CONTEXT_NOT_SUPPORTED);
        }
        let (rand, autn, snn, eap) = parse_akma(data)?;
        let inputs = Self::akma_inputs(ctx).ok_or(StatusWord::TECHNICAL_PROBLEM)?;
        let keys = self
            .auth
            .algorithm()
            .f2345(&rand)
            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        if let Err(auts) = self.check_challenge(ctx, &rand, &autn, &keys)? {
            return Ok(Response::ok(auts));
        }
        let tp = |_| StatusWord::TECHNICAL_PROBLEM;
        // 5G AKA: RES* (TS 33.501 A.4) and K_AUSF (A.2). EAP-AKA′: CK′/IK′ with the SNN as
        // network name (A.3), MK's K_aut and EMSK with the SUPI as Identity (RFC 9048 §3.3,
        // TS 33.501 F.3), K_AUSF = EMSK's first 256 bits (§6.1.3.1).
        let (answer_head, k_ausf): (Answer, Kausf) = if eap {
            let (ck_p, ik_p) =
                fiveg::ck_ik_prime(&keys.ck, &keys.ik, snn, &autn.sqn_xor_ak).map_err(tp)?;
            let m = EapAkaPrimeKeys::derive(&ik_p, &ck_p, inputs.supi.as_bytes()).map_err(tp)?;
            let k_aut = *m.k_aut.expose();
            (
                Answer::Eap {
                    res: keys.res.as_bytes().to_vec(),
                    k_aut,
                },
                m.k_ausf(),
            )
        } else {
            let res_star =
                fiveg::res_star(&keys.ck, &keys.ik, snn, &rand, keys.res.as_bytes()).map_err(tp)?;
            let k_ausf = fiveg::k_ausf(&keys.ck, &keys.ik, snn, &autn.sqn_xor_ak).map_err(tp)?;
            (Answer::FiveG { res_star }, k_ausf)
        };
        let k_seaf = fiveg::k_seaf(&k_ausf, snn).map_err(tp)?;
        let k_akma = akma::k_akma(&k_ausf, &inputs.supi).map_err(tp)?;
        let a_tid = akma::a_tid(&k_ausf, &inputs.supi).map_err(tp)?;
        let a_kid = akma::a_kid(
            &inputs.rid,
            &a_tid,
            &inputs.realm,
            akma::AKidFormat::default(),
        )
        .map_err(tp)?;
        // One AKMA context at a time: a new primary authentication replaces K_AKMA (K_AF keys
        // already derived keep their own expiry, TS 33.535 §6.1).
        ctx.keys.remove_where(|e| e.kind == KeyKind::KAkma);
        ctx.keys.put(
            KeyEntry {
                kind: KeyKind::KAkma,
                id: a_tid.to_vec(),
                reference: a_kid.into_bytes(),
                key: Zeroizing::new(k_akma.as_bytes().to_vec()),
                expires: self.ext.k_akma_lifetime.map(|l| ctx.now.saturating_add(l)),
                slot: 0,
                last_used: 0,
            },
            None,
        );
        self.keep_iot_ks(ctx, &rand, &keys);
        *ctx.dirty = true;
        let k_seaf = *k_seaf.expose();
        let answer = match answer_head {
            Answer::FiveG { res_star } => AuthResponse::Vusim5gAkma { res_star, k_seaf },
            Answer::Eap { res, k_aut } => AuthResponse::Vusim5gAkmaEap { res, k_aut, k_seaf },
        };
        Ok(Response::ok(answer.encode()))
    }

    /// After a successful AKA, with `[iot]` on: Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT")
    /// replaces the previous IoT Ks (reference = RAND of the AKA) and every K_app derived
    /// from it (docs/api/iot.md §5).
    pub(super) fn keep_iot_ks(&self, ctx: &mut Context<'_>, rand: &[u8; 16], keys: &aka::AkaKeys) {
        if !self.ext.iot_ks {
            return;
        }
        let Ok(ks) = seed::iot_ks(&keys.ck, &keys.ik, &seed::SeedFcs::default()) else {
            return;
        };
        ctx.keys
            .remove_where(|e| matches!(e.kind, KeyKind::IotKs | KeyKind::IotKapp));
        ctx.keys.put(
            KeyEntry {
                kind: KeyKind::IotKs,
                id: Vec::new(),
                reference: rand.to_vec(),
                key: Zeroizing::new(ks.as_bytes().to_vec()),
                expires: self.ext.iot_ks_lifetime.map(|l| ctx.now.saturating_add(l)),
                slot: 0,
                last_used: 0,
            },
            None,
        );
        *ctx.dirty = true;
    }

    /// SUPI (the IMSI of EF.IMSI), RID (EF.Routing_Indicator, "0" when absent or unset) and
    /// the A-KID realm `5gc.mnc<MNC>.mcc<MCC>.3gppnetwork.org` (MNC length from EF.AD).
    pub(super) fn akma_inputs(ctx: &Context<'_>) -> Option<AkmaInputs> {
        let adf = ctx.adf?;
        let file = |fid: u16| ctx.fs.child(adf, fid).and_then(|ef| ctx.fs.data(ef));
        let imsi_ef = file(EF_IMSI)?;
        let (&len, body) = imsi_ef.split_first()?;
        let digits = bcd(body.get(..usize::from(len))?);
        let supi: String = digits.chars().skip(1).collect();
        let mnc_len = file(EF_AD)
            .and_then(|d| d.get(3))
            .map_or(2, |b| usize::from(b & 0x0F));
        let mnc_len = if mnc_len == 3 { 3 } else { 2 };
        let (mcc, mnc) = (supi.get(..3)?, supi.get(3..3 + mnc_len)?);
        let rid = ctx
            .fs
            .child(adf, DF_5GS)
            .and_then(|df| ctx.fs.child(df, EF_ROUTING_INDICATOR))
            .and_then(|ef| ctx.fs.data(ef))
            .map(|d| bcd(d.get(..2).unwrap_or_default()))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "0".to_string());
        Some(AkmaInputs {
            realm: format!("5gc.mnc{mnc:0>3}.mcc{mcc}.3gppnetwork.org"),
            supi,
            rid,
        })
    }
}

/// The method-specific part of the answer.
enum Answer {
    FiveG { res_star: [u8; 16] },
    Eap { res: Vec<u8>, k_aut: [u8; 32] },
}

/// 5G AKMA context data: `10 RAND 10 AUTN L SNN [01 01]`, SNN printable ASCII starting `5G:`;
/// the optional last field selects EAP-AKA′ (vusim's coding, docs/api/akma.md §3).
fn parse_akma(data: &[u8]) -> Result<([u8; 16], Autn, &str, bool), StatusWord> {
    let (rand, rest) = take_lv(data)?;
    let (autn, rest) = take_lv(rest)?;
    let (snn, rest) = take_lv(rest)?;
    let eap = if rest.is_empty() {
        false
    } else {
        let (method, rest) = take_lv(rest)?;
        if !rest.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if method != [AKMA_METHOD_EAP_AKA_PRIME] {
            return Err(StatusWord::INCORRECT_DATA);
        }
        true
    };
    let rand: [u8; 16] = rand.try_into().map_err(|_| StatusWord::INCORRECT_DATA)?;
    let autn = Autn::parse(autn).map_err(|_| StatusWord::INCORRECT_DATA)?;
    let snn = std::str::from_utf8(snn)
        .ok()
        .filter(|s| s.starts_with("5G:") && s.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or(StatusWord::INCORRECT_DATA)?;
    Ok((rand, autn, snn, eap))
}
