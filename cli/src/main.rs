//! `vusim`: a virtual UICC/USIM and APDU toolkit.
//!
//! Exit codes follow grep: 0 success, 1 a check ran and failed, 2 an error (usage, I/O, input).

mod argv;
mod commands;
mod out;
mod report;
mod trace;

use std::process::ExitCode;

use clap::Parser;

/// vusim — virtual UICC/USIM and APDU toolkit.
#[derive(Debug, Parser)]
#[command(name = "vusim", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let (argv, apdus) = argv::split(std::env::args_os().collect());
    let mut cli = Cli::parse_from(argv);
    if let commands::Command::Send(args) = &mut cli.command {
        args.apdus.extend(apdus);
    }
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            // A reader that closed the pipe (`| head`) ends the output quietly.
            let closed_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if !closed_pipe {
                eprintln!("vusim: error: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}
