//! AKMA key derivations (3GPP TS 33.535 Annex A.2–A.4) and the A-KID (TS 33.535 §6.1).
//!
//! * `K_AKMA = KDF(K_AUSF, 0x80, "AKMA", SUPI)`
//! * `A-TID  = KDF(K_AUSF, 0x81, "A-TID", SUPI)` (256 bits)
//! * `K_AF   = KDF(K_AKMA, 0x82, AF_ID)`, `AF_ID = FQDN of the AF ‖ Ua* security protocol
//!   identifier` (the Ua identifiers of TS 33.220 Annex H, [`UaProtocolId`]).
//!
//! SUPI is a character string, the same value as P0 of TS 33.501 A.7.0 (IMSI digits or NAI).
//!
//! # A-KID
//!
//! TS 33.535 §6.1 says the A-KID is an NAI (RFC 7542 §2.2), `username@realm`, whose username
//! "shall include" the Routing Indicator and the A-TID and whose realm is the home network
//! identifier. The public copies of TS 33.535 and TS 23.003 searched for this project do not
//! say how the 256-bit A-TID is written as text nor how it is separated from the RID, so
//! [`a_kid`] takes an [`AKidFormat`]. The default, [`AKidFormat::RidDotBase64`]
//! (`<RID>.<base64(A-TID)>@<realm>`), follows the B-TID that AKMA replaces
//! (`base64(RAND)@BSF domain`, TS 33.220 §4.5.2) and uses the `.` separator of the SUCI NAI
//! username (TS 23.003 §28.7.3); every character stays within RFC 7542 `utf8-atext`.
//! Change it when the network under test documents another rendering.
//!
//! No public AKMA vector was found: `vectors/akma.json` is computed by this project and the
//! tests re-derive each value directly from the formula.

use base64::Engine as _;

use super::gba::{naf_id, UaProtocolId};
use super::kdf::KdfInput;
use super::keys::{Kaf, Kakma, Kausf};
use super::CryptoError;

/// FC for K_AKMA (A.2).
pub const FC_KAKMA: u8 = 0x80;
/// FC for A-TID (A.3).
pub const FC_ATID: u8 = 0x81;
/// FC for K_AF (A.4).
pub const FC_KAF: u8 = 0x82;

/// K_AKMA (A.2).
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long SUPI.
pub fn k_akma(k_ausf: &Kausf, supi: &str) -> Result<Kakma, CryptoError> {
    let out = KdfInput::new(FC_KAKMA)
        .string("AKMA")?
        .string(supi)?
        .derive(k_ausf.as_bytes())?;
    Ok(Kakma::new(*out.expose()))
}

/// A-TID (A.3), the 256-bit AKMA temporary identifier.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long SUPI.
pub fn a_tid(k_ausf: &Kausf, supi: &str) -> Result<[u8; 32], CryptoError> {
    let out = KdfInput::new(FC_ATID)
        .string("A-TID")?
        .string(supi)?
        .derive(k_ausf.as_bytes())?;
    Ok(*out.expose())
}

/// AF_ID = FQDN ‖ Ua* security protocol identifier (A.4).
#[must_use]
pub fn af_id(fqdn: &str, protocol: UaProtocolId) -> Vec<u8> {
    naf_id(fqdn, protocol)
}

/// K_AF (A.4): `KDF(K_AKMA, 0x82, AF_ID)`.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an over-long AF_ID.
pub fn k_af(k_akma: &Kakma, af_id: &[u8]) -> Result<Kaf, CryptoError> {
    let out = KdfInput::new(FC_KAF)
        .bytes(af_id)?
        .derive(k_akma.as_bytes())?;
    Ok(Kaf::new(*out.expose()))
}

/// How the username part of an A-KID carries RID and A-TID (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AKidFormat {
    /// `<RID>.<base64(A-TID)>` (standard alphabet with padding), as B-TID writes RAND.
    #[default]
    RidDotBase64,
    /// `<RID>.<hex(A-TID)>` in lower case.
    RidDotHex,
    /// `rid<RID>.atid<hex(A-TID)>`, tagged like the SUCI NAI username fields.
    Tagged,
}

/// Builds the A-KID `username@realm` from the Routing Indicator (1–4 digits), the A-TID and
/// the realm (home network identifier, e.g. `5gc.mnc001.mcc001.3gppnetwork.org`).
///
/// # Errors
/// [`CryptoError::InvalidFormat`] for a RID that is not 1–4 decimal digits or an empty realm
/// or one containing `@`.
pub fn a_kid(
    rid: &str,
    a_tid: &[u8; 32],
    realm: &str,
    format: AKidFormat,
) -> Result<String, CryptoError> {
    if !(1..=4).contains(&rid.len()) || !rid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::InvalidFormat {
            what: "Routing Indicator",
            reason: "must be 1 to 4 decimal digits",
        });
    }
    if realm.is_empty() || realm.contains('@') {
        return Err(CryptoError::InvalidFormat {
            what: "A-KID realm",
            reason: "must be a non-empty domain without '@'",
        });
    }
    let username = match format {
        AKidFormat::RidDotBase64 => format!(
            "{rid}.{}",
            base64::engine::general_purpose::STANDARD.encode(a_tid)
        ),
        AKidFormat::RidDotHex => format!("{rid}.{}", hex::encode(a_tid)),
        AKidFormat::Tagged => format!("rid{rid}.atid{}", hex::encode(a_tid)),
    };
    Ok(format!("{username}@{realm}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kid_formats() {
        let t = [0u8; 32];
        let realm = "5gc.mnc001.mcc001.3gppnetwork.org";
        let d = a_kid("0", &t, realm, AKidFormat::default()).expect("valid");
        assert_eq!(d, format!("0.{}=@{realm}", "A".repeat(43)));
        let h = a_kid("12", &t, realm, AKidFormat::Tagged).expect("valid");
        assert!(h.starts_with("rid12.atid0000"));
        assert!(a_kid("12345", &t, realm, AKidFormat::RidDotHex).is_err());
        assert!(a_kid("1", &t, "a@b", AKidFormat::RidDotHex).is_err());
    }
}
