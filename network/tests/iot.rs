//! TR 33.863 (Release 14) solution #11 end to end, card and network in one process: both
//! variants (plain, certificate) and both key refreshes (UE, AS), the network roles' hops, the
//! exact status words of the refusals, and — from the APDUs alone — the card's values
//! recomputed independently: CK ‖ IK from the 3G AUTHENTICATE answer, the seed-scheme KDF
//! (TS 33.220 Annex B.2 with FC FF E0–FF E3, FF E8) with HMAC-SHA-256, and ECIES (TS 33.501
//! Annex C.3) with the p256 / x25519-dalek / aes / ctr crates and the published C.4 test keys.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use vusim_apdu::Response;
use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_applet::store::DurableCard;
use vusim_network::auc::Auc;
use vusim_network::diagram::{Diagram, Party};
use vusim_network::iot::roles::{Hops, Role, TEST_PRIVATE_KEY_A, TEST_PRIVATE_KEY_B};
use vusim_network::iot::{self, Refresh, RunOptions, Variant};
use vusim_network::me::UsimAccess;
use vusim_network::{Me, NetworkError, Report};

const AS_ID: &str = "as.iot.example.org";
/// The TS 33.501 C.4.3 profile A home-network public key (vectors/suci.json).
const PUB_A: &str = "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650";

type Log = Rc<RefCell<Vec<(Vec<u8>, Response)>>>;

struct Outcome {
    report: Report,
    hops: Hops,
    log: Vec<(Vec<u8>, Response)>,
    diagram: Diagram,
}

struct TempCard(PathBuf);

impl Drop for TempCard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The default card with `edit` applied to its profile text.
fn card(name: &str, edit: impl Fn(&str) -> String) -> (TempCard, DurableCard) {
    let dir = std::env::temp_dir().join(format!("vusim-iot-net-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("card.toml");
    std::fs::write(&path, edit(DEFAULT_PROFILE)).unwrap();
    let c = DurableCard::open(&path).unwrap();
    (TempCard(dir), c)
}

fn try_run(
    c: &mut DurableCard,
    variant: Variant,
    refresh: Option<Refresh>,
    key: Option<[u8; 32]>,
) -> Result<Outcome, NetworkError> {
    let profile = c.profile().clone();
    let mut auc = Auc::for_profile(&profile, None).unwrap();
    let access = UsimAccess::from_profile(&profile).unwrap();
    let log: Log = Rc::default();
    let sink = Rc::clone(&log);
    let mut me = Me::new(c).with_observer(Box::new(
        move |a: &[u8], r: &Response, _: vusim_network::me::Shown| {
            sink.borrow_mut().push((a.to_vec(), r.clone()))
        },
    ));
    me.start_usim(&access.aid, &access.pin1).unwrap();
    let mut hops = Hops::new();
    let opts = RunOptions {
        as_id: AS_ID,
        variant,
        refresh,
        as_private_key: key,
        reveal: false,
    };
    let report = iot::run(
        &mut me,
        &mut auc,
        &profile,
        &opts,
        &mut rand::thread_rng(),
        &mut hops,
    )?;
    let diagram = me.take_diagram();
    drop(me);
    let log = log.borrow().clone();
    Ok(Outcome {
        report,
        hops,
        log,
        diagram,
    })
}

fn run(c: &mut DurableCard, variant: Variant, refresh: Option<Refresh>) -> Outcome {
    try_run(c, variant, refresh, None).unwrap()
}

fn passes(o: &Outcome, checks: &[&str]) {
    let r = &o.report;
    assert!(!r.failed(), "{r:?}");
    assert_eq!(r.get_text("verdict"), Some("pass"));
    for k in checks {
        assert_eq!(r.get_bool(k), Some(true), "{k}: {r:?}");
    }
}

const PLAIN: &[&str] = &[
    "card_tag_verified_by_as",
    "as_tag_verified_by_card",
    "replay_refused",
    "card_mac_verified_by_as",
    "as_ciphertext_opened_by_card",
];
const CERT: &[&str] = &[
    "card_tag_verified_by_as",
    "as_key_confirmed_by_card",
    "replay_refused",
    "rand_as_never_on_the_wire",
    "card_mac_verified_by_as",
    "as_ciphertext_opened_by_card",
];
const REFRESH: &[&str] = &[
    "as_dropped_old_keys",
    "old_guti_refused_by_mme",
    "old_k_app_refused_by_card",
    "old_ks_as_tag_refused_by_card",
    "old_ks_reference_refused_by_card",
    "card_holds_only_the_new_ks",
    "card_tag_verified_by_as_after_refresh",
    "card_mac_verified_by_as_after_refresh",
    "as_ciphertext_opened_by_card_after_refresh",
    "k_app_replaced",
    "old_k_app_no_longer_verifies",
];

/// Every variant with every refresh on the default card (5G AKMA context), with the exact
/// status words of the refusals after a refresh.
#[test]
fn both_variants_and_both_refreshes_pass() {
    let mut c = DurableCard::embedded().unwrap();
    for variant in [Variant::Plain, Variant::Certificate] {
        let base = if variant == Variant::Plain {
            PLAIN
        } else {
            CERT
        };
        for refresh in [None, Some(Refresh::Ue), Some(Refresh::As)] {
            let o = run(&mut c, variant, refresh);
            passes(&o, base);
            assert_eq!(o.report.get_text("context"), Some("5g-akma"));
            if let Some(how) = refresh {
                passes(&o, REFRESH);
                let who = if how == Refresh::Ue { "ue" } else { "as" };
                assert_eq!(o.report.get_text("refresh_started_by"), Some(who));
                // No K_app for the AS after the new AKA; a tag under the old Ks_AS fails.
                assert_eq!(o.report.get_text("old_k_app_sw"), Some("6A88"));
                assert_eq!(o.report.get_text("old_ks_as_tag_sw"), Some("9862"));
                // The Ks named by the old AKA's RAND is gone.
                assert_eq!(o.report.get_text("old_ks_reference_sw"), Some("6A88"));
                assert_ne!(
                    o.report.get_text("guti"),
                    o.report.get_text("guti_after_refresh")
                );
                let second = if variant == Variant::Plain {
                    "as_tag_verified_by_card_after_refresh"
                } else {
                    "as_key_confirmed_by_card_after_refresh"
                };
                passes(&o, &[second, "replay_refused_after_refresh"]);
            } else {
                assert!(o.report.get("old_k_app_sw").is_none());
            }
        }
    }
}

fn hop_index(h: &Hops, from: Role, to: Role, prefix: &str) -> Option<usize> {
    h.list()
        .iter()
        .position(|x| x.from == from && x.to == to && x.message.starts_with(prefix))
}

/// The hops: the HSS hands Ks with the AV to the MME; the AS asks the SCEF, which pulls
/// Ks_AS from the MME by GUTI; the refreshes start where they should; every party takes part;
/// no hop names a key value.
#[test]
fn the_network_roles_take_their_hops() {
    let mut c = DurableCard::embedded().unwrap();
    let o = run(&mut c, Variant::Certificate, Some(Refresh::As));
    let h = &o.hops;
    assert_eq!(
        o.report.get("hops"),
        Some(&vusim_network::report::Value::Num(h.list().len() as u64))
    );
    for r in Role::ALL {
        assert!(
            h.list().iter().any(|x| x.from == r || x.to == r),
            "{} takes no part",
            r.name()
        );
    }
    let aia = hop_index(h, Role::Hss, Role::Mme, "Authentication Information Answer").unwrap();
    assert_eq!(
        h.list()[aia].message,
        "Authentication Information Answer (RAND, AUTN, XRES*, Ks)"
    );
    let accept = hop_index(h, Role::Mme, Role::Me, "Attach Accept (GUTI)").unwrap();
    assert!(aia < accept);
    // AS → SCEF → MME → SCEF → AS, in that order, after the UE's Key Request.
    let req = hop_index(h, Role::Me, Role::As, "Key Request (GUTI, C, t)").unwrap();
    let seq: Vec<(Role, Role)> = h.list()[req + 1..req + 5]
        .iter()
        .map(|x| (x.from, x.to))
        .collect();
    assert_eq!(
        seq,
        [
            (Role::As, Role::Scef),
            (Role::Scef, Role::Mme),
            (Role::Mme, Role::Scef),
            (Role::Scef, Role::As)
        ]
    );
    assert_eq!(h.list()[req + 1].message, "Ks_AS Request (GUTI, AS_ID)");
    // The AS's refresh: AS → SCEF → MME, then the MME asks the HSS for a new AV.
    let start = hop_index(h, Role::As, Role::Scef, "Key Refresh Request").unwrap();
    assert_eq!(
        (h.list()[start + 1].from, h.list()[start + 1].to),
        (Role::Scef, Role::Mme)
    );
    assert_eq!(
        h.list()[start + 2].message,
        "Authentication Information Request (IMSI)"
    );
    assert!(hop_index(h, Role::Me, Role::Mme, "Attach Request (GUTI, key refresh)").is_none());
    // After the refresh the card's refusals are answers with their status words.
    let answers: Vec<u16> = h.list()[start..]
        .iter()
        .filter(|x| x.from == Role::Uicc)
        .filter_map(|x| x.sw.map(|s| s.0))
        .collect();
    assert!(
        answers.contains(&0x6A88) && answers.contains(&0x9862),
        "{answers:04X?}"
    );
    let reject = hop_index(h, Role::Mme, Role::Scef, "Ks_AS Reject (unknown GUTI)").unwrap();
    assert!(reject > start);
    // The UE's refresh starts with an attach naming the old GUTI.
    let o = run(&mut c, Variant::Plain, Some(Refresh::Ue));
    assert!(hop_index(
        &o.hops,
        Role::Me,
        Role::Mme,
        "Attach Request (GUTI, key refresh)"
    )
    .is_some());
    assert!(hop_index(&o.hops, Role::As, Role::Scef, "Key Refresh Request").is_none());
    // The ME's diagram has the six roles, in order, and renders (no key-sized hex run).
    assert_eq!(
        o.diagram.participants(),
        [
            Party::Uicc,
            Party::Me,
            Party::Mme,
            Party::Hss,
            Party::Scef,
            Party::As
        ]
    );
    assert!(o.diagram.mermaid().is_ok() && o.diagram.svg().is_ok());
    // Messages are names: no run of 8 hex digits (a value) in any of them.
    for x in o.hops.list() {
        let longest = x
            .label()
            .split(|ch: char| !ch.is_ascii_hexdigit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest < 8, "{}", x.label());
    }
}

// --- independent recomputation ------------------------------------------------------------

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

/// TS 33.220 B.2.2: HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ …).
fn kdf(key: &[u8], fc: &[u8], params: &[&[u8]]) -> Vec<u8> {
    let mut s = fc.to_vec();
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&(p.len() as u16).to_be_bytes());
    }
    hmac(key, &[&s])
}

/// The BER-TLV data objects of an IoT API data field (one-byte tags and lengths < 128 here,
/// `81 xx` for longer).
fn dos(mut d: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while let [t, rest @ ..] = d {
        let (len, rest) = match rest {
            [0x81, l, r @ ..] => (usize::from(*l), r),
            [l, r @ ..] => (usize::from(*l), r),
            [] => panic!("truncated"),
        };
        out.push((*t, rest[..len].to_vec()));
        d = &rest[len..];
    }
    out
}

fn find(d: &[(u8, Vec<u8>)], t: u8) -> Vec<u8> {
    d.iter().find(|x| x.0 == t).unwrap().1.clone()
}

/// The command data of a short APDU (CLA INS P1 P2 Lc data [Le]).
fn data(apdu: &[u8]) -> &[u8] {
    &apdu[5..5 + usize::from(apdu[4])]
}

/// ECIES decryption of TS 33.501 C.3.3 (profile A or B) written from the clause: ECDH, ANSI
/// X9.63 KDF (SHA-256, SharedInfo = the ephemeral key as sent), MAC check, AES-128-CTR.
fn ecies_open(profile_a: bool, private: &[u8; 32], c: &[u8]) -> Vec<u8> {
    let pub_len = if profile_a { 32 } else { 33 };
    let (eph, rest) = c.split_at(pub_len);
    let (ct, tag) = rest.split_at(rest.len() - 8);
    let z: Vec<u8> = if profile_a {
        let sk = x25519_dalek::StaticSecret::from(*private);
        let pk = x25519_dalek::PublicKey::from(<[u8; 32]>::try_from(eph).unwrap());
        sk.diffie_hellman(&pk).as_bytes().to_vec()
    } else {
        let sk = p256::SecretKey::from_bytes(private.into()).unwrap();
        let pk = p256::PublicKey::from_sec1_bytes(eph).unwrap();
        p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine())
            .raw_secret_bytes()
            .to_vec()
    };
    let mut k = Vec::new();
    for counter in 1u32..=2 {
        k.extend(
            Sha256::new()
                .chain_update(&z)
                .chain_update(counter.to_be_bytes())
                .chain_update(eph)
                .finalize(),
        );
    }
    let (enc, icb, mac_key) = (&k[..16], &k[16..32], &k[32..64]);
    assert_eq!(&hmac(mac_key, &[ct])[..8], tag, "ECIES MAC tag");
    let mut plain = ct.to_vec();
    ctr::Ctr128BE::<aes::Aes128>::new(enc.into(), icb.into()).apply_keystream(&mut plain);
    plain
}

/// One key establishment seen in the APDUs: the 3G AUTHENTICATE answer's CK ‖ IK, the IOT KEY
/// exchange, and the card's MAC COMPUTE answer.
fn check_session(
    log: &[(Vec<u8>, Response)],
    variant: Variant,
    private: Option<(bool, &[u8; 32])>,
) -> Vec<u8> {
    let (_, auth) = log
        .iter()
        .find(|(a, r)| a[1] == 0x88 && a[3] == 0x81 && r.data.first() == Some(&0xDB))
        .unwrap();
    assert_eq!(auth.data[0], 0xDB);
    let res_len = usize::from(auth.data[1]);
    let ck = &auth.data[3 + res_len..19 + res_len];
    let ik = &auth.data[20 + res_len..36 + res_len];
    let ks = kdf(&[ck, ik].concat(), &[0xFF, 0xE0], &[b"End-to-End_IOT"]);
    let ks_as = kdf(&ks, &[0xFF, 0xE1], &[AS_ID.as_bytes()]);
    let ks_as_enc = kdf(&ks_as, &[0xFF, 0xE2], &[b"Ks_AS_enc"]);
    let ks_as_int = kdf(&ks_as, &[0xFF, 0xE2], &[b"Ks_AS_int"]);
    let p1 = if variant == Variant::Plain {
        0x00
    } else {
        0x02
    };
    let (cmd, resp) = log
        .iter()
        .find(|(a, _)| a[1] == 0x50 && a[2] == p1)
        .unwrap();
    assert_eq!(resp.sw.0, 0x9000);
    let cmd_dos = dos(data(cmd));
    let guti = find(&cmd_dos, 0x9B);
    let out = dos(&resp.data);
    let t = find(&out, 0x93);
    let rand_as = match variant {
        Variant::Plain => {
            let r = find(&cmd_dos, 0x96);
            assert_eq!(t, hmac(&ks_as_int, &[&guti, &r])[..8]);
            // K_app comes from the AS's RAND_AS (the verified P1 01 exchange).
            let (v, _) = log
                .iter()
                .find(|(a, r)| a[1] == 0x50 && a[2] == 0x01 && r.sw.0 == 0x9000)
                .unwrap();
            find(&dos(data(v)), 0x96)
        }
        Variant::Certificate => {
            let c = find(&out, 0x9C);
            assert_eq!(t, hmac(&ks_as_int, &[&guti, &c])[..8], "t over GUTI ‖ C");
            let (a, k) = private.unwrap();
            let r = ecies_open(a, k, &c);
            assert_eq!(r.len(), 16);
            // RAND_AS crossed no interface: not in any APDU or answer.
            for (apdu, rsp) in log {
                assert!(!apdu.windows(16).any(|w| w == r.as_slice()));
                assert!(!rsp.data.windows(16).any(|w| w == r.as_slice()));
            }
            r
        }
    };
    let k_app = kdf(&ks_as_enc, &[0xFF, 0xE3], &[&rand_as]);
    // The card's MAC COMPUTE over "meter reading 42" (algorithm 01, no purpose).
    let (_, mac) = log
        .iter()
        .find(|(a, _)| a[1] == 0x44 && a[2] == 0x00)
        .unwrap();
    let k_mac = kdf(&k_app, &[0xFF, 0xE8], &[b"mac", &[0x01], b""]);
    assert_eq!(
        find(&dos(&mac.data), 0x93),
        hmac(&k_mac, &[b"meter reading 42"])
    );
    k_app
}

fn third_generation(p: &str) -> String {
    p.replace("[akma]\n", "[akma]\ncontext = false\n")
}

/// The card's tag, C and MAC recomputed from the APDUs for both variants and both ECIES
/// profiles, and after a refresh K_app is a different key.
#[test]
fn card_values_match_an_independent_computation() {
    let (_t, mut c) = card("plain", third_generation);
    let o = run(&mut c, Variant::Plain, None);
    passes(&o, PLAIN);
    assert_eq!(o.report.get_text("context"), Some("3g"));
    check_session(&o.log, Variant::Plain, None);

    // Profile B: the default card's AS key (the C.4.4 test key pair).
    let o = run(&mut c, Variant::Certificate, Some(Refresh::Ue));
    passes(&o, CERT);
    passes(&o, REFRESH);
    let split = o.log.iter().rposition(|(a, _)| a[1] == 0x88).unwrap();
    let first = check_session(
        &o.log[..split],
        Variant::Certificate,
        Some((false, &TEST_PRIVATE_KEY_B)),
    );
    let second = check_session(
        &o.log[split..],
        Variant::Certificate,
        Some((false, &TEST_PRIVATE_KEY_B)),
    );
    assert_ne!(first, second);

    // Profile A: a card provisioned with the C.4.3 test public key.
    let (_t, mut c) = card("profile-a", |p| {
        third_generation(p)
            .replace("ecies = \"B\"", "ecies = \"A\"")
            .replace(
                "public_key = \"0272DA71976234CE833A6907425867B82E074D44EF907DFB4B3E21C1C2256EBCD1\"",
                &format!("public_key = \"{PUB_A}\""),
            )
    });
    let o = run(&mut c, Variant::Certificate, Some(Refresh::As));
    passes(&o, CERT);
    passes(&o, REFRESH);
    let split = o.log.iter().rposition(|(a, _)| a[1] == 0x88).unwrap();
    check_session(
        &o.log[..split],
        Variant::Certificate,
        Some((true, &TEST_PRIVATE_KEY_A)),
    );
    check_session(
        &o.log[split..],
        Variant::Certificate,
        Some((true, &TEST_PRIVATE_KEY_A)),
    );
}

/// The certificate variant needs the card's key for the AS and the AS's matching private key;
/// the card refuses IOT KEY P1 02 for an AS it has no key for (6A88).
#[test]
fn certificate_variant_refusals() {
    let mut c = DurableCard::embedded().unwrap();
    let wrong = try_run(&mut c, Variant::Certificate, None, Some([7; 32]))
        .err()
        .unwrap();
    assert_eq!(
        wrong.to_string(),
        "the AS's private key does not match the card's [[iot.as_keys]] public key"
    );
    let (_t, mut c) = card("no-key", |p| {
        let i = p.find("[[iot.as_keys]]").unwrap();
        let j = i + p[i..].find("\n\n").unwrap();
        format!("{}{}", &p[..i], &p[j..])
    });
    let e = try_run(&mut c, Variant::Certificate, None, None)
        .err()
        .unwrap();
    assert!(
        e.to_string().contains("no [[iot.as_keys]] public key"),
        "{e}"
    );
    // The card itself: P1 02 for an AS without a key → 6A88, after an AKA (the plain run).
    run(&mut c, Variant::Plain, None);
    let access = UsimAccess::from_profile(c.profile()).unwrap();
    let mut me = Me::new(&mut c);
    me.start_usim(&access.aid, &access.pin1).unwrap();
    let ch = me.open_applet(&vusim_applet::api::iot::AID).unwrap();
    let apdu = vusim_applet::api::iot::apdu(
        ch,
        "IOT KEY (card encrypts RAND_AS)",
        &[
            vusim_apdu::tlv::Tlv::new(0x80, AS_ID.as_bytes().to_vec()),
            vusim_apdu::tlv::Tlv::new(0x9B, vec![0x00, 0xF1, 0x10, 0x80, 0x01, 0x01, 1, 2, 3, 4]),
        ],
    );
    assert_eq!(me.send(&apdu).unwrap().sw.0, 0x6A88);
}
