//! Replays the committed vpcd frame-reader fuzz corpus (pcsc-bridge/fuzz/corpus) through the
//! fuzz invariant, so every seed and past finding stays a regression test.

#[test]
fn vpcd_stream_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/vpcd_stream");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus dir") {
        let path = entry.expect("entry").path();
        vusim_pcsc_bridge::fuzzing::vpcd_stream(&std::fs::read(&path).expect("read"));
        n += 1;
    }
    assert!(n >= 8, "corpus has only {n} inputs");
}
