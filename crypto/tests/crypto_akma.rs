//! AKMA against vectors/akma.json. No public AKMA vector exists, so the file is computed
//! (independent Python) and each value is re-derived here from a hand-assembled S string.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use vusim_crypto::akma::{a_kid, a_tid, af_id, k_af, k_akma, AKidFormat};
use vusim_crypto::gba::UaProtocolId;
use vusim_crypto::keys::Kausf;

fn load() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/akma.json"))
            .expect("read vectors/akma.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn text<'a>(e: &'a Value, k: &str) -> &'a str {
    e.get(k)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing {k}"))
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    hex::decode(text(e, k)).unwrap_or_else(|_| panic!("{k} not hex"))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

/// HMAC-SHA-256(key, FC || P0 || L0 || …) with S assembled by hand.
fn kdf_by_hand(key: &[u8], fc: u8, params: &[&[u8]]) -> Vec<u8> {
    let mut s = vec![fc];
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&u16::try_from(p.len()).expect("short").to_be_bytes());
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(&s);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn akma_keys_and_identifiers() {
    let v = load();
    assert_eq!(v.get("kind").and_then(Value::as_str), Some("computed"));
    let list = v
        .get("vectors")
        .and_then(Value::as_array)
        .expect("vectors array");
    assert!(!list.is_empty(), "akma.json: zero entries");
    let mut af_count = 0;
    for e in list {
        let name = text(e, "name");
        let kausf = Kausf::new(arr(e, "k_ausf"));
        let supi = text(e, "supi");
        let kakma = k_akma(&kausf, supi).expect("derive");
        assert_eq!(kakma.as_bytes(), hx(e, "k_akma"), "{name}: K_AKMA");
        assert_eq!(
            kakma.as_bytes(),
            kdf_by_hand(kausf.as_bytes(), 0x80, &[b"AKMA", supi.as_bytes()]),
            "{name}: K_AKMA by hand"
        );
        let atid = a_tid(&kausf, supi).expect("derive");
        assert_eq!(atid.to_vec(), hx(e, "a_tid"), "{name}: A-TID");
        assert_eq!(
            atid.to_vec(),
            kdf_by_hand(kausf.as_bytes(), 0x81, &[b"A-TID", supi.as_bytes()]),
            "{name}: A-TID by hand"
        );
        let (rid, realm) = (text(e, "rid"), text(e, "realm"));
        for (fmt, field) in [
            (AKidFormat::default(), "a_kid_rid_dot_base64"),
            (AKidFormat::RidDotHex, "a_kid_rid_dot_hex"),
            (AKidFormat::Tagged, "a_kid_tagged"),
        ] {
            assert_eq!(
                a_kid(rid, &atid, realm, fmt).expect("valid").as_str(),
                text(e, field),
                "{name}: {field}"
            );
        }
        let afs = e.get("afs").and_then(Value::as_array).expect("afs");
        assert!(!afs.is_empty(), "{name}: zero AFs");
        for a in afs {
            let id = af_id(
                text(a, "af_fqdn"),
                UaProtocolId::from_bytes(arr(a, "ua_protocol_id")),
            );
            assert_eq!(id, hx(a, "af_id"), "{name}: AF_ID");
            let kaf = k_af(&kakma, &id).expect("derive");
            assert_eq!(kaf.as_bytes(), hx(a, "k_af"), "{name}: K_AF");
            assert_eq!(
                kaf.as_bytes(),
                kdf_by_hand(kakma.as_bytes(), 0x82, &[&hx(a, "af_id")]),
                "{name}: K_AF by hand"
            );
            af_count += 1;
        }
    }
    eprintln!("akma.json: {} SUPIs, {af_count} AFs checked", list.len());
}
