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
use vusim_applet::api::ops;
use vusim_applet::crypto::gba;
use vusim_network::af::{self, Operation};
use vusim_network::naf::{self as network, BootstrapKeys, NafBase, NafKey};
use vusim_network::Report;

use super::calc::{hex_any, hex_fixed};

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
    Mac(MacArgs),
    /// Verify a MAC the card computed (exit 1 if it does not verify).
    Verify(VerifyArgs),
    /// AES-128-CTR + HMAC-SHA-256 encrypt-then-MAC, for the card's DECRYPT.
    Encrypt(EncryptArgs),
    /// Decrypt what the card's ENCRYPT returned (exit 1 if the tag does not verify).
    Decrypt(DecryptArgs),
    /// The proof the card must give on a server challenge RS (AUTHENTICATE P1 00).
    AuthCard(AuthCardArgs),
    /// The server's proof on the card's challenge RC (AUTHENTICATE P1 02).
    AuthServer(AuthServerArgs),
    /// Wrap a secret for STORE KEY (keys with the labels "wrap-enc"/"wrap-int", purpose = name).
    Wrap(WrapArgs),
    /// The combined key e2e_key = KDF(Ks_int_NAF, FF E4, Ka), and the card's DERIVE E2E KEY.
    E2e(E2eArgs),
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

/// Purpose and algorithm.
#[derive(Debug, Args)]
pub struct PurposeArgs {
    /// Purpose label of the per-purpose key (text).
    #[arg(long, default_value = "")]
    pub purpose: String,
    /// Purpose label as hex (instead of --purpose).
    #[arg(long, value_name = "HEX")]
    pub purpose_hex: Option<String>,
}

/// Card APDU options.
#[derive(Debug, Args)]
pub struct CardArgs {
    /// Logical channel of the printed card APDU.
    #[arg(long, default_value_t = 0)]
    pub channel: u8,
    /// Client application AID to announce in the card APDU (DO 4F).
    #[arg(long, value_name = "HEX")]
    pub client: Option<String>,
}

/// `vusim naf mac`.
#[derive(Debug, Args)]
pub struct MacArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    purpose: PurposeArgs,
    #[command(flatten)]
    card: CardArgs,
    /// Message (text).
    #[arg(long, conflicts_with = "message_hex")]
    message: Option<String>,
    /// Message (hex).
    #[arg(long, value_name = "HEX")]
    message_hex: Option<String>,
    /// MAC length in bytes (16–32).
    #[arg(long, default_value_t = 32)]
    mac_len: usize,
}

/// `vusim naf verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    purpose: PurposeArgs,
    /// Message (text).
    #[arg(long, conflicts_with = "message_hex")]
    message: Option<String>,
    /// Message (hex).
    #[arg(long, value_name = "HEX")]
    message_hex: Option<String>,
    /// The MAC to verify (16–32 bytes).
    #[arg(long, value_name = "HEX")]
    mac: String,
}

/// `vusim naf encrypt`.
#[derive(Debug, Args)]
pub struct EncryptArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    purpose: PurposeArgs,
    #[command(flatten)]
    card: CardArgs,
    /// Plaintext (text).
    #[arg(long, conflicts_with = "plaintext_hex")]
    plaintext: Option<String>,
    /// Plaintext (hex).
    #[arg(long, value_name = "HEX")]
    plaintext_hex: Option<String>,
    /// IV (16 bytes): never reuse one under the same key and purpose.
    #[arg(long, value_name = "HEX")]
    iv: String,
    /// Associated data (hex).
    #[arg(long, value_name = "HEX")]
    aad: Option<String>,
}

/// `vusim naf decrypt`.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    purpose: PurposeArgs,
    /// IV (16 bytes) from the card's answer (DO 94).
    #[arg(long, value_name = "HEX")]
    iv: String,
    /// Ciphertext (DO 92).
    #[arg(long, value_name = "HEX")]
    ciphertext: String,
    /// Tag (DO 93, 16 bytes).
    #[arg(long, value_name = "HEX")]
    tag: String,
    /// Associated data (hex).
    #[arg(long, value_name = "HEX")]
    aad: Option<String>,
}

/// `vusim naf auth-card`.
#[derive(Debug, Args)]
pub struct AuthCardArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    purpose: PurposeArgs,
    #[command(flatten)]
    card: CardArgs,
    /// The server's challenge RS (8–64 bytes).
    #[arg(long, value_name = "HEX")]
    challenge: String,
    /// The card's proof to check (exit 1 if it differs).
    #[arg(long, value_name = "HEX")]
    proof: Option<String>,
}

/// `vusim naf auth-server`.
#[derive(Debug, Args)]
pub struct AuthServerArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    purpose: PurposeArgs,
    #[command(flatten)]
    card: CardArgs,
    /// The card's challenge RC (from AUTHENTICATE P1 01, DO 96).
    #[arg(long, value_name = "HEX")]
    challenge: String,
}

/// `vusim naf wrap`.
#[derive(Debug, Args)]
pub struct WrapArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    card: CardArgs,
    /// Name the card stores the secret under (1–32 bytes of text).
    #[arg(long = "store-as", value_name = "NAME")]
    store_as: String,
    /// Secret (text).
    #[arg(long, conflicts_with = "secret_hex")]
    secret: Option<String>,
    /// Secret (hex).
    #[arg(long, value_name = "HEX")]
    secret_hex: Option<String>,
    /// IV (16 bytes).
    #[arg(long, value_name = "HEX")]
    iv: String,
}

/// `vusim naf e2e`.
#[derive(Debug, Args)]
pub struct E2eArgs {
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    card: CardArgs,
}

/// Text or hex input (exactly one given).
fn text_or_hex(what: &str, text: Option<&String>, hex: Option<&String>) -> anyhow::Result<Vec<u8>> {
    match (text, hex) {
        (Some(t), None) => Ok(t.as_bytes().to_vec()),
        (None, Some(h)) => hex_any(&format!("--{what}-hex"), h),
        _ => bail!("give --{what} (text) or --{what}-hex"),
    }
}

fn purpose(p: &PurposeArgs) -> anyhow::Result<Vec<u8>> {
    match &p.purpose_hex {
        Some(h) => hex_any("--purpose-hex", h),
        None => Ok(p.purpose.as_bytes().to_vec()),
    }
}

fn naf_id(k: &KeyArgs) -> anyhow::Result<Option<Vec<u8>>> {
    if let Some(h) = &k.naf_id {
        return Ok(Some(hex_any("--naf-id", h)?));
    }
    match &k.naf_fqdn {
        Some(fqdn) => {
            let ua = gba::UaProtocolId::from_bytes(hex_fixed("--ua-protocol", &k.ua_protocol)?);
            Ok(Some(gba::naf_id(fqdn, ua)))
        }
        None => Ok(None),
    }
}

fn ks_int_naf(k: &KeyArgs, naf_id: Option<&[u8]>) -> anyhow::Result<ops::Secret> {
    if let Some(h) = &k.ks_int_naf {
        let v: [u8; 32] = hex_fixed("--ks-int-naf", h)?;
        return Ok(ops::secret(v.to_vec()));
    }
    let (Some(ck), Some(ik), Some(rand), Some(impi), Some(id)) =
        (&k.ck, &k.ik, &k.rand, &k.impi, naf_id)
    else {
        bail!("give --ks-int-naf, or --ck --ik --rand --impi and --naf-fqdn (or --naf-id)");
    };
    let b = BootstrapKeys {
        ck: hex_fixed("--ck", ck)?,
        ik: hex_fixed("--ik", ik)?,
        rand: hex_fixed("--rand", rand)?,
        impi: impi.clone(),
    };
    Ok(network::ks_int_naf(&b, id)?)
}

fn resolve(k: &KeyArgs) -> anyhow::Result<NafKey> {
    let id = naf_id(k)?;
    let name = k.name.as_ref().map(|n| n.as_bytes().to_vec());
    let base = if let Some(secret) = &k.key {
        let secret = ops::secret(hex_any("--key", secret)?);
        if secret.is_empty() {
            bail!("--key: expected at least 1 byte");
        }
        NafBase::Stored { secret, name }
    } else if let Some(ka) = &k.ka {
        NafBase::E2e {
            ka: hex_any("--ka", ka)?,
            name,
        }
    } else {
        NafBase::KsIntNaf
    };
    // Ks_int_NAF is derived only when the base needs it (not for a stored key).
    let int = match base {
        NafBase::Stored { .. } => None,
        _ => Some(ks_int_naf(k, id.as_deref())?),
    };
    Ok(NafKey::resolve(base, id, int)?)
}

fn client(card: &CardArgs) -> anyhow::Result<Option<Vec<u8>>> {
    card.client
        .as_deref()
        .map(|h| hex_any("--client", h))
        .transpose()
}

/// Run one operation of the shared implementation with the resolved key.
fn operate(k: &KeyArgs, card: Option<&CardArgs>, op: Operation) -> anyhow::Result<Report> {
    let key = resolve(k)?;
    let target = match card {
        Some(c) => key.target(c.channel, client(c)?),
        None => None,
    };
    Ok(af::run_operation(&op, &key.base, target.as_ref())?)
}

/// Run `vusim naf …`.
pub fn run(args: &NafArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.action {
        NafAction::Mac(a) => operate(
            &a.key,
            Some(&a.card),
            Operation::Mac {
                purpose: purpose(&a.purpose)?,
                message: text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref())?,
                mac_len: a.mac_len,
            },
        )?,
        NafAction::Verify(a) => operate(
            &a.key,
            None,
            Operation::Verify {
                purpose: purpose(&a.purpose)?,
                message: text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref())?,
                mac: hex_any("--mac", &a.mac)?,
            },
        )?,
        NafAction::Encrypt(a) => operate(
            &a.key,
            Some(&a.card),
            Operation::Encrypt {
                purpose: purpose(&a.purpose)?,
                plaintext: text_or_hex(
                    "plaintext",
                    a.plaintext.as_ref(),
                    a.plaintext_hex.as_ref(),
                )?,
                iv: hex_fixed("--iv", &a.iv)?,
                aad: a.aad.as_deref().map(|h| hex_any("--aad", h)).transpose()?,
            },
        )?,
        NafAction::Decrypt(a) => operate(
            &a.key,
            None,
            Operation::Decrypt {
                purpose: purpose(&a.purpose)?,
                iv: hex_any("--iv", &a.iv)?,
                ciphertext: hex_any("--ciphertext", &a.ciphertext)?,
                tag: hex_any("--tag", &a.tag)?,
                aad: a
                    .aad
                    .as_deref()
                    .map(|h| hex_any("--aad", h))
                    .transpose()?
                    .unwrap_or_default(),
            },
        )?,
        NafAction::AuthCard(a) => operate(
            &a.key,
            Some(&a.card),
            Operation::AuthCard {
                purpose: purpose(&a.purpose)?,
                challenge: hex_any("--challenge", &a.challenge)?,
                proof: a
                    .proof
                    .as_deref()
                    .map(|h| hex_any("--proof", h))
                    .transpose()?,
            },
        )?,
        NafAction::AuthServer(a) => operate(
            &a.key,
            Some(&a.card),
            Operation::AuthServer {
                purpose: purpose(&a.purpose)?,
                challenge: hex_any("--challenge", &a.challenge)?,
            },
        )?,
        NafAction::Wrap(a) => {
            if a.key.key.is_some() || a.key.ka.is_some() {
                bail!("wrap uses Ks_int_NAF itself (no --key, no --ka)");
            }
            operate(
                &a.key,
                Some(&a.card),
                Operation::Wrap {
                    name: a.store_as.as_bytes().to_vec(),
                    secret: ops::secret(text_or_hex(
                        "secret",
                        a.secret.as_ref(),
                        a.secret_hex.as_ref(),
                    )?),
                    iv: hex_fixed("--iv", &a.iv)?,
                },
            )?
        }
        NafAction::E2e(a) => {
            let Some(ka_hex) = &a.key.ka else {
                bail!("give --ka (the third party's key)");
            };
            let key = resolve(&a.key)?;
            network::e2e_report(
                &key,
                &hex_any("--ka", ka_hex)?,
                a.key.name.as_deref(),
                a.card.channel,
                client(&a.card)?,
            )
        }
    };
    Ok(crate::report::finish(&report, args.json))
}
