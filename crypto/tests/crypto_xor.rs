//! The TS 34.108 §8.1.2 XOR test algorithm against vectors/xor.json (cross-implementation
//! vectors from osmo-hlr and flipk/pfk-milenage plus computed entries), and against a
//! bit-level re-implementation of the clause written in this file.

use proptest::prelude::*;
use serde_json::Value;
use vusim_crypto::aka::{self, Autn};
use vusim_crypto::gsm;
use vusim_crypto::keys::Key128;
use vusim_crypto::xor::Xor3g;

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/xor.json"))
        .expect("read vectors/xor.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn opt<'a>(e: &'a Value, k: &str) -> Option<&'a str> {
    e.get(k).and_then(Value::as_str)
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    hex::decode(opt(e, k).unwrap_or_else(|| panic!("missing {k}")))
        .unwrap_or_else(|_| panic!("{k} not hex"))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

/// Bit `i` (0 = MSB of the first octet) of a byte string.
fn bit(x: &[u8], i: usize) -> u8 {
    x.get(i / 8).map_or(0, |b| (b >> (7 - i % 8)) & 1)
}

/// Packs bits into octets, MSB first.
fn pack(bits: &[u8]) -> Vec<u8> {
    bits.chunks(8)
        .map(|c| c.iter().fold(0u8, |acc, b| (acc << 1) | b))
        .collect()
}

/// TS 34.108 §8.1.2.1 written bit by bit from the clause text.
struct ByFormula {
    res: Vec<u8>,
    ck: Vec<u8>,
    ik: Vec<u8>,
    ak: Vec<u8>,
    mac: Vec<u8>,
}

fn by_formula(
    k: &[u8; 16],
    rand: &[u8; 16],
    sqn: &[u8; 6],
    amf: &[u8; 2],
    n_bits: usize,
) -> ByFormula {
    let xdout: Vec<u8> = (0..128).map(|i| bit(k, i) ^ bit(rand, i)).collect();
    let xd = |i: usize| xdout.get(i % 128).copied().unwrap_or(0);
    let cdout: Vec<u8> = (0..64)
        .map(|i| {
            if i < 48 {
                bit(sqn, i)
            } else {
                bit(amf, i - 48)
            }
        })
        .collect();
    ByFormula {
        res: pack(&(0..n_bits).map(xd).collect::<Vec<_>>()),
        ck: pack(&(0..128).map(|i| xd(i + 8)).collect::<Vec<_>>()),
        ik: pack(&(0..128).map(|i| xd(i + 16)).collect::<Vec<_>>()),
        ak: pack(&(24..72).map(xd).collect::<Vec<_>>()),
        mac: pack(
            &(0..64)
                .map(|i| xd(i) ^ cdout.get(i).copied().unwrap_or(0))
                .collect::<Vec<_>>(),
        ),
    }
}

#[test]
fn xor_json_vectors() {
    let v = load();
    let list = v
        .get("vectors")
        .and_then(Value::as_array)
        .expect("vectors array");
    assert!(!list.is_empty(), "xor.json: zero entries");
    for e in list {
        let name = opt(e, "name").unwrap_or("?");
        let k = Key128::new(arr(e, "k"));
        let rand = arr(e, "rand");
        let res_len = e
            .get("res_len")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(16);
        let x = Xor3g::with_res_len(&k, res_len).expect("RES length");
        let keys = x.keys(&rand);
        let mut checks = 0;
        for (field, got) in [
            ("f2", keys.res.as_bytes().to_vec()),
            ("f3", keys.ck.as_bytes().to_vec()),
            ("f4", keys.ik.as_bytes().to_vec()),
            ("f5", keys.ak.to_vec()),
            ("f5star", x.ak(&rand).to_vec()),
        ] {
            if opt(e, field).is_some() {
                assert_eq!(got, hx(e, field), "{name}: {field}");
                checks += 1;
            }
        }
        if opt(e, "kc").is_some() {
            assert_eq!(
                gsm::c3(&keys.ck, &keys.ik).as_bytes(),
                hx(e, "kc"),
                "{name}: Kc"
            );
            checks += 1;
        }
        if opt(e, "sres").is_some() {
            assert_eq!(
                gsm::c2(keys.res.as_bytes()).map(|s| s.to_vec()),
                Ok(hx(e, "sres")),
                "{name}: SRES"
            );
            checks += 1;
        }
        if let (Some(_), Some(_)) = (opt(e, "sqn"), opt(e, "amf")) {
            let (sqn, amf) = (arr(e, "sqn"), arr(e, "amf"));
            for (field, got) in [
                ("f1", x.mac(&rand, &sqn, &amf)),
                ("f1star", x.mac(&rand, &sqn, &amf)),
            ] {
                if opt(e, field).is_some() {
                    assert_eq!(got.to_vec(), hx(e, field), "{name}: {field}");
                    checks += 1;
                }
            }
            if opt(e, "autn").is_some() {
                let (autn, _) = aka::generate_autn(&x, &rand, &sqn, &amf).expect("xor");
                assert_eq!(autn.to_bytes().to_vec(), hx(e, "autn"), "{name}: AUTN");
                let ok = aka::verify_autn(&x, &rand, &Autn::parse(&hx(e, "autn")).expect("16"))
                    .expect("AUTN verifies");
                assert_eq!(ok.sqn, sqn, "{name}: SQN");
                checks += 1;
            }
            if opt(e, "auts_with_set_amf").is_some() {
                // That program's AUTS: MAC-S over the set's AMF instead of 0000.
                let mut want = aka::build_auts(&x, &rand, &sqn)
                    .expect("xor")
                    .sqn_xor_ak_star
                    .to_vec();
                want.extend_from_slice(&x.mac(&rand, &sqn, &amf));
                assert_eq!(want, hx(e, "auts_with_set_amf"), "{name}: AUTS (set AMF)");
                checks += 1;
            }
        }
        if opt(e, "auts").is_some() {
            let sqn_ms: [u8; 6] = arr(e, "sqn_ms");
            let auts = aka::build_auts(&x, &rand, &sqn_ms).expect("xor");
            assert_eq!(auts.to_bytes().to_vec(), hx(e, "auts"), "{name}: AUTS");
            assert_eq!(aka::recover_sqn_ms(&x, &rand, &auts), Ok(sqn_ms), "{name}");
            checks += 1;
        }
        assert!(checks > 0, "{name}: nothing checked");
    }
    eprintln!("xor.json: {} entries checked", list.len());
}

proptest! {
    #[test]
    fn library_matches_bitwise_formula(k in any::<[u8; 16]>(), rand in any::<[u8; 16]>(),
                                       sqn in any::<[u8; 6]>(), amf in any::<[u8; 2]>(),
                                       res_len in 4usize..=16) {
        let x = Xor3g::with_res_len(&Key128::new(k), res_len).expect("4..=16");
        let f = by_formula(&k, &rand, &sqn, &amf, res_len * 8);
        let keys = x.keys(&rand);
        prop_assert_eq!(keys.res.as_bytes(), f.res.as_slice());
        prop_assert_eq!(keys.ck.as_bytes(), f.ck.as_slice());
        prop_assert_eq!(keys.ik.as_bytes(), f.ik.as_slice());
        prop_assert_eq!(keys.ak.as_slice(), f.ak.as_slice());
        let mac = x.mac(&rand, &sqn, &amf);
        prop_assert_eq!(mac.as_slice(), f.mac.as_slice());
    }

    #[test]
    fn xor_auts_round_trip(k in any::<[u8; 16]>(), rand in any::<[u8; 16]>(), sqn in any::<[u8; 6]>()) {
        let x = Xor3g::new(&Key128::new(k));
        let auts = aka::build_auts(&x, &rand, &sqn).expect("xor");
        prop_assert_eq!(aka::recover_sqn_ms(&x, &rand, &auts), Ok(sqn));
    }
}

#[test]
fn res_length_bounds() {
    let k = Key128::new([1; 16]);
    assert!(Xor3g::with_res_len(&k, 3).is_err());
    assert!(Xor3g::with_res_len(&k, 17).is_err());
    assert_eq!(Xor3g::new(&k).keys(&[0; 16]).res.len(), 16);
}
