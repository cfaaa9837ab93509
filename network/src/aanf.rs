//! AUSF and AAnF for UICC-based AKMA (TS 33.501 §6.1.3.2, TS 33.535 §6.1–§6.2; docs/api/akma.md): the 5G HE AV from the AuC, the RES* check, K_AKMA/A-TID/A-KID at the AAnF and K_AF for an AF — the network twin of the card's 5G AKMA context and AKMA API applet.

use vusim_applet::profile::Profile;
use vusim_crypto::akma::{self, AKidFormat};
use vusim_crypto::fiveg;
use vusim_crypto::keys::{ct_eq, Kaf, Kakma, Kausf, Kseaf};

use crate::auc::Auc;
use crate::authenticate::AuthenticateCommand;
use crate::error::{NetworkError, Result};

/// The subscriber identities the home network associates with a card profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// SUPI (IMSI digits).
    pub supi: String,
    /// MCC.
    pub mcc: String,
    /// MNC (2 or 3 digits).
    pub mnc: String,
    /// Routing Indicator (1–4 digits).
    pub rid: String,
}

impl Subscriber {
    /// From a profile (`[usim] imsi`, `mnc_len`); the RID is "0" unless given (the value the
    /// default EF.Routing_Indicator `F0FF0000` codes).
    pub fn from_profile(p: &Profile, rid: Option<&str>) -> Result<Subscriber> {
        let supi = p
            .usim
            .imsi
            .clone()
            .unwrap_or_else(|| "001010123456789".to_string());
        let mnc_len = usize::from(p.usim.mnc_len.unwrap_or(2));
        let (Some(mcc), Some(mnc)) = (supi.get(..3), supi.get(3..3 + mnc_len)) else {
            return Err(NetworkError::input(format!("IMSI {supi:?} is too short")));
        };
        let rid = rid.unwrap_or("0");
        if !(1..=4).contains(&rid.len()) || !rid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NetworkError::input(format!(
                "--rid: expected 1 to 4 decimal digits, got {rid:?}"
            )));
        }
        Ok(Subscriber {
            mcc: mcc.to_string(),
            mnc: mnc.to_string(),
            supi,
            rid: rid.to_string(),
        })
    }

    /// The serving network name `5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org` (home network as
    /// serving network).
    pub fn snn(&self) -> Result<String> {
        Ok(fiveg::serving_network_name(&self.mcc, &self.mnc)?)
    }

    /// The A-KID realm (home network identifier) `5gc.mnc<MNC>.mcc<MCC>.3gppnetwork.org`.
    pub fn realm(&self) -> String {
        format!("5gc.mnc{:0>3}.mcc{}.3gppnetwork.org", self.mnc, self.mcc)
    }
}

/// Move the AuC so that its next SQN is `sqn` (SEQ ‖ IND, `ind_bits` of IND).
pub fn position_auc(auc: &mut Auc, ind_bits: u8, sqn: u64) -> Result<()> {
    let seq = sqn >> ind_bits;
    if seq == 0 {
        return Err(NetworkError::input(format!(
            "--sqn: SEQ (SQN >> {ind_bits}) must be at least 1"
        )));
    }
    auc.seq = seq - 1;
    auc.ind = sqn & ((1u64 << ind_bits) - 1);
    Ok(())
}

/// A 5G HE AV as the AUSF holds it (TS 33.501 §6.1.3.2): K_AUSF stays here.
pub struct HomeAv {
    /// RAND.
    pub rand: [u8; 16],
    /// AUTN.
    pub autn: [u8; 16],
    /// SQN in AUTN.
    pub sqn: u64,
    /// XRES*.
    pub xres_star: [u8; 16],
    /// HXRES* (what the SEAF gets).
    pub hxres_star: [u8; 16],
    /// Serving network name.
    pub snn: String,
    k_ausf: Kausf,
}

impl HomeAv {
    /// From the AuC for `rand`; with `sqn`, the AuC first moves so that its next SQN is that
    /// one (SEQ ‖ IND).
    pub fn new(
        auc: &mut Auc,
        ind_bits: u8,
        rand: [u8; 16],
        sqn: Option<u64>,
        snn: &str,
    ) -> Result<HomeAv> {
        if let Some(s) = sqn {
            position_auc(auc, ind_bits, s)?;
        }
        let (v, xres_star, k_ausf) = auc.he_av_5g(rand, snn)?;
        Ok(HomeAv {
            rand: v.rand,
            autn: v.autn,
            sqn: v.sqn,
            hxres_star: fiveg::hres_star(&v.rand, &xres_star),
            xres_star,
            snn: snn.to_string(),
            k_ausf: Kausf::new(k_ausf),
        })
    }

    /// K_AUSF (for the AAnF push and for printing with `--reveal` only).
    pub fn k_ausf(&self) -> &Kausf {
        &self.k_ausf
    }

    /// K_SEAF = KDF(K_AUSF, 0x6C, SNN) (what the SEAF gets after a successful RES* check).
    pub fn k_seaf(&self) -> Result<Kseaf> {
        Ok(fiveg::k_seaf(&self.k_ausf, &self.snn)?)
    }

    /// The AUSF's check of the UE's RES* (constant time) and the SEAF's of HRES*.
    pub fn check_res_star(&self, res_star: &[u8]) -> (bool, Option<[u8; 16]>) {
        let ok = ct_eq(res_star, &self.xres_star);
        let hres = <[u8; 16]>::try_from(res_star)
            .ok()
            .map(|r| fiveg::hres_star(&self.rand, &r));
        (ok, hres)
    }

    /// The card command of the 5G AKMA context: `00 88 00 87 Lc 10 RAND 10 AUTN L SNN 00`.
    pub fn card_apdu(&self) -> Result<Vec<u8>> {
        authenticate_akma_apdu(&self.rand, &self.autn, &self.snn)
    }
}

/// `00 88 00 87 Lc 10 RAND 10 AUTN L SNN 00` (docs/api/akma.md §3).
pub fn authenticate_akma_apdu(rand: &[u8; 16], autn: &[u8; 16], snn: &str) -> Result<Vec<u8>> {
    AuthenticateCommand::Akma {
        rand: *rand,
        autn: *autn,
        snn: snn.as_bytes().to_vec(),
    }
    .apdu()
}

/// What the AAnF keeps for one subscriber after the AUSF's push (TS 33.535 §6.1).
pub struct AanfContext {
    /// SUPI.
    pub supi: String,
    /// A-TID.
    pub a_tid: [u8; 32],
    /// A-KID `<RID>.<base64(A-TID)>@<realm>`.
    pub a_kid: String,
    k_akma: Kakma,
}

impl AanfContext {
    /// K_AKMA and A-TID from K_AUSF (TS 33.535 A.2, A.3), the A-KID from RID and realm.
    pub fn new(k_ausf: &Kausf, sub: &Subscriber) -> Result<AanfContext> {
        let k_akma = akma::k_akma(k_ausf, &sub.supi)?;
        let a_tid = akma::a_tid(k_ausf, &sub.supi)?;
        let a_kid = akma::a_kid(&sub.rid, &a_tid, &sub.realm(), AKidFormat::default())?;
        Ok(AanfContext {
            supi: sub.supi.clone(),
            a_tid,
            a_kid,
            k_akma,
        })
    }

    /// K_AKMA (for printing with `--reveal` only).
    pub fn k_akma(&self) -> &Kakma {
        &self.k_akma
    }

    /// K_AF = KDF(K_AKMA, 0x82, AF_ID) (TS 33.535 A.4), as the AAnF hands it to the AF.
    pub fn k_af(&self, af_id: &[u8]) -> Result<Kaf> {
        Ok(akma::k_af(&self.k_akma, af_id)?)
    }
}
