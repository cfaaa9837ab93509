//! HSS and application server of the IoT end-to-end scheme of TR 33.863 (Release 14)
//! solution #11, a study proposal (docs/api/iot.md): the HSS derives Ks from the AKA's CK ‖ IK
//! and hands Ks_AS to the AS, which derives K_app for a RAND_AS and computes or verifies the
//! tag t — the network twin of the card's IoT Ks and IoT API applet. The network functions as
//! separate components are in [`roles`], the end-to-end run with both variants and the key
//! refresh in [`flow`]. The FC values and every message coding are vusim's own.

use vusim_apdu::tlv::Tlv;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::iot as api;
use vusim_applet::profile::Profile;
use vusim_crypto::keys::{ct_eq, Ck, DerivedKey, Ik};
use vusim_crypto::seed::{self, IotAsKeys, SeedFcs, IOT_TAG_LEN};

use crate::aanf::{position_auc, Subscriber};
use crate::af::CardTarget;
use crate::auc::{Auc, Vector};
use crate::authenticate::AuthenticateCommand;
use crate::error::Result;
use crate::report::Report;

pub mod flow;
pub mod inputs;
mod refresh;
pub mod roles;

pub use flow::{run, Refresh, RunOptions, Variant};

/// The HSS's IoT Ks for one AKA: Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT").
pub struct HssIot {
    ks: DerivedKey,
}

impl HssIot {
    /// From the AKA vector's CK and IK.
    pub fn new(ck: &[u8; 16], ik: &[u8; 16]) -> Result<HssIot> {
        Ok(HssIot {
            ks: seed::iot_ks(&Ck::new(*ck), &Ik::new(*ik), &SeedFcs::default())?,
        })
    }

    /// Ks (for printing with `--reveal` only).
    pub fn ks(&self) -> &DerivedKey {
        &self.ks
    }

    /// What the HSS hands to the AS `as_id`: Ks_AS and its two subkeys.
    pub fn for_as(&self, as_id: &str) -> Result<AsSide> {
        Ok(AsSide {
            keys: seed::iot_as_keys(&self.ks, as_id, &SeedFcs::default())?,
        })
    }
}

/// The application server with its Ks_AS.
pub struct AsSide {
    keys: IotAsKeys,
}

impl AsSide {
    /// The AS's side for keys the SCEF handed over.
    pub fn from_keys(keys: IotAsKeys) -> AsSide {
        AsSide { keys }
    }

    /// Ks_AS, Ks_AS_enc, Ks_AS_int (for printing with `--reveal` only).
    pub fn keys(&self) -> &IotAsKeys {
        &self.keys
    }

    /// t = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS)[0..8].
    pub fn tag(&self, guti: &[u8], rand_as: &[u8]) -> Result<[u8; IOT_TAG_LEN]> {
        Ok(seed::iot_tag(&self.keys.ks_as_int, guti, rand_as)?)
    }

    /// Verify the card's t (constant time).
    pub fn verify(&self, guti: &[u8], rand_as: &[u8], t: &[u8]) -> Result<bool> {
        Ok(ct_eq(&self.tag(guti, rand_as)?, t))
    }

    /// K_app = KDF(Ks_AS_enc, FF E3, RAND_AS).
    pub fn k_app(&self, rand_as: &[u8]) -> Result<DerivedKey> {
        Ok(seed::iot_k_app(
            &self.keys.ks_as_enc,
            rand_as,
            &SeedFcs::default(),
        )?)
    }
}

/// The AKA the AS's keys come from: CK and IK, and the vector when it came from a profile.
pub struct IotAka {
    /// CK.
    pub ck: [u8; 16],
    /// IK.
    pub ik: [u8; 16],
    /// The vector and the serving network name, when computed from a card profile.
    pub vector: Option<(Vector, String)>,
}

impl IotAka {
    /// The HSS's vector for a profile's subscriber at RAND and SQN (SEQ ‖ IND).
    pub fn from_profile(
        p: &Profile,
        rid: Option<&str>,
        snn: Option<&str>,
        rand: [u8; 16],
        sqn: u64,
    ) -> Result<IotAka> {
        let sub = Subscriber::from_profile(p, rid)?;
        let snn = match snn {
            Some(s) => s.to_string(),
            None => sub.snn()?,
        };
        let mut auc = Auc::for_profile(p, None)?;
        position_auc(&mut auc, p.auth.sqn.ind_bits, sqn)?;
        let v = auc.vector(rand, false)?;
        Ok(IotAka {
            ck: v.ck,
            ik: v.ik,
            vector: Some((v, snn)),
        })
    }
}

/// The AKA context of a printed AUTHENTICATE APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IotAuthContext {
    /// The proposed 5G AKMA context (P2 87): CK and IK stay in the card.
    Akma,
    /// The 3G context (P2 81): the ME gets CK and IK.
    ThreeG,
}

impl IotAuthContext {
    /// The command line's choices (`--context`).
    pub const CHOICES: &'static [crate::inputs::Choice<IotAuthContext>] = &[
        (
            IotAuthContext::Akma,
            "akma",
            "The proposed 5G AKMA context (P2 87): CK and IK stay in the card",
        ),
        (
            IotAuthContext::ThreeG,
            "3g",
            "The 3G context (P2 81): the ME gets CK and IK",
        ),
    ];
}

/// The card's IoT API key address: DO 80 = AS_ID.
pub fn card_target(as_id: &str, channel: u8, client: Option<Vec<u8>>) -> CardTarget {
    CardTarget {
        table: api::COMMANDS,
        key: vec![Tlv::new(tag::NAF_ID, as_id.as_bytes().to_vec())],
        channel,
        client,
    }
}

/// Key bytes for `--reveal`.
pub fn reveal_keys(r: &mut Report, hss: &HssIot, side: &AsSide, k_app: &[u8]) {
    r.hex("ks", hss.ks().as_bytes());
    r.hex("ks_as", side.keys().ks_as.as_bytes());
    r.hex("ks_as_enc", side.keys().ks_as_enc.as_bytes());
    r.hex("ks_as_int", side.keys().ks_as_int.as_bytes());
    r.hex("k_app", k_app);
}

/// What the AS computes for a GUTI and RAND_AS.
pub struct AsRequest<'a> {
    /// The AKA.
    pub aka: &'a IotAka,
    /// AS_ID.
    pub as_id: &'a str,
    /// GUTI.
    pub guti: &'a [u8],
    /// RAND_AS.
    pub rand_as: &'a [u8],
    /// The card's tag to check.
    pub t: Option<&'a [u8]>,
    /// Context of the printed AUTHENTICATE APDU.
    pub context: IotAuthContext,
    /// The card's key address.
    pub card: &'a CardTarget,
}

/// The HSS and AS: tag t over GUTI ‖ RAND_AS, the card APDUs, the check of the card's t (key
/// bytes only with `reveal`).
pub fn as_report(q: &AsRequest<'_>, reveal: bool) -> Result<Report> {
    let hss = HssIot::new(&q.aka.ck, &q.aka.ik)?;
    let side = hss.for_as(q.as_id)?;
    let t = side.tag(q.guti, q.rand_as)?;
    let mut r = Report::new();
    if let Some((v, snn)) = &q.aka.vector {
        r.hex("rand", &v.rand);
        r.hex("sqn", &vusim_crypto::aka::sqn_from_u64(v.sqn));
        r.hex("autn", &v.autn);
        let cmd = match q.context {
            IotAuthContext::Akma => AuthenticateCommand::Akma {
                rand: v.rand,
                autn: v.autn,
                snn: snn.as_bytes().to_vec(),
            },
            IotAuthContext::ThreeG => AuthenticateCommand::ThreeG {
                rand: v.rand,
                autn: v.autn,
            },
        };
        r.apdu("card_auth_apdu", &cmd.apdu()?);
    }
    r.text("as_id", q.as_id);
    r.hex("guti", q.guti);
    r.hex("rand_as", q.rand_as);
    r.hex("t", &t);
    let common = vec![
        Tlv::new(api::iot_tag::GUTI, q.guti.to_vec()),
        Tlv::new(tag::CHALLENGE, q.rand_as.to_vec()),
    ];
    r.apdu(
        "card_tag_apdu",
        &q.card.apdu("IOT KEY (card tag)", common.clone()),
    );
    let mut verify = common;
    verify.push(Tlv::new(tag::MAC, t.to_vec()));
    r.apdu(
        "card_verify_apdu",
        &q.card.apdu("IOT KEY (verify AS tag)", verify),
    );
    if let Some(given) = q.t {
        r.check("verified", side.verify(q.guti, q.rand_as, given)?);
    }
    if reveal {
        reveal_keys(&mut r, &hss, &side, side.k_app(q.rand_as)?.as_bytes());
    }
    Ok(r)
}
