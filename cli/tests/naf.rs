//! `vusim naf` end to end: the NAF side of the experimental GBA_U API (docs/api/gba-api.md)
//! against an independent HMAC-SHA-256 / TS 33.220 KDF computation, against the card's answers
//! recorded in the documentation, and against the values the example scripts expect; exit codes
//! for failed verifications and bad input.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use std::path::Path;
use std::process::Command;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

fn vusim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(args)
        .output()
        .expect("run vusim");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `vusim naf … --json`, expecting `code`; the JSON object.
fn naf(args: &[&str], code: i32) -> Value {
    let (c, out, err) = vusim(&[&["naf"], args, &["--json"]].concat());
    assert_eq!(c, code, "naf {args:?}\nstdout {out}\nstderr {err}");
    serde_json::from_str(out.trim()).expect("one JSON object")
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_string()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

fn kdf(key: &[u8], fc: &[u8], params: &[&[u8]]) -> Vec<u8> {
    let mut s = fc.to_vec();
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&(p.len() as u16).to_be_bytes());
    }
    hmac(key, &[&s])
}

fn api_key(base: &[u8], label: &str, alg: u8, purpose: &[u8]) -> Vec<u8> {
    kdf(base, &[0xFF, 0xE8], &[label.as_bytes(), &[alg], purpose])
}

const CK: &str = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
const IK: &str = "f769bcd751044604127672711c6d3441";
const RAND: &str = "23553CBE9637A89D218AE64DAE47BF35";
const IMPI: &str = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
const K_LOCK: &str = "b4a3430fb15acce7e0c4efa1e68768c10143e4a384acdf655ca651e4e9291fb6";
const K_V2X: &str = "73be31eb229d03adc573d793e16ea69b3c069a07f7a91314ee8e85da2f912786";
const K_E2E: &str = "344792a3bf091373647ae7a6843d61c3e895f4e4f7b6be8e72397dd14860901d";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Ks_int_NAF by hand (TS 33.220 B.3).
fn ks_int_naf(fqdn: &str) -> Vec<u8> {
    let naf_id = [fqdn.as_bytes(), &[1, 0, 0, 0, 2]].concat();
    kdf(
        &[h(CK), h(IK)].concat(),
        &[0x01],
        &[b"gba-u", &h(RAND), IMPI.as_bytes(), &naf_id],
    )
}

fn repo(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)).unwrap()
}

/// `>`/`<` pairs of the documentation's apdu blocks, spaces removed.
fn doc_exchanges() -> Vec<(String, String)> {
    let text = repo("docs/api/gba-api.md");
    let mut out = Vec::new();
    let mut cmd = None;
    for l in text.lines() {
        if let Some(c) = l.strip_prefix("> ") {
            cmd = Some(c.replace(' ', ""));
        } else if let Some(r) = l.strip_prefix("< ") {
            if let Some(c) = cmd.take() {
                out.push((c, r.replace(' ', "")));
            }
        }
    }
    out
}

fn doc_response(cmd: &str) -> String {
    doc_exchanges()
        .into_iter()
        .find(|(c, _)| c == cmd)
        .unwrap_or_else(|| panic!("docs have no command {cmd}"))
        .1
}

#[test]
fn key_inputs_agree() {
    assert_eq!(hex::encode(ks_int_naf("lock.example.org")), K_LOCK);
    // Ks_int_NAF given, or derived from the bootstrap values: the same MAC.
    let a = naf(&["mac", "--ks-int-naf", K_LOCK, "--message", "m"], 0);
    let b = naf(
        &[
            "mac",
            "--ck",
            CK,
            "--ik",
            IK,
            "--rand",
            RAND,
            "--impi",
            IMPI,
            "--naf-fqdn",
            "lock.example.org",
            "--message",
            "m",
        ],
        0,
    );
    assert_eq!(a["mac"], b["mac"]);
    assert!(a.get("card_apdu").is_none(), "no NAF_Id, no APDU: {a}");
    assert!(b["card_apdu"].is_string());
}

#[test]
fn mac_and_verify_match_an_independent_computation() {
    let k = h(K_LOCK);
    let v = naf(
        &[
            "mac",
            "--ks-int-naf",
            K_LOCK,
            "--naf-fqdn",
            "lock.example.org",
            "--purpose",
            "unlock",
            "--message",
            "unlock door 1",
        ],
        0,
    );
    let want = hmac(&api_key(&k, "mac", 1, b"unlock"), &[b"unlock door 1"]);
    assert_eq!(s(&v, "mac"), hex::encode(&want));
    // The card answers the compute APDU with that MAC and the verify APDU with 9000 (docs §10.3).
    assert_eq!(
        doc_response(&s(&v, "card_compute_apdu")),
        format!("9320{}9000", hex::encode_upper(&want))
    );
    assert_eq!(doc_response(&s(&v, "card_apdu")), "9000");
    // Truncation, verification, failure.
    let short = naf(
        &[
            "mac",
            "--ks-int-naf",
            K_LOCK,
            "--message-hex",
            "00ff",
            "--mac-len",
            "16",
        ],
        0,
    );
    let full = hmac(&api_key(&k, "mac", 1, b""), &[&[0x00, 0xFF]]);
    assert_eq!(s(&short, "mac"), hex::encode(&full[..16]));
    let ok = naf(
        &[
            "verify",
            "--ks-int-naf",
            K_LOCK,
            "--message-hex",
            "00ff",
            "--mac",
            &s(&short, "mac"),
        ],
        0,
    );
    assert_eq!(ok["verified"], true);
    let mut bad = full.clone();
    bad[0] ^= 1;
    let no = naf(
        &[
            "verify",
            "--ks-int-naf",
            K_LOCK,
            "--message-hex",
            "00ff",
            "--mac",
            &hex::encode(&bad),
        ],
        1,
    );
    assert_eq!(no["verified"], false);
}

#[test]
fn proofs_match_and_check() {
    let k = h(K_LOCK);
    let rs = "000102030405060708090A0B0C0D0E0F";
    let v = naf(
        &[
            "auth-card",
            "--ks-int-naf",
            K_LOCK,
            "--naf-fqdn",
            "lock.example.org",
            "--purpose",
            "door",
            "--challenge",
            rs,
        ],
        0,
    );
    let want = hmac(&api_key(&k, "auth-card", 1, b"door"), &[&h(rs)]);
    assert_eq!(s(&v, "card_proof"), hex::encode(&want));
    // The card gave exactly that proof (docs §10.5).
    assert_eq!(
        doc_response(&s(&v, "card_apdu")),
        format!("9720{}9000", hex::encode_upper(&want))
    );
    let checked = naf(
        &[
            "auth-card",
            "--ks-int-naf",
            K_LOCK,
            "--purpose",
            "door",
            "--challenge",
            rs,
            "--proof",
            &hex::encode(&want),
        ],
        0,
    );
    assert_eq!(checked["verified"], true);
    let failed = naf(
        &[
            "auth-card",
            "--ks-int-naf",
            K_LOCK,
            "--purpose",
            "other",
            "--challenge",
            rs,
            "--proof",
            &hex::encode(&want),
        ],
        1,
    );
    assert_eq!(failed["verified"], false);
    // The server proof on the card's challenge from the docs is the APDU the docs send (9000).
    let (_, rc_resp) = doc_exchanges()
        .into_iter()
        .find(|(c, _)| c.starts_with("80480100"))
        .unwrap();
    let rc = &rc_resp[4..36];
    let p = naf(
        &[
            "auth-server",
            "--ks-int-naf",
            K_LOCK,
            "--naf-fqdn",
            "lock.example.org",
            "--purpose",
            "door",
            "--challenge",
            rc,
        ],
        0,
    );
    assert_eq!(
        s(&p, "server_proof"),
        hex::encode(hmac(&api_key(&k, "auth-server", 1, b"door"), &[&h(rc)]))
    );
    assert_eq!(doc_response(&s(&p, "card_apdu")), "9000");
}

#[test]
fn encryption_both_ways_with_the_card() {
    let k = h(K_V2X);
    // The NAF's message, decrypted by the card in the docs (§10.7).
    let v = naf(
        &[
            "encrypt",
            "--ks-int-naf",
            K_V2X,
            "--naf-fqdn",
            "v2x.example.org",
            "--purpose",
            "enrol",
            "--plaintext",
            "enrolment secret 7F3A",
            "--iv",
            "02020202020202020202020202020202",
            "--channel",
            "1",
        ],
        0,
    );
    // The tag, by hand: HMAC-SHA-256(K_int, len64(AAD) ‖ AAD ‖ IV ‖ C)[0..16].
    let ct = h(&s(&v, "ciphertext"));
    let tag = hmac(
        &api_key(&k, "int", 0x11, b"enrol"),
        &[&0u64.to_be_bytes(), &[0x02; 16], &ct],
    );
    assert_eq!(s(&v, "tag"), hex::encode(&tag[..16]));
    assert_eq!(
        doc_response(&s(&v, "card_apdu")),
        format!("9215{}9000", hex::encode_upper("enrolment secret 7F3A"))
    );
    // The card's ENCRYPT answer in the docs decrypts at the NAF.
    let (_, resp) = doc_exchanges()
        .into_iter()
        .find(|(c, r)| c.starts_with("81460000") && r.starts_with("9410"))
        .unwrap();
    let iv = &resp[4..36];
    let ct = &resp[40..80];
    let t = &resp[84..116];
    let d = naf(
        &[
            "decrypt",
            "--ks-int-naf",
            K_V2X,
            "--purpose",
            "enrol",
            "--iv",
            iv,
            "--ciphertext",
            ct,
            "--tag",
            t,
        ],
        0,
    );
    assert_eq!(d["plaintext_text"], "CSR: CN=vehicle-0042");
    // A flipped bit: exit 1, no plaintext.
    let mut bad = t.to_string();
    bad.replace_range(0..1, if bad.starts_with('0') { "1" } else { "0" });
    let f = naf(
        &[
            "decrypt",
            "--ks-int-naf",
            K_V2X,
            "--purpose",
            "enrol",
            "--iv",
            iv,
            "--ciphertext",
            ct,
            "--tag",
            &bad,
        ],
        1,
    );
    assert_eq!(f["verified"], false);
    assert!(f.get("plaintext").is_none());
}

#[test]
fn wrap_and_e2e_match_the_card() {
    let w = naf(
        &[
            "wrap",
            "--ks-int-naf",
            K_LOCK,
            "--naf-fqdn",
            "lock.example.org",
            "--store-as",
            "pw",
            "--secret",
            "door-password-1234",
            "--iv",
            "00000000000000000000000000000001",
        ],
        0,
    );
    assert_eq!(doc_response(&s(&w, "card_apdu")), "9000");
    let tag = hmac(
        &api_key(&h(K_LOCK), "wrap-int", 0x11, b"pw"),
        &[
            &0u64.to_be_bytes(),
            &h("00000000000000000000000000000001"),
            &h(&s(&w, "ciphertext")),
        ],
    );
    assert_eq!(s(&w, "tag"), hex::encode(&tag[..16]));
    // The stored password's MAC (docs §10.6).
    let m = naf(
        &[
            "mac",
            "--key",
            &hex::encode("door-password-1234"),
            "--name",
            "pw",
            "--naf-fqdn",
            "lock.example.org",
            "--message",
            "open",
        ],
        0,
    );
    assert_eq!(doc_response(&s(&m, "card_apdu")), "9000");
    // e2e_key = KDF(Ks_int_NAF, FF E4, Ka); `calc e2e` agrees; the MAC with it is the card's.
    let ka = "000102030405060708090A0B0C0D0E0F";
    let e = naf(
        &[
            "e2e",
            "--ks-int-naf",
            K_E2E,
            "--naf-fqdn",
            "e2e.example.org",
            "--ka",
            ka,
            "--name",
            "tp",
            "--client",
            "F0455845414D504C45",
        ],
        0,
    );
    let want = kdf(&h(K_E2E), &[0xFF, 0xE4], &[&h(ka)]);
    assert_eq!(s(&e, "e2e_key"), hex::encode(&want));
    let (code, out, _) = vusim(&["calc", "e2e", "--ks-naf", K_E2E, "--ka", ka]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("e2e_key: {}", hex::encode(&want)));
    assert_eq!(doc_response(&s(&e, "card_apdu")), "9000");
    let m = naf(
        &[
            "mac",
            "--ks-int-naf",
            K_E2E,
            "--naf-fqdn",
            "e2e.example.org",
            "--ka",
            ka,
            "--name",
            "tp",
            "--client",
            "F0455845414D504C45",
            "--message",
            "hello third party",
        ],
        0,
    );
    assert_eq!(
        s(&m, "mac"),
        hex::encode(hmac(
            &api_key(&want, "mac", 1, b""),
            &[b"hello third party"]
        ))
    );
    assert_eq!(
        doc_response(&s(&m, "card_compute_apdu")),
        format!("9320{}9000", s(&m, "mac").to_uppercase())
    );
}

/// The NAF-side values the example scripts expect are what `vusim naf` computes.
#[test]
fn example_scripts_hold_the_naf_values() {
    let door = repo("examples/api-door-lock.script");
    let rc = "0884456936CE1953CB7D5771606AFA3A";
    let lock = ["--ks-int-naf", K_LOCK, "--naf-fqdn", "lock.example.org"];
    for (args, key) in [
        (
            vec!["auth-server", "--purpose", "unlock", "--challenge", rc],
            "server_proof",
        ),
        (
            vec![
                "mac",
                "--purpose",
                "unlock",
                "--message-hex",
                "756E6C6F636B20646F6F722031200884456936CE1953CB7D5771606AFA3A",
            ],
            "mac",
        ),
        (
            vec![
                "auth-card",
                "--purpose",
                "status",
                "--challenge",
                "0F0E0D0C0B0A09080706050403020100",
            ],
            "card_proof",
        ),
    ] {
        let v = naf(&[&args[..1], &lock, &args[1..]].concat(), 0);
        assert!(door.contains(&s(&v, key).to_uppercase()), "{key} {args:?}");
    }
    let keypad = naf(
        &[
            "mac",
            "--key",
            &hex::encode("door-password-1234"),
            "--purpose",
            "keypad",
            "--message",
            "open door 1",
        ],
        0,
    );
    assert!(door.contains(&s(&keypad, "mac").to_uppercase()));
    let v2x = repo("examples/api-v2x.script");
    let p = naf(
        &[
            "auth-server",
            "--ks-int-naf",
            K_V2X,
            "--purpose",
            "v2x-auth",
            "--challenge",
            rc,
        ],
        0,
    );
    assert!(v2x.contains(&s(&p, "server_proof").to_uppercase()));
    let enc = naf(
        &[
            "encrypt",
            "--ks-int-naf",
            K_V2X,
            "--purpose",
            "v2x-channel",
            "--aad",
            rc,
            "--plaintext",
            "CSR: CN=vehicle-0042",
            "--iv",
            "91186F929205C0A728EEBBFF489BD121",
        ],
        0,
    );
    assert!(v2x.contains(&s(&enc, "ciphertext").to_uppercase()));
    assert!(v2x.contains(&s(&enc, "tag").to_uppercase()));
    let e2e = repo("examples/api-e2e.script");
    let m = naf(
        &[
            "mac",
            "--ks-int-naf",
            K_E2E,
            "--ka",
            "000102030405060708090A0B0C0D0E0F",
            "--purpose",
            "tp-msg",
            "--message",
            "hello third party",
        ],
        0,
    );
    assert!(e2e.contains(&s(&m, "mac").to_uppercase()));
}

#[test]
fn bad_input_is_exit_2_and_text_output() {
    for args in [
        vec!["naf", "mac", "--message", "m"],
        vec!["naf", "mac", "--ks-int-naf", "00", "--message", "m"],
        vec!["naf", "mac", "--ks-int-naf", K_LOCK],
        vec![
            "naf",
            "mac",
            "--ks-int-naf",
            K_LOCK,
            "--message",
            "m",
            "--mac-len",
            "8",
        ],
        vec![
            "naf",
            "encrypt",
            "--ks-int-naf",
            K_LOCK,
            "--plaintext",
            "p",
            "--iv",
            "00",
        ],
        vec!["naf", "e2e", "--ks-int-naf", K_LOCK],
        vec![
            "naf",
            "wrap",
            "--ks-int-naf",
            K_LOCK,
            "--store-as",
            "",
            "--secret",
            "s",
            "--iv",
            "00000000000000000000000000000000",
        ],
        vec![
            "naf",
            "verify",
            "--ks-int-naf",
            K_LOCK,
            "--message",
            "m",
            "--mac",
            "00",
        ],
    ] {
        let (code, out, err) = vusim(&args);
        assert_eq!(code, 2, "{args:?}\n{out}\n{err}");
        assert!(
            err.starts_with("vusim: error:") || err.contains("error:"),
            "{err}"
        );
    }
    // Text output: `name: value` lines in order.
    let (code, out, _) = vusim(&[
        "naf",
        "auth-server",
        "--ks-int-naf",
        K_LOCK,
        "--naf-fqdn",
        "lock.example.org",
        "--challenge",
        "00112233445566778899AABBCCDDEEFF",
    ]);
    assert_eq!(code, 0);
    let keys: Vec<&str> = out.lines().map(|l| l.split(": ").next().unwrap()).collect();
    assert_eq!(keys, ["server_proof", "card_apdu"]);
}
