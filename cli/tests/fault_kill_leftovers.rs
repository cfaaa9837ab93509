//! What SIGKILL during saves leaves next to the card file (cli/tests/crash.rs checks the card
//! file itself: it always loads and never goes back in time). A save writes
//! `.NAME.tmp.<pid>` and renames it over the card file; a kill between the two leaves the
//! temporary file, a copy of the card file with its secrets (K, OPc, Ks, NAF keys). Checked here:
//! the card file and every leftover stay private (mode 0600). Known gap (ignored test): the
//! leftovers are never removed, one per killed process.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_applet::store::holder::lock_path;
use vusim_applet::store::DurableCard;

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-kill-{tag}-{}", std::process::id()));
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

/// Kill `vusim send --card` `kills` times during long runs of UPDATE BINARY; return the names
/// of the files left in `dir` besides the card file.
fn kill_during_saves(dir: &Path, kills: usize) -> Vec<PathBuf> {
    let card = dir.join("card.toml");
    fs::write(&card, DEFAULT_PROFILE).unwrap();
    let mut args: Vec<String> = ["send", "--card"]
        .iter()
        .map(|s| s.to_string())
        .chain([card.display().to_string()])
        .chain(
            [
                "00A4040C07A0000000871002",
                "002000010831323334FFFFFFFF",
                "00A4000C026F7E",
            ]
            .map(String::from),
        )
        .collect();
    args.extend((1..3000u32).map(|v| format!("00D6000004{v:08X}")));
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vusim"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(15 + seed % 60));
        let _ = child.kill();
        child.wait().unwrap();
    }
    DurableCard::open(&card).expect("the card file always loads");
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &card)
        .collect()
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_card_file_and_files_left_by_kills_stay_private() {
    let dir = TempDir::new("private");
    let left = kill_during_saves(&dir.0, 20);
    assert_eq!(mode(&dir.0.join("card.toml")), 0o600);
    for p in &left {
        assert!(
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".card.toml.tmp.")
                || p == &lock_path(&dir.0.join("card.toml")),
            "unexpected file {}",
            p.display()
        );
        assert_eq!(mode(p), 0o600, "{} is readable by others", p.display());
    }
    eprintln!(
        "20 kills left {} files (the lock file included)",
        left.len()
    );
}

#[test]
fn kills_leave_no_temporary_files_behind() {
    let dir = TempDir::new("leftovers");
    let left = kill_during_saves(&dir.0, 20);
    // The next successful run could clean up after killed ones.
    let card = dir.0.join("card.toml").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(["send", "--card", &card, "00A4040C07A0000000871002"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let still: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        // The lock file stays by design (store/holder.rs): removing it would race with a
        // process about to lock it. It holds a pid and a subcommand, no card data.
        .filter(|n| n != "card.toml" && n != ".card.toml.lock")
        .collect();
    assert!(
        still.is_empty(),
        "{} files left by kills, still there after a clean run: {still:?}",
        left.len()
    );
}
