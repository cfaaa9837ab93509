//! Concurrent clients on different logical channels of one card: threads share the card behind a
//! `Mutex`, each opens its own channel with MANAGE CHANNEL, selects the USIM and its own EF, then
//! updates and reads that EF in a loop while the others do the same, APDU by APDU interleaved.
//! Each channel must always see its own file (the value it wrote last), and the final contents,
//! read on channel 0 and from the saved card file, must be each client's last write.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use vusim_applet::card::Card;
use vusim_applet::default_card::default_card;
use vusim_applet::profile::DEFAULT_PROFILE;
use vusim_applet::store::DurableCard;

/// Transparent USIM EFs readable and updatable after PIN1, one per client: FID and size.
const FILES: &[(u16, usize)] = &[
    (0x6F7E, 11),  // EF.LOCI
    (0x6F7B, 12),  // EF.FPLMN
    (0x6F73, 14),  // EF.PSLOCI
    (0x6FE3, 18),  // EF.EPSLOCI
    (0x6FC4, 128), // EF.NETPAR
    (0x6F08, 33),  // EF.Keys
    (0x6F09, 33),  // EF.KeysPS
    (0x6F5B, 6),   // EF.START-HFN
];

/// CLA of a logical channel, interindustry (channels 1–3 in the first class, 4–19 in the
/// further class).
fn cla(channel: u8) -> u8 {
    match channel {
        0..=3 => channel,
        _ => 0x40 | (channel - 4),
    }
}

/// The card, with or without a file behind it.
trait Exchange: Send {
    fn exchange(&mut self, apdu: &[u8]) -> Vec<u8>;
}

impl Exchange for Card {
    fn exchange(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.transmit_bytes(apdu)
    }
}

impl Exchange for DurableCard {
    fn exchange(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.transmit(apdu).expect("state saved")
    }
}

/// The card and the order in which the clients' APDUs reached it.
struct Shared<C> {
    card: C,
    order: Vec<u8>,
}

type SharedCard<C> = Mutex<Shared<C>>;

/// One APDU from client `who` (`u8::MAX` for the test itself).
fn send<C: Exchange>(card: &SharedCard<C>, who: u8, apdu: &[u8]) -> Vec<u8> {
    let mut s = card.lock().unwrap();
    s.order.push(who);
    let r = s.card.exchange(apdu);
    drop(s);
    // Give the other clients a chance between two APDUs.
    thread::yield_now();
    r
}

fn ok<C: Exchange>(card: &SharedCard<C>, who: u8, apdu: &[u8], what: &str) {
    let r = send(card, who, apdu);
    assert_eq!(r, [0x90, 0x00], "{what}: {}", hex::encode_upper(apdu));
}

/// The value client `client` writes in round `round` into a file of `size` bytes: client id,
/// round, then a pattern (so a read of another client's file, or of a stale round, differs).
fn value(client: usize, round: usize, size: usize) -> Vec<u8> {
    (0..size)
        .map(|i| match i {
            0 => 0xC0 | client as u8,
            1 => (round >> 8) as u8,
            2 => round as u8,
            _ => (client as u8).wrapping_mul(31) ^ (round as u8).wrapping_add(i as u8),
        })
        .collect()
}

fn select_usim(cla: u8) -> Vec<u8> {
    let mut a = vec![cla, 0xA4, 0x04, 0x0C, 0x07];
    a.extend_from_slice(&[0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02]);
    a
}

fn select_fid(cla: u8, fid: u16) -> Vec<u8> {
    let [hi, lo] = fid.to_be_bytes();
    vec![cla, 0xA4, 0x00, 0x0C, 0x02, hi, lo]
}

fn update(cla: u8, data: &[u8]) -> Vec<u8> {
    let mut a = vec![cla, 0xD6, 0x00, 0x00, data.len() as u8];
    a.extend_from_slice(data);
    a
}

fn read(cla: u8, len: usize) -> Vec<u8> {
    vec![cla, 0xB0, 0x00, 0x00, len as u8]
}

/// One client: open a channel, select the USIM and its file, then `rounds` times update the
/// file and read it back (re-selecting the USIM and the file every 16 rounds). Returns the
/// channel and the last value written.
fn client<C: Exchange>(
    card: &SharedCard<C>,
    id: usize,
    rounds: usize,
    start: &Barrier,
) -> (u8, Vec<u8>) {
    let (fid, size) = FILES[id];
    let who = id as u8;
    start.wait();
    let r = send(card, who, &[0x00, 0x70, 0x00, 0x00, 0x01]);
    assert_eq!(r.len(), 3, "MANAGE CHANNEL open: {}", hex::encode_upper(&r));
    assert_eq!(&r[1..], [0x90, 0x00]);
    let ch = r[0];
    assert!((1..=19).contains(&ch), "channel {ch}");
    let c = cla(ch);
    let mut last = Vec::new();
    for round in 0..rounds {
        if round % 16 == 0 {
            ok(card, who, &select_usim(c), "SELECT ADF.USIM");
            ok(card, who, &select_fid(c, fid), "SELECT EF");
        }
        let v = value(id, round, size);
        ok(card, who, &update(c, &v), "UPDATE BINARY");
        let r = send(card, who, &read(c, size));
        let mut want = v.clone();
        want.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(
            hex::encode_upper(&r),
            hex::encode_upper(&want),
            "client {id} on channel {ch}, round {round}: READ BINARY of {fid:04X}"
        );
        last = v;
    }
    (ch, last)
}

/// Run the clients on one card; return each client's channel and last value.
fn run_clients<C: Exchange + 'static>(
    card: Arc<SharedCard<C>>,
    clients: usize,
    rounds: usize,
) -> Vec<(u8, Vec<u8>)> {
    let me = u8::MAX;
    // PIN1 is a global key: verified once on channel 0, it holds for every channel.
    ok(&card, me, &select_usim(0), "SELECT ADF.USIM on channel 0");
    ok(
        &card,
        me,
        &hex::decode("002000010831323334FFFFFFFF").unwrap(),
        "VERIFY PIN1",
    );
    let start = Arc::new(Barrier::new(clients));
    let handles: Vec<_> = (0..clients)
        .map(|id| {
            let card = Arc::clone(&card);
            let start = Arc::clone(&start);
            thread::spawn(move || client(&card, id, rounds, &start))
        })
        .collect();
    let results: Vec<(u8, Vec<u8>)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut channels: Vec<u8> = results.iter().map(|(c, _)| *c).collect();
    channels.sort_unstable();
    channels.dedup();
    assert_eq!(channels.len(), clients, "every client got its own channel");
    // The clients' APDUs really interleaved.
    let switches = {
        let s = card.lock().unwrap();
        s.order
            .windows(2)
            .filter(|w| w[0] != w[1] && w[0] != me && w[1] != me)
            .count()
    };
    eprintln!("{clients} clients, {rounds} rounds: {switches} switches between clients");
    assert!(
        switches >= clients,
        "APDUs of different clients never interleaved"
    );
    // Final contents, read on channel 0: each file holds its client's last write.
    for (id, (_, last)) in results.iter().enumerate() {
        let (fid, size) = FILES[id];
        ok(&card, me, &select_fid(0, fid), "SELECT EF on channel 0");
        let mut want = last.clone();
        want.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(
            send(&card, me, &read(0, size)),
            want,
            "final contents of {fid:04X}"
        );
    }
    // Closing the channels leaves channel 0 working.
    for (ch, _) in &results {
        ok(&card, me, &[0x00, 0x70, 0x80, *ch], "MANAGE CHANNEL close");
    }
    results
}

#[test]
fn clients_on_separate_channels_see_their_own_files() {
    let card = Arc::new(Mutex::new(Shared {
        card: default_card().unwrap(),
        order: Vec::new(),
    }));
    run_clients(card, FILES.len(), 300);
}

#[test]
fn concurrent_clients_on_a_durable_card_save_consistent_contents() {
    let dir = std::env::temp_dir().join(format!("vusim-concurrent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("card.toml");
    std::fs::write(&path, DEFAULT_PROFILE).unwrap();
    let clients = 4;
    let card = Arc::new(Mutex::new(Shared {
        card: DurableCard::open(&path).unwrap(),
        order: Vec::new(),
    }));
    let results = run_clients(Arc::clone(&card), clients, 40);
    drop(card);
    // The saved file holds every client's last write.
    let mut reopened = DurableCard::open(&path).unwrap();
    let mut tx = |apdu: &[u8]| reopened.transmit(apdu).unwrap();
    assert_eq!(tx(&select_usim(0)), [0x90, 0x00]);
    assert_eq!(
        tx(&hex::decode("002000010831323334FFFFFFFF").unwrap()),
        [0x90, 0x00]
    );
    for (id, (_, last)) in results.iter().enumerate() {
        let (fid, size) = FILES[id];
        assert_eq!(tx(&select_fid(0, fid)), [0x90, 0x00]);
        let mut want = last.clone();
        want.extend_from_slice(&[0x90, 0x00]);
        assert_eq!(tx(&read(0, size)), want, "saved contents of {fid:04X}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
