//! `--diagram FILE` on the scenario commands (docs/diagrams.md): both formats are written, they
//! name the participants and the messages of the actual run (a resynchronisation shows), and
//! no key of the run (the values `--json` prints, with `--reveal` where the command has it)
//! appears in them, nor any run of 16 hex digits.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

mod common;

use std::path::{Path, PathBuf};

use common::vusim;
use serde_json::Value;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vusim-diagram-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The longest run of hex digits, counted by hand.
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

/// Every hex value of 8 bytes or more in the report (keys, RES, RAND …), lower and upper case.
fn long_hex_values(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (_, x) in v.as_object().unwrap() {
        if let Some(s) = x.as_str() {
            if s.len() >= 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push(s.to_lowercase());
                out.push(s.to_uppercase());
            }
        }
    }
    out
}

/// Run `args` with `--diagram D.mmd --diagram D.svg --json`; the report and both texts.
fn run_with_diagrams(args: &[&str], dir: &Path, name: &str, code: i32) -> (Value, String, String) {
    let mmd = dir.join(format!("{name}.mmd"));
    let svg = dir.join(format!("{name}.svg"));
    let (m, s) = (mmd.display().to_string(), svg.display().to_string());
    let (c, out, err) = vusim(&[args, &["--json", "--diagram", &m, "--diagram", &s]].concat());
    assert_eq!(c, code, "{args:?}\n{out}\n{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    (v, read(&mmd), read(&svg))
}

fn assert_no_keys(v: &Value, mmd: &str, svg: &str) {
    let secrets = long_hex_values(v);
    assert!(
        secrets.len() >= 4,
        "the report should carry the run's values: {v}"
    );
    for s in &secrets {
        assert!(!mmd.contains(s.as_str()), "{s} in the Mermaid diagram");
        assert!(!svg.contains(s.as_str()), "{s} in the SVG diagram");
    }
    assert!(hex_run(mmd) < 16, "hex run in {mmd}");
    assert!(hex_run(svg) < 16, "hex run in the SVG");
}

fn assert_participants(mmd: &str, svg: &str, names: &[&str]) {
    for n in names {
        assert!(
            mmd.lines()
                .any(|l| l.starts_with("    participant ") && l.ends_with(&format!(" as {n}"))),
            "participant {n} missing:\n{mmd}"
        );
        assert!(
            svg.contains(&format!("font-weight=\"bold\">{n}</text>")),
            "{n} not drawn"
        );
    }
}

#[test]
fn gba_bootstrap_diagram() {
    let dir = temp("gba");
    let (v, mmd, svg) = run_with_diagrams(&["gba", "bootstrap"], &dir, "gba", 0);
    assert!(
        mmd.starts_with("---\ntitle: \"GBA_U bootstrapping"),
        "{mmd}"
    );
    assert!(mmd.contains("\nsequenceDiagram\n"));
    assert_participants(&mmd, &svg, &["UICC", "ME", "BSF", "HSS/AuC", "NAF"]);
    for line in [
        "    ME->>UICC: AUTHENTICATE P2 '84' bootstrapping 'DD' (RAND, AUTN*)\n",
        "    UICC-->>ME: DB (RES) · SW 9000\n",
        "    ME->>UICC: UPDATE BINARY EF.GBABP (RAND, B-TID, key lifetime)\n",
        "    UICC-->>ME: DB (Ks_ext_NAF) · SW 9000\n",
        "    BSF-->>NAF: Zn key answer (Ks_ext_NAF, Ks_int_NAF, IMPI, key lifetime)\n",
    ] {
        assert!(mmd.contains(line), "{line} missing:\n{mmd}");
    }
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(
        ">AUTHENTICATE P2 &apos;84&apos; bootstrapping &apos;DD&apos; (RAND, AUTN*)</text>"
    ));
    assert_eq!(s(&v, "verdict").split(':').next(), Some("pass"));
    // The report's Ks_ext_NAF, RES, XRES and RAND are in none of them.
    assert_no_keys(&v, &mmd, &svg);
    let _ = std::fs::remove_dir_all(&dir);
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_string()
}

#[test]
fn akma_run_diagram_shows_a_resynchronisation() {
    let dir = temp("akma");
    let card = dir.join("card.toml");
    std::fs::write(&card, vusim_applet::profile::DEFAULT_PROFILE).unwrap();
    let path = card.display().to_string();
    let (first, mmd, svg) = run_with_diagrams(&["akma", "run", "--card", &path], &dir, "a", 0);
    assert_eq!(s(&first, "verdict"), "pass");
    assert!(!mmd.contains("synchronisation failure"));
    // Forget the HSS state: the AuC starts again below the card's SQN and must resynchronise.
    std::fs::remove_file(dir.join("card.toml.hss")).unwrap();
    let (v, mmd, svg2) = run_with_diagrams(&["akma", "run", "--card", &path], &dir, "b", 0);
    assert_eq!(s(&v, "verdict"), "pass");
    assert!(v["sqn_ms"].as_u64().is_some(), "{v}");
    assert_participants(
        &mmd,
        &svg2,
        &["UICC", "ME", "SEAF/AMF", "AUSF", "UDM/ARPF", "AAnF", "AF"],
    );
    for line in [
        "    UICC--xME: DC synchronisation failure (AUTS) · SW 9000\n",
        "    AUSF->>UDM_ARPF: Nudm_UEAuthentication_Get (resynchronisation) (RAND, AUTS)\n",
        "    AUSF->>AAnF: Naanf_AKMA_KeyRegistration (SUPI, A-KID, K_AKMA)\n",
        "    AAnF-->>AF: (K_AF, K_AF expiry)\n",
    ] {
        assert!(mmd.contains(line), "{line} missing:\n{mmd}");
    }
    // Two challenges: the one refused and the one after the resynchronisation.
    assert_eq!(mmd.matches("ME->>UICC: AUTHENTICATE P2 '87'").count(), 2);
    assert_no_keys(&first, &read(&dir.join("a.mmd")), &svg);
    assert_no_keys(&v, &mmd, &svg2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diagram_extension_picks_the_format() {
    let (c, _, err) = vusim(&["gba", "bootstrap", "--diagram", "x.png"]);
    assert_eq!(c, 2);
    assert!(
        err.contains("expected FILE.mmd (Mermaid) or FILE.svg"),
        "{err}"
    );
}

/// The examples in docs/diagrams/ are what the commands draw today on the default card.
#[test]
fn documented_examples_are_current() {
    let dir = temp("docs");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagrams");
    for (args, name) in [
        (&["gba", "bootstrap"][..], "gba-bootstrap"),
        (&["akma", "run"][..], "akma-uicc"),
    ] {
        let (_, mmd, svg) = run_with_diagrams(args, &dir, name, 0);
        assert_eq!(
            mmd,
            read(&repo.join(format!("{name}.mmd"))),
            "regenerate docs/diagrams/{name}.mmd"
        );
        assert_eq!(
            svg,
            read(&repo.join(format!("{name}.svg"))),
            "regenerate docs/diagrams/{name}.svg"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The ME variant by EAP-AKA′ with `--reveal`: the diagram names K_AUSF, K_SEAF, K_AKMA, K_AF
/// and the EAP attributes, and holds none of the revealed key values.
#[test]
fn akma_me_eap_diagram_holds_names_not_keys() {
    let dir = temp("akma-me");
    let (v, mmd, svg) = run_with_diagrams(
        &[
            "akma",
            "run",
            "--where",
            "me",
            "--auth",
            "eap-aka-prime",
            "--reveal",
        ],
        &dir,
        "me",
        0,
    );
    assert_eq!(s(&v, "verdict"), "pass");
    for k in ["k_ausf", "k_seaf", "k_akma", "k_af"] {
        assert_eq!(s(&v, k).len(), 64, "{k} revealed");
    }
    assert_participants(
        &mmd,
        &svg,
        &["UICC", "ME", "SEAF/AMF", "AUSF", "UDM/ARPF", "AAnF", "AF"],
    );
    for line in [
        "    ME->>UICC: AUTHENTICATE P2 '81' (3G/EPS/5G) (RAND, AUTN)\n",
        "    UICC-->>ME: DB (RES, CK, IK) · SW 9000\n",
        "    AUSF-->>SEAF_AMF: EAP-Request/AKA'-Challenge (AT_RAND, AT_AUTN, AT_KDF, AT_KDF_INPUT, AT_MAC)\n",
        "    ME->>UICC: UPDATE BINARY EF.5GAUTHKEYS (K_AUSF, K_SEAF)\n",
        "    AAnF-->>AF: (K_AF, K_AF expiry, SUPI)\n",
    ] {
        assert!(mmd.contains(line), "{line} missing:\n{mmd}");
    }
    assert_no_keys(&v, &mmd, &svg);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A resynchronisation in the ME variant by EAP-AKA′ (AT_AUTS) and in GBA: the runs pass and
/// the diagrams show the card's `DC` answer and the AUTS on its way home.
#[test]
fn resynchronisations_in_eap_aka_prime_and_gba() {
    let dir = temp("resync");
    let card = dir.join("card.toml");
    std::fs::write(&card, vusim_applet::profile::DEFAULT_PROFILE).unwrap();
    let path = card.display().to_string();
    let me_eap = [
        "akma",
        "run",
        "--card",
        &path,
        "--where",
        "me",
        "--auth",
        "eap-aka-prime",
    ];
    run_with_diagrams(&me_eap, &dir, "first", 0);
    std::fs::remove_file(dir.join("card.toml.hss")).unwrap();
    let (v, mmd, svg) = run_with_diagrams(&me_eap, &dir, "eap", 0);
    assert_eq!(s(&v, "verdict"), "pass");
    assert!(v["sqn_ms"].as_u64().is_some(), "{v}");
    for line in [
        "    UICC--xME: DC synchronisation failure (AUTS) · SW 9000\n",
        "    ME--xSEAF_AMF: EAP-Response/AKA'-Synchronization-Failure (AT_AUTS)\n",
        "    AUSF->>UDM_ARPF: Nudm_UEAuthentication_Get (resynchronisation) (RAND, AUTS)\n",
    ] {
        assert!(mmd.contains(line), "{line} missing:\n{mmd}");
    }
    assert_eq!(
        mmd.matches("EAP-Request/AKA'-Challenge (AT_RAND").count(),
        2
    );
    assert_no_keys(&v, &mmd, &svg);
    // GBA on the same card: its HSS state forgotten again, the bootstrap resynchronises.
    std::fs::remove_file(dir.join("card.toml.hss")).unwrap();
    let (g, mmd, svg) = run_with_diagrams(&["gba", "bootstrap", "--card", &path], &dir, "gba", 0);
    assert!(g["resynchronised_from_sqn_ms"].as_u64().is_some(), "{g}");
    assert!(
        mmd.contains("    BSF->>HSS_AuC: Zh resynchronisation (RAND, AUTS)\n"),
        "{mmd}"
    );
    assert_eq!(mmd.matches("bootstrapping 'DD' (RAND, AUTN*)").count(), 2);
    assert_no_keys(&g, &mmd, &svg);
    let _ = std::fs::remove_dir_all(&dir);
}
