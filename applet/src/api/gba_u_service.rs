//! The GBA_U key service for card applets: vusim's model of the GBA_U API that TS 31.130
//! (Rel-18, the (U)SIM API for Java Card) gives applets on the UICC, access-controlled by
//! EF_GBAUAPI (TS 31.102 Rel-18, service n°68).
//!
//! What is standard: EF_GBAUAPI and its coding ([`crate::fs::gbauapi`]) — an applet may use
//! Ks_int_NAF of a NAF only if a record lists its AID with that NAF_ID. What is vusim's
//! modelling: the Rel-18 Java Card interface text was not available here, so the service follows
//! the style of TS 31.130's Rel-16 SUCI API (a registry hands a calling applet a shareable
//! service object; failures are typed, with a reason) and offers the operations the CT6 study
//! (TR 31.822) lists: is there a key for this NAF_ID (its B-TID and lifetime), MAC and verify,
//! encrypt and decrypt, derive a sub-key, unwrap a secret, and mutual-authentication proofs.
//! The algorithms and key derivations are those of the experimental GBA_U API v0.1
//! ([`super::ops`], docs/api/gba-api.md §5): HMAC-SHA-256 and AES-128-CTR + HMAC-SHA-256, with
//! the SM3/SM4 identifiers reserved.
//!
//! Keys are usable, never readable: the service never returns Ks_int_NAF; a derived sub-key
//! comes back as a [`DerivedKey`] (zeroized, redacted `Debug`) that the applet keeps in the card.
//! The caller's AID is the one the runtime registered ([`Context::aid`]), not one the applet
//! claims.

use zeroize::Zeroizing;

use super::ops::{self, OpError, Sealed, Usage};
use crate::card::applet::Context;
use crate::card::keystore::KeyKind;
use crate::crypto::keys::DerivedKey;
use crate::fs::gbauapi;
use crate::fs::spec::Structure;

/// Why the service refused (TS 31.130 style: an exception with a reason).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GbaUError {
    /// EF_GBAUAPI has no record granting this applet this NAF_ID (or the file is absent,
    /// deactivated or malformed: none grants anything).
    #[error("EF_GBAUAPI does not grant this applet the GBA_U key of this NAF_ID")]
    NotGranted,
    /// No Ks_int_NAF for this NAF_ID: no GBA_U NAF derivation yet.
    #[error("no Ks_int_NAF for this NAF_ID")]
    NoKey,
    /// The key's lifetime (EF_GBABP) is over, or was never written.
    #[error("the Ks_int_NAF lifetime is over")]
    Expired,
    /// An unknown or reserved algorithm, a wrong length, or a failed verification.
    #[error(transparent)]
    Operation(#[from] OpError),
}

/// What the service tells about a usable key: never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// B-TID of the bootstrapping the key comes from.
    pub b_tid: Vec<u8>,
    /// End of its lifetime, card clock seconds.
    pub expires: u64,
}

/// ADF.USIM's EF_GBAUAPI, present and activated: its records' bytes and record length, read in
/// place.
pub(crate) fn usim_gbauapi(fs: &crate::fs::tree::FileTree) -> Option<(&[u8], usize)> {
    let (id, node) = fs.iter().find(|(_, n)| {
        n.name == "EF.GBAUAPI"
            && n.adf
                .and_then(|a| fs.node(a))
                .is_some_and(|a| a.name == "ADF.USIM")
    })?;
    let record_len = match node.ef_spec().map(|e| e.structure) {
        Some(Structure::LinearFixed { record_len, .. }) => usize::from(record_len),
        _ => return None,
    };
    (node.active && record_len > 0)
        .then(|| fs.data(id).map(|d| (d, record_len)))
        .flatten()
}

/// Whether EF_GBAUAPI's records (`(bytes, record length)`, [`usim_gbauapi`]) grant `aid` the key
/// of `naf_id`.
pub(crate) fn grants(records: Option<(&[u8], usize)>, aid: &[u8], naf_id: &[u8]) -> bool {
    records.is_some_and(|(d, rl)| gbauapi::allows(d.chunks(rl), aid, naf_id))
}

/// The usable Ks_int_NAF of `naf_id` for `aid`: granted by EF_GBAUAPI, present in the key store,
/// within its lifetime at card time `now` — checked in that order. One check for every caller
/// (native applets through [`GbaUService`], loadable applets through `crate::wasm`).
pub(crate) fn usable_key(
    records: Option<(&[u8], usize)>,
    keys: &crate::card::keystore::KeyStore,
    aid: &[u8],
    naf_id: &[u8],
    now: u64,
) -> Result<(Zeroizing<Vec<u8>>, KeyInfo), GbaUError> {
    if !grants(records, aid, naf_id) {
        return Err(GbaUError::NotGranted);
    }
    let e = keys
        .get(KeyKind::KsIntNaf, naf_id)
        .ok_or(GbaUError::NoKey)?;
    match e.expires {
        Some(t) if now < t => Ok((
            e.key.clone(),
            KeyInfo {
                b_tid: e.reference.clone(),
                expires: t,
            },
        )),
        _ => Err(GbaUError::Expired),
    }
}

/// The GBA_U key service, lent to the calling applet for one command.
pub struct GbaUService<'c, 'a> {
    ctx: &'c mut Context<'a>,
}

impl<'c, 'a> GbaUService<'c, 'a> {
    /// The service for the applet whose command `ctx` carries.
    pub fn for_caller(ctx: &'c mut Context<'a>) -> Self {
        GbaUService { ctx }
    }

    /// Whether EF_GBAUAPI grants the caller the key of `naf_id`.
    pub fn granted(&self, naf_id: &[u8]) -> bool {
        grants(usim_gbauapi(self.ctx.fs), self.ctx.aid, naf_id)
    }

    /// The usable key: granted, present, within its lifetime.
    fn key(&self, naf_id: &[u8]) -> Result<(Zeroizing<Vec<u8>>, KeyInfo), GbaUError> {
        usable_key(
            usim_gbauapi(self.ctx.fs),
            self.ctx.keys,
            self.ctx.aid,
            naf_id,
            self.ctx.now,
        )
    }

    /// Is there a usable Ks_int_NAF for `naf_id`: its B-TID and lifetime.
    pub fn key_info(&self, naf_id: &[u8]) -> Result<KeyInfo, GbaUError> {
        self.key(naf_id).map(|(_, info)| info)
    }

    /// MAC over `msg` with a key derived for `purpose` (`len` bytes, 16 to 32).
    pub fn mac(
        &self,
        naf_id: &[u8],
        alg: u8,
        purpose: &[u8],
        msg: &[u8],
        len: usize,
    ) -> Result<Vec<u8>, GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::mac(&k, alg, purpose, msg, len)?)
    }

    /// Verify a MAC (constant time).
    pub fn verify_mac(
        &self,
        naf_id: &[u8],
        alg: u8,
        purpose: &[u8],
        msg: &[u8],
        mac: &[u8],
    ) -> Result<(), GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::mac_verify(&k, alg, purpose, msg, mac)?)
    }

    /// Authenticated encryption with a fresh IV from the card's generator.
    pub fn encrypt(
        &mut self,
        naf_id: &[u8],
        alg: u8,
        purpose: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Sealed, GbaUError> {
        let (k, _) = self.key(naf_id)?;
        let mut iv = [0u8; ops::IV_LEN];
        self.ctx.rng.fill_bytes(&mut iv);
        Ok(ops::seal(&k, alg, purpose, iv, aad, plaintext)?)
    }

    /// Authenticated decryption; nothing is returned unless the tag verifies.
    #[allow(clippy::too_many_arguments, reason = "the fields of one AE message")]
    pub fn decrypt(
        &self,
        naf_id: &[u8],
        alg: u8,
        purpose: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::open(&k, alg, purpose, iv, aad, ciphertext, tag)?)
    }

    /// Unwrap a secret the NAF wrapped for `name` (the GBA_U API's STORE KEY coding).
    pub fn unwrap_secret(
        &self,
        naf_id: &[u8],
        alg: u8,
        name: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::unwrap_secret(&k, alg, name, iv, ciphertext, tag)?)
    }

    /// A sub-key of Ks_int_NAF for `label` (the GBA_U API's DRBG-usage derivation with the
    /// label as purpose): for an applet's session keys. Stays in the card.
    pub fn derive(&self, naf_id: &[u8], label: &[u8]) -> Result<DerivedKey, GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::derive(&k, Usage::Drbg, 0, label)?)
    }

    /// The card's proof on a server challenge RS (mutual authentication, card side).
    pub fn card_proof(
        &self,
        naf_id: &[u8],
        alg: u8,
        purpose: &[u8],
        rs: &[u8],
    ) -> Result<[u8; ops::PROOF_LEN], GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::card_proof(&k, alg, purpose, rs)?)
    }

    /// Check the server's proof on the card's challenge RC (constant time).
    pub fn verify_server_proof(
        &self,
        naf_id: &[u8],
        alg: u8,
        purpose: &[u8],
        rc: &[u8],
        proof: &[u8],
    ) -> Result<(), GbaUError> {
        let (k, _) = self.key(naf_id)?;
        Ok(ops::verify_server_proof(&k, alg, purpose, rc, proof)?)
    }

    /// Randomness for the applet (challenges).
    pub fn random(&mut self, out: &mut [u8]) {
        self.ctx.rng.fill_bytes(out);
    }
}
