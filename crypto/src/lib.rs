//! Authentication and key-derivation primitives shared by the card and the network side.
//!
//! Every submodule cites the clause it implements in its first doc line. Secrets are held in
//! the zeroizing newtypes of [`keys`]; MAC and RES comparisons go through [`keys::ct_eq`].

pub mod aka;
pub mod akma;
pub mod error;
pub mod fiveg;
pub mod gba;
pub mod gsm;
pub mod kdf;
pub mod keys;
pub mod milenage;
pub mod seed;
pub mod suci;
pub mod tuak;
pub mod xor;

pub use error::CryptoError;
