//! `vusim card install` and `vusim card applets`: put a loadable WebAssembly applet into a card file, list a card's loadable applets (docs/applets.md §6). The logic is `vusim_applet::wasm`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use vusim_applet::store::DurableCard;
use vusim_applet::wasm;

use crate::out::Out;
use crate::outln;

/// Arguments of `vusim card install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Card file (held while installing).
    #[arg(long)]
    pub card: PathBuf,
    /// The applet module (.wasm).
    #[arg(long)]
    pub module: PathBuf,
    /// AID, hex (default: the module's `aid`).
    #[arg(long)]
    pub aid: Option<String>,
    /// Label in EF.DIR (default: the module's `label`).
    #[arg(long)]
    pub label: Option<String>,
    /// Install parameters, hex.
    #[arg(long)]
    pub params: Option<String>,
    /// Wait up to this many seconds for another holder of the card.
    #[arg(long, default_value_t = 0)]
    pub wait: u64,
}

/// Arguments of `vusim card applets`.
#[derive(Debug, Args)]
pub struct AppletsArgs {
    /// Card file.
    pub file: PathBuf,
}

fn hex_arg(flag: &str, v: Option<&str>) -> anyhow::Result<Option<Vec<u8>>> {
    v.map(|h| vusim_apdu::hexstr::parse_hex(h).with_context(|| format!("{flag}: not hex")))
        .transpose()
}

/// `vusim card install`.
pub fn install(a: &InstallArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&a.module)
        .with_context(|| format!("{}: reading the module", a.module.display()))?;
    let req = wasm::Request {
        name: a.module.file_name().map_or_else(
            || a.module.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        bytes,
        aid: hex_arg("--aid", a.aid.as_deref())?,
        label: a.label.clone(),
        params: hex_arg("--params", a.params.as_deref())?.unwrap_or_default(),
    };
    let mut card = DurableCard::open_waiting(&a.card, Duration::from_secs(a.wait))?;
    let listed = wasm::install(&mut card, &req)?;
    let mut out = Out::new();
    outln!(out, "installed into {}:", a.card.display());
    outln!(out, "{listed}");
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// `vusim card applets`.
pub fn applets(a: &AppletsArgs) -> anyhow::Result<ExitCode> {
    let card = DurableCard::read_unlocked(&a.file)?;
    let name = a.file.display().to_string();
    let mut out = Out::new();
    for (aid, label) in card.card().applications() {
        outln!(out, "# {}  {label}", hex::encode_upper(aid));
    }
    for l in wasm::list(card.profile(), &name)? {
        outln!(out, "{l}");
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
