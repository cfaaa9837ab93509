//! The one error type of the network and terminal sides (vusim's own; no spec clause).

use std::path::PathBuf;

use vusim_apdu::StatusWord;
use vusim_applet::api::ops::OpError;
use vusim_applet::profile::ProfileError;
use vusim_applet::store::StoreError;
use vusim_crypto::CryptoError;

/// Why a network-side computation or an ME exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// A key derivation refused its input.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// An API-applet operation (MAC, seal, proof …) refused its input.
    #[error(transparent)]
    Op(#[from] OpError),
    /// The subscriber's profile is unusable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The HSS state file could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A command APDU could not be built (data too long …).
    #[error(transparent)]
    Command(#[from] vusim_apdu::CommandError),
    /// The HSS state file beside a card file is unreadable.
    #[error("{}: {what}", path.display())]
    HssState {
        /// The `.hss` file.
        path: PathBuf,
        /// What went wrong.
        what: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A command-line value that does not parse or has the wrong length (the message names the
    /// argument).
    #[error(transparent)]
    Arg(#[from] vusim_apdu::hexstr::ArgError),
    /// A computation refused the value of the named argument.
    #[error("{arg}")]
    ArgRefused {
        /// The argument, e.g. `--hn-pub`.
        arg: &'static str,
        /// Why.
        #[source]
        source: CryptoError,
    },
    /// A card file could not be read.
    #[error("{}: reading the card file", path.display())]
    CardFile {
        /// The card file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An input is out of range; the message names the input.
    #[error("{0}")]
    Input(String),
    /// A Routing Indicator that is not 1 to 4 decimal digits (TS 23.003 §2.2B).
    #[error("Routing Indicator: expected 1 to 4 decimal digits, got {0:?}")]
    InvalidRid(String),
    /// An SQN whose SEQ part is 0 (the AuC's SEQ_HE starts at 1, TS 33.102 C.3.2).
    #[error("SQN: SEQ (SQN >> {ind_bits}) must be at least 1")]
    SeqZero {
        /// IND bits of the SQN.
        ind_bits: u8,
    },
    /// The name a secret is stored under is not 1 to 32 bytes.
    #[error("stored key name: 1 to 32 bytes, got {0}")]
    NameLength(usize),
    /// A MAC to verify is unusable (its length, its algorithm).
    #[error("MAC: {0}")]
    BadMac(OpError),
    /// The card link (in-process card, vpcd, PC/SC reader) failed.
    #[error(transparent)]
    Link(Box<dyn std::error::Error + Send + Sync>),
    /// The card's answer had no status word.
    #[error("card answered without a status word")]
    NoStatusWord(#[source] vusim_apdu::response::ResponseTooShort),
    /// The card refused a command the procedure needs.
    #[error("{what}: card answered {sw} {meaning}")]
    Refused {
        /// The command.
        what: String,
        /// Its status word.
        sw: StatusWord,
        /// The status word's meaning.
        meaning: String,
    },
    /// The card's answer does not have the coding the procedure expects.
    #[error("{0}")]
    Malformed(String),
    /// A network function refused a request (an unknown GUTI at the MME, an AS the SCEF does
    /// not serve, an AS without keys).
    #[error("{by}: {what}")]
    NetworkRefused {
        /// The network function.
        by: &'static str,
        /// Why.
        what: String,
    },
    /// The AuC could not verify AUTS (MAC-S).
    #[error("AUTS rejected by the AuC: {0}")]
    AutsRejected(CryptoError),
    /// A benchmark workload did not do what it measures (`bench`).
    #[error("benchmark: {0}")]
    Bench(String),
}

impl NetworkError {
    /// An input error with this message.
    pub fn input(msg: impl Into<String>) -> NetworkError {
        NetworkError::Input(msg.into())
    }

    /// The computation refused the value of argument `arg`.
    pub fn refused(arg: &'static str) -> impl FnOnce(CryptoError) -> NetworkError {
        move |source| NetworkError::ArgRefused { arg, source }
    }
}

/// The result type of this crate.
pub type Result<T, E = NetworkError> = std::result::Result<T, E>;
