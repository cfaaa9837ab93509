//! Fault injection: the card file's file system fills up. A card file on a small tmpfs (64 KiB;
//! the test mounts it, so it needs root: without it the test is skipped with a message) gets
//! state-changing APDUs through `vusim send --card` until a save fails. Then: exit code 2, an
//! error naming the file, no response printed for the command whose save failed, no temporary
//! file left behind, and the file still loads with the last successfully saved state: exactly
//! the state a replay of the printed commands gives, checked with `DurableCard::open`, the card
//! image and READ BINARY/READ RECORD. With space freed again the card carries on from there.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_applet::store::DurableCard;

const PAGE: u64 = 4096;

/// A tmpfs mounted for the test, unmounted (and its mount point removed) on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mount a tmpfs of `size` at a fresh directory, or `None` (with the reason on stderr).
    fn mount(tag: &str, size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("vusim-{tag}-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir)),
            Ok(o) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs at {} (needs root): {}",
                    dir.display(),
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                let _ = fs::remove_dir(&dir);
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount: {e}");
                let _ = fs::remove_dir(&dir);
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let _ = fs::remove_dir(&self.0);
        } else {
            eprintln!("warning: could not unmount {}", self.0.display());
        }
    }
}

/// A plain temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-{tag}-{}", std::process::id()));
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

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn send(card: &Path, apdus: &[String]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(["send", "--json", "--card"])
        .arg(card)
        .args(apdus)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The commands whose exchanges were printed, in order.
fn printed_commands(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["command"].as_str().unwrap().to_string()
        })
        .collect()
}

fn record(n: u8, len: usize, fill: u8) -> String {
    format!(
        "00DC{n:02X}04{len:02X}{}",
        format!("{fill:02X}").repeat(len)
    )
}

fn binary(len: usize, fill: u8) -> String {
    format!("00D60000{len:02X}{}", format!("{fill:02X}").repeat(len))
}

const SELECT_USIM: &str = "00A4040C07A0000000871002";
const SELECT_ISIM: &str = "00A4040C07A0000000871004";
const VERIFY_PIN1: &str = "002000010831323334FFFFFFFF";
const VERIFY_ADM1: &str = "0020000A083838383838383838";

fn select(fid: &str) -> String {
    format!("00A4000C02{fid}")
}

/// State-changing APDUs that grow the saved state by ~7 KB (every EF whose contents differ from
/// the profile's is saved in full): EFs of the USIM, the ISIM and the MF, after PIN1 and ADM1.
fn growing_session() -> Vec<String> {
    let mut a: Vec<String> = [SELECT_USIM, VERIFY_PIN1, VERIFY_ADM1]
        .map(String::from)
        .to_vec();
    let mut fill = 0x10u8;
    let mut next = || {
        fill += 1;
        fill
    };
    a.push(select("6FDA")); // EF.GBANL, 4 × 128
    for r in 1..=4 {
        a.push(record(r, 128, next()));
    }
    for (fid, len) in [("6FC4", 128), ("6FD6", 128), ("6F08", 33), ("6F09", 33)] {
        a.push(select(fid)); // EF.NETPAR, EF.GBABP, EF.Keys, EF.KeysPS
        a.push(binary(len, next()));
    }
    a.push(select("6FB7")); // EF.ECC, 5 × 14
    a.push(record(1, 14, next()));
    a.push(SELECT_ISIM.to_string());
    a.push(select("6F04")); // EF.IMPU, 4 × 128
    for r in 1..=4 {
        a.push(record(r, 128, next()));
    }
    a.push(select("6F03")); // EF.DOMAIN
    a.push(binary(128, next()));
    a.push(select("6FD7")); // ISIM EF.GBANL, 4 × 128
    for r in 1..=4 {
        a.push(record(r, 128, next()));
    }
    a
}

/// Read a file through APDUs: the application (AID select APDU), PIN1 and the read command.
fn read_back(card: &mut DurableCard, app: &str, fid: &str, read: &str) -> String {
    for apdu in [app, VERIFY_PIN1, &select(fid)] {
        let r = card.transmit(&hex::decode(apdu).unwrap()).unwrap();
        assert_eq!(r, [0x90, 0x00], "{apdu}");
    }
    hex::encode_upper(card.transmit(&hex::decode(read).unwrap()).unwrap())
}

/// Fill the file system at `dir` with a filler file, then leave exactly `free_pages` pages free.
fn fill_leaving(dir: &Path, free_pages: u64) -> PathBuf {
    let filler = dir.join("filler");
    let mut f = fs::File::create(&filler).unwrap();
    let chunk = vec![0x5Au8; PAGE as usize];
    while f.write_all(&chunk).is_ok() {}
    drop(f);
    let pages = fs::metadata(&filler).unwrap().len().div_ceil(PAGE);
    assert!(pages > free_pages, "the tmpfs is too small for the test");
    fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len((pages - free_pages) * PAGE)
        .unwrap();
    filler
}

fn temp_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp."))
        .collect()
}

#[test]
fn a_full_disk_fails_the_save_keeps_the_last_saved_state_and_prints_no_response() {
    let Some(fs_) = Tmpfs::mount("full-disk", "64k") else {
        return;
    };
    let card = fs_.0.join("card.toml");
    fs::write(&card, DEFAULT_PROFILE).unwrap();

    // A first save while there is room: EF.LOCI gets a TMSI.
    let first: Vec<String> = [
        SELECT_USIM,
        VERIFY_PIN1,
        "00A4000C026F7E",
        "00D600000412345678",
    ]
    .map(String::from)
    .to_vec();
    let r = send(&card, &first);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let size = fs::metadata(&card).unwrap().len();

    // Room for exactly one more copy of the file as it is now: saves go through while the file
    // stays within its pages, and fail once the state outgrows them.
    let filler = fill_leaving(&fs_.0, size.div_ceil(PAGE));
    let before_b = fs::read(&card).unwrap();
    let apdus = growing_session();
    let r = send(&card, &apdus);
    assert_eq!(
        r.code, 2,
        "the save must fail on the full file system\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    let shown = card.display().to_string();
    assert!(
        r.stderr.contains(&shown) && r.stderr.contains("No space left on device"),
        "error names the file and the cause: {}",
        r.stderr
    );
    let printed = printed_commands(&r.stdout);
    assert!(
        printed.len() < apdus.len(),
        "every response was printed although a save failed"
    );
    assert_eq!(
        printed,
        apdus[..printed.len()],
        "responses printed in order"
    );
    let failed = &apdus[printed.len()];
    assert!(
        failed.starts_with("00DC") || failed.starts_with("00D6"),
        "the failing command is a state-changing one: {failed}"
    );
    assert!(
        !r.stdout.contains(failed.as_str()),
        "the failed command's response was printed"
    );
    let updates_saved = printed.iter().filter(|c| c.starts_with("00D")).count();
    assert!(
        updates_saved > 0,
        "no save succeeded before the disk was full"
    );
    assert!(temp_files(&fs_.0).is_empty(), "temporary file left behind");
    eprintln!(
        "card file {size} bytes after the first save; {updates_saved} growing updates saved, the save of {}… failed",
        &failed[..14]
    );

    // The file loads, with exactly the state of the printed commands: replay them on a copy of
    // the file as it was before, somewhere with room, and compare the card images.
    let saved = fs::read(&card).unwrap();
    let on_disk = DurableCard::open(&card).unwrap();
    let replay_dir = TempDir::new("full-disk-replay");
    let replay = replay_dir.0.join("card.toml");
    fs::write(&replay, &before_b).unwrap();
    let rr = send(&replay, &printed);
    assert_eq!(rr.code, 0, "{}", rr.stderr);
    let replayed = DurableCard::open(&replay).unwrap();
    assert_eq!(
        on_disk.card().image(),
        replayed.card().image(),
        "the file holds the last successfully saved state"
    );
    drop(on_disk);
    // And through APDUs: EF.LOCI from the first run, EF.GBANL record 1 from the second (it is
    // the first growing update, saved unless the very first save failed), nothing of the
    // failed update.
    let mut c = DurableCard::open(&card).unwrap();
    assert_eq!(
        read_back(&mut c, SELECT_USIM, "6F7E", "00B0000004"),
        "123456789000"
    );
    let gbanl1 = read_back(&mut c, SELECT_USIM, "6FDA", "00B2010480");
    if printed.contains(&record(1, 128, 0x11)) {
        assert_eq!(gbanl1, format!("{}9000", "11".repeat(128)));
    }
    drop(c);

    // Still full: the same session up to the failed command fails the same way (the updates
    // already saved rewrite the same state) and the file does not change.
    let again = apdus[..=printed.len()].to_vec();
    let r2 = send(&card, &again);
    assert_eq!(r2.code, 2, "{}", r2.stderr);
    assert!(r2.stderr.contains(&shown), "{}", r2.stderr);
    assert_eq!(fs::read(&card).unwrap(), saved, "the file changed");

    // Space again: the same session goes through and continues from the saved state.
    fs::remove_file(&filler).unwrap();
    let r3 = send(&card, &apdus);
    assert_eq!(r3.code, 0, "{}", r3.stderr);
    assert_eq!(printed_commands(&r3.stdout), apdus);
    assert!(temp_files(&fs_.0).is_empty(), "temporary file left behind");
}
