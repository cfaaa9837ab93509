//! Every card session under `tests/scripts/` runs here, each on a fresh embedded default card,
//! and every failed expectation of every script is listed as `file:line: expected …, got …`;
//! then each again through `vusim run --card` on a fresh card file.
//! Scripts that declare `# vars:` get their values from a Rust test that computes them
//! independently, and `# harness: prepared` scripts run on a card a Rust test prepared; this
//! test checks that such a test exists.

use std::path::Path;
use std::process::Command;

use vusim_applet::default_card::default_card;
use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_integration::bin::{vusim_bin, TempDir};
use vusim_integration::script::{scripts_under, Header, Session, SCRIPTS};

#[test]
fn every_script_passes_on_a_fresh_card() {
    let scripts = scripts_under(Path::new(SCRIPTS));
    assert!(scripts.len() >= 13, "scripts found: {scripts:?}");
    let rust_tests: String = std::fs::read_dir("tests")
        .expect("tests/")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("test source"))
        .collect();
    let mut failures = Vec::new();
    let (mut ran, mut expectations) = (0, 0);
    for path in &scripts {
        let text = std::fs::read_to_string(path).expect("script");
        assert!(
            text.starts_with('#'),
            "{}: starts with a header comment saying what it checks",
            path.display()
        );
        let header = Header::of(&text);
        if header.prepared || !header.vars.is_empty() {
            let rel = path.strip_prefix(SCRIPTS).expect("under scripts/");
            let name = rel.to_string_lossy().replace('\\', "/");
            assert!(
                rust_tests.contains(&name),
                "{}: needs a prepared card or variables, but no test in tests/tests runs it",
                path.display()
            );
            continue;
        }
        let mut card = default_card().expect("default card");
        let out = Session::new().run_file(path, &mut card);
        if out.summary.expectations == 0 {
            failures.push(format!("{}: no expectation", path.display()));
        }
        ran += 1;
        expectations += out.summary.expectations;
        failures.extend(out.errors);
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in {ran} script(s):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    eprintln!("{ran} script(s), {expectations} expectation(s) held");
}

#[test]
fn a_wrong_expectation_is_reported_with_its_line() {
    let mut card = default_card().expect("default card");
    let out = Session::new().run_text(
        "wrong.script",
        "00 A4 00 0C 02 2FE2 => 9000\n00 B0 00 00 01\n=> 99 9000\n00 B0 00 00 01 => 98 9000\n",
        &mut card,
    );
    assert_eq!(out.summary.expectations, 3);
    assert_eq!(
        out.errors,
        vec!["wrong.script:3: expected 999000, got 989000 (first difference at byte 0)"]
    );
}

#[test]
fn undefined_variables_and_header_options_are_errors() {
    let mut card = default_card().expect("default card");
    let out = Session::new().run_text("u.script", "00 B0 00 00 ${n} => 6986\n", &mut card);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(out.errors[0].starts_with("u.script:1:"), "{:?}", out.errors);
    assert_eq!(
        Header::of("# harness: t0\n# vars: rand autn\n# vars: res\n"),
        Header {
            t0: true,
            prepared: false,
            vars: vec!["rand".into(), "autn".into(), "res".into()]
        }
    );
}

/// The same sessions through `vusim run --card` on a fresh card file holding the default
/// profile: the durable path (state saved before each response) gives the same answers.
#[test]
fn every_script_passes_on_a_fresh_card_file() {
    let tmp = TempDir::new("scripts-card-file");
    let mut failures = Vec::new();
    for path in scripts_under(Path::new(SCRIPTS)) {
        let text = std::fs::read_to_string(&path).expect("script");
        let header = Header::of(&text);
        if header.prepared || !header.vars.is_empty() {
            continue;
        }
        let card = tmp.path().join("card.toml");
        std::fs::write(&card, DEFAULT_PROFILE).expect("card file");
        let mut cmd = Command::new(vusim_bin());
        cmd.arg("run").arg("--card").arg(&card);
        if header.t0 {
            cmd.arg("--t0");
        }
        let out = cmd.arg(&path).output().expect("vusim run");
        if !out.status.success() {
            failures.push(format!(
                "{}: exit {:?}\n{}",
                path.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
