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

/// Every `.rs` file under `dir` (no `target/`), with its line count.
fn rust_files(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, usize)>) {
    for entry in std::fs::read_dir(dir).expect("read a source directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            out.push((path, text.lines().count()));
        }
    }
}

fn workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn no_source_file_is_over_800_lines_except_the_file_tables() {
    let mut files = Vec::new();
    for krate in [
        "apdu",
        "crypto",
        "applet",
        "network",
        "pcsc-bridge",
        "cli",
        "tests",
        "sdk",
    ] {
        rust_files(&workspace().join(krate), &mut files);
    }
    assert!(files.len() > 100, "the walk found the sources");
    let long: Vec<String> = files
        .iter()
        .filter(|(p, n)| *n > 800 && !p.to_string_lossy().contains("fs/tables/"))
        .map(|(p, n)| format!("{} ({n} lines)", p.display()))
        .collect();
    assert!(long.is_empty(), "split these by spec concept: {long:?}");
}

/// The binary parses arguments, calls the libraries and prints (docs/architecture.md): logic
/// that lands in `cli/src` belongs in a library crate. The ceiling is issue 12's "about 3,500
/// lines".
#[test]
fn the_binary_stays_thin() {
    let mut files = Vec::new();
    rust_files(&workspace().join("cli/src"), &mut files);
    let total: usize = files.iter().map(|(_, n)| n).sum();
    assert!(files.len() > 20, "the walk found the CLI's sources");
    assert!(
        total <= 3_600,
        "cli/src has {total} lines: move the logic into vusim-network/vusim-applet/vusim-apdu"
    );
}
