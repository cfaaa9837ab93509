//! vusim card side: runtime, UICC file system, USIM and API applets, and the authentication crypto.

pub mod api;
pub mod assemble;
pub mod card;
pub mod crypto;
pub mod default_card;
pub mod fs;
pub mod fuzzing;
pub mod profile;
pub mod store;
pub mod usim;
