//! Experimental card APIs for other applications (3GPP CT6 study on USIM APIs for GBA_U): the GBA_U API applet that lets terminal applications use Ks_int_NAF inside the card for MACs, authenticated encryption, mutual authentication, secure storage and a third-party combined key.
//!
//! # ⚠ Experimental (API v0.1)
//!
//! **No standard exists for any of this.** The AID, the INS codes, the data objects, the
//! algorithm identifiers, the FC value and the status words are this project's own choice, made
//! to study the idea; they will change, and no real card or terminal implements them. Everything
//! except the profile section ([`policy`]) is behind the `experimental-api` feature (on by
//! default). The coding is written down in `docs/api/gba-api.md`, and each choice lives in one
//! place so it is easy to change: [`apdu`] (AID, CLA/INS, tags, algorithm identifiers, status
//! words), [`ops`] (FC and labels of the key derivations).
//!
//! * [`policy`]: the `[api]` profile section and the per-key access policy (always compiled, so a
//!   profile with an `[api]` section parses whether or not the feature is on).
//! * [`ops`]: the operations on "a base key from the key store", shared by the card and the
//!   network side (`vusim naf`), generic so a later AKMA applet (K_AF) reuses them.
//! * [`apdu`]: the command coding, and builders for the command APDUs (terminal side).
//! * [`toolkit`]: what the API applets are built from (decoding against a command table, value
//!   checks, the seeded generator, MAC / AE / mutual-authentication commands over a base key).
//! * [`gba`]: the GBA_U API applet; [`akma`]: the AKMA API applet; [`iot`]: the IoT key applet.

pub mod akma;
pub mod iot;
pub mod policy;

#[cfg(feature = "experimental-api")]
pub mod akma_service;
#[cfg(feature = "experimental-api")]
pub mod apdu;
#[cfg(feature = "experimental-api")]
pub mod card_applet;
#[cfg(feature = "experimental-api")]
pub mod door_lock;
#[cfg(feature = "experimental-api")]
pub mod gba;
#[cfg(feature = "experimental-api")]
pub mod gba_u_service;
#[cfg(feature = "experimental-api")]
pub mod key_service;
#[cfg(feature = "experimental-api")]
pub mod ops;
#[cfg(feature = "experimental-api")]
pub mod registry;
#[cfg(feature = "experimental-api")]
pub mod toolkit;
#[cfg(feature = "experimental-api")]
pub mod v2x;

use crate::card::applet::Applet;
use crate::profile::{Profile, ProfileError};

/// The API applets a profile asks for, in registration (EF.DIR) order: the ME-facing GBA_U
/// API applet.
#[cfg(feature = "experimental-api")]
pub(crate) fn applets(p: &Profile, file: &str) -> Result<Vec<Box<dyn Applet>>, ProfileError> {
    let mut out: Vec<Box<dyn Applet>> = Vec::new();
    if p.api.gba {
        out.push(Box::new(gba::GbaApi::from_profile(p, file)?));
    }
    Ok(out)
}

/// The card applets on the GBA_U key service a profile asks for (`[applets]`), registered
/// after every other applet (EF.DIR order).
#[cfg(feature = "experimental-api")]
pub(crate) fn card_applets(p: &Profile, file: &str) -> Result<Vec<Box<dyn Applet>>, ProfileError> {
    let mut out: Vec<Box<dyn Applet>> = Vec::new();
    let naf_id = |fqdn: &str, key: &str| crate::profile::sections::naf_id(fqdn, None, file, key);
    if let Some(a) = &p.applets {
        if let Some(fqdn) = &a.door_lock {
            let id = naf_id(fqdn, "applets.door_lock")?;
            out.push(Box::new(door_lock::DoorLock::from_profile(p, file, id)?));
        }
        if let Some(fqdn) = &a.v2x {
            let id = naf_id(fqdn, "applets.v2x")?;
            out.push(Box::new(v2x::V2xProvisioning::from_profile(p, file, id)?));
        }
    }
    Ok(out)
}

/// Without the `experimental-api` feature no card applet exists.
#[cfg(not(feature = "experimental-api"))]
pub(crate) fn card_applets(
    _p: &Profile,
    _file: &str,
) -> Result<Vec<Box<dyn Applet>>, ProfileError> {
    Ok(Vec::new())
}

/// Without the `experimental-api` feature no API applet exists; the `[api]` section is still
/// parsed and checked.
#[cfg(not(feature = "experimental-api"))]
pub(crate) fn applets(p: &Profile, file: &str) -> Result<Vec<Box<dyn Applet>>, ProfileError> {
    policy::Policy::from_section(&p.api, file)?;
    Ok(Vec::new())
}
