//! Many cards at once: `vusim serve` with as many slots as one pcscd serves (16), a different
//! card in each, every slot busy at the same time through a private pcscd + vpcd on loopback.
//!
//! Each slot's card has its own IMSI; every client reads EF.IMSI of its reader over and over
//! while all the others do the same, and must always get its own card's IMSI (TS 31.102
//! §4.2.2 coding, computed here from the digits). The round trip of a SELECT per slot with all
//! slots busy is printed (`--nocapture`), not asserted: it is a figure, not a test.
//!
//! pcscd's socket is machine-wide: this runs as one test, after or before `tests/pcsc.rs`
//! (cargo runs test binaries one at a time). Needs root, pcscd and vsmartcard-vpcd, and no
//! other pcscd running.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test
#![cfg(feature = "pcsc")]

mod common;
use common::vusim;

use std::fs;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use vusim_apdu::{Command as Apdu, StatusWord};
use vusim_pcsc_bridge::client::Client;
use vusim_pcsc_bridge::pcscd::{PrivatePcscd, MAX_SLOTS};

const PORT: u16 = 40_200;
const ROUNDS: usize = 40;

/// EF.IMSI contents for IMSI digits (TS 31.102 §4.2.2, TS 24.008 §10.5.1.4): the length of
/// the rest, then digit 1 with the parity bit (odd count) and identity type '001', then the
/// other digits two per byte, low nibble first, 'F' filling.
fn ef_imsi(imsi: &str) -> Vec<u8> {
    let d: Vec<u8> = imsi.bytes().map(|c| c - b'0').collect();
    let odd = d.len() % 2 == 1;
    let mut out = vec![0u8; 9];
    out[0] = u8::try_from(d.len() / 2 + 1).unwrap();
    out[1] = (d[0] << 4) | if odd { 0x09 } else { 0x01 };
    for (i, pair) in d[1..].chunks(2).enumerate() {
        let hi = pair.get(1).copied().unwrap_or(0x0F);
        out[2 + i] = (hi << 4) | pair[0];
    }
    out
}

fn apdu(h: &str) -> Apdu {
    Apdu::parse(&hex::decode(h).unwrap()).unwrap()
}

/// Kill `vusim serve` on drop (also when an assertion fails).
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_cards(readers: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let infos = Client::establish()
            .and_then(|c| c.readers())
            .unwrap_or_default();
        let present = readers
            .iter()
            .filter(|r| infos.iter().any(|i| &i.name == *r && i.card_present))
            .count();
        if present == readers.len() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{present} of {} cards present: {infos:?}",
            readers.len()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_slot_answers_with_its_own_card() {
    let dir = std::env::temp_dir().join(format!("vusim-slots-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let slots = MAX_SLOTS;
    let pcscd = PrivatePcscd::start_slots(&dir.join("pcscd"), "vusim", PORT, slots)
        .unwrap_or_else(|e| panic!("{e}"));

    let imsis: Vec<String> = (0..slots).map(|i| format!("0010100000001{i:02}")).collect();
    let mut args = vec![
        "serve".to_string(),
        "--vpcd".to_string(),
        format!("127.0.0.1:{PORT}"),
    ];
    for (i, imsi) in imsis.iter().enumerate() {
        let f = dir.join(format!("card{i}.toml")).display().to_string();
        let (code, _, err) = vusim(&["card", "new", "--out", &f, "--imsi", imsi]);
        assert_eq!(code, 0, "{err}");
        args.extend(["--card".to_string(), f]);
    }
    let log = fs::File::create(dir.join("serve.log")).unwrap();
    let _serve = Serve(
        Command::new(env!("CARGO_BIN_EXE_vusim"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let readers: Vec<String> = (0..slots).map(|s| pcscd.reader(s)).collect();
    assert_eq!(readers[0], "vusim 00 00");
    assert_eq!(readers[3], "vusim 1 00 01");
    wait_cards(&readers);

    let start = Arc::new(Barrier::new(readers.len()));
    let workers: Vec<_> = readers
        .iter()
        .zip(&imsis)
        .map(|(reader, imsi)| {
            let (reader, want, start) = (reader.clone(), ef_imsi(imsi), Arc::clone(&start));
            thread::spawn(move || {
                let client = Client::establish().unwrap();
                let mut conn = client.connect(&reader).unwrap();
                let ok = |r: vusim_apdu::Response, what: &str| {
                    assert_eq!(r.sw, StatusWord::SUCCESS, "{reader}: {what}");
                    r.data
                };
                ok(
                    conn.transmit(&apdu("00A4040C07A0000000871002")).unwrap(),
                    "USIM",
                );
                ok(
                    conn.transmit(&apdu("002000010831323334FFFFFFFF")).unwrap(),
                    "PIN",
                );
                start.wait();
                let mut rtts = Vec::with_capacity(ROUNDS);
                for _ in 0..ROUNDS {
                    let t = Instant::now();
                    ok(conn.transmit(&apdu("00A4000C026F07")).unwrap(), "EF.IMSI");
                    rtts.push(t.elapsed());
                    let data = ok(conn.transmit(&apdu("00B0000009")).unwrap(), "READ");
                    assert_eq!(
                        hex::encode_upper(data),
                        hex::encode_upper(&want),
                        "{reader}"
                    );
                }
                rtts.sort();
                (reader, rtts[rtts.len() / 2])
            })
        })
        .collect();
    for w in workers {
        let (reader, median) = w.join().unwrap();
        println!("{reader}: SELECT round trip with all {slots} slots busy, median {median:?}");
    }
    drop(pcscd);
    let _ = fs::remove_dir_all(&dir);
}
