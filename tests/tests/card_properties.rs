//! Property tests of the card: no command sequence panics, and after every command the file
//! system is consistent, PIN counters stay in range and blocked PINs stay blocked.

use proptest::prelude::*;
use vusim_apdu::Command;
use vusim_applet::card::{Card, Transport};
use vusim_applet::default_card::default_card;

/// Commands near the valid space: known INS values, plausible classes, small P1/P2 and data.
fn command() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop::sample::select(vec![
        0x00u8, 0x01, 0x02, 0x03, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xA0, 0x0C, 0x10,
    ]);
    let ins = prop::sample::select(vec![
        0xA4u8, 0xF2, 0xB0, 0xD6, 0xB2, 0xDC, 0xA2, 0x32, 0x20, 0x24, 0x26, 0x28, 0x2C, 0x04, 0x44,
        0x84, 0x70, 0xC0, 0x10, 0xAA, 0x88, 0xCA,
    ]);
    let fid = prop::sample::select(vec![
        vec![0x3F, 0x00],
        vec![0x2F, 0x00],
        vec![0x2F, 0xE2],
        vec![0x7F, 0xFF],
        vec![0x6F, 0x07],
        vec![0x6F, 0x38],
        vec![0x2F, 0x06],
        vec![0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02],
        vec![0x31, 0x32, 0x33, 0x34, 0xFF, 0xFF, 0xFF, 0xFF],
        vec![0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38, 0x38],
    ]);
    let data = prop_oneof![fid, prop::collection::vec(any::<u8>(), 0..24)];
    (
        cla,
        ins,
        0u8..0x0A,
        prop::sample::select(vec![
            0x00u8,
            0x01,
            0x02,
            0x03,
            0x04,
            0x0C,
            0x81,
            0x0A,
            0x3C,
            0x04 | (7 << 3),
        ]),
        data,
        prop::option::of(1usize..=256),
    )
        .prop_filter_map("encodable", |(cla, ins, p1, p2, data, le)| {
            Command::build(cla, ins, p1, p2, &data, le)
                .ok()
                .map(|c| c.encode())
        })
}

fn check_invariants(card: &Card) -> Result<(), TestCaseError> {
    card.fs().check_consistency().map_err(TestCaseError::fail)?;
    for p in card.security().pins() {
        prop_assert!(
            p.retries <= p.max_retries,
            "retries above max for {:02X}",
            p.key_ref
        );
        prop_assert!(p.unblock_retries <= p.unblock_max);
    }
    prop_assert!(card.channel(0).is_some(), "basic channel closed");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_sequence_panics_or_corrupts(cmds in prop::collection::vec(command(), 1..60), t0: bool,
                                      garbage in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..12), 0..5)) {
        let mut card = default_card().expect("default card");
        if t0 {
            card.set_transport(Transport::T0);
        }
        for c in cmds.iter().chain(garbage.iter()) {
            let r = card.transmit_bytes(c);
            prop_assert!(r.len() >= 2, "response without a status word");
            check_invariants(&card)?;
        }
        // A blocked PIN never comes back without UNBLOCK: retry counters only move down on
        // wrong presentations, and a reset does not restore them.
        let before: Vec<u8> = card.security().pins().iter().map(|p| p.retries).collect();
        card.reset();
        let after: Vec<u8> = card.security().pins().iter().map(|p| p.retries).collect();
        prop_assert_eq!(before, after);
    }
}
