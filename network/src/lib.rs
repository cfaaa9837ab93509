//! vusim network and terminal sides of the 3GPP procedures, as a library: the AuC/HSS (TS 33.102
//! §6.3, Annex C), the BSF and NAF (TS 33.220 §4.5), the AUSF and AAnF (TS 33.501 §6.1.3.2,
//! TS 33.535 §6), the AF/NAF/AS operations and key-management server of the experimental API
//! applets (vusim's proposal, docs/api/), the IoT HSS/MME/SCEF/AS (TR 33.863 solution #11, a
//! study), and an ME ([`me::Me`]) that drives any card through the script
//! [`Transport`](vusim_apdu::script::Transport).
//!
//! Each procedure is a function taking the ME, the network state and typed inputs, and returning
//! a [`report::Report`]; errors are [`NetworkError`]. This crate prints nothing and reads no
//! command line: the `vusim` binary parses arguments, calls these functions and prints.

pub mod aanf;
pub mod af;
pub mod aka;
pub mod akma;
pub mod auc;
pub mod authenticate;
pub mod bench;
pub mod bsf;
pub mod calc;
pub mod client;
pub mod diagram;
pub mod eap;
pub mod error;
pub mod gba;
pub mod inputs;
pub mod iot;
pub mod me;
pub mod naf;
pub mod report;
pub mod script_net;

pub use error::{NetworkError, Result};
pub use me::Me;
pub use report::Report;
