//! SUCI null scheme and ECIES profiles A/B against vectors/suci.json (TS 33.501 Annex C.4),
//! plus conceal → de-conceal properties.

use proptest::prelude::*;
use serde_json::Value;
use vusim_crypto::keys::EcPrivateKey;
use vusim_crypto::suci::{
    conceal, deconceal, ecdh_shared_secret, imsi_scheme_input, msin_from_scheme_input,
    nai_scheme_input, null_scheme, null_scheme_nai_output, public_key, x963_kdf_sha256,
    EciesProfile, SchemeOutput,
};
use vusim_crypto::CryptoError;

fn load() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/suci.json"))
            .expect("read vectors/suci.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn opt<'a>(e: &'a Value, k: &str) -> Option<&'a str> {
    e.get(k).and_then(Value::as_str)
}

fn text<'a>(e: &'a Value, k: &str) -> &'a str {
    opt(e, k).unwrap_or_else(|| panic!("missing {k}"))
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    hex::decode(text(e, k)).unwrap_or_else(|_| panic!("{k} not hex"))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

fn scheme_input(e: &Value) -> Vec<u8> {
    match text(e, "supi_type") {
        "imsi" => {
            let bcd = imsi_scheme_input(text(e, "msin")).expect("MSIN");
            assert_eq!(msin_from_scheme_input(&bcd).as_deref(), Ok(text(e, "msin")));
            bcd
        }
        "nai" => {
            let user = text(e, "supi_nai").split('@').next().expect("username");
            nai_scheme_input(user).expect("username")
        }
        other => panic!("unknown supi_type {other}"),
    }
}

#[test]
fn ts_33_501_annex_c4() {
    let v = load();
    let list = v
        .get("vectors")
        .and_then(Value::as_array)
        .expect("vectors array");
    assert!(!list.is_empty(), "suci.json: zero entries");
    for e in list {
        let name = text(e, "name");
        let input = scheme_input(e);
        assert_eq!(input, hx(e, "scheme_input"), "{name}: scheme input");
        let profile = match text(e, "scheme") {
            "null" => {
                match (opt(e, "scheme_output"), opt(e, "scheme_output_text")) {
                    (Some(_), _) => {
                        assert_eq!(null_scheme(&input), hx(e, "scheme_output"), "{name}");
                    }
                    (None, Some(t)) => {
                        let user = text(e, "supi_nai").split('@').next().expect("username");
                        assert_eq!(null_scheme_nai_output(user), t, "{name}");
                    }
                    _ => panic!("{name}: no output"),
                }
                continue;
            }
            "profile_a" => EciesProfile::A,
            "profile_b" => EciesProfile::B,
            other => panic!("unknown scheme {other}"),
        };
        let hn_priv = EcPrivateKey::new(arr(e, "hn_private_key"));
        let eph_priv = EcPrivateKey::new(arr(e, "eph_private_key"));
        let hn_pub = hx(e, "hn_public_key");
        assert_eq!(
            public_key(profile, &hn_priv).ok(),
            Some(hn_pub.clone()),
            "{name}: HN pub"
        );
        let eph_pub = hx(e, "eph_public_key");
        assert_eq!(
            public_key(profile, &eph_priv).ok(),
            Some(eph_pub.clone()),
            "{name}: eph pub"
        );
        let z = ecdh_shared_secret(profile, &eph_priv, &hn_pub).expect("ECDH");
        assert_eq!(z.to_vec(), hx(e, "eph_shared_key"), "{name}: shared (UE)");
        let z2 = ecdh_shared_secret(profile, &hn_priv, &eph_pub).expect("ECDH");
        assert_eq!(z2.to_vec(), hx(e, "eph_shared_key"), "{name}: shared (HN)");
        let k = x963_kdf_sha256(z.as_slice(), &eph_pub, 64);
        let mut want = hx(e, "enc_key");
        want.extend(hx(e, "icb"));
        want.extend(hx(e, "mac_key"));
        assert_eq!(k.to_vec(), want, "{name}: X9.63 KDF");
        let out = conceal(profile, &hn_pub, &eph_priv, &input).expect("conceal");
        assert_eq!(out.ciphertext, hx(e, "ciphertext"), "{name}: ciphertext");
        assert_eq!(out.mac.to_vec(), hx(e, "mac_tag"), "{name}: MAC tag");
        if opt(e, "scheme_output").is_some() {
            assert_eq!(
                out.to_bytes(),
                hx(e, "scheme_output"),
                "{name}: scheme output"
            );
            let parsed = SchemeOutput::parse(profile, &hx(e, "scheme_output")).expect("parse");
            assert_eq!(parsed, out);
        }
        if let Some(t) = opt(e, "scheme_output_text") {
            assert_eq!(out.to_nai(), t, "{name}: NAI output");
            assert_eq!(SchemeOutput::from_nai(profile, t).ok(), Some(out.clone()));
        }
        if opt(e, "hn_public_key_uncompressed").is_some() {
            let again = conceal(
                profile,
                &hx(e, "hn_public_key_uncompressed"),
                &eph_priv,
                &input,
            )
            .expect("uncompressed HN key");
            assert_eq!(again, out, "{name}: uncompressed HN key");
        }
        let plain = deconceal(profile, &hn_priv, &out).expect("de-conceal");
        assert_eq!(plain.to_vec(), input, "{name}: de-conceal");
        let mut bad = out.clone();
        if let Some(b) = bad.mac.first_mut() {
            *b ^= 1;
        }
        assert_eq!(
            deconceal(profile, &hn_priv, &bad).err(),
            Some(CryptoError::MacMismatch { what: "SUCI" }),
            "{name}: tampered tag"
        );
    }
    eprintln!("suci.json: {} entries checked", list.len());
}

#[test]
fn bad_keys_rejected() {
    let sk = EcPrivateKey::new([7; 32]);
    // x = 2^256 - 1 is not a field element; tag 05 is no SEC1 tag.
    let mut not_field = [0xFF; 33];
    not_field[0] = 0x02;
    assert!(matches!(
        conceal(EciesProfile::B, &not_field, &sk, b"x"),
        Err(CryptoError::InvalidPublicKey { .. })
    ));
    assert!(matches!(
        conceal(EciesProfile::B, &[5; 33], &sk, b"x"),
        Err(CryptoError::InvalidPublicKey { .. })
    ));
    assert!(conceal(EciesProfile::A, &[1; 31], &sk, b"x").is_err());
    // The all-zero X25519 point gives a non-contributory secret.
    assert!(conceal(EciesProfile::A, &[0; 32], &sk, b"x").is_err());
    // Zero is not a valid P-256 scalar.
    assert!(public_key(EciesProfile::B, &EcPrivateKey::new([0; 32])).is_err());
    assert!(SchemeOutput::parse(EciesProfile::B, &[0; 40]).is_err());
}

proptest! {
    #[test]
    fn conceal_deconceal(hn in any::<[u8; 32]>(), eph in any::<[u8; 32]>(),
                         msg in proptest::collection::vec(any::<u8>(), 1..64),
                         profile_b in any::<bool>()) {
        let profile = if profile_b { EciesProfile::B } else { EciesProfile::A };
        let hn_priv = EcPrivateKey::new(hn);
        let eph_priv = EcPrivateKey::new(eph);
        // Random 32 bytes is a valid P-256 scalar except with negligible probability.
        let hn_pub = public_key(profile, &hn_priv);
        prop_assume!(hn_pub.is_ok() && public_key(profile, &eph_priv).is_ok());
        let hn_pub = hn_pub.expect("checked");
        let out = conceal(profile, &hn_pub, &eph_priv, &msg).expect("conceal");
        prop_assert_eq!(out.eph_pub.len(), profile.eph_pub_len());
        let back = deconceal(profile, &hn_priv, &out).expect("de-conceal");
        prop_assert_eq!(back.as_slice(), msg.as_slice());
        let parsed = SchemeOutput::parse(profile, &out.to_bytes()).expect("parse");
        prop_assert_eq!(&parsed, &out);
        prop_assert_eq!(SchemeOutput::from_nai(profile, &out.to_nai()).ok(), Some(out.clone()));
        let mut bad = out;
        if let Some(c) = bad.ciphertext.first_mut() { *c ^= 0x80; }
        prop_assert!(deconceal(profile, &hn_priv, &bad).is_err());
    }
}
