//! The vusim APDU script language: scriptor-compatible lines of hex, expectations with
//! wildcards and captures, variables, includes and verbs that expand to UICC commands
//! (TS 102 221 §11, TS 31.102 §7). The full reference is `docs/script.md`.
//!
//! ```text
//! # a pcsc-tools scriptor script runs unchanged
//! reset
//! 00 A4 00 04 02 3F00 00 => 62 * 9000      # expectation on the APDU's line
//! select ADF.USIM
//! => 62 * 9000                             # … or on the next line
//! verify pin1 1234 => 9000
//! 00 20 00 01 => 63C?                      # ? is any nibble
//! authenticate 3g ${rand} ${autn} => DB 08 ${res:8} * 9000
//! echo RES ${res}
//! ```
//!
//! The crate stays pure: a [`Loader`] reads script files, a [`Resolver`] turns file names
//! into SELECT targets, and the [`Runner`] talks to the card through a [`Transport`] and
//! reports [`Event`]s to an [`Observer`].
//!
//! ```
//! use vusim_apdu::script::{parse, Event, FsLoader, NoNames, Runner, Transport, Flow};
//!
//! struct Ok9000;
//! impl Transport for Ok9000 {
//!     type Error = std::io::Error;
//!     fn transmit(&mut self, _apdu: &[u8]) -> std::io::Result<Vec<u8>> { Ok(vec![0x90, 0x00]) }
//!     fn reset(&mut self) -> std::io::Result<Vec<u8>> { Ok(vec![0x3B, 0x00]) }
//! }
//!
//! let program = parse("demo.script", "00 A4 00 0C 02 3F00 => 9000\n", &mut FsLoader).unwrap();
//! let mut runner = Runner::new(&NoNames);
//! let flow = runner.run(&program, &mut Ok9000, &mut |_: &Event<'_>| {}).unwrap();
//! assert_eq!(flow, Flow::Finished);
//! assert_eq!(runner.summary().expectations, 1);
//! ```

pub mod log;
mod parse;
mod pattern;
mod run;
mod text;
mod verb;

pub use parse::{load, parse, Action, Expectation, FsLoader, Loader, Program, ScriptError, Step};
pub use pattern::{Match, Pattern};
pub use run::{
    Event, Failure, Flow, NetOutput, Network, Observer, RunError, Runner, Summary, Transport,
};
pub use text::{is_var_name, Located, Origin, Template, Vars};
pub use verb::{Arg, NoNames, Resolver, SelectTarget, Verb, VERBS};
