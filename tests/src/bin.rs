//! The `vusim` binary for the tests that run it, and their temporary directories.
//!
//! The binary is the workspace's `target/<profile>/vusim`, built with `cargo build -p vusim`
//! when it is missing or older than any crate's sources (the tests package does not depend on
//! the binary crate), or taken from `VUSIM_BIN`.

#![allow(clippy::unwrap_used)] // test support: a failure is a test failure

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn newest_source(dir: &Path, newest: &mut SystemTime) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            newest_source(&p, newest);
        } else if let Ok(t) = e.metadata().and_then(|m| m.modified()) {
            *newest = (*newest).max(t);
        }
    }
}

/// The `vusim` binary of this workspace, fresh.
pub fn vusim_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("VUSIM_BIN") {
            return PathBuf::from(p);
        }
        // target/<profile>/deps/test-… → target/<profile>/vusim
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
        let bin = profile_dir.join("vusim");
        let root = root();
        // Every crate's sources: the top-level directories with a Cargo.toml and a src/.
        let mut newest = SystemTime::UNIX_EPOCH;
        for e in fs::read_dir(&root).unwrap().flatten() {
            let dir = e.path();
            if dir.join("Cargo.toml").is_file() && dir.join("src").is_dir() {
                newest_source(&dir.join("src"), &mut newest);
            }
        }
        let fresh = fs::metadata(&bin)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= newest);
        if !fresh {
            let mut cmd = Command::new(env!("CARGO"));
            cmd.current_dir(&root)
                .args(["build", "-q", "-p", "vusim", "--bin", "vusim"]);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().unwrap();
            assert!(status.success(), "cargo build -p vusim failed");
        }
        assert!(bin.exists(), "{} missing", bin.display());
        bin
    })
}

/// A fresh temporary directory `vusim-TAG-PID`, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Create it (emptied if a previous run left it).
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
