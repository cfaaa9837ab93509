//! Printing a procedure's [`Report`] (`name: value` lines, or one JSON object with the keys in
//! output order) and the annotated APDU trace of `--trace`; the one place the end-to-end and
//! network-side commands print.

use std::process::ExitCode;

use vusim_apdu::script::Transport;
use vusim_applet::fs::names::TABLE_NAMES;
use vusim_network::diagram::{Diagram, Format};
use vusim_network::{Me, NetworkError, Report};

use crate::out::Out;
use crate::outln;

/// Print the report; exit 1 when a check failed, 2 when standard output cannot be written (a
/// closed pipe ends quietly, as a reader like `head` expects).
pub(crate) fn finish(r: &Report, as_json: bool) -> ExitCode {
    let mut out = Out::new();
    let text = if as_json { r.to_json() } else { r.to_text() };
    outln!(out, "{text}");
    if let Err(e) = out.finish() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("vusim: error: writing to standard output: {e}");
        }
        return ExitCode::from(2);
    }
    if r.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// An ME on `link`, tracing to stderr when asked.
pub(crate) fn me<T: Transport>(link: T, with_trace: bool) -> Me<T> {
    if with_trace {
        Me::traced(link, &TABLE_NAMES, |line| eprintln!("{line}"))
    } else {
        Me::new(link)
    }
}

/// Write the run's diagram to every `--diagram` file, the format by extension (`.mmd`
/// Mermaid, `.svg` SVG; the argument parser admits no other).
pub(crate) fn write_diagrams(
    files: &[std::path::PathBuf],
    diagram: &Diagram,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    for f in files {
        let text = diagram.render(Format::of(f).unwrap_or(Format::Mermaid))?;
        std::fs::write(f, text).with_context(|| format!("writing {}", f.display()))?;
    }
    Ok(())
}

/// Run a flow on `me`, then write its diagram (also when the flow failed part-way, up to the
/// failure), then hand back the flow's result.
pub(crate) fn with_diagram<T: Transport, R>(
    me: &mut Me<T>,
    files: &[std::path::PathBuf],
    flow: impl FnOnce(&mut Me<T>) -> Result<R, NetworkError>,
) -> anyhow::Result<R> {
    let out = flow(me);
    write_diagrams(files, &me.take_diagram())?;
    Ok(out?)
}

/// The library names an input by what it is; the command line names it by its flag, as the
/// network-side commands always have (`--rid`, `--sqn`, `--store-as`, `--mac`).
pub(crate) fn name_the_flag(e: anyhow::Error) -> anyhow::Error {
    match e.downcast_ref::<NetworkError>() {
        Some(NetworkError::InvalidRid(rid)) => {
            anyhow::anyhow!("--rid: expected 1 to 4 decimal digits, got {rid:?}")
        }
        Some(NetworkError::SeqZero { ind_bits }) => {
            anyhow::anyhow!("--sqn: SEQ (SQN >> {ind_bits}) must be at least 1")
        }
        Some(NetworkError::NameLength(n)) => anyhow::anyhow!("--store-as: 1 to 32 bytes, got {n}"),
        Some(NetworkError::BadMac(op)) => anyhow::anyhow!("--mac: {op}"),
        _ => e,
    }
}
