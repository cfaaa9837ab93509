//! `vusim`: a virtual UICC/USIM and APDU toolkit.
//!
//! Exit codes follow grep: 0 success, 1 a check ran and failed, 2 an error (usage, I/O, input).

mod commands;
mod out;
mod report;
mod resolver;
mod trace;

use std::process::ExitCode;

use clap::Parser;

/// vusim — virtual UICC/USIM and APDU toolkit.
#[derive(Debug, Parser)]
#[command(name = "vusim", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Seconds to wait for a card file that another process holds before giving up with exit
    /// code 2 (0: fail at once). A card file is held by one process at a time.
    #[arg(long, global = true, value_name = "SECS", default_value = "5", value_parser = commands::parse_wait)]
    wait: std::time::Duration,
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::set_card_wait(cli.wait);
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vusim: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
