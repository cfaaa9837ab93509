//! Inputs shared by the network-side commands (`vusim naf`, `vusim akma`, `vusim iot`): the card
//! profile, RAND/SQN of an AKA, card APDU options, and the arguments of the operations on a base
//! key with their one conversion to `vusim_network::af::Operation`.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use vusim_apdu::hexstr::{hex_any, hex_fixed};
use vusim_applet::api::ops;
use vusim_applet::profile::Profile;
use vusim_applet::store::DurableCard;
use vusim_network::af;
use vusim_network::auc::Auc;
use vusim_network::inputs::{self, AvInput, CardInput, Choice};
use vusim_network::me::UsimAccess;
use vusim_network::{Me, Report, Result};

/// A value parser over a library enum's choices (value, name, help): `--help` lists the names
/// with their help as for a derived `ValueEnum`, without a mirror enum in the CLI.
pub(crate) fn choice<T: Copy + Send + Sync + 'static>(
    choices: &'static [Choice<T>],
) -> impl TypedValueParser<Value = T> {
    let values = choices
        .iter()
        .map(|(_, name, help)| PossibleValue::new(*name).help(*help));
    PossibleValuesParser::new(values).try_map(move |name| {
        let found = choices.iter().find(|(_, n, _)| *n == name);
        found.map(|(v, _, _)| *v).ok_or("not a possible value")
    })
}

/// `--card FILE --wait SECS` of the commands that run a scenario on a card file.
#[derive(Debug, Args)]
pub struct CardFileArgs {
    /// Card file (profile and state); the embedded default card when absent.
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// How long to wait for a card file another process holds.
    #[command(flatten)]
    pub wait: super::WaitArg,
}

/// A card file opened for a scenario: the card, its profile, its subscriber's AuC and the
/// USIM's AID and PIN1.
pub(crate) struct OnCard {
    pub(crate) card: DurableCard,
    pub(crate) profile: Profile,
    pub(crate) auc: Auc,
    pub(crate) access: UsimAccess,
}

impl CardFileArgs {
    /// Open the card file (waiting up to `--wait` for its holder).
    pub(crate) fn open(&self) -> anyhow::Result<OnCard> {
        let card = super::open_card_file(self.card.as_deref(), self.wait)?;
        let profile = card.profile().clone();
        let auc = Auc::for_profile(&profile, self.card.as_deref())?;
        let access = UsimAccess::from_profile(&profile)?;
        Ok(OnCard {
            card,
            profile,
            auc,
            access,
        })
    }
}

impl OnCard {
    /// Power the card through an ME (its APDUs on stderr with `trace`), start the USIM and run
    /// `flow`; the run's sequence diagram goes to the `--diagram` files.
    pub(crate) fn run(
        mut self,
        trace: bool,
        diagram: &[PathBuf],
        flow: impl FnOnce(&mut Me<&mut DurableCard>, &mut Auc, &Profile) -> Result<Report>,
    ) -> anyhow::Result<Report> {
        let mut me = crate::report::me(&mut self.card, trace);
        let (auc, profile, access) = (&mut self.auc, &self.profile, &self.access);
        crate::report::with_diagram(&mut me, diagram, |me| {
            me.start_usim(&access.aid, &access.pin1)?;
            flow(me, auc, profile)
        })
    }
}

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

impl AvArgs {
    pub(crate) fn input(&self) -> AvInput<'_> {
        AvInput {
            card: self.card.as_deref(),
            rand: self.rand.as_deref(),
            sqn: self.sqn.as_deref(),
            snn: self.snn.as_deref(),
            rid: self.rid.as_deref(),
        }
    }
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

impl CardOpts {
    pub(crate) fn input(&self) -> CardInput<'_> {
        CardInput {
            channel: self.channel,
            client: self.client.as_deref(),
        }
    }
}

/// Purpose label.
#[derive(Debug, Args)]
pub struct PurposeArgs {
    /// Purpose label of the per-purpose key (text).
    #[arg(long, default_value = "")]
    purpose: String,
    /// Purpose label as hex (instead of --purpose).
    #[arg(long, value_name = "HEX")]
    purpose_hex: Option<String>,
}

impl PurposeArgs {
    fn bytes(&self) -> Result<Vec<u8>> {
        match &self.purpose_hex {
            Some(h) => Ok(hex_any("--purpose-hex", h)?),
            None => Ok(self.purpose.as_bytes().to_vec()),
        }
    }
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

/// The arguments of `mac` (`vusim naf`, `vusim akma af`, `vusim iot app`).
#[derive(Debug, Args)]
pub struct MacOp {
    #[command(flatten)]
    purpose: PurposeArgs,
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

/// The arguments of `verify` (`vusim naf`, `vusim akma af`, `vusim iot app`).
#[derive(Debug, Args)]
pub struct VerifyOp {
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

/// The arguments of `encrypt` (`vusim naf`, `vusim akma af`, `vusim iot app`).
#[derive(Debug, Args)]
pub struct EncryptOp {
    #[command(flatten)]
    purpose: PurposeArgs,
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

/// The arguments of `decrypt` (`vusim naf`, `vusim akma af`, `vusim iot app`).
#[derive(Debug, Args)]
pub struct DecryptOp {
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

/// The arguments of `auth-card` (`vusim naf`, `vusim akma af`, `vusim iot app`).
#[derive(Debug, Args)]
pub struct AuthCardOp {
    #[command(flatten)]
    purpose: PurposeArgs,
    /// The server's challenge RS (8–64 bytes).
    #[arg(long, value_name = "HEX")]
    challenge: String,
    /// The card's proof to check (exit 1 if it differs).
    #[arg(long, value_name = "HEX")]
    proof: Option<String>,
}

/// The arguments of `auth-server` (`vusim naf`, `vusim akma af`, `vusim iot app`).
#[derive(Debug, Args)]
pub struct AuthServerOp {
    #[command(flatten)]
    purpose: PurposeArgs,
    /// The card's challenge RC (from AUTHENTICATE P1 01, DO 96).
    #[arg(long, value_name = "HEX")]
    challenge: String,
}

/// The arguments of `wrap` (`vusim naf`, `vusim akma af`, `vusim iot app`).
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

/// The library's operation for a command's arguments.
pub(crate) trait ToOp {
    fn to_op(&self) -> Result<af::Operation>;
}

/// `--WHAT` (text) or `--WHAT-hex`.
fn text_or_hex(what: &str, text: &Option<String>, hex: &Option<String>) -> Result<Vec<u8>> {
    inputs::text_or_hex(what, text.as_deref(), hex.as_deref())
}

fn opt_hex(arg: &str, text: Option<&String>) -> Result<Option<Vec<u8>>> {
    Ok(text.map(|h| hex_any(arg, h)).transpose()?)
}

impl ToOp for MacOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::Mac {
            purpose: self.purpose.bytes()?,
            message: text_or_hex("message", &self.message, &self.message_hex)?,
            mac_len: self.mac_len,
        })
    }
}

impl ToOp for VerifyOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::Verify {
            purpose: self.purpose.bytes()?,
            message: text_or_hex("message", &self.message, &self.message_hex)?,
            mac: hex_any("--mac", &self.mac)?,
        })
    }
}

impl ToOp for EncryptOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::Encrypt {
            purpose: self.purpose.bytes()?,
            plaintext: text_or_hex("plaintext", &self.plaintext, &self.plaintext_hex)?,
            aad: opt_hex("--aad", self.aad.as_ref())?,
            iv: hex_fixed("--iv", &self.iv)?,
        })
    }
}

impl ToOp for DecryptOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::Decrypt {
            purpose: self.purpose.bytes()?,
            aad: opt_hex("--aad", self.aad.as_ref())?.unwrap_or_default(),
            iv: hex_any("--iv", &self.iv)?,
            ciphertext: hex_any("--ciphertext", &self.ciphertext)?,
            tag: hex_any("--tag", &self.tag)?,
        })
    }
}

impl ToOp for AuthCardOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::AuthCard {
            purpose: self.purpose.bytes()?,
            challenge: hex_any("--challenge", &self.challenge)?,
            proof: opt_hex("--proof", self.proof.as_ref())?,
        })
    }
}

impl ToOp for AuthServerOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::AuthServer {
            purpose: self.purpose.bytes()?,
            challenge: hex_any("--challenge", &self.challenge)?,
        })
    }
}

impl WrapOp {
    /// The name the card stores the secret under.
    pub(crate) fn store_as(&self) -> &[u8] {
        self.store_as.as_bytes()
    }

    /// The secret.
    pub(crate) fn secret(&self) -> Result<ops::Secret> {
        Ok(ops::secret(text_or_hex(
            "secret",
            &self.secret,
            &self.secret_hex,
        )?))
    }
}

impl ToOp for WrapOp {
    fn to_op(&self) -> Result<af::Operation> {
        Ok(af::Operation::Wrap {
            secret: self.secret()?,
            name: self.store_as.as_bytes().to_vec(),
            iv: hex_fixed("--iv", &self.iv)?,
        })
    }
}

impl ToOp for Operation {
    fn to_op(&self) -> Result<af::Operation> {
        match self {
            Operation::Mac(a) => a.to_op(),
            Operation::Verify(a) => a.to_op(),
            Operation::Encrypt(a) => a.to_op(),
            Operation::Decrypt(a) => a.to_op(),
            Operation::AuthCard(a) => a.to_op(),
            Operation::AuthServer(a) => a.to_op(),
            Operation::Wrap(a) => a.to_op(),
        }
    }
}
