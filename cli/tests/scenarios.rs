//! The experimental API scenarios end to end with fresh random inputs: the card (the embedded
//! default card, in process, on the wall clock) through APDUs only, the network side through the
//! `vusim` CLI only, and every value checked on both sides — the shared bike over UICC-based AKMA
//! (examples/api-bike.script, docs/api/akma.md) and the IoT end-to-end session
//! (examples/api-iot.script, docs/api/iot.md). Each runs a few times with new RAND, SQN,
//! challenges, keys and IVs, so no precomputed value can make it pass.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use std::process::Command;

use rand::{Rng, RngCore};
use serde_json::Value;
use vusim_apdu::tlv::Tlv;
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;

fn vusim_json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(args)
        .arg("--json")
        .output()
        .expect("run vusim");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{args:?}\n{stdout}\n{stderr}");
    serde_json::from_str(stdout.trim()).expect("one JSON object")
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_string()
}

fn rnd(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode_upper(b)
}

/// A fresh SQN (SEQ 1–100000, any IND of the default card's 5 bits), 6 bytes hex.
fn fresh_sqn() -> String {
    let mut r = rand::thread_rng();
    let sqn: u64 = (r.gen_range(1..100_000u64) << 5) | r.gen_range(0..32u64);
    hex::encode_upper(&sqn.to_be_bytes()[2..])
}

/// Send hex, return (data, SW as hex).
fn send(card: &mut Card, apdu: &str) -> (Vec<u8>, String) {
    let r = card.transmit_bytes(&hex::decode(apdu).unwrap());
    let (d, sw) = r.split_at(r.len() - 2);
    (d.to_vec(), hex::encode_upper(sw))
}

fn ok(card: &mut Card, apdu: &str) -> Vec<Tlv> {
    let (d, sw) = send(card, apdu);
    assert_eq!(sw, "9000", "{apdu}");
    Tlv::parse_all(&d).unwrap()
}

fn val(dos: &[Tlv], t: u32) -> Vec<u8> {
    Tlv::find(dos, t).unwrap().value.clone()
}

fn card_with_usim() -> Card {
    let mut card = Profile::embedded_default().build_card("scenario").unwrap();
    ok(&mut card, "00A4040C07A0000000871002");
    ok(&mut card, "002000010831323334FFFFFFFF");
    card
}

/// MANAGE CHANNEL, then SELECT the applet on the new channel.
fn open_applet(card: &mut Card, aid: &[u8]) -> u8 {
    let ch = send(card, "0070000001").0[0];
    ok(
        card,
        &format!("{ch:02X}A4040C{:02X}{}", aid.len(), hex::encode_upper(aid)),
    );
    ch
}

#[test]
fn shared_bike_over_akma() {
    use vusim_applet::api::akma as api;
    for _ in 0..3 {
        let (rand, sqn) = (rnd(16), fresh_sqn());
        let net = ["--rand", rand.as_str(), "--sqn", sqn.as_str()];
        let mut card = card_with_usim();

        // AUSF → card: 5G AKA in the 5G AKMA context.
        let ausf = vusim_json(&[&["akma", "ausf", "--reveal"][..], &net].concat());
        let (d, sw) = send(&mut card, &s(&ausf, "card_apdu"));
        assert_eq!(sw, "9000");
        assert_eq!(&d[..2], &[0xDB, 0x10]);
        let (res_star, k_seaf) = (hex::encode(&d[2..18]), hex::encode(&d[19..]));
        assert_eq!(d[18], 0x20);
        // The AUSF accepts RES*; the ME's K_SEAF is the SEAF's.
        let check = vusim_json(&[&["akma", "ausf", "--res-star", &res_star][..], &net].concat());
        assert_eq!(check["verified"], true);
        assert_eq!(k_seaf, s(&ausf, "k_seaf"));

        // AAnF ↔ card: DERIVE K_AF on a logical channel answers the AAnF's A-KID.
        let ch = open_applet(&mut card, &api::AID);
        let chs = ch.to_string();
        let af = ["--af-fqdn", "bike.example.org", "--channel", chs.as_str()];
        let aanf = vusim_json(&[&["akma", "aanf", "--lifetime", "3600"][..], &net, &af].concat());
        let (d, sw) = send(&mut card, &s(&aanf, "card_apdu"));
        assert_eq!(
            format!("{}{sw}", hex::encode_upper(&d)),
            s(&aanf, "card_response")
        );
        assert_eq!(s(&aanf, "a_kid"), s(&ausf, "a_kid"));

        // Key-management server: a fresh AppKey under K_AF, checked against the UE's A-KID.
        let (app_key, name) = (rnd(16), format!("bike-{}", rnd(2)));
        let kms = vusim_json(
            &[
                &[
                    "akma",
                    "kms",
                    "--app-key",
                    &app_key,
                    "--store-as",
                    &name,
                    "--iv",
                    &rnd(16),
                ][..],
                &["--a-kid", &s(&ausf, "a_kid")],
                &net,
                &af,
            ]
            .concat(),
        );
        assert_eq!(kms["a_kid_verified"], true);
        ok(&mut card, &s(&kms, "card_apdu"));

        // The bike lock's challenge, answered by the card with the AppKey; the bike checks it.
        let rs = rnd(16);
        let key = ["--key", app_key.as_str(), "--name", name.as_str()];
        let unlock = vusim_json(
            &[
                &[
                    "akma",
                    "af",
                    "auth-card",
                    "--purpose",
                    "unlock",
                    "--challenge",
                    &rs,
                ][..],
                &key,
                &af,
            ]
            .concat(),
        );
        let proof = val(&ok(&mut card, &s(&unlock, "card_apdu")), 0x97);
        let bike = vusim_json(
            &[
                &[
                    "akma",
                    "af",
                    "auth-card",
                    "--purpose",
                    "unlock",
                    "--challenge",
                    &rs,
                ][..],
                &["--proof", &hex::encode(&proof)],
                &key,
                &af,
            ]
            .concat(),
        );
        assert_eq!(bike["verified"], true);

        // MAC both ways with K_AF.
        let msg = format!("ride {}", rnd(4));
        let mac = vusim_json(&[&["akma", "af", "mac", "--message", &msg][..], &net, &af].concat());
        let card_mac = val(&ok(&mut card, &s(&mac, "card_compute_apdu")), 0x93);
        assert_eq!(hex::encode(card_mac), s(&mac, "mac"));
        ok(&mut card, &s(&mac, "card_apdu"));

        // The server authenticates to the card on the card's challenge.
        let key_do = Tlv::new(0x80u32, hex::decode(s(&aanf, "af_id")).unwrap());
        let rc = val(
            &ok(
                &mut card,
                &hex::encode(api::apdu(
                    ch,
                    "AUTHENTICATE (card challenge)",
                    std::slice::from_ref(&key_do),
                )),
            ),
            0x96,
        );
        let server = vusim_json(
            &[
                &["akma", "af", "auth-server", "--challenge", &hex::encode(rc)][..],
                &net,
                &af,
            ]
            .concat(),
        );
        ok(&mut card, &s(&server, "card_apdu"));

        // Encryption both ways.
        let pt = format!("receipt {}", rnd(8));
        let enc = vusim_json(
            &[
                &[
                    "akma",
                    "af",
                    "encrypt",
                    "--plaintext",
                    &pt,
                    "--iv",
                    &rnd(16),
                ][..],
                &net,
                &af,
            ]
            .concat(),
        );
        assert_eq!(
            val(&ok(&mut card, &s(&enc, "card_apdu")), 0x92),
            pt.as_bytes()
        );
        let report = rnd(20);
        let r = ok(
            &mut card,
            &hex::encode(api::apdu(
                ch,
                "ENCRYPT",
                &[
                    key_do,
                    Tlv::new(0x90u32, vec![0x11]),
                    Tlv::new(0x92u32, hex::decode(&report).unwrap()),
                ],
            )),
        );
        let dec = vusim_json(
            &[
                &["akma", "af", "decrypt"][..],
                &["--iv", &hex::encode(val(&r, 0x94))],
                &["--ciphertext", &hex::encode(val(&r, 0x92))],
                &["--tag", &hex::encode(val(&r, 0x93))],
                &net,
                &af,
            ]
            .concat(),
        );
        assert_eq!(dec["verified"], true);
        assert_eq!(s(&dec, "plaintext"), report.to_lowercase());
    }
}

#[test]
fn iot_end_to_end_session() {
    use vusim_applet::api::iot as api;
    for _ in 0..3 {
        let (rand, sqn, guti) = (rnd(16), fresh_sqn(), rnd(10));
        let as_id = format!("as{}.iot.example.org", rnd(2).to_lowercase());
        let mut card = card_with_usim();
        let (r1, r2) = (rnd(16), rnd(12));
        let ch_pre = [
            "--rand",
            rand.as_str(),
            "--sqn",
            sqn.as_str(),
            "--as-id",
            as_id.as_str(),
        ];

        // HSS/AS → card: AKA (5G AKMA context); the card keeps Ks.
        let first = vusim_json(
            &[
                &["iot", "as", "--guti", &guti, "--rand-as", &r1][..],
                &ch_pre,
            ]
            .concat(),
        );
        let (d, sw) = send(&mut card, &s(&first, "card_auth_apdu"));
        assert_eq!((d[0], sw.as_str()), (0xDB, "9000"));
        let ch = open_applet(&mut card, &api::AID);
        let chs = ch.to_string();
        let net = [&ch_pre[..], &["--channel", chs.as_str()]].concat();

        // The card's tag over GUTI ‖ RAND_AS1, verified by the AS.
        let v = vusim_json(&[&["iot", "as", "--guti", &guti, "--rand-as", &r1][..], &net].concat());
        let t = val(&ok(&mut card, &s(&v, "card_tag_apdu")), 0x93);
        let check = vusim_json(
            &[
                &[
                    "iot",
                    "as",
                    "--guti",
                    &guti,
                    "--rand-as",
                    &r1,
                    "--t",
                    &hex::encode(&t),
                ][..],
                &net,
            ]
            .concat(),
        );
        assert_eq!(check["verified"], true);
        // The AS's tag over GUTI ‖ RAND_AS2, verified by the card; a replay is refused.
        let v2 =
            vusim_json(&[&["iot", "as", "--guti", &guti, "--rand-as", &r2][..], &net].concat());
        ok(&mut card, &s(&v2, "card_verify_apdu"));
        assert_eq!(send(&mut card, &s(&v2, "card_verify_apdu")).1, "6985");

        // K_app (RAND_AS2) on both sides.
        let app = [&net[..], &["--rand-as", r2.as_str()]].concat();
        let msg = rnd(24);
        let mac =
            vusim_json(&[&["iot", "app"][..], &app, &["mac", "--message-hex", &msg]].concat());
        let card_mac = val(&ok(&mut card, &s(&mac, "card_compute_apdu")), 0x93);
        assert_eq!(hex::encode(card_mac), s(&mac, "mac"));
        ok(&mut card, &s(&mac, "card_apdu"));
        let pt = rnd(16);
        let enc = vusim_json(
            &[
                &["iot", "app"][..],
                &app,
                &["encrypt", "--plaintext-hex", &pt, "--iv", &rnd(16)],
            ]
            .concat(),
        );
        assert_eq!(
            hex::encode_upper(val(&ok(&mut card, &s(&enc, "card_apdu")), 0x92)),
            pt
        );
        let r = ok(
            &mut card,
            &hex::encode(api::apdu(
                ch,
                "ENCRYPT",
                &[
                    Tlv::new(0x80u32, as_id.as_bytes().to_vec()),
                    Tlv::new(0x90u32, vec![0x11]),
                    Tlv::new(0x92u32, b"alarm".to_vec()),
                ],
            )),
        );
        let dec = vusim_json(
            &[
                &["iot", "app"][..],
                &app,
                &["decrypt", "--iv", &hex::encode(val(&r, 0x94))],
                &[
                    "--ciphertext",
                    &hex::encode(val(&r, 0x92)),
                    "--tag",
                    &hex::encode(val(&r, 0x93)),
                ],
            ]
            .concat(),
        );
        assert_eq!(dec["verified"], true);
        assert_eq!(s(&dec, "plaintext_text"), "alarm");
    }
}
