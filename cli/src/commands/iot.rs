//! `vusim iot …`: the network side of the IoT end-to-end scheme (TR 33.863 solution #11; docs/api/iot.md, v0.1) — the HSS's Ks and Ks_AS, the application server's K_app and tag t — and an end-to-end run against the card, so a script or a person can check that card and network agree.
//!
//! ⚠ Experimental: the FC values `FF E0`–`FF E3`, the IoT API applet and its coding are this
//! project's proposal.
//!
//! * `as`: from the AKA's CK ‖ IK (the card profile with `--rand --sqn`, or `--ck --ik`):
//!   the AS's tag t over GUTI ‖ RAND_AS, the card APDUs (AUTHENTICATE, IOT KEY in both
//!   directions), and with `--t` the check of the card's tag.
//! * `app mac | verify | encrypt | decrypt`: the AS's side of the K_app operations, with the
//!   card APDU that checks the value.
//! * `run`: TR 33.863 solution #11 end to end with the card through APDUs and the network
//!   roles (HSS, MME, SCEF, AS) as separate components: `--variant plain | certificate`,
//!   `--refresh ue | as` (`--trace` prints the APDUs and every network message).
//!
//! Key bytes (Ks, Ks_AS, K_app) are printed only with `--reveal`. Exit codes: 0 computed (or
//! verified), 1 a verification ran and failed, 2 an error in the input.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use vusim_apdu::hexstr::hex_fixed;
use vusim_network::af;
use vusim_network::iot::inputs::{as_side, IotKeyInput};
use vusim_network::iot::roles::{Hop, Hops};
use vusim_network::iot::{self as network, IotAuthContext};
use vusim_network::Report;

use super::inputs::{choice, AvArgs, CardFileArgs, CardOpts, Operation, ToOp};

/// `vusim iot …`.
#[derive(Debug, Args)]
pub struct IotArgs {
    /// Which side.
    #[command(subcommand)]
    pub action: IotAction,
    /// One JSON object instead of `name: value` lines.
    #[arg(long, global = true)]
    pub json: bool,
    /// Also print key bytes (Ks, Ks_AS, Ks_AS_enc, Ks_AS_int, K_app; for `run` the last Ks and
    /// K_app): for checking by hand only.
    #[arg(long, global = true)]
    pub reveal: bool,
}

/// The IoT network side.
#[derive(Debug, Subcommand)]
pub enum IotAction {
    /// HSS and AS: the AS's tag t over GUTI ‖ RAND_AS, the card APDUs, the check of the card's t.
    As(Box<AsArgs>),
    /// AS: MAC, verify, encrypt and decrypt with K_app.
    App(Box<AppArgs>),
    /// End to end with the card through APDUs: AKA, IOT KEY both ways, K_app operations.
    Run(RunArgs),
}

/// The AS's keys: from the AKA (card profile + RAND + SQN, or CK/IK), AS_ID and RAND_AS.
#[derive(Debug, Args)]
pub struct IotKeyArgs {
    #[command(flatten)]
    av: AvArgs,
    /// CK of the AKA (16 bytes), instead of --card/--rand/--sqn.
    #[arg(long, value_name = "HEX", requires = "ik", global = true)]
    ck: Option<String>,
    /// IK of the AKA (16 bytes).
    #[arg(long, value_name = "HEX", requires = "ck", global = true)]
    ik: Option<String>,
    /// Application server identifier AS_ID (text).
    #[arg(long, value_name = "ID", global = true)]
    as_id: Option<String>,
    /// RAND_AS (8–32 bytes).
    #[arg(long, value_name = "HEX", global = true)]
    rand_as: Option<String>,
    #[command(flatten)]
    card_opts: CardOpts,
}

/// `vusim iot as`.
#[derive(Debug, Args)]
pub struct AsArgs {
    #[command(flatten)]
    key: IotKeyArgs,
    /// GUTI (6–16 bytes) the tag covers.
    #[arg(long, value_name = "HEX")]
    guti: String,
    /// The card's tag t to check (IOT KEY P1 00 answer, 8 bytes); exit 1 if it differs.
    #[arg(long, value_name = "HEX")]
    t: Option<String>,
    /// Context of the printed AUTHENTICATE APDU.
    #[arg(long, value_parser = choice(IotAuthContext::CHOICES), default_value = "akma")]
    context: IotAuthContext,
}

/// `vusim iot app`.
#[derive(Debug, Args)]
pub struct AppArgs {
    #[command(flatten)]
    key: IotKeyArgs,
    /// K_app (32 bytes) directly, instead of the derivation.
    #[arg(long, value_name = "HEX", global = true)]
    k_app: Option<String>,
    /// The operation (mac, verify, encrypt, decrypt).
    #[command(subcommand)]
    op: Operation,
}

/// `vusim iot run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    card: CardFileArgs,
    /// AS_ID.
    #[arg(long, value_name = "ID", default_value = "as.iot.example.org")]
    as_id: String,
    /// The key establishment.
    #[arg(long, value_parser = choice(network::Variant::CHOICES), default_value = "plain")]
    variant: network::Variant,
    /// Then refresh the keys (a new AKA), started by the UE or by the AS.
    #[arg(long, value_parser = choice(network::Refresh::CHOICES))]
    refresh: Option<network::Refresh>,
    /// The AS's private key for the certificate variant (32 bytes); default: the published
    /// TS 33.501 C.4 test key matching the default card's demo AS key.
    #[arg(long, value_name = "HEX")]
    as_private_key: Option<String>,
    /// Print every APDU, annotated, and every network message (`-- FROM -> TO: message`) to
    /// stderr.
    #[arg(long)]
    trace: bool,
    /// The run as a sequence diagram (FILE.mmd or FILE.svg): UICC, ME, MME, HSS, SCEF, AS.
    #[command(flatten)]
    diagram: super::DiagramArg,
}

impl IotKeyArgs {
    fn input(&self) -> IotKeyInput<'_> {
        IotKeyInput {
            av: self.av.input(),
            ck: self.ck.as_deref(),
            ik: self.ik.as_deref(),
            as_id: self.as_id.as_deref(),
            rand_as: self.rand_as.as_deref(),
            card: self.card_opts.input(),
        }
    }
}

/// Run `vusim iot …`.
pub fn run(args: &IotArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.action {
        IotAction::As(a) => as_side(
            &a.key.input(),
            &a.guti,
            a.t.as_deref(),
            a.context,
            args.reveal,
        )?,
        IotAction::App(a) => app(a, args.reveal)?,
        IotAction::Run(a) => run_e2e(a, args.reveal)?,
    };
    Ok(crate::report::finish(&report, args.json))
}

fn app(a: &AppArgs, reveal: bool) -> anyhow::Result<Report> {
    if matches!(
        a.op,
        Operation::AuthCard(_) | Operation::AuthServer(_) | Operation::Wrap(_)
    ) {
        bail!("the IoT API offers mac, verify, encrypt and decrypt with K_app");
    }
    let key = a.key.input().app_key(a.k_app.as_deref(), reveal)?;
    let mut r = key.report;
    r.merge(af::run_operation(
        &a.op.to_op()?,
        &key.base,
        Some(&key.target),
    )?);
    Ok(r)
}

/// `vusim iot run`: the ME drives the card, the HSS and the AS compute.
fn run_e2e(a: &RunArgs, reveal: bool) -> anyhow::Result<Report> {
    let on = a.card.open()?;
    if on.profile.iot.is_none() {
        bail!("the card profile has no [iot] section (docs/api/iot.md §8)");
    }
    let opts = network::RunOptions {
        as_id: &a.as_id,
        variant: a.variant,
        refresh: a.refresh,
        as_private_key: a
            .as_private_key
            .as_deref()
            .map(|h| hex_fixed::<32>("--as-private-key", h))
            .transpose()?,
        reveal,
    };
    let mut hops = Hops::new();
    if a.trace {
        hops = hops.with_observer(Box::new(|h: &Hop| {
            eprintln!("-- {} -> {}: {}", h.from.name(), h.to.name(), h.label())
        }));
    }
    on.run(a.trace, &a.diagram.files, |me, auc, profile| {
        network::run(me, auc, profile, &opts, &mut rand::thread_rng(), &mut hops)
    })
}
