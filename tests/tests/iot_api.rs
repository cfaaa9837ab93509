//! The IoT end-to-end scheme (TR 33.863 solution #11; docs/api/iot.md) through APDUs only, on
//! the embedded default card: the IoT Ks the USIM keeps after each successful AKA (3G and 5G
//! AKMA contexts), the IoT API applet's IOT KEY in both directions (tag t computed and checked,
//! K_app kept), replay and reflection refused, the K_app operations, lifetimes, capacity, bad
//! input without state change, persistence, the certificate variant (IOT KEY P1 02, C
//! decrypted with an ECIES written from TS 33.501 C.3), the documentation examples regenerated and
//! compared, and a leak test. Every expected value is recomputed here with HMAC-SHA-256 from
//! the formulas of `crypto::seed` (FC values FF E0–FF E3; the shared `vusim_integration::api`),
//! not with the card's code.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use vusim_apdu::tlv::Tlv;
use vusim_applet::api::iot::{apdu, COMMANDS, STATUS_WORDS};
use vusim_applet::card::keystore::KeyKind;
use vusim_applet::card::Card;
use vusim_integration::api::iot::*;
use vusim_integration::api::{self, *};
use vusim_integration::script::Session;

const DOC: &str = "docs/api/iot.md";

#[test]
fn ks_is_kept_after_each_successful_aka() {
    let p = profile();
    let net = Net::first();
    // 3G context: the ME gets RES, CK, IK (and Kc); the card keeps Ks as well.
    let mut c = fresh(&p);
    start_usim(&mut c);
    let r = tx(&mut c, &net.auth_3g());
    assert!(r.starts_with(&format!("DB08{}10{}", up(&net.res), up(&net.ck_ik[..16]))));
    let e = c.keys().of_kind(KeyKind::IotKs);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].key.as_slice(), net.ks);
    assert_eq!(e[0].reference, net.rand);
    assert_eq!(e[0].expires, None);
    // A failed AKA keeps the old Ks; a new one (another RAND) replaces it.
    let mut forged = unhex(&net.auth_3g());
    forged[37] ^= 1;
    assert_eq!(up(&c.transmit_bytes(&forged)), "9862");
    let net2 = Net::new([0x42; 16], 0x41);
    assert!(tx(&mut c, &net2.auth_3g()).ends_with("9000"));
    let e = c.keys().of_kind(KeyKind::IotKs);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].key.as_slice(), net2.ks);
    // 5G AKMA context: the same Ks, and the ME never sees CK or IK.
    let mut c = fresh(&p);
    start_usim(&mut c);
    let r = tx(&mut c, &net.auth_akma());
    assert!(!r.contains(&up(&net.ck_ik[..16])) && !r.contains(&up(&net.ck_ik[16..])));
    assert_eq!(c.keys().of_kind(KeyKind::IotKs)[0].key.as_slice(), net.ks);
    // A lifetime from the profile.
    let mut p2 = profile();
    p2.iot.as_mut().unwrap().ks_lifetime = Some(120);
    let mut c = fresh(&p2);
    start_usim(&mut c);
    assert!(tx(&mut c, &net.auth_3g()).ends_with("9000"));
    assert_eq!(c.keys().of_kind(KeyKind::IotKs)[0].expires, Some(NOW + 120));
    // Without [iot]: nothing kept, no applet.
    let mut p3 = profile();
    p3.iot = None;
    let mut c = fresh(&p3);
    start_usim(&mut c);
    assert!(tx(&mut c, &net.auth_3g()).ends_with("9000"));
    assert!(c.keys().of_kind(KeyKind::IotKs).is_empty());
    assert_eq!(tx(&mut c, &select_api(0)), "6A82");
}

#[test]
fn card_tag_and_as_tag_agree_with_the_as() {
    let (mut c, net) = ready(&profile());
    // GET INFO.
    assert_eq!(
        up(&c.transmit_bytes(&apdu(0, "GET INFO", &[]))),
        "C0020001C1020111C202FFE89000"
    );
    // The card's tag over GUTI ‖ RAND_AS1.
    let r1 = [1u8; 16];
    let r = ok(&mut c, &card_tag(AS_ID, &r1));
    assert_eq!(val(&r, 0x93), net.t(AS_ID, &r1));
    let e = c
        .keys()
        .get(KeyKind::IotKapp, AS_ID.as_bytes())
        .unwrap()
        .clone();
    assert_eq!(e.key.as_slice(), net.k_app(AS_ID, &r1));
    assert_eq!(e.reference, r1);
    // Reflected back as the AS's tag: refused (RAND_AS used). Replayed: refused.
    let before = c.image();
    assert_eq!(sw(&mut c, &as_tag(AS_ID, &r1, &net.t(AS_ID, &r1))), "6985");
    assert_eq!(sw(&mut c, &card_tag(AS_ID, &r1)), "6985");
    // A forged AS tag: 9862; the right one: K_app for RAND_AS2 replaces the first.
    let r2 = [2u8; 16];
    let mut forged = net.t(AS_ID, &r2);
    forged[7] ^= 1;
    assert_eq!(sw(&mut c, &as_tag(AS_ID, &r2, &forged)), "9862");
    // Another AS's tag is another key.
    assert_eq!(
        sw(
            &mut c,
            &as_tag(AS_ID, &r2, &net.t("other.example.org", &r2))
        ),
        "9862"
    );
    assert_eq!(c.image(), before, "refusals change nothing");
    assert_eq!(sw(&mut c, &as_tag(AS_ID, &r2, &net.t(AS_ID, &r2))), "9000");
    assert_eq!(
        c.keys()
            .get(KeyKind::IotKapp, AS_ID.as_bytes())
            .unwrap()
            .key
            .as_slice(),
        net.k_app(AS_ID, &r2)
    );
    assert_eq!(sw(&mut c, &as_tag(AS_ID, &r2, &net.t(AS_ID, &r2))), "6985");
    // Two ASes keep separate K_app keys.
    let r3 = [3u8; 16];
    ok(&mut c, &card_tag("b.example.org", &r3));
    assert_eq!(c.keys().of_kind(KeyKind::IotKapp).len(), 2);
    // LIST KEYS: Ks, then the K_app keys (most recent first) — never key bytes.
    let list = ok(&mut c, &apdu(0, "LIST KEYS", &[]));
    assert_eq!(
        list[0],
        Tlv::constructed(0xE1u32, &[t(0x82, &[6]), t(0x81, &net.rand), t(0x87, &[3])])
    );
    assert_eq!(
        list[1],
        Tlv::constructed(
            0xE1u32,
            &[
                t(0x82, &[7]),
                asid("b.example.org"),
                t(0x81, &r3),
                t(0x87, &[3])
            ]
        )
    );
    assert_eq!(list.len(), 3);
}

#[test]
fn k_app_operations() {
    let (mut c, net) = ready(&profile());
    let r2 = [2u8; 16];
    ok(&mut c, &as_tag(AS_ID, &r2, &net.t(AS_ID, &r2)));
    let k = net.k_app(AS_ID, &r2);
    let r = ok(
        &mut c,
        &apdu(
            0,
            "MAC COMPUTE",
            &[
                asid(AS_ID),
                t(0x90, &[1]),
                t(0x91, b"telemetry"),
                t(0x92, b"17.3"),
            ],
        ),
    );
    assert_eq!(
        val(&r, 0x93),
        hmac(&api_key(&k, "mac", 1, b"telemetry"), &[b"17.3"])
    );
    let m = hmac(&api_key(&k, "mac", 1, b""), &[b"open"]);
    let verify = |mac: &[u8]| {
        apdu(
            0,
            "MAC VERIFY",
            &[asid(AS_ID), t(0x90, &[1]), t(0x92, b"open"), t(0x93, mac)],
        )
    };
    assert_eq!(sw(&mut c, &verify(&m)), "9000");
    let mut bad = m;
    bad[0] ^= 1;
    assert_eq!(sw(&mut c, &verify(&bad)), "9862");
    let r = ok(
        &mut c,
        &apdu(
            0,
            "ENCRYPT",
            &[asid(AS_ID), t(0x90, &[0x11]), t(0x92, b"alarm")],
        ),
    );
    assert_eq!(
        seal(&k, ("enc", "int"), b"", &val(&r, 0x94), b"", b"alarm"),
        (val(&r, 0x92), val(&r, 0x93))
    );
    let iv = [0xC1u8; 16];
    let (ct, tag) = seal(&k, ("enc", "int"), b"fw", &iv, b"", b"fw-key");
    let dec = |ct: &[u8]| {
        apdu(
            0,
            "DECRYPT",
            &[
                asid(AS_ID),
                t(0x90, &[0x11]),
                t(0x91, b"fw"),
                t(0x94, &iv),
                t(0x92, ct),
                t(0x93, &tag),
            ],
        )
    };
    assert_eq!(val(&ok(&mut c, &dec(&ct)), 0x92), b"fw-key");
    let mut ct2 = ct.clone();
    ct2[1] ^= 1;
    assert_eq!(sw(&mut c, &dec(&ct2)), "9862");
    // DELETE KEY; then no key.
    assert_eq!(sw(&mut c, &apdu(0, "DELETE KEY", &[asid(AS_ID)])), "9000");
    assert_eq!(sw(&mut c, &verify(&m)), "6A88");
    assert_eq!(sw(&mut c, &apdu(0, "DELETE KEY", &[asid(AS_ID)])), "6A88");
}

#[test]
fn a_new_aka_starts_over() {
    let (mut c, net) = ready(&profile());
    let r1 = [1u8; 16];
    ok(&mut c, &card_tag(AS_ID, &r1));
    // New AKA (another RAND): K_app and the used RAND_AS values belong to the old Ks.
    let net2 = Net::new([0x42; 16], 0x41);
    start_usim(&mut c);
    assert!(tx(&mut c, &net2.auth_akma()).ends_with("9000"));
    assert!(c.keys().of_kind(KeyKind::IotKapp).is_empty());
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    let r = ok(&mut c, &card_tag(AS_ID, &r1));
    assert_eq!(val(&r, 0x93), net2.t(AS_ID, &r1));
    assert_ne!(net2.t(AS_ID, &r1), net.t(AS_ID, &r1));
}

#[test]
fn lifetimes_and_capacity() {
    let mut p = profile();
    p.iot.as_mut().unwrap().ks_lifetime = Some(60);
    p.iot.as_mut().unwrap().max_sessions = Some(2);
    let (mut c, net) = ready(&p);
    ok(&mut c, &card_tag(AS_ID, &[1; 8]));
    ok(&mut c, &card_tag(AS_ID, &[2; 8]));
    assert_eq!(sw(&mut c, &card_tag(AS_ID, &[3; 8])), "6A84");
    let mac = apdu(
        0,
        "MAC COMPUTE",
        &[asid(AS_ID), t(0x90, &[1]), t(0x92, b"m")],
    );
    let r = ok(&mut c, &mac);
    assert_eq!(
        val(&r, 0x93),
        hmac(&api_key(&net.k_app(AS_ID, &[2; 8]), "mac", 1, b""), &[b"m"])
    );
    c.set_time(Some(NOW + 60));
    let before = c.image();
    assert_eq!(sw(&mut c, &mac), "6984");
    assert_eq!(sw(&mut c, &card_tag(AS_ID, &[4; 8])), "6984");
    assert_eq!(c.image(), before);
    let list = ok(&mut c, &apdu(0, "LIST KEYS", &[]));
    assert_eq!(val(&list[0].children().unwrap(), 0x87), vec![1]);
    assert_eq!(
        val(&list[0].children().unwrap(), 0x86),
        (NOW + 60).to_be_bytes()
    );
    // Deleting an expired K_app works.
    assert_eq!(sw(&mut c, &apdu(0, "DELETE KEY", &[asid(AS_ID)])), "9000");
}

/// The certificate variant (IOT KEY P1 02): C decrypts, with the published private key and an
/// ECIES written here from TS 33.501 C.3, to a RAND_AS that appears in no APDU; t covers GUTI ‖
/// C; K_app = KDF(Ks_AS_enc, FF E3, RAND_AS) is what the card then MACs with; each call draws
/// a new RAND_AS; profile A works the same; the refusals (no key for the AS, no Ks, expired,
/// full) change nothing.
#[test]
fn certificate_variant_card_answer() {
    let private_b: [u8; 32] = unhex(TEST_PRIVATE_KEY_B).try_into().unwrap();
    let (mut c, net) = ready(&profile());
    let raw = c.transmit_bytes(&card_encrypts(AS_ID));
    assert_eq!(raw[raw.len() - 2..], [0x90, 0x00]);
    let r = ok(&mut c, &card_encrypts(AS_ID));
    let (c1, t1) = (val(&r, 0x9C), val(&r, 0x93));
    assert_eq!(c1.len(), 33 + 16 + 8);
    assert!(matches!(c1[0], 0x02 | 0x03), "compressed ephemeral key");
    let ks_as_int = net.ks_as_int(AS_ID);
    assert_eq!(t1, hmac(&ks_as_int, &[&GUTI, &c1])[..8]);
    let rand_as = ecies_open(false, &private_b, &c1).expect("the MAC tag verifies");
    assert_eq!(rand_as.len(), 16);
    let first = val(&Tlv::parse_all(&raw[..raw.len() - 2]).unwrap(), 0x9C);
    assert_ne!(first, c1, "a new RAND_AS and ephemeral key per call");
    assert!(!raw.windows(16).any(|w| w == rand_as.as_slice()));
    // K_app from the decrypted RAND_AS: the card's MAC agrees, LIST KEYS names it by t.
    let k = net.k_app(AS_ID, &rand_as);
    let m = ok(
        &mut c,
        &apdu(
            0,
            "MAC COMPUTE",
            &[asid(AS_ID), t(0x90, &[1]), t(0x92, b"m")],
        ),
    );
    assert_eq!(val(&m, 0x93), hmac(&api_key(&k, "mac", 1, b""), &[b"m"]));
    let list = ok(&mut c, &apdu(0, "LIST KEYS", &[]));
    let kapp = list[1].children().unwrap();
    assert_eq!(val(&kapp, 0x82), vec![0x07]);
    assert_eq!(val(&kapp, 0x81), t1);
    // Refusals, each leaving the card as it was.
    let before = c.image();
    assert_eq!(sw(&mut c, &card_encrypts("other.example.org")), "6A88");
    assert_eq!(c.image(), before);
    let mut c2 = fresh(&profile());
    start_usim(&mut c2);
    assert_eq!(tx(&mut c2, &select_api(0)), "9000");
    assert_eq!(sw(&mut c2, &card_encrypts(AS_ID)), "6A88");
    let mut p = profile();
    p.iot.as_mut().unwrap().ks_lifetime = Some(60);
    p.iot.as_mut().unwrap().max_sessions = Some(1);
    let (mut c3, _) = ready(&p);
    ok(&mut c3, &card_encrypts(AS_ID));
    assert_eq!(sw(&mut c3, &card_encrypts(AS_ID)), "6A84");
    c3.set_time(Some(NOW + 60));
    assert_eq!(sw(&mut c3, &card_encrypts(AS_ID)), "6984");
    // Profile A (X25519): a card provisioned with the C.4.3 test public key.
    let mut pa = profile();
    let key = &mut pa.iot.as_mut().unwrap().as_keys[0];
    key.ecies = "A".into();
    key.public_key = TEST_PUBLIC_KEY_A.into();
    let (mut ca, net) = ready(&pa);
    let r = ok(&mut ca, &card_encrypts(AS_ID));
    let (ca1, ta1) = (val(&r, 0x9C), val(&r, 0x93));
    assert_eq!(ca1.len(), 32 + 16 + 8);
    assert_eq!(ta1, net.t(AS_ID, &ca1));
    let private_a: [u8; 32] = unhex(TEST_PRIVATE_KEY_A).try_into().unwrap();
    let ra = ecies_open(true, &private_a, &ca1).expect("the MAC tag verifies");
    let m = ok(
        &mut ca,
        &apdu(
            0,
            "MAC COMPUTE",
            &[asid(AS_ID), t(0x90, &[1]), t(0x92, b"m")],
        ),
    );
    let k = net.k_app(AS_ID, &ra);
    assert_eq!(val(&m, 0x93), hmac(&api_key(&k, "mac", 1, b""), &[b"m"]));
    // Naming the Ks by the RAND of its AKA (DO 81): the current one works, after a new AKA
    // the old reference is refused (6A88) and the new one works.
    let (mut c, net) = ready(&profile());
    let named = |id: &str, rand: &[u8]| {
        apdu(
            0,
            "IOT KEY (card encrypts RAND_AS)",
            &[asid(id), t(0x9B, &GUTI), t(0x81, rand)],
        )
    };
    ok(&mut c, &named(AS_ID, &net.rand));
    let net2 = Net::new([0x42; 16], 0x41);
    start_usim(&mut c);
    assert!(tx(&mut c, &net2.auth_akma()).ends_with("9000"));
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    let before = c.image();
    assert_eq!(sw(&mut c, &named(AS_ID, &net.rand)), "6A88");
    assert_eq!(sw(&mut c, &card_tag_named(&net.rand)), "6A88");
    assert_eq!(c.image(), before);
    ok(&mut c, &named(AS_ID, &net2.rand));
    // A profile with a key that is no P-256 point (x ≥ p) does not build.
    let mut bad = profile();
    bad.iot.as_mut().unwrap().as_keys[0].public_key = format!("02{}", "FF".repeat(32));
    assert!(bad.build_card("bad.toml").is_err());
}

/// IOT KEY P1 00 naming the Ks by `rand` (DO 81).
fn card_tag_named(rand: &[u8]) -> Vec<u8> {
    apdu(
        0,
        "IOT KEY (card tag)",
        &[
            asid(AS_ID),
            t(0x9B, &GUTI),
            t(0x96, &[9; 16]),
            t(0x81, rand),
        ],
    )
}

#[test]
fn bad_input_changes_nothing() {
    // No AKA yet: no Ks.
    let p = profile();
    let mut c = fresh(&p);
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    assert_eq!(sw(&mut c, &card_tag(AS_ID, &[1; 16])), "6A88");
    let (mut c, net) = ready(&p);
    ok(&mut c, &card_tag(AS_ID, &[9; 16]));
    let before = c.image();
    // Every refusal of the table: tests/scripts/iot-api/bad-input.script.
    Session::new()
        .run_file("scripts/iot-api/bad-input.script", &mut c)
        .assert_passed();
    // A forged AS tag.
    let r = [5u8; 16];
    let mut forged = net.t(AS_ID, &r);
    forged[0] ^= 0x10;
    assert_eq!(sw(&mut c, &as_tag(AS_ID, &r, &forged)), "9862");
    assert_eq!(c.image(), before, "bad input changes nothing");
    // The refused RAND_AS is still fresh.
    assert_eq!(sw(&mut c, &as_tag(AS_ID, &r, &net.t(AS_ID, &r))), "9000");
}

#[test]
fn used_rand_as_survive_a_restart() {
    let p = profile();
    let (mut c, net) = ready(&p);
    let r1 = [1u8; 16];
    ok(&mut c, &card_tag(AS_ID, &r1));
    let mut saved = p.clone();
    saved.state = Some(c.image());
    let mut c2 = saved.build_card("saved").unwrap();
    c2.set_time(Some(NOW));
    assert_eq!(tx(&mut c2, &select_api(0)), "9000");
    assert_eq!(sw(&mut c2, &as_tag(AS_ID, &r1, &net.t(AS_ID, &r1))), "6985");
    let r = ok(
        &mut c2,
        &apdu(
            0,
            "MAC COMPUTE",
            &[asid(AS_ID), t(0x90, &[1]), t(0x92, b"m")],
        ),
    );
    assert_eq!(
        val(&r, 0x93),
        hmac(&api_key(&net.k_app(AS_ID, &r1), "mac", 1, b""), &[b"m"])
    );
}

#[test]
fn no_response_leaks_key_bytes() {
    let p = profile();
    let mut c = fresh(&p);
    let net = Net::first();
    let mut responses = Vec::new();
    let mut send = |c: &mut Card, a: &[u8]| responses.push(c.transmit_bytes(a));
    send(&mut c, &unhex("00A4040C07A0000000871002"));
    send(&mut c, &unhex("002000010831323334FFFFFFFF"));
    send(&mut c, &unhex(&net.auth_akma()));
    send(&mut c, &unhex(&select_api(0)));
    let mut needles: Vec<(String, Vec<u8>)> = vec![
        ("CK‖IK".into(), net.ck_ik.clone()),
        ("Ks".into(), net.ks.to_vec()),
    ];
    for (i, id) in [AS_ID, "b.example.org"].into_iter().enumerate() {
        let r1 = [i as u8 + 1; 16];
        let r2 = [i as u8 + 0x11; 16];
        send(&mut c, &card_tag(id, &r1));
        send(&mut c, &as_tag(id, &r2, &net.t(id, &r2)));
        for a in [
            apdu(0, "LIST KEYS", &[]),
            apdu(0, "MAC COMPUTE", &[asid(id), t(0x90, &[1]), t(0x92, b"m")]),
            apdu(
                0,
                "ENCRYPT",
                &[asid(id), t(0x90, &[0x11]), t(0x92, &[0; 64])],
            ),
            apdu(
                0,
                "DECRYPT",
                &[
                    asid(id),
                    t(0x90, &[0x11]),
                    t(0x94, &[0; 16]),
                    t(0x92, &[0; 8]),
                    t(0x93, &[0; 16]),
                ],
            ),
        ] {
            send(&mut c, &a);
        }
        for k in [
            net.ks_as(id),
            net.ks_as_enc(id),
            net.ks_as_int(id),
            net.k_app(id, &r1),
            net.k_app(id, &r2),
        ] {
            needles.push((format!("key of {id}"), k.to_vec()));
            for (label, alg) in [("mac", 1), ("enc", 0x11), ("int", 0x11)] {
                needles.push((
                    format!("{label} of {id}"),
                    api_key(&k, label, alg, b"").to_vec(),
                ));
            }
        }
    }
    assert_no_key_bytes(&responses, &needles);
}

// ---------------------------------------------------------------------------------------------
// Documentation.

/// The values the docs quote for the worked example are the independent ones.
#[test]
fn docs_quote_the_independent_values() {
    let text = api::doc_text(DOC);
    let net = Net::first();
    let r1 = unhex("000102030405060708090A0B0C0D0E0F");
    let r2 = unhex("0F0E0D0C0B0A09080706050403020100");
    for v in [
        hex::encode(net.ks),
        hex::encode(net.ks_as(AS_ID)),
        hex::encode(net.ks_as_enc(AS_ID)),
        hex::encode(net.ks_as_int(AS_ID)),
        hex::encode(net.k_app(AS_ID, &r2)),
        up(&net.t(AS_ID, &r1)),
        up(&net.t(AS_ID, &r2)),
    ] {
        assert!(text.contains(&v), "docs/api/iot.md lacks {v}");
    }
    // §10.6: the documented C decrypts with the published key, and t covers GUTI ‖ C.
    let line = text
        .lines()
        .find(|l| l.starts_with("< 9C39"))
        .expect("the certificate-variant answer");
    let dos = Tlv::parse_all(&unhex(&line[2..line.len() - 4].replace(' ', ""))).unwrap();
    let (c, tag) = (val(&dos, 0x9C), val(&dos, 0x93));
    assert_eq!(tag, net.t(AS_ID, &c));
    let private: [u8; 32] = unhex(TEST_PRIVATE_KEY_B).try_into().unwrap();
    assert_eq!(ecies_open(false, &private, &c).map(|r| r.len()), Some(16));
}

#[test]
fn docs_name_every_status_word_and_command() {
    let text = api::doc_text(DOC);
    for (sw, _) in STATUS_WORDS {
        assert!(
            text.contains(&format!("`{sw}`")),
            "docs lack status word {sw}"
        );
    }
    for row in COMMANDS {
        assert!(text.contains(row.name), "docs lack command {}", row.name);
        let sec = row.clause.trim_start_matches("docs/api/iot.md §");
        assert!(text.contains(&format!("### {sec} ")), "docs lack §{sec}");
    }
}

/// Replays every ```apdu block of docs/api/iot.md on the embedded default card and compares
/// each response byte for byte (`VUSIM_BLESS=1` rewrites them after a deliberate change).
#[test]
fn docs_examples() {
    api::docs_examples(DOC, 15);
}
