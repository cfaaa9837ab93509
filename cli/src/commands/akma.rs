//! `vusim akma …`: AKMA's network side — AUSF, AAnF, AF and a key-management server — and end-to-end runs against the card: in the ME as TS 33.535 specifies (`run --where me`) and on the UICC as TR 33.835 studies (`run --where uicc`, docs/api/akma.md v0.2), by 5G AKA or EAP-AKA′, and `compare`, so a script or a person can check that card and network agree.
//!
//! ⚠ Experimental: the card's 5G AKMA context (AUTHENTICATE P2 `87`), the AKMA API applet
//! and the operations on K_AF are this project's proposal.
//!
//! * `ausf`: the 5G HE AV from the card profile's keys (the AuC's `he_av_5g`): RAND, AUTN,
//!   XRES*, HXRES*, the card's AUTHENTICATE APDU; `--res-star` checks the card's RES*; then
//!   the AAnF's A-TID and A-KID.
//! * `aanf`: K_AKMA, A-TID, A-KID, and for an AF the K_AF the AAnF hands out, with the card's
//!   DERIVE K_AF APDU and the answer it must give.
//! * `af mac | verify | encrypt | decrypt | auth-card | auth-server | wrap`: the AF's side of
//!   the API operations over K_AF (or over a secret delivered under it, `--key --name`), with
//!   the card APDU that checks the value.
//! * `kms`: the shared-bike security management server: an AppKey wrapped under K_AF for the
//!   card's STORE KEY (and the same AppKey for the bike).
//! * `run`: all of it end to end with the card through APDUs (`--trace` prints them,
//!   `--diagram` draws them); `--where me|uicc`, `--auth 5g-aka|eap-aka-prime`.
//! * `compare`: the four runs and the keys each lets cross the UICC–ME interface.
//!
//! Keys are derived from the same inputs the card gets: the card profile (`--card`, else the
//! embedded default card) with `--rand` and `--sqn`, or `--k-ausf`, or `--k-af`. Key bytes
//! (K_AUSF, K_SEAF, K_AKMA, K_AF) are printed only with `--reveal`. Values are lower-case hex,
//! card APDUs upper-case; `--json` prints one JSON object with the same keys in the same order.
//!
//! Exit codes: 0 computed (or verified), 1 a verification ran and failed, 2 an error in the
//! input.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use vusim_apdu::hexstr::hex_fixed;
use vusim_applet::crypto::gba::UaProtocolId;
use vusim_network::akma::inputs::{aanf, ausf, kms, AanfInput, AfKeyInput, KmsInput};
use vusim_network::akma::{self as network, AkmaRun};
use vusim_network::inputs::NafIdInput;
use vusim_network::Report;

use super::inputs::{choice, AvArgs, CardFileArgs, CardOpts, Operation, ToOp};
use crate::report::finish;

/// `vusim akma …`.
#[derive(Debug, Args)]
pub struct AkmaArgs {
    /// Which network function.
    #[command(subcommand)]
    pub action: AkmaAction,
    /// One JSON object instead of `name: value` lines.
    #[arg(long, global = true)]
    pub json: bool,
    /// Also print key bytes (K_AUSF, K_SEAF, K_AKMA, K_AF): for checking by hand only.
    #[arg(long, global = true)]
    pub reveal: bool,
}

/// The network functions.
#[derive(Debug, Subcommand)]
pub enum AkmaAction {
    /// AUSF: the 5G HE AV (RAND, AUTN, XRES*, HXRES*), the card's AUTHENTICATE P2 87 APDU, the
    /// RES* check (--res-star), and the A-KID the AAnF registers.
    Ausf(AusfArgs),
    /// AAnF: K_AKMA, A-TID, A-KID; with an AF, K_AF and the card's DERIVE K_AF APDU.
    Aanf(AanfArgs),
    /// AF: MAC, verify, encrypt, decrypt, card/server proofs and wrapping with K_AF.
    Af(Box<AfArgs>),
    /// Key-management server (shared bike): an AppKey wrapped under K_AF for STORE KEY.
    Kms(Box<KmsArgs>),
    /// End to end with the card through APDUs: AKMA in the ME (TS 33.535) or on the UICC
    /// (TR 33.835 over the proposed P2 87), by 5G AKA or EAP-AKA'.
    Run(RunArgs),
    /// Both places side by side: which keys cross the UICC-ME interface in each (from the runs).
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
pub struct AfIdArgs {
    /// FQDN of the AF (with --ua-protocol: the AF_ID).
    #[arg(long, value_name = "FQDN", global = true)]
    pub af_fqdn: Option<String>,
    /// Ua* security protocol identifier (5 bytes, TS 33.220 Annex H.3; TS 33.535 Annex B).
    #[arg(long, value_name = "HEX5", default_value = "0100000002", global = true)]
    pub ua_protocol: String,
    /// AF_ID directly (hex), instead of --af-fqdn/--ua-protocol.
    #[arg(long, value_name = "HEX", global = true)]
    pub af_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct AusfArgs {
    #[command(flatten)]
    av: AvArgs,
    /// The card's RES* to check against XRES* (and HRES* against HXRES*); exit 1 if it differs.
    #[arg(long, value_name = "HEX")]
    res_star: Option<String>,
}

/// `vusim akma aanf`.
#[derive(Debug, Args)]
pub struct AanfArgs {
    #[command(flatten)]
    av: AvArgs,
    /// K_AUSF (32 bytes) instead of --rand/--sqn.
    #[arg(long, value_name = "HEX")]
    k_ausf: Option<String>,
    #[command(flatten)]
    af: AfIdArgs,
    #[command(flatten)]
    card_opts: CardOpts,
    /// K_AF expiry for DERIVE K_AF, seconds since 1970 (default: --lifetime from now).
    #[arg(long, value_name = "UNIX")]
    expires: Option<u64>,
    /// K_AF lifetime in seconds from now, when --expires is absent.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    lifetime: u64,
}

/// The AF's key: K_AF (given, or from the AAnF), or a secret delivered under it.
#[derive(Debug, Args)]
pub struct AfKeyArgs {
    #[command(flatten)]
    av: AvArgs,
    /// K_AUSF (32 bytes) instead of --rand/--sqn.
    #[arg(long, value_name = "HEX", global = true)]
    k_ausf: Option<String>,
    /// K_AF (32 bytes) directly.
    #[arg(long, value_name = "HEX", global = true)]
    k_af: Option<String>,
    #[command(flatten)]
    af: AfIdArgs,
    /// Use this secret (delivered to the card by STORE KEY) as the base key (card: DO 84 --name).
    #[arg(long, value_name = "HEX", global = true)]
    key: Option<String>,
    /// Name of the stored secret (for the card APDU).
    #[arg(long, global = true)]
    name: Option<String>,
    #[command(flatten)]
    card_opts: CardOpts,
}

/// `vusim akma af`.
#[derive(Debug, Args)]
pub struct AfArgs {
    #[command(flatten)]
    key: AfKeyArgs,
    /// The operation.
    #[command(subcommand)]
    op: Operation,
}

/// `vusim akma kms`.
#[derive(Debug, Args)]
pub struct KmsArgs {
    #[command(flatten)]
    key: AfKeyArgs,
    /// The AppKey to deliver (hex, 1–128 bytes); 16 random bytes when absent.
    #[arg(long, value_name = "HEX")]
    app_key: Option<String>,
    /// Name the card stores the AppKey under.
    #[arg(long = "store-as", value_name = "NAME", default_value = "appkey")]
    store_as: String,
    /// IV of the wrapping (16 bytes); random when absent.
    #[arg(long, value_name = "HEX")]
    iv: Option<String>,
    /// The A-KID the UE presented: checked against the AAnF's (exit 1 if it differs).
    #[arg(long, value_name = "A-KID")]
    a_kid: Option<String>,
}

/// The AF of `run` and `compare`: its FQDN and Ua* protocol, which make the AF_ID.
#[derive(Debug, Args)]
pub struct AfArg {
    /// FQDN of the AF.
    #[arg(long = "af", value_name = "FQDN", default_value = "bike.example.org")]
    fqdn: String,
    /// Ua* security protocol identifier (5 bytes).
    #[arg(long, value_name = "HEX5", default_value = "0100000002")]
    ua_protocol: String,
}

impl AfArg {
    /// The Ua* security protocol identifier.
    fn ua(&self) -> anyhow::Result<UaProtocolId> {
        Ok(UaProtocolId::from_bytes(hex_fixed(
            "--ua-protocol",
            &self.ua_protocol,
        )?))
    }
}

/// `vusim akma compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    card: CardFileArgs,
    #[command(flatten)]
    af: AfArg,
}

/// `vusim akma run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Where the AKMA keys live: `me` (TS 33.535) or `uicc` (TR 33.835, proposed P2 87).
    #[arg(long = "where", value_parser = choice(network::Where::CHOICES), default_value = "uicc")]
    place: network::Where,
    /// The primary authentication: `5g-aka` or `eap-aka-prime` (`--where me` only).
    #[arg(long, value_parser = choice(network::AuthMethod::CHOICES), default_value = "5g-aka")]
    auth: network::AuthMethod,
    /// RAND of the first challenge (16 bytes); random when absent.
    #[arg(long, value_name = "HEX")]
    rand: Option<String>,
    #[command(flatten)]
    card: CardFileArgs,
    #[command(flatten)]
    af: AfArg,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    trace: bool,
    /// The run as a sequence diagram (FILE.mmd or FILE.svg).
    #[command(flatten)]
    diagram: super::DiagramArg,
}

impl AfIdArgs {
    fn input(&self) -> NafIdInput<'_> {
        NafIdInput {
            id_arg: "--af-id",
            id: self.af_id.as_deref(),
            fqdn: self.af_fqdn.as_deref(),
            ua: &self.ua_protocol,
        }
    }
}

impl AfKeyArgs {
    fn input(&self) -> AfKeyInput<'_> {
        AfKeyInput {
            av: self.av.input(),
            k_ausf: self.k_ausf.as_deref(),
            k_af: self.k_af.as_deref(),
            af: self.af.input(),
            key: self.key.as_deref(),
            name: self.name.as_deref(),
            card: self.card_opts.input(),
        }
    }
}

/// Run `vusim akma …`.
pub fn run(args: &AkmaArgs) -> anyhow::Result<ExitCode> {
    let reveal = args.reveal;
    let rng = &mut rand::thread_rng();
    let report = match &args.action {
        AkmaAction::Ausf(a) => ausf(&a.av.input(), a.res_star.as_deref(), reveal, rng)?,
        AkmaAction::Aanf(a) => {
            let input = AanfInput {
                av: a.av.input(),
                k_ausf: a.k_ausf.as_deref(),
                af: a.af.input(),
                card: a.card_opts.input(),
                expires: a.expires,
                lifetime: a.lifetime,
            };
            aanf(&input, now(), reveal)?
        }
        AkmaAction::Af(a) => {
            let key = a.key.input().resolve()?;
            key.report(&a.op.to_op()?, reveal)?
        }
        AkmaAction::Kms(a) => {
            let k = KmsInput {
                key: a.key.input(),
                app_key: a.app_key.as_deref(),
                store_as: &a.store_as,
                iv: a.iv.as_deref(),
                a_kid: a.a_kid.as_deref(),
            };
            kms(&k, reveal, rng)?
        }
        AkmaAction::Run(a) => run_e2e(a, reveal)?,
        AkmaAction::Compare(a) => compare(a)?,
    };
    Ok(finish(&report, args.json))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `vusim akma run`: the ME drives the card, the network functions compute.
fn run_e2e(a: &RunArgs, reveal: bool) -> anyhow::Result<Report> {
    let on = a.card.open()?;
    let run = AkmaRun {
        af_fqdn: a.af.fqdn.clone(),
        ua: a.af.ua()?,
        place: a.place,
        auth: a.auth,
        rand: a
            .rand
            .as_deref()
            .map(|h| hex_fixed("--rand", h))
            .transpose()?,
        reveal,
    };
    on.run(a.trace, &a.diagram.files, |me, auc, profile| {
        network::run(me, auc, profile, &run, &mut rand::thread_rng(), now())
    })
}

/// `vusim akma compare`: each place and method run end to end on the card; the key names that
/// crossed the UICC-ME interface in each, read from the run's own messages.
fn compare(a: &CompareArgs) -> anyhow::Result<Report> {
    let mut on = a.card.open()?;
    let ua = a.af.ua()?;
    let mut me = crate::report::me(&mut on.card, false);
    let (auc, rng) = (&mut on.auc, &mut rand::thread_rng());
    let (profile, access) = (&on.profile, &on.access);
    Ok(network::compare(
        &mut me,
        auc,
        profile,
        access,
        &a.af.fqdn,
        ua,
        rng,
        now(),
    )?)
}
