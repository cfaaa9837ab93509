//! `vusim pcsc`: a PC/SC client for real readers and served cards (feature `pcsc`; needs
//! libpcsclite-dev to build and a running pcscd).
//!
//! - `pcsc list`: readers, card presence and ATR.
//! - `pcsc send --reader NAME APDU…`: each APDU with the reader's T=0 work done (`61xx` →
//!   GET RESPONSE, `6Cxx` → resend with the right Le), the complete response annotated;
//!   `--raw` shows the card's answers as they come.
//! - `pcsc run --reader NAME SCRIPT…`: APDU scripts (docs/script.md), as `vusim run` runs them
//!   on the in-process card, so one script runs on both.
//!
//! `--reader` takes a whole reader name, an index from `pcsc list`, or a part of exactly one name.
//! `--trace-pcap`/`--gsmtap` trace every raw exchange, GET RESPONSEs included.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::trace::TraceArgs;

/// `vusim pcsc …`.
#[derive(Debug, Args)]
pub struct PcscArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: PcscAction,
}

/// PC/SC actions.
#[derive(Debug, Subcommand)]
pub enum PcscAction {
    /// List the readers pcscd knows, with card presence and ATR.
    List(ListArgs),
    /// Send APDUs to the card in a reader, printing each response with its meaning.
    Send(PcscSendArgs),
    /// Run APDU scripts on the card in a reader.
    Run(PcscRunArgs),
}

/// Arguments of `vusim pcsc list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// One JSON object per reader (`reader`, `card`, `atr`).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `vusim pcsc send`.
#[derive(Debug, Args)]
pub struct PcscSendArgs {
    /// The reader: its name, its index in `pcsc list`, or a part of exactly one name.
    #[arg(short, long, value_name = "NAME")]
    pub reader: String,
    /// No T=0 help: show `61xx`/`6Cxx` as the card answers them.
    #[arg(long)]
    pub raw: bool,
    /// Reset the card before the first APDU.
    #[arg(long)]
    pub reset: bool,
    /// One JSON object per exchange (`command`, `description`, `data`, `sw`, `meaning`).
    #[arg(long)]
    pub json: bool,
    /// Trace destinations.
    #[command(flatten)]
    pub trace: TraceArgs,
    /// Command APDUs in hex (spaces and colons inside an argument are ignored).
    #[arg(required = true, value_name = "APDU_HEX")]
    pub apdus: Vec<String>,
}

/// Arguments of `vusim pcsc run`.
#[derive(Debug, Args)]
pub struct PcscRunArgs {
    /// The reader: its name, its index in `pcsc list`, or a part of exactly one name.
    #[arg(short, long, value_name = "NAME")]
    pub reader: String,
    /// No T=0 help: scripts see `61xx`/`6Cxx` as the card answers them (and send GET RESPONSE
    /// themselves, as scriptor scripts do).
    #[arg(long)]
    pub raw: bool,
    /// Output, failures and variables (as `vusim run`).
    #[command(flatten)]
    pub opts: super::run::RunOpts,
    /// Trace destinations.
    #[command(flatten)]
    pub trace: TraceArgs,
    /// Script files, run in order on the same card; variables carry over.
    #[arg(required = true, value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,
}

/// Run `vusim pcsc …`.
#[cfg(not(feature = "pcsc"))]
pub fn run(_args: &PcscArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "this vusim was built without PC/SC support; rebuild it with `cargo build -p vusim --features pcsc` (needs libpcsclite-dev and pkg-config)"
    )
}

/// Run `vusim pcsc …`.
#[cfg(feature = "pcsc")]
pub fn run(args: &PcscArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        PcscAction::List(a) => imp::list(a),
        PcscAction::Send(a) => imp::send(a),
        PcscAction::Run(a) => imp::run_scripts(a),
    }
}

#[cfg(feature = "pcsc")]
mod imp {
    use std::process::ExitCode;

    use anyhow::Context;
    use serde_json::json;

    use vusim_pcsc_bridge::client::{Client, Connection};

    use super::{ListArgs, PcscRunArgs, PcscSendArgs};
    use crate::commands::run::Printer;
    use crate::commands::send::apdu_args;
    use crate::out::Out;
    use crate::outln;
    use crate::trace::TraceArgs;

    pub(super) fn list(args: &ListArgs) -> anyhow::Result<ExitCode> {
        let client = Client::establish()?;
        let readers = client.readers()?;
        let mut out = Out::new();
        if readers.is_empty() && !args.json {
            outln!(out, "no readers");
        }
        for (i, r) in readers.iter().enumerate() {
            let atr = r.atr.as_deref().map(hex::encode_upper);
            if args.json {
                outln!(
                    out,
                    "{}",
                    json!({"index": i, "reader": r.name, "card": r.card_present, "atr": atr})
                );
            } else {
                match atr {
                    Some(a) => outln!(out, "{i}: {}\n   card, ATR {a}", r.name),
                    None => outln!(out, "{i}: {}\n   no card", r.name),
                }
            }
        }
        out.finish().context("writing to standard output")?;
        Ok(ExitCode::SUCCESS)
    }

    /// Connect, with every raw exchange traced.
    fn connect(reader: &str, trace: &TraceArgs) -> anyhow::Result<Connection> {
        let tracer = trace.open()?;
        let client = Client::establish()?;
        let mut conn = client.connect(reader)?;
        if tracer.is_active() {
            conn.set_observer(Some(Box::new(move |c: &[u8], r: &[u8]| {
                tracer.exchange(0, c, r)
            })));
        }
        Ok(conn)
    }

    pub(super) fn send(args: &PcscSendArgs) -> anyhow::Result<ExitCode> {
        let apdus = apdu_args(&args.apdus)?;
        let mut conn = connect(&args.reader, &args.trace)?;
        conn.set_raw(args.raw);
        if args.reset {
            conn.reset()?;
        }
        let mut printer = Printer::named(args.json, &vusim_applet::fs::names::TABLE_NAMES);
        for apdu in &apdus {
            let response = conn.exchange(apdu)?;
            printer.print(|log, t| log.exchange(t, apdu, &response));
        }
        printer.out.finish().context("writing to standard output")?;
        Ok(ExitCode::SUCCESS)
    }

    pub(super) fn run_scripts(args: &PcscRunArgs) -> anyhow::Result<ExitCode> {
        // Everything that can fail before the card is touched, then the same runner and printer
        // as `vusim run`, over the reader.
        let loaded = super::super::run::load_scripts(&args.scripts, &args.opts.vars)?;
        let mut conn = connect(&args.reader, &args.trace)?;
        conn.set_raw(args.raw);
        let atr = conn.atr().to_vec();
        eprintln!(
            "vusim: reader {}: ATR {} ({})",
            conn.reader(),
            hex::encode_upper(&atr),
            conn.protocol().name()
        );
        super::super::run::run_loaded(
            &loaded,
            &mut conn,
            None,
            None,
            &atr,
            &args.opts,
            &vusim_applet::fs::names::TABLE_NAMES,
        )
    }
}
