//! vusim card side: runtime, UICC file system, USIM and API applets, and the authentication crypto.

pub mod crypto;
