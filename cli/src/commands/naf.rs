//! `vusim naf …`: the network side (NAF / server) of the experimental GBA_U API (docs/api/gba-api.md, v0.1) — compute what the card computes from card-independent inputs, so a script or a person can check that both sides agree.
//!
//! ⚠ Experimental: the derivations and the APDU coding are this project's proposal.
//!
//! The base key is Ks_int_NAF, given as `--ks-int-naf` (e.g. from `vusim calc gba`) or derived
//! from `--ck --ik --rand --impi --naf-fqdn [--ua-protocol]` (TS 33.220 Annex B.3). `--ka` turns
//! it into the third-party combined key e2e_key = KDF(Ks_int_NAF, FF E4, Ka); `--key` replaces
//! it with a secret stored in the card (STORE KEY). Every operation uses the same functions as
//! the card (`vusim_applet::api::ops`); the tests recompute them independently.
//!
//! When the NAF_Id is known (`--naf-fqdn`/`--ua-protocol` or `--naf-id`), the output also holds
//! the card command APDU that checks the value on the card (`card_apdu`, upper-case hex, with
//! `--channel` and `--client`); values are lower-case hex. Text output is `name: value` lines;
//! `--json` prints one JSON object with the same keys in the same order.
//!
//! Exit codes: 0 computed (or verified), 1 a verification ran and failed (`verify`, `decrypt`,
//! `auth-card --proof`), 2 an error in the input.

use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use vusim_network::af;
use vusim_network::inputs::NafIdInput;
use vusim_network::naf::{self as network, NafKeyInput};
use vusim_network::Report;

use super::inputs::{
    AuthCardOp, AuthServerOp, CardOpts, DecryptOp, EncryptOp, MacOp, ToOp, VerifyOp, WrapOp,
};

/// `vusim naf …`.
#[derive(Debug, Args)]
pub struct NafArgs {
    /// What to compute.
    #[command(subcommand)]
    pub action: NafAction,
    /// One JSON object instead of `name: value` lines.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The NAF-side operations.
#[derive(Debug, Subcommand)]
pub enum NafAction {
    /// MAC = HMAC-SHA-256(K_mac, message), K_mac = KDF(base, FF E8, "mac", alg, purpose).
    Mac(Keyed<MacOp>),
    /// Verify a MAC the card computed (exit 1 if it does not verify).
    Verify(KeyOnly<VerifyOp>),
    /// AES-128-CTR + HMAC-SHA-256 encrypt-then-MAC, for the card's DECRYPT.
    Encrypt(Keyed<EncryptOp>),
    /// Decrypt what the card's ENCRYPT returned (exit 1 if the tag does not verify).
    Decrypt(KeyOnly<DecryptOp>),
    /// The proof the card must give on a server challenge RS (AUTHENTICATE P1 00).
    AuthCard(Keyed<AuthCardOp>),
    /// The server's proof on the card's challenge RC (AUTHENTICATE P1 02).
    AuthServer(Keyed<AuthServerOp>),
    /// Wrap a secret for STORE KEY (keys with the labels "wrap-enc"/"wrap-int", purpose = name).
    Wrap(Keyed<WrapOp>),
    /// The combined key e2e_key = KDF(Ks_int_NAF, FF E4, Ka), and the card's DERIVE E2E KEY.
    E2e(Keyed<NoOp>),
}

/// The base key and the NAF_Id.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Ks_int_NAF (32 bytes); else derived from --ck/--ik/--rand/--impi/--naf-fqdn.
    #[arg(long, value_name = "HEX")]
    pub ks_int_naf: Option<String>,
    /// CK of the bootstrap (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ck: Option<String>,
    /// IK of the bootstrap (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ik: Option<String>,
    /// RAND of the bootstrap (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub rand: Option<String>,
    /// IMPI, e.g. `001010123456789@ims.mnc001.mcc001.3gppnetwork.org`.
    #[arg(long)]
    pub impi: Option<String>,
    /// FQDN of the NAF (with --ua-protocol: the NAF_Id).
    #[arg(long, value_name = "FQDN")]
    pub naf_fqdn: Option<String>,
    /// Ua security protocol identifier (5 bytes, TS 33.220 Annex H.3).
    #[arg(long, value_name = "HEX5", default_value = "0100000002")]
    pub ua_protocol: String,
    /// NAF_Id directly (hex), instead of --naf-fqdn/--ua-protocol.
    #[arg(long, value_name = "HEX", conflicts_with = "naf_fqdn")]
    pub naf_id: Option<String>,
    /// Use e2e_key = KDF(Ks_int_NAF, FF E4, Ka) as the base key (the card: DO 85 with --name).
    #[arg(long, value_name = "HEX", conflicts_with = "key")]
    pub ka: Option<String>,
    /// Use this secret, stored in the card by STORE KEY, as the base key (the card: DO 84 with
    /// --name).
    #[arg(long, value_name = "HEX")]
    pub key: Option<String>,
    /// Name of the stored key or e2e_key (for the card APDU).
    #[arg(long)]
    pub name: Option<String>,
}

impl KeyArgs {
    fn input(&self) -> NafKeyInput<'_> {
        NafKeyInput {
            ks_int_naf: self.ks_int_naf.as_deref(),
            ck: self.ck.as_deref(),
            ik: self.ik.as_deref(),
            rand: self.rand.as_deref(),
            impi: self.impi.as_deref(),
            naf_id: NafIdInput {
                id_arg: "--naf-id",
                id: self.naf_id.as_deref(),
                fqdn: self.naf_fqdn.as_deref(),
                ua: &self.ua_protocol,
            },
            ka: self.ka.as_deref(),
            key: self.key.as_deref(),
            name: self.name.as_deref(),
        }
    }
}

/// An operation whose card APDU is printed: the key, the card APDU options, its arguments.
#[derive(Debug, Args)]
pub struct Keyed<T: Args> {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    card: CardOpts,
    #[command(flatten)]
    op: T,
}

/// An operation without a card APDU: the key and its arguments.
#[derive(Debug, Args)]
pub struct KeyOnly<T: Args> {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    op: T,
}

/// No arguments of its own (`vusim naf e2e`).
#[derive(Debug, Args)]
pub struct NoOp {}

/// Run one operation of the shared implementation with the resolved key (resolved first, so
/// key errors are reported before the operation's).
fn operate(k: &KeyArgs, card: Option<&CardOpts>, op: &impl ToOp) -> anyhow::Result<Report> {
    let key = k.input().resolve()?;
    let op = op.to_op()?;
    let target = match card {
        Some(c) => key.target(c.channel, c.input().client()?),
        None => None,
    };
    Ok(af::run_operation(&op, &key.base, target.as_ref())?)
}

/// Run `vusim naf …`.
pub fn run(args: &NafArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.action {
        NafAction::Mac(a) => operate(&a.key, Some(&a.card), &a.op)?,
        NafAction::Verify(a) => operate(&a.key, None, &a.op)?,
        NafAction::Encrypt(a) => operate(&a.key, Some(&a.card), &a.op)?,
        NafAction::Decrypt(a) => operate(&a.key, None, &a.op)?,
        NafAction::AuthCard(a) => operate(&a.key, Some(&a.card), &a.op)?,
        NafAction::AuthServer(a) => operate(&a.key, Some(&a.card), &a.op)?,
        NafAction::Wrap(a) => {
            if a.key.key.is_some() || a.key.ka.is_some() {
                bail!("wrap uses Ks_int_NAF itself (no --key, no --ka)");
            }
            let key = a.key.input().resolve()?;
            // The order the NAF side has always checked in: the name, the secret, the IV.
            af::check_store_name(a.op.store_as())?;
            af::check_secret(&a.op.secret()?)?;
            let op = a.op.to_op()?;
            let target = key.target(a.card.channel, a.card.input().client()?);
            af::run_operation(&op, &key.base, target.as_ref())?
        }
        NafAction::E2e(a) => network::e2e(&a.key.input(), &a.card.input())?,
    };
    Ok(crate::report::finish(&report, args.json))
}
