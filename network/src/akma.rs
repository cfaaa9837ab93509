//! UICC-based AKMA end to end and the AUSF/AAnF/KMS reports (TS 33.535 §6.1–§6.2; the card's side
//! is vusim's proposal, docs/api/akma.md): 5G AKA in the 5G AKMA context (AUTHENTICATE P2 `87`)
//! with resynchronisation, the AAnF's A-KID and K_AF, then every API operation over K_AF both
//! ways on a logical channel, and an AppKey from the key-management server.
//!
//! ⚠ Experimental: the card's 5G AKMA context, the AKMA API applet and the operations on K_AF
//! are this project's proposal.

use std::path::Path;

use rand::RngCore;
use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::akma as api;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::ops::{self, IV_LEN};
use vusim_applet::profile::Profile;
use vusim_crypto::gba::{self, UaProtocolId};
use vusim_crypto::keys::{ct_eq, Kausf};

use crate::aanf::{AanfContext, HomeAv, Subscriber};
use crate::af::{self, CardTarget};
use crate::auc::Auc;
use crate::authenticate as auth;
use crate::client::{get, ApiChannel};
use crate::diagram::{Msg, Party};
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

/// The end-to-end run's inputs besides the card.
#[derive(Debug, Clone)]
pub struct AkmaRun {
    /// FQDN of the AF.
    pub af_fqdn: String,
    /// Ua* security protocol identifier.
    pub ua: UaProtocolId,
}

fn random16(rng: &mut dyn RngCore) -> [u8; 16] {
    let mut r = [0u8; 16];
    rng.fill_bytes(&mut r);
    r
}

/// The AUSF's 5G HE AV from the UDM/ARPF and the challenge through the SEAF to the ME, recorded
/// on the diagram.
fn he_av<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    ind_bits: u8,
    rand: [u8; 16],
    snn: &str,
) -> Result<HomeAv> {
    let d = me.diagram();
    d.send(
        Party::Seaf,
        Party::Ausf,
        Msg::new("Nausf_UEAuthentication_Authenticate").ps(&["SUPI", "SNN"]),
    );
    d.send(
        Party::Ausf,
        Party::Udm,
        Msg::new("Nudm_UEAuthentication_Get").ps(&["SUPI", "SNN"]),
    );
    let v = HomeAv::new(auc, ind_bits, rand, None, snn)?;
    let d = me.diagram();
    d.reply(
        Party::Udm,
        Party::Ausf,
        Msg::new("5G HE AV").ps(&["RAND", "AUTN", "XRES*", "K_AUSF"]),
    );
    d.note(Party::Ausf, Msg::new("HXRES* from XRES*"));
    d.reply(
        Party::Ausf,
        Party::Seaf,
        Msg::new("5G SE AV").ps(&["RAND", "AUTN", "HXRES*"]),
    );
    d.send(
        Party::Seaf,
        Party::Me,
        Msg::new("Authentication Request").ps(&["RAND", "AUTN", "ngKSI", "ABBA"]),
    );
    Ok(v)
}

/// A synchronisation failure on the diagram: the card's AUTS back to the UDM, which
/// resynchronises.
fn record_resync<T: Transport>(me: &mut Me<T>, sw: StatusWord) {
    let d = me.diagram();
    d.fail(
        Party::Uicc,
        Party::Me,
        Msg::new("DC synchronisation failure").p("AUTS").sw(sw),
    );
    d.fail(
        Party::Me,
        Party::Seaf,
        Msg::new("Authentication Failure (synch failure)").p("AUTS"),
    );
    d.send(
        Party::Seaf,
        Party::Ausf,
        Msg::new("Nausf_UEAuthentication_Authenticate").ps(&["SUPI", "RAND", "AUTS"]),
    );
    d.send(
        Party::Ausf,
        Party::Udm,
        Msg::new("Nudm_UEAuthentication_Get (resynchronisation)").ps(&["RAND", "AUTS"]),
    );
    d.note(Party::Udm, Msg::new("checks MAC-S, SQN_HE := SQN_MS"));
}

/// The serving network's and the home network's checks of RES*, on the diagram.
fn record_confirmation<T: Transport>(me: &mut Me<T>, ok: bool) {
    let d = me.diagram();
    if ok {
        d.note(Party::Seaf, Msg::new("HRES* = HXRES*"));
        d.send(
            Party::Seaf,
            Party::Ausf,
            Msg::new("Nausf_UEAuthentication_Authenticate").p("RES*"),
        );
        d.note(Party::Ausf, Msg::new("RES* = XRES*"));
        d.reply(
            Party::Ausf,
            Party::Seaf,
            Msg::new("Authentication result").ps(&["SUPI", "K_SEAF"]),
        );
    } else {
        d.note(Party::Ausf, Msg::new("RES* ≠ XRES*"));
        d.fail(Party::Seaf, Party::Me, Msg::new("Authentication Reject"));
    }
}

/// AKMA end to end: the card must be powered (USIM selected, PIN1 presented). `now` is the
/// time K_AF's expiry counts from. The AuC's SEQ_HE is saved.
pub fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    run: &AkmaRun,
    rng: &mut dyn RngCore,
    now: u64,
) -> Result<Report> {
    let sub = Subscriber::from_profile(profile, None)?;
    let snn = sub.snn()?;
    let mut r = Report::new();
    let mut ok = true;

    // AUSF / SEAF / card: 5G AKA in the 5G AKMA context, with resynchronisation.
    me.diagram().set_title(
        "UICC-based AKMA (TR 33.835 solutions #8/#10; AUTHENTICATE P2 '87' is RFU in TS 31.102)",
    );
    let ind_bits = profile.auth.sqn.ind_bits;
    let mut v = he_av(me, auc, ind_bits, random16(rng), &snn)?;
    let akma_msg = || Msg::new("AUTHENTICATE P2 '87' (RFU, proposal)").ps(&["RAND", "AUTN", "SNN"]);
    let mut resp = me.send_as(&v.card_apdu()?, akma_msg())?;
    if let Some(auts) = auth::sync_failure(&resp) {
        record_resync(me, resp.sw);
        let sqn_ms = auc.resync(&v.rand, &auts)?;
        r.num("sqn_ms", sqn_ms);
        v = he_av(me, auc, ind_bits, random16(rng), &snn)?;
        resp = me.send_as(&v.card_apdu()?, akma_msg())?;
    }
    auc.save()?;
    if let Err(e) = auth::require_success(&resp, "AUTHENTICATE (5G AKMA context)") {
        me.diagram()
            .card_answer(Party::Me, Msg::new("refused"), resp.sw);
        return Err(e);
    }
    let (res_star, k_seaf) = auth::parse_akma(&resp.data)?;
    let d = me.diagram();
    d.card_answer(Party::Me, Msg::new("DB").ps(&["RES*", "K_SEAF"]), resp.sw);
    d.note(
        Party::Uicc,
        Msg::new("keeps").ps(&["K_AUSF", "K_AKMA", "A-KID"]),
    );
    d.send(
        Party::Me,
        Party::Seaf,
        Msg::new("Authentication Response").p("RES*"),
    );
    r.text("snn", snn.clone());
    r.num("sqn", v.sqn);
    r.hex("res_star", &res_star);
    r.hex("xres_star", &v.xres_star);
    let (res_ok, hres) = v.check_res_star(&res_star);
    let hres_ok = hres.is_some_and(|h| ct_eq(&h, &v.hxres_star));
    let seaf_ok = ct_eq(&k_seaf, v.k_seaf()?.as_bytes());
    r.check("res_star_verified", res_ok && hres_ok);
    r.check("k_seaf_match", seaf_ok);
    ok &= res_ok && hres_ok && seaf_ok;
    record_confirmation(me, res_ok && hres_ok);

    // AAnF, then the card's API on a logical channel.
    let ctx = AanfContext::new(v.k_ausf(), &sub)?;
    r.text("a_kid", ctx.a_kid.clone());
    let d = me.diagram();
    d.note(
        Party::Ausf,
        Msg::new("derives").ps(&["K_AKMA", "A-TID", "A-KID"]),
    );
    d.send(
        Party::Ausf,
        Party::Aanf,
        Msg::new("Naanf_AKMA_KeyRegistration").ps(&["SUPI", "A-KID", "K_AKMA"]),
    );
    let ch = me.open_applet(&api::AID)?;
    r.num("channel", u64::from(ch));
    let af_id = gba::naf_id(&run.af_fqdn, run.ua);
    let k_af = ops::secret(ctx.k_af(&af_id)?.as_bytes().to_vec());
    let expires = now.saturating_add(3600);
    let chan = ApiChannel {
        table: api::COMMANDS,
        channel: ch,
        key: Tlv::new(tag::NAF_ID, af_id.clone()),
    };
    let (sw, dos) = chan.call(
        me,
        "DERIVE K_AF",
        vec![Tlv::new(tag::EXPIRES, expires.to_be_bytes().to_vec())],
    )?;
    let a_kid_ok = sw == StatusWord::SUCCESS && get(&dos, tag::B_TID) == ctx.a_kid.as_bytes();
    r.check("a_kid_match", a_kid_ok);
    ok &= a_kid_ok;
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
    d.note(Party::Aanf, Msg::new("derives").p("K_AF"));
    d.reply(
        Party::Aanf,
        Party::Af,
        Msg::new("").ps(&["K_AF", "K_AF expiry"]),
    );

    // MAC both ways.
    let mac_alg = Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]);
    let msg = b"vusim akma run".to_vec();
    let (sw, dos) = chan.call(
        me,
        "MAC COMPUTE",
        vec![mac_alg.clone(), Tlv::new(tag::DATA, msg.clone())],
    )?;
    let mac_ok = sw == StatusWord::SUCCESS
        && ops::mac_verify(&k_af, ops::ALG_HMAC_SHA256, b"", &msg, &get(&dos, tag::MAC)).is_ok();
    r.check("card_mac_verified_by_af", mac_ok);
    let d = me.diagram();
    d.send(
        Party::Me,
        Party::Af,
        Msg::new("Ua* message").ps(&["data", "MAC"]),
    );
    d.note(Party::Af, Msg::new("verifies MAC with K_AF"));
    d.send(
        Party::Af,
        Party::Me,
        Msg::new("Ua* message").ps(&["data", "MAC"]),
    );
    let af_mac = ops::mac(&k_af, ops::ALG_HMAC_SHA256, b"", &msg, 32)?;
    let (sw, _) = chan.call(
        me,
        "MAC VERIFY",
        vec![
            mac_alg.clone(),
            Tlv::new(tag::DATA, msg.clone()),
            Tlv::new(tag::MAC, af_mac),
        ],
    )?;
    let af_mac_ok = sw == StatusWord::SUCCESS;
    r.check("af_mac_verified_by_card", af_mac_ok);
    ok &= mac_ok && af_mac_ok;

    // Encryption both ways (when the policy allows it).
    let ae = Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]);
    let (sw, dos) = chan.call(
        me,
        "ENCRYPT",
        vec![ae.clone(), Tlv::new(tag::DATA, b"ride receipt".to_vec())],
    )?;
    if sw == StatusWord::SECURITY_STATUS_NOT_SATISFIED {
        r.text("encrypt", "refused by the card's policy (6982)");
    } else {
        let pt = ops::open(
            &k_af,
            ops::ALG_AES128_CTR_HMAC_SHA256,
            b"",
            &get(&dos, tag::IV),
            b"",
            &get(&dos, tag::DATA),
            &get(&dos, tag::MAC),
        );
        let enc_ok = sw == StatusWord::SUCCESS && pt.is_ok_and(|p| p.as_slice() == b"ride receipt");
        r.check("card_ciphertext_opened_by_af", enc_ok);
        let s = ops::seal(
            &k_af,
            ops::ALG_AES128_CTR_HMAC_SHA256,
            b"",
            random16(rng),
            b"",
            b"unlock token",
        )?;
        let (sw, dos) = chan.call(
            me,
            "DECRYPT",
            vec![
                ae,
                Tlv::new(tag::IV, s.iv.to_vec()),
                Tlv::new(tag::DATA, s.ciphertext),
                Tlv::new(tag::MAC, s.tag.to_vec()),
            ],
        )?;
        let dec_ok = sw == StatusWord::SUCCESS && get(&dos, tag::DATA) == b"unlock token";
        r.check("af_ciphertext_opened_by_card", dec_ok);
        ok &= enc_ok && dec_ok;
    }

    // Mutual authentication.
    let rs = random16(rng).to_vec();
    let (sw, dos) = chan.call(
        me,
        "AUTHENTICATE (card proof)",
        vec![mac_alg.clone(), Tlv::new(tag::CHALLENGE, rs.clone())],
    )?;
    let want = ops::card_proof(&k_af, ops::ALG_HMAC_SHA256, b"", &rs)?;
    let card_auth = sw == StatusWord::SUCCESS && ct_eq(&get(&dos, tag::PROOF), &want);
    r.check("card_authenticated", card_auth);
    let (sw, dos) = chan.call(me, "AUTHENTICATE (card challenge)", Vec::new())?;
    let rc = get(&dos, tag::CHALLENGE);
    let proof = ops::server_proof(&k_af, ops::ALG_HMAC_SHA256, b"", &rc)?;
    let (sw2, _) = chan.call(
        me,
        "AUTHENTICATE (server proof)",
        vec![mac_alg.clone(), Tlv::new(tag::PROOF, proof.to_vec())],
    )?;
    let af_auth = sw == StatusWord::SUCCESS && sw2 == StatusWord::SUCCESS;
    r.check("af_authenticated", af_auth);
    ok &= card_auth && af_auth;

    // Key-management server: an AppKey under K_AF, then used by the card for the bike.
    let app_key = ops::secret(random16(rng).to_vec());
    let w = ops::wrap(
        &k_af,
        ops::ALG_AES128_CTR_HMAC_SHA256,
        b"appkey",
        random16(rng),
        &app_key,
    )?;
    let (sw, _) = chan.call(
        me,
        "STORE KEY",
        vec![
            Tlv::new(tag::STORED_NAME, b"appkey".to_vec()),
            Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]),
            Tlv::new(tag::IV, w.iv.to_vec()),
            Tlv::new(tag::DATA, w.ciphertext),
            Tlv::new(tag::MAC, w.tag.to_vec()),
        ],
    )?;
    let stored = sw == StatusWord::SUCCESS;
    let bike_rs = random16(rng).to_vec();
    let (sw, dos) = chan.call(
        me,
        "AUTHENTICATE (card proof)",
        vec![
            Tlv::new(tag::STORED_NAME, b"appkey".to_vec()),
            mac_alg,
            Tlv::new(tag::PURPOSE, b"unlock".to_vec()),
            Tlv::new(tag::CHALLENGE, bike_rs.clone()),
        ],
    )?;
    let bike_want = ops::card_proof(&app_key, ops::ALG_HMAC_SHA256, b"unlock", &bike_rs)?;
    let bike_ok = stored && sw == StatusWord::SUCCESS && ct_eq(&get(&dos, tag::PROOF), &bike_want);
    r.check("app_key_delivered_and_used", bike_ok);
    ok &= bike_ok;
    r.text("verdict", if ok { "pass" } else { "fail" });
    Ok(r)
}
