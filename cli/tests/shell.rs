//! `vusim shell` driven through a pipe: the script language line by line, responses decoded
//! (FCP fields, EF contents), failed expectations reported and the exit code set.

use std::io::Write;
use std::process::{Command, Stdio};

fn shell(input: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .arg("shell")
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn decodes_fcps_and_ef_contents() {
    let (code, out) = shell(
        "select ADF.USIM\nverify pin1 1234 => 9000\nselect EF.IMSI\nread-binary\nselect EF.UST\nread-binary\nquit\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("DF name (AID) A0000000871002FFFFFFFF8907090000 (USIM)"),
        "{out}"
    );
    assert!(
        out.contains("PIN status: PIN1 enabled, PIN2 enabled, ADM1 enabled"),
        "{out}"
    );
    assert!(out.contains("short file identifier 07"), "{out}");
    assert!(out.contains("EF.IMSI IMSI 001010123456789"), "{out}");
    assert!(out.contains("68 (gba)"), "{out}");
}

#[test]
fn failures_and_errors_are_reported() {
    let (code, out) = shell("00A40004023F00 => 6A82\nbogus\nhelp\n");
    assert_eq!(code, 1, "a failed expectation sets exit code 1: {out}");
    assert!(out.contains("FAILED at <shell:1>:1"), "{out}");
    assert!(out.contains("unknown command `bogus`"), "{out}");
    assert!(
        out.contains("select MF|ADF.USIM|EF.IMSI"),
        "help lists the verbs: {out}"
    );
}
