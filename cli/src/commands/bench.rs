//! `vusim bench`: prints the measurements of `vusim_network::bench` as a table or JSON Lines.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use vusim_network::bench::{self, Options};

use crate::out::Out;
use crate::outln;

/// Arguments of `vusim bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Fewer repetitions (a rough figure in a few seconds).
    #[arg(long)]
    pub quick: bool,
    /// One JSON object per measurement instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Run `vusim bench`.
pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let rows = bench::run(&Options {
        quick: args.quick,
        vusim: std::env::current_exe().ok(),
    })?;
    let mut out = Out::new();
    if !args.json {
        outln!(out, "{}", bench::Row::TABLE_HEADER);
    }
    for r in &rows {
        let line = if args.json {
            r.to_json()
        } else {
            r.table_line()
        };
        outln!(out, "{line}");
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
