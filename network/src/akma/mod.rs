//! AKMA end to end (TS 33.535 V18 §6.1–§6.2) in two places, and the AUSF/AAnF/KMS reports:
//!
//! * in the ME, as standardised ([`me_based`]): the USIM runs AUTHENTICATE in the 3G/EPS/5G
//!   context (P2 `81`), the ME derives K_AUSF by 5G AKA or EAP-AKA′ ([`primary`], TS 33.501
//!   §6.1.3), stores K_AUSF/K_SEAF in EF_5GAUTHKEYS and derives K_AKMA, A-KID and K_AF;
//! * on the UICC ([`uicc_based`]), the study's solutions #8/#10 (TR 33.835) over vusim's proposed
//!   5G AKMA context P2 `87` — RFU in TS 31.102 §7.1.2 — and the experimental AKMA API applet
//!   (docs/api/akma.md).
//!
//! Both runs list the key names that crossed the UICC–ME interface, taken from the messages the
//! run recorded (`keys_uicc_to_me`, `keys_me_to_uicc`).

use std::path::Path;

pub mod inputs;
pub mod me_based;
pub mod primary;
pub mod uicc_based;

use rand::RngCore;
use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::akma as api;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::ops::{self, IV_LEN};
use vusim_applet::profile::Profile;
use vusim_crypto::gba::{self, UaProtocolId};
use vusim_crypto::keys::Kausf;

use crate::aanf::{AanfContext, HomeAv, Subscriber};
use crate::af::{self, CardTarget};
use crate::auc::Auc;
use crate::diagram::{Diagram, Msg, Party};
use crate::error::Result;
use crate::me::Me;
use crate::report::Report;

/// The 5G HE AV for a profile (and its card file, whose `.hss` SEQ_HE is used and advanced when
/// `sqn` is absent), RAND and SQN; the subscriber; the AuC to save when it advanced.
pub fn home_av(
    p: &Profile,
    card_file: Option<&Path>,
    rid: Option<&str>,
    snn: Option<&str>,
    rand: [u8; 16],
    sqn: Option<u64>,
) -> Result<(HomeAv, Subscriber, Option<Auc>)> {
    let sub = Subscriber::from_profile(p, rid)?;
    let snn = match snn {
        Some(s) => s.to_string(),
        None => sub.snn()?,
    };
    let mut auc = Auc::for_profile(p, if sqn.is_none() { card_file } else { None })?;
    let v = HomeAv::new(&mut auc, p.auth.sqn.ind_bits, rand, sqn, &snn)?;
    Ok((v, sub, sqn.is_none().then_some(auc)))
}

/// The AAnF context of a profile's subscriber for a given K_AUSF.
pub fn aanf_from_k_ausf(p: &Profile, rid: Option<&str>, k_ausf: [u8; 32]) -> Result<AanfContext> {
    let sub = Subscriber::from_profile(p, rid)?;
    AanfContext::new(&Kausf::new(k_ausf), &sub)
}

/// The AUSF's report: the HE AV, the card's AUTHENTICATE APDU, the RES* check when given, and
/// the AAnF's A-TID and A-KID (key bytes only with `reveal`).
pub fn ausf_report(
    v: &HomeAv,
    sub: &Subscriber,
    res_star: Option<&[u8]>,
    reveal: bool,
) -> Result<Report> {
    let mut r = Report::new();
    r.text("snn", v.snn.clone());
    r.hex("rand", &v.rand);
    r.hex("sqn", &vusim_crypto::aka::sqn_from_u64(v.sqn));
    r.hex("autn", &v.autn);
    r.hex("xres_star", &v.xres_star);
    r.hex("hxres_star", &v.hxres_star);
    r.apdu("card_apdu", &v.card_apdu()?);
    if let Some(res) = res_star {
        let (ok, hres) = v.check_res_star(res);
        if let Some(h) = hres {
            r.hex("hres_star", &h);
        }
        r.check("verified", ok);
    }
    let ctx = AanfContext::new(v.k_ausf(), sub)?;
    r.text("supi", ctx.supi.clone());
    r.hex("a_tid", &ctx.a_tid);
    r.text("a_kid", ctx.a_kid.clone());
    if reveal {
        r.hex("k_ausf", v.k_ausf().as_bytes());
        r.hex("k_seaf", v.k_seaf()?.as_bytes());
        r.hex("k_akma", ctx.k_akma().as_bytes());
    }
    Ok(r)
}

/// An AF the AAnF serves: its AF_ID, the K_AF expiry and the card APDU options.
#[derive(Debug, Clone)]
pub struct AfRequest {
    /// AF_ID = FQDN ‖ Ua* protocol id.
    pub af_id: Vec<u8>,
    /// K_AF expiry, seconds since 1970.
    pub expires: u64,
    /// Logical channel of the card APDU.
    pub channel: u8,
    /// Client AID (DO 4F).
    pub client: Option<Vec<u8>>,
}

/// The AAnF's report: A-TID, A-KID and, for an AF, K_AF's expiry, the card's DERIVE K_AF APDU
/// and the answer it must give (key bytes only with `reveal`).
pub fn aanf_report(ctx: &AanfContext, af: Option<&AfRequest>, reveal: bool) -> Result<Report> {
    let mut r = Report::new();
    r.text("supi", ctx.supi.clone());
    r.hex("a_tid", &ctx.a_tid);
    r.text("a_kid", ctx.a_kid.clone());
    if reveal {
        r.hex("k_akma", ctx.k_akma().as_bytes());
    }
    if let Some(af) = af {
        let k_af = ctx.k_af(&af.af_id)?;
        r.hex("af_id", &af.af_id);
        r.num("expires", af.expires);
        if reveal {
            r.hex("k_af", k_af.as_bytes());
        }
        let mut dos = vec![
            Tlv::new(tag::NAF_ID, af.af_id.clone()),
            Tlv::new(tag::EXPIRES, af.expires.to_be_bytes().to_vec()),
        ];
        if let Some(c) = &af.client {
            dos.push(Tlv::new(tag::CLIENT_AID, c.clone()));
        }
        r.apdu("card_apdu", &api::apdu(af.channel, "DERIVE K_AF", &dos));
        let mut resp = Tlv::new(tag::B_TID, ctx.a_kid.as_bytes().to_vec()).encode();
        Tlv::new(tag::EXPIRES, af.expires.to_be_bytes().to_vec()).encode_into(&mut resp);
        resp.extend_from_slice(&StatusWord::SUCCESS.to_bytes());
        r.apdu("card_response", &resp);
    }
    Ok(r)
}

/// The key-management server (shared bike): `app_key` wrapped under K_AF (`base`) for the
/// card's STORE KEY as `store_as`.
pub fn kms_report(
    base: &[u8],
    store_as: &str,
    app_key: &ops::Secret,
    iv: [u8; IV_LEN],
    card: Option<&CardTarget>,
) -> Result<Report> {
    let mut r = Report::new();
    // The bike lock gets the AppKey over its own channel to the server.
    r.hex("app_key", app_key);
    r.text("store_as", store_as);
    af::wrap_into(&mut r, base, store_as.as_bytes(), app_key, iv, card)?;
    Ok(r)
}

/// Where the AKMA keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// In the ME (TS 33.535, the standard).
    Me,
    /// On the UICC (TR 33.835 solutions #8/#10, over the proposed P2 `87`).
    Uicc,
}

impl Where {
    /// The command line's choices (`--where`).
    pub const CHOICES: &'static [crate::inputs::Choice<Where>] = &[
        (
            Where::Me,
            "me",
            "In the ME, as TS 33.535 specifies: AUTHENTICATE P2 81, K_AUSF in EF_5GAUTHKEYS",
        ),
        (
            Where::Uicc,
            "uicc",
            "On the UICC (TR 33.835 solutions #8/#10; AUTHENTICATE P2 87 is RFU in TS 31.102)",
        ),
    ];

    /// The report's name: `me`, `uicc`.
    pub fn name(self) -> &'static str {
        match self {
            Where::Me => "me",
            Where::Uicc => "uicc",
        }
    }
}

pub use primary::AuthMethod;

/// The end-to-end run's inputs besides the card.
#[derive(Debug, Clone)]
pub struct AkmaRun {
    /// FQDN of the AF.
    pub af_fqdn: String,
    /// Ua* security protocol identifier.
    pub ua: UaProtocolId,
    /// Where the AKMA keys live.
    pub place: Where,
    /// The primary authentication method.
    pub auth: AuthMethod,
    /// RAND of the first challenge (random when absent).
    pub rand: Option<[u8; 16]>,
    /// Put key bytes (K_AUSF, K_SEAF, K_AKMA, K_AF) in the report.
    pub reveal: bool,
}

/// The ME opens an application session with the A-KID, and the AF asks the AAnF for K_AF
/// (TS 33.535 §6.2, §7.2), on the diagram.
fn record_af_key_get<T: Transport>(me: &mut Me<T>) {
    let d = me.diagram();
    d.send(
        Party::Me,
        Party::Af,
        Msg::new("Application session establishment").p("A-KID"),
    );
    d.send(
        Party::Af,
        Party::Aanf,
        Msg::new("Naanf_AKMA_ApplicationKey_Get").ps(&["A-KID", "AF_ID"]),
    );
}

fn random16(rng: &mut dyn RngCore) -> [u8; 16] {
    let mut r = [0u8; 16];
    rng.fill_bytes(&mut r);
    r
}

/// The names of keys (and key material) a diagram label may carry, for the crossing report.
pub const KEY_NAMES: &[&str] = &[
    "CK",
    "IK",
    "CK'",
    "IK'",
    "K_AUSF",
    "K_SEAF",
    "K_AKMA",
    "K_AF",
    "K_aut",
    "EMSK",
    "Ks_ext_NAF",
];

/// The key names that crossed from `from` to `to` on the diagram, comma-separated (`none`).
pub fn keys_crossing(d: &Diagram, from: Party, to: Party) -> String {
    let names: Vec<&str> = d
        .names_sent(from, to)
        .into_iter()
        .filter(|n| KEY_NAMES.contains(n))
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// AKMA end to end: the card must be powered (USIM selected, PIN1 presented). `now` is the
/// time K_AF's expiry counts from. The AuC's SEQ_HE is saved. The report starts with the
/// variant and the inputs anyone needs to recompute the chain (RAND, AUTN, SNN, SUPI, AF FQDN,
/// Ua* protocol; with `reveal` the keys), ends with the key names that crossed the UICC–ME
/// interface and the verdict.
pub fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    run: &AkmaRun,
    rng: &mut dyn RngCore,
    now: u64,
) -> Result<Report> {
    let sub = Subscriber::from_profile(profile, None)?;
    let mut r = Report::new();
    r.text("where", run.place.name());
    r.text("auth", run.auth.name());
    r.text("snn", sub.snn()?);
    r.text("supi", sub.supi.clone());
    r.text("af_fqdn", run.af_fqdn.clone());
    r.hex("ua_protocol", &run.ua.to_bytes());
    r.hex("af_id", &gba::naf_id(&run.af_fqdn, run.ua));
    let ok = match run.place {
        Where::Me => me_based::run(me, auc, profile, run, rng, &mut r)?,
        Where::Uicc => uicc_based::run(me, auc, profile, run, rng, now, &mut r)?,
    };
    let d = me.diagram();
    r.text("keys_uicc_to_me", keys_crossing(d, Party::Uicc, Party::Me));
    r.text("keys_me_to_uicc", keys_crossing(d, Party::Me, Party::Uicc));
    r.text("verdict", if ok { "pass" } else { "fail" });
    if !ok {
        r.fail();
    }
    Ok(r)
}

/// One column of the comparison: the variant and the report names of its two rows.
struct Column {
    place: Where,
    auth: AuthMethod,
    verdict: &'static str,
    to_me: &'static str,
    to_uicc: &'static str,
}

const COLUMNS: [Column; 4] = [
    Column {
        place: Where::Me,
        auth: AuthMethod::FiveGAka,
        verdict: "me_5g_aka_verdict",
        to_me: "me_5g_aka_keys_uicc_to_me",
        to_uicc: "me_5g_aka_keys_me_to_uicc",
    },
    Column {
        place: Where::Me,
        auth: AuthMethod::EapAkaPrime,
        verdict: "me_eap_aka_prime_verdict",
        to_me: "me_eap_aka_prime_keys_uicc_to_me",
        to_uicc: "me_eap_aka_prime_keys_me_to_uicc",
    },
    Column {
        place: Where::Uicc,
        auth: AuthMethod::FiveGAka,
        verdict: "uicc_5g_aka_verdict",
        to_me: "uicc_5g_aka_keys_uicc_to_me",
        to_uicc: "uicc_5g_aka_keys_me_to_uicc",
    },
    Column {
        place: Where::Uicc,
        auth: AuthMethod::EapAkaPrime,
        verdict: "uicc_eap_aka_prime_verdict",
        to_me: "uicc_eap_aka_prime_keys_uicc_to_me",
        to_uicc: "uicc_eap_aka_prime_keys_me_to_uicc",
    },
];

/// The side-by-side report: AKMA in the ME and on the UICC (over P2 `87`), each by 5G AKA and
/// EAP-AKA′, each run end to end on this card from a fresh power-up, and for each the key names
/// that crossed the UICC–ME interface in each direction, read from the run's recorded messages
/// (what the AUTHENTICATE answers, UPDATE/READ BINARY and the API commands carried).
#[allow(clippy::too_many_arguments)]
pub fn compare<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    access: &crate::me::UsimAccess,
    af_fqdn: &str,
    ua: UaProtocolId,
    rng: &mut dyn RngCore,
    now: u64,
) -> Result<Report> {
    let mut r = Report::new();
    let mut ok = true;
    for c in &COLUMNS {
        let spec = AkmaRun {
            af_fqdn: af_fqdn.to_string(),
            ua,
            place: c.place,
            auth: c.auth,
            rand: None,
            reveal: false,
        };
        me.take_diagram();
        me.start_usim(&access.aid, &access.pin1)?;
        let one = run(me, auc, profile, &spec, rng, now)?;
        let d = me.take_diagram();
        let pass = !one.failed();
        ok &= pass;
        r.text(c.verdict, if pass { "pass" } else { "fail" });
        r.text(c.to_me, keys_crossing(&d, Party::Uicc, Party::Me));
        r.text(c.to_uicc, keys_crossing(&d, Party::Me, Party::Uicc));
    }
    r.text("verdict", if ok { "pass" } else { "fail" });
    if !ok {
        r.fail();
    }
    Ok(r)
}
