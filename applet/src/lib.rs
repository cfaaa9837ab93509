//! vusim card side: runtime, UICC file system, USIM and API applets; the authentication crypto is
//! the `vusim-crypto` crate, re-exported as [`crypto`].

pub mod api;
pub mod assemble;
pub mod card;
pub mod default_card;
pub mod fs;
pub mod fuzzing;
pub mod profile;
pub mod store;
pub mod usim;
#[cfg(feature = "wasm-applets")]
pub mod wasm;

/// The authentication crypto lives in the `vusim-crypto` crate (shared with the network side);
/// re-exported so `vusim_applet::crypto::…` and `crate::crypto::…` paths keep working.
pub use vusim_crypto as crypto;
