//! `--trace-pcap FILE` and `--gsmtap HOST[:PORT]`: APDU traces as GSMTAP SIM frames
//! (`vusim_pcsc_bridge::trace`), for any command that exchanges APDUs.
//!
//! Add `#[command(flatten)] trace: TraceArgs` to a command's arguments, open it once with
//! [`TraceArgs::open`], and call [`SharedTracer::exchange`] with every raw exchange (command
//! bytes, response bytes as the card sent them). The tracer is cheap to clone and can be shared
//! between threads (one per slot in `serve`). Trace write errors are reported once on stderr and
//! never fail an exchange.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use clap::Args;
use vusim_pcsc_bridge::trace::Tracer;

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
    /// Open the trace destinations (none: a tracer that does nothing).
    pub fn open(&self) -> anyhow::Result<SharedTracer> {
        let mut t = Tracer::new();
        if let Some(p) = &self.trace_pcap {
            t = t.with_pcap(p).context("--trace-pcap")?;
        }
        if let Some(a) = &self.gsmtap {
            t = t.with_gsmtap(a).context("--gsmtap")?;
        }
        Ok(if t.is_active() {
            SharedTracer {
                inner: Some(Arc::new(Inner {
                    tracer: Mutex::new(t),
                    failed: AtomicBool::new(false),
                })),
            }
        } else {
            SharedTracer::default()
        })
    }
}

struct Inner {
    tracer: Mutex<Tracer>,
    failed: AtomicBool,
}

/// A tracer shared between slots or threads; a no-op when no destination was asked for.
#[derive(Clone, Default)]
pub struct SharedTracer {
    inner: Option<Arc<Inner>>,
}

impl SharedTracer {
    /// True if exchanges are written somewhere.
    pub fn is_active(&self) -> bool {
        self.inner.is_some()
    }

    /// Trace one exchange of slot (reader) `slot`.
    pub fn exchange(&self, slot: u8, command: &[u8], response: &[u8]) {
        let Some(inner) = &self.inner else {
            return;
        };
        let r = inner
            .tracer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .exchange(slot, command, response);
        if let Err(e) = r {
            if !inner.failed.swap(true, Ordering::Relaxed) {
                eprintln!("vusim: warning: trace: {e} (further trace errors are not shown)");
            }
        }
    }
}
