//! `vusim bench`: prints the measurements of `vusim_network::bench` as a table or JSON Lines.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
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
    if args.json {
        for r in &rows {
            outln!(
                out,
                "{}",
                json!({"name": r.name, "value": r.value, "unit": r.unit, "target": r.target, "met": r.target.map(|t| r.value <= t), "note": r.note})
            );
        }
    } else {
        outln!(
            out,
            "{:<46} {:>12} {:<8} {:>10}  note",
            "measurement",
            "median",
            "unit",
            "target"
        );
        for r in &rows {
            let target = r.target.map_or(String::new(), |t| {
                format!("≤ {t} {}", if r.value <= t { "met" } else { "MISSED" })
            });
            outln!(
                out,
                "{:<46} {:>12.3} {:<8} {:>10}  {}",
                r.name,
                r.value,
                r.unit,
                target,
                r.note
            );
        }
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
