//! Subcommands, one module each; `run` maps them to an exit code in one place.

use std::process::ExitCode;

use clap::Subcommand;

pub mod calc;
pub mod decode;

/// The subcommands, in the order `--help` shows them.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Annotate command APDUs, responses and status words (e.g. `vusim decode 00A40004023F0000 6A82`).
    Decode(decode::DecodeArgs),
    /// Network-side calculator: MILENAGE/TUAK/XOR vectors, GBA, 5G, AKMA, SUCI and KDF keys.
    Calc(Box<calc::CalcArgs>),
}

/// Run a subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Decode(args) => decode::run(&args),
        Command::Calc(args) => calc::run(&args),
    }
}
