//! `vusim gba bootstrap`: the whole GBA_U flow (TS 33.220 §4.5, Annex G) — AuC vector with AUTN*, AUTHENTICATE in the GBA context, RES against XRES at the BSF, B-TID and lifetime written to EF_GBABP, NAF derivation on the card and at the NAF — with a verdict.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use rand::RngCore;
use vusim_applet::crypto::gba::UaProtocolId;
use vusim_network::auc::Auc;
use vusim_network::bsf::Bsf;
use vusim_network::gba::GbaRun;
use vusim_network::me::UsimAccess;

/// `vusim gba …`.
#[derive(Debug, Args)]
pub struct GbaArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: GbaAction,
}

/// GBA actions.
#[derive(Debug, Subcommand)]
pub enum GbaAction {
    /// Bootstrap (GBA_U) and derive a NAF key on the card and at the NAF.
    Bootstrap(BootstrapArgs),
}

/// Arguments of `vusim gba bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// Card file (profile and state); the embedded default card when absent.
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// How long to wait for a card file another process holds.
    #[command(flatten)]
    pub wait: super::WaitArg,
    /// NAF FQDN.
    #[arg(long, default_value = "naf.example.org")]
    pub naf: String,
    /// Ua security protocol identifier, 5 bytes hex (TS 33.220 Annex H; default 0100000002,
    /// HTTP Digest per TS 24.109).
    #[arg(long, default_value = "0100000002")]
    pub ua_protocol: String,
    /// Key lifetime the BSF grants, seconds.
    #[arg(long, default_value_t = 3600)]
    pub lifetime: u64,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    pub trace: bool,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// The run as a sequence diagram (FILE.mmd or FILE.svg).
    #[command(flatten)]
    pub diagram: super::DiagramArg,
}

/// Run `vusim gba …`.
pub fn run(args: &GbaArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        GbaAction::Bootstrap(b) => bootstrap(b),
    }
}

fn bootstrap(args: &BootstrapArgs) -> anyhow::Result<ExitCode> {
    let ua_bytes: [u8; 5] = hex::decode(&args.ua_protocol)
        .ok()
        .and_then(|v| v.try_into().ok())
        .context("--ua-protocol: expected 5 bytes (10 hex digits)")?;
    let ua = UaProtocolId::from_bytes(ua_bytes);
    let mut card = crate::commands::open_card_file(args.card.as_deref(), args.wait)?;
    let mut auc = Auc::for_profile(card.profile(), args.card.as_deref())?;
    let (bsf, impi) = Bsf::for_profile(card.profile(), args.lifetime)?;
    let run = GbaRun {
        bsf,
        impi,
        naf_fqdn: args.naf.clone(),
        ua,
        rand: {
            let mut rand = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut rand);
            rand
        },
    };
    let access = UsimAccess::from_profile(card.profile())?;
    let clock = card.card().clock();
    let mut me = crate::report::me(&mut card, args.trace);
    let report = crate::report::with_diagram(&mut me, &args.diagram.files, |me| {
        me.start_usim(&access.aid, &access.pin1)?;
        vusim_network::gba::bootstrap(me, &mut auc, &run, || clock.now())
    })?;
    Ok(crate::report::finish(&report, args.json))
}
