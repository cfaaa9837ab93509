//! `vusim iot` (docs/api/iot.md §11): the HSS/AS values against an independent HMAC-SHA-256
//! computation of the seed-scheme formulas (FC FF E0–FF E3), the tag t in both directions, the
//! K_app operations, key bytes only with `--reveal`, exit codes, the values
//! `examples/api-iot.script` expects, and `vusim iot run` end to end.

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

fn iot(args: &[&str], code: i32) -> Value {
    let (c, out, err) = vusim(&[&["iot"], args, &["--json"]].concat());
    assert_eq!(c, code, "iot {args:?}\nstdout {out}\nstderr {err}");
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

const RAND: &str = "9F7C8D4A2E1B3C5D6E7F8091A2B3C4D5";
const SQN: &str = "000000000021";
const AS_ID: &str = "as.iot.example.org";
const GUTI: &str = "00F110010041C0FFEE42";
const R1: &str = "000102030405060708090A0B0C0D0E0F";
const R2: &str = "0F0E0D0C0B0A09080706050403020100";

struct Keys {
    ck: String,
    ik: String,
    autn: String,
    ks: Vec<u8>,
    ks_as_enc: Vec<u8>,
    ks_as_int: Vec<u8>,
}

fn keys() -> Keys {
    let (c, out, err) = vusim(&[
        "calc",
        "milenage",
        "--k",
        "465B5CE8B199B49FAA5F0A2EE238A6BC",
        "--opc",
        "CD63CB71954A9F4E48A5994E37A02BAF",
        "--rand",
        RAND,
        "--sqn",
        SQN,
        "--amf",
        "8000",
        "--json",
    ]);
    assert_eq!(c, 0, "{err}");
    let m: Value = serde_json::from_str(out.trim()).unwrap();
    let ks = kdf(
        &[h(&s(&m, "ck")), h(&s(&m, "ik"))].concat(),
        &[0xFF, 0xE0],
        &[b"End-to-End_IOT"],
    );
    let ks_as = kdf(&ks, &[0xFF, 0xE1], &[AS_ID.as_bytes()]);
    Keys {
        ck: s(&m, "ck"),
        ik: s(&m, "ik"),
        autn: s(&m, "autn"),
        ks_as_enc: kdf(&ks_as, &[0xFF, 0xE2], &[b"Ks_AS_enc"]),
        ks_as_int: kdf(&ks_as, &[0xFF, 0xE2], &[b"Ks_AS_int"]),
        ks,
    }
}

fn t(k: &Keys, r: &str) -> Vec<u8> {
    hmac(&k.ks_as_int, &[&h(GUTI), &h(r)])[..8].to_vec()
}

fn k_app(k: &Keys, r: &str) -> Vec<u8> {
    kdf(&k.ks_as_enc, &[0xFF, 0xE3], &[&h(r)])
}

#[test]
fn as_side_tags_and_card_apdus() {
    let k = keys();
    let net = [
        "--rand", RAND, "--sqn", SQN, "--as-id", AS_ID, "--guti", GUTI,
    ];
    let v = iot(&[&["as"][..], &net, &["--rand-as", R1]].concat(), 0);
    assert_eq!(s(&v, "autn"), k.autn);
    assert_eq!(h(&s(&v, "t")), t(&k, R1));
    assert!(s(&v, "card_auth_apdu").starts_with(&format!("0088008743 10{RAND}").replace(' ', "")));
    let as_hex = hex::encode_upper(AS_ID);
    assert_eq!(
        s(&v, "card_tag_apdu"),
        format!("8050000032 8012{as_hex} 9B0A{GUTI} 9610{R1} 00").replace(' ', "")
    );
    assert_eq!(
        s(&v, "card_verify_apdu"),
        format!(
            "805001003C 8012{as_hex} 9B0A{GUTI} 9610{R1} 9308{}",
            hex::encode_upper(t(&k, R1))
        )
        .replace(' ', "")
    );
    // The 3G context APDU instead.
    let g = iot(
        &[&["as"][..], &net, &["--rand-as", R1, "--context", "3g"]].concat(),
        0,
    );
    assert!(s(&g, "card_auth_apdu").starts_with("0088008122"));
    // The card's tag: verified; another: exit 1.
    let ok = iot(
        &[
            &["as"][..],
            &net,
            &["--rand-as", R1, "--t", &hex::encode(t(&k, R1))],
        ]
        .concat(),
        0,
    );
    assert_eq!(ok["verified"], true);
    let no = iot(
        &[
            &["as"][..],
            &net,
            &["--rand-as", R1, "--t", &hex::encode(t(&k, R2))],
        ]
        .concat(),
        1,
    );
    assert_eq!(no["verified"], false);
    // Keys only with --reveal; the same from CK/IK.
    assert!(!v.to_string().contains(&hex::encode(&k.ks)));
    let r = iot(
        &[&["as"][..], &net, &["--rand-as", R1, "--reveal"]].concat(),
        0,
    );
    assert_eq!(h(&s(&r, "ks")), k.ks);
    assert_eq!(h(&s(&r, "ks_as_int")), k.ks_as_int);
    assert_eq!(h(&s(&r, "k_app")), k_app(&k, R1));
    let c = iot(
        &[
            "as",
            "--ck",
            &k.ck,
            "--ik",
            &k.ik,
            "--as-id",
            AS_ID,
            "--guti",
            GUTI,
            "--rand-as",
            R1,
        ],
        0,
    );
    assert_eq!(s(&c, "t"), s(&v, "t"));
    assert!(c.get("card_auth_apdu").is_none());
}

#[test]
fn app_operations_with_k_app() {
    let k = keys();
    let base = [
        "--rand",
        RAND,
        "--sqn",
        SQN,
        "--as-id",
        AS_ID,
        "--rand-as",
        R2,
    ];
    let m = iot(
        &[
            &["app"][..],
            &base,
            &["mac", "--purpose", "cmd", "--message", "open valve 3"],
        ]
        .concat(),
        0,
    );
    let kmac = kdf(&k_app(&k, R2), &[0xFF, 0xE8], &[b"mac", &[1], b"cmd"]);
    assert_eq!(h(&s(&m, "mac")), hmac(&kmac, &[b"open valve 3"]));
    assert!(s(&m, "card_apdu").starts_with("80440100"));
    let with_key = iot(
        &[
            "app",
            "--k-app",
            &hex::encode(k_app(&k, R2)),
            "--as-id",
            AS_ID,
            "mac",
            "--purpose",
            "cmd",
            "--message",
            "open valve 3",
        ],
        0,
    );
    assert_eq!(s(&with_key, "mac"), s(&m, "mac"));
    let e = iot(
        &[
            &["app"][..],
            &base,
            &["encrypt", "--plaintext", "fw", "--iv", R1],
        ]
        .concat(),
        0,
    );
    let d = iot(
        &[
            &["app"][..],
            &base,
            &[
                "decrypt",
                "--iv",
                &s(&e, "iv"),
                "--ciphertext",
                &s(&e, "ciphertext"),
                "--tag",
                &s(&e, "tag"),
            ],
        ]
        .concat(),
        0,
    );
    assert_eq!(s(&d, "plaintext_text"), "fw");
    iot(
        &[
            &["app"][..],
            &base,
            &["verify", "--message", "x", "--mac", &"00".repeat(32)],
        ]
        .concat(),
        1,
    );
    // The IoT API has no proofs or wrapping; bad input is exit 2.
    for args in [
        vec![
            "app",
            "--k-app",
            &"00".repeat(32)[..],
            "--as-id",
            AS_ID,
            "auth-card",
            "--challenge",
            "0011223344556677",
        ],
        vec![
            "as",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--as-id",
            AS_ID,
            "--guti",
            "0011",
            "--rand-as",
            R1,
        ],
        vec![
            "as",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--as-id",
            AS_ID,
            "--guti",
            GUTI,
            "--rand-as",
            "0011",
        ],
        vec![
            "as",
            "--rand",
            RAND,
            "--as-id",
            AS_ID,
            "--guti",
            GUTI,
            "--rand-as",
            R1,
        ],
        vec![
            "as",
            "--rand",
            RAND,
            "--sqn",
            SQN,
            "--guti",
            GUTI,
            "--rand-as",
            R1,
        ],
    ] {
        let (c, _, err) = vusim(&[&["iot"][..], &args].concat());
        assert_eq!(c, 2, "{args:?}: {err}");
    }
}

#[test]
fn run_end_to_end() {
    let v = iot(&["run"], 0);
    assert_eq!(s(&v, "verdict"), "pass");
    assert_eq!(s(&v, "context"), "5g-akma");
    for k in [
        "card_tag_verified_by_as",
        "as_tag_verified_by_card",
        "replay_refused",
        "card_mac_verified_by_as",
        "as_ciphertext_opened_by_card",
    ] {
        assert_eq!(v[k], true, "{k}");
    }
    // A card without the 5G AKMA context runs the 3G one.
    let dir = std::env::temp_dir().join(format!("vusim-iot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let card = dir.join("card.toml");
    let text =
        vusim_applet::profile::DEFAULT_PROFILE.replace("[akma]\n", "[akma]\ncontext = false\n");
    std::fs::write(&card, text).unwrap();
    let v = iot(&["run", "--card", &card.display().to_string()], 0);
    assert_eq!(s(&v, "context"), "3g");
    assert_eq!(s(&v, "verdict"), "pass");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `vusim iot run` with both variants and both refreshes: the verdict and checks, the exact
/// status words of the refusals after a refresh, the hops on stderr with `--trace`, and a
/// private key that does not match the card's AS key refused as an input error.
#[test]
fn run_variants_and_refreshes() {
    for (variant, second) in [
        ("plain", "as_tag_verified_by_card"),
        ("certificate", "as_key_confirmed_by_card"),
    ] {
        for refresh in ["ue", "as"] {
            let v = iot(&["run", "--variant", variant, "--refresh", refresh], 0);
            assert_eq!(s(&v, "verdict"), "pass", "{v}");
            assert_eq!(s(&v, "variant"), variant);
            assert_eq!(s(&v, "refresh_started_by"), refresh);
            assert_eq!(s(&v, "old_k_app_sw"), "6A88");
            assert_eq!(s(&v, "old_ks_as_tag_sw"), "9862");
            assert_eq!(s(&v, "old_ks_reference_sw"), "6A88");
            for k in [
                "card_tag_verified_by_as",
                second,
                "replay_refused",
                "old_guti_refused_by_mme",
                "old_k_app_refused_by_card",
                "old_ks_as_tag_refused_by_card",
                "old_ks_reference_refused_by_card",
                "card_holds_only_the_new_ks",
                "k_app_replaced",
                "old_k_app_no_longer_verifies",
                "card_mac_verified_by_as_after_refresh",
            ] {
                assert_eq!(v[k], true, "{variant} {refresh} {k}");
            }
            assert_ne!(s(&v, "guti"), s(&v, "guti_after_refresh"));
        }
    }
    let (c, out, err) = vusim(&["iot", "run", "--variant", "certificate", "--trace"]);
    assert_eq!(c, 0, "{out}\n{err}");
    for hop in [
        "-- HSS -> MME: Authentication Information Answer (RAND, AUTN, XRES*, Ks)",
        "-- MME -> ME: Attach Accept (GUTI)",
        "-- ME -> UICC: IOT KEY P1 02 (AS_ID, GUTI)",
        "-- UICC -> ME: (C, t) · SW 9000",
        "-- ME -> AS: Key Request (GUTI, C, t)",
        "-- AS -> SCEF: Ks_AS Request (GUTI, AS_ID)",
        "-- SCEF -> MME: Ks_AS Request (GUTI, AS_ID)",
        "-- MME -> SCEF: Ks_AS Answer (Ks_AS)",
        "-- SCEF -> AS: Ks_AS Answer (Ks_AS)",
    ] {
        assert!(err.contains(hop), "{hop} not in\n{err}");
    }
    assert!(err.contains("> 81500200"), "the APDU trace is on: {err}");
    let (c, _, err) = vusim(&[
        "iot",
        "run",
        "--variant",
        "certificate",
        "--as-private-key",
        &"07".repeat(32),
    ]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("does not match"), "{err}");
}

/// The longest run of hex digits in `text`, counted by hand.
fn hex_run(text: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for b in text.bytes() {
        if b.is_ascii_hexdigit() {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// `vusim iot run … --reveal --json --diagram D.mmd --diagram D.svg`: the report and both texts.
fn run_with_diagrams(args: &[&str], name: &str) -> (Value, String, String) {
    let dir = std::env::temp_dir().join(format!("vusim-iot-diagram-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mmd, svg) = (dir.join("d.mmd"), dir.join("d.svg"));
    let (m, sv) = (mmd.display().to_string(), svg.display().to_string());
    let v = iot(
        &[
            &["run", "--reveal"][..],
            args,
            &["--diagram", &m, "--diagram", &sv],
        ]
        .concat(),
        0,
    );
    let texts = (
        std::fs::read_to_string(&mmd).unwrap(),
        std::fs::read_to_string(&svg).unwrap(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    (v, texts.0, texts.1)
}

/// `--diagram` on `vusim iot run`: the six roles of solution #11 as participants, the hops of
/// the actual run (the SCEF pulling Ks_AS from the MME, the refresh and the card's refusals),
/// and none of the run's values — Ks and K_app as `--reveal` prints them, the GUTIs — nor any
/// 16-digit hex run.
#[test]
fn run_diagram_names_the_roles_and_no_key() {
    let (v, mmd, svg) = run_with_diagrams(&["--variant", "certificate", "--refresh", "as"], "c");
    assert_eq!(s(&v, "verdict"), "pass");
    assert!(mmd.starts_with("---\ntitle: \"IoT end-to-end keys, certificate variant, refresh by the AS (TR 33.863 Rel-14 solution #11, study)\""), "{mmd}");
    for (id, name) in [
        ("UICC", "UICC"),
        ("ME", "ME"),
        ("MME", "MME"),
        ("HSS_AuC", "HSS/AuC"),
        ("SCEF", "SCEF"),
        ("AS", "AS"),
    ] {
        assert!(
            mmd.contains(&format!("    participant {id} as {name}\n")),
            "{name}:\n{mmd}"
        );
        assert!(
            svg.contains(&format!("font-weight=\"bold\">{name}</text>")),
            "{name} not drawn"
        );
    }
    for line in [
        "    HSS_AuC-->>MME: Authentication Information Answer (RAND, AUTN, XRES*, Ks)\n",
        "    MME-->>ME: Attach Accept (GUTI)\n",
        "    ME->>UICC: IOT KEY P1 02 (AS_ID, GUTI) on channel 1\n",
        "    UICC-->>ME: (C, t) · SW 9000\n",
        "    AS->>SCEF: Ks_AS Request (GUTI, AS_ID)\n",
        "    SCEF->>MME: Ks_AS Request (GUTI, AS_ID)\n",
        "    MME-->>SCEF: Ks_AS Answer (Ks_AS)\n",
        "    SCEF-->>AS: Ks_AS Answer (Ks_AS)\n",
        "    AS--xME: Key Reject (C seen before)\n",
        "    AS->>SCEF: Key Refresh Request (GUTI, AS_ID)\n",
        "    SCEF->>MME: Re-authentication Request (GUTI)\n",
        "    MME--xSCEF: Ks_AS Reject (unknown GUTI)\n",
        "    UICC--xME: SW 6A88\n",
        "    UICC--xME: SW 9862\n",
        "    ME->>UICC: IOT KEY P1 00 (AS_ID, GUTI, RAND_AS, old Ks reference) on channel 1\n",
    ] {
        assert!(mmd.contains(line), "{line} missing:\n{mmd}");
    }
    assert_eq!(mmd.matches("ME->>UICC: AUTHENTICATE P2 87").count(), 2);
    let mut values = Vec::new();
    for k in ["ks", "k_app", "guti", "guti_after_refresh"] {
        let x = s(&v, k);
        assert!(x.len() >= 20, "{k}: {x}");
        values.push(x.to_lowercase());
        values.push(x.to_uppercase());
    }
    for x in &values {
        assert!(
            !mmd.contains(x.as_str()) && !svg.contains(x.as_str()),
            "{x} drawn"
        );
    }
    assert!(hex_run(&mmd) < 16 && hex_run(&svg) < 16);

    // The plain variant with the UE's refresh: the card's tag and the AS's, the old GUTI.
    let (v, mmd, _) = run_with_diagrams(&["--refresh", "ue"], "p");
    assert_eq!(s(&v, "verdict"), "pass");
    for line in [
        "    ME->>UICC: IOT KEY P1 00 (AS_ID, GUTI, RAND_AS) on channel 1\n",
        "    ME->>AS: Key Request (GUTI, RAND_AS, t)\n",
        "    AS-->>ME: Key Response (RAND_AS, t)\n",
        "    UICC--xME: SW 6985\n",
        "    ME->>MME: Attach Request (GUTI, key refresh)\n",
    ] {
        assert!(mmd.contains(line), "{line} missing:\n{mmd}");
    }
    assert!(hex_run(&mmd) < 16);
}

/// The example in docs/diagrams/ is what `vusim iot run` draws today on the default card.
#[test]
fn documented_diagram_is_current() {
    let (_, mmd, svg) = run_with_diagrams(&["--variant", "certificate", "--refresh", "as"], "docs");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagrams");
    for (text, file) in [
        (mmd, "iot-certificate-refresh-as.mmd"),
        (svg, "iot-certificate-refresh-as.svg"),
    ] {
        let path = repo.join(file);
        if std::env::var_os("VUSIM_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        assert_eq!(
            text,
            std::fs::read_to_string(&path).unwrap(),
            "regenerate docs/diagrams/{file}"
        );
    }
}

/// The network-side values `examples/api-iot.script` expects are what `vusim iot` computes.
#[test]
fn example_script_holds_the_network_values() {
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/api-iot.script"),
    )
    .unwrap();
    let up = |v: &Value, k: &str| s(v, k).to_uppercase();
    let net = ["--rand", RAND, "--sqn", SQN, "--as-id", AS_ID];
    for r in [R1, R2] {
        let v = iot(
            &[&["as"][..], &net, &["--guti", GUTI, "--rand-as", r]].concat(),
            0,
        );
        assert!(script.contains(&up(&v, "t")), "t for {r}");
        assert!(script.contains(&up(&v, "autn")));
    }
    let k = [&net[..], &["--rand-as", R2]].concat();
    for (args, key) in [
        (
            vec!["mac", "--purpose", "cmd", "--message", "open valve 3"],
            "mac",
        ),
        (
            vec![
                "mac",
                "--purpose",
                "telemetry",
                "--message",
                "meter 0042: 17.3 m3",
            ],
            "mac",
        ),
        (
            vec![
                "encrypt",
                "--purpose",
                "fw",
                "--plaintext",
                "fw-key 7F3A",
                "--iv",
                "000000000000000000000000000000C1",
            ],
            "ciphertext",
        ),
        (
            vec![
                "encrypt",
                "--purpose",
                "telemetry",
                "--plaintext",
                "alarm: door open",
                "--iv",
                "9403E9A015E2FF3BF706049C9196F3B4",
            ],
            "tag",
        ),
    ] {
        let v = iot(&[&["app"][..], &k, &args].concat(), 0);
        assert!(script.contains(&up(&v, key)), "{key} {args:?}");
    }
}
