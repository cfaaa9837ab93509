//! The GBA_U key service for card applets: vusim's model of the GBA_U API that TS 31.130
//! (Rel-18, the (U)SIM API for Java Card) gives applets on the UICC, access-controlled by
//! EF_GBAUAPI (TS 31.102 Rel-18, service n°68).
//!
//! What is standard: EF_GBAUAPI and its coding ([`crate::fs::gbauapi`]) — an applet may use
//! Ks_int_NAF of a NAF only if a record lists its AID with that NAF_ID. What is vusim's
//! modelling: the Rel-18 Java Card interface text was not available here, so the service follows
//! the style of TS 31.130's Rel-16 SUCI API (a registry, [`super::registry`], hands a calling
//! applet a service object; failures are typed, with a reason) and offers the operations the CT6
//! study (TR 31.822) lists, implemented once in [`super::key_service`].
//!
//! Keys are usable, never readable: the service never returns Ks_int_NAF. The caller's AID is
//! the one the runtime registered ([`Context::aid`]), not one the applet claims.

use zeroize::Zeroizing;

use super::key_service::{gbauapi_grants, KeyDomain, KeyInfo, KeyService, ServiceError};
use crate::card::applet::Context;
use crate::card::keystore::KeyKind;

/// The GBA_U key service's refusals (the one [`ServiceError`] of the card's key services).
pub type GbaUError = ServiceError;

/// The GBA_U key service, lent to the calling applet for one command: ids are NAF_IDs.
pub type GbaUService<'c, 'a> = KeyService<'c, 'a, GbaU>;

/// Ks_int_NAF of a NAF_ID (TS 33.220 Annex G.2), granted by EF_GBAUAPI; the reference is the
/// B-TID, the lifetime EF_GBABP's.
pub enum GbaU {}

impl KeyDomain for GbaU {
    fn base_key(
        ctx: &mut Context<'_>,
        naf_id: &[u8],
    ) -> Result<(Zeroizing<Vec<u8>>, KeyInfo), ServiceError> {
        if !gbauapi_grants(ctx, ctx.aid, naf_id) {
            return Err(ServiceError::NotGranted);
        }
        let e = ctx
            .keys
            .get(KeyKind::KsIntNaf, naf_id)
            .ok_or(ServiceError::NoKey)?;
        match e.expires {
            Some(t) if ctx.now < t => Ok((
                e.key.clone(),
                KeyInfo {
                    reference: e.reference.clone(),
                    expires: t,
                },
            )),
            _ => Err(ServiceError::Expired),
        }
    }
}
