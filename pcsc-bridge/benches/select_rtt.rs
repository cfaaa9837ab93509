//! SELECT round trip through pcscd: vusim's card against a trivial ICC ([`StubCard`]), both
//! served by the bridge in this process on two vpcd slots of a private pcscd.
//!
//! ```sh
//! cargo bench -p vusim-pcsc-bridge --features pcsc --bench select_rtt
//! ```
//!
//! Needs pcscd and vsmartcard-vpcd, root (pcscd's socket is /run/pcscd) and no other pcscd
//! running. Criterion measures each reader; then an interleaved run (alternating readers, so
//! both see the same machine noise) prints both medians and their ratio (target ≤ 1.05).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

use std::hint::black_box;
use std::thread;
use std::time::{Duration, Instant};

use criterion::Criterion;
use vusim_applet::store::DurableCard;
use vusim_pcsc_bridge::client::{Client, Connection};
use vusim_pcsc_bridge::pcscd::PrivatePcscd;
use vusim_pcsc_bridge::vpcd::{Bridge, Shutdown, SlotCard, SlotConfig};
use vusim_pcsc_bridge::{StubCard, UiccCard};

/// SELECT MF, no data returned: `9000` from both cards.
const SELECT_MF: [u8; 7] = [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00];
const PORT: u16 = 40_100;

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

fn main() {
    let dir = std::env::temp_dir().join(format!("vusim-bench-{}", std::process::id()));
    let pcscd = PrivatePcscd::start(&dir, "vusim-bench", PORT).expect("private pcscd");
    let stop = Shutdown::new();
    let card = UiccCard::new(DurableCard::embedded().expect("default card"));
    let bridge = Bridge::spawn(
        vec![
            (
                SlotConfig::connect("vusim", format!("127.0.0.1:{}", pcscd.port(0))),
                Box::new(card) as SlotCard,
            ),
            (
                SlotConfig::connect("stub", format!("127.0.0.1:{}", pcscd.port(1))),
                Box::new(StubCard) as SlotCard,
            ),
        ],
        &stop,
    );
    let client = Client::establish().expect("PC/SC context");
    let names = [pcscd.reader(0), pcscd.reader(1)];
    wait_for_cards(&client, &names);
    let mut vusim = client.connect(&names[0]).expect("connect vusim");
    let mut stub = client.connect(&names[1]).expect("connect stub");
    for _ in 0..200 {
        rtt(&mut vusim);
        rtt(&mut stub);
    }

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    c.bench_function("select_rtt/vusim", |b| {
        b.iter(|| black_box(vusim.transmit_raw(black_box(&SELECT_MF))))
    });
    c.bench_function("select_rtt/stub", |b| {
        b.iter(|| black_box(stub.transmit_raw(black_box(&SELECT_MF))))
    });
    c.final_summary();

    let n = 5_000;
    let mut tv = Vec::with_capacity(n);
    let mut ts = Vec::with_capacity(n);
    for i in 0..n {
        // Alternate which goes first, so neither always follows the other.
        if i % 2 == 0 {
            tv.push(rtt(&mut vusim));
            ts.push(rtt(&mut stub));
        } else {
            ts.push(rtt(&mut stub));
            tv.push(rtt(&mut vusim));
        }
    }
    let mv = median(&mut tv);
    let ms = median(&mut ts);
    let ratio = mv.as_secs_f64() / ms.as_secs_f64();
    println!(
        "SELECT round trip through pcscd, interleaved, {n} each: vusim median {:.1} µs, trivial ICC median {:.1} µs, ratio {ratio:.3} (target ≤ 1.05)",
        mv.as_secs_f64() * 1e6,
        ms.as_secs_f64() * 1e6
    );
    drop(vusim);
    drop(stub);
    stop.trigger();
    let _ = bridge.join();
    drop(pcscd);
    let _ = std::fs::remove_dir_all(&dir);
}
