//! Invariants of the vpcd frame reader and dispatcher, shared by the cargo-fuzz target and the corpus replay (robustness).

use std::io::Cursor;

use vusim_applet::store::DurableCard;

use crate::vpcd::{answer_frame, control, read_frame_from};
use crate::{UiccCard, VirtualCard};

/// Read an arbitrary byte stream as vpcd frames and answer each with the default card: no
/// panic; every C-APDU frame gets exactly one answer of 2 bytes or more; GET_ATR gets a valid
/// ATR; control bytes get none; a truncated frame ends the stream with an error, not a panic.
pub fn vpcd_stream(data: &[u8]) {
    let Ok(durable) = DurableCard::embedded() else {
        panic!("the embedded default card must build");
    };
    let mut card = UiccCard::new(durable);
    let mut reader = Cursor::new(data);
    let mut buf = Vec::new();
    loop {
        let frame = match read_frame_from(&mut reader, &mut buf, |_| {}) {
            Ok(Some(f)) => f.to_vec(),
            Ok(None) | Err(_) => return,
        };
        let answer = answer_frame(&mut card as &mut dyn VirtualCard, "fuzz", &frame);
        match frame.as_slice() {
            [control::GET_ATR] => {
                let atr = answer.expect("GET_ATR is answered");
                vusim_apdu::atr::Atr::parse(&atr).expect("the ATR parses");
            }
            [] | [_] => assert!(answer.is_none(), "a control byte got an answer"),
            _ => {
                let a = answer.expect("a C-APDU is answered");
                assert!(
                    a.len() >= 2 && a.len() <= usize::from(u16::MAX),
                    "answer of {} bytes",
                    a.len()
                );
            }
        }
    }
}
