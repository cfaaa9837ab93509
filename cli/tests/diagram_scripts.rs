//! `vusim run --diagram FILE` (docs/diagrams.md): a scenario script's run drawn with the
//! participants of its `net` steps (HSS/AuC, BSF, NAF) and every APDU named from the command
//! tables — the card applets' own commands by the applet selected on the channel — and no value
//! of the run in it: none of the APDUs' bytes, none of the network side's values, no run of 16
//! hex digits.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

mod common;

use std::path::PathBuf;

use common::vusim;
use serde_json::Value;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

/// Every hex value of 8 bytes or more a JSON Lines run printed (APDUs, answers, `net` values).
fn run_values(out: &str) -> Vec<String> {
    let mut vals = Vec::new();
    let mut push = |s: &str| {
        if s.len() >= 16 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            vals.push(s.to_uppercase());
            vals.push(s.to_lowercase());
        }
    };
    for line in out.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v["type"].as_str() {
            Some("apdu") => {
                push(v["command"].as_str().unwrap());
                push(v["data"].as_str().unwrap_or_default());
            }
            Some("net") => {
                for (_, x) in v["set"].as_object().unwrap() {
                    push(x.as_str().unwrap());
                }
            }
            _ => {}
        }
    }
    vals
}

fn longest_hex_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

fn draw(script: &str, tag: &str) -> (String, String, Vec<String>) {
    draw_args(script, tag, &[])
}

fn draw_args(script: &str, tag: &str, extra: &[&str]) -> (String, String, Vec<String>) {
    let dir = std::env::temp_dir().join(format!("vusim-run-diagram-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mmd, svg) = (dir.join("d.mmd"), dir.join("d.svg"));
    let (m, s) = (mmd.display().to_string(), svg.display().to_string());
    let ex = example(script);
    let args = [
        &["run", "--json", "--diagram", &m, "--diagram", &s],
        extra,
        &[ex.as_str()],
    ]
    .concat();
    let (code, out, err) = vusim(&args);
    assert_eq!(code, 0, "{out}{err}");
    let texts = (
        std::fs::read_to_string(&mmd).unwrap(),
        std::fs::read_to_string(&svg).unwrap(),
    );
    let _ = std::fs::remove_dir_all(&dir);
    (texts.0, texts.1, run_values(&out))
}

fn assert_clean(mmd: &str, svg: &str, values: &[String]) {
    assert!(values.len() > 20, "the run's values: {values:?}");
    for v in values {
        assert!(!mmd.contains(v.as_str()), "{v} in the Mermaid diagram");
        assert!(!svg.contains(v.as_str()), "{v} in the SVG diagram");
    }
    assert!(longest_hex_run(mmd) < 16);
    assert!(longest_hex_run(svg) < 16);
}

#[test]
fn door_lock_run_drawn_with_its_network_side() {
    let (mmd, svg, values) = draw("applet-door-lock.script", "door");
    for p in [
        "participant UICC",
        "participant ME",
        "participant BSF",
        "participant HSS_AuC as HSS/AuC",
        "participant NAF",
    ] {
        assert!(mmd.contains(p), "{p}\n{mmd}");
    }
    for m in [
        "ME->>UICC: SELECT by AID (USIM)",
        "ME->>UICC: AUTHENTICATE (GBA context)",
        "HSS_AuC-->>BSF: Zh: AV (RAND, AUTN*, XRES, CK, IK)",
        "BSF-->>NAF: Zn: keys (Ks_ext_NAF, Ks_int_NAF, lifetime)",
        "ME->>UICC: SELECT by AID (door lock)",
        "NAF->>ME: wrapped secret (IV, ciphertext, tag)",
        "ME->>UICC: STORE PASSWORD (door lock)",
        "UICC--xME: SW 9862",
        "ME->>UICC: VERIFY PLATFORM (door lock)",
        "ME->>UICC: UNLOCK (door lock)",
    ] {
        assert!(mmd.contains(m), "{m}\n{mmd}");
    }
    for n in ["UICC", "HSS/AuC", "NAF", "UNLOCK (door lock)"] {
        assert!(svg.contains(n), "{n} in the SVG");
    }
    assert_clean(&mmd, &svg, &values);
}

#[test]
fn v2x_run_drawn_with_the_applet_commands() {
    let (mmd, svg, values) = draw("applet-v2x.script", "v2x");
    for m in [
        "ME->>UICC: SELECT by AID (V2X provisioning)",
        "ME->>UICC: AUTHENTICATE CA (V2X provisioning)",
        "ME->>NAF: card challenge (RC)",
        "NAF->>ME: sealed data (IV, ciphertext, tag)",
        "ME->>UICC: PROVISION (V2X provisioning)",
    ] {
        assert!(mmd.contains(m), "{m}\n{mmd}");
    }
    assert_clean(&mmd, &svg, &values);
}

/// docs/diagrams/applet-door-lock.{mmd,svg} are what `vusim run --diagram` draws today (the
/// drawing does not depend on the run's random values).
#[test]
fn documented_door_lock_example_is_current() {
    let (mmd, svg, _) = draw("applet-door-lock.script", "doc");
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/diagrams");
    let read = |n: &str| std::fs::read_to_string(docs.join(n)).unwrap();
    assert_eq!(
        read("applet-door-lock.mmd"),
        mmd,
        "regenerate docs/diagrams/applet-door-lock.mmd (docs/diagrams.md)"
    );
    assert_eq!(
        read("applet-door-lock.svg"),
        svg,
        "regenerate docs/diagrams/applet-door-lock.svg (docs/diagrams.md)"
    );
}
