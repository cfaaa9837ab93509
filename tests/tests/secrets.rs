//! Secrets never leave: a full session through the `vusim` binary — the modem attach script, the
//! GBA_U bootstrap and NAF derivation of examples/gba-bootstrap.script, `vusim send`, `vusim aka`,
//! `vusim gba bootstrap --trace --json`, `vusim card show` (without `--reveal`) and
//! `vusim run --json` — on the embedded test card and on a card with a random K, with every
//! stdout, stderr and trace line scanned for K, OPc, Ks (CK ‖ IK of each GBA vector) and
//! Ks_int_NAF (computed here independently with HMAC-SHA-256, TS 33.220 Annex B), in upper-
//! and lower-case hex, with and without blanks. Each key is shown to have been used (RES = XRES,
//! the card's Ks_ext_NAF equals the one derived here from Ks, the card file holds Ks and
//! Ks_int_NAF). Also: `Debug` of key types prints no bytes, key types have a destructor (they
//! derive `ZeroizeOnDrop`).
//!
//! The binary is the workspace's `vusim` (`vusim_integration::bin`: `target/<profile>/vusim`,
//! built on demand, or `VUSIM_BIN`).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

use std::fs;
use std::path::Path;
use std::process::Command;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use vusim_applet::crypto::keys::{Ck, DerivedKey, Ik, Key128, Ks, KsNaf, Opc};
use vusim_applet::crypto::milenage::Milenage;
use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_integration::bin::{vusim_bin, TempDir};

/// TS 35.208 test set 1, the embedded default card's K and OPc.
const K: &str = "465B5CE8B199B49FAA5F0A2EE238A6BC";
const OPC: &str = "CD63CB71954A9F4E48A5994E37A02BAF";
/// examples/gba-bootstrap.script.
const GBA_RAND: &str = "23553CBE9637A89D218AE64DAE47BF35";
const IMPI: &str = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
const NAF_FQDN: &str = "naf.example.org";
const UA_PROTOCOL: &str = "0100000002";
/// Ks_ext_NAF the example script expects from the card (and the NAF computes).
const KS_EXT_NAF: &str = "7A205CE786B14DAD6F28D1F8B39D74ABA2A172A3C134043BB036912E2036B610";

// ---------------------------------------------------------------------------------------------
// The binary.

/// One run of the binary: exit code and everything it printed.
struct Run {
    what: String,
    code: i32,
    stdout: String,
    stderr: String,
}

fn vusim(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(vusim_bin())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    Run {
        what: format!("vusim {}", args.join(" ")),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(run: Run) -> Run {
    assert_eq!(
        run.code, 0,
        "{} failed:\n{}\n{}",
        run.what, run.stdout, run.stderr
    );
    run
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// The keys, computed here.

fn hex16(h: &str) -> [u8; 16] {
    hex::decode(h).unwrap().try_into().unwrap()
}

/// Ks = CK ‖ IK of the GBA vector for `rand` (TS 33.220 §4.5.2).
fn ks(k: &str, opc: &str, rand: &[u8; 16]) -> Vec<u8> {
    let m = Milenage::new(&Key128::from_hex(k).unwrap(), &Opc::from_hex(opc).unwrap());
    let keys = m.f2345(rand);
    [keys.ck.as_bytes(), keys.ik.as_bytes()].concat()
}

/// The GBA KDF (TS 33.220 Annex B.2): HMAC-SHA-256(Ks, FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ …), FC = 01,
/// P0 = "gba-me" or "gba-u", P1 = RAND, P2 = IMPI, P3 = NAF_Id (FQDN ‖ Ua protocol id).
fn ks_naf(ks: &[u8], p0: &str, rand: &[u8], impi: &str, naf_id: &[u8]) -> Vec<u8> {
    let mut s = vec![0x01];
    for p in [p0.as_bytes(), rand, impi.as_bytes(), naf_id] {
        s.extend_from_slice(p);
        s.extend_from_slice(&u16::try_from(p.len()).unwrap().to_be_bytes());
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(ks).unwrap();
    mac.update(&s);
    mac.finalize().into_bytes().to_vec()
}

fn naf_id() -> Vec<u8> {
    [NAF_FQDN.as_bytes(), &hex::decode(UA_PROTOCOL).unwrap()].concat()
}

// ---------------------------------------------------------------------------------------------
// The scanner.

/// Secrets to look for, each in several spellings.
#[derive(Default)]
struct Needles(Vec<(String, Vec<String>)>);

impl Needles {
    fn add(&mut self, name: &str, secret: &[u8]) {
        // Degenerate needles would match by accident (or never): refuse them.
        assert!(secret.len() >= 16, "{name}: needle too short");
        assert!(
            secret.iter().any(|b| *b != secret[0]),
            "{name}: needle of one repeated byte"
        );
        let upper = hex::encode_upper(secret);
        for (other, spellings) in &self.0 {
            assert_ne!(spellings[0], upper, "{name} equals {other}");
        }
        let spaced: Vec<String> = secret.iter().map(|b| format!("{b:02X}")).collect();
        self.0.push((
            name.to_string(),
            vec![
                upper.clone(),
                upper.to_lowercase(),
                spaced.join(" "),
                spaced.join(" ").to_lowercase(),
                spaced.join(":"),
            ],
        ));
    }

    /// The names of the secrets found in `text`.
    fn found_in(&self, text: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(_, spellings)| spellings.iter().any(|s| text.contains(s.as_str())))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    fn assert_absent(&self, run: &Run) {
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            for line in text.lines() {
                let found = self.found_in(line);
                assert!(
                    found.is_empty(),
                    "{}: {stream} shows {found:?}:\n{line}",
                    run.what
                );
            }
            let found = self.found_in(text);
            assert!(found.is_empty(), "{}: {stream} shows {found:?}", run.what);
        }
    }
}

fn card_file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn json_field(line: &str, key: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        .to_string()
}

/// The secrets of a card file in the state: its `key = "…"` values and `ks = "…"`.
fn file_contains(path: &str, secret: &[u8]) -> bool {
    fs::read_to_string(path)
        .unwrap()
        .contains(&hex::encode_upper(secret))
}

/// `vusim gba bootstrap --trace --json` on `card`: the RAND it used, after checking its verdict.
fn gba_bootstrap(dir: &Path, card: &str, needles: &Needles, runs: &mut Vec<Run>) -> [u8; 16] {
    let r = ok(vusim(
        dir,
        &["gba", "bootstrap", "--card", card, "--trace", "--json"],
    ));
    let line = r.stdout.lines().last().unwrap().to_string();
    assert!(json_field(&line, "verdict").starts_with("pass"), "{line}");
    assert_eq!(json_field(&line, "res"), json_field(&line, "xres"));
    assert_eq!(
        json_field(&line, "card_ks_ext_naf"),
        json_field(&line, "naf_ks_ext_naf")
    );
    assert!(r.stderr.contains("AUTHENTICATE"), "--trace shows the APDUs");
    needles.assert_absent(&r);
    runs.push(r);
    hex16(&json_field(&line, "rand"))
}

#[test]
fn no_output_carries_k_opc_ks_or_ks_int_naf() {
    let dir = TempDir::new("secrets");
    let d = &dir.0;
    let mut needles = Needles::default();
    let mut runs: Vec<Run> = Vec::new();

    // The example's keys, computed here; Ks_ext_NAF must match what the example expects from
    // the card, which checks this KDF.
    let rand = hex16(GBA_RAND);
    let ks1 = ks(K, OPC, &rand);
    let ext1 = ks_naf(&ks1, "gba-me", &rand, IMPI, &naf_id());
    assert_eq!(hex::encode_upper(&ext1), KS_EXT_NAF, "KDF check");
    let int1 = ks_naf(&ks1, "gba-u", &rand, IMPI, &naf_id());
    needles.add("K", &hex::decode(K).unwrap());
    needles.add("OPc", &hex::decode(OPC).unwrap());
    needles.add("Ks (example)", &ks1);
    needles.add("Ks_int_NAF (example)", &int1);

    // Positive control: the scanner finds a secret where it is.
    let control = Run {
        what: "control".into(),
        code: 0,
        stdout: format!("x {} y", hex::encode(&int1)),
        stderr: String::new(),
    };
    assert_eq!(needles.found_in(&control.stdout), ["Ks_int_NAF (example)"]);

    // The scripted session, JSON and text, each on its own card file (the bootstrap consumes
    // an SQN). The scripts check RES, the B-TID and Ks_ext_NAF: K, OPc and Ks were used.
    let a = card_file(d, "a.toml", DEFAULT_PROFILE);
    let b = card_file(d, "b.toml", DEFAULT_PROFILE);
    let attach = example("modem-attach.script");
    let gba = example("gba-bootstrap.script");
    let r = ok(vusim(d, &["run", "--json", "--card", &a, &attach, &gba]));
    assert!(r.stdout.contains(KS_EXT_NAF), "the NAF derivation answered");
    assert!(r.stdout.contains("\"sw\":\"9000\""));
    runs.push(r);
    runs.push(ok(vusim(d, &["run", "--card", &b, &attach, &gba])));
    runs.push(ok(vusim(d, &["run", "--json", &attach, &gba])));
    // Ks and Ks_int_NAF exist: in the card file's state (where they belong).
    assert!(file_contains(&a, &ks1), "Ks saved in the card file");
    assert!(
        file_contains(&a, &int1),
        "Ks_int_NAF saved in the card file"
    );

    // vusim send: another NAF derivation with the saved Ks (Ks_ext_NAF out, 9000).
    let naf_apdu = {
        let id = naf_id();
        let mut data = vec![0xDE, id.len() as u8];
        data.extend_from_slice(&id);
        data.push(IMPI.len() as u8);
        data.extend_from_slice(IMPI.as_bytes());
        format!("00880084{:02X}{}00", data.len(), hex::encode_upper(&data))
    };
    let r = ok(vusim(
        d,
        &[
            "send",
            "--card",
            &a,
            "00A4040C07A0000000871002",
            "002000010831323334FFFFFFFF",
            &naf_apdu,
        ],
    ));
    assert!(
        r.stdout.contains(&format!("DB20{KS_EXT_NAF}")),
        "{}",
        r.stdout
    );
    runs.push(r);
    runs.push(ok(vusim(
        d,
        &[
            "send",
            "--json",
            "--card",
            &a,
            "00A4040C07A0000000871002",
            "002000010831323334FFFFFFFF",
            &naf_apdu,
        ],
    )));

    // vusim aka, text and JSON, with traces: RES = XRES proves K and OPc in use.
    for ctx in ["3g", "gsm", "5g"] {
        let r = ok(vusim(
            d,
            &["aka", "--card", &a, "--context", ctx, "--trace"],
        ));
        assert!(r.stdout.contains("verdict: pass"), "{}", r.stdout);
        runs.push(r);
        let r = ok(vusim(
            d,
            &["aka", "--card", &a, "--context", ctx, "--trace", "--json"],
        ));
        assert!(r.stdout.contains("\"verdict\":\"pass\""), "{}", r.stdout);
        runs.push(r);
    }
    // A resynchronisation (AUTS) too.
    runs.push(ok(vusim(
        d,
        &["aka", "--card", &a, "--sqn-ahead", "300000000", "--trace"],
    )));

    // vusim gba bootstrap: a new Ks and Ks_int_NAF, computed here from the RAND it reports.
    let rand2 = gba_bootstrap(d, &a, &needles, &mut runs);
    let ks2 = ks(K, OPC, &rand2);
    let int2 = ks_naf(&ks2, "gba-u", &rand2, IMPI, &naf_id());
    assert!(file_contains(&a, &ks2), "the bootstrap's Ks saved");
    assert!(file_contains(&a, &int2), "its Ks_int_NAF saved");
    needles.add("Ks (gba bootstrap)", &ks2);
    needles.add("Ks_int_NAF (gba bootstrap)", &int2);
    runs.push(ok(vusim(d, &["gba", "bootstrap", "--card", &a, "--trace"])));

    // vusim card show, without --reveal: everything redacted.
    let r = ok(vusim(d, &["card", "show", &a]));
    assert!(r.stdout.contains("<redacted>"));
    runs.push(r);

    // A card with a random K and OPc.
    let r = ok(vusim(d, &["card", "new", "--out", "r.toml"]));
    runs.push(r);
    let rcard = d.join("r.toml").display().to_string();
    let profile =
        vusim_applet::profile::Profile::from_toml(&fs::read_to_string(&rcard).unwrap(), "r")
            .unwrap();
    let rk = profile.auth.k.clone();
    let ropc = profile.auth.opc.clone().unwrap();
    needles.add("K (random card)", &hex::decode(&rk).unwrap());
    needles.add("OPc (random card)", &hex::decode(&ropc).unwrap());
    runs.push(ok(vusim(
        d,
        &["aka", "--card", &rcard, "--trace", "--json"],
    )));
    let rand3 = gba_bootstrap(d, &rcard, &needles, &mut runs);
    let ks3 = ks(&rk, &ropc, &rand3);
    let int3 = ks_naf(&ks3, "gba-u", &rand3, IMPI, &naf_id());
    assert!(file_contains(&rcard, &ks3) && file_contains(&rcard, &int3));
    needles.add("Ks (random card)", &ks3);
    needles.add("Ks_int_NAF (random card)", &int3);
    runs.push(ok(vusim(d, &["run", "--json", "--card", &rcard, &attach])));
    runs.push(ok(vusim(d, &["card", "show", &rcard])));
    runs.push(ok(vusim(d, &["card", "show", &a])));

    // Every output so far, against every needle (also those found later).
    for r in &runs {
        needles.assert_absent(r);
    }
    eprintln!(
        "{} runs scanned for {} secrets ({} spellings each)",
        runs.len(),
        needles.0.len(),
        needles.0[0].1.len()
    );
}

#[test]
fn key_types_print_no_bytes_under_debug() {
    let bytes: [u8; 16] = hex16("A1B2C3D4E5F60718293A4B5C6D7E8F90");
    let shown = [
        format!("{:?}", Key128::new(bytes)),
        format!("{:?}", Opc::new(bytes)),
        format!("{:?}", Ck::new(bytes)),
        format!("{:?}", Ik::new(bytes)),
        format!("{:#?}", Key128::new(bytes)),
    ];
    let wide: [u8; 32] = [bytes, bytes].concat().try_into().unwrap();
    let shown_wide = [
        format!("{:?}", Ks::new(wide)),
        format!("{:?}", KsNaf::new(wide)),
        format!("{:?}", DerivedKey::new(wide)),
    ];
    for s in shown.iter().chain(&shown_wide) {
        for needle in ["A1B2", "a1b2", "161", "0xa1", "0xA1", "[161"] {
            assert!(!s.contains(needle), "Debug shows key bytes: {s}");
        }
        assert!(s.ends_with("{ .. }"), "{s}");
    }
}

/// Key types derive `ZeroizeOnDrop`, which gives them a destructor (a plain byte-array newtype
/// has none). With `zeroize` as a dev-dependency of this package the check could name the trait
/// itself (`fn zeroizes<T: zeroize::ZeroizeOnDrop>() {}`).
#[test]
fn key_types_have_a_destructor() {
    use std::mem::needs_drop;
    assert!(!needs_drop::<[u8; 16]>());
    assert!(needs_drop::<Key128>());
    assert!(needs_drop::<Opc>());
    assert!(needs_drop::<Ck>());
    assert!(needs_drop::<Ik>());
    assert!(needs_drop::<Ks>());
    assert!(needs_drop::<KsNaf>());
    assert!(needs_drop::<DerivedKey>());
    assert!(needs_drop::<vusim_applet::crypto::keys::Kausf>());
    assert!(needs_drop::<vusim_applet::crypto::keys::Kakma>());
    assert!(needs_drop::<vusim_applet::crypto::keys::VarKey>());
    assert!(needs_drop::<vusim_applet::crypto::aka::Res>());
}
