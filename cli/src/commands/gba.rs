//! `vusim gba bootstrap`: the whole GBA_U flow (TS 33.220 §4.5, Annex G) — AuC vector with AUTN*, AUTHENTICATE in the GBA context, RES against XRES at the BSF, B-TID and lifetime written to EF_GBABP, NAF derivation on the card and at the NAF — with a verdict.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use rand::RngCore;
use vusim_applet::crypto::gba::UaProtocolId;
use vusim_network::gba::GbaRun;

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
    #[command(flatten)]
    pub card: super::inputs::CardFileArgs,
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

/// Run `vusim gba bootstrap`.
pub fn run(args: &GbaArgs) -> anyhow::Result<ExitCode> {
    let GbaAction::Bootstrap(args) = &args.action;
    let ua_bytes: [u8; 5] = hex::decode(&args.ua_protocol)
        .ok()
        .and_then(|v| v.try_into().ok())
        .context("--ua-protocol: expected 5 bytes (10 hex digits)")?;
    let ua = UaProtocolId::from_bytes(ua_bytes);
    let on = args.card.open()?;
    let mut rand = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut rand);
    let run = GbaRun::for_profile(&on.profile, args.lifetime, &args.naf, ua, rand)?;
    let clock = on.card.card().clock();
    let report = on.run(args.trace, &args.diagram.files, |me, auc, _| {
        vusim_network::gba::bootstrap(me, auc, &run, || clock.now())
    })?;
    Ok(crate::report::finish(&report, args.json))
}
