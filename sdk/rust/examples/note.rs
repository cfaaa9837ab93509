//! A tiny loadable applet written with the Rust SDK (vusim's own example coding): a persistent
//! note and a MAC over it with Ks_int_NAF of the NAF given as install parameter (the GBA_U key
//! service, granted by EF_GBAUAPI for this applet's AID).
//!
//! | command | INS | answer |
//! |---|---|---|
//! | PUT NOTE | `02`, data: the note (1–64 bytes) | — |
//! | GET NOTE | `04` | the note, or `6A88` |
//! | MAC NOTE | `06` | HMAC-SHA-256 tag (32 bytes) of the note, purpose `note`; a refusal of the key service as its status word (`6982` not granted …) |
//!
//! Build: `cargo build -p vusim-applet-sdk --target wasm32-unknown-unknown --release --example note`.

#![cfg_attr(target_arch = "wasm32", no_std)]

use vusim_applet_sdk::{alg, apdu, applet, meta, params, store, sw, Service};

meta!(b"aid=F0565553494D2D4E4F54450001\nlabel=NOTE\nins=02 PUT NOTE\nins=04 GET NOTE\nins=06 MAC NOTE\n");

const KEY: &[u8] = b"note";

fn install() -> u16 {
    sw::OK
}

fn select(_channel: u8) -> u16 {
    sw::OK
}

fn deselect(_channel: u8) {}

fn process(_channel: u8) -> u16 {
    let Ok([cla, ins, _, _]) = apdu::header() else {
        return sw::UNKNOWN;
    };
    if cla & 0x80 == 0 {
        return sw::CLA_NOT_SUPPORTED;
    }
    let mut note = [0u8; 64];
    match ins {
        0x02 => match apdu::data(&mut note) {
            Ok(n @ 1..=64) => match store::put(KEY, note.get(..n).unwrap_or_default()) {
                Ok(()) => sw::OK,
                Err(_) => sw::NOT_ENOUGH_MEMORY,
            },
            _ => sw::WRONG_LENGTH,
        },
        0x04 | 0x06 => {
            let Ok(n) = store::get(KEY, &mut note) else {
                return sw::DATA_NOT_FOUND;
            };
            let note = note.get(..n).unwrap_or_default();
            let mut answer = [0u8; 64];
            let answer = if ins == 0x04 {
                note
            } else {
                let mut naf = [0u8; 255];
                let Ok(nl) = params(&mut naf) else {
                    return sw::WRONG_DATA;
                };
                let naf = naf.get(..nl).unwrap_or_default();
                let tag = answer.get_mut(..32).unwrap_or_default();
                if let Err(e) = Service::Gba.mac(naf, alg::HMAC_SHA256, b"note", note, tag) {
                    return e.status_word();
                }
                answer.get(..32).unwrap_or_default()
            };
            match apdu::respond(answer) {
                Ok(()) => sw::OK,
                Err(_) => sw::UNKNOWN,
            }
        }
        _ => sw::INS_NOT_SUPPORTED,
    }
}

applet!(install, select, deselect, process);
