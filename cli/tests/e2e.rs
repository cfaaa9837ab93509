//! `vusim gba bootstrap` and `vusim aka` end to end: the card through APDUs, the network side
//! (AuC, BSF, NAF) in the CLI, persisted state on both sides across invocations.

use std::path::Path;

mod common;
use common::vusim;

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).expect("one JSON object")
}

fn temp_card(dir: &Path) -> String {
    let path = dir.join("card.toml");
    std::fs::write(&path, vusim_applet::profile::DEFAULT_PROFILE).expect("write card");
    path.display().to_string()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("vusim-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn gba_bootstrap_on_the_embedded_card() {
    let (code, out, err) = vusim(&["gba", "bootstrap", "--json", "--trace"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["res"], v["xres"]);
    assert_eq!(v["card_ks_ext_naf"], v["naf_ks_ext_naf"]);
    assert!(v["verdict"]
        .as_str()
        .unwrap_or_default()
        .starts_with("pass"));
    assert!(v["b_tid"]
        .as_str()
        .unwrap_or_default()
        .ends_with("@bsf.mnc001.mcc001.pub.3gppnetwork.org"));
    // The trace shows every APDU annotated, and never Ks_int_NAF (which only the NAF side knows).
    assert!(
        err.contains("AUTHENTICATE GBA context, bootstrapping mode"),
        "{err}"
    );
    assert!(
        err.contains("AUTHENTICATE GBA context, NAF derivation mode"),
        "{err}"
    );
    assert!(err.contains("UPDATE BINARY"), "{err}");
}

#[test]
fn repeated_runs_on_a_card_file_stay_in_sync() {
    let dir = tempdir("sync");
    let card = temp_card(&dir);
    for _ in 0..3 {
        let (code, out, err) = vusim(&["aka", "--card", &card, "--json"]);
        assert_eq!(code, 0, "{out}{err}");
        let v = json(&out);
        assert_eq!(v["verdict"], "pass");
        assert!(
            v.get("auts").is_none(),
            "no resynchronisation expected: {out}"
        );
    }
    let (code, out, err) = vusim(&["gba", "bootstrap", "--card", &card, "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    // Card state and HSS state are both on disk.
    let saved = std::fs::read_to_string(&card).expect("card file");
    assert!(saved.contains("[state"), "{saved}");
    assert!(Path::new(&format!("{card}.hss")).exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&card).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn forced_resynchronisation() {
    let dir = tempdir("resync");
    let card = temp_card(&dir);
    // Beyond Δ = 2^28: the card answers AUTS, the AuC resynchronises, the next vector passes.
    let (code, out, err) = vusim(&["aka", "--card", &card, "--sqn-ahead", "300000000", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    assert!(v["auts"].is_string(), "{out}");
    assert_eq!(v["sqn_ms"], 0);
    assert_eq!(v["verdict"], "pass");
    // And again: now in sync.
    let (code, out, _) = vusim(&["aka", "--card", &card, "--json"]);
    assert_eq!(code, 0);
    assert!(json(&out).get("auts").is_none());
}

#[test]
fn gsm_context() {
    let (code, out, _) = vusim(&["aka", "--context", "gsm", "--json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["sres"], v["expected_sres"]);
    assert_eq!(v["kc"], v["expected_kc"]);
}

#[test]
fn five_g_aka_with_a_usim() {
    let (code, out, err) = vusim(&["aka", "--context", "5g", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["snn"], "5G:mnc001.mcc001.3gppnetwork.org");
    assert_eq!(v["res_star"], v["xres_star"]);
    assert_eq!(v["hres_star"], v["hxres_star"]);
    assert_eq!(v["k_ausf_match"], true);
    assert_eq!(v["verdict"], "pass");
}
