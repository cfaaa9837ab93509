//! TUAK against vectors/tuak.json (TS 35.232 Keccak permutation data, TS 35.233 sets 1–6).

use proptest::prelude::*;
use serde_json::Value;
use vusim_crypto::aka::{self, AkaAlgorithm};
use vusim_crypto::keys::{Top, Topc};
use vusim_crypto::tuak::{compute_topc, keccak_f1600_bytes, Tuak, TuakKey, TuakParams};
use vusim_crypto::CryptoError;

fn load() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/tuak.json"))
            .expect("read vectors/tuak.json");
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

fn name(e: &Value) -> &str {
    e.get("name").and_then(Value::as_str).unwrap_or("?")
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    let s = e
        .get(k)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{}: missing {k}", name(e)));
    hex::decode(s).unwrap_or_else(|_| panic!("{}: {k} not hex", name(e)))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

fn num(e: &Value, k: &str) -> u64 {
    e.get(k)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{}: missing number {k}", name(e)))
}

fn params(e: &Value) -> TuakParams {
    let bits = |k| u16::try_from(num(e, k)).expect("small");
    TuakParams {
        mac_bits: bits("mac_len_bits"),
        res_bits: bits("res_len_bits"),
        ck_bits: bits("ck_len_bits"),
        ik_bits: bits("ik_len_bits"),
        iterations: u32::try_from(num(e, "keccak_iterations")).expect("small"),
    }
}

#[test]
fn ts_35_232_keccak_permutation() {
    let v = load();
    let list = entries(&v, "keccak");
    for e in list {
        let mut state: [u8; 200] = arr(e, "input");
        keccak_f1600_bytes(&mut state);
        assert_eq!(state.to_vec(), hx(e, "output"), "{}", name(e));
    }
    eprintln!("tuak.json: {} Keccak permutations checked", list.len());
}

#[test]
fn ts_35_233_sets() {
    let v = load();
    let list = entries(&v, "vectors");
    for e in list {
        let n = name(e);
        let k = TuakKey::from_slice(&hx(e, "k")).expect("K length");
        let p = params(e);
        let topc = compute_topc(&k, &Top::new(arr(e, "top")), p.iterations);
        assert_eq!(topc, Topc::new(arr(e, "topc")), "{n}: TOPc");
        let t = Tuak::new(k.clone(), topc, p).expect("valid params");
        let from_top = Tuak::from_top(k, &Top::new(arr(e, "top")), p).expect("valid params");
        assert_eq!(from_top.topc(), t.topc(), "{n}: from_top");
        let (rand, sqn, amf) = (arr(e, "rand"), arr(e, "sqn"), arr(e, "amf"));
        assert_eq!(t.f1(&rand, &sqn, &amf).as_bytes(), hx(e, "f1"), "{n}: f1");
        assert_eq!(
            t.f1star(&rand, &sqn, &amf).as_bytes(),
            hx(e, "f1star"),
            "{n}: f1*"
        );
        let keys = t.f2345(&rand);
        assert_eq!(keys.res.as_bytes(), hx(e, "f2"), "{n}: f2");
        assert_eq!(keys.ck.as_bytes(), hx(e, "f3"), "{n}: f3");
        assert_eq!(keys.ik.as_bytes(), hx(e, "f4"), "{n}: f4");
        assert_eq!(keys.ak.to_vec(), hx(e, "f5"), "{n}: f5");
        assert_eq!(t.f5star(&rand).to_vec(), hx(e, "f5star"), "{n}: f5*");
        // Through the generic AKA interface only 64-bit MACs and 128-bit CK/IK fit.
        let generic = AkaAlgorithm::f1(&t, &rand, &sqn, &amf);
        if p.mac_bits == 64 {
            assert_eq!(
                generic.map(|m| m.to_vec()),
                Ok(hx(e, "f1")),
                "{n}: trait f1"
            );
        } else {
            assert!(
                matches!(generic, Err(CryptoError::UnsupportedLength { .. })),
                "{n}"
            );
        }
        let generic_keys = AkaAlgorithm::f2345(&t, &rand);
        assert_eq!(
            generic_keys.is_ok(),
            p.ck_bits == 128 && p.ik_bits == 128,
            "{n}: trait f2345"
        );
    }
    eprintln!("tuak.json: {} TS 35.233 sets checked", list.len());
}

#[test]
fn invalid_params_rejected() {
    let k = TuakKey::from_slice(&[1; 16]).expect("16");
    let topc = Topc::new([0; 32]);
    for bad in [
        TuakParams {
            mac_bits: 32,
            ..TuakParams::default()
        },
        TuakParams {
            res_bits: 16,
            ..TuakParams::default()
        },
        TuakParams {
            ck_bits: 64,
            ..TuakParams::default()
        },
        TuakParams {
            ik_bits: 192,
            ..TuakParams::default()
        },
        TuakParams {
            iterations: 0,
            ..TuakParams::default()
        },
    ] {
        assert!(Tuak::new(k.clone(), topc.clone(), bad).is_err(), "{bad:?}");
    }
    assert!(TuakKey::from_slice(&[0; 24]).is_err());
}

proptest! {
    #[test]
    fn tuak_auts_and_autn_round_trip(k in any::<[u8; 16]>(), top in any::<[u8; 32]>(),
                                     rand in any::<[u8; 16]>(), sqn in any::<[u8; 6]>(),
                                     amf in any::<[u8; 2]>()) {
        let t = Tuak::from_top(TuakKey::from_slice(&k).expect("16"), &Top::new(top),
                               TuakParams::default()).expect("default params");
        let auts = aka::build_auts(&t, &rand, &sqn).expect("64-bit MAC");
        prop_assert_eq!(aka::recover_sqn_ms(&t, &rand, &auts), Ok(sqn));
        let (autn, keys) = aka::generate_autn(&t, &rand, &sqn, &amf).expect("64/128");
        let ok = aka::verify_autn(&t, &rand, &autn).expect("verifies");
        prop_assert_eq!(ok.sqn, sqn);
        prop_assert_eq!(ok.keys, keys);
    }
}
