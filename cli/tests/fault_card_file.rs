//! Fault injection through the CLI: a damaged card file (truncated at every 97th byte, bytes of
//! its [state] section replaced) makes `vusim send --card` and `vusim run --card`
//! fail with exit code 2 and an error naming the file, before any APDU is sent; the damaged file
//! is left exactly as it was (never overwritten with a fresh default state) and no temporary file
//! is left behind.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_applet::store::DurableCard;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-fault-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn vusim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A card file after the modem attach and the GBA_U example: EF contents, SQNs, Ks, a NAF key.
fn session_card(dir: &Path) -> PathBuf {
    let card = dir.join("card.toml");
    fs::write(&card, DEFAULT_PROFILE).unwrap();
    let c = card.display().to_string();
    let attach = examples().join("modem-attach.script");
    let gba = examples().join("gba-bootstrap.script");
    let (code, _, err) = vusim(&[
        "run",
        "--card",
        &c,
        &attach.display().to_string(),
        &gba.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    card
}

/// Write `bytes` as the card file and check every command refuses it the same way, leaving it
/// untouched. Returns false (nothing checked) if the library loads the damaged file.
fn refused_by_the_cli(dir: &Path, card: &Path, bytes: &[u8], what: &str) -> bool {
    fs::write(card, bytes).unwrap();
    if DurableCard::open(card).is_ok() {
        return false;
    }
    let c = card.display().to_string();
    let script = examples().join("modem-attach.script").display().to_string();
    for args in [
        vec![
            "send",
            "--card",
            &c,
            "00A4040C07A0000000871002",
            "00B0000001",
        ],
        vec!["run", "--card", &c, &script],
    ] {
        let (code, out, err) = vusim(&args);
        assert_eq!(code, 2, "{what}: vusim {}: {err}", args[0]);
        assert!(
            err.starts_with(&format!("vusim: error: {c}")),
            "{what}: vusim {}: the error must name the file: {err}",
            args[0]
        );
        assert!(
            !out.contains("00A4040C07A0000000871002") && !out.contains("9000"),
            "{what}: vusim {}: something ran on a damaged card:\n{out}",
            args[0]
        );
        assert_eq!(
            fs::read(card).unwrap(),
            bytes,
            "{what}: the file was rewritten"
        );
    }
    let leftovers: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp."))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{what}: temporary files {leftovers:?}"
    );
    true
}

#[test]
fn truncated_card_files_are_refused_by_send_and_run() {
    let dir = TempDir::new("cli-truncate");
    let card = session_card(&dir.0);
    let text = fs::read(&card).unwrap();
    let mut checked = 0;
    for cut in (0..text.len()).step_by(97) {
        // Also cuts that leave complete lines (valid TOML): the saved file's digest line
        // catches them.
        assert!(
            refused_by_the_cli(&dir.0, &card, &text[..cut], &format!("cut at {cut}")),
            "cut at {cut}: a truncated card file loads"
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} cuts checked");
}

#[test]
fn corrupted_state_sections_are_refused_by_send_and_run() {
    let dir = TempDir::new("cli-corrupt");
    let card = session_card(&dir.0);
    let text = fs::read(&card).unwrap();
    let state_at = text
        .windows(7)
        .position(|w| w == b"[state.")
        .expect("[state] section");
    let (mut refused, mut loaded) = (0, 0);
    // Every 13th byte of the state section, replaced by a quote (never valid inside a value or
    // a key) or flipped in its low bit (often still valid TOML: the digest line catches it).
    for i in (state_at..text.len()).step_by(13) {
        for (kind, b) in [("quote", b'"'), ("xor 01", text[i] ^ 1)] {
            if b == text[i] {
                continue;
            }
            let mut bad = text.clone();
            bad[i] = b;
            if refused_by_the_cli(&dir.0, &card, &bad, &format!("byte {i} {kind}")) {
                refused += 1;
            } else {
                loaded += 1;
            }
        }
    }
    eprintln!("{refused} corruptions refused by send and run, {loaded} loaded by the library");
    assert_eq!(loaded, 0, "{loaded} corrupted card files load");
    assert!(refused > 100, "only {refused} corruptions checked");
}
