//! Invariants shared by the cargo-fuzz targets and the corpus replay in the normal test run.
//!
//! Each function panics if an invariant breaks, which is what a fuzzer reports; on well-behaved
//! code it returns normally for every input.

use crate::atr::Atr;
use crate::command::Command;
use crate::tlv::{CompactTlv, Node, Tlv};

/// `Command::parse` never panics, and whatever it accepts encodes back to the same bytes.
pub fn command_roundtrip(data: &[u8]) {
    match Command::parse(data) {
        Ok(cmd) => {
            assert_eq!(cmd.encode(), data, "encode(parse(x)) != x for {cmd:?}");
            let _ = crate::annotate::describe_command(&cmd);
        }
        Err(e) => {
            let sw = e.status_word();
            assert!(sw.is_error(), "parse error {e} maps to non-error {sw}");
        }
    }
}

/// The BER-TLV parsers never panic; each parsed object re-encodes and re-parses to itself.
pub fn tlv_roundtrip(data: &[u8]) {
    if let Ok(list) = Tlv::parse_all(data) {
        for t in &list {
            let enc = t.encode();
            let (again, rest) = Tlv::parse(&enc).expect("re-parse of an encoded TLV");
            assert!(rest.is_empty());
            assert_eq!(&again, t);
        }
    }
    if let Ok(tree) = Node::parse_tree(data) {
        for n in &tree {
            let flat = n.to_tlv().encode();
            let again = Node::parse_tree(&flat).expect("re-parse of an encoded tree");
            assert_eq!(again.first(), Some(n));
        }
    }
    let _ = CompactTlv::parse_all(data);
    if let Ok(atr) = Atr::parse(data) {
        assert_eq!(atr.encode(), data, "ATR re-encoding differs");
    }
}
