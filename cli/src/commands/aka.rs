//! `vusim aka`: a full AKA run — AuC vector, AUTHENTICATE on the card through APDUs, RES against XRES — in the 3G or GSM context, with AUTS resynchronisation.

use std::process::ExitCode;

use clap::Args;
use rand::RngCore;
use vusim_network::aka;

/// Arguments of `vusim aka`.
#[derive(Debug, Args)]
pub struct AkaArgs {
    #[command(flatten)]
    pub card: super::inputs::CardFileArgs,
    /// Security context.
    #[arg(long, value_parser = super::inputs::choice(aka::Context::CHOICES), default_value = "3g")]
    pub context: aka::Context,
    /// Let the AuC's SEQ jump this far ahead first (beyond the card's Δ this forces a
    /// synchronisation failure and an AUTS resynchronisation).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub sqn_ahead: u64,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    pub trace: bool,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Run `vusim aka`.
pub fn run(args: &AkaArgs) -> anyhow::Result<ExitCode> {
    let on = args.card.open()?;
    let kind = args.context.kind(&on.profile)?;
    let mut rand = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut rand);
    let report = on.run(args.trace, &[], |me, auc, _| {
        aka::run(me, auc, &kind, rand, args.sqn_ahead)
    })?;
    Ok(crate::report::finish(&report, args.json))
}
