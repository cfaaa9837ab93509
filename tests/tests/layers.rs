//! The module layering of every crate has no import cycle (docs/architecture.md, "Layers"):
//! `scripts/check-layers` builds the graph of `crate::` paths between top-level modules and
//! fails on a cycle.

use std::process::Command;

#[test]
fn no_import_cycle_among_modules() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/check-layers");
    let out = Command::new("python3")
        .arg(script)
        .arg("--graph")
        .output()
        .expect("run python3 scripts/check-layers");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    // The checker sees the layers it is meant to see: the profile schema sits below the applets,
    // and the card assembly above them (the loadable applets of `wasm` included).
    assert!(stdout.contains("applet: profile -> card, fs\n"), "{stdout}");
    assert!(
        stdout.contains("applet: assemble -> api, card, fs, profile, usim, wasm\n"),
        "{stdout}"
    );
}
