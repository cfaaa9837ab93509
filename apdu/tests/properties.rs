//! Property tests: encode∘parse is the identity for every APDU case, TLV and ATR; parsing arbitrary
//! bytes never panics; T=0 GET RESPONSE chaining returns exactly the card's response.

use proptest::prelude::*;
use vusim_apdu::atr::{Atr, Convention, InterfaceGroup};
use vusim_apdu::t0::{collect_response, T0Adapter};
use vusim_apdu::tlv::{Node, Tag, Tlv};
use vusim_apdu::{Case, Command, Response, StatusWord};

fn any_cla() -> impl Strategy<Value = u8> {
    (0u8..=0xFE).prop_filter("not FF", |c| *c != 0xFF)
}

prop_compose! {
    fn any_command()(cla in any_cla(), ins: u8, p1: u8, p2: u8, extended: bool,
                     data in prop::collection::vec(any::<u8>(), 0..600),
                     le in prop::option::of(1usize..=65_536)) -> (u8, u8, u8, u8, Vec<u8>, Option<usize>, bool) {
        let extended = extended || data.len() > 255 || le.is_some_and(|n| n > 256);
        (cla, ins, p1, p2, data, le, extended)
    }
}

proptest! {
    #[test]
    fn command_fields_bytes_fields((cla, ins, p1, p2, data, le, extended) in any_command()) {
        let cmd = Command::build_as(cla, ins, p1, p2, &data, le, extended).expect("valid fields");
        let bytes = cmd.encode();
        let back = Command::parse(&bytes).expect("parse of an encoded command");
        prop_assert_eq!(back.cla().0, cla);
        prop_assert_eq!((back.ins(), back.p1(), back.p2()), (ins, p1, p2));
        prop_assert_eq!(back.data(), &data[..]);
        prop_assert_eq!(back.le(), le);
        prop_assert_eq!(back.encode(), bytes);
        let expected_case = match (data.is_empty(), le.is_some(), extended) {
            (true, false, _) => Case::Case1,
            (true, true, false) => Case::Case2Short,
            (false, false, false) => Case::Case3Short,
            (false, true, false) => Case::Case4Short,
            (true, true, true) => Case::Case2Extended,
            (false, false, true) => Case::Case3Extended,
            (false, true, true) => Case::Case4Extended,
        };
        prop_assert_eq!(back.case(), expected_case);
    }

    #[test]
    fn command_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        vusim_apdu::fuzzing::command_roundtrip(&bytes);
    }

    #[test]
    fn tlv_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        vusim_apdu::fuzzing::tlv_roundtrip(&bytes);
    }

    #[test]
    fn tlv_fields_bytes_fields(tag_bytes in prop::collection::vec(0x80u8..=0xFE, 0..3),
                               first in 0x01u8..=0xFE, value in prop::collection::vec(any::<u8>(), 0..70_000)) {
        // Build a valid tag: a single byte whose low bits are not 11111, or a multi-byte tag.
        let tag = if tag_bytes.is_empty() || first & 0x1F != 0x1F {
            let first = if first & 0x1F == 0x1F { first & !0x01 } else { first };
            Tag(u32::from(first))
        } else {
            let mut t = u32::from(first);
            let n = tag_bytes.len();
            for (i, b) in tag_bytes.iter().enumerate() {
                let b = if i + 1 == n { b & 0x7F } else { *b };
                t = (t << 8) | u32::from(b);
            }
            Tag(t)
        };
        let tlv = Tlv::new(tag, value);
        let enc = tlv.encode();
        let (back, rest) = Tlv::parse(&enc).expect("parse of an encoded TLV");
        prop_assert!(rest.is_empty());
        prop_assert_eq!(back, tlv);
    }

    #[test]
    fn nested_tlv_round_trip(leaves in prop::collection::vec((0x80u8..=0x9E, prop::collection::vec(any::<u8>(), 0..40)), 1..6),
                             depth in 1usize..6) {
        let mut nodes: Vec<Node> = leaves.into_iter().map(|(t, v)| Node::Primitive(Tag(u32::from(t)), v)).collect();
        for _ in 0..depth {
            nodes = vec![Node::Constructed(Tag(0xA5), nodes)];
        }
        let enc = nodes[0].to_tlv().encode();
        prop_assert_eq!(Node::parse_tree(&enc).expect("tree"), nodes);
    }

    #[test]
    fn atr_fields_bytes_fields(groups in prop::collection::vec((prop::option::of(any::<u8>()), prop::option::of(any::<u8>()),
                                                               prop::option::of(any::<u8>()), 0u8..16), 0..4),
                               last_has_td: bool,
                               hist in prop::collection::vec(any::<u8>(), 0..16)) {
        let n = groups.len();
        let groups: Vec<InterfaceGroup> = groups.into_iter().enumerate().map(|(i, (ta, tb, tc, t))| {
            let protocol = if i + 1 < n || last_has_td { Some(t) } else { None };
            InterfaceGroup { ta, tb, tc, protocol }
        })
        // A group with no bytes at all cannot be encoded except as the first (absent) one.
        .filter(|g| g.ta.is_some() || g.tb.is_some() || g.tc.is_some() || g.protocol.is_some())
        .collect();
        // Every group but the last must carry a TD byte to chain to the next.
        let len = groups.len();
        let groups: Vec<InterfaceGroup> = groups.into_iter().enumerate().map(|(i, mut g)| {
            if i + 1 < len && g.protocol.is_none() { g.protocol = Some(0); }
            g
        }).collect();
        if let Ok(atr) = Atr::new(Convention::Direct, groups, hist) {
            let enc = atr.encode();
            let back = Atr::parse(&enc).expect("parse of an encoded ATR");
            prop_assert_eq!(back.encode(), enc);
            prop_assert_eq!(back, atr);
        }
    }

    #[test]
    fn t0_get_response_returns_the_whole_response(len in 0usize..1200, sw in prop::sample::select(vec![0x9000u16, 0x6282, 0x63C1]),
                                                   with_data: bool, le in prop::option::of(1usize..=256)) {
        let payload: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
        let card = Response::new(payload.clone(), StatusWord(sw));
        let data: &[u8] = if with_data { &[0x3F, 0x00] } else { &[] };
        let cmd = Command::build(0x00, 0xA4, 0x00, 0x04, data, le).expect("command");
        let mut t0 = T0Adapter::new();
        let mut calls = 0;
        let got = collect_response::<std::convert::Infallible>(&cmd, |c| {
            calls += 1;
            Ok(t0.transmit(c, |_| card.clone()))
        }).expect("infallible");
        prop_assert_eq!(got, card);
        prop_assert!(calls <= 3 + len / 256 + 1);
    }
}
