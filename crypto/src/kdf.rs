//! Generic key derivation function (3GPP TS 33.220 Annex B.2).
//!
//! `derived key = HMAC-SHA-256(Key, S)`, `S = FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ … ‖ Pn ‖ Ln`, where
//! FC is one octet or `0xFF ‖ FC2` (B.2.2), and Li is the length of Pi in octets as a 2-octet
//! big-endian number (B.2.1.1). A character-string parameter is normalised with NFKC and
//! encoded as UTF-8 (B.2.1.2). The 256-bit output is returned in a zeroizing [`DerivedKey`].
//!
//! ```
//! use vusim_crypto::kdf::KdfInput;
//! let key = [0u8; 32];
//! let out = KdfInput::new(0x6C).string("5G:mnc001.mcc001.3gppnetwork.org")?.derive(&key)?;
//! assert_eq!(out.as_bytes().len(), 32);
//! # Ok::<(), vusim_crypto::CryptoError>(())
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use super::keys::DerivedKey;
use super::CryptoError;

/// HMAC-SHA-256.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA-256 of the concatenation of `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Result<[u8; 32], CryptoError> {
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(key).map_err(|_| CryptoError::InvalidLength {
            what: "HMAC key",
            expected: 32,
            got: key.len(),
        })?;
    for p in parts {
        mac.update(p);
    }
    Ok(mac.finalize().into_bytes().into())
}

/// The function code FC (TS 33.220 Annex B.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fc {
    /// A one-octet FC (0x00–0xFE).
    One(u8),
    /// A two-octet FC `0xFF ‖ FC2`.
    Two(u8),
}

impl Fc {
    fn push_to(self, s: &mut Vec<u8>) {
        match self {
            Self::One(fc) => s.push(fc),
            Self::Two(fc2) => s.extend_from_slice(&[0xFF, fc2]),
        }
    }
}

impl From<u8> for Fc {
    fn from(fc: u8) -> Self {
        Self::One(fc)
    }
}

/// NFKC-normalises a character string and returns its UTF-8 bytes (TS 33.220 B.2.1.2).
///
/// ASCII text is already in NFKC (no ASCII character has a compatibility decomposition or
/// takes part in a composition), so it is copied without running the normaliser.
#[must_use]
pub fn encode_string(s: &str) -> Zeroizing<Vec<u8>> {
    if s.is_ascii() {
        return Zeroizing::new(s.as_bytes().to_vec());
    }
    Zeroizing::new(s.nfkc().collect::<String>().into_bytes())
}

/// A KDF parameter: an octet string, or a character string to be NFKC-normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// Octet string, used as is.
    Bytes(&'a [u8]),
    /// Character string, NFKC then UTF-8.
    Str(&'a str),
}

/// Builder for the input string S of the KDF.
///
/// The assembled S may contain secrets (RAND, SQN ⊕ AK, …) and is wiped on drop.
#[derive(Clone)]
pub struct KdfInput {
    s: Zeroizing<Vec<u8>>,
    count: usize,
}

impl core::fmt::Debug for KdfInput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KdfInput")
            .field("params", &self.count)
            .finish_non_exhaustive()
    }
}

impl KdfInput {
    /// Starts S with the function code (a `u8` converts to a one-octet FC).
    #[must_use]
    pub fn new(fc: impl Into<Fc>) -> Self {
        let mut s = Zeroizing::new(Vec::with_capacity(128));
        fc.into().push_to(&mut s);
        Self { s, count: 0 }
    }

    /// Appends an octet-string parameter Pi and its length Li.
    ///
    /// # Errors
    /// [`CryptoError::KdfParameterTooLong`] if Pi exceeds 65535 octets.
    pub fn bytes(mut self, p: &[u8]) -> Result<Self, CryptoError> {
        let len = u16::try_from(p.len()).map_err(|_| CryptoError::KdfParameterTooLong {
            index: self.count,
            len: p.len(),
        })?;
        self.s.extend_from_slice(p);
        self.s.extend_from_slice(&len.to_be_bytes());
        self.count += 1;
        Ok(self)
    }

    /// Appends a character-string parameter (NFKC, UTF-8) and its length.
    ///
    /// # Errors
    /// [`CryptoError::KdfParameterTooLong`] if the encoding exceeds 65535 octets.
    pub fn string(self, p: &str) -> Result<Self, CryptoError> {
        if p.is_ascii() {
            return self.bytes(p.as_bytes());
        }
        let enc = encode_string(p);
        self.bytes(&enc)
    }

    /// Appends a [`Param`].
    ///
    /// # Errors
    /// As [`KdfInput::bytes`].
    pub fn param(self, p: Param<'_>) -> Result<Self, CryptoError> {
        match p {
            Param::Bytes(b) => self.bytes(b),
            Param::Str(s) => self.string(s),
        }
    }

    /// The assembled input string S.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.s
    }

    /// Number of parameters appended so far.
    #[must_use]
    pub fn param_count(&self) -> usize {
        self.count
    }

    /// Computes HMAC-SHA-256(key, S).
    ///
    /// # Errors
    /// None in practice (HMAC accepts any key length); kept fallible to avoid panicking paths.
    pub fn derive(&self, key: &[u8]) -> Result<DerivedKey, CryptoError> {
        Ok(DerivedKey::new(hmac_sha256(key, &[&self.s])?))
    }
}

/// One-call form: `KDF(key, FC, P0, P1, …)`.
///
/// # Errors
/// [`CryptoError::KdfParameterTooLong`] if a parameter exceeds 65535 octets.
pub fn kdf(key: &[u8], fc: impl Into<Fc>, params: &[Param<'_>]) -> Result<DerivedKey, CryptoError> {
    let mut input = KdfInput::new(fc);
    for p in params {
        input = input.param(*p)?;
    }
    input.derive(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_layout() {
        let s = KdfInput::new(Fc::Two(0x01))
            .bytes(&[0xAA, 0xBB])
            .and_then(|i| i.string("ab"))
            .expect("short params");
        assert_eq!(
            s.as_bytes(),
            &[0xFF, 0x01, 0xAA, 0xBB, 0, 2, b'a', b'b', 0, 2]
        );
        assert_eq!(s.param_count(), 2);
    }

    #[test]
    fn nfkc_applied() {
        // U+FB01 LATIN SMALL LIGATURE FI normalises to "fi" under NFKC.
        assert_eq!(&*encode_string("\u{FB01}"), b"fi");
    }

    #[test]
    fn too_long() {
        let big = vec![0u8; 65536];
        assert_eq!(
            KdfInput::new(1).bytes(&big).err(),
            Some(CryptoError::KdfParameterTooLong {
                index: 0,
                len: 65536
            })
        );
    }
}
