//! Error type for the authentication crypto (length and format checks on caller input).

use thiserror::Error;

/// Errors returned by the crypto primitives.
///
/// Only malformed input produces an error; a correct input never fails.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A fixed-size value was given with the wrong number of bytes.
    #[error("{what}: expected {expected} bytes, got {got}")]
    InvalidLength {
        /// Name of the value (e.g. `"Key128"`).
        what: &'static str,
        /// The required length in bytes.
        expected: usize,
        /// The length that was supplied.
        got: usize,
    },
    /// A variable-size value has a length outside the set the clause allows.
    #[error("{what}: length {got} not allowed (allowed: {allowed})")]
    UnsupportedLength {
        /// Name of the value (e.g. `"RES"`).
        what: &'static str,
        /// Human-readable list or range of allowed lengths.
        allowed: &'static str,
        /// The length that was supplied (bytes, or bits where `what` says so).
        got: usize,
    },
    /// A KDF parameter is longer than the 16-bit length field Li can express (TS 33.220 B.2).
    #[error("KDF parameter P{index} is {len} bytes, more than 65535")]
    KdfParameterTooLong {
        /// Index i of the parameter Pi.
        index: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// A received MAC (MAC-S, SUCI MAC tag, …) did not verify.
    #[error("{what}: MAC verification failed")]
    MacMismatch {
        /// Which MAC failed.
        what: &'static str,
    },
    /// A textual or structured value is malformed.
    #[error("invalid {what}: {reason}")]
    InvalidFormat {
        /// Name of the value (e.g. `"IMSI"`).
        what: &'static str,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An elliptic-curve public key could not be decoded or is not on the curve.
    #[error("invalid {what} public key")]
    InvalidPublicKey {
        /// Which key (e.g. `"home network"`).
        what: &'static str,
    },
}
