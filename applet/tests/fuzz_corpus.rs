//! Replays the committed cargo-fuzz corpora of the card and the profile loader
//! (applet/fuzz/corpus) through the fuzz invariants: every seed and past finding is a regression test.

use std::fs;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8]), min: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        check(&fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        n += 1;
    }
    assert!(n >= min, "corpus {target} has only {n} inputs");
}

#[test]
fn card_sequence_corpus() {
    replay("card_sequence", vusim_applet::fuzzing::card_sequence, 8);
}

#[test]
fn profile_text_corpus() {
    replay("profile_text", vusim_applet::fuzzing::profile_text, 6);
}
