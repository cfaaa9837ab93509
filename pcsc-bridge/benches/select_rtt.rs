//! SELECT round trip through pcscd: vusim's card against a trivial ICC that answers `9000`
//! without processing ([`StubCard`]), on two vpcd slots of a private pcscd, A/B interleaved.
//!
//! ```sh
//! ./scripts/bench-pcsc        # two `vusim serve` processes: the default card and `--stub`
//! cargo bench -p vusim-pcsc-bridge --features pcsc --bench select_rtt   # both in this process
//! ```
//!
//! With `VUSIM_BIN` set (what scripts/bench-pcsc does) slot 0 is `vusim serve` with the embedded
//! default card at the default log level and slot 1 is `vusim serve --stub`: the same program,
//! bridge and process set-up, only the card differs. Without it both cards are served by the
//! bridge inside this process. The client alternates the two readers (and which goes first), so
//! both see the same machine noise, and prints both medians and their ratio; `BENCH_JSON=FILE`
//! appends the figures as `vusim bench --json` rows (scripts/perf-doc). `SELECT_RTT_N` sets the
//! number of pairs (default 20000).
//!
//! Needs pcscd and vsmartcard-vpcd, root (pcscd's socket is /run/pcscd) and no other pcscd.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // bench code: a failed unwrap is a failed run

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use vusim_applet::store::DurableCard;
use vusim_pcsc_bridge::client::{Client, Connection};
use vusim_pcsc_bridge::pcscd::PrivatePcscd;
use vusim_pcsc_bridge::vpcd::{Bridge, Shutdown, SlotCard, SlotConfig};
use vusim_pcsc_bridge::{StubCard, UiccCard};

/// SELECT MF, no data returned: `9000` from both cards.
const SELECT_MF: [u8; 7] = [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00];
const PORT: u16 = 40_100;
/// The ratio the issue asks for (vusim ÷ trivial card).
const TARGET: f64 = 1.02;

fn wait_for_cards(client: &Client, readers: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let infos = client.readers().unwrap_or_default();
        let ready = readers
            .iter()
            .all(|r| infos.iter().any(|i| &i.name == r && i.card_present));
        if ready {
            return;
        }
        assert!(Instant::now() < deadline, "cards not present: {infos:?}");
        thread::sleep(Duration::from_millis(50));
    }
}

fn rtt(conn: &mut Connection) -> Duration {
    let t = Instant::now();
    let r = conn.transmit_raw(&SELECT_MF).expect("SELECT");
    let d = t.elapsed();
    assert_eq!(r, [0x90, 0x00]);
    d
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// The cards under test: `vusim serve` processes (killed on drop) or an in-process bridge.
enum Cards {
    Processes(Vec<Child>),
    InProcess(Shutdown, Option<Bridge>),
}

impl Drop for Cards {
    fn drop(&mut self) {
        match self {
            Cards::Processes(children) => {
                for c in children {
                    let _ = c.kill();
                    let _ = c.wait();
                }
            }
            Cards::InProcess(stop, bridge) => {
                stop.trigger();
                if let Some(b) = bridge.take() {
                    let _ = b.join();
                }
            }
        }
    }
}

/// Slots 0 and 3 hold vusim's card, slots 1 and 2 the trivial one: each card sits once in
/// each position of a vpcd reader entry (`00 00`, `00 01`), so a bias of a position cancels.
const VUSIM_SLOTS: [u8; 2] = [0, 3];
const STUB_SLOTS: [u8; 2] = [1, 2];

fn start_cards(pcscd: &PrivatePcscd, dir: &std::path::Path) -> (Cards, &'static str) {
    let addr = |slot| format!("127.0.0.1:{}", pcscd.port(slot));
    if let Ok(bin) = std::env::var("VUSIM_BIN") {
        let serve = |slot: u8| {
            let log = std::fs::File::create(dir.join(format!("serve{slot}.log"))).unwrap();
            let stub: &[&str] = if STUB_SLOTS.contains(&slot) {
                &["--stub"]
            } else {
                &[]
            };
            Command::new(&bin)
                .args(["serve", "--vpcd", &addr(slot)])
                .args(stub)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("{bin}: {e}"))
        };
        let children = (0..4).map(serve).collect();
        let how = "4 `vusim serve` processes, 2 with the default card at the default log level, 2 with --stub";
        (Cards::Processes(children), how)
    } else {
        let stop = Shutdown::new();
        let slots = (0..4)
            .map(|slot| {
                let card: SlotCard = if STUB_SLOTS.contains(&slot) {
                    Box::new(StubCard)
                } else {
                    Box::new(UiccCard::new(
                        DurableCard::embedded().expect("default card"),
                    ))
                };
                (
                    SlotConfig::connect(format!("slot {slot}"), addr(slot)),
                    card,
                )
            })
            .collect();
        let bridge = Bridge::spawn(slots, &stop);
        let how = "one bridge in the benchmark process: UiccCard vs StubCard";
        (Cards::InProcess(stop, Some(bridge)), how)
    }
}

fn main() {
    let n: usize = std::env::var("SELECT_RTT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let dir = std::env::temp_dir().join(format!("vusim-bench-{}", std::process::id()));
    let pcscd = PrivatePcscd::start_slots(&dir, "vusim-bench", PORT, 4).expect("private pcscd");
    let (cards, how) = start_cards(&pcscd, &dir);
    let client = Client::establish().expect("PC/SC context");
    let names: Vec<String> = (0..4).map(|s| pcscd.reader(s)).collect();
    wait_for_cards(&client, &names);
    let connect = |slots: [u8; 2]| -> Vec<Connection> {
        slots
            .iter()
            .map(|s| client.connect(&names[usize::from(*s)]).expect("connect"))
            .collect()
    };
    let mut vusim = connect(VUSIM_SLOTS);
    let mut stub = connect(STUB_SLOTS);
    for _ in 0..500 {
        for c in vusim.iter_mut().chain(stub.iter_mut()) {
            rtt(c);
        }
    }

    let mut tv = Vec::with_capacity(n);
    let mut ts = Vec::with_capacity(n);
    for i in 0..n {
        // Pair i uses the vusim/trivial slots of position i % 2 and alternates which goes
        // first, so neither card always follows the other or keeps one reader position.
        let (v, s) = (&mut vusim[i % 2], &mut stub[i % 2]);
        if (i / 2) % 2 == 0 {
            tv.push(rtt(v));
            ts.push(rtt(s));
        } else {
            ts.push(rtt(s));
            tv.push(rtt(v));
        }
    }
    let mv = median(&mut tv).as_secs_f64() * 1e6;
    let ms = median(&mut ts).as_secs_f64() * 1e6;
    let ratio = mv / ms;
    println!(
        "SELECT round trip through pcscd, {how}, {n} interleaved pairs: vusim median {mv:.1} µs, trivial card median {ms:.1} µs, ratio {ratio:.3} (target ≤ {TARGET})"
    );
    if let Ok(path) = std::env::var("BENCH_JSON") {
        let note = format!("SELECT MF through pcscd + vpcd, {n} interleaved pairs; {how}");
        let rows = [
            serde_row(
                "SELECT round trip through pcscd: vusim",
                mv,
                "µs",
                None,
                &note,
            ),
            serde_row(
                "SELECT round trip through pcscd: trivial card (floor)",
                ms,
                "µs",
                None,
                &note,
            ),
            serde_row(
                "SELECT round trip ratio vusim / trivial card",
                ratio,
                "×",
                Some(TARGET),
                &note,
            ),
        ];
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        for r in rows {
            writeln!(f, "{r}").unwrap();
        }
    }
    drop(vusim);
    drop(stub);
    drop(cards);
    drop(pcscd);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One row in the `vusim bench --json` format (name, value, unit, target, met, note).
fn serde_row(name: &str, value: f64, unit: &str, target: Option<f64>, note: &str) -> String {
    serde_json::json!({
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "met": target.map(|t| value <= t),
        "note": note,
    })
    .to_string()
}
