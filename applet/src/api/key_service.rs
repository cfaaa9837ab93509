//! The card's key services for card applets (the TS 31.130 shareable-service analogue): one
//! implementation of "use a key, never read it" shared by the GBA_U key service
//! ([`super::gba_u_service`]) and the AKMA key service ([`super::akma_service`]).
//!
//! A service is a [`KeyService`] over a [`KeyDomain`]: the domain decides which base key an id
//! (NAF_ID, AF_ID) names for the calling applet — checking the grant first — and the service
//! runs the operations of the experimental API v0.1 ([`super::ops`], docs/api/gba-api.md §5)
//! over it: MAC and verify, authenticated encryption, sub-key derivation, secret unwrapping and
//! the mutual-authentication proofs. vusim's modelling, not a standard interface (the Rel-18
//! TS 31.130 text was not available; see docs/api/card-applets.md).

use std::marker::PhantomData;

use zeroize::Zeroizing;

use super::ops::{self, OpError, Sealed, Usage};
use crate::card::applet::Context;
use crate::crypto::keys::DerivedKey;
use crate::fs::gbauapi;
use crate::fs::spec::Structure;

/// Why a service refused (TS 31.130 style: an exception with a reason).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// EF_GBAUAPI has no record granting this applet this id (or the file is absent,
    /// deactivated or malformed: none grants anything).
    #[error("EF_GBAUAPI does not grant this applet the key of this id")]
    NotGranted,
    /// No key for this id yet (no GBA_U NAF derivation; no K_AKMA to derive K_AF from).
    #[error("no key for this id")]
    NoKey,
    /// The key's lifetime is over, or was never written.
    #[error("the key's lifetime is over")]
    Expired,
    /// The card could not keep a derived key (its key store is full).
    #[error("no room in the card's key store")]
    Full,
    /// An unknown or reserved algorithm, a wrong length, or a failed verification.
    #[error(transparent)]
    Operation(#[from] OpError),
}

/// What a service tells about a usable key: never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The reference the outside world knows the key by: B-TID (GBA_U), A-KID (AKMA).
    pub reference: Vec<u8>,
    /// End of its lifetime, card clock seconds.
    pub expires: u64,
}

/// Which base key an id names for the caller, and whether the caller may use it.
pub trait KeyDomain {
    /// The usable base key of `id` for the applet `ctx.aid`: granted, present (derived now if
    /// the domain derives on demand), within its lifetime.
    fn base_key(
        ctx: &mut Context<'_>,
        id: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, KeyInfo), ServiceError>;
}

/// Whether ADF.USIM's EF_GBAUAPI (present and activated) lists `aid` with `id`; the records
/// are read in place.
pub(crate) fn gbauapi_grants(ctx: &Context<'_>, aid: &[u8], id: &[u8]) -> bool {
    let fs = &*ctx.fs;
    let Some((node_id, node)) = fs.iter().find(|(_, n)| {
        n.name == "EF.GBAUAPI"
            && n.adf
                .and_then(|a| fs.node(a))
                .is_some_and(|a| a.name == "ADF.USIM")
    }) else {
        return false;
    };
    let record_len = match node.ef_spec().map(|e| e.structure) {
        Some(Structure::LinearFixed { record_len, .. }) => usize::from(record_len),
        _ => return false,
    };
    node.active
        && record_len > 0
        && fs
            .data(node_id)
            .is_some_and(|d| gbauapi::allows(d.chunks(record_len), aid, id))
}

/// A key service lent to the calling applet for one command.
pub struct KeyService<'c, 'a, D> {
    ctx: &'c mut Context<'a>,
    domain: PhantomData<D>,
}

impl<'c, 'a, D: KeyDomain> KeyService<'c, 'a, D> {
    /// The service for the applet whose command `ctx` carries (the caller is `ctx.aid`, set by
    /// the runtime).
    pub fn for_caller(ctx: &'c mut Context<'a>) -> Self {
        KeyService {
            ctx,
            domain: PhantomData,
        }
    }

    /// Whether EF_GBAUAPI lists the caller with `id`.
    pub fn granted(&self, id: &[u8]) -> bool {
        gbauapi_grants(self.ctx, self.ctx.aid, id)
    }

    fn key(&mut self, id: &[u8]) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
        D::base_key(self.ctx, id).map(|(k, _)| k)
    }

    /// Is there a usable key for `id`: its reference and lifetime.
    pub fn key_info(&mut self, id: &[u8]) -> Result<KeyInfo, ServiceError> {
        D::base_key(self.ctx, id).map(|(_, info)| info)
    }

    /// MAC over `msg` with a key derived for `purpose` (`len` bytes, 16 to 32).
    pub fn mac(
        &mut self,
        id: &[u8],
        alg: u8,
        purpose: &[u8],
        msg: &[u8],
        len: usize,
    ) -> Result<Vec<u8>, ServiceError> {
        let k = self.key(id)?;
        Ok(ops::mac(&k, alg, purpose, msg, len)?)
    }

    /// Verify a MAC (constant time).
    pub fn verify_mac(
        &mut self,
        id: &[u8],
        alg: u8,
        purpose: &[u8],
        msg: &[u8],
        mac: &[u8],
    ) -> Result<(), ServiceError> {
        let k = self.key(id)?;
        Ok(ops::mac_verify(&k, alg, purpose, msg, mac)?)
    }

    /// Authenticated encryption with a fresh IV from the card's generator.
    pub fn encrypt(
        &mut self,
        id: &[u8],
        alg: u8,
        purpose: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Sealed, ServiceError> {
        let k = self.key(id)?;
        let mut iv = [0u8; ops::IV_LEN];
        self.ctx.rng.fill_bytes(&mut iv);
        Ok(ops::seal(&k, alg, purpose, iv, aad, plaintext)?)
    }

    /// Authenticated decryption; nothing is returned unless the tag verifies.
    #[allow(clippy::too_many_arguments, reason = "the fields of one AE message")]
    pub fn decrypt(
        &mut self,
        id: &[u8],
        alg: u8,
        purpose: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
        let k = self.key(id)?;
        Ok(ops::open(&k, alg, purpose, iv, aad, ciphertext, tag)?)
    }

    /// Unwrap a secret the server wrapped for `name` (the API's STORE KEY coding).
    pub fn unwrap_secret(
        &mut self,
        id: &[u8],
        alg: u8,
        name: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
        let k = self.key(id)?;
        Ok(ops::unwrap_secret(&k, alg, name, iv, ciphertext, tag)?)
    }

    /// A sub-key for `label` (the API's DRBG-usage derivation with the label as purpose): for
    /// an applet's session keys. Stays in the card.
    pub fn derive(&mut self, id: &[u8], label: &[u8]) -> Result<DerivedKey, ServiceError> {
        let k = self.key(id)?;
        Ok(ops::derive(&k, Usage::Drbg, 0, label)?)
    }

    /// The card's proof on a server challenge RS (mutual authentication, card side).
    pub fn card_proof(
        &mut self,
        id: &[u8],
        alg: u8,
        purpose: &[u8],
        rs: &[u8],
    ) -> Result<[u8; ops::PROOF_LEN], ServiceError> {
        let k = self.key(id)?;
        Ok(ops::card_proof(&k, alg, purpose, rs)?)
    }

    /// Check the server's proof on the card's challenge RC (constant time).
    pub fn verify_server_proof(
        &mut self,
        id: &[u8],
        alg: u8,
        purpose: &[u8],
        rc: &[u8],
        proof: &[u8],
    ) -> Result<(), ServiceError> {
        let k = self.key(id)?;
        Ok(ops::verify_server_proof(&k, alg, purpose, rc, proof)?)
    }

    /// Randomness for the applet (challenges).
    pub fn random(&mut self, out: &mut [u8]) {
        self.ctx.rng.fill_bytes(out);
    }
}
