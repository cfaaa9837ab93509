//! `vusim run` end to end: the example scripts, scriptor compatibility, expectations, captures,
//! variables, includes, every failure message, `--keep-going`, `--json`, resets, T=0 and state
//! kept in a card file.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh directory with script files, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("vusim-run-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Dir(dir)
    }

    fn file(&self, name: &str, text: &str) -> &Dir {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, text).expect("write file");
        self
    }

    /// Run vusim in this directory.
    fn vusim(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vusim"))
            .current_dir(&self.0)
            .args(args)
            .output()
            .expect("run vusim");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `vusim run SCRIPT` with extra arguments before it.
    fn run(&self, extra: &[&str], script: &str) -> (i32, String, String) {
        let mut args = vec!["run"];
        args.extend_from_slice(extra);
        args.push(script);
        self.vusim(&args)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "script"))
        .collect();
    scripts.sort();
    scripts
}

/// The T=0 sessions in `examples/t0/` (the GSM SIM application among them) pass with `--t0`,
/// and fail without it (their expectations are the 9Fxx/61xx procedure bytes).
#[test]
fn every_t0_example_script_passes_under_t0() {
    let dir = Dir::new("examples-t0");
    let t0 = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/t0");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&t0)
        .expect("examples/t0/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "script"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    for script in &scripts {
        let path = script.display().to_string();
        let (code, out, err) = dir.run(&["--t0"], &path);
        assert_eq!(code, 0, "{path}\n{out}\n{err}");
        assert!(out.contains("all passed"), "{path}\n{out}");
        let (code, _, _) = dir.run(&[], &path);
        assert_eq!(code, 1, "{path} must need --t0");
    }
}

#[test]
fn every_example_script_passes() {
    let dir = Dir::new("examples");
    let scripts = examples();
    assert!(scripts.len() >= 2, "{scripts:?}");
    for script in &scripts {
        let path = script.display().to_string();
        let (code, out, err) = dir.run(&[], &path);
        assert_eq!(code, 0, "{path}\n{out}\n{err}");
        assert!(out.contains("all passed"), "{path}\n{out}");
        assert!(!out.contains("FAILED"), "{path}\n{out}");
    }
    // All of them in one run on one card, twice on a card file (they restore what they change),
    // except scripts marked single-use (they consume an SQN: a second run is a replay).
    let scripts: Vec<PathBuf> = scripts
        .into_iter()
        .filter(|p| {
            !std::fs::read_to_string(p)
                .unwrap_or_default()
                .contains("# vusim: single-use")
        })
        .collect();
    assert!(scripts.len() >= 2, "{scripts:?}");
    std::fs::write(
        dir.0.join("card.toml"),
        vusim_applet::profile::DEFAULT_PROFILE,
    )
    .expect("card file");
    let mut args = vec!["run", "--card", "card.toml"];
    let paths: Vec<String> = scripts.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    for _ in 0..2 {
        let (code, out, err) = dir.vusim(&args);
        assert_eq!(code, 0, "{out}\n{err}");
    }
}

#[test]
fn scriptor_scripts_run_unchanged() {
    let dir = Dir::new("scriptor");
    dir.file(
        "scriptor.script",
        "#!/usr/bin/env scriptor\n# reset the card\nreset\n\n00 A4 00 04 02 3F 00 00\n00A4000C026F07\nexit\n00 20 00 01\n",
    );
    let (code, out, err) = dir.run(&[], "scriptor.script");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("-- scriptor.script:3: reset\n  ATR 3B"),
        "{out}"
    );
    assert!(out.contains("> 00A40004023F0000"), "{out}");
    assert!(out.contains("< 6A82"), "{out}");
    assert!(out.contains("-- scriptor.script:7: exit"), "{out}");
    assert!(
        !out.contains("> 00200001"),
        "nothing runs after exit:\n{out}"
    );
    assert!(
        out.contains("2 APDU(s), 1 reset(s), 0 expectation(s): all passed"),
        "{out}"
    );
}

#[test]
fn failed_expectation_stops_with_file_line_expected_and_actual() {
    let dir = Dir::new("fail");
    dir.file(
        "fail.script",
        "select ADF.USIM => 62 * 9000\n# IMSI before PIN1\n00 B0 87 00 09 => 080910101032547698 9000\necho not reached\n",
    );
    let (code, out, err) = dir.run(&[], "fail.script");
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("  FAILED at fail.script:3\n    expected 0809101010325476989000\n    got      6982 (6982 security status not satisfied)\n    first difference at byte 0\n"),
        "{out}"
    );
    assert!(!out.contains("not reached"), "{out}");
    assert!(out.contains("2 expectation(s): 1 failed"), "{out}");
    assert_eq!(
        err,
        "vusim: fail.script:3: expected 0809101010325476989000, got 6982 (first difference at byte 0)\n"
    );
}

#[test]
fn expectation_on_the_next_line_reports_its_own_line() {
    let dir = Dir::new("nextline");
    dir.file(
        "next.script",
        "00 20 00 01\n=> 63C?\n00 20 00 01\n  => 63C2   # wrong: 3 tries are left\n",
    );
    let (code, out, err) = dir.run(&[], "next.script");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED at next.script:4\n    expected 63C2\n    got      63C3"),
        "{out}"
    );
    assert!(
        err.contains("next.script:4: expected 63C2, got 63C3 (first difference at byte 1)"),
        "{err}"
    );
}

#[test]
fn keep_going_reports_every_failure() {
    let dir = Dir::new("keepgoing");
    dir.file(
        "k.script",
        "verify pin1 0000 => 9000\nverify pin1 => 63C3\nverify pin1 1234 => 9000\necho done\n",
    );
    let (code, out, err) = dir.run(&["--keep-going"], "k.script");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("done\n"), "{out}");
    assert!(out.contains("3 expectation(s): 2 failed"), "{out}");
    assert_eq!(
        err,
        "vusim: k.script:1: expected 9000, got 63C2 (first difference at byte 0)\nvusim: k.script:2: expected 63C3, got 63C2 (first difference at byte 1)\n"
    );
    // Without it the run stops at the first, and later scripts do not run.
    dir.file("after.script", "echo after\n");
    let (code, out, _) = dir.vusim(&["run", "k.script", "after.script"]);
    assert_eq!(code, 1);
    assert!(!out.contains("after\n"), "{out}");
    assert!(out.contains("1 script(s) not run"), "{out}");
}

#[test]
fn syntax_errors_name_file_line_and_column_before_anything_runs() {
    let dir = Dir::new("syntax");
    let cases = [
        (
            "hex.script",
            "reset\n00A4 0004 02 3F0G\n",
            "hex.script:2:17: unexpected 'G' in an APDU",
        ),
        (
            "verb.script",
            "\n  selct MF\n",
            "verb.script:2:3: unknown command `selct`",
        ),
        (
            "odd.script",
            "00A4000C023F00 => 90 0\n",
            "odd.script:1:22: odd number of hex digits",
        ),
        (
            "arrow.script",
            "echo hi\n=> 9000\n",
            "arrow.script:2:1: an expectation `=>` must follow",
        ),
        (
            "pin.script",
            "verify pin1 123456789\n",
            "pin.script:1:13: PIN/key value",
        ),
        (
            "capture.script",
            "00 B0 ${x:4}\n",
            "capture.script:1:7: `${x:…}` captures bytes",
        ),
        (
            "short.script",
            "00 A4 => 9000\n",
            "short.script:1:1: an APDU needs at least",
        ),
        (
            "name.script",
            "select EF.IMSSI\n",
            "name.script:1:8: unknown file `EF.IMSSI` (did you mean",
        ),
    ];
    for (file, text, message) in cases {
        dir.file(file, text);
        let (code, out, err) = dir.run(&[], file);
        assert_eq!(code, 2, "{file}: {err}");
        assert!(
            out.is_empty(),
            "{file}: nothing runs before the scripts load: {out}"
        );
        assert!(
            err.starts_with(&format!("vusim: error: {message}")),
            "{file}: {err}"
        );
    }
    // A later script's error also stops the run before the first one starts.
    let (code, out, _) = dir.vusim(&["run", "arrow.script", "hex.script"]);
    assert_eq!((code, out.as_str()), (2, ""));
    let (code, _, err) = dir.run(&[], "nothere.script");
    assert_eq!(code, 2);
    assert!(
        err.contains("nothere.script: cannot read the script"),
        "{err}"
    );
}

#[test]
fn includes_are_relative_to_the_including_file() {
    let dir = Dir::new("include");
    dir.file(
        "main.script",
        "echo main\ninclude lib/pin.script\nverify pin1 => 9000\n",
    )
    .file(
        "lib/pin.script",
        "include \"common.script\"\nverify pin1 ${pin} => 9000\n",
    )
    .file("lib/common.script", "set pin 1234\necho common\n");
    let (code, out, err) = dir.run(&[], "main.script");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("main\ncommon\n-- lib/pin.script:2: verify pin1 ${pin}\n"),
        "{out}"
    );

    dir.file("a.script", "echo a\ninclude sub/b.script\n")
        .file("sub/b.script", "echo b\n\ninclude ../a.script\n");
    let (code, out, err) = dir.run(&[], "a.script");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "vusim: error: sub/b.script:3:9: include cycle: a.script -> sub/b.script -> sub/../a.script\n"
    );
    dir.file("self.script", "include self.script\n");
    let (_, _, err) = dir.run(&[], "self.script");
    assert!(
        err.contains("self.script:1:9: include cycle: self.script -> self.script"),
        "{err}"
    );

    dir.file("missing.script", "reset\ninclude   gone.script\n");
    let (code, _, err) = dir.run(&[], "missing.script");
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "vusim: error: missing.script:2:11: cannot include `gone.script` (gone.script): "
        ),
        "{err}"
    );
}

#[test]
fn undefined_variables_stop_the_run_with_exit_2() {
    let dir = Dir::new("undefined");
    dir.file(
        "u.script",
        "set autn 00112233445566778899AABBCCDDEEFF\nauthenticate 3g ${rand} ${autn}\n",
    );
    let (code, _, err) = dir.run(&[], "u.script");
    assert_eq!(code, 2);
    assert!(
        err.starts_with("vusim: error: u.script:2:17: undefined variable `rand` (defined: autn;"),
        "{err}"
    );
    dir.file("p.script", "00 20 00 01 => ${retries} \n");
    let (code, _, err) = dir.run(&[], "p.script");
    assert_eq!(code, 2);
    assert!(
        err.contains("p.script:1:16: undefined variable `retries`"),
        "{err}"
    );
}

#[test]
fn captures_and_substitution() {
    let dir = Dir::new("captures");
    dir.file(
        "c.script",
        "\
# EF.DIR record 1 holds the USIM AID
select EF.DIR
00 B2 01 04 26 => 61 ?? 4F 10 ${aid:16} 50 ${label_len:1} ${label:*} FF *
echo aid=${aid} label=${label}
00 A4 04 04 10 ${aid} 00 => 62 * 8410 ${aid} * 9000
verify pin1 ${pin} => 9000
read-binary 0 9
=> 08 ${imsi_bcd:*} 9000
select EF.IMSI
read-binary 0 0x09 => 08 ${imsi_bcd} 9000
set rand 00112233445566778899AABBCCDDEEFF
set autn ${rand}
authenticate 3g ${rand} ${autn} => 9862
",
    );
    let (code, out, err) = dir.run(&["--set", "pin=1234"], "c.script");
    assert_eq!(code, 1, "{out}\n{err}");
    // READ BINARY of the current EF (ADF.USIM itself) fails: the IMSI is read after select.
    assert!(
        out.contains("aid=A0000000871002FFFFFFFF8907090000 label=5553494D\n"),
        "{out}"
    );
    assert!(
        out.contains("  aid = A0000000871002FFFFFFFF8907090000\n"),
        "{out}"
    );

    let fixed = std::fs::read_to_string(dir.0.join("c.script"))
        .expect("script")
        .replace(
            "read-binary 0 9\n=> 08 ${imsi_bcd:*} 9000\nselect EF.IMSI\n",
            "select EF.IMSI\nread-binary 0 9\n=> 08 ${imsi_bcd:*} 9000\n",
        );
    dir.file("c.script", &fixed);
    let (code, out, err) = dir.run(&["--set", "pin=1234"], "c.script");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("  imsi_bcd = 0910101032547698\n"), "{out}");
    assert!(
        out.contains("> 008800812210001122334455667788"),
        "the verb expands with substituted RAND and AUTN: {out}"
    );
    assert!(
        out.contains("9862 authentication error, incorrect MAC"),
        "{out}"
    );
    // --set needs NAME=VALUE.
    let (code, _, err) = dir.run(&["--set", "pin"], "c.script");
    assert_eq!(code, 2);
    assert!(err.contains("expected NAME=VALUE"), "{err}");
}

#[test]
fn json_lines_have_a_type_per_event() {
    let dir = Dir::new("json");
    dir.file(
        "j.script",
        "reset => 3B *\nset who world\necho hello ${who}\nverify pin1 => 63 ${n:1}\n00A4000C026F07 => 9000\n",
    );
    let (code, out, _) = dir.run(&["--json"], "j.script");
    assert_eq!(code, 1, "{out}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(
        types,
        [
            "power_on",
            "script",
            "reset",
            "expectation",
            "set",
            "echo",
            "apdu",
            "expectation",
            "apdu",
            "expectation",
            "summary"
        ]
    );
    let get = |i: usize| events.get(i).cloned().unwrap_or_default();
    assert_eq!(get(2)["line"], 1);
    assert!(get(2)["atr"].as_str().is_some_and(|a| a.starts_with("3B")));
    assert_eq!(get(5)["text"], "hello world");
    let apdu = get(6);
    assert_eq!(apdu["file"], "j.script");
    assert_eq!(apdu["line"], 4);
    assert_eq!(apdu["source"], "verify pin1");
    assert_eq!(apdu["command"], "00200001");
    assert_eq!(apdu["sw"], "63C3");
    assert_eq!(apdu["meaning"], "verification failed, 3 retries left");
    assert_eq!(get(7)["passed"], true);
    assert_eq!(get(7)["captures"]["n"], "C3");
    let failed = get(9);
    assert_eq!(failed["passed"], false);
    assert_eq!(failed["expected"], "9000");
    assert_eq!(failed["actual"], "6A82");
    assert_eq!(failed["differs_at"], 0);
    let summary = get(10);
    assert_eq!(summary["apdus"], 2);
    assert_eq!(summary["expectations"], 3);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["passed"], false);
}

#[test]
fn reset_is_a_warm_reset() {
    let dir = Dir::new("reset");
    dir.file(
        "r.script",
        "select ADF.USIM => 62 * 9000\nverify pin1 1234 => 9000\n00 B0 87 00 09 => 08 * 9000\nreset => 3B *\n# security status and selection are gone: the MF has no SFI 07\n00 B0 87 00 09 => 6A82\nselect ADF.USIM => 62 * 9000\n00 B0 87 00 09 => 6982\nverify pin1 => 63C3\n",
    );
    let (code, out, err) = dir.run(&[], "r.script");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("1 reset(s)"), "{out}");
    // An expectation on reset checks the ATR, which has no status word to explain.
    dir.file("atr.script", "reset => 3F *\n");
    let (code, out, err) = dir.run(&[], "atr.script");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("    expected 3F *\n    got      3B"), "{out}");
    assert!(
        !out.contains("    got      3B9D96801F878031E073FE211B65565553494DC4 ("),
        "{out}"
    );
    assert!(
        err.starts_with("vusim: atr.script:1: expected 3F *, got 3B"),
        "{err}"
    );
}

#[test]
fn t0_card_answers_61xx_and_get_response_uses_the_capture() {
    let dir = Dir::new("t0");
    dir.file(
        "t0.script",
        "select MF => 61 ${n:1}\nget-response 0x${n} => 6229 * 9000\n# EF.ICCID by SFI with Le 00: T=0 asks for the exact length\n00 B0 82 00 00 => 6C0A\n",
    );
    let (code, out, err) = dir.run(&["--t0"], "t0.script");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("> 00C000002B"), "{out}");
    let (code, _, _) = dir.run(&[], "t0.script");
    assert_eq!(code, 1, "without --t0 the FCP comes directly");
}

#[test]
fn card_file_state_persists_between_runs() {
    let dir = Dir::new("persist");
    std::fs::write(
        dir.0.join("card.toml"),
        vusim_applet::profile::DEFAULT_PROFILE,
    )
    .expect("card file");
    dir.file("wrong.script", "verify pin1 0000 => 63C2\n").file(
        "check.script",
        "verify pin1 => 63C2\nverify pin1 1234 => 9000\n",
    );
    let (code, _, err) = dir.run(&["--card", "card.toml"], "wrong.script");
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = dir.run(&["--card", "card.toml"], "check.script");
    assert_eq!(code, 0, "{out}\n{err}");
    // Without the card file the embedded default starts fresh each time.
    let (code, _, _) = dir.run(&[], "check.script");
    assert_eq!(code, 1);
}

#[test]
fn transport_errors_exit_2() {
    let dir = Dir::new("transport");
    std::fs::write(
        dir.0.join("card.toml"),
        vusim_applet::profile::DEFAULT_PROFILE,
    )
    .expect("card file");
    dir.file(
        "w.script",
        "00 20 00 01 => 63C3\nverify pin1 0000 => 63C2\necho not reached\n",
    );
    // With a file size limit of 0 the card cannot save the decremented counter.
    let out = Command::new("sh")
        .current_dir(&dir.0)
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_vusim"),
            "run",
            "--card",
            "card.toml",
            "w.script",
        ])
        .output()
        .expect("run vusim under sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.starts_with("vusim: error: w.script:2: card.toml: writing the temporary file"),
        "{stderr}"
    );
    assert!(!stdout.contains("not reached"), "{stdout}");
    let (code, _, err) = dir.run(&["--card", "missing.toml"], "w.script");
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn include_blow_up_is_refused() {
    // Each file includes the next one twice: 2^18 steps once expanded, refused before power-on.
    let dir = std::env::temp_dir().join(format!("vusim-include-bomb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for i in 0..18 {
        std::fs::write(
            dir.join(format!("s{i}.script")),
            format!("include s{}.script\ninclude s{}.script\n", i + 1, i + 1),
        )
        .expect("write");
    }
    std::fs::write(dir.join("s18.script"), "00A40004023F00\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vusim"))
        .args(["run", &dir.join("s0.script").display().to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("more than 100000 steps once includes are expanded"),
        "{err}"
    );
}
