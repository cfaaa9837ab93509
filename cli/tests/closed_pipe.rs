//! Commands that print end quietly when the reader of their standard output has gone
//! (`vusim bench | head -1`): exit 2, nothing on standard error, no panic (a `println!` would
//! panic with "failed printing to stdout" and exit 101).

use std::process::{Command, Stdio};

#[test]
fn bench_into_a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(["bench", "--quick", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vusim");
    // The reader goes away before the first line is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for vusim");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.is_empty(), "{err}");
}
