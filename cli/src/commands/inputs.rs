//! Inputs shared by the network-side commands (`vusim akma`, `vusim iot`): the card profile,
//! RAND/SQN of an AKA, card APDU options, and the shared AF operation arguments.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand};
use rand::RngCore;
use vusim_applet::profile::Profile;
use vusim_network::af;

use super::calc::{hex_any, hex_fixed};

/// Where the 5G HE AV comes from: the card profile, RAND and SQN.
#[derive(Debug, Args)]
pub struct AvArgs {
    /// Card file (its profile's K/OPc and IMSI); the embedded default card when absent.
    #[arg(long, global = true)]
    pub card: Option<PathBuf>,
    /// RAND (16 bytes); `ausf` draws one when absent.
    #[arg(long, value_name = "HEX", global = true)]
    pub rand: Option<String>,
    /// SQN (6 bytes); `ausf` takes the AuC's next one when absent (saved in FILE.hss).
    #[arg(long, value_name = "HEX", global = true)]
    pub sqn: Option<String>,
    /// Serving network name (default `5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org` of the IMSI).
    #[arg(long, value_name = "SNN", global = true)]
    pub snn: Option<String>,
    /// Routing Indicator of the A-KID (default "0", the card's default EF.Routing_Indicator).
    #[arg(long, value_name = "DIGITS", global = true)]
    pub rid: Option<String>,
}

/// Card APDU options.
#[derive(Debug, Args)]
pub struct CardOpts {
    /// Logical channel of the printed card APDUs.
    #[arg(long, default_value_t = 0, global = true)]
    pub channel: u8,
    /// Client application AID to announce in the card APDUs (DO 4F).
    #[arg(long, value_name = "HEX", global = true)]
    pub client: Option<String>,
}

pub(crate) fn client(c: &CardOpts) -> anyhow::Result<Option<Vec<u8>>> {
    c.client
        .as_deref()
        .map(|h| hex_any("--client", h))
        .transpose()
}

/// The card profile of `--card`, else the embedded default.
pub(crate) fn load_profile(card: Option<&Path>) -> anyhow::Result<Profile> {
    match card {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: reading the card file", path.display()))?;
            Ok(Profile::from_toml(&text, &path.display().to_string())?)
        }
        None => Ok(Profile::embedded_default()),
    }
}

/// A 6-byte SQN as a number.
pub(crate) fn sqn_arg(text: &str) -> anyhow::Result<u64> {
    let b: [u8; 6] = hex_fixed("--sqn", text)?;
    Ok(b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x)))
}

pub(crate) fn random16() -> [u8; 16] {
    let mut r = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut r);
    r
}

// The operations over a base key, shared by `vusim akma af` and `vusim iot app`.

/// Purpose label.
#[derive(Debug, Args)]
pub struct PurposeArg {
    /// Purpose label of the per-purpose key (text).
    #[arg(long, default_value = "")]
    purpose: String,
    /// Purpose label as hex (instead of --purpose).
    #[arg(long, value_name = "HEX")]
    purpose_hex: Option<String>,
}

/// The operations on a base key (docs/api/gba-api.md §6, reused by the AKMA and IoT APIs).
#[derive(Debug, Subcommand)]
pub enum Operation {
    /// MAC = HMAC-SHA-256(K_mac, message), K_mac = KDF(base, FF E8, "mac", 01, purpose).
    Mac(MacOp),
    /// Verify a MAC the card computed (exit 1 if it does not verify).
    Verify(VerifyOp),
    /// AES-128-CTR + HMAC-SHA-256 encrypt-then-MAC, for the card's DECRYPT.
    Encrypt(EncryptOp),
    /// Decrypt what the card's ENCRYPT returned (exit 1 if the tag does not verify).
    Decrypt(DecryptOp),
    /// The proof the card must give on a server challenge RS (AUTHENTICATE P1 00).
    AuthCard(AuthCardOp),
    /// The server's proof on the card's challenge RC (AUTHENTICATE P1 02).
    AuthServer(AuthServerOp),
    /// Wrap a secret for STORE KEY (labels "wrap-enc"/"wrap-int", purpose = its name).
    Wrap(WrapOp),
}

/// `mac`.
#[derive(Debug, Args)]
pub struct MacOp {
    #[command(flatten)]
    purpose: PurposeArg,
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

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyOp {
    #[command(flatten)]
    purpose: PurposeArg,
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

/// `encrypt`.
#[derive(Debug, Args)]
pub struct EncryptOp {
    #[command(flatten)]
    purpose: PurposeArg,
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

/// `decrypt`.
#[derive(Debug, Args)]
pub struct DecryptOp {
    #[command(flatten)]
    purpose: PurposeArg,
    /// IV (DO 94).
    #[arg(long, value_name = "HEX")]
    iv: String,
    /// Ciphertext (DO 92).
    #[arg(long, value_name = "HEX")]
    ciphertext: String,
    /// Tag (DO 93).
    #[arg(long, value_name = "HEX")]
    tag: String,
    /// Associated data (hex).
    #[arg(long, value_name = "HEX")]
    aad: Option<String>,
}

/// `auth-card`.
#[derive(Debug, Args)]
pub struct AuthCardOp {
    #[command(flatten)]
    purpose: PurposeArg,
    /// The server's challenge RS (8–64 bytes).
    #[arg(long, value_name = "HEX")]
    challenge: String,
    /// The card's proof to check (exit 1 if it differs).
    #[arg(long, value_name = "HEX")]
    proof: Option<String>,
}

/// `auth-server`.
#[derive(Debug, Args)]
pub struct AuthServerOp {
    #[command(flatten)]
    purpose: PurposeArg,
    /// The card's challenge RC (DO 96).
    #[arg(long, value_name = "HEX")]
    challenge: String,
}

/// `wrap`.
#[derive(Debug, Args)]
pub struct WrapOp {
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

fn text_or_hex(what: &str, text: Option<&String>, hex: Option<&String>) -> anyhow::Result<Vec<u8>> {
    match (text, hex) {
        (Some(t), None) => Ok(t.as_bytes().to_vec()),
        (None, Some(h)) => hex_any(&format!("--{what}-hex"), h),
        _ => bail!("give --{what} (text) or --{what}-hex"),
    }
}

fn purpose(p: &PurposeArg) -> anyhow::Result<Vec<u8>> {
    match &p.purpose_hex {
        Some(h) => hex_any("--purpose-hex", h),
        None => Ok(p.purpose.as_bytes().to_vec()),
    }
}

impl Operation {
    /// The library's operation for these arguments.
    pub(crate) fn to_op(&self) -> anyhow::Result<af::Operation> {
        Ok(match self {
            Operation::Mac(a) => af::Operation::Mac {
                purpose: purpose(&a.purpose)?,
                message: text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref())?,
                mac_len: a.mac_len,
            },
            Operation::Verify(a) => af::Operation::Verify {
                purpose: purpose(&a.purpose)?,
                message: text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref())?,
                mac: hex_any("--mac", &a.mac)?,
            },
            Operation::Encrypt(a) => af::Operation::Encrypt {
                purpose: purpose(&a.purpose)?,
                plaintext: text_or_hex(
                    "plaintext",
                    a.plaintext.as_ref(),
                    a.plaintext_hex.as_ref(),
                )?,
                aad: a.aad.as_deref().map(|h| hex_any("--aad", h)).transpose()?,
                iv: hex_fixed("--iv", &a.iv)?,
            },
            Operation::Decrypt(a) => af::Operation::Decrypt {
                purpose: purpose(&a.purpose)?,
                aad: a
                    .aad
                    .as_deref()
                    .map(|h| hex_any("--aad", h))
                    .transpose()?
                    .unwrap_or_default(),
                iv: hex_any("--iv", &a.iv)?,
                ciphertext: hex_any("--ciphertext", &a.ciphertext)?,
                tag: hex_any("--tag", &a.tag)?,
            },
            Operation::AuthCard(a) => af::Operation::AuthCard {
                purpose: purpose(&a.purpose)?,
                challenge: hex_any("--challenge", &a.challenge)?,
                proof: a
                    .proof
                    .as_deref()
                    .map(|h| hex_any("--proof", h))
                    .transpose()?,
            },
            Operation::AuthServer(a) => af::Operation::AuthServer {
                purpose: purpose(&a.purpose)?,
                challenge: hex_any("--challenge", &a.challenge)?,
            },
            Operation::Wrap(a) => af::Operation::Wrap {
                secret: vusim_applet::api::ops::secret(text_or_hex(
                    "secret",
                    a.secret.as_ref(),
                    a.secret_hex.as_ref(),
                )?),
                name: a.store_as.as_bytes().to_vec(),
                iv: hex_fixed("--iv", &a.iv)?,
            },
        })
    }
}
