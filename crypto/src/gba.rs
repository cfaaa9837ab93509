//! GBA and GBA_U key material: NAF keys (TS 33.220 Annex B.3), NAF_Id and Ua protocol
//! identifiers (Annex H.3), B-TID (§4.5.2), IMPI/BSF names from the IMSI (TS 23.003 §13.3,
//! §16.2) and the GBA_U AUTN* masking (TS 33.220 §5.3.2).
//!
//! * `Ks_(ext)_NAF = KDF(Ks, FC 0x01, "gba-me", RAND, IMPI, NAF_Id)`,
//!   `Ks_int_NAF = KDF(Ks, FC 0x01, "gba-u", RAND, IMPI, NAF_Id)`, with Ks = CK ‖ IK.
//! * `NAF_Id = FQDN of the NAF ‖ Ua security protocol identifier` (5 octets).
//! * `B-TID = base64(RAND)@BSF_servers_domain_name`.
//! * GBA_U: the BSF sends AUTN* whose MAC field is `MAC* = MAC ⊕ Trunc(SHA-1(IK))`, Trunc =
//!   the first 64 bits. Masking is an XOR, so [`mask_autn`] also un-masks.
//!
//! No public NAF-key vector was found; `vectors/gba_kdf.json` is computed by this project and
//! the tests re-derive every value independently from the formula.

use base64::Engine as _;
use sha1::{Digest, Sha1};

use super::aka::Autn;
use super::kdf::{encode_string, KdfInput};
use super::keys::{Ck, Ik, Ks, KsNaf};
use super::CryptoError;

/// FC of the NAF key derivation (TS 33.220 Annex B.3).
pub const FC_NAF: u8 = 0x01;
/// P0 for Ks_NAF / Ks_ext_NAF.
pub const LABEL_GBA_ME: &str = "gba-me";
/// P0 for Ks_int_NAF.
pub const LABEL_GBA_U: &str = "gba-u";

/// Ua security protocol identifiers (TS 33.220 Annex H.3), 5 octets each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UaProtocolId {
    /// `01 00 00 00 00`: Ua protocol of TS 33.221 (subscriber certificates).
    SubscriberCertificates,
    /// `01 00 00 00 01`: MBMS (TS 33.246).
    Mbms,
    /// `01 00 00 00 02`: HTTP Digest authentication (TS 24.109).
    HttpDigest,
    /// `01 00 00 00 03`: HTTP-based MBMS user services (TS 26.237).
    MbmsHttp,
    /// `01 00 00 00 04`: SIP-based MBMS user services (TS 26.237).
    MbmsSip,
    /// `01 00 00 00 05`: Generic Push Layer (TS 33.224).
    GenericPushLayer,
    /// `01 00 00 00 06`: IMS media plane security, KMS (TS 33.328).
    ImsKms,
    /// `01 00 00 00 07`: shared-key TLS 1.3 (TS 33.222).
    Tls13SharedKey,
    /// `01 00 00 01 00`: TMPI derivation (TS 33.220 Annex B.4).
    Tmpi,
    /// `01 00 01 yy zz`: (D)TLS with cipher suite `yy zz` (TS 33.222).
    TlsCipherSuite(u16),
    /// Any other value, e.g. an OMA identifier (organisation octet `03`).
    Other([u8; 5]),
}

impl UaProtocolId {
    /// The 5-octet encoding.
    #[must_use]
    pub fn to_bytes(self) -> [u8; 5] {
        match self {
            Self::SubscriberCertificates => [1, 0, 0, 0, 0],
            Self::Mbms => [1, 0, 0, 0, 1],
            Self::HttpDigest => [1, 0, 0, 0, 2],
            Self::MbmsHttp => [1, 0, 0, 0, 3],
            Self::MbmsSip => [1, 0, 0, 0, 4],
            Self::GenericPushLayer => [1, 0, 0, 0, 5],
            Self::ImsKms => [1, 0, 0, 0, 6],
            Self::Tls13SharedKey => [1, 0, 0, 0, 7],
            Self::Tmpi => [1, 0, 0, 1, 0],
            Self::TlsCipherSuite(cs) => {
                let [hi, lo] = cs.to_be_bytes();
                [1, 0, 1, hi, lo]
            }
            Self::Other(b) => b,
        }
    }

    /// Decodes 5 octets, mapping known values to their variants.
    #[must_use]
    pub fn from_bytes(b: [u8; 5]) -> Self {
        match b {
            [1, 0, 0, 0, 0] => Self::SubscriberCertificates,
            [1, 0, 0, 0, 1] => Self::Mbms,
            [1, 0, 0, 0, 2] => Self::HttpDigest,
            [1, 0, 0, 0, 3] => Self::MbmsHttp,
            [1, 0, 0, 0, 4] => Self::MbmsSip,
            [1, 0, 0, 0, 5] => Self::GenericPushLayer,
            [1, 0, 0, 0, 6] => Self::ImsKms,
            [1, 0, 0, 0, 7] => Self::Tls13SharedKey,
            [1, 0, 0, 1, 0] => Self::Tmpi,
            [1, 0, 1, hi, lo] => Self::TlsCipherSuite(u16::from_be_bytes([hi, lo])),
            other => Self::Other(other),
        }
    }
}

/// NAF_Id (or AF_ID for AKMA) = FQDN (NFKC, UTF-8) ‖ Ua security protocol identifier.
#[must_use]
pub fn naf_id(fqdn: &str, protocol: UaProtocolId) -> Vec<u8> {
    let mut out = encode_string(fqdn).to_vec();
    out.extend_from_slice(&protocol.to_bytes());
    out
}

/// Ks = CK ‖ IK (TS 33.220 §4.5.2).
#[must_use]
pub fn ks_from_ck_ik(ck: &Ck, ik: &Ik) -> Ks {
    let mut ks = [0u8; 32];
    let (a, b) = ks.split_at_mut(16);
    a.copy_from_slice(ck.expose());
    b.copy_from_slice(ik.expose());
    Ks::new(ks)
}

fn naf_key(
    label: &str,
    ks: &Ks,
    rand: &[u8; 16],
    impi: &str,
    naf_id: &[u8],
) -> Result<KsNaf, CryptoError> {
    let out = KdfInput::new(FC_NAF)
        .string(label)?
        .bytes(rand)?
        .string(impi)?
        .bytes(naf_id)?
        .derive(ks.as_bytes())?;
    Ok(KsNaf::new(*out.expose()))
}

/// Ks_NAF (GBA_ME) / Ks_ext_NAF (GBA_U): `KDF(Ks, 0x01, "gba-me", RAND, IMPI, NAF_Id)`.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an IMPI or NAF_Id over 65535 octets.
pub fn ks_ext_naf(
    ks: &Ks,
    rand: &[u8; 16],
    impi: &str,
    naf_id: &[u8],
) -> Result<KsNaf, CryptoError> {
    naf_key(LABEL_GBA_ME, ks, rand, impi, naf_id)
}

/// Ks_int_NAF (GBA_U, kept in the UICC): `KDF(Ks, 0x01, "gba-u", RAND, IMPI, NAF_Id)`.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] for an IMPI or NAF_Id over 65535 octets.
pub fn ks_int_naf(
    ks: &Ks,
    rand: &[u8; 16],
    impi: &str,
    naf_id: &[u8],
) -> Result<KsNaf, CryptoError> {
    naf_key(LABEL_GBA_U, ks, rand, impi, naf_id)
}

/// B-TID = base64(RAND)@BSF_servers_domain_name (standard alphabet, padded).
#[must_use]
pub fn b_tid(rand: &[u8; 16], bsf_domain: &str) -> String {
    format!(
        "{}@{}",
        base64::engine::general_purpose::STANDARD.encode(rand),
        bsf_domain
    )
}

/// MCC and MNC (zero-padded to 3 digits) split from an IMSI.
fn split_imsi(imsi: &str, mnc_len: usize) -> Result<(&str, String), CryptoError> {
    if !(6..=15).contains(&imsi.len()) || !imsi.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::InvalidFormat {
            what: "IMSI",
            reason: "must be 6 to 15 decimal digits",
        });
    }
    if !(2..=3).contains(&mnc_len) {
        return Err(CryptoError::UnsupportedLength {
            what: "MNC",
            allowed: "2 or 3 digits",
            got: mnc_len,
        });
    }
    let (mcc, rest) = imsi.split_at(3);
    let mnc = rest.get(..mnc_len).ok_or(CryptoError::InvalidFormat {
        what: "IMSI",
        reason: "too short for the MNC length",
    })?;
    Ok((mcc, format!("{mnc:0>3}")))
}

/// IMPI derived from the IMSI (TS 23.003 §13.3):
/// `<IMSI>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org`, MNC zero-padded to 3 digits.
///
/// # Errors
/// [`CryptoError::InvalidFormat`] for a non-numeric IMSI, [`CryptoError::UnsupportedLength`]
/// for an MNC length other than 2 or 3.
pub fn impi_from_imsi(imsi: &str, mnc_len: usize) -> Result<String, CryptoError> {
    let (mcc, mnc) = split_imsi(imsi, mnc_len)?;
    Ok(format!("{imsi}@ims.mnc{mnc}.mcc{mcc}.3gppnetwork.org"))
}

/// BSF domain derived from the IMSI (TS 23.003 §16.2):
/// `bsf.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org`, MNC zero-padded to 3 digits.
///
/// # Errors
/// As [`impi_from_imsi`].
pub fn bsf_domain_from_imsi(imsi: &str, mnc_len: usize) -> Result<String, CryptoError> {
    let (mcc, mnc) = split_imsi(imsi, mnc_len)?;
    Ok(format!("bsf.mnc{mnc}.mcc{mcc}.pub.3gppnetwork.org"))
}

/// The GBA_U MAC mask: the first 64 bits of SHA-1(IK).
#[must_use]
pub fn mac_mask(ik: &Ik) -> [u8; 8] {
    let digest = Sha1::digest(ik.expose());
    let mut out = [0u8; 8];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

/// GBA_U AUTN* ↔ AUTN: XORs the MAC field with the first 64 bits of SHA-1(IK).
///
/// The BSF applies it to AUTN to send AUTN*; the UICC applies it to AUTN* (with the IK it
/// computed from RAND) to get AUTN back before the usual MAC/SQN checks.
#[must_use]
pub fn mask_autn(autn: &Autn, ik: &Ik) -> Autn {
    let mask = mac_mask(ik);
    let mut out = *autn;
    for (m, k) in out.mac.iter_mut().zip(mask) {
        *m ^= k;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ua_ids_round_trip() {
        for id in [
            UaProtocolId::SubscriberCertificates,
            UaProtocolId::HttpDigest,
            UaProtocolId::Tmpi,
            UaProtocolId::TlsCipherSuite(0x002f),
            UaProtocolId::Other([3, 0, 0, 0, 1]),
        ] {
            assert_eq!(UaProtocolId::from_bytes(id.to_bytes()), id);
        }
        assert_eq!(
            UaProtocolId::TlsCipherSuite(0x1301).to_bytes(),
            [1, 0, 1, 0x13, 1]
        );
    }

    #[test]
    fn names_from_imsi() {
        assert_eq!(
            impi_from_imsi("001010123456789", 2).ok().as_deref(),
            Some("001010123456789@ims.mnc001.mcc001.3gppnetwork.org")
        );
        assert_eq!(
            bsf_domain_from_imsi("310150123456789", 3).ok().as_deref(),
            Some("bsf.mnc150.mcc310.pub.3gppnetwork.org")
        );
        assert!(impi_from_imsi("00101a", 2).is_err());
        assert!(impi_from_imsi("001010123456789", 4).is_err());
    }

    #[test]
    fn b_tid_form() {
        assert_eq!(
            b_tid(&[0u8; 16], "bsf.example"),
            "AAAAAAAAAAAAAAAAAAAAAA==@bsf.example"
        );
    }
}
