//! The AKMA API applet (3GPP TR 33.835 solutions #8/#10, UICC-based AKMA; docs/api/akma.md): K_AKMA stays in the card after the proposed 5G AKMA AUTHENTICATE context, per-AF keys K_AF (TS 33.535 Annex A.4) are derived in the card on request, and terminal applications use them for MACs, authenticated encryption, mutual authentication and secure storage under a per-AF policy and the K_AF lifetime.
//!
//! # ⚠ Experimental (AKMA API v0.1)
//!
//! **No standard exists for any of this.** TR 33.835 studies putting the AKMA framework on the
//! UICC; it defines no APDU. The AUTHENTICATE context P2 `87`, this applet's AID, its INS codes
//! and data objects are this project's proposal, mirroring the GBA_U API ([`super::gba`],
//! docs/api/gba-api.md); they will change, and no real card or terminal implements them. The
//! applet is built only with the `experimental-api` feature; the `[akma]` profile section is
//! parsed either way.
//!
//! * The USIM ([`crate::usim`], context P2 `87`) runs 5G AKA, keeps K_AUSF to itself, puts
//!   K_AKMA in the key store with its A-TID and A-KID, and returns RES* and K_SEAF only.
//! * This applet (standalone, selectable on any logical channel) derives K_AF =
//!   KDF(K_AKMA, 0x82, AF_ID) for an AF_ID on request (DERIVE K_AF returns the A-KID and the
//!   expiry, never key bytes), and offers the GBA_U API's operations ([`super::ops`]) over K_AF
//!   and over secrets an AF delivered wrapped under K_AF.
//! * Policy per AF (`[[akma.policy]]`, the GBA_U API's [`Policy`]):
//!   operations, logical channels, client application AIDs. Lifetimes on the card clock.
//!
//! The applet is built from the API toolkit ([`super::toolkit`]); its coding is in `coding.rs`.

pub use crate::profile::sections::{AfPolicyEntry, AkmaSection};

use super::policy::{ApiSection, Policy, PolicyEntry};
use crate::profile::{Profile, ProfileError};
use crate::usim::UsimExtensions;

/// Default number of K_AF keys kept at once.
pub const DEFAULT_MAX_AF: u8 = 8;

/// The operations an AKMA policy may name (`e2e` is a GBA_U API operation only).
const AKMA_OPS: [&str; 4] = ["mac", "encrypt", "auth", "store"];

impl AkmaSection {
    /// Compile the per-AF policy (with the GBA_U API's policy engine; errors name `akma.` keys).
    pub fn policy(&self, file: &str) -> Result<Policy, ProfileError> {
        let check = |key: String, ops: &[String]| -> Result<(), ProfileError> {
            match ops.iter().find(|o| !AKMA_OPS.contains(&o.as_str())) {
                Some(o) => Err(crate::profile::err(
                    file,
                    &key,
                    format!("unknown operation {o:?} (mac, encrypt, auth or store)"),
                )),
                None => Ok(()),
            }
        };
        if let Some(d) = &self.default_ops {
            check("akma.default_ops".into(), d)?;
        }
        for (i, e) in self.policy.iter().enumerate() {
            check(format!("akma.policy[{i}].ops"), &e.ops)?;
        }
        if self.max_af == Some(0) {
            return Err(crate::profile::err(
                file,
                "akma.max_af",
                "must be at least 1",
            ));
        }
        let api = ApiSection {
            gba: true,
            seed: None,
            default_ops: self.default_ops.clone(),
            max_stored: self.max_stored,
            policy: self
                .policy
                .iter()
                .map(|e| PolicyEntry {
                    naf: e.af.clone(),
                    ops: e.ops.clone(),
                    channels: e.channels.clone(),
                    clients: e.clients.clone(),
                })
                .collect(),
        };
        Policy::from_section(&api, file).map_err(|mut e| {
            e.key = e.key.replacen("api.", "akma.", 1).replace("].naf", "].af");
            e.problem = e.problem.replace("NAF", "AF");
            e
        })
    }
}

/// The USIM's experimental contexts a profile turns on (`[akma]`, `[iot]`).
pub fn usim_extensions(p: &Profile) -> UsimExtensions {
    UsimExtensions {
        akma_context: p.akma.as_ref().is_some_and(|a| a.context),
        k_akma_lifetime: p.akma.as_ref().and_then(|a| a.k_akma_lifetime),
        iot_ks: p.iot.is_some(),
        iot_ks_lifetime: p.iot.as_ref().and_then(|i| i.ks_lifetime),
    }
}

/// The AKMA API applet a profile asks for (none without `[akma]` or with `api = false`).
#[cfg(feature = "experimental-api")]
pub(crate) fn applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    match &p.akma {
        Some(s) if s.api => Ok(vec![Box::new(AkmaApi::from_profile(p, s, file)?)]),
        Some(s) => s.policy(file).map(|_| Vec::new()),
        None => Ok(Vec::new()),
    }
}

/// Without the `experimental-api` feature no applet exists; the section is still checked.
#[cfg(not(feature = "experimental-api"))]
pub(crate) fn applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    if let Some(s) = &p.akma {
        s.policy(file)?;
    }
    Ok(Vec::new())
}

#[cfg(feature = "experimental-api")]
mod applet;
#[cfg(feature = "experimental-api")]
mod coding;

#[cfg(feature = "experimental-api")]
pub use applet::*;
#[cfg(feature = "experimental-api")]
pub use coding::*;
