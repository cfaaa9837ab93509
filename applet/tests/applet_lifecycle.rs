//! The Java Card applet life cycle in the runtime: `select` and `deselect` reach an applet on the
//! channel they concern — a new selection on that channel, SELECT with termination, MANAGE
//! CHANNEL close (TS 102 221 §11.1.17), and a card reset, which deselects the applet on every
//! channel it was selected on, so its transient state (a card challenge) ends with the session.

use std::sync::{Arc, Mutex};

use vusim_apdu::{Command, Response, StatusWord};
use vusim_applet::card::applet::{Applet, Context};
use vusim_applet::card::{Card, CardBuilder};
use vusim_applet::fs::tables::MF;

/// Records `select N` / `deselect N` events.
struct Probe {
    aid: Vec<u8>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Applet for Probe {
    fn label(&self) -> &str {
        "probe"
    }
    fn aid(&self) -> &[u8] {
        &self.aid
    }
    fn select(&mut self, ctx: &mut Context<'_>) -> Result<(), StatusWord> {
        self.log
            .lock()
            .expect("log")
            .push(format!("select {}", ctx.channel));
        Ok(())
    }
    fn deselect(&mut self, ctx: &mut Context<'_>) {
        self.log
            .lock()
            .expect("log")
            .push(format!("deselect {}", ctx.channel));
    }
    fn process(&mut self, _ctx: &mut Context<'_>, _cmd: &Command) -> Result<Response, StatusWord> {
        Ok(Response::ok(Vec::new()))
    }
}

const AID_A: [u8; 6] = [0xF0, 0x01, 0x02, 0x03, 0x04, 0x0A];
const AID_B: [u8; 6] = [0xF0, 0x01, 0x02, 0x03, 0x04, 0x0B];

fn card() -> (Card, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut card = CardBuilder::new(&MF)
        .applet(Box::new(Probe {
            aid: AID_A.to_vec(),
            log: Arc::clone(&log),
        }))
        .applet(Box::new(Probe {
            aid: AID_B.to_vec(),
            log: Arc::clone(&log),
        }))
        .build()
        .expect("card");
    card.power_on();
    (card, log)
}

fn ok(card: &mut Card, hex_apdu: &str) {
    let r = card.transmit_bytes(&hex::decode(hex_apdu).expect("hex"));
    assert_eq!(r, [0x90, 0x00], "{hex_apdu}");
}

fn take(log: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    std::mem::take(&mut *log.lock().expect("log"))
}

#[test]
fn deselect_reaches_the_applet_on_its_channel() {
    let (mut c, log) = card();
    // Channel 0: A, then B (A deselected on 0).
    ok(&mut c, "00A4040C06F0010203040A");
    ok(&mut c, "00A4040C06F0010203040B");
    assert_eq!(take(&log), ["select 0", "deselect 0", "select 0"]);
    // Channel 1 (case-1 open) with A; MANAGE CHANNEL close deselects it on channel 1.
    assert_eq!(
        c.transmit_bytes(&hex::decode("0070000100").expect("hex")),
        [0x90, 0x00]
    );
    ok(&mut c, "01A4040C06F0010203040A");
    ok(&mut c, "0070800100");
    assert_eq!(take(&log), ["select 1", "deselect 1"]);
    // SELECT with termination (P2 b7-b6 = 10) deselects on the channel it names.
    ok(&mut c, "00A4044C06F0010203040B");
    assert_eq!(take(&log), ["deselect 0"]);
}

#[test]
fn a_reset_deselects_every_selected_applet_on_every_channel() {
    let (mut c, log) = card();
    ok(&mut c, "00A4040C06F0010203040A");
    assert_eq!(
        c.transmit_bytes(&hex::decode("0070000200").expect("hex")),
        [0x90, 0x00]
    );
    ok(&mut c, "02A4040C06F0010203040B");
    assert_eq!(take(&log), ["select 0", "select 2"]);
    c.reset();
    assert_eq!(take(&log), ["deselect 0", "deselect 2"]);
    // Nothing selected after the reset: a second reset deselects nothing.
    c.reset();
    assert!(take(&log).is_empty());
}
