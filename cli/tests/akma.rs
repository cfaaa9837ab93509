//! `vusim akma` (docs/api/akma.md §12): AUSF, AAnF, AF and key-management-server values against
//! an independent HMAC-SHA-256 computation of TS 33.501 / TS 33.535 / the API formulas, key
//! bytes only with `--reveal`, exit codes, the values `examples/api-bike.script` expects, and
//! `vusim akma run` end to end (also on a card file, twice).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use std::path::Path;
use std::process::Command;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

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

/// `vusim akma … --json`, expecting `code`; the JSON object.
fn akma(args: &[&str], code: i32) -> Value {
    let (c, out, err) = vusim(&[&["akma"], args, &["--json"]].concat());
    assert_eq!(c, code, "akma {args:?}\nstdout {out}\nstderr {err}");
    serde_json::from_str(out.trim()).expect("one JSON object")
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_string()
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
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

/// RFC 4648 base64 with padding.
fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

const RAND: &str = "23553CBE9637A89D218AE64DAE47BF35";
const SQN: &str = "000000000021";
const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";
const SUPI: &str = "001010123456789";
const BIKE_ID: &str = "62696b652e6578616d706c652e6f72670100000002";

/// CK, IK, RES and AUTN of the AKA from `vusim calc milenage` (checked against TS 35.208
/// elsewhere), AMF 8000 as the AuC uses.
fn milenage(rand: &str, sqn: &str) -> Value {
    let (c, out, err) = vusim(&[
        "calc",
        "milenage",
        "--k",
        "465B5CE8B199B49FAA5F0A2EE238A6BC",
        "--opc",
        "CD63CB71954A9F4E48A5994E37A02BAF",
        "--rand",
        rand,
        "--sqn",
        sqn,
        "--amf",
        "8000",
        "--json",
    ]);
    assert_eq!(c, 0, "{err}");
    serde_json::from_str(out.trim()).unwrap()
}

/// Every key of the chain, by hand.
struct Chain {
    autn: Vec<u8>,
    xres_star: Vec<u8>,
    k_ausf: Vec<u8>,
    k_seaf: Vec<u8>,
    k_akma: Vec<u8>,
    a_tid: Vec<u8>,
    a_kid: String,
}

fn chain(rand: &str, sqn: &str) -> Chain {
    let m = milenage(rand, sqn);
    let ck_ik = [h(&s(&m, "ck")), h(&s(&m, "ik"))].concat();
    let autn = h(&s(&m, "autn"));
    let xres_star = kdf(
        &ck_ik,
        &[0x6B],
        &[SNN.as_bytes(), &h(rand), &h(&s(&m, "res"))],
    )[16..]
        .to_vec();
    let k_ausf = kdf(&ck_ik, &[0x6A], &[SNN.as_bytes(), &autn[..6]]);
    let a_tid = kdf(&k_ausf, &[0x81], &[b"A-TID", SUPI.as_bytes()]);
    Chain {
        k_seaf: kdf(&k_ausf, &[0x6C], &[SNN.as_bytes()]),
        k_akma: kdf(&k_ausf, &[0x80], &[b"AKMA", SUPI.as_bytes()]),
        a_kid: format!("0.{}@5gc.mnc001.mcc001.3gppnetwork.org", b64(&a_tid)),
        a_tid,
        autn,
        xres_star,
        k_ausf,
    }
}

fn k_af(c: &Chain, af_id: &[u8]) -> Vec<u8> {
    kdf(&c.k_akma, &[0x82], &[af_id])
}

fn repo(p: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(p)).unwrap()
}

#[test]
fn ausf_values_and_res_star_check() {
    let c = chain(RAND, SQN);
    let v = akma(&["ausf", "--rand", RAND, "--sqn", SQN], 0);
    assert_eq!(s(&v, "snn"), SNN);
    assert_eq!(s(&v, "sqn"), SQN);
    assert_eq!(h(&s(&v, "autn")), c.autn);
    assert_eq!(h(&s(&v, "xres_star")), c.xres_star);
    let hx = &Sha256::digest([h(RAND), c.xres_star.clone()].concat())[16..];
    assert_eq!(h(&s(&v, "hxres_star")), hx);
    assert_eq!(s(&v, "supi"), SUPI);
    assert_eq!(h(&s(&v, "a_tid")), c.a_tid);
    assert_eq!(s(&v, "a_kid"), c.a_kid);
    let snn_hex = hex::encode_upper(SNN);
    assert_eq!(
        s(&v, "card_apdu"),
        format!(
            "0088008743 10{RAND} 10{} 20{snn_hex} 00",
            hex::encode_upper(&c.autn)
        )
        .replace(' ', "")
    );
    // No key without --reveal; with it, K_AUSF, K_SEAF, K_AKMA.
    let text = v.to_string();
    for k in [&c.k_ausf, &c.k_seaf, &c.k_akma] {
        assert!(!text.contains(&hex::encode(k)));
    }
    let r = akma(&["ausf", "--rand", RAND, "--sqn", SQN, "--reveal"], 0);
    assert_eq!(h(&s(&r, "k_ausf")), c.k_ausf);
    assert_eq!(h(&s(&r, "k_seaf")), c.k_seaf);
    assert_eq!(h(&s(&r, "k_akma")), c.k_akma);
    // The card's RES*: accepted; another: exit 1.
    let ok = akma(
        &[
            "ausf",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--res-star",
            &hex::encode(&c.xres_star),
        ],
        0,
    );
    assert_eq!(ok["verified"], true);
    assert_eq!(h(&s(&ok, "hres_star")), hx);
    let mut bad = c.xres_star.clone();
    bad[0] ^= 1;
    let no = akma(
        &[
            "ausf",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--res-star",
            &hex::encode(&bad),
        ],
        1,
    );
    assert_eq!(no["verified"], false);
    // Another SNN changes everything but the AUTN.
    let other = akma(
        &[
            "ausf",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--snn",
            "5G:mnc002.mcc001.3gppnetwork.org",
        ],
        0,
    );
    assert_eq!(h(&s(&other, "autn")), c.autn);
    assert_ne!(h(&s(&other, "xres_star")), c.xres_star);
}

#[test]
fn aanf_derives_k_af_and_the_card_exchange() {
    let c = chain(RAND, SQN);
    let v = akma(
        &[
            "aanf",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--af-fqdn",
            "bike.example.org",
            "--expires",
            "4070908800",
            "--channel",
            "1",
            "--reveal",
        ],
        0,
    );
    assert_eq!(s(&v, "af_id"), BIKE_ID);
    assert_eq!(h(&s(&v, "k_af")), k_af(&c, &h(BIKE_ID)));
    assert_eq!(h(&s(&v, "k_akma")), c.k_akma);
    assert_eq!(v["expires"], 4_070_908_800u64);
    assert_eq!(
        s(&v, "card_apdu"),
        format!(
            "8150000021 8015{} 8608 00000000F2A52380 00",
            BIKE_ID.to_uppercase()
        )
        .replace(' ', "")
    );
    assert_eq!(
        s(&v, "card_response"),
        format!(
            "8150{}860800000000F2A523809000",
            hex::encode_upper(c.a_kid.as_bytes())
        )
    );
    // The same from K_AUSF; other RIDs change the A-KID only.
    let k = akma(
        &[
            "aanf",
            "--k-ausf",
            &hex::encode(&c.k_ausf),
            "--af-id",
            BIKE_ID,
            "--reveal",
        ],
        0,
    );
    assert_eq!(s(&k, "k_af"), s(&v, "k_af"));
    let r = akma(
        &["aanf", "--k-ausf", &hex::encode(&c.k_ausf), "--rid", "42"],
        0,
    );
    assert!(s(&r, "a_kid").starts_with("42."));
    // Without --reveal: no key bytes.
    let quiet = akma(
        &[
            "aanf",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--af-fqdn",
            "bike.example.org",
        ],
        0,
    );
    assert!(!quiet.to_string().contains(&s(&v, "k_af")));
    assert!(!quiet.to_string().contains(&hex::encode(&c.k_akma)));
}

#[test]
fn af_operations_agree_with_the_formulas() {
    let c = chain(RAND, SQN);
    let k = k_af(&c, &h(BIKE_ID));
    let base = [
        "--rand",
        RAND,
        "--sqn",
        SQN,
        "--af-fqdn",
        "bike.example.org",
    ];
    let af = |args: &[&str], code: i32| akma(&[&["af"], &base[..], args].concat(), code);
    let m = af(&["mac", "--purpose", "ride", "--message", "start"], 0);
    assert_eq!(
        h(&s(&m, "mac")),
        hmac(&api_key(&k, "mac", 1, b"ride"), &[b"start"])
    );
    assert_eq!(s(&m, "a_kid"), c.a_kid);
    assert!(s(&m, "card_apdu").starts_with("80440100"));
    let good = af(
        &[
            "verify",
            "--purpose",
            "ride",
            "--message",
            "start",
            "--mac",
            &s(&m, "mac"),
        ],
        0,
    );
    assert_eq!(good["verified"], true);
    let mut bad = h(&s(&m, "mac"));
    bad[3] ^= 4;
    af(
        &[
            "verify",
            "--purpose",
            "ride",
            "--message",
            "start",
            "--mac",
            &hex::encode(&bad),
        ],
        1,
    );
    // Encrypt, then decrypt (and a tampered tag).
    let e = af(
        &[
            "encrypt",
            "--purpose",
            "p",
            "--plaintext",
            "hello",
            "--iv",
            "000102030405060708090A0B0C0D0E0F",
        ],
        0,
    );
    let d = af(
        &[
            "decrypt",
            "--purpose",
            "p",
            "--iv",
            &s(&e, "iv"),
            "--ciphertext",
            &s(&e, "ciphertext"),
            "--tag",
            &s(&e, "tag"),
        ],
        0,
    );
    assert_eq!(s(&d, "plaintext_text"), "hello");
    let mut t = h(&s(&e, "tag"));
    t[0] ^= 1;
    af(
        &[
            "decrypt",
            "--purpose",
            "p",
            "--iv",
            &s(&e, "iv"),
            "--ciphertext",
            &s(&e, "ciphertext"),
            "--tag",
            &hex::encode(t),
        ],
        1,
    );
    // Proofs.
    let p = af(&["auth-card", "--challenge", "0011223344556677"], 0);
    assert_eq!(
        h(&s(&p, "card_proof")),
        hmac(&api_key(&k, "auth-card", 1, b""), &[&h("0011223344556677")])
    );
    let q = af(&["auth-server", "--challenge", "0011223344556677"], 0);
    assert_eq!(
        h(&s(&q, "server_proof")),
        hmac(
            &api_key(&k, "auth-server", 1, b""),
            &[&h("0011223344556677")]
        )
    );
    af(
        &[
            "auth-card",
            "--challenge",
            "0011223344556677",
            "--proof",
            &s(&q, "server_proof"),
        ],
        1,
    );
    // The same with --k-af, and over a stored secret (--key --name).
    let with_kaf = akma(
        &[
            "af",
            "--k-af",
            &hex::encode(&k),
            "--af-fqdn",
            "bike.example.org",
            "mac",
            "--purpose",
            "ride",
            "--message",
            "start",
        ],
        0,
    );
    assert_eq!(s(&with_kaf, "mac"), s(&m, "mac"));
    let st = akma(
        &[
            "af",
            "--key",
            "4170704B6579",
            "--name",
            "ak",
            "--af-fqdn",
            "bike.example.org",
            "--channel",
            "2",
            "mac",
            "--message",
            "x",
        ],
        0,
    );
    assert_eq!(
        h(&s(&st, "mac")),
        hmac(&api_key(&h("4170704B6579"), "mac", 1, b""), &[b"x"])
    );
    assert!(s(&st, "card_apdu").starts_with("82440100"));
    assert!(s(&st, "card_apdu").contains("8402616B"));
}

#[test]
fn kms_wraps_the_app_key() {
    let c = chain(RAND, SQN);
    let k = k_af(&c, &h(BIKE_ID));
    let base = [
        "kms",
        "--rand",
        RAND,
        "--sqn",
        SQN,
        "--af-fqdn",
        "bike.example.org",
    ];
    let v = akma(
        &[
            &base[..],
            &[
                "--app-key",
                "4170704B65792D62696B652D30303432",
                "--store-as",
                "bike-0042",
                "--iv",
                "000000000000000000000000000000A1",
                "--a-kid",
                &c.a_kid,
            ],
        ]
        .concat(),
        0,
    );
    assert_eq!(v["a_kid_verified"], true);
    assert_eq!(s(&v, "app_key"), "4170704b65792d62696b652d30303432");
    // The wrap by hand: AES-128-CTR under K_wrap-enc, HMAC under K_wrap-int.
    let iv = h("000000000000000000000000000000A1");
    let ki = api_key(&k, "wrap-int", 0x11, b"bike-0042");
    let ct = h(&s(&v, "ciphertext"));
    let tag = hmac(&ki, &[&0u64.to_be_bytes(), &iv, &ct]);
    assert_eq!(h(&s(&v, "tag")), tag[..16]);
    assert!(!v.to_string().contains(&hex::encode(&k)));
    // Another A-KID: exit 1. No AppKey given: a random one.
    akma(
        &[&base[..], &["--a-kid", "0.AAAA@x", "--app-key", "00"]].concat(),
        1,
    );
    let r1 = akma(&base, 0);
    let r2 = akma(&base, 0);
    assert_ne!(s(&r1, "app_key"), s(&r2, "app_key"));
}

#[test]
fn input_errors_exit_2() {
    for args in [
        vec!["aanf", "--rand", RAND],
        vec!["aanf", "--sqn", SQN],
        vec!["af", "--rand", RAND, "--sqn", SQN, "mac", "--message", "x"],
        vec!["ausf", "--rand", "00", "--sqn", SQN],
        vec!["ausf", "--rand", RAND, "--sqn", "000000000001"],
        vec!["aanf", "--k-ausf", "0011"],
        vec!["aanf", "--k-ausf", &"00".repeat(32), "--rid", "12345"],
        vec![
            "kms",
            "--k-af",
            &"00".repeat(32),
            "--af-fqdn",
            "a",
            "--key",
            "00",
        ],
    ] {
        let (c, _, err) = vusim(&[&["akma"][..], &args].concat());
        assert_eq!(c, 2, "{args:?}: {err}");
        assert!(err.starts_with("vusim: error: "), "{err}");
    }
}

/// `akma run --where me`: both methods pass, K_AUSF reaches EF_5GAUTHKEYS, no key without
/// `--reveal`; `--where uicc --auth eap-aka-prime` keeps K_AUSF in the card (K_aut and K_SEAF
/// cross);
/// `akma compare` lists the keys crossing the UICC–ME interface in each variant.
#[test]
fn run_in_the_me_and_compare() {
    for auth in ["5g-aka", "eap-aka-prime"] {
        let v = akma(&["run", "--where", "me", "--auth", auth], 0);
        assert_eq!(s(&v, "verdict"), "pass");
        assert_eq!(s(&v, "where"), "me");
        assert_eq!(s(&v, "auth"), auth);
        assert_eq!(v["k_ausf_match"], true);
        assert_eq!(v["ef_5gauthkeys_bytes_written"], 68);
        for k in ["k_ausf", "k_seaf", "k_akma", "k_af"] {
            assert!(v.get(k).is_none(), "{k} without --reveal");
        }
        let r = akma(&["run", "--where", "me", "--auth", auth, "--reveal"], 0);
        // K_AKMA, A-TID (in the A-KID) and K_AF follow from the revealed K_AUSF (TS 33.535).
        let k_ausf = h(&s(&r, "k_ausf"));
        let k_akma = kdf(&k_ausf, &[0x80], &[b"AKMA", SUPI.as_bytes()]);
        assert_eq!(h(&s(&r, "k_akma")), k_akma);
        let a_tid = kdf(&k_ausf, &[0x81], &[b"A-TID", SUPI.as_bytes()]);
        assert_eq!(
            s(&r, "a_kid"),
            format!("0.{}@5gc.mnc001.mcc001.3gppnetwork.org", b64(&a_tid))
        );
        assert_eq!(h(&s(&r, "k_af")), kdf(&k_akma, &[0x82], &[&h(BIKE_ID)]));
        assert_eq!(
            h(&s(&r, "k_seaf")),
            kdf(&k_ausf, &[0x6C], &[SNN.as_bytes()])
        );
    }
    let u = akma(
        &[
            "run",
            "--where",
            "uicc",
            "--auth",
            "eap-aka-prime",
            "--reveal",
        ],
        0,
    );
    assert_eq!(s(&u, "verdict"), "pass");
    assert_eq!(s(&u, "keys_uicc_to_me"), "K_aut, K_SEAF");
    let k_akma = kdf(&h(&s(&u, "k_ausf")), &[0x80], &[b"AKMA", SUPI.as_bytes()]);
    assert_eq!(h(&s(&u, "k_akma")), k_akma);
    let cmp = akma(&["compare"], 0);
    assert_eq!(s(&cmp, "me_5g_aka_keys_uicc_to_me"), "CK, IK");
    assert_eq!(s(&cmp, "me_5g_aka_keys_me_to_uicc"), "K_AUSF, K_SEAF");
    assert_eq!(s(&cmp, "me_eap_aka_prime_keys_uicc_to_me"), "CK, IK");
    assert_eq!(s(&cmp, "uicc_5g_aka_keys_uicc_to_me"), "K_SEAF");
    assert_eq!(s(&cmp, "uicc_5g_aka_keys_me_to_uicc"), "none");
    assert_eq!(
        s(&cmp, "uicc_eap_aka_prime_keys_uicc_to_me"),
        "K_aut, K_SEAF"
    );
    assert_eq!(s(&cmp, "verdict"), "pass");
}

#[test]
fn run_end_to_end() {
    let v = akma(&["run"], 0);
    assert_eq!(s(&v, "verdict"), "pass");
    for k in [
        "res_star_verified",
        "k_seaf_match",
        "a_kid_match",
        "card_mac_verified_by_af",
        "af_mac_verified_by_card",
        "card_ciphertext_opened_by_af",
        "af_ciphertext_opened_by_card",
        "card_authenticated",
        "af_authenticated",
        "app_key_delivered_and_used",
    ] {
        assert_eq!(v[k], true, "{k}");
    }
    // On a card file: the second run continues the SQN (the AuC state is FILE.hss).
    let dir = std::env::temp_dir().join(format!("vusim-akma-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let card = dir.join("card.toml");
    std::fs::write(&card, vusim_applet::profile::DEFAULT_PROFILE).unwrap();
    let path = card.display().to_string();
    let a = akma(&["run", "--card", &path], 0);
    let b = akma(&["run", "--card", &path, "--af", "shop.example.org"], 0);
    assert!(b["sqn"].as_u64() > a["sqn"].as_u64());
    // --trace prints the APDUs to stderr.
    let (c, _, err) = vusim(&["akma", "run", "--trace", "--card", &path]);
    assert_eq!(c, 0);
    assert!(err.contains("> 008800874310"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The network-side values `examples/api-bike.script` expects are what `vusim akma` computes.
#[test]
fn example_script_holds_the_network_values() {
    let script = repo("examples/api-bike.script");
    let up = |v: &Value, k: &str| s(v, k).to_uppercase();
    let base = [
        "--rand",
        RAND,
        "--sqn",
        SQN,
        "--af-fqdn",
        "bike.example.org",
        "--channel",
        "1",
    ];
    let ausf = akma(&["ausf", "--rand", RAND, "--sqn", SQN, "--reveal"], 0);
    for k in ["autn", "xres_star", "k_seaf"] {
        assert!(script.contains(&up(&ausf, k)), "{k}");
    }
    assert!(script.contains(&hex::encode_upper(s(&ausf, "a_kid"))));
    for (args, key) in [
        (
            vec![
                "af",
                "auth-card",
                "--purpose",
                "rent",
                "--challenge",
                "52454E542D4348414C4C454E47452D31",
            ],
            "card_proof",
        ),
        (
            vec![
                "af",
                "auth-server",
                "--purpose",
                "rent",
                "--challenge",
                "3AA77E9153FD9CAA2EB0015C60F608A8",
            ],
            "server_proof",
        ),
        (
            vec![
                "af",
                "encrypt",
                "--purpose",
                "receipt",
                "--plaintext",
                "ride 17 min, 1.20 EUR",
                "--iv",
                "000000000000000000000000000000B2",
            ],
            "ciphertext",
        ),
        (
            vec![
                "af",
                "encrypt",
                "--purpose",
                "report",
                "--plaintext",
                "end ride bike-0042",
                "--iv",
                "1ECC5B189FAA42EE52F1AEC6BF683A57",
            ],
            "tag",
        ),
        (
            vec![
                "kms",
                "--app-key",
                "4170704B65792D62696B652D30303432",
                "--store-as",
                "bike-0042",
                "--iv",
                "000000000000000000000000000000A1",
            ],
            "ciphertext",
        ),
    ] {
        let v = akma(&[&args[..], &base[..]].concat(), 0);
        assert!(script.contains(&up(&v, key)), "{key} {args:?}");
    }
    let key = [
        "--key",
        "4170704B65792D62696B652D30303432",
        "--name",
        "bike-0042",
        "--af-fqdn",
        "bike.example.org",
    ];
    let unlock = akma(
        &[
            &["af", "auth-card"][..],
            &key,
            &[
                "--purpose",
                "unlock",
                "--challenge",
                "42494B452D4C4F434B2D4E4F4E43452D",
            ],
        ]
        .concat(),
        0,
    );
    assert!(script.contains(&up(&unlock, "card_proof")));
    let status = akma(
        &[
            &["af", "mac"][..],
            &key,
            &["--purpose", "status", "--message", "unlocked bike-0042"],
        ]
        .concat(),
        0,
    );
    assert!(script.contains(&up(&status, "mac")));
}
