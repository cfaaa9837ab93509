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
