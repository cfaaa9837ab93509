//! Seed-key schemes against vectors/seed.json. No public vector exists (the FC values are
//! this project's), so the file is computed (independent Python) and each value is also
//! re-derived here from a hand-assembled S string.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use vusim_crypto::kdf::Fc;
use vusim_crypto::keys::{Ck, Ik, KsNaf};
use vusim_crypto::seed::{
    e2e_key, iot_as_keys, iot_k_app, iot_ks, iot_tag, iot_verify_tag, SeedFcs,
};
use vusim_crypto::CryptoError;

fn load() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/seed.json"))
            .expect("read vectors/seed.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    let l = v
        .get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("missing {key}"));
    assert!(!l.is_empty(), "{key}: zero entries");
    l
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

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// KDF with a two-octet FC (FF fc2), S assembled by hand.
fn kdf2(key: &[u8], fc2: u8, params: &[&[u8]]) -> Vec<u8> {
    let mut s = vec![0xFF, fc2];
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&u16::try_from(p.len()).expect("short").to_be_bytes());
    }
    hmac(key, &s)
}

#[test]
fn fc_values_match_file() {
    let v = load();
    let fc = v.get("fc").expect("fc table");
    let d = SeedFcs::default();
    for (field, got) in [
        ("ks", d.ks),
        ("ks_as", d.ks_as),
        ("sub", d.ks_as_sub),
        ("k_app", d.k_app),
        ("e2e", d.e2e),
    ] {
        let want = hx(fc, field);
        let got = match got {
            Fc::One(b) => vec![b],
            Fc::Two(b) => vec![0xFF, b],
        };
        assert_eq!(got, want, "FC {field}");
    }
}

#[test]
fn iot_scheme() {
    let v = load();
    assert_eq!(v.get("kind").and_then(Value::as_str), Some("computed"));
    let fcs = SeedFcs::default();
    let entries = list(&v, "iot");
    for e in entries {
        let name = text(e, "name");
        let (ck, ik) = (Ck::new(arr(e, "ck")), Ik::new(arr(e, "ik")));
        let as_id = text(e, "as_id");
        let (rand_as, guti) = (hx(e, "rand_as"), hx(e, "guti"));
        let ks = iot_ks(&ck, &ik, &fcs).expect("derive");
        let keys = iot_as_keys(&ks, as_id, &fcs).expect("derive");
        let k_app = iot_k_app(&keys.ks_as_enc, &rand_as, &fcs).expect("derive");
        let tag = iot_tag(&keys.ks_as_int, &guti, &rand_as).expect("tag");
        for (field, got) in [
            ("ks", ks.as_bytes()),
            ("ks_as", keys.ks_as.as_bytes()),
            ("ks_as_enc", keys.ks_as_enc.as_bytes()),
            ("ks_as_int", keys.ks_as_int.as_bytes()),
            ("k_app", k_app.as_bytes()),
            ("tag", tag.as_slice()),
        ] {
            assert_eq!(got, hx(e, field), "{name}: {field} (file)");
        }
        // By hand.
        let mut ckik = ck.as_bytes().to_vec();
        ckik.extend_from_slice(ik.as_bytes());
        let h_ks = kdf2(&ckik, 0xE0, &[b"End-to-End_IOT"]);
        let as_id_nfkc: String = as_id.nfkc().collect();
        let h_ks_as = kdf2(&h_ks, 0xE1, &[as_id_nfkc.as_bytes()]);
        let h_enc = kdf2(&h_ks_as, 0xE2, &[b"Ks_AS_enc"]);
        let h_int = kdf2(&h_ks_as, 0xE2, &[b"Ks_AS_int"]);
        let h_app = kdf2(&h_enc, 0xE3, &[&rand_as]);
        let mut msg = guti.clone();
        msg.extend_from_slice(&rand_as);
        let h_tag = hmac(&h_int, &msg);
        assert_eq!(ks.as_bytes(), h_ks, "{name}: Ks by hand");
        assert_eq!(keys.ks_as.as_bytes(), h_ks_as, "{name}: Ks_AS by hand");
        assert_eq!(
            keys.ks_as_enc.as_bytes(),
            h_enc,
            "{name}: Ks_AS_enc by hand"
        );
        assert_eq!(
            keys.ks_as_int.as_bytes(),
            h_int,
            "{name}: Ks_AS_int by hand"
        );
        assert_eq!(k_app.as_bytes(), h_app, "{name}: K_app by hand");
        assert_eq!(Some(tag.as_slice()), h_tag.get(..8), "{name}: tag by hand");
        assert_eq!(
            iot_verify_tag(&keys.ks_as_int, &guti, &rand_as, &tag),
            Ok(())
        );
        let mut bad = tag;
        bad[0] ^= 1;
        assert_eq!(
            iot_verify_tag(&keys.ks_as_int, &guti, &rand_as, &bad),
            Err(CryptoError::MacMismatch { what: "IoT tag t" })
        );
    }
    eprintln!("seed.json: {} IoT entries checked", entries.len());
}

#[test]
fn third_party_e2e_key() {
    let v = load();
    let fcs = SeedFcs::default();
    let entries = list(&v, "third_party");
    for e in entries {
        let name = text(e, "name");
        let ks_naf = KsNaf::new(arr(e, "ks_naf"));
        let ka = hx(e, "ka");
        let key = e2e_key(&ks_naf, &ka, &fcs).expect("derive");
        assert_eq!(key.as_bytes(), hx(e, "e2e_key"), "{name}: file");
        assert_eq!(
            key.as_bytes(),
            kdf2(ks_naf.as_bytes(), 0xE4, &[&ka]),
            "{name}: by hand"
        );
    }
    eprintln!("seed.json: {} third-party entries checked", entries.len());
}
