//! The card's service registry: a card applet looks a service up by AID and gets it bound to its
//! own AID — vusim's model of TS 31.130's registries (Rel-16 `SUCIRegistry` hands out the
//! shareable `SUCICalculator`) and of Java Card's `getAppletShareableInterfaceObject`.
//!
//! The service AIDs are vusim's own (RID `F0`, proprietary): no standard assigns AIDs to these
//! services. The caller never names itself: the service sees the AID the runtime registered the
//! calling applet with ([`Context::aid`]).

use super::akma_service::AkmaService;
use super::gba_u_service::GbaUService;
use crate::card::applet::Context;

/// AID of the GBA_U key service: RID `F0`, ASCII `VUSIM-SVC`, service `01` (vusim's own).
pub const GBA_U_SERVICE_AID: [u8; 11] = [
    0xF0, 0x56, 0x55, 0x53, 0x49, 0x4D, 0x2D, 0x53, 0x56, 0x43, 0x01,
];

/// AID of the AKMA key service: RID `F0`, ASCII `VUSIM-SVC`, service `02` (vusim's own).
pub const AKMA_SERVICE_AID: [u8; 11] = [
    0xF0, 0x56, 0x55, 0x53, 0x49, 0x4D, 0x2D, 0x53, 0x56, 0x43, 0x02,
];

/// The services, by AID, with a name for listings.
pub const SERVICES: [(&[u8], &str); 2] = [
    (
        &GBA_U_SERVICE_AID,
        "GBA_U key service (EF_GBAUAPI, TS 31.102 Rel-18)",
    ),
    (
        &AKMA_SERVICE_AID,
        "AKMA key service (TR 33.835 study; vusim's extension)",
    ),
];

/// A service bound to the calling applet for one command.
pub enum Service<'c, 'a> {
    /// Ks_int_NAF by NAF_ID.
    GbaU(GbaUService<'c, 'a>),
    /// K_AF by AF_ID.
    Akma(AkmaService<'c, 'a>),
}

/// The service registered under `aid`, for the applet whose command `ctx` carries; `None` for
/// an AID no service has (the applet answers with its own status word).
pub fn lookup<'c, 'a>(ctx: &'c mut Context<'a>, aid: &[u8]) -> Option<Service<'c, 'a>> {
    if aid == GBA_U_SERVICE_AID {
        Some(Service::GbaU(GbaUService::for_caller(ctx)))
    } else if aid == AKMA_SERVICE_AID {
        Some(Service::Akma(AkmaService::for_caller(ctx)))
    } else {
        None
    }
}
