//! Replays the committed cargo-fuzz corpora (apdu/fuzz/corpus) through the fuzz invariants, so
//! every seed and every past finding stays a regression test of the normal test run.

use std::fs;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let data = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check(&data);
        n += 1;
    }
    assert!(n >= 10, "corpus {target} has only {n} inputs");
}

#[test]
fn command_parse_corpus() {
    replay("command_parse", vusim_apdu::fuzzing::command_roundtrip);
}

#[test]
fn tlv_parse_corpus() {
    replay("tlv_parse", vusim_apdu::fuzzing::tlv_roundtrip);
}

#[test]
fn script_parse_corpus() {
    replay("script_parse", vusim_apdu::fuzzing::script_parse);
}

/// The script seeds taken from examples/ parse, so the replay above exercises more than the
/// error paths.
#[test]
fn script_parse_example_seeds_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/script_parse");
    for name in [
        "example-gba-bootstrap",
        "example-modem-attach",
        "example-pin-handling",
    ] {
        let path = dir.join(name);
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let program = vusim_apdu::script::parse(name, &text, &mut vusim_apdu::script::FsLoader)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(program.steps.len() > 5, "{name}");
    }
}
