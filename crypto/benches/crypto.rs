//! Criterion benchmarks for the authentication crypto: MILENAGE, OPc, TUAK, the TS 33.220 KDF,
//! Ks_NAF and SUCI concealment.

use std::hint::black_box;

use criterion::{criterion_main, Criterion};
use vusim_crypto::gba::{ks_ext_naf, ks_from_ck_ik, naf_id, UaProtocolId};
use vusim_crypto::kdf::KdfInput;
use vusim_crypto::keys::{Ck, EcPrivateKey, Ik, Key128, Op, Opc, Top};
use vusim_crypto::milenage::{compute_opc, Milenage};
use vusim_crypto::suci::{conceal, imsi_scheme_input, public_key, EciesProfile};
use vusim_crypto::tuak::{Tuak, TuakKey, TuakParams};

fn milenage(c: &mut Criterion) {
    let k = Key128::new([0x46; 16]);
    let opc = Opc::new([0xcd; 16]);
    let m = Milenage::new(&k, &opc);
    let (rand, sqn, amf) = ([0x23u8; 16], [0xffu8; 6], [0xb9u8; 2]);
    c.bench_function("milenage full run f1..f5*", |b| {
        b.iter(|| black_box(m.compute(black_box(&rand), &sqn, &amf)))
    });
    c.bench_function("milenage new (key schedule)", |b| {
        b.iter(|| black_box(Milenage::new(black_box(&k), &opc)))
    });
    let op = Op::new([0xcd; 16]);
    c.bench_function("milenage OPc", |b| {
        b.iter(|| black_box(compute_opc(black_box(&k), &op)))
    });
}

fn tuak(c: &mut Criterion) {
    let t = Tuak::from_top(
        TuakKey::from_slice(&[0xab; 16]).unwrap_or_else(|_| unreachable!("16 bytes")),
        &Top::new([0x55; 32]),
        TuakParams::default(),
    )
    .unwrap_or_else(|_| unreachable!("default parameters"));
    let rand = [0x42u8; 16];
    c.bench_function("tuak f2345", |b| {
        b.iter(|| black_box(t.f2345(black_box(&rand))))
    });
}

fn kdf(c: &mut Criterion) {
    let key = [0x11u8; 32];
    let snn = "5G:mnc001.mcc001.3gppnetwork.org";
    c.bench_function("kdf one call (K_AUSF shape)", |b| {
        b.iter(|| {
            KdfInput::new(0x6A)
                .string(black_box(snn))
                .and_then(|i| i.bytes(&[1, 2, 3, 4, 5, 6]))
                .and_then(|i| i.derive(&key))
        })
    });
    let ks = ks_from_ck_ik(&Ck::new([0x53; 16]), &Ik::new([0x97; 16]));
    let rand = [0x81u8; 16];
    let nid = naf_id("naf.example.org", UaProtocolId::HttpDigest);
    let impi = "555444333222111@ims.mnc044.mcc555.3gppnetwork.org";
    c.bench_function("Ks_ext_NAF derivation", |b| {
        b.iter(|| ks_ext_naf(&ks, black_box(&rand), impi, &nid))
    });
}

fn suci(c: &mut Criterion) {
    let input = imsi_scheme_input("001002086").unwrap_or_default();
    for (profile, label) in [
        (EciesProfile::A, "suci profile A conceal"),
        (EciesProfile::B, "suci profile B conceal"),
    ] {
        let hn_pub = public_key(profile, &EcPrivateKey::new([0x1c; 32])).unwrap_or_default();
        let eph = EcPrivateKey::new([0x2d; 32]);
        c.bench_function(label, |b| {
            b.iter(|| conceal(profile, &hn_pub, black_box(&eph), &input))
        });
    }
}

/// The benchmark group, kept in a private module so the generated function needs no docs.
mod group {
    criterion::criterion_group!(
        benches,
        super::milenage,
        super::tuak,
        super::kdf,
        super::suci
    );
}

criterion_main!(group::benches);
