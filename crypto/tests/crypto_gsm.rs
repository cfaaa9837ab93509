//! GSM-MILENAGE and the c2/c3 conversion functions against vectors/gsm_milenage.json
//! (TS 55.205 sets 1–19).

use proptest::prelude::*;
use serde_json::Value;
use vusim_crypto::gsm::{c2, c3, gsm_milenage, sres_first32};
use vusim_crypto::keys::{Ck, Ik, Key128, Opc};
use vusim_crypto::milenage::Milenage;

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/gsm_milenage.json"
    ))
    .expect("read vectors/gsm_milenage.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    let s = e
        .get(k)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing {k}"));
    hex::decode(s).unwrap_or_else(|_| panic!("{k} not hex"))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

#[test]
fn ts_55_205_sets() {
    let v = load();
    let list = v
        .get("vectors")
        .and_then(Value::as_array)
        .expect("vectors array");
    assert!(!list.is_empty(), "gsm_milenage.json: zero entries");
    for e in list {
        let name = e.get("name").and_then(Value::as_str).unwrap_or("?");
        let m = Milenage::new(&Key128::new(arr(e, "k")), &Opc::new(arr(e, "opc")));
        let rand = arr(e, "rand");
        let (sres, kc) = gsm_milenage(&m, &rand);
        assert_eq!(sres.to_vec(), hx(e, "sres1"), "{name}: SRES#1 (c2)");
        assert_eq!(kc.as_bytes(), hx(e, "kc"), "{name}: Kc (c3)");
        let res = m.f2345(&rand).res;
        assert_eq!(
            sres_first32(res.as_bytes()).map(|s| s.to_vec()),
            Ok(hx(e, "sres2")),
            "{name}: SRES#2"
        );
    }
    eprintln!("gsm_milenage.json: {} sets checked", list.len());
}

/// c2 straight from the TS 33.102 wording: pad XRES with zero bits to 128, XOR the words.
fn c2_by_formula(res: &[u8]) -> [u8; 4] {
    let mut bits = [0u8; 128];
    for (i, bit) in bits.iter_mut().enumerate() {
        if let Some(byte) = res.get(i / 8) {
            *bit = (byte >> (7 - i % 8)) & 1;
        }
    }
    let mut out = [0u8; 4];
    for (i, o) in out.iter_mut().enumerate() {
        for b in 0..8 {
            let pos = i * 8 + b;
            let v = bits.get(pos).copied().unwrap_or(0)
                ^ bits.get(pos + 32).copied().unwrap_or(0)
                ^ bits.get(pos + 64).copied().unwrap_or(0)
                ^ bits.get(pos + 96).copied().unwrap_or(0);
            *o |= v << (7 - b);
        }
    }
    out
}

proptest! {
    #[test]
    fn c2_matches_formula(res in proptest::collection::vec(any::<u8>(), 4..=16)) {
        prop_assert_eq!(c2(&res), Ok(c2_by_formula(&res)));
    }

    #[test]
    fn c2_64bit_is_half_xor(res in any::<[u8; 8]>()) {
        let want: Vec<u8> = res.iter().zip(res.iter().skip(4)).take(4).map(|(a, b)| a ^ b).collect();
        prop_assert_eq!(c2(&res).map(|s| s.to_vec()), Ok(want));
    }

    #[test]
    fn c3_matches_formula(ck in any::<[u8; 16]>(), ik in any::<[u8; 16]>()) {
        let want: Vec<u8> = (0..8)
            .map(|i| {
                let g = |a: &[u8; 16], j: usize| a.get(j).copied().unwrap_or(0);
                g(&ck, i) ^ g(&ck, i + 8) ^ g(&ik, i) ^ g(&ik, i + 8)
            })
            .collect();
        let kc = c3(&Ck::new(ck), &Ik::new(ik));
        prop_assert_eq!(kc.as_bytes(), want.as_slice());
    }
}
