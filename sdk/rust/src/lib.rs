//! Safe `no_std` Rust bindings for vusim's loadable applets, ABI version 1 (docs/applets.md —
//! vusim's own ABI; the life cycle it models is Java Card 3 Classic's, the GBA_U key service is
//! vusim's model of TS 31.130 gated by EF_GBAUAPI, TS 31.102 Rel-18).
//!
//! An applet is a `cdylib` for `wasm32-unknown-unknown` with four entry points, exported with
//! [`applet!`], and optional metadata ([`meta!`]):
//!
//! ```ignore
//! #![no_std]
//! use vusim_applet_sdk::{apdu, applet, meta, sw};
//! meta!(b"aid=F0565553494D2D4E4F54450001\nlabel=NOTE\n");
//! fn install() -> u16 { sw::OK }
//! fn select(_channel: u8) -> u16 { sw::OK }
//! fn deselect(_channel: u8) {}
//! fn process(_channel: u8) -> u16 { let _ = apdu::respond(b"hi"); sw::OK }
//! applet!(install, select, deselect, process);
//! ```
//!
//! Every wrapper borrows slices, so an applet needs no `unsafe`. Off wasm32 the imports are stubs
//! answering [`Error::State`] ([`sys`]): applet logic type-checks and unit-tests on the host.
//! `examples/note.rs` is a complete applet; docs/applets.md §7 shows how to build it.

#![no_std]

pub mod sys;

/// The ABI version this SDK speaks (`vusim_abi_version`).
pub const ABI_VERSION: i32 = 1;

/// The import error code `E_STATE` (docs/applets.md §4).
pub const E_STATE: i32 = -11;

/// Status words (ISO/IEC 7816-4 §5.6, TS 102 221 §10.2; the rules of docs/applets.md §3).
pub mod sw {
    /// Success.
    pub const OK: u16 = 0x9000;
    /// Wrong length.
    pub const WRONG_LENGTH: u16 = 0x6700;
    /// Security status not satisfied.
    pub const SECURITY_NOT_SATISFIED: u16 = 0x6982;
    /// Referenced data invalidated.
    pub const DATA_INVALIDATED: u16 = 0x6984;
    /// Conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    /// Command not allowed.
    pub const NOT_ALLOWED: u16 = 0x6900;
    /// Incorrect data.
    pub const WRONG_DATA: u16 = 0x6A80;
    /// Function not supported.
    pub const FUNC_NOT_SUPPORTED: u16 = 0x6A81;
    /// Not enough memory.
    pub const NOT_ENOUGH_MEMORY: u16 = 0x6A84;
    /// Incorrect P1-P2.
    pub const INCORRECT_P1P2: u16 = 0x6A86;
    /// Referenced data not found.
    pub const DATA_NOT_FOUND: u16 = 0x6A88;
    /// Instruction not supported.
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    /// Class not supported.
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;
    /// Technical problem, no precise diagnosis.
    pub const UNKNOWN: u16 = 0x6F00;
    /// Authentication error, application specific (TS 102 221 §10.2.1.6).
    pub const AUTH_ERROR_APPLICATION: u16 = 0x9862;
}

/// Algorithm identifiers of the key services (docs/api/gba-api.md §5).
pub mod alg {
    /// HMAC-SHA-256.
    pub const HMAC_SHA256: i32 = 0x01;
    /// AES-128-CTR + HMAC-SHA-256 (IV 16 ‖ ciphertext ‖ tag 16).
    pub const AES128_CTR_HMAC_SHA256: i32 = 0x11;
}

/// An import's error (docs/applets.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// EF_GBAUAPI does not grant this applet's AID the key of this id.
    NotGranted,
    /// No key for this id.
    NoKey,
    /// The key's lifetime is over.
    Expired,
    /// A MAC, tag or proof did not verify.
    Verify,
    /// Unknown or reserved algorithm.
    Algorithm,
    /// Wrong length for the operation.
    Length,
    /// No such store entry.
    NotFound,
    /// Output buffer too small.
    Space,
    /// Store quota or handle table full.
    Full,
    /// Not a live key handle.
    Handle,
    /// Not available now (or off wasm32).
    State,
    /// A code this SDK does not know.
    Other(i32),
}

impl Error {
    /// The error of a negative import result.
    pub fn from_code(code: i32) -> Error {
        match code {
            -1 => Error::NotGranted,
            -2 => Error::NoKey,
            -3 => Error::Expired,
            -4 => Error::Verify,
            -5 => Error::Algorithm,
            -6 => Error::Length,
            -7 => Error::NotFound,
            -8 => Error::Space,
            -9 => Error::Full,
            -10 => Error::Handle,
            E_STATE => Error::State,
            c => Error::Other(c),
        }
    }

    /// The status word the native card applets answer for a key-service refusal
    /// (docs/api/card-applets.md §1).
    pub fn status_word(self) -> u16 {
        match self {
            Error::NotGranted => sw::SECURITY_NOT_SATISFIED,
            Error::NoKey | Error::NotFound => sw::DATA_NOT_FOUND,
            Error::Expired => sw::DATA_INVALIDATED,
            Error::Verify => sw::AUTH_ERROR_APPLICATION,
            Error::Algorithm => sw::FUNC_NOT_SUPPORTED,
            Error::Full => sw::NOT_ENOUGH_MEMORY,
            Error::Length | Error::Space => sw::WRONG_LENGTH,
            Error::Handle | Error::State | Error::Other(_) => sw::UNKNOWN,
        }
    }
}

/// A result of an import: a length (or handle), or its error.
fn check(r: i32) -> Result<usize, Error> {
    usize::try_from(r).map_err(|_| Error::from_code(r))
}

/// A slice's length for an import (a length over `i32::MAX` cannot be in wasm32 memory).
fn len(b: &[u8]) -> i32 {
    i32::try_from(b.len()).unwrap_or(i32::MAX)
}

/// Install parameters into `out`: their length (§4.1).
pub fn params(out: &mut [u8]) -> Result<usize, Error> {
    // SAFETY: out is a live, writable slice of the given length.
    check(unsafe { sys::params(out.as_mut_ptr(), len(out)) })
}

/// The AID the applet is registered with, into `out`: its length (§4.1).
pub fn aid(out: &mut [u8]) -> Result<usize, Error> {
    // SAFETY: as above.
    check(unsafe { sys::aid(out.as_mut_ptr(), len(out)) })
}

/// The command APDU and the response (§4.2; only during `process`).
pub mod apdu {
    use super::{check, len, sys, Error};

    /// CLA INS P1 P2.
    pub fn header() -> Result<[u8; 4], Error> {
        let mut h = [0u8; 4];
        // SAFETY: h is 4 writable bytes, what the import writes.
        check(unsafe { sys::apdu_header(h.as_mut_ptr()) })?;
        Ok(h)
    }

    /// The command data into `out`: its length (Nc).
    pub fn data(out: &mut [u8]) -> Result<usize, Error> {
        // SAFETY: out is a live, writable slice of the given length.
        check(unsafe { sys::apdu_data(out.as_mut_ptr(), len(out)) })
    }

    /// Ne, or `None` when the command has no Le field.
    pub fn le() -> Option<u32> {
        // SAFETY: no memory is passed.
        u32::try_from(unsafe { sys::apdu_le() }).ok()
    }

    /// Append `data` to the response (at most 4096 bytes in all).
    pub fn respond(data: &[u8]) -> Result<(), Error> {
        // SAFETY: data is a live slice of the given length.
        check(unsafe { sys::response(data.as_ptr(), len(data)) }).map(|_| ())
    }

    /// End `process` now with status word `sw` (the ISOException analogue).
    pub fn throw(sw: u16) -> ! {
        // SAFETY: no memory is passed.
        unsafe { sys::throw(i32::from(sw)) }
    }
}

/// Fill `out` from the card's (or the profile's seeded) generator (§4.5).
pub fn random(out: &mut [u8]) -> Result<(), Error> {
    // SAFETY: out is a live, writable slice of the given length.
    check(unsafe { sys::random(out.as_mut_ptr(), len(out)) }).map(|_| ())
}

/// The card clock, seconds since the Unix epoch (§4.5).
pub fn now() -> i64 {
    // SAFETY: no memory is passed.
    unsafe { sys::now() }
}

/// The persistent store (§4.6): durable when the APDU ends in success, rolled back otherwise.
pub mod store {
    use super::{check, len, sys, Error};

    /// The value of `key` into `out`: its length.
    pub fn get(key: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        // SAFETY: both slices are live for the call, out writable.
        check(unsafe { sys::store_get(key.as_ptr(), len(key), out.as_mut_ptr(), len(out)) })
    }

    /// Set `key` to `value`.
    pub fn put(key: &[u8], value: &[u8]) -> Result<(), Error> {
        // SAFETY: both slices are live for the call.
        check(unsafe { sys::store_put(key.as_ptr(), len(key), value.as_ptr(), len(value)) })
            .map(|_| ())
    }

    /// Delete `key`.
    pub fn delete(key: &[u8]) -> Result<(), Error> {
        // SAFETY: key is live for the call.
        check(unsafe { sys::store_delete(key.as_ptr(), len(key)) }).map(|_| ())
    }

    /// The `index`-th key in byte order into `out`: its length.
    pub fn key(index: usize, out: &mut [u8]) -> Result<usize, Error> {
        let i = i32::try_from(index).map_err(|_| Error::NotFound)?;
        // SAFETY: out is a live, writable slice of the given length.
        check(unsafe { sys::store_key(i, out.as_mut_ptr(), len(out)) })
    }
}

mod keys;
pub use keys::{Key, KeyInfo, Service};

/// Export the four entry points and `vusim_abi_version` (docs/applets.md §1.1) from functions
/// `install() -> u16`, `select(channel: u8) -> u16`, `deselect(channel: u8)` and
/// `process(channel: u8) -> u16`. Off wasm32 the symbols get `vusim_` names (no clash with the C
/// library's `select`).
#[macro_export]
macro_rules! applet {
    ($install:path, $select:path, $deselect:path, $process:path $(,)?) => {
        #[cfg_attr(target_arch = "wasm32", export_name = "vusim_abi_version")]
        #[cfg_attr(not(target_arch = "wasm32"), export_name = "vusim_applet_abi_version")]
        /// An ABI v1 entry point (docs/applets.md §1.1).
        pub extern "C" fn __vusim_abi_version() -> i32 {
            $crate::ABI_VERSION
        }
        #[cfg_attr(target_arch = "wasm32", export_name = "install")]
        #[cfg_attr(not(target_arch = "wasm32"), export_name = "vusim_install")]
        /// An ABI v1 entry point (docs/applets.md §1.1).
        pub extern "C" fn __vusim_install() -> i32 {
            i32::from($install())
        }
        #[cfg_attr(target_arch = "wasm32", export_name = "select")]
        #[cfg_attr(not(target_arch = "wasm32"), export_name = "vusim_select")]
        /// An ABI v1 entry point (docs/applets.md §1.1).
        pub extern "C" fn __vusim_select(channel: i32) -> i32 {
            i32::from($select(u8::try_from(channel).unwrap_or(u8::MAX)))
        }
        #[cfg_attr(target_arch = "wasm32", export_name = "deselect")]
        #[cfg_attr(not(target_arch = "wasm32"), export_name = "vusim_deselect")]
        /// An ABI v1 entry point (docs/applets.md §1.1).
        pub extern "C" fn __vusim_deselect(channel: i32) {
            $deselect(u8::try_from(channel).unwrap_or(u8::MAX))
        }
        #[cfg_attr(target_arch = "wasm32", export_name = "process")]
        #[cfg_attr(not(target_arch = "wasm32"), export_name = "vusim_process")]
        /// An ABI v1 entry point (docs/applets.md §1.1).
        pub extern "C" fn __vusim_process(channel: i32) -> i32 {
            i32::from($process(u8::try_from(channel).unwrap_or(u8::MAX)))
        }
    };
}

/// The metadata (docs/applets.md §1.2) as the custom section `vusim.applet`, from a byte-string
/// literal: `meta!(b"aid=F0...\nlabel=NOTE\n")`.
#[macro_export]
macro_rules! meta {
    ($text:literal) => {
        #[cfg_attr(target_arch = "wasm32", link_section = "vusim.applet")]
        #[used]
        static __VUSIM_META: [u8; $text.len()] = *$text;
    };
}

#[cfg(all(target_arch = "wasm32", feature = "panic-handler", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // A trap: the card answers 6F00 and rolls the APDU back (docs/applets.md §3).
    core::arch::wasm32::unreachable()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_the_documented_ones() {
        // docs/applets.md §4: -1 E_NOT_GRANTED … -11 E_STATE.
        let all = [
            Error::NotGranted,
            Error::NoKey,
            Error::Expired,
            Error::Verify,
            Error::Algorithm,
            Error::Length,
            Error::NotFound,
            Error::Space,
            Error::Full,
            Error::Handle,
            Error::State,
        ];
        for (i, e) in (1..=11).zip(all) {
            assert_eq!(Error::from_code(-i), e);
        }
        assert_eq!(Error::from_code(-12), Error::Other(-12));
        assert_eq!(check(5), Ok(5));
        assert_eq!(check(-4), Err(Error::Verify));
    }

    #[test]
    fn refusals_answer_the_card_applets_status_words() {
        // docs/api/card-applets.md §1: 6982, 6A88, 6984, 6A84, 9862 / 6A81 / 6700.
        assert_eq!(Error::NotGranted.status_word(), 0x6982);
        assert_eq!(Error::NoKey.status_word(), 0x6A88);
        assert_eq!(Error::Expired.status_word(), 0x6984);
        assert_eq!(Error::Full.status_word(), 0x6A84);
        assert_eq!(Error::Verify.status_word(), 0x9862);
        assert_eq!(Error::Algorithm.status_word(), 0x6A81);
        assert_eq!(Error::Length.status_word(), 0x6700);
    }

    #[test]
    fn off_wasm32_the_imports_answer_e_state() {
        let mut b = [0u8; 8];
        assert_eq!(params(&mut b), Err(Error::State));
        assert_eq!(apdu::header(), Err(Error::State));
        assert_eq!(store::put(b"k", b"v"), Err(Error::State));
        assert_eq!(
            Service::Gba.card_proof(b"naf", alg::HMAC_SHA256, b"p", b"rs"),
            Err(Error::State)
        );
        assert_eq!(now(), 0);
    }
}
