//! `vusim card new` and `vusim card show`: write a fresh card profile, print one with secrets redacted (`install` and `applets` are in `card_applets`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use vusim_applet::profile;
use vusim_applet::profile::templates::{self, Algorithm, Template};
use vusim_applet::store::holder::Holder;
use vusim_applet::store::{save_atomic, DurableCard};

use super::inputs::choice;
use crate::out::Out;
use crate::outln;

/// `vusim card …`.
#[derive(Debug, Args)]
pub struct CardArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: CardAction,
}

/// Card actions.
#[derive(Debug, Subcommand)]
pub enum CardAction {
    /// Write a fresh card profile (random K and OPc unless given).
    New(NewArgs),
    /// Print a card file, secrets redacted unless --reveal, with a decoded summary.
    Show(ShowArgs),
    /// Install a loadable WebAssembly applet into a card file (docs/applets.md).
    Install(super::card_applets::InstallArgs),
    /// List a card's applications: every AID in EF.DIR, then the loadable applets in detail.
    Applets(super::card_applets::AppletsArgs),
}

/// Arguments of `vusim card new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Starting point: `default`, `full` (every file of the tables present), `ts34108` (the
    /// TS 34.108 test USIM, its K and algorithm unless given) or `ts31121` (TS 31.121 default
    /// UICC).
    #[arg(long, value_parser = choice(Template::CHOICES), default_value = "default")]
    pub template: Template,
    /// Output file (mode 0600); standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// IMSI digits.
    #[arg(long)]
    pub imsi: Option<String>,
    /// ICCID digits.
    #[arg(long)]
    pub iccid: Option<String>,
    /// K, hex (16 bytes; TUAK also 32). Random when absent.
    #[arg(long)]
    pub k: Option<String>,
    /// OP (MILENAGE) / TOP (TUAK), hex.
    #[arg(long, conflicts_with = "opc")]
    pub op: Option<String>,
    /// OPc (MILENAGE) / TOPc (TUAK), hex. Random when neither --op nor --opc is given.
    #[arg(long)]
    pub opc: Option<String>,
    /// Authentication algorithm (default: the template's; MILENAGE for `default` and `full`).
    #[arg(long, value_parser = choice(Algorithm::CHOICES))]
    pub algorithm: Option<Algorithm>,
    /// Leave out the built-in card applets of `[applets]` (door lock, V2X) but keep the
    /// EF_GBAUAPI records that grant their AIDs: a card for their loadable C ports
    /// (`vusim card install --module examples/applets/door_lock.wasm`, docs/applets.md §7).
    #[arg(long)]
    pub no_card_applets: bool,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
    /// How long to wait for the output file while another process holds it (with --force).
    #[command(flatten)]
    pub wait: super::WaitArg,
}

/// Arguments of `vusim card show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Card file.
    pub file: PathBuf,
    /// Print secrets (K, OP/OPc, PINs, keys in the state) instead of `<redacted>`.
    #[arg(long)]
    pub reveal: bool,
}

/// Run `vusim card …`.
pub fn run(args: &CardArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        CardAction::New(a) => new(a),
        CardAction::Show(a) => show(a),
        CardAction::Install(a) => super::card_applets::install(a),
        CardAction::Applets(a) => super::card_applets::applets(a),
    }
}

fn new(a: &NewArgs) -> anyhow::Result<ExitCode> {
    let new = templates::NewCard {
        template: a.template,
        algorithm: a.algorithm,
        k: a.k.clone(),
        op: a.op.clone(),
        opc: a.opc.clone(),
        imsi: a.imsi.clone(),
        iccid: a.iccid.clone(),
        no_card_applets: a.no_card_applets,
    };
    let target = a
        .out
        .as_ref()
        .map_or_else(|| "<new card>".to_string(), |o| o.display().to_string());
    let p = new.profile(&mut rand::thread_rng(), &target)?;
    let text = format!(
        "# vusim card profile: identities, keys, PINs and (after use) the card's saved state.\n{}",
        p.to_toml().map_err(anyhow::Error::msg)?
    );
    match &a.out {
        Some(path) => {
            // Held while written: --force never replaces a card another process is using.
            let _hold = Holder::acquire(path, "card", a.wait.secs)?;
            if path.exists() && !a.force {
                bail!("{}: exists (use --force to overwrite)", path.display());
            }
            save_atomic(path, &text)?;
            eprintln!("vusim: wrote {}", path.display());
        }
        None => {
            std::io::stdout()
                .write_all(text.as_bytes())
                .context("writing to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(a: &ShowArgs) -> anyhow::Result<ExitCode> {
    let card = DurableCard::read_unlocked(&a.file)?;
    let shown = if a.reveal {
        card.profile().clone()
    } else {
        profile::redact(card.profile())
    };
    let toml = shown.to_toml().map_err(anyhow::Error::msg)?;
    let mut out = Out::new();
    out.text(|t| t.push_str(&toml));
    outln!(out, "\n# decoded");
    for line in card.card().summary() {
        outln!(out, "# {line}");
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
