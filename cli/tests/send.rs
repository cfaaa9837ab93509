//! `vusim send` end to end: APDUs in order on one powered card, annotated responses, JSON Lines,
//! T=0 behaviour, argument errors and state that persists in a card file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vusim_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run vusim");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn vusim(args: &[&str]) -> (i32, String, String) {
    vusim_in(&std::env::temp_dir(), args)
}

/// A fresh directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-send-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// A card file holding the embedded default profile.
    fn card(&self) -> String {
        let path = self.0.join("card.toml");
        std::fs::write(&path, vusim_applet::profile::DEFAULT_PROFILE).expect("write card");
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const SELECT_MF: &str = "00A40004023F0000";

#[test]
fn apdus_in_order_with_descriptions_and_meanings() {
    let (code, out, err) = vusim(&["send", SELECT_MF, "00 20 00 01", "00A4000C026F07"]);
    assert_eq!(code, 0, "{err}");
    let expected_order = [
        "> 00A40004023F0000",
        "  SELECT by FID 3F00 (MF), return FCP",
        "< 62298202782183023F00",
        "  9000 normal ending of the command",
        "  data (43 bytes) 6229",
        "> 00200001",
        "  VERIFY PIN1 (application PIN, key ref 01): retry counter query",
        "< 63C3",
        "  63C3 verification failed, 3 retries left",
        "> 00A4000C026F07",
        "< 6A82",
        "  6A82 file or application not found",
    ];
    let mut at = 0;
    for needle in expected_order {
        let found = out
            .get(at..)
            .and_then(|rest| rest.find(needle))
            .unwrap_or_else(|| panic!("{needle:?} after byte {at} in\n{out}"));
        at += found + needle.len();
    }
}

#[test]
fn json_is_one_object_per_exchange() {
    let (code, out, _) = vusim(&["send", "--json", SELECT_MF, "00200001"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    let first = lines.first().expect("first");
    assert_eq!(first["command"], SELECT_MF);
    assert!(first["data"]
        .as_str()
        .is_some_and(|d| d.starts_with("62298202782183023F00")));
    assert_eq!(first["sw"], "9000");
    assert_eq!(first["meaning"], "normal ending of the command");
    let second = lines.get(1).expect("second");
    assert_eq!(second["data"], "");
    assert_eq!(second["sw"], "63C3");
    assert_eq!(second["meaning"], "verification failed, 3 retries left");
}

#[test]
fn t0_answers_61xx_and_get_response_fetches_the_data() {
    let (code, out, _) = vusim(&["send", "--t0", "--json", SELECT_MF, "00C000002B"]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.first().map(|v| v["sw"].clone()), Some("612B".into()));
    assert_eq!(lines.first().map(|v| v["data"].clone()), Some("".into()));
    let second = lines.get(1).expect("GET RESPONSE");
    assert_eq!(second["sw"], "9000");
    assert!(second["data"]
        .as_str()
        .is_some_and(|d| d.starts_with("6229") && d.len() == 2 * 0x2B));
    // Without --t0 the same card answers directly.
    let (_, out, _) = vusim(&["send", "--json", SELECT_MF]);
    assert!(out.contains("\"sw\":\"9000\""), "{out}");
}

#[test]
fn malformed_hex_exits_2_naming_the_argument() {
    let (code, out, err) = vusim(&["send", SELECT_MF, "00 A4 0G"]);
    assert_eq!(code, 2);
    assert!(
        out.is_empty(),
        "nothing is sent before every argument is valid: {out}"
    );
    assert!(
        err.contains("argument 2 (\"00 A4 0G\")") && err.contains("invalid hex character 'G'"),
        "{err}"
    );
    let (code, _, err) = vusim(&["send", "00A"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("argument 1") && err.contains("odd number"),
        "{err}"
    );
    let (code, _, err) = vusim(&["send", "00A4"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("argument 1") && err.contains("not a command APDU"),
        "{err}"
    );
    let (code, _, _) = vusim(&["send"]);
    assert_eq!(code, 2);
}

#[test]
fn pin_retry_counter_persists_across_invocations() {
    let dir = TempDir::new("persist");
    let card = dir.card();
    let send = |apdus: &[&str]| {
        let mut args = vec!["send", "--json", "--card", card.as_str()];
        args.extend_from_slice(apdus);
        let (code, out, err) = vusim_in(&dir.0, &args);
        assert_eq!(code, 0, "{err}");
        out.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
                v["sw"].as_str().unwrap_or_default().to_string()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        send(&["00200001", "002000010830303030FFFFFFFF"]),
        ["63C3", "63C2"]
    );
    // A new invocation powers the card again: the counter stays decremented.
    assert_eq!(send(&["00200001"]), ["63C2"]);
    assert_eq!(
        send(&["002000010831323334FFFFFFFF", "00200001"]),
        ["9000", "9000"]
    );
    // Verified status is volatile, the restored counter is not.
    assert_eq!(send(&["00200001"]), ["63C3"]);
    // The embedded default (no --card) never changes.
    let (_, out, _) = vusim(&["send", "--json", "002000010830303030FFFFFFFF"]);
    assert!(out.contains("63C2"));
    let (_, out, _) = vusim(&["send", "--json", "00200001"]);
    assert!(out.contains("63C3"));
}

#[test]
fn card_file_errors_exit_2() {
    let dir = TempDir::new("errors");
    let (code, _, err) = vusim_in(&dir.0, &["send", "--card", "missing.toml", SELECT_MF]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml"), "{err}");
    // A save that fails (file size limit 0) is an error, not a response.
    let card = dir.card();
    let out = Command::new("sh")
        .current_dir(&dir.0)
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_vusim"),
            "send",
            "--card",
            &card,
            "002000010830303030FFFFFFFF",
        ])
        .output()
        .expect("run vusim under sh");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("card.toml") && err.contains("temporary file"),
        "{err}"
    );
    // The file was not changed: the counter is still full.
    let (_, out, _) = vusim_in(&dir.0, &["send", "--json", "--card", &card, "00200001"]);
    assert!(out.contains("63C3"), "{out}");
}

/// Long command lines take a fast path past the argument parser (cli/src/argv.rs): the output
/// and the argument numbers in errors are the same as with the whole line parsed by clap
/// (which happens when an option comes last).
#[test]
fn long_command_lines_print_the_same_as_parsed_ones() {
    let mut apdus = vec![
        "00A4040C07A0000000871002",
        "002000010831323334FFFFFFFF",
        "00A4000C026F07",
    ];
    apdus.extend(std::iter::repeat_n("00B0000009", 20));
    let mut fast = vec!["send"];
    fast.extend(&apdus);
    let mut parsed = fast.clone();
    parsed.extend(["--wait", "5"]);
    let (code, fast_out, err) = vusim(&fast);
    assert_eq!(code, 0, "{err}");
    let (code, parsed_out, err) = vusim(&parsed);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fast_out, parsed_out);
    assert_eq!(fast_out.matches("> 00B0000009\n").count(), 20);
    // A bad APDU far down the line is named by its position either way.
    fast.push("00B0ZZ");
    parsed.insert(parsed.len() - 2, "00B0ZZ");
    for args in [&fast, &parsed] {
        let (code, out, err) = vusim(args);
        assert_eq!(code, 2);
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("argument 24 (\"00B0ZZ\")"), "{err}");
    }
}
