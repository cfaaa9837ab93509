//! MILENAGE against vectors/milenage.json (TS 35.208 / 35.207 sets and cross-implementation
//! AUTN/AUTS vectors), plus AUTN/AUTS round-trip properties.

use proptest::prelude::*;
use serde_json::Value;
use vusim_crypto::aka::{self, Autn, Auts};
use vusim_crypto::gsm;
use vusim_crypto::keys::{Key128, Op, Opc};
use vusim_crypto::milenage::{compute_opc, Milenage, MilenageConstants};
use vusim_crypto::CryptoError;

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/milenage.json"
    ))
    .expect("read vectors/milenage.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn entries<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    let list = v
        .get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("missing array {key}"));
    assert!(!list.is_empty(), "{key}: zero entries");
    list
}

fn opt<'a>(e: &'a Value, k: &str) -> Option<&'a str> {
    e.get(k).and_then(Value::as_str)
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    let name = opt(e, "name").unwrap_or("?");
    hex::decode(opt(e, k).unwrap_or_else(|| panic!("{name}: missing {k}")))
        .unwrap_or_else(|_| panic!("{name}: {k} not hex"))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

fn instance(e: &Value) -> Milenage {
    let k = Key128::new(arr(e, "k"));
    match opt(e, "opc") {
        Some(_) => Milenage::new(&k, &Opc::new(arr(e, "opc"))),
        None => Milenage::from_op(&k, &Op::new(arr(e, "op"))),
    }
}

#[test]
fn ts_35_208_and_35_207_sets() {
    let v = load();
    let sets = entries(&v, "vectors");
    for e in sets {
        let name = opt(e, "name").unwrap_or("?");
        let k = Key128::new(arr(e, "k"));
        let op = Op::new(arr(e, "op"));
        let opc = Opc::new(arr(e, "opc"));
        assert_eq!(compute_opc(&k, &op), opc, "{name}: OPc");
        let m = Milenage::new(&k, &opc);
        assert_eq!(Milenage::from_op(&k, &op).opc(), &opc, "{name}: from_op");
        let (rand, sqn, amf) = (arr(e, "rand"), arr(e, "sqn"), arr(e, "amf"));
        let out = m.compute(&rand, &sqn, &amf);
        assert_eq!(out.mac_a.to_vec(), hx(e, "f1"), "{name}: f1");
        assert_eq!(out.mac_s.to_vec(), hx(e, "f1star"), "{name}: f1*");
        assert_eq!(out.res.to_vec(), hx(e, "f2"), "{name}: f2");
        assert_eq!(out.ck.as_bytes(), hx(e, "f3"), "{name}: f3");
        assert_eq!(out.ik.as_bytes(), hx(e, "f4"), "{name}: f4");
        assert_eq!(out.ak.to_vec(), hx(e, "f5"), "{name}: f5");
        assert_eq!(out.ak_star.to_vec(), hx(e, "f5star"), "{name}: f5*");
        // The single-function entry points agree with the combined run.
        assert_eq!(m.f1(&rand, &sqn, &amf), out.mac_a, "{name}: f1 alone");
        assert_eq!(m.f1star(&rand, &sqn, &amf), out.mac_s, "{name}: f1* alone");
        let keys = m.f2345(&rand);
        assert_eq!(keys.res.as_bytes(), out.res, "{name}: f2 alone");
        assert_eq!(keys.ck, out.ck, "{name}: f3 alone");
        assert_eq!(keys.ik, out.ik, "{name}: f4 alone");
        assert_eq!(keys.ak, out.ak, "{name}: f5 alone");
        assert_eq!(m.f5star(&rand), out.ak_star, "{name}: f5* alone");
        // AUTN built by the network verifies on the USIM side.
        let (autn, _) = m.build_autn(&rand, &sqn, &amf);
        let ok = m
            .verify_autn(&rand, &autn.to_bytes())
            .expect("own AUTN verifies");
        assert_eq!(ok.sqn, sqn, "{name}: SQN from AUTN");
    }
    eprintln!("milenage.json: {} conformance sets checked", sets.len());
}

#[test]
fn cross_implementation_aka_vectors() {
    let v = load();
    let list = entries(&v, "aka_vectors");
    for e in list {
        let name = opt(e, "name").unwrap_or("?");
        let m = instance(e);
        let rand = arr(e, "rand");
        let mut checks = 0;
        if opt(e, "opc_for_op_zero").is_some() {
            let k = Key128::new(arr(e, "k"));
            let got = compute_opc(&k, &Op::new([0; 16]));
            assert_eq!(
                got.as_bytes(),
                hx(e, "opc_for_op_zero"),
                "{name}: OPc(OP=0)"
            );
            checks += 1;
        }
        if let (Some(_), Some(_)) = (opt(e, "opc"), opt(e, "op")) {
            let k = Key128::new(arr(e, "k"));
            assert_eq!(
                compute_opc(&k, &Op::new(arr(e, "op"))).as_bytes(),
                hx(e, "opc"),
                "{name}: OPc"
            );
            checks += 1;
        }
        let keys = m.f2345(&rand);
        for (field, got) in [
            ("res", keys.res.as_bytes().to_vec()),
            ("f2", keys.res.as_bytes().to_vec()),
            ("ck", keys.ck.as_bytes().to_vec()),
            ("f3", keys.ck.as_bytes().to_vec()),
            ("ik", keys.ik.as_bytes().to_vec()),
            ("f4", keys.ik.as_bytes().to_vec()),
            ("f5", keys.ak.to_vec()),
        ] {
            if opt(e, field).is_some() {
                assert_eq!(got, hx(e, field), "{name}: {field}");
                checks += 1;
            }
        }
        if opt(e, "sres").is_some() {
            let sres = gsm::c2(keys.res.as_bytes()).expect("8-byte RES");
            assert_eq!(sres.to_vec(), hx(e, "sres"), "{name}: SRES via c2");
            assert_eq!(
                gsm::c3(&keys.ck, &keys.ik).as_bytes(),
                hx(e, "kc"),
                "{name}: Kc via c3"
            );
            checks += 2;
        }
        if let (Some(_), Some(_)) = (opt(e, "sqn"), opt(e, "amf")) {
            let (sqn, amf) = (arr(e, "sqn"), arr(e, "amf"));
            if opt(e, "f1").is_some() {
                assert_eq!(m.f1(&rand, &sqn, &amf).to_vec(), hx(e, "f1"), "{name}: f1");
                checks += 1;
            }
            if opt(e, "autn").is_some() {
                let (autn, _) = m.build_autn(&rand, &sqn, &amf);
                assert_eq!(autn.to_bytes().to_vec(), hx(e, "autn"), "{name}: AUTN");
                let ok = m.verify_autn(&rand, &hx(e, "autn")).expect("AUTN verifies");
                assert_eq!((ok.sqn, ok.amf), (sqn, amf), "{name}: SQN/AMF from AUTN");
                checks += 2;
            }
        }
        if opt(e, "auts").is_some() {
            let auts = hx(e, "auts");
            let sqn_ms: [u8; 6] = arr(e, "sqn_ms");
            assert_eq!(
                m.recover_sqn_ms(&rand, &auts),
                Ok(sqn_ms),
                "{name}: SQN_MS from AUTS"
            );
            assert_eq!(
                m.build_auts(&rand, &sqn_ms).to_bytes().to_vec(),
                auts,
                "{name}: AUTS rebuilt"
            );
            checks += 2;
            if opt(e, "mac_s_amf0000").is_some() {
                assert_eq!(
                    m.f1star(&rand, &sqn_ms, &[0, 0]).to_vec(),
                    hx(e, "mac_s_amf0000"),
                    "{name}: MAC-S"
                );
                checks += 1;
            }
        }
        assert!(checks > 0, "{name}: no field was checked");
    }
    eprintln!("milenage.json: {} aka_vectors checked", list.len());
}

#[test]
fn flipk_cross_implementation_example() {
    // github flipk/pfk-milenage main.cc "expected output" (independent C++ MILENAGE), with
    // MAC-S over the set's AMF 8000 as that program computes it.
    let k = Key128::from_hex("000102030405060708090a0b0c0d0e0f").expect("hex");
    let op = Op::from_hex("00112233445566778899aabbccddeeff").expect("hex");
    let m = Milenage::from_op(&k, &op);
    assert_eq!(
        m.opc().as_bytes(),
        hex::decode("69d5c2eb2e2e624750541d3bbc692ba5").expect("hex")
    );
    let out = m.compute(&[0x34; 16], &[0, 0, 0, 0, 0, 1], &[0x80, 0]);
    assert_eq!(hex::encode(out.mac_a), "a02a7a551c231b71");
    assert_eq!(hex::encode(out.res), "cfb44bd0a69c5ce8");
    assert_eq!(
        hex::encode(out.ck.as_bytes()),
        "1bcbe84cef792e5701a6fce3d9fc436d"
    );
    assert_eq!(
        hex::encode(out.ik.as_bytes()),
        "694030c637934d8833b418928d9eea73"
    );
    assert_eq!(hex::encode(out.ak), "5f8f3fbc884b");
    assert_eq!(hex::encode(out.mac_s), "8ca69991023b0c73");
    assert_eq!(hex::encode(out.ak_star), "c268b9669787");
}

#[test]
fn constants_default_and_custom() {
    let c = MilenageConstants::default();
    assert_eq!(c.r, [64, 0, 32, 64, 96]);
    let last = |b: &[u8; 16]| b.iter().rev().copied().next();
    let lasts: Vec<_> = c.c.iter().map(last).collect();
    assert_eq!(lasts, [Some(0), Some(1), Some(2), Some(4), Some(8)]);
    let k = Key128::new([7; 16]);
    let opc = Opc::new([9; 16]);
    let rand = [1; 16];
    let std = Milenage::new(&k, &opc).compute(&rand, &[2; 6], &[3; 2]);
    assert_eq!(
        Milenage::with_constants(&k, &opc, c).compute(&rand, &[2; 6], &[3; 2]),
        std
    );
    let mut custom = c;
    custom.r[2] = 40;
    let alt = Milenage::with_constants(&k, &opc, custom).compute(&rand, &[2; 6], &[3; 2]);
    assert_eq!(alt.mac_a, std.mac_a, "r3 does not affect f1");
    assert_ne!(alt.ck, std.ck, "r3 changes f3");
}

#[test]
fn malformed_tokens_are_rejected() {
    let m = Milenage::new(&Key128::new([1; 16]), &Opc::new([2; 16]));
    assert!(matches!(
        m.recover_sqn_ms(&[0; 16], &[0; 13]),
        Err(CryptoError::InvalidLength { expected: 14, .. })
    ));
    assert!(matches!(
        m.verify_autn(&[0; 16], &[0; 17]),
        Err(CryptoError::InvalidLength { expected: 16, .. })
    ));
    assert_eq!(
        m.verify_autn(&[0; 16], &[0; 16]).err(),
        Some(CryptoError::MacMismatch { what: "MAC-A" })
    );
}

proptest! {
    #[test]
    fn auts_build_then_recover(k in any::<[u8; 16]>(), opc in any::<[u8; 16]>(),
                               rand in any::<[u8; 16]>(), sqn in any::<[u8; 6]>(),
                               flip in 0usize..14) {
        let m = Milenage::new(&Key128::new(k), &Opc::new(opc));
        let auts = m.build_auts(&rand, &sqn);
        prop_assert_eq!(m.recover_sqn_ms(&rand, &auts.to_bytes()), Ok(sqn));
        prop_assert_eq!(aka::recover_sqn_ms(&m, &rand, &auts), Ok(sqn));
        prop_assert_eq!(aka::build_auts(&m, &rand, &sqn), Ok(auts));
        let mut bad = auts.to_bytes();
        if let Some(b) = bad.get_mut(flip) { *b ^= 0x01; }
        prop_assert!(m.recover_sqn_ms(&rand, &bad).is_err());
        prop_assert_eq!(Auts::from_bytes(&auts.to_bytes()), auts);
    }

    #[test]
    fn autn_build_then_verify(k in any::<[u8; 16]>(), opc in any::<[u8; 16]>(),
                              rand in any::<[u8; 16]>(), sqn in any::<[u8; 6]>(),
                              amf in any::<[u8; 2]>(), flip in 0usize..16) {
        let m = Milenage::new(&Key128::new(k), &Opc::new(opc));
        let (autn, out) = m.build_autn(&rand, &sqn, &amf);
        let bytes = autn.to_bytes();
        prop_assert_eq!(Autn::parse(&bytes), Ok(autn));
        prop_assert_eq!(autn.sqn(&out.ak), sqn);
        let ok = m.verify_autn(&rand, &bytes).expect("verifies");
        prop_assert_eq!(ok.sqn, sqn);
        prop_assert_eq!(ok.amf, amf);
        let (generic, keys) = aka::generate_autn(&m, &rand, &sqn, &amf).expect("milenage");
        prop_assert_eq!(generic, autn);
        prop_assert_eq!(keys.ck, out.ck);
        let mut bad = bytes;
        if let Some(b) = bad.get_mut(flip) { *b ^= 0x80; }
        prop_assert!(m.verify_autn(&rand, &bad).is_err());
    }
}
