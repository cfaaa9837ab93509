//! UICC-based AKMA (TR 33.835 solutions #8/#10, a study; the card's side is vusim's proposal,
//! docs/api/akma.md): 5G AKA in the proposed 5G AKMA context — AUTHENTICATE P2 `87`, RFU in
//! TS 31.102 §7.1.2 — so that K_AUSF and K_AKMA stay in the card and only RES* and K_SEAF cross
//! to the ME, then the AAnF's A-KID and K_AF (TS 33.535 §6.1–§6.2), every operation of the AKMA
//! API applet over K_AF both ways on a logical channel, and an AppKey from the key-management
//! server.
//!
//! ⚠ Experimental: the card's 5G AKMA context, the AKMA API applet and the operations on K_AF
//! are this project's proposal.

use rand::RngCore;
use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::akma as api;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::ops;
use vusim_applet::profile::Profile;
use vusim_crypto::gba;
use vusim_crypto::keys::ct_eq;

use super::primary::{self, Inputs};
use super::{random16, AkmaRun};
use crate::aanf::{AanfContext, Subscriber};
use crate::auc::Auc;
use crate::client::{get, ApiChannel};
use crate::diagram::{Msg, Party};
use crate::error::Result;
use crate::me::Me;
use crate::report::Report;

/// The UICC-based run: the card must be powered (USIM selected, PIN1 presented); `now` is the
/// time K_AF's expiry counts from. The report gets the values and checks; `true` if all passed.
pub(super) fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    run: &AkmaRun,
    rng: &mut dyn RngCore,
    now: u64,
    r: &mut Report,
) -> Result<bool> {
    let sub = Subscriber::from_profile(profile, None)?;
    let snn = sub.snn()?;
    let mut ok = true;

    // AUSF / SEAF / card: the primary authentication in the 5G AKMA context (P2 '87'), with
    // resynchronisation; K_AUSF stays in the card.
    me.diagram().set_title(
        "UICC-based AKMA (TR 33.835 solutions #8/#10; AUTHENTICATE P2 '87' is RFU in TS 31.102)",
    );
    let inputs = Inputs {
        snn: &snn,
        supi: &sub.supi,
        ind_bits: profile.auth.sqn.ind_bits,
        rand: run.rand,
    };
    let p = primary::run(me, auc, run.auth, true, &inputs, rng, r)?;
    ok &= p.ok;
    let k_ausf = p.net_k_ausf;

    // AAnF, then the card's API on a logical channel.
    let ctx = AanfContext::new(&k_ausf, &sub)?;
    r.text("a_kid", ctx.a_kid.clone());
    if run.reveal {
        r.hex("k_ausf", k_ausf.as_bytes());
        r.hex("k_akma", ctx.k_akma().as_bytes());
    }
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
    if run.reveal {
        r.hex("k_af", &k_af);
    }
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
    super::record_af_key_get(me);
    let d = me.diagram();
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
    Ok(ok)
}
