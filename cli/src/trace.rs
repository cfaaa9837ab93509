//! `--trace-pcap FILE` and `--gsmtap HOST[:PORT]`: APDU traces as GSMTAP SIM frames
//! (`vusim_pcsc_bridge::trace`), for any command that exchanges APDUs.
//!
//! Add `#[command(flatten)] trace: TraceArgs` to a command's arguments, open it once with
//! [`TraceArgs::open`], and call [`SharedTracer::exchange`] with every raw exchange (command
//! bytes, response bytes as the card sent them). Trace write errors are reported once on stderr
//! and never fail an exchange.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vusim_pcsc_bridge::trace::{SharedTracer, Tracer};

/// Trace options.
#[derive(Debug, Clone, Default, Args)]
pub struct TraceArgs {
    /// Write every APDU exchange (command ‖ response) to FILE as GSMTAP SIM frames in a pcap
    /// (read it with Wireshark or `tshark -r FILE`). Holds every byte, PINs included.
    #[arg(long, value_name = "FILE")]
    pub trace_pcap: Option<PathBuf>,
    /// Send every APDU exchange live as GSMTAP over UDP to `HOST[:PORT]` (default port 4729),
    /// e.g. `--gsmtap 127.0.0.1` with Wireshark capturing on the loopback interface.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub gsmtap: Option<String>,
}

impl TraceArgs {
    /// Open the trace destinations (none: a tracer that does nothing). The first write error is
    /// a warning on stderr; later ones are not shown.
    pub fn open(&self) -> anyhow::Result<SharedTracer> {
        let mut t = Tracer::new();
        if let Some(p) = &self.trace_pcap {
            t = t.with_pcap(p).context("--trace-pcap")?;
        }
        if let Some(a) = &self.gsmtap {
            t = t.with_gsmtap(a).context("--gsmtap")?;
        }
        Ok(SharedTracer::new(t, |e| {
            eprintln!("vusim: warning: trace: {e} (further trace errors are not shown)");
        }))
    }

    /// The destinations, for a log line: `FILE`, `GSMTAP to HOST[:PORT]`, or both.
    pub fn destinations(&self) -> String {
        let pcap = self.trace_pcap.as_ref().map(|p| p.display().to_string());
        let live = self.gsmtap.as_ref().map(|a| format!("GSMTAP to {a}"));
        let to: Vec<String> = pcap.into_iter().chain(live).collect();
        to.join(" and ")
    }
}
