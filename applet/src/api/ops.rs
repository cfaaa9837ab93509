//! Operations of the experimental card APIs on a base key (docs/api/gba-api.md §5): per-purpose keys from the TS 33.220 Annex B.2 KDF with a project-chosen FC, HMAC-SHA-256 MACs, AES-128-CTR + HMAC-SHA-256 encrypt-then-MAC, challenge-response proofs, key wrapping, and the third-party combined key.
//!
//! ⚠ Experimental (API v0.1): the FC value, the labels and the constructions are this project's
//! choice; no 3GPP specification defines them.
//!
//! Every function takes "a base key from the key store" as bytes: Ks_int_NAF (GBA_U), an
//! e2e_key, a stored key, and later K_AF (AKMA). The card applet and the network side
//! (`vusim naf`) call the same functions; the tests recompute every value independently.
//!
//! ```text
//! K_use  = KDF(base, FC_API, P0 = usage label, P1 = algorithm id (1 octet), P2 = purpose)
//! MAC    = HMAC-SHA-256(K_mac, message), truncated to 16..32 octets
//! AE     = C = AES-128-CTR(K_enc[0..16], IV, P);  T = HMAC-SHA-256(K_int, len64(AAD) ‖ AAD ‖ IV ‖ C)[0..16]
//! proofs = card: HMAC-SHA-256(K_auth-card, RS);  server: HMAC-SHA-256(K_auth-server, RC)
//! wrap   = AE with the labels "wrap-enc" / "wrap-int" and purpose = the stored key's name
//! e2e    = KDF(Ks_NAF, FF E4, Ka)   (crate::crypto::seed::e2e_key)
//! ```

use aes::cipher::{KeyIvInit, StreamCipher};
use zeroize::Zeroizing;

use crate::crypto::kdf::{hmac_sha256, Fc, KdfInput};
use crate::crypto::keys::{ct_eq, DerivedKey, KsNaf};
use crate::crypto::seed::{self, SeedFcs};
use crate::crypto::CryptoError;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// The FC of every API key derivation: `FF E8`, two-octet form (TS 33.220 B.2.2), next to the
/// project's seed-scheme values `FF E0`–`FF E4` (crate::crypto::seed). Not allocated by 3GPP.
pub const FC_API: Fc = Fc::Two(0xE8);

/// MAC algorithm `01`: HMAC-SHA-256 (also the challenge-response algorithm).
pub const ALG_HMAC_SHA256: u8 = 0x01;
/// MAC algorithm `02`: HMAC-SM3 (reserved; answered with `6A81`).
pub const ALG_HMAC_SM3: u8 = 0x02;
/// AE algorithm `11`: AES-128-CTR + HMAC-SHA-256, encrypt-then-MAC.
pub const ALG_AES128_CTR_HMAC_SHA256: u8 = 0x11;
/// AE algorithm `12`: SM4-CTR + HMAC-SM3 (reserved; answered with `6A81`).
pub const ALG_SM4_CTR_HMAC_SM3: u8 = 0x12;

/// IV length of algorithm `11` (the initial AES-CTR counter block, incremented big-endian).
pub const IV_LEN: usize = 16;
/// Tag length of algorithm `11`.
pub const AE_TAG_LEN: usize = 16;
/// Challenge-response proofs are the full HMAC-SHA-256 output.
pub const PROOF_LEN: usize = 32;
/// Shortest and longest MAC tag a caller may ask for or present.
pub const MAC_LEN_RANGE: std::ops::RangeInclusive<usize> = 16..=32;

/// A variable-length secret (a base key, a plaintext), wiped on drop.
pub type Secret = Zeroizing<Vec<u8>>;

/// Wrap bytes as a [`Secret`].
pub fn secret(bytes: Vec<u8>) -> Secret {
    Zeroizing::new(bytes)
}

/// What a derived key is for: the KDF's P0 label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// MAC key.
    Mac,
    /// AE encryption key (first 16 octets used).
    Enc,
    /// AE integrity key.
    Int,
    /// Key of the card's proof (card authenticates to the server).
    AuthCard,
    /// Key of the server's proof (server authenticates to the card).
    AuthServer,
    /// Wrap encryption key (secure storage).
    WrapEnc,
    /// Wrap integrity key (secure storage).
    WrapInt,
    /// Key of the seeded generator (from the subscriber key K).
    Drbg,
}

impl Usage {
    /// The label (P0, ASCII).
    pub fn label(self) -> &'static str {
        match self {
            Usage::Mac => "mac",
            Usage::Enc => "enc",
            Usage::Int => "int",
            Usage::AuthCard => "auth-card",
            Usage::AuthServer => "auth-server",
            Usage::WrapEnc => "wrap-enc",
            Usage::WrapInt => "wrap-int",
            Usage::Drbg => "drbg",
        }
    }
}

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The algorithm identifier is unknown or reserved for this operation.
    #[error("algorithm {0:02X} is not supported for this operation")]
    Algorithm(u8),
    /// A length is out of range (IV, tag, challenge …).
    #[error("{what}: wrong length {got}")]
    Length {
        /// What.
        what: &'static str,
        /// Octets given.
        got: usize,
    },
    /// A MAC, tag or proof did not verify.
    #[error("verification failed")]
    Verify,
    /// The KDF refused a parameter (over 65535 octets).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Check a MAC / challenge-response algorithm identifier.
pub fn mac_alg(alg: u8) -> Result<u8, OpError> {
    match alg {
        ALG_HMAC_SHA256 => Ok(alg),
        _ => Err(OpError::Algorithm(alg)),
    }
}

/// Check an AE / wrap algorithm identifier.
pub fn ae_alg(alg: u8) -> Result<u8, OpError> {
    match alg {
        ALG_AES128_CTR_HMAC_SHA256 => Ok(alg),
        _ => Err(OpError::Algorithm(alg)),
    }
}

/// `K_use = KDF(base, FF E8, usage label, alg, purpose)`.
///
/// # Errors
/// [`OpError::Crypto`] for a purpose over 65535 octets.
pub fn derive(base: &[u8], usage: Usage, alg: u8, purpose: &[u8]) -> Result<DerivedKey, OpError> {
    Ok(KdfInput::new(FC_API)
        .string(usage.label())?
        .bytes(&[alg])?
        .bytes(purpose)?
        .derive(base)?)
}

/// MAC compute: HMAC-SHA-256(K_mac, message), first `tag_len` octets.
///
/// # Errors
/// Unsupported algorithm, `tag_len` outside 16..=32.
pub fn mac(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    message: &[u8],
    tag_len: usize,
) -> Result<Vec<u8>, OpError> {
    mac_alg(alg)?;
    if !MAC_LEN_RANGE.contains(&tag_len) {
        return Err(OpError::Length {
            what: "MAC length",
            got: tag_len,
        });
    }
    let k = derive(base, Usage::Mac, alg, purpose)?;
    let full = hmac_sha256(k.as_bytes(), &[message])?;
    Ok(full.get(..tag_len).unwrap_or_default().to_vec())
}

/// MAC verify, constant time, for a tag of 16..=32 octets (its length selects the truncation).
///
/// # Errors
/// [`OpError::Verify`] if it does not verify; algorithm or length errors as [`mac`].
pub fn mac_verify(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    message: &[u8],
    tag: &[u8],
) -> Result<(), OpError> {
    let want = mac(base, alg, purpose, message, tag.len())?;
    if ct_eq(&want, tag) {
        Ok(())
    } else {
        Err(OpError::Verify)
    }
}

/// Ciphertext and tag of an AE operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The IV (initial counter block).
    pub iv: [u8; IV_LEN],
    /// Ciphertext, as long as the plaintext.
    pub ciphertext: Vec<u8>,
    /// Tag.
    pub tag: [u8; AE_TAG_LEN],
}

fn ae_keys(
    base: &[u8],
    enc: Usage,
    int: Usage,
    alg: u8,
    purpose: &[u8],
) -> Result<(Zeroizing<[u8; 16]>, DerivedKey), OpError> {
    ae_alg(alg)?;
    let ke = derive(base, enc, alg, purpose)?;
    let mut k = Zeroizing::new([0u8; 16]);
    k.copy_from_slice(ke.expose().split_at(16).0);
    Ok((k, derive(base, int, alg, purpose)?))
}

fn ae_tag(
    k_int: &DerivedKey,
    aad: &[u8],
    iv: &[u8; IV_LEN],
    ct: &[u8],
) -> Result<[u8; AE_TAG_LEN], OpError> {
    let len = u64::try_from(aad.len()).unwrap_or(u64::MAX).to_be_bytes();
    let full = hmac_sha256(k_int.as_bytes(), &[&len, aad, iv, ct])?;
    let mut t = [0u8; AE_TAG_LEN];
    t.copy_from_slice(full.split_at(AE_TAG_LEN).0);
    Ok(t)
}

fn ctr(k_enc: &[u8; 16], iv: &[u8; IV_LEN], data: &mut [u8]) {
    let mut c = Aes128Ctr::new(k_enc.into(), iv.into());
    c.apply_keystream(data);
}

fn seal_with(
    base: &[u8],
    (enc, int): (Usage, Usage),
    alg: u8,
    purpose: &[u8],
    iv: [u8; IV_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Sealed, OpError> {
    let (ke, ki) = ae_keys(base, enc, int, alg, purpose)?;
    let mut ct = plaintext.to_vec();
    ctr(&ke, &iv, &mut ct);
    let tag = ae_tag(&ki, aad, &iv, &ct)?;
    Ok(Sealed {
        iv,
        ciphertext: ct,
        tag,
    })
}

#[allow(clippy::too_many_arguments)] // the AE inputs, each named as in the docs
fn open_with(
    base: &[u8],
    (enc, int): (Usage, Usage),
    alg: u8,
    purpose: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpError> {
    let iv: [u8; IV_LEN] = iv.try_into().map_err(|_| OpError::Length {
        what: "IV",
        got: iv.len(),
    })?;
    if tag.len() != AE_TAG_LEN {
        return Err(OpError::Length {
            what: "tag",
            got: tag.len(),
        });
    }
    let (ke, ki) = ae_keys(base, enc, int, alg, purpose)?;
    // Encrypt-then-MAC: the tag is checked before anything is decrypted.
    if !ct_eq(&ae_tag(&ki, aad, &iv, ciphertext)?, tag) {
        return Err(OpError::Verify);
    }
    let mut pt = Zeroizing::new(ciphertext.to_vec());
    ctr(&ke, &iv, &mut pt);
    Ok(pt)
}

/// AE encrypt (labels `enc` / `int`).
///
/// # Errors
/// Unsupported algorithm.
pub fn seal(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    iv: [u8; IV_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Sealed, OpError> {
    seal_with(
        base,
        (Usage::Enc, Usage::Int),
        alg,
        purpose,
        iv,
        aad,
        plaintext,
    )
}

/// AE decrypt (labels `enc` / `int`): the plaintext, or [`OpError::Verify`] for a wrong tag.
///
/// # Errors
/// Unsupported algorithm, IV or tag of the wrong length, tag mismatch.
pub fn open(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpError> {
    open_with(
        base,
        (Usage::Enc, Usage::Int),
        alg,
        purpose,
        iv,
        aad,
        ciphertext,
        tag,
    )
}

/// Wrap a secret for secure storage under the name `name` (labels `wrap-enc` / `wrap-int`,
/// purpose = name, no AAD). Wrap keys never serve ENCRYPT/DECRYPT, so a wrapped secret cannot
/// be decrypted out of the card.
///
/// # Errors
/// Unsupported algorithm.
pub fn wrap(
    base: &[u8],
    alg: u8,
    name: &[u8],
    iv: [u8; IV_LEN],
    secret: &[u8],
) -> Result<Sealed, OpError> {
    seal_with(
        base,
        (Usage::WrapEnc, Usage::WrapInt),
        alg,
        name,
        iv,
        &[],
        secret,
    )
}

/// Unwrap what [`wrap`] made.
///
/// # Errors
/// As [`open`].
pub fn unwrap_secret(
    base: &[u8],
    alg: u8,
    name: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpError> {
    open_with(
        base,
        (Usage::WrapEnc, Usage::WrapInt),
        alg,
        name,
        iv,
        &[],
        ciphertext,
        tag,
    )
}

/// The card's proof on a server challenge RS: HMAC-SHA-256(K_auth-card, RS).
///
/// # Errors
/// Unsupported algorithm.
pub fn card_proof(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    server_challenge: &[u8],
) -> Result<[u8; PROOF_LEN], OpError> {
    mac_alg(alg)?;
    let k = derive(base, Usage::AuthCard, alg, purpose)?;
    Ok(hmac_sha256(k.as_bytes(), &[server_challenge])?)
}

/// The server's proof on a card challenge RC: HMAC-SHA-256(K_auth-server, RC).
///
/// # Errors
/// Unsupported algorithm.
pub fn server_proof(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    card_challenge: &[u8],
) -> Result<[u8; PROOF_LEN], OpError> {
    mac_alg(alg)?;
    let k = derive(base, Usage::AuthServer, alg, purpose)?;
    Ok(hmac_sha256(k.as_bytes(), &[card_challenge])?)
}

/// Verify a server proof in constant time.
///
/// # Errors
/// [`OpError::Verify`] on mismatch.
pub fn verify_server_proof(
    base: &[u8],
    alg: u8,
    purpose: &[u8],
    card_challenge: &[u8],
    proof: &[u8],
) -> Result<(), OpError> {
    let want = server_proof(base, alg, purpose, card_challenge)?;
    if ct_eq(&want, proof) {
        Ok(())
    } else {
        Err(OpError::Verify)
    }
}

/// The third-party combined key e2e_key = KDF(Ks_NAF, FF E4, Ka) (crate::crypto::seed).
///
/// # Errors
/// A base key that is not 32 octets, an over-long Ka.
pub fn e2e(base: &[u8], ka: &[u8]) -> Result<DerivedKey, OpError> {
    let ks_naf = KsNaf::from_slice(base)?;
    Ok(seed::e2e_key(&ks_naf, ka, &SeedFcs::default())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_separation() {
        let base = [7u8; 32];
        let s = seal(&base, 0x11, b"p", [1; 16], b"aad", b"hello").expect("seal");
        assert_eq!(
            &*open(&base, 0x11, b"p", &s.iv, b"aad", &s.ciphertext, &s.tag).expect("open"),
            b"hello"
        );
        assert_eq!(
            open(&base, 0x11, b"p", &s.iv, b"aaD", &s.ciphertext, &s.tag),
            Err(OpError::Verify)
        );
        assert_eq!(
            open(&base, 0x11, b"q", &s.iv, b"aad", &s.ciphertext, &s.tag),
            Err(OpError::Verify)
        );
        // A wrapped secret does not decrypt with the ENCRYPT/DECRYPT keys.
        let w = wrap(&base, 0x11, b"p", [1; 16], b"secret").expect("wrap");
        assert_eq!(
            open(&base, 0x11, b"p", &w.iv, b"", &w.ciphertext, &w.tag),
            Err(OpError::Verify)
        );
        assert_eq!(
            &*unwrap_secret(&base, 0x11, b"p", &w.iv, &w.ciphertext, &w.tag).expect("unwrap"),
            b"secret"
        );
        // Card and server proofs use different keys (no reflection).
        assert_ne!(
            card_proof(&base, 1, b"", &[0; 16]).expect("card"),
            server_proof(&base, 1, b"", &[0; 16]).expect("server")
        );
        assert_eq!(mac(&base, 2, b"", b"", 32), Err(OpError::Algorithm(2)));
        assert_eq!(
            mac(&base, 1, b"", b"", 15),
            Err(OpError::Length {
                what: "MAC length",
                got: 15
            })
        );
        assert_eq!(
            seal(&base, 0x12, b"", [0; 16], b"", b""),
            Err(OpError::Algorithm(0x12))
        );
    }
}
