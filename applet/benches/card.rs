//! Criterion benchmarks of the card through APDUs, in memory: SELECT by FID, READ BINARY,
//! READ RECORD by SFI, VERIFY PIN and 3G AUTHENTICATE (fresh SQN each time).

use std::hint::black_box;

use criterion::{criterion_main, BatchSize, Criterion};
use vusim_applet::card::Card;
use vusim_applet::crypto::aka::{sqn_from_u64, Autn};
use vusim_applet::crypto::keys::{Key128, Opc};
use vusim_applet::crypto::milenage::Milenage;
use vusim_applet::default_card::default_card;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_default()
}

fn ready() -> Card {
    let mut c = default_card().unwrap_or_else(|e| panic!("default card: {e}"));
    c.transmit_bytes(&h("00A4040C07A0000000871002"));
    c.transmit_bytes(&h("002000010831323334FFFFFFFF"));
    c
}

fn apdus(c: &mut Criterion) {
    let mut card = ready();
    let sel = h("00A4000C026F07");
    c.bench_function("card SELECT by FID", |b| {
        b.iter(|| black_box(card.transmit_bytes(black_box(&sel))))
    });
    let rb = h("00B0000009");
    c.bench_function("card READ BINARY", |b| {
        b.iter(|| black_box(card.transmit_bytes(black_box(&rb))))
    });
    let rr = h("00B2010C0E");
    c.bench_function("card READ RECORD by SFI", |b| {
        b.iter(|| black_box(card.transmit_bytes(black_box(&rr))))
    });
    let vp = h("002000010831323334FFFFFFFF");
    c.bench_function("card VERIFY PIN", |b| {
        b.iter(|| black_box(card.transmit_bytes(black_box(&vp))))
    });
}

fn authenticate(c: &mut Criterion) {
    // The default card's keys (TS 35.208 test set 1); a fresh SQN for every call.
    let m = Milenage::new(
        &Key128::from_hex("465B5CE8B199B49FAA5F0A2EE238A6BC").unwrap_or_else(|_| unreachable!()),
        &Opc::from_hex("CD63CB71954A9F4E48A5994E37A02BAF").unwrap_or_else(|_| unreachable!()),
    );
    let rand = [0x23u8; 16];
    let mut card = ready();
    let mut seq: u64 = 0;
    c.bench_function("card 3G AUTHENTICATE", |b| {
        b.iter_batched(
            || {
                seq += 1;
                let sqn = sqn_from_u64(seq << 5);
                let out = m.compute(&rand, &sqn, &[0x80, 0]);
                let autn = Autn::build(&sqn, &out.ak, &[0x80, 0], &out.mac_a).to_bytes();
                let mut apdu = h("008800812210");
                apdu.extend_from_slice(&rand);
                apdu.push(0x10);
                apdu.extend_from_slice(&autn);
                apdu.push(0);
                apdu
            },
            |apdu| black_box(card.transmit_bytes(&apdu)),
            BatchSize::SmallInput,
        )
    });
}

/// The benchmark group, kept in a private module so the generated function needs no docs.
mod group {
    criterion::criterion_group!(benches, super::apdus, super::authenticate);
}

criterion_main!(group::benches);
