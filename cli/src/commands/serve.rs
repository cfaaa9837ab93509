//! `vusim serve`: the card as a PC/SC smart card, through pcscd's vpcd driver (see docs/pcsc.md).
//!
//! Each slot connects to vpcd (slot `i` to the `--vpcd` port + `i`), answers as a T=0 UICC and
//! saves its card file before every response that depends on a change. Runs until SIGINT or
//! SIGTERM; reconnects when pcscd restarts. Logs go to stderr: connection events, and each APDU
//! as its description and status word — never data bytes, so no PIN, key or AUTHENTICATE
//! response reaches the log (use `--trace-pcap` for full traces of test cards).

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use tracing::{debug, info};
use vusim_apdu::annotate::{describe_status, Annotator};
use vusim_apdu::{Command, StatusWord};
use vusim_applet::fs::names::TABLE_NAMES;
use vusim_pcsc_bridge::pcscd;
use vusim_pcsc_bridge::vpcd::{self, Bridge, Shutdown, SlotCard, SlotConfig};
use vusim_pcsc_bridge::{StubCard, UiccCard, VirtualCard};

use crate::trace::{SharedTracer, TraceArgs};

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

/// A slot's card with logging and tracing around each exchange.
struct ServedCard {
    card: UiccCard,
    name: String,
    slot: u8,
    log: bool,
    tracer: SharedTracer,
    /// Names files in the DF context of this card's session.
    ann: Annotator<'static>,
}

impl VirtualCard for ServedCard {
    fn atr(&mut self) -> Vec<u8> {
        self.card.atr()
    }

    fn reset(&mut self) {
        self.card.reset();
        self.ann.reset();
    }

    fn power_off(&mut self) {
        self.card.power_off();
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let response = self.card.transmit(apdu);
        if self.log {
            log_exchange(&mut self.ann, &self.name, apdu, &response);
        }
        self.tracer.exchange(self.slot, apdu, &response);
        response
    }
}

/// Log an exchange without data bytes: the command header and description, the status word and
/// its meaning, the amount of response data.
fn log_exchange(ann: &mut Annotator<'_>, name: &str, apdu: &[u8], response: &[u8]) {
    let header = hex::encode_upper(apdu.get(..4).unwrap_or(apdu));
    let (what, ins) = match Command::parse(apdu) {
        Ok(cmd) => (ann.describe_command(&cmd), Some(cmd.ins())),
        Err(e) => (format!("malformed command APDU ({e})"), None),
    };
    let split = response.len().saturating_sub(2);
    let (data, sw) = response.split_at(split);
    let status = match sw {
        [a, b] => {
            let sw = StatusWord::from_bytes(*a, *b);
            ann.observe_status(sw);
            describe_status(sw, ins)
        }
        _ => "no status word".to_string(),
    };
    let data = if data.is_empty() {
        String::new()
    } else {
        format!(", {} bytes of data", data.len())
    };
    debug!("{name}: > {header} {what}");
    debug!("{name}: < {status}{data}");
}

/// Run `vusim serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.verbose && !args.quiet);
    let slots = usize::from(args.slots.unwrap_or(1)).max(args.cards.len());
    if slots > usize::from(pcscd::MAX_SLOTS) {
        bail!(
            "{slots} slots: pcscd serves at most {} readers (PCSCLITE_MAX_READERS_CONTEXTS); see docs/pcsc.md \"Many cards\"",
            pcscd::MAX_SLOTS
        );
    }
    let mut seen = HashSet::new();
    for c in &args.cards {
        let canon = c
            .canonicalize()
            .with_context(|| format!("--card {}", c.display()))?;
        if !seen.insert(canon) {
            bail!(
                "--card {} is given twice: two slots cannot share one card file",
                c.display()
            );
        }
    }
    let tracer = args.trace.open()?;
    let mut configs = Vec::with_capacity(slots);
    for i in 0..slots {
        let n = u16::try_from(i).context("too many slots")?;
        let addr = vpcd::slot_address(&args.vpcd, n).map_err(|e| anyhow::anyhow!("--vpcd: {e}"))?;
        let name = format!("slot {i}");
        let cfg = if args.listen {
            SlotConfig::listen(name.clone(), addr.clone())
        } else {
            SlotConfig::connect(name.clone(), addr.clone())
        };
        if args.stub {
            info!("{name}: a trivial card (9000 to everything) on vpcd {addr}");
            configs.push((cfg, Box::new(StubCard) as SlotCard));
            continue;
        }
        let path = args.cards.get(i);
        let durable = super::open_card_file(path.map(PathBuf::as_path), args.wait)?;
        let what = match path {
            Some(p) => format!("card {}", p.display()),
            None => "the embedded default card (in memory: changes are lost on exit)".to_string(),
        };
        let port = addr
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok());
        let reader = if !args.listen && n < 2 && port == vpcd::DEFAULT_PORT.checked_add(n) {
            format!(" (reader \"Virtual PCD 00 {i:02X}\" in Debian's vpcd configuration)")
        } else {
            String::new()
        };
        info!("{name}: {what} on vpcd {addr}{reader}");
        let card = ServedCard {
            card: UiccCard::new(durable),
            name: name.clone(),
            slot: u8::try_from(i).unwrap_or(u8::MAX),
            log: args.verbose && !args.quiet,
            tracer: tracer.clone(),
            ann: Annotator::new(&TABLE_NAMES),
        };
        configs.push((cfg, Box::new(card) as SlotCard));
    }
    if tracer.is_active() {
        let pcap = args
            .trace
            .trace_pcap
            .as_ref()
            .map(|p| p.display().to_string());
        let live = args.trace.gsmtap.as_ref().map(|a| format!("GSMTAP to {a}"));
        let to: Vec<String> = pcap.into_iter().chain(live).collect();
        info!("tracing APDUs to {}", to.join(" and "));
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
