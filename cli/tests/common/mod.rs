//! Helpers shared by the CLI integration tests.

use std::process::Command;

/// Run the built `vusim` with `args`: (exit code, stdout, stderr).
pub fn vusim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(args)
        .output()
        .expect("run vusim");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
