//! Seed-key schemes on the TS 33.220 B.2 KDF: the IoT end-to-end scheme of TR 33.863
//! solution #11 and a third-party combined key; the FC values are this project's choice.
//!
//! # FC values (project-chosen, not allocated by 3GPP)
//!
//! TR 33.863 is a study and allocates no FC values, and the third-party scheme is local to
//! this project. To stay clear of the one-octet FCs that 3GPP specifications allocate
//! (0x01 GBA, 0x10–0x2x EPS/non-3GPP, 0x6x–0x8x 5GS/AKMA, …), this project takes them from the
//! two-octet space `0xFF ‖ FC2` (TS 33.220 B.2.2), high end:
//!
//! | derivation | FC |
//! |---|---|
//! | Ks (IoT) | `FF E0` |
//! | Ks_AS | `FF E1` |
//! | Ks_AS_enc / Ks_AS_int | `FF E2` (labels `"Ks_AS_enc"` / `"Ks_AS_int"`) |
//! | K_app | `FF E3` |
//! | e2e_key (third party) | `FF E4` |
//!
//! They are gathered in [`SeedFcs`] so a deployment with other values can pass its own.
//!
//! # (a) IoT end-to-end (TR 33.863 solution #11)
//! ```text
//! Ks        = KDF(CK ‖ IK, FC_ks,     "End-to-End_IOT")
//! Ks_AS     = KDF(Ks,      FC_ks_as,  AS_ID)
//! Ks_AS_enc = KDF(Ks_AS,   FC_sub,    "Ks_AS_enc")
//! Ks_AS_int = KDF(Ks_AS,   FC_sub,    "Ks_AS_int")
//! K_app     = KDF(Ks_AS_enc, FC_k_app, RAND_AS)
//! t         = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS) truncated to its first 8 octets
//! ```
//! The tag `t` is a plain HMAC over the concatenation (no FC/length framing), truncated to
//! 64 bits ([`IOT_TAG_LEN`]), the size of MAC-A and of the SUCI MAC tag.
//!
//! # (b) Third-party combined key
//! `e2e_key = KDF(Ks_(ext/int)_NAF, FC_e2e, Ka)`, Ka being the third party's key (octets).
//!
//! No public vector exists for either scheme; `vectors/seed.json` is computed by this project.

use super::kdf::{hmac_sha256, Fc, KdfInput};
use super::keys::{ct_eq, Ck, DerivedKey, Ik, KsNaf};
use super::CryptoError;

/// Length of the IoT authentication tag `t` in octets (64 bits).
pub const IOT_TAG_LEN: usize = 8;

/// P0 of the IoT Ks derivation.
pub const LABEL_E2E_IOT: &str = "End-to-End_IOT";
/// Label of Ks_AS_enc.
pub const LABEL_KS_AS_ENC: &str = "Ks_AS_enc";
/// Label of Ks_AS_int.
pub const LABEL_KS_AS_INT: &str = "Ks_AS_int";

/// The FC values of the seed schemes (see the module docs; defaults are this project's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedFcs {
    /// Ks from CK ‖ IK.
    pub ks: Fc,
    /// Ks_AS from Ks.
    pub ks_as: Fc,
    /// Ks_AS_enc / Ks_AS_int from Ks_AS.
    pub ks_as_sub: Fc,
    /// K_app from Ks_AS_enc.
    pub k_app: Fc,
    /// Third-party e2e_key from Ks_NAF.
    pub e2e: Fc,
}

impl Default for SeedFcs {
    fn default() -> Self {
        Self {
            ks: Fc::Two(0xE0),
            ks_as: Fc::Two(0xE1),
            ks_as_sub: Fc::Two(0xE2),
            k_app: Fc::Two(0xE3),
            e2e: Fc::Two(0xE4),
        }
    }
}

/// The keys of the IoT scheme for one application server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IotAsKeys {
    /// Ks_AS.
    pub ks_as: DerivedKey,
    /// Ks_AS_enc.
    pub ks_as_enc: DerivedKey,
    /// Ks_AS_int.
    pub ks_as_int: DerivedKey,
}

/// IoT Ks = KDF(CK ‖ IK, FC, "End-to-End_IOT").
///
/// # Errors
/// Not expected (fixed-size inputs).
pub fn iot_ks(ck: &Ck, ik: &Ik, fcs: &SeedFcs) -> Result<DerivedKey, CryptoError> {
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    let (a, b) = key.split_at_mut(16);
    a.copy_from_slice(ck.expose());
    b.copy_from_slice(ik.expose());
    KdfInput::new(fcs.ks).string(LABEL_E2E_IOT)?.derive(&*key)
}

/// Ks_AS, Ks_AS_enc and Ks_AS_int for the application server `as_id` (a character string).
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long AS_ID.
pub fn iot_as_keys(ks: &DerivedKey, as_id: &str, fcs: &SeedFcs) -> Result<IotAsKeys, CryptoError> {
    let ks_as = KdfInput::new(fcs.ks_as)
        .string(as_id)?
        .derive(ks.as_bytes())?;
    let ks_as_enc = KdfInput::new(fcs.ks_as_sub)
        .string(LABEL_KS_AS_ENC)?
        .derive(ks_as.as_bytes())?;
    let ks_as_int = KdfInput::new(fcs.ks_as_sub)
        .string(LABEL_KS_AS_INT)?
        .derive(ks_as.as_bytes())?;
    Ok(IotAsKeys {
        ks_as,
        ks_as_enc,
        ks_as_int,
    })
}

/// K_app = KDF(Ks_AS_enc, FC, RAND_AS).
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long RAND_AS.
pub fn iot_k_app(
    ks_as_enc: &DerivedKey,
    rand_as: &[u8],
    fcs: &SeedFcs,
) -> Result<DerivedKey, CryptoError> {
    KdfInput::new(fcs.k_app)
        .bytes(rand_as)?
        .derive(ks_as_enc.as_bytes())
}

/// t = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS), first [`IOT_TAG_LEN`] octets.
///
/// # Errors
/// Not expected.
pub fn iot_tag(
    ks_as_int: &DerivedKey,
    guti: &[u8],
    rand_as: &[u8],
) -> Result<[u8; IOT_TAG_LEN], CryptoError> {
    let full = hmac_sha256(ks_as_int.as_bytes(), &[guti, rand_as])?;
    let mut t = [0u8; IOT_TAG_LEN];
    t.copy_from_slice(full.split_at(IOT_TAG_LEN).0);
    Ok(t)
}

/// Verifies a received tag `t` in constant time.
///
/// # Errors
/// [`CryptoError::MacMismatch`] if it does not verify.
pub fn iot_verify_tag(
    ks_as_int: &DerivedKey,
    guti: &[u8],
    rand_as: &[u8],
    tag: &[u8],
) -> Result<(), CryptoError> {
    if ct_eq(&iot_tag(ks_as_int, guti, rand_as)?, tag) {
        Ok(())
    } else {
        Err(CryptoError::MacMismatch { what: "IoT tag t" })
    }
}

/// Third-party combined key e2e_key = KDF(Ks_(ext/int)_NAF, FC, Ka).
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long Ka.
pub fn e2e_key(ks_naf: &KsNaf, ka: &[u8], fcs: &SeedFcs) -> Result<DerivedKey, CryptoError> {
    KdfInput::new(fcs.e2e).bytes(ka)?.derive(ks_naf.as_bytes())
}
