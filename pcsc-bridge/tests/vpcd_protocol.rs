//! The vpcd wire protocol against a fake vpcd (no pcscd needed): framing, controls, T=0
//! answers, reconnection, shutdown, reversed mode and the per-APDU latency.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use vusim_applet::store::DurableCard;
use vusim_pcsc_bridge::vpcd::{control, Bridge, Shutdown, SlotCard, SlotConfig};
use vusim_pcsc_bridge::{StubCard, UiccCard, VirtualCard};

/// The vpcd end of a connection, writing like Debian's vpcd: length and body in two sends.
struct FakeVpcd {
    s: TcpStream,
}

impl FakeVpcd {
    fn new(s: TcpStream) -> FakeVpcd {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        FakeVpcd { s }
    }

    fn send(&mut self, payload: &[u8]) {
        self.s
            .write_all(&(payload.len() as u16).to_be_bytes())
            .unwrap();
        self.s.write_all(payload).unwrap();
    }

    fn recv(&mut self) -> Vec<u8> {
        let mut len = [0u8; 2];
        self.s.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        self.s.read_exact(&mut body).unwrap();
        body
    }

    fn apdu(&mut self, hex_apdu: &str) -> String {
        self.send(&hex::decode(hex_apdu).unwrap());
        hex::encode_upper(self.recv())
    }

    /// Nothing arrives within `d` (controls other than GET ATR are not answered).
    fn silent_for(&mut self, d: Duration) -> bool {
        self.s.set_read_timeout(Some(d)).unwrap();
        let mut b = [0u8; 1];
        let r = self.s.read(&mut b);
        self.s
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        r.is_err()
    }
}

fn default_card() -> SlotCard {
    Box::new(UiccCard::new(DurableCard::embedded().unwrap()))
}

fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let a = l.local_addr().unwrap().to_string();
    (l, a)
}

#[test]
fn controls_and_t0_apdus() {
    let (l, addr) = listener();
    let stop = Shutdown::new();
    let bridge = Bridge::spawn(
        vec![(SlotConfig::connect("slot 0", &addr), default_card())],
        &stop,
    );
    let (s, _) = l.accept().unwrap();
    let mut v = FakeVpcd::new(s);

    v.send(&[control::POWER_ON]);
    assert!(
        v.silent_for(Duration::from_millis(50)),
        "power on is not answered"
    );
    v.send(&[control::GET_ATR]);
    let atr = v.recv();
    assert_eq!(atr, vusim_applet::card::default_atr().encode());

    // SELECT MF, return FCP, T=0 style: 61xx, then GET RESPONSE.
    let r = v.apdu("00A40004023F0000");
    assert!(r.starts_with("61"), "{r}");
    let r = v.apdu(&format!("00C00000{}", &r[2..4]));
    assert!(r.starts_with("62") && r.ends_with("9000"), "{r}");
    // A case-2 command with the wrong Le gets 6Cxx.
    let r = v.apdu("00A4000C023F00");
    assert_eq!(r, "9000");
    // Malformed commands still get exactly one non-empty answer.
    let r = v.apdu("00A4");
    assert_eq!(r.len(), 4, "{r}");
    let r = v.apdu("FFFFFFFF");
    assert_eq!(r.len(), 4, "{r}");
    // Reset clears the selection state; the ATR is asked for again.
    v.send(&[control::RESET]);
    v.send(&[control::GET_ATR]);
    assert_eq!(v.recv(), atr);
    // Unknown controls and empty frames are ignored, not answered.
    v.send(&[0x07]);
    v.send(&[]);
    assert!(v.silent_for(Duration::from_millis(50)));
    v.send(&[control::POWER_OFF]);
    v.send(&[control::GET_ATR]);
    assert_eq!(v.recv(), atr, "the ATR is answered while powered off too");

    stop.trigger();
    bridge.join().unwrap();
}

/// Records what the bridge asks of the card.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl VirtualCard for Recorder {
    fn atr(&mut self) -> Vec<u8> {
        self.0.lock().unwrap().push("atr".into());
        vec![0x3B, 0x00]
    }
    fn reset(&mut self) {
        self.0.lock().unwrap().push("reset".into());
    }
    fn power_off(&mut self) {
        self.0.lock().unwrap().push("off".into());
    }
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.0
            .lock()
            .unwrap()
            .push(format!("apdu {}", hex::encode_upper(apdu)));
        if apdu.len() > 300 {
            return Vec::new(); // a broken card: the bridge must still answer
        }
        let mut r = apdu.to_vec();
        r.extend_from_slice(&[0x90, 0x00]);
        r
    }
}

#[test]
fn passes_bytes_unchanged_and_reconnects() {
    let (l, addr) = listener();
    let stop = Shutdown::new();
    let rec = Recorder::default();
    let mut cfg = SlotConfig::connect("slot 0", &addr);
    cfg.max_backoff = Duration::from_millis(100);
    let bridge = Bridge::spawn(vec![(cfg, Box::new(rec.clone()) as SlotCard)], &stop);

    let (s, _) = l.accept().unwrap();
    let mut v = FakeVpcd::new(s);
    v.send(&[control::POWER_ON]);
    // An extended-length APDU, byte for byte.
    let ext = format!("00D60000000100{}", "AB".repeat(256));
    assert_eq!(v.apdu(&ext), format!("{ext}9000"));
    // A card answer vpcd could not use becomes 6F00, never an empty frame.
    let long = format!("00D6000000012C{}", "CD".repeat(300));
    assert_eq!(v.apdu(&long), "6F00");

    // vpcd goes away (pcscd stopped): the card is removed, the bridge waits and comes back.
    drop(v);
    drop(l);
    thread::sleep(Duration::from_millis(300));
    let l = TcpListener::bind(&addr).unwrap();
    let (s, _) = l.accept().unwrap();
    let mut v = FakeVpcd::new(s);
    v.send(&[control::GET_ATR]);
    assert_eq!(v.recv(), vec![0x3B, 0x00]);
    assert_eq!(v.apdu("00B0000002"), "00B00000029000");

    stop.trigger();
    bridge.join().unwrap();
    let events = rec.0.lock().unwrap().clone();
    assert_eq!(events.first().map(String::as_str), Some("reset"));
    let off = events
        .iter()
        .position(|e| e == "off")
        .expect("power off on disconnect");
    assert!(events[off..].iter().any(|e| e == "atr"));
}

#[test]
fn shutdown_while_waiting_and_while_connected() {
    // Nothing listens on this port: the slot waits with backoff until stopped.
    let (l, dead) = listener();
    drop(l);
    let (l, addr) = listener();
    let stop = Shutdown::new();
    let bridge = Bridge::spawn(
        vec![
            (
                SlotConfig::connect("slot 0", &dead),
                Box::new(StubCard) as SlotCard,
            ),
            (
                SlotConfig::connect("slot 1", &addr),
                Box::new(StubCard) as SlotCard,
            ),
        ],
        &stop,
    );
    let (s, _) = l.accept().unwrap();
    let mut v = FakeVpcd::new(s);
    assert_eq!(v.apdu("00A4000C023F00"), "9000");
    thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    stop.trigger();
    bridge.join().unwrap();
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
}

#[test]
fn bad_address_is_an_error() {
    let stop = Shutdown::new();
    let bridge = Bridge::spawn(
        vec![(
            SlotConfig::connect("slot 0", "no-port"),
            Box::new(StubCard) as SlotCard,
        )],
        &stop,
    );
    let e = bridge.join().unwrap_err().to_string();
    assert!(e.contains("slot 0") && e.contains("no-port"), "{e}");
}

#[test]
fn reversed_mode() {
    let (l, addr) = listener();
    drop(l);
    let stop = Shutdown::new();
    let bridge = Bridge::spawn(
        vec![(SlotConfig::listen("slot 0", &addr), default_card())],
        &stop,
    );
    let mut s = None;
    for _ in 0..100 {
        if let Ok(c) = TcpStream::connect(&addr) {
            s = Some(c);
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let mut v = FakeVpcd::new(s.expect("the bridge listens"));
    v.send(&[control::POWER_ON]);
    v.send(&[control::GET_ATR]);
    assert_eq!(v.recv(), vusim_applet::card::default_atr().encode());
    assert_eq!(v.apdu("00A4000C023F00"), "9000");
    drop(v);
    // vpcd may connect again after closing.
    thread::sleep(Duration::from_millis(100));
    let mut v = FakeVpcd::new(TcpStream::connect(&addr).unwrap());
    assert_eq!(v.apdu("00A4000C023F00"), "9000");
    stop.trigger();
    bridge.join().unwrap();
}

/// Debian's vpcd sends length and body separately without TCP_NODELAY: without TCP_QUICKACK on
/// the card side every APDU would wait ~40 ms for a delayed ACK.
#[test]
fn no_delayed_ack_stall() {
    let (l, addr) = listener();
    let stop = Shutdown::new();
    let bridge = Bridge::spawn(
        vec![(SlotConfig::connect("slot 0", &addr), default_card())],
        &stop,
    );
    let (s, _) = l.accept().unwrap();
    let mut v = FakeVpcd::new(s);
    v.send(&[control::POWER_ON]);
    let mut times = Vec::new();
    for _ in 0..60 {
        let t = Instant::now();
        assert_eq!(v.apdu("00A4000C023F00"), "9000");
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    assert!(median < Duration::from_millis(10), "median {median:?}");
    stop.trigger();
    bridge.join().unwrap();
}
