//! ISO/IEC 7816-4 and ETSI TS 102 221 APDU codec for vusim.
//!
//! This crate knows bytes only: command and response APDUs ([`Command`], [`Response`]), the class
//! byte ([`Class`]), status words and their meanings ([`StatusWord`]), BER-TLV and COMPACT-TLV
//! ([`tlv`]), the answer-to-reset ([`atr`]), the T=0 transport adaptation ([`t0`]) and the
//! annotation used by traces, the shell and `vusim decode` ([`annotate`]). It knows nothing about
//! files, keys or applets.
//!
//! ```
//! use vusim_apdu::{Command, StatusWord};
//!
//! let cmd = Command::parse(&hex::decode("00A40004023F0000").unwrap()).unwrap();
//! assert_eq!(cmd.ins(), 0xA4);
//! assert_eq!(cmd.data(), &[0x3F, 0x00]);
//! assert_eq!(cmd.le(), Some(256));
//! assert_eq!(vusim_apdu::annotate::describe_command(&cmd), "SELECT by FID 3F00 (MF), return FCP");
//! assert_eq!(StatusWord::from(0x6A82).meaning(), "file or application not found");
//! ```

pub mod annotate;
pub mod atr;
pub mod authenticate;
pub mod class;
pub mod command;
pub mod fuzzing;
pub mod hexstr;
pub mod ins;
pub mod response;
pub mod script;
pub mod status;
pub mod t0;
pub mod tlv;

pub use class::{Class, ClassKind};
pub use command::{Case, Command, CommandError};
pub use response::Response;
pub use status::StatusWord;
