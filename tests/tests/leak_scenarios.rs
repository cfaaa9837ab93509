//! No key of the experimental API scenarios leaves the card or the network side's default
//! output: every `examples/api-*.script` (GBA_U API: bootstrap, door lock, V2X, third-party e2e;
//! AKMA: shared bike; IoT) and `examples/applet-*.script` (the door-lock and V2X card applets on
//! the GBA_U key service) through the `vusim` binary, in text and `--json`, the AKMA and IoT
//! network commands without `--reveal`, and `vusim akma run` / `vusim iot run` with `--trace`
//! and `--json` on a card file — every stdout and stderr scanned for Ks (CK ‖ IK), Ks_int_NAF,
//! e2e_key, K_AUSF, K_AKMA, K_AF, the IoT Ks, Ks_AS and K_app, in upper- and lower-case hex, with
//! and without blanks between bytes, whole and in 8-byte pieces.
//!
//! The keys of the scripted scenarios are computed here independently from the spec formulas
//! with HMAC-SHA-256 (TS 33.220 B.2 KDF and B.3 NAF keys, TS 33.501 A.2, TS 33.535 A.2/A.4, the
//! seed scheme's FF E0–FF E4); MILENAGE (checked against TS 35.208 elsewhere) gives CK, IK and
//! AK. The keys of the random `run` sessions are read back from the card file, which holds them.
//! Each scenario is shown to have used its keys: the scripts' expectations are network-side
//! values derived from them, and the runs end with `verdict: pass`.
//!
//! The binary is the workspace's `target/<profile>/vusim` (`vusim_integration::bin`).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failure is a test failure

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use vusim_applet::crypto::keys::{Key128, Opc};
use vusim_applet::crypto::milenage::Milenage;
use vusim_applet::profile::{Profile, DEFAULT_PROFILE};
use vusim_integration::bin::{root, vusim_bin, TempDir};

/// One invocation: what ran, its exit code and everything it printed.
struct Output {
    what: String,
    code: i32,
    text: String,
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new(vusim_bin())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Output {
        what: args.join(" "),
        code: o.status.code().unwrap_or(-1),
        text: format!(
            "{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The keys, from the formulas.

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().to_vec()
}

/// TS 33.220 B.2.
fn kdf(key: &[u8], fc: &[u8], params: &[&[u8]]) -> Vec<u8> {
    let mut s = fc.to_vec();
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&(p.len() as u16).to_be_bytes());
    }
    hmac(key, &[&s])
}

const IMPI: &str = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
const SUPI: &str = "001010123456789";
const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";
const UA: [u8; 5] = [1, 0, 0, 0, 2];

/// CK ‖ IK and SQN ⊕ AK of test set 1's K/OPc for a RAND and SQN.
fn aka(rand: &str, sqn: u64) -> (Vec<u8>, Vec<u8>) {
    let m = Milenage::new(
        &Key128::from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC").unwrap(),
        &Opc::from_hex("CD63CB71954A9F4E48A5994E37A02BAF").unwrap(),
    );
    let k = m.f2345(&hex::decode(rand).unwrap().try_into().unwrap());
    let sqn_xor_ak = sqn.to_be_bytes()[2..]
        .iter()
        .zip(&k.ak)
        .map(|(a, b)| a ^ b)
        .collect();
    ([k.ck.as_bytes(), k.ik.as_bytes()].concat(), sqn_xor_ak)
}

type Needles = Vec<(String, Vec<u8>)>;

/// The GBA_U API scenarios (api-gba-bootstrap, door lock, V2X, e2e) with their fixed RAND.
fn gba_keys(n: &mut Needles) {
    gba_keys_for(n, "23553CBE9637A89D218AE64DAE47BF35");
}

/// Ks and every Ks_int_NAF (and e2e_key) of a GBA_U bootstrap with `rand`.
fn gba_keys_for(n: &mut Needles, rand: &str) {
    let (ks, _) = aka(rand, 0);
    n.push((format!("Ks (GBA, RAND {rand})"), ks.clone()));
    for naf in ["lock.example.org", "v2x.example.org", "e2e.example.org"] {
        let id = [naf.as_bytes(), &UA].concat();
        let int = kdf(
            &ks,
            &[0x01],
            &[b"gba-u", &hex::decode(rand).unwrap(), IMPI.as_bytes(), &id],
        );
        let e2e = kdf(
            &int,
            &[0xFF, 0xE4],
            &[&hex::decode("000102030405060708090A0B0C0D0E0F").unwrap()],
        );
        n.push((format!("Ks_int_NAF {naf}"), int));
        n.push((format!("e2e_key {naf}"), e2e));
    }
}

/// The RANDs the network side handed out in a run (`net gba-av` sets `rand`: the text line
/// `  rand = HEX`, the JSON member `"rand":"HEX"`).
fn net_rands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(r) = line.trim().strip_prefix("rand = ") {
            out.push(r.to_string());
        }
        let mut rest = line;
        while let Some(i) = rest.find("\"rand\":\"") {
            let tail = &rest[i + 8..];
            if let Some(end) = tail.find('"') {
                out.push(tail[..end].to_string());
            }
            rest = tail;
        }
    }
    out
}

/// K_AUSF and K_AKMA of one 5G AKA; K_AF for each AF.
fn akma_keys(n: &mut Needles, rand: &str, sqn: u64, afs: &[&str]) {
    let (ck_ik, sqn_xor_ak) = aka(rand, sqn);
    let k_ausf = kdf(&ck_ik, &[0x6A], &[SNN.as_bytes(), &sqn_xor_ak]);
    let k_akma = kdf(&k_ausf, &[0x80], &[b"AKMA", SUPI.as_bytes()]);
    for af in afs {
        let id = [af.as_bytes(), &UA].concat();
        n.push((format!("K_AF {af}"), kdf(&k_akma, &[0x82], &[&id])));
    }
    n.push((format!("CK‖IK {rand}"), ck_ik));
    n.push((format!("K_AUSF {rand}"), k_ausf));
    n.push((format!("K_AKMA {rand}"), k_akma));
}

/// The IoT scenario: its Ks, Ks_AS and the K_app keys.
fn iot_keys(n: &mut Needles) {
    let (ck_ik, _) = aka("9F7C8D4A2E1B3C5D6E7F8091A2B3C4D5", 0x21);
    let ks = kdf(&ck_ik, &[0xFF, 0xE0], &[b"End-to-End_IOT"]);
    let ks_as = kdf(&ks, &[0xFF, 0xE1], &[b"as.iot.example.org"]);
    let enc = kdf(&ks_as, &[0xFF, 0xE2], &[b"Ks_AS_enc"]);
    let int = kdf(&ks_as, &[0xFF, 0xE2], &[b"Ks_AS_int"]);
    for r in [
        "000102030405060708090A0B0C0D0E0F",
        "0F0E0D0C0B0A09080706050403020100",
    ] {
        n.push((
            format!("K_app {r}"),
            kdf(&enc, &[0xFF, 0xE3], &[&hex::decode(r).unwrap()]),
        ));
    }
    n.push(("Ks (IoT)".into(), ks));
    n.push(("Ks_AS".into(), ks_as));
    n.push(("Ks_AS_enc".into(), enc));
    n.push(("Ks_AS_int".into(), int));
}

/// The card's answers in a run's output: text lines `< HEX` and the `data`/`sw` members of
/// JSON `apdu` events.
fn card_answers(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("< ") {
            out.push_str(r);
            out.push('\n');
        } else if line.starts_with('{') && line.contains("\"type\":\"apdu\"") {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for k in ["data", "sw"] {
                out.push_str(v[k].as_str().unwrap_or_default());
            }
            out.push('\n');
        }
    }
    out
}

/// Every way `bytes` (or an 8-byte piece of it) could be printed.
fn forms(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for w in std::iter::once(bytes).chain(bytes.windows(8)) {
        let up = hex::encode_upper(w);
        let spaced: Vec<String> = w.iter().map(|b| format!("{b:02X}")).collect();
        out.push(up.clone());
        out.push(up.to_lowercase());
        out.push(spaced.join(" "));
        out.push(spaced.join(" ").to_lowercase());
        out.push(spaced.join(":"));
    }
    out
}

fn assert_clean(outputs: &[Output], needles: &Needles) {
    assert!(!needles.is_empty());
    for (what, key) in needles {
        assert!(key.len() >= 16, "{what}");
        for f in forms(key) {
            for o in outputs {
                assert!(
                    !o.text.contains(&f),
                    "`vusim {}` printed {what} ({f})",
                    o.what
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// Every experimental API example script, text and JSON: they pass, and print no key.
#[test]
fn scripted_scenarios_print_no_key() {
    let tmp = TempDir::new("leak-scripts");
    let dir = tmp.path().to_path_buf();
    let mut scripts: Vec<PathBuf> = fs::read_dir(root().join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                (n.starts_with("api-") || n.starts_with("applet-")) && n.ends_with(".script")
            })
        })
        .collect();
    scripts.sort();
    let names: Vec<String> = scripts
        .iter()
        .filter_map(|p| p.file_stem()?.to_str().map(String::from))
        .collect();
    for want in [
        "api-bike",
        "api-iot",
        "api-gba-bootstrap",
        "applet-door-lock",
        "applet-v2x",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
    }
    let mut outputs = Vec::new();
    for s in &scripts {
        let path = s.display().to_string();
        for json in [false, true] {
            let args: Vec<&str> = if json {
                vec!["run", "--json", &path]
            } else {
                vec!["run", &path]
            };
            let o = run(&dir, &args);
            assert_eq!(o.code, 0, "{}\n{}", o.what, o.text);
            outputs.push(o);
        }
    }
    let mut needles = Vec::new();
    gba_keys(&mut needles);
    akma_keys(
        &mut needles,
        "23553CBE9637A89D218AE64DAE47BF35",
        0x21,
        &["bike.example.org", "ads.example.org"],
    );
    akma_keys(&mut needles, "9F7C8D4A2E1B3C5D6E7F8091A2B3C4D5", 0x21, &[]);
    iot_keys(&mut needles);
    // The card-applet scenarios bootstrap with a fresh RAND from the network side every run:
    // the keys of each run's RAND.
    for o in outputs.iter().filter(|o| o.what.contains("applet-")) {
        let rands = net_rands(&o.text);
        assert!(!rands.is_empty(), "no RAND in `vusim {}`", o.what);
        for r in rands {
            gba_keys_for(&mut needles, &r);
        }
    }
    // CK ‖ IK of the bike AKA is also the GBA Ks (same RAND): one needle each is enough.
    assert_clean(&outputs, &needles);
    // What the V2X card applet received on its protected channel stays in the card: no card
    // answer carries it (the part after "EC-enrolment-": the credentials' name "enrolment" is
    // listed by GET INFO). The script itself plays the CA, so its own input may show.
    let answers: Vec<Output> = outputs
        .iter()
        .map(|o| Output {
            what: format!("{} (card answers)", o.what),
            code: o.code,
            text: card_answers(&o.text),
        })
        .collect();
    assert!(answers.iter().any(|o| o.text.contains("9000")));
    assert_clean(
        &answers,
        &vec![(
            "V2X enrolment credentials".into(),
            b"credential:OBU-0042;cert=3082".to_vec(),
        )],
    );
    let _ = fs::remove_dir_all(&dir);
}

/// The network side prints key bytes only when asked (`--reveal`).
#[test]
fn network_commands_print_no_key_by_default() {
    let tmp = TempDir::new("leak-network");
    let dir = tmp.path().to_path_buf();
    let bike = [
        "--rand",
        "23553CBE9637A89D218AE64DAE47BF35",
        "--sqn",
        "000000000021",
        "--af-fqdn",
        "bike.example.org",
    ];
    let iot = [
        "--rand",
        "9F7C8D4A2E1B3C5D6E7F8091A2B3C4D5",
        "--sqn",
        "000000000021",
        "--as-id",
        "as.iot.example.org",
    ];
    let r2 = ["--rand-as", "0F0E0D0C0B0A09080706050403020100"];
    let mut outputs = Vec::new();
    for args in [
        [&["akma", "ausf"][..], &bike[..4]].concat(),
        [&["akma", "aanf"][..], &bike].concat(),
        [&["akma", "af"][..], &bike, &["mac", "--message", "x"]].concat(),
        [
            &["akma", "af"][..],
            &bike,
            &[
                "encrypt",
                "--plaintext",
                "x",
                "--iv",
                "00000000000000000000000000000000",
            ],
        ]
        .concat(),
        [
            &["akma", "af"][..],
            &bike,
            &["auth-server", "--challenge", "0001020304050607"],
        ]
        .concat(),
        [
            &["akma", "kms"][..],
            &bike,
            &["--app-key", "00112233445566778899AABBCCDDEEFF"],
        ]
        .concat(),
        [
            &["iot", "as"][..],
            &iot,
            &r2,
            &["--guti", "00F110010041C0FFEE42"],
        ]
        .concat(),
        [&["iot", "app"][..], &iot, &r2, &["mac", "--message", "x"]].concat(),
    ] {
        for json in [false, true] {
            let mut a = args.clone();
            if json {
                a.push("--json");
            }
            let o = run(&dir, &a);
            assert_eq!(o.code, 0, "{}\n{}", o.what, o.text);
            outputs.push(o);
        }
    }
    let mut needles = Vec::new();
    akma_keys(
        &mut needles,
        "23553CBE9637A89D218AE64DAE47BF35",
        0x21,
        &["bike.example.org"],
    );
    akma_keys(&mut needles, "9F7C8D4A2E1B3C5D6E7F8091A2B3C4D5", 0x21, &[]);
    iot_keys(&mut needles);
    assert_clean(&outputs, &needles);
    // With --reveal they are there (so the scan above can see them).
    let o = run(&dir, &[&["akma", "aanf", "--reveal"][..], &bike].concat());
    let k_af = needles
        .iter()
        .find(|(w, _)| w == "K_AF bike.example.org")
        .unwrap();
    assert!(o.text.contains(&hex::encode(&k_af.1)), "{}", o.text);
    let _ = fs::remove_dir_all(&dir);
}

/// The C ports of the door-lock and V2X card applets (examples/applets/, loadable WebAssembly
/// applets installed with `vusim card install` on a card without the native ones): both
/// scenario scripts, text and JSON, print no key; `vusim card show` (redacted) shows neither
/// the door password nor the credentials they keep in their persistent store.
#[test]
fn loadable_c_card_applets_print_no_key() {
    let tmp = TempDir::new("leak-c-applets");
    let dir = tmp.path().to_path_buf();
    let mut outputs = Vec::new();
    let mut shows = Vec::new();
    for script in ["applet-door-lock", "applet-v2x"] {
        for json in [false, true] {
            let card = format!("{script}-{json}.toml");
            let o = run(
                &dir,
                &[
                    "card",
                    "new",
                    "--no-card-applets",
                    "--out",
                    &card,
                    "--k",
                    "465B5CE8B199B49FAA5F0A2EE238A6BC",
                    "--opc",
                    "CD63CB71954A9F4E48A5994E37A02BAF",
                ],
            );
            assert_eq!(o.code, 0, "{}", o.text);
            for m in ["door_lock.wasm", "v2x.wasm"] {
                let module = root()
                    .join("examples/applets")
                    .join(m)
                    .display()
                    .to_string();
                let o = run(
                    &dir,
                    &["card", "install", "--card", &card, "--module", &module],
                );
                assert_eq!(o.code, 0, "{}", o.text);
                outputs.push(o);
            }
            let path = root().join(format!("examples/{script}.script"));
            let path = path.display().to_string();
            let mut args = vec!["run", "--card", &card, &path];
            if json {
                args.insert(1, "--json");
            }
            let o = run(&dir, &args);
            assert_eq!(o.code, 0, "{}\n{}", o.what, o.text);
            outputs.push(o);
            shows.push(run(&dir, &["card", "show", &card]));
        }
    }
    // Each run bootstraps with a fresh RAND from the script's network side: its Ks and
    // Ks_int_NAFs.
    let mut needles = Vec::new();
    for o in outputs.iter().filter(|o| o.what.starts_with("run")) {
        let rands = net_rands(&o.text);
        assert!(!rands.is_empty(), "no RAND in `vusim {}`", o.what);
        for r in rands {
            gba_keys_for(&mut needles, &r);
        }
    }
    assert_clean(&outputs, &needles);
    // The credentials are the script's own input as the CA (and the door password is typed in
    // UNLOCK's 8F), so for them only the card's answers and `card show` are scanned
    // (cli/tests/c_applets.rs shows the applets kept both secrets in the card file).
    let credentials: Needles = vec![(
        "V2X enrolment credentials".into(),
        b"credential:OBU-0042;cert=3082".to_vec(),
    )];
    let answers: Vec<Output> = outputs
        .iter()
        .map(|o| Output {
            what: format!("{} (card answers)", o.what),
            code: o.code,
            text: card_answers(&o.text),
        })
        .collect();
    assert_clean(&answers, &credentials);
    needles.extend(credentials);
    assert_clean(&shows, &needles);
    let shown: String = shows.iter().map(|o| o.text.as_str()).collect();
    let password = hex::encode_upper(b"4711-front-door");
    assert!(
        !shown.contains(&password) && !shown.contains(&password.to_lowercase()),
        "{shown}"
    );
    assert!(shown.contains("store = \"<redacted>\""), "{shown}");
    let _ = fs::remove_dir_all(&dir);
}

/// `vusim akma run` and `vusim iot run` with --trace and --json on a card file: the keys of
/// these random sessions (as the card file holds them) never appear in the output, nor in
/// `vusim card show`.
/// `vusim akma run` and `vusim iot run` (both variants, both refreshes) with --trace and --json
/// on a card file: the keys of these random sessions (as the card file holds them) and the AS's
/// private key never appear in the output, nor in `vusim card show`.
#[test]
fn end_to_end_runs_print_no_key() {
    let tmp = TempDir::new("leak-runs");
    let dir = tmp.path().to_path_buf();
    fs::write(dir.join("card.toml"), DEFAULT_PROFILE).unwrap();
    let mut outputs = Vec::new();
    for args in [
        vec!["akma", "run", "--card", "card.toml", "--trace", "--json"],
        vec![
            "akma",
            "run",
            "--card",
            "card.toml",
            "--af",
            "shop.example.org",
            "--trace",
        ],
        vec!["iot", "run", "--card", "card.toml", "--trace", "--json"],
        vec!["iot", "run", "--card", "card.toml", "--trace"],
        vec![
            "iot",
            "run",
            "--card",
            "card.toml",
            "--variant",
            "certificate",
            "--refresh",
            "as",
            "--trace",
            "--json",
        ],
        vec![
            "iot",
            "run",
            "--card",
            "card.toml",
            "--variant",
            "certificate",
            "--refresh",
            "ue",
            "--trace",
        ],
    ] {
        let o = run(&dir, &args);
        assert_eq!(o.code, 0, "{}\n{}", o.what, o.text);
        assert!(o.text.contains("pass"), "{}", o.text);
        assert!(
            o.text.contains("> 0088008743"),
            "the trace is on: {}",
            o.text
        );
        outputs.push(o);
    }
    outputs.push(run(&dir, &["card", "show", "card.toml"]));
    let text = fs::read_to_string(dir.join("card.toml")).unwrap();
    let p = Profile::from_toml(&text, "card.toml").unwrap();
    let keys = p.state.unwrap().keys;
    let kinds: Vec<String> = keys.iter().map(|k| format!("{:?}", k.kind)).collect();
    for want in ["KAkma", "KAf", "AkmaStored", "IotKs", "IotKapp"] {
        assert!(kinds.iter().any(|k| k == want), "{want} not in {kinds:?}");
    }
    let mut needles: Needles = keys
        .iter()
        .map(|k| (format!("{:?}", k.kind), hex::decode(&k.key).unwrap()))
        .collect();
    // The AS's private key of the certificate variant (the published TS 33.501 C.4.4 test key,
    // vectors/suci.json) is the AS's alone.
    needles.push((
        "AS private key".into(),
        hex::decode("f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda").unwrap(),
    ));
    assert_clean(&outputs, &needles);
    let _ = fs::remove_dir_all(&dir);
}

/// AKMA in the ME (TS 33.535): the ME writes K_AUSF and K_SEAF to EF_5GAUTHKEYS; neither the
/// trace nor the report (without `--reveal`) nor `card show` prints them.
#[test]
fn akma_in_the_me_keeps_k_ausf_out_of_traces() {
    let tmp = TempDir::new("leak-akma-me");
    let dir = tmp.path().to_path_buf();
    fs::write(dir.join("card.toml"), DEFAULT_PROFILE).unwrap();
    let mut outputs = Vec::new();
    for auth in ["5g-aka", "eap-aka-prime"] {
        for json in [true, false] {
            let mut args = vec![
                "akma",
                "run",
                "--where",
                "me",
                "--auth",
                auth,
                "--card",
                "card.toml",
                "--trace",
            ];
            if json {
                args.push("--json");
            }
            let o = run(&dir, &args);
            assert_eq!(o.code, 0, "{}\n{}", o.what, o.text);
            assert!(
                o.text.contains("data withheld: K_AUSF, K_SEAF"),
                "{}",
                o.text
            );
            outputs.push(o);
        }
    }
    outputs.push(run(&dir, &["card", "show", "card.toml"]));
    // What the last run left in EF_5GAUTHKEYS (DF.5GS/4F05): 80 20 K_AUSF 81 20 K_SEAF.
    let text = fs::read_to_string(dir.join("card.toml")).unwrap();
    let p = Profile::from_toml(&text, "card.toml").unwrap();
    let ef = p.state.unwrap().files["USIM:5FC0/4F05"].clone();
    let ef = hex::decode(ef).unwrap();
    assert_eq!((ef[0], ef[1], ef[34], ef[35]), (0x80, 0x20, 0x81, 0x20));
    let needles: Needles = vec![
        ("K_AUSF".into(), ef[2..34].to_vec()),
        ("K_SEAF".into(), ef[36..68].to_vec()),
    ];
    assert_clean(&outputs, &needles);
    let _ = fs::remove_dir_all(&dir);
}
