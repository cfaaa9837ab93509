//! `vusim serve`: the card as a PC/SC smart card, through pcscd's vpcd driver (see docs/pcsc.md);
//! the slots are `vusim_pcsc_bridge::serve`, this module parses the arguments, starts logging and
//! stops on a signal.
//!
//! Each slot connects to vpcd (slot `i` to the `--vpcd` port + `i`), answers as a T=0 UICC and
//! saves its card file before every response that depends on a change. Runs until SIGINT or
//! SIGTERM; reconnects when pcscd restarts. Logs go to stderr: connection events, and each APDU
//! as its description and status word — never data bytes, so no PIN, key or AUTHENTICATE
//! response reaches the log (use `--trace-pcap` for full traces of test cards).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tracing::info;
use vusim_pcsc_bridge::serve::{Plan, ServeError};
use vusim_pcsc_bridge::vpcd::{self, Bridge, Shutdown};

use crate::trace::TraceArgs;

/// Arguments of `vusim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Card file of the next slot (profile and state, saved before each response that depends
    /// on a change); repeat for more slots. Slots without one get the embedded default card, in
    /// memory.
    #[arg(long = "card", value_name = "FILE")]
    pub cards: Vec<PathBuf>,
    /// How long to wait for a card file another process holds.
    #[command(flatten)]
    pub wait: super::WaitArg,
    /// vpcd's address for slot 0; slot i uses PORT + i. Debian's vpcd listens on 35963
    /// (reader `Virtual PCD 00 00`) and 35964 (`Virtual PCD 00 01`).
    #[arg(long, value_name = "HOST:PORT", default_value = vpcd::DEFAULT_ADDR)]
    pub vpcd: String,
    /// Number of slots (default: one per --card, at least one; at most 16, the readers one
    /// pcscd serves — docs/pcsc.md "Many cards").
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub slots: Option<u16>,
    /// Reversed mode: listen on the --vpcd address (PORT + i) and let vpcd connect
    /// (`DEVICENAME host:port` in reader.conf). Crashes Debian 12's pcscd; see docs/pcsc.md.
    #[arg(long)]
    pub listen: bool,
    /// Log connection events only, even with --verbose.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also log each APDU (header, description, status word; never data), at DEBUG level. Off by
    /// default: the annotation stays off the exchange's path.
    #[arg(short, long)]
    pub verbose: bool,
    /// Serve a trivial card instead: `9000` to every command, nothing processed (the floor of
    /// the round-trip benchmark, scripts/bench-pcsc).
    #[arg(long, conflicts_with_all = ["cards", "trace_pcap", "gsmtap"])]
    pub stub: bool,
    /// Trace destinations.
    #[command(flatten)]
    pub trace: TraceArgs,
}

/// Run `vusim serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.verbose && !args.quiet);
    let plan = Plan {
        cards: args.cards.clone(),
        slots: args.slots,
        vpcd: args.vpcd.clone(),
        listen: args.listen,
        stub: args.stub,
        log_apdus: args.verbose && !args.quiet,
        wait: args.wait.secs,
    };
    plan.slot_count().map_err(name_the_flag)?;
    let tracer = args.trace.open()?;
    let configs = plan.open(&tracer).map_err(name_the_flag)?;
    if tracer.is_active() {
        info!("tracing APDUs to {}", args.trace.destinations());
    }
    let stop = Shutdown::new();
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])
    .context("installing the SIGINT/SIGTERM handler")?;
    let signal_handle = signals.handle();
    let signal_stop = stop.clone();
    let watcher = std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let name = if sig == signal_hook::consts::SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            info!("{name}: stopping");
            signal_stop.trigger();
        }
    });
    let bridge = Bridge::spawn(configs, &stop);
    let result = bridge.join();
    signal_handle.close();
    let _ = watcher.join();
    result?;
    info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The plan's errors with the option they come from.
fn name_the_flag(e: ServeError) -> anyhow::Error {
    match e {
        ServeError::CardFile { path, source } => {
            anyhow::Error::new(source).context(format!("--card {}", path.display()))
        }
        ServeError::SharedCardFile(_) => anyhow::anyhow!("--card {e}"),
        ServeError::Address(_) => anyhow::anyhow!("--vpcd: {e}"),
        e => e.into(),
    }
}

/// INFO (connection events) by default, DEBUG (each APDU too) with --verbose.
fn init_logging(apdus: bool) {
    let level = if apdus {
        tracing::Level::DEBUG
    } else {
        tracing::Level::INFO
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_max_level(level)
        .try_init();
}
