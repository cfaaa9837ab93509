//! The AKMA key service for card applets: K_AF (TS 33.535 Annex A.4) used inside the card for an
//! AF_ID — a study model on a study model, labelled as such.
//!
//! UICC-based AKMA, where the card holds K_AKMA and derives K_AF, is a TR 33.835 study proposal
//! (solutions #8/#10; AUTHENTICATE P2 '87' is RFU in TS 31.102 §7.1.2); in the standard
//! (TS 33.535) the ME derives K_AF. No standard grants card applets an AKMA key, so vusim applies
//! EF_GBAUAPI's records (TS 31.102 Rel-18, coded for GBA_U) with the AF_ID — FQDN ‖ Ua* protocol
//! identifier, coded like a NAF_ID — in place of the NAF_ID: vusim's own extension. The
//! operations are those of the GBA_U key service ([`super::key_service`]); K_AF is derived on
//! first use from the card's most recent K_AKMA (K_AF = KDF(K_AKMA, FC 0x82, AF_ID)), kept in
//! the key store with K_AKMA's A-KID and lifetime, and never returned.

use zeroize::Zeroizing;

use super::key_service::{gbauapi_grants, KeyDomain, KeyInfo, KeyService, ServiceError};
use crate::card::applet::Context;
use crate::card::keystore::{KeyEntry, KeyKind};
use crate::crypto::akma as akma_kdf;
use crate::crypto::keys::Kakma;

/// The AKMA key service, lent to the calling applet for one command: ids are AF_IDs.
pub type AkmaService<'c, 'a> = KeyService<'c, 'a, Akma>;

/// How many K_AF the service keeps before it drops the least recently used one.
const MAX_AF: u8 = 8;

/// `expires` of a key whose K_AKMA has no lifetime.
pub const NO_LIFETIME: u64 = u64::MAX;

/// K_AF of an AF_ID, granted by EF_GBAUAPI (vusim's extension); the reference is the A-KID.
pub enum Akma {}

impl KeyDomain for Akma {
    fn base_key(
        ctx: &mut Context<'_>,
        af_id: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, KeyInfo), ServiceError> {
        if !gbauapi_grants(ctx, ctx.aid, af_id) {
            return Err(ServiceError::NotGranted);
        }
        let now = ctx.now;
        let info = |e: &KeyEntry| KeyInfo {
            reference: e.reference.clone(),
            expires: e.expires.unwrap_or(NO_LIFETIME),
        };
        let newest_akma = ctx.keys.of_kind(KeyKind::KAkma).first().map(|e| {
            (
                e.key.clone(),
                e.reference.clone(),
                e.expires,
                e.valid_at(now),
            )
        });
        // A K_AF of the current K_AKMA, still valid, is used as it is.
        if let Some(e) = ctx.keys.get(KeyKind::KAf, af_id) {
            let current = newest_akma
                .as_ref()
                .is_none_or(|(_, a_kid, ..)| *a_kid == e.reference);
            if current && e.valid_at(now) {
                return Ok((e.key.clone(), info(e)));
            }
        }
        let (k_akma, a_kid, expires, valid) = newest_akma.ok_or(ServiceError::NoKey)?;
        if !valid {
            return Err(ServiceError::Expired);
        }
        let k_akma = Kakma::from_slice(&k_akma).map_err(|_| ServiceError::NoKey)?;
        let k_af = akma_kdf::k_af(&k_akma, af_id).map_err(|_| ServiceError::NoKey)?;
        let key = Zeroizing::new(k_af.as_bytes().to_vec());
        let entry = KeyEntry {
            kind: KeyKind::KAf,
            id: af_id.to_vec(),
            reference: a_kid,
            key: key.clone(),
            expires,
            slot: 0,
            last_used: 0,
        };
        let kept = info(&entry);
        ctx.keys.put(entry, Some(MAX_AF));
        *ctx.dirty = true;
        Ok((key, kept))
    }
}
