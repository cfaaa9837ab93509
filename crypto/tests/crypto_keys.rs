//! Key newtypes: redacted Debug, length errors, constant-time equality.

use vusim_crypto::keys::{
    ct_eq, Ck, CkPrime, DerivedKey, EcPrivateKey, Emsk, Ik, IkPrime, KAut, KEncr, KRe, Kaf, Kakma,
    Kamf, Kausf, Kc, Key128, Key256, Ks, KsNaf, Kseaf, Msk, Op, Opc, Top, Topc, VarKey,
};
use vusim_crypto::CryptoError;

macro_rules! check_type {
    ($t:ident, $len:expr) => {{
        let k = $t::new([0xA5; $len]);
        let dbg = format!("{k:?}");
        assert_eq!(dbg, concat!(stringify!($t), " { .. }"));
        assert!(!dbg.contains("a5") && !dbg.contains("A5") && !dbg.contains("165"));
        assert_eq!(k.as_bytes().len(), $len);
        assert_eq!(k.expose(), &[0xA5; $len]);
        assert_eq!($t::from_slice(&[0xA5; $len]).ok(), Some(k.clone()));
        assert_eq!(
            $t::from_slice(&[0; $len + 1]).err(),
            Some(CryptoError::InvalidLength {
                what: stringify!($t),
                expected: $len,
                got: $len + 1
            })
        );
        assert_ne!($t::new([0x5A; $len]), k);
        assert_eq!($t::from_hex(&"a5".repeat($len)).ok(), Some(k));
        assert!($t::from_hex(&"zz".repeat($len)).is_err());
    }};
}

#[test]
fn all_key_types() {
    check_type!(Key128, 16);
    check_type!(Key256, 32);
    check_type!(Op, 16);
    check_type!(Opc, 16);
    check_type!(Top, 32);
    check_type!(Topc, 32);
    check_type!(Ck, 16);
    check_type!(Ik, 16);
    check_type!(Kc, 8);
    check_type!(Ks, 32);
    check_type!(KsNaf, 32);
    check_type!(DerivedKey, 32);
    check_type!(Kausf, 32);
    check_type!(Kseaf, 32);
    check_type!(Kamf, 32);
    check_type!(CkPrime, 16);
    check_type!(IkPrime, 16);
    check_type!(KEncr, 16);
    check_type!(KAut, 32);
    check_type!(KRe, 32);
    check_type!(Msk, 64);
    check_type!(Emsk, 64);
    check_type!(Kakma, 32);
    check_type!(Kaf, 32);
    check_type!(EcPrivateKey, 32);
}

#[test]
fn error_message_names_length() {
    let e = Key128::from_slice(&[0; 3]).expect_err("too short");
    assert_eq!(e.to_string(), "Key128: expected 16 bytes, got 3");
}

#[test]
fn var_key() {
    assert!(VarKey::from_slice(&[0; 24]).is_err());
    let k = VarKey::from_slice(&[1; 16]).expect("16");
    assert_eq!(k.len(), 16);
    assert_eq!(format!("{k:?}"), "VarKey { len: 16, .. }");
}

#[test]
fn constant_time_compare() {
    assert!(ct_eq(&[1, 2, 3], &[1, 2, 3]));
    assert!(!ct_eq(&[1, 2, 3], &[1, 2, 4]));
    assert!(!ct_eq(&[1, 2, 3], &[1, 2]));
    assert!(ct_eq(&[], &[]));
}
