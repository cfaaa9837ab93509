//! `vusim akma …`: the network side of UICC-based AKMA (TR 33.835 solutions #8/#10; docs/api/akma.md, v0.1) — AUSF, AAnF, AF and a key-management server — and an end-to-end run against the card, so a script or a person can check that card and network agree.
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
//! * `run`: all of it end to end with the card through APDUs (`--trace` prints them).
//!
//! Keys are derived from the same inputs the card gets: the card profile (`--card`, else the
//! embedded default card) with `--rand` and `--sqn`, or `--k-ausf`, or `--k-af`. Key bytes
//! (K_AUSF, K_SEAF, K_AKMA, K_AF) are printed only with `--reveal`. Values are lower-case hex,
//! card APDUs upper-case; `--json` prints one JSON object with the same keys in the same order.
//!
//! Exit codes: 0 computed (or verified), 1 a verification ran and failed, 2 an error in the
//! input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Subcommand};
use rand::RngCore;
use serde_json::Value;
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma as api;
use vusim_applet::api::apdu::{tag, CommandRow};
use vusim_applet::api::ops::{self, OpError, Secret, IV_LEN};
use vusim_applet::crypto::gba::{self, UaProtocolId};
use vusim_applet::crypto::keys::{ct_eq, Kausf};
use vusim_applet::profile::Profile;

use super::calc::{hex_any, hex_fixed};
use crate::network::aanf::{AanfContext, HomeAv, Subscriber};
use crate::network::auc::Auc;

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
    /// End to end with the card through APDUs: 5G AKMA AKA, DERIVE K_AF, every API operation.
    Run(RunArgs),
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

/// The AF_ID.
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

/// `vusim akma ausf`.
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

/// `vusim akma run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Card file (profile and state); the embedded default card when absent.
    #[arg(long)]
    card: Option<PathBuf>,
    /// FQDN of the AF.
    #[arg(long, value_name = "FQDN", default_value = "bike.example.org")]
    af: String,
    /// Ua* security protocol identifier (5 bytes).
    #[arg(long, value_name = "HEX5", default_value = "0100000002")]
    ua_protocol: String,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    trace: bool,
}

// ---------------------------------------------------------------------------------------------
// The operations over a base key, shared with `vusim iot`.

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

/// The named results, in output order.
#[derive(Debug, Default)]
pub(crate) struct Report {
    fields: Vec<(&'static str, Value)>,
    failed: bool,
}

impl Report {
    /// Lower-case hex.
    pub(crate) fn hex(&mut self, name: &'static str, bytes: &[u8]) {
        self.fields.push((name, Value::String(hex::encode(bytes))));
    }
    /// Text.
    pub(crate) fn text(&mut self, name: &'static str, text: impl Into<String>) {
        self.fields.push((name, Value::String(text.into())));
    }
    /// A number.
    pub(crate) fn num(&mut self, name: &'static str, n: u64) {
        self.fields.push((name, Value::from(n)));
    }
    /// A verdict; `false` makes the command exit 1.
    pub(crate) fn check(&mut self, name: &'static str, ok: bool) {
        self.fields.push((name, Value::Bool(ok)));
        self.failed |= !ok;
    }
    /// An APDU, upper-case hex (nothing for an empty one).
    pub(crate) fn apdu(&mut self, name: &'static str, apdu: &[u8]) {
        if !apdu.is_empty() {
            self.text(name, hex::encode_upper(apdu));
        }
    }
    /// Append another report's results.
    pub(crate) fn merge(&mut self, other: Report) {
        self.fields.extend(other.fields);
        self.failed |= other.failed;
    }
    /// Print and map to the exit code.
    pub(crate) fn finish(&self, json: bool) -> ExitCode {
        if json {
            let map: serde_json::Map<String, Value> = self
                .fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect();
            println!("{}", Value::Object(map));
        } else {
            for (k, v) in &self.fields {
                match v {
                    Value::String(s) => println!("{k}: {s}"),
                    other => println!("{k}: {other}"),
                }
            }
        }
        if self.failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Which card API and key an operation's card APDUs address.
pub(crate) struct CardTarget {
    /// The applet's command table.
    pub table: &'static [CommandRow],
    /// The key address (`80 id`, optionally `84 name`).
    pub key: Vec<Tlv>,
    /// Logical channel.
    pub channel: u8,
    /// Client AID (DO 4F, last).
    pub client: Option<Vec<u8>>,
}

impl CardTarget {
    /// The card APDU for a command of the table: key address, `dos`, then `4F`.
    pub(crate) fn apdu(&self, name: &str, dos: Vec<Tlv>) -> Vec<u8> {
        let mut all = self.key.clone();
        all.extend(dos);
        if let Some(c) = &self.client {
            all.push(Tlv::new(tag::CLIENT_AID, c.clone()));
        }
        api::command_apdu(self.table, self.channel, name, &all)
    }
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

fn with_purpose(mut dos: Vec<Tlv>, p: &[u8]) -> Vec<Tlv> {
    if !p.is_empty() {
        dos.push(Tlv::new(tag::PURPOSE, p.to_vec()));
    }
    dos
}

fn alg_do(alg: u8) -> Tlv {
    Tlv::new(tag::ALG, vec![alg])
}

/// Run one operation with `base` as the base key; card APDUs when a target is known.
pub(crate) fn run_operation(
    op: &Operation,
    base: &[u8],
    card: Option<&CardTarget>,
) -> anyhow::Result<Report> {
    let mut r = Report::default();
    let mac_alg = ops::ALG_HMAC_SHA256;
    let ae_alg = ops::ALG_AES128_CTR_HMAC_SHA256;
    match op {
        Operation::Mac(a) => {
            let p = purpose(&a.purpose)?;
            let msg = text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref())?;
            let mac = ops::mac(base, mac_alg, &p, &msg, a.mac_len)?;
            r.hex("mac", &mac);
            if let Some(c) = card {
                let dos = with_purpose(vec![alg_do(mac_alg)], &p);
                let mut compute = dos.clone();
                compute.push(Tlv::new(tag::DATA, msg.clone()));
                if a.mac_len != 32 {
                    compute.push(Tlv::new(
                        tag::MAC_LEN,
                        vec![u8::try_from(a.mac_len).unwrap_or(32)],
                    ));
                }
                r.apdu("card_compute_apdu", &c.apdu("MAC COMPUTE", compute));
                let mut verify = dos;
                verify.push(Tlv::new(tag::DATA, msg));
                verify.push(Tlv::new(tag::MAC, mac));
                r.apdu("card_apdu", &c.apdu("MAC VERIFY", verify));
            }
        }
        Operation::Verify(a) => {
            let p = purpose(&a.purpose)?;
            let msg = text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref())?;
            match ops::mac_verify(base, mac_alg, &p, &msg, &hex_any("--mac", &a.mac)?) {
                Ok(()) => r.check("verified", true),
                Err(OpError::Verify) => r.check("verified", false),
                Err(e) => return Err(anyhow!("--mac: {e}")),
            }
        }
        Operation::Encrypt(a) => {
            let p = purpose(&a.purpose)?;
            let pt = text_or_hex("plaintext", a.plaintext.as_ref(), a.plaintext_hex.as_ref())?;
            let aad = a.aad.as_deref().map(|h| hex_any("--aad", h)).transpose()?;
            let iv: [u8; IV_LEN] = hex_fixed("--iv", &a.iv)?;
            let s = ops::seal(
                base,
                ae_alg,
                &p,
                iv,
                aad.as_deref().unwrap_or_default(),
                &pt,
            )?;
            r.hex("iv", &s.iv);
            r.hex("ciphertext", &s.ciphertext);
            r.hex("tag", &s.tag);
            if let Some(c) = card {
                let mut dos = with_purpose(vec![alg_do(ae_alg)], &p);
                dos.push(Tlv::new(tag::IV, s.iv.to_vec()));
                dos.push(Tlv::new(tag::DATA, s.ciphertext.clone()));
                dos.push(Tlv::new(tag::MAC, s.tag.to_vec()));
                if let Some(aad) = aad {
                    dos.push(Tlv::new(tag::AAD, aad));
                }
                r.apdu("card_apdu", &c.apdu("DECRYPT", dos));
            }
        }
        Operation::Decrypt(a) => {
            let p = purpose(&a.purpose)?;
            let aad = a
                .aad
                .as_deref()
                .map(|h| hex_any("--aad", h))
                .transpose()?
                .unwrap_or_default();
            match ops::open(
                base,
                ae_alg,
                &p,
                &hex_any("--iv", &a.iv)?,
                &aad,
                &hex_any("--ciphertext", &a.ciphertext)?,
                &hex_any("--tag", &a.tag)?,
            ) {
                Ok(pt) => {
                    r.check("verified", true);
                    r.hex("plaintext", &pt);
                    if let Ok(text) = std::str::from_utf8(&pt) {
                        r.text("plaintext_text", text);
                    }
                }
                Err(OpError::Verify) => r.check("verified", false),
                Err(e) => return Err(anyhow!("{e}")),
            }
        }
        Operation::AuthCard(a) => {
            let p = purpose(&a.purpose)?;
            let rs = hex_any("--challenge", &a.challenge)?;
            let proof = ops::card_proof(base, mac_alg, &p, &rs)?;
            r.hex("card_proof", &proof);
            if let Some(given) = &a.proof {
                r.check("verified", ct_eq(&proof, &hex_any("--proof", given)?));
            }
            if let Some(c) = card {
                let mut dos = with_purpose(vec![alg_do(mac_alg)], &p);
                dos.push(Tlv::new(tag::CHALLENGE, rs));
                r.apdu("card_apdu", &c.apdu("AUTHENTICATE (card proof)", dos));
            }
        }
        Operation::AuthServer(a) => {
            let p = purpose(&a.purpose)?;
            let rc = hex_any("--challenge", &a.challenge)?;
            let proof = ops::server_proof(base, mac_alg, &p, &rc)?;
            r.hex("server_proof", &proof);
            if let Some(c) = card {
                let mut dos = with_purpose(vec![alg_do(mac_alg)], &p);
                dos.push(Tlv::new(tag::PROOF, proof.to_vec()));
                r.apdu("card_apdu", &c.apdu("AUTHENTICATE (server proof)", dos));
            }
        }
        Operation::Wrap(a) => {
            let secret = ops::secret(text_or_hex(
                "secret",
                a.secret.as_ref(),
                a.secret_hex.as_ref(),
            )?);
            let iv: [u8; IV_LEN] = hex_fixed("--iv", &a.iv)?;
            wrap_into(&mut r, base, a.store_as.as_bytes(), &secret, iv, card)?;
        }
    }
    Ok(r)
}

/// Wrap `secret` for STORE KEY under the name `name`; IV, ciphertext, tag and the card APDU.
fn wrap_into(
    r: &mut Report,
    base: &[u8],
    name: &[u8],
    secret: &[u8],
    iv: [u8; IV_LEN],
    card: Option<&CardTarget>,
) -> anyhow::Result<()> {
    if !(1..=32).contains(&name.len()) {
        bail!("--store-as: 1 to 32 bytes, got {}", name.len());
    }
    if !(1..=128).contains(&secret.len()) {
        bail!("the secret must be 1 to 128 bytes, got {}", secret.len());
    }
    let alg = ops::ALG_AES128_CTR_HMAC_SHA256;
    let s = ops::wrap(base, alg, name, iv, secret)?;
    r.hex("iv", &s.iv);
    r.hex("ciphertext", &s.ciphertext);
    r.hex("tag", &s.tag);
    if let Some(c) = card {
        let dos = vec![
            Tlv::new(tag::STORED_NAME, name.to_vec()),
            alg_do(alg),
            Tlv::new(tag::IV, s.iv.to_vec()),
            Tlv::new(tag::DATA, s.ciphertext),
            Tlv::new(tag::MAC, s.tag.to_vec()),
        ];
        r.apdu("card_apdu", &c.apdu("STORE KEY", dos));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Inputs.

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

fn random16() -> [u8; 16] {
    let mut r = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut r);
    r
}

/// The HE AV for `--card/--rand/--sqn/--snn`; `fresh`: draw RAND and take the AuC's next SQN
/// when absent (else both are required).
fn home_av(av: &AvArgs, fresh: bool) -> anyhow::Result<(HomeAv, Subscriber, Option<Auc>)> {
    let p = load_profile(av.card.as_deref())?;
    let sub = Subscriber::from_profile(&p, av.rid.as_deref())?;
    let snn = match &av.snn {
        Some(s) => s.clone(),
        None => sub.snn()?,
    };
    let (rand, sqn) = match (&av.rand, &av.sqn, fresh) {
        (Some(r), s, _) => (
            hex_fixed("--rand", r)?,
            s.as_deref().map(sqn_arg).transpose()?,
        ),
        (None, s, true) => (random16(), s.as_deref().map(sqn_arg).transpose()?),
        (None, _, false) => bail!("give --rand and --sqn (or --k-ausf, or --k-af)"),
    };
    if !fresh && sqn.is_none() {
        bail!("give --sqn with --rand (the SQN of the AUTHENTICATE the card accepted)");
    }
    let mut auc = Auc::for_profile(
        &p,
        if sqn.is_none() {
            av.card.as_deref()
        } else {
            None
        },
    )?;
    let v = HomeAv::new(&mut auc, p.auth.sqn.ind_bits, rand, sqn, &snn)?;
    Ok((v, sub, sqn.is_none().then_some(auc)))
}

fn af_id(a: &AfIdArgs) -> anyhow::Result<Option<Vec<u8>>> {
    if let Some(h) = &a.af_id {
        return Ok(Some(hex_any("--af-id", h)?));
    }
    match &a.af_fqdn {
        Some(fqdn) => {
            let ua = UaProtocolId::from_bytes(hex_fixed("--ua-protocol", &a.ua_protocol)?);
            Ok(Some(gba::naf_id(fqdn, ua)))
        }
        None => Ok(None),
    }
}

fn client(c: &CardOpts) -> anyhow::Result<Option<Vec<u8>>> {
    c.client
        .as_deref()
        .map(|h| hex_any("--client", h))
        .transpose()
}

/// The AAnF context for `--k-ausf` or `--card/--rand/--sqn`.
fn aanf_context(av: &AvArgs, k_ausf: Option<&String>) -> anyhow::Result<AanfContext> {
    match k_ausf {
        Some(h) => {
            let p = load_profile(av.card.as_deref())?;
            let sub = Subscriber::from_profile(&p, av.rid.as_deref())?;
            AanfContext::new(&Kausf::new(hex_fixed("--k-ausf", h)?), &sub)
        }
        None => {
            let (v, sub, _) = home_av(av, false)?;
            AanfContext::new(v.k_ausf(), &sub)
        }
    }
}

/// The base key of `af`/`kms` and the card target.
fn af_key(k: &AfKeyArgs) -> anyhow::Result<(Secret, Option<AanfContext>, Option<CardTarget>)> {
    let id = af_id(&k.af)?;
    let (k_af, ctx) = match &k.k_af {
        Some(h) => (ops::secret(hex_fixed::<32>("--k-af", h)?.to_vec()), None),
        None if k.key.is_some() && k.k_ausf.is_none() && k.av.rand.is_none() => {
            (ops::secret(Vec::new()), None)
        }
        None => {
            let ctx = aanf_context(&k.av, k.k_ausf.as_ref())?;
            let Some(id) = &id else {
                bail!("give --af-fqdn (or --af-id): K_AF is per AF");
            };
            (ops::secret(ctx.k_af(id)?.as_bytes().to_vec()), Some(ctx))
        }
    };
    let mut base = k_af;
    let mut key_dos = Vec::new();
    if let Some(id) = &id {
        key_dos.push(Tlv::new(tag::NAF_ID, id.clone()));
    }
    if let Some(secret) = &k.key {
        base = ops::secret(hex_any("--key", secret)?);
        if base.is_empty() {
            bail!("--key: expected at least 1 byte");
        }
        if let Some(n) = &k.name {
            key_dos.push(Tlv::new(tag::STORED_NAME, n.as_bytes().to_vec()));
        }
    }
    let target = id.is_some().then(|| -> anyhow::Result<CardTarget> {
        Ok(CardTarget {
            table: api::COMMANDS,
            key: key_dos,
            channel: k.card_opts.channel,
            client: client(&k.card_opts)?,
        })
    });
    Ok((base, ctx, target.transpose()?))
}

// ---------------------------------------------------------------------------------------------
// The commands.

/// Run `vusim akma …`.
pub fn run(args: &AkmaArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.action {
        AkmaAction::Ausf(a) => ausf(a, args.reveal)?,
        AkmaAction::Aanf(a) => aanf(a, args.reveal)?,
        AkmaAction::Af(a) => {
            let (base, ctx, target) = af_key(&a.key)?;
            let mut r = Report::default();
            if let Some(c) = &ctx {
                r.text("a_kid", c.a_kid.clone());
            }
            if args.reveal && a.key.key.is_none() {
                r.hex("k_af", &base);
            }
            r.merge(run_operation(&a.op, &base, target.as_ref())?);
            r
        }
        AkmaAction::Kms(a) => kms(a, args.reveal)?,
        AkmaAction::Run(a) => return run_e2e(a, args.json),
    };
    Ok(report.finish(args.json))
}

fn ausf(a: &AusfArgs, reveal: bool) -> anyhow::Result<Report> {
    let (v, sub, auc) = home_av(&a.av, true)?;
    if let Some(auc) = auc {
        auc.save()?;
    }
    let mut r = Report::default();
    r.text("snn", v.snn.clone());
    r.hex("rand", &v.rand);
    r.hex("sqn", &vusim_applet::crypto::aka::sqn_from_u64(v.sqn));
    r.hex("autn", &v.autn);
    r.hex("xres_star", &v.xres_star);
    r.hex("hxres_star", &v.hxres_star);
    r.apdu("card_apdu", &v.card_apdu()?);
    if let Some(res) = &a.res_star {
        let res = hex_any("--res-star", res)?;
        let (ok, hres) = v.check_res_star(&res);
        if let Some(h) = hres {
            r.hex("hres_star", &h);
        }
        r.check("verified", ok);
    }
    let ctx = AanfContext::new(v.k_ausf(), &sub)?;
    r.text("supi", ctx.supi.clone());
    r.hex("a_tid", &ctx.a_tid);
    r.text("a_kid", ctx.a_kid.clone());
    if reveal {
        r.hex("k_ausf", v.k_ausf().as_bytes());
        r.hex("k_seaf", v.k_seaf()?.as_bytes());
        r.hex("k_akma", ctx.k_akma().as_bytes());
    }
    Ok(r)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn aanf(a: &AanfArgs, reveal: bool) -> anyhow::Result<Report> {
    let ctx = aanf_context(&a.av, a.k_ausf.as_ref())?;
    let mut r = Report::default();
    r.text("supi", ctx.supi.clone());
    r.hex("a_tid", &ctx.a_tid);
    r.text("a_kid", ctx.a_kid.clone());
    if reveal {
        r.hex("k_akma", ctx.k_akma().as_bytes());
    }
    if let Some(id) = af_id(&a.af)? {
        let k_af = ctx.k_af(&id)?;
        let expires = a
            .expires
            .unwrap_or_else(|| now().saturating_add(a.lifetime));
        r.hex("af_id", &id);
        r.num("expires", expires);
        if reveal {
            r.hex("k_af", k_af.as_bytes());
        }
        let mut dos = vec![
            Tlv::new(tag::NAF_ID, id),
            Tlv::new(tag::EXPIRES, expires.to_be_bytes().to_vec()),
        ];
        if let Some(c) = client(&a.card_opts)? {
            dos.push(Tlv::new(tag::CLIENT_AID, c));
        }
        r.apdu(
            "card_apdu",
            &api::apdu(a.card_opts.channel, "DERIVE K_AF", &dos),
        );
        let mut resp = Tlv::new(tag::B_TID, ctx.a_kid.as_bytes().to_vec()).encode();
        Tlv::new(tag::EXPIRES, expires.to_be_bytes().to_vec()).encode_into(&mut resp);
        resp.extend_from_slice(&[0x90, 0x00]);
        r.apdu("card_response", &resp);
    }
    Ok(r)
}

fn kms(a: &KmsArgs, reveal: bool) -> anyhow::Result<Report> {
    if a.key.key.is_some() {
        bail!("kms wraps under K_AF itself (no --key)");
    }
    let (base, ctx, target) = af_key(&a.key)?;
    let mut r = Report::default();
    if let Some(c) = &ctx {
        r.text("a_kid", c.a_kid.clone());
        if let Some(given) = &a.a_kid {
            r.check(
                "a_kid_verified",
                ct_eq(given.as_bytes(), c.a_kid.as_bytes()),
            );
        }
    } else if a.a_kid.is_some() {
        bail!("--a-kid needs the AAnF context (--rand/--sqn or --k-ausf, not --k-af)");
    }
    if reveal {
        r.hex("k_af", &base);
    }
    let app_key = ops::secret(match &a.app_key {
        Some(h) => hex_any("--app-key", h)?,
        None => random16().to_vec(),
    });
    let iv: [u8; IV_LEN] = match &a.iv {
        Some(h) => hex_fixed("--iv", h)?,
        None => random16(),
    };
    // The bike lock gets the AppKey over its own channel to the server.
    r.hex("app_key", &app_key);
    r.text("store_as", a.store_as.clone());
    wrap_into(
        &mut r,
        &base,
        a.store_as.as_bytes(),
        &app_key,
        iv,
        target.as_ref(),
    )?;
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// `vusim akma run`.

/// Open a logical channel and select an API applet on it; the channel number.
pub(crate) fn open_api(me: &mut crate::me::Me, aid: &[u8]) -> anyhow::Result<u8> {
    let r = me.ok(&[0x00, 0x70, 0x00, 0x00, 0x01], "MANAGE CHANNEL open")?;
    let ch = r.first().copied().unwrap_or(0);
    let cla = vusim_applet::card::Card::cla_for(ch).map_or(0x00, |c| c.0);
    let sel = vusim_apdu::Command::build(cla, 0xA4, 0x04, 0x0C, aid, None)?;
    me.ok(&sel.encode(), "SELECT API applet")?;
    Ok(ch)
}

fn run_e2e(a: &RunArgs, json: bool) -> anyhow::Result<ExitCode> {
    let r = e2e::run(a)?;
    Ok(r.finish(json))
}

mod e2e {
    //! The end-to-end run: the ME driver talks to the card, the network functions compute.

    use vusim_apdu::tlv::Tlv;
    use vusim_apdu::StatusWord;
    use vusim_applet::api::akma as api;
    use vusim_applet::api::apdu::tag;
    use vusim_applet::api::ops;
    use vusim_applet::crypto::gba::{self, UaProtocolId};
    use vusim_applet::crypto::keys::ct_eq;

    use super::{hex_fixed, open_api, random16, Report, RunArgs};
    use crate::me::Me;
    use crate::network::aanf::{AanfContext, HomeAv, Subscriber};
    use crate::network::auc::Auc;
    use anyhow::bail;

    pub(super) fn run(a: &RunArgs) -> anyhow::Result<Report> {
        let card = crate::commands::open_card_file(a.card.as_deref())?;
        let profile = card.profile().clone();
        let mut auc = Auc::for_profile(&profile, a.card.as_deref())?;
        let sub = Subscriber::from_profile(&profile, None)?;
        let snn = sub.snn()?;
        let mut me = Me::new(card, a.trace);
        let mut r = Report::default();
        let mut ok = true;
        me.start_usim()?;

        // AUSF / SEAF / card: 5G AKA in the 5G AKMA context, with resynchronisation.
        let ind_bits = profile.auth.sqn.ind_bits;
        let mut v = HomeAv::new(&mut auc, ind_bits, random16(), None, &snn)?;
        let mut resp = me.send(&v.card_apdu()?)?;
        if resp.sw == StatusWord::SUCCESS && resp.data.first() == Some(&0xDC) {
            let auts = resp.data.get(2..16).unwrap_or_default().to_vec();
            let sqn_ms = auc.resync(&v.rand, &auts)?;
            r.num("sqn_ms", sqn_ms);
            v = HomeAv::new(&mut auc, ind_bits, random16(), None, &snn)?;
            resp = me.send(&v.card_apdu()?)?;
        }
        auc.save()?;
        if resp.sw != StatusWord::SUCCESS {
            bail!(
                "AUTHENTICATE (5G AKMA context): card answered {} {}",
                resp.sw,
                resp.sw.meaning_for(0x88)
            );
        }
        let (res_star, k_seaf) = match resp.data.as_slice() {
            [0xDB, 0x10, rest @ ..] if rest.len() == 16 + 1 + 32 => (
                rest.get(..16).unwrap_or_default(),
                rest.get(17..).unwrap_or_default(),
            ),
            _ => bail!("AUTHENTICATE answer malformed ({} bytes)", resp.data.len()),
        };
        r.text("snn", snn.clone());
        r.num("sqn", v.sqn);
        r.hex("res_star", res_star);
        r.hex("xres_star", &v.xres_star);
        let (res_ok, hres) = v.check_res_star(res_star);
        let hres_ok = hres.is_some_and(|h| ct_eq(&h, &v.hxres_star));
        let seaf_ok = ct_eq(k_seaf, v.k_seaf()?.as_bytes());
        r.check("res_star_verified", res_ok && hres_ok);
        r.check("k_seaf_match", seaf_ok);
        ok &= res_ok && hres_ok && seaf_ok;

        // AAnF, then the card's API on a logical channel.
        let ctx = AanfContext::new(v.k_ausf(), &sub)?;
        r.text("a_kid", ctx.a_kid.clone());
        let ch = open_api(&mut me, &api::AID)?;
        r.num("channel", u64::from(ch));
        let ua = UaProtocolId::from_bytes(hex_fixed("--ua-protocol", &a.ua_protocol)?);
        let af_id = gba::naf_id(&a.af, ua);
        let k_af = ops::secret(ctx.k_af(&af_id)?.as_bytes().to_vec());
        let expires = super::now().saturating_add(3600);
        let key = Tlv::new(tag::NAF_ID, af_id.clone());
        let call =
            |me: &mut Me, name: &str, dos: Vec<Tlv>| -> anyhow::Result<(StatusWord, Vec<Tlv>)> {
                let mut all = vec![key.clone()];
                all.extend(dos);
                let resp = me.send(&api::apdu(ch, name, &all))?;
                Ok((resp.sw, Tlv::parse_all(&resp.data).unwrap_or_default()))
            };
        let get = |dos: &[Tlv], t: u32| -> Vec<u8> {
            dos.iter()
                .find(|d| d.tag.0 == t)
                .map(|d| d.value.clone())
                .unwrap_or_default()
        };
        let (sw, dos) = call(
            &mut me,
            "DERIVE K_AF",
            vec![Tlv::new(tag::EXPIRES, expires.to_be_bytes().to_vec())],
        )?;
        let a_kid_ok = sw == StatusWord::SUCCESS && get(&dos, tag::B_TID) == ctx.a_kid.as_bytes();
        r.check("a_kid_match", a_kid_ok);
        ok &= a_kid_ok;

        // MAC both ways.
        let mac_alg = Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]);
        let msg = b"vusim akma run".to_vec();
        let (sw, dos) = call(
            &mut me,
            "MAC COMPUTE",
            vec![mac_alg.clone(), Tlv::new(tag::DATA, msg.clone())],
        )?;
        let mac_ok = sw == StatusWord::SUCCESS
            && ops::mac_verify(&k_af, ops::ALG_HMAC_SHA256, b"", &msg, &get(&dos, tag::MAC))
                .is_ok();
        r.check("card_mac_verified_by_af", mac_ok);
        let af_mac = ops::mac(&k_af, ops::ALG_HMAC_SHA256, b"", &msg, 32)?;
        let (sw, _) = call(
            &mut me,
            "MAC VERIFY",
            vec![
                mac_alg.clone(),
                Tlv::new(tag::DATA, msg.clone()),
                Tlv::new(tag::MAC, af_mac),
            ],
        )?;
        let af_mac_ok = sw == StatusWord::SUCCESS;
        r.check("af_mac_verified_by_card", af_mac_ok);
        ok &= mac_ok && af_mac_ok;

        // Encryption both ways (when the policy allows it).
        let ae = Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]);
        let (sw, dos) = call(
            &mut me,
            "ENCRYPT",
            vec![ae.clone(), Tlv::new(tag::DATA, b"ride receipt".to_vec())],
        )?;
        if sw == StatusWord(0x6982) {
            r.text("encrypt", "refused by the card's policy (6982)");
        } else {
            let pt = ops::open(
                &k_af,
                ops::ALG_AES128_CTR_HMAC_SHA256,
                b"",
                &get(&dos, tag::IV),
                b"",
                &get(&dos, tag::DATA),
                &get(&dos, tag::MAC),
            );
            let enc_ok =
                sw == StatusWord::SUCCESS && pt.is_ok_and(|p| p.as_slice() == b"ride receipt");
            r.check("card_ciphertext_opened_by_af", enc_ok);
            let iv = random16();
            let s = ops::seal(
                &k_af,
                ops::ALG_AES128_CTR_HMAC_SHA256,
                b"",
                iv,
                b"",
                b"unlock token",
            )?;
            let (sw, dos) = call(
                &mut me,
                "DECRYPT",
                vec![
                    ae,
                    Tlv::new(tag::IV, s.iv.to_vec()),
                    Tlv::new(tag::DATA, s.ciphertext),
                    Tlv::new(tag::MAC, s.tag.to_vec()),
                ],
            )?;
            let dec_ok = sw == StatusWord::SUCCESS && get(&dos, tag::DATA) == b"unlock token";
            r.check("af_ciphertext_opened_by_card", dec_ok);
            ok &= enc_ok && dec_ok;
        }

        // Mutual authentication.
        let rs = random16().to_vec();
        let (sw, dos) = call(
            &mut me,
            "AUTHENTICATE (card proof)",
            vec![mac_alg.clone(), Tlv::new(tag::CHALLENGE, rs.clone())],
        )?;
        let want = ops::card_proof(&k_af, ops::ALG_HMAC_SHA256, b"", &rs)?;
        let card_auth = sw == StatusWord::SUCCESS && ct_eq(&get(&dos, tag::PROOF), &want);
        r.check("card_authenticated", card_auth);
        let (sw, dos) = call(&mut me, "AUTHENTICATE (card challenge)", Vec::new())?;
        let rc = get(&dos, tag::CHALLENGE);
        let proof = ops::server_proof(&k_af, ops::ALG_HMAC_SHA256, b"", &rc)?;
        let (sw2, _) = call(
            &mut me,
            "AUTHENTICATE (server proof)",
            vec![mac_alg.clone(), Tlv::new(tag::PROOF, proof.to_vec())],
        )?;
        let af_auth = sw == StatusWord::SUCCESS && sw2 == StatusWord::SUCCESS;
        r.check("af_authenticated", af_auth);
        ok &= card_auth && af_auth;

        // Key-management server: an AppKey under K_AF, then used by the card for the bike.
        let app_key = ops::secret(random16().to_vec());
        let w = ops::wrap(
            &k_af,
            ops::ALG_AES128_CTR_HMAC_SHA256,
            b"appkey",
            random16(),
            &app_key,
        )?;
        let (sw, _) = call(
            &mut me,
            "STORE KEY",
            vec![
                Tlv::new(tag::STORED_NAME, b"appkey".to_vec()),
                Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]),
                Tlv::new(tag::IV, w.iv.to_vec()),
                Tlv::new(tag::DATA, w.ciphertext),
                Tlv::new(tag::MAC, w.tag.to_vec()),
            ],
        )?;
        let stored = sw == StatusWord::SUCCESS;
        let bike_rs = random16().to_vec();
        let (sw, dos) = call(
            &mut me,
            "AUTHENTICATE (card proof)",
            vec![
                Tlv::new(tag::STORED_NAME, b"appkey".to_vec()),
                mac_alg,
                Tlv::new(tag::PURPOSE, b"unlock".to_vec()),
                Tlv::new(tag::CHALLENGE, bike_rs.clone()),
            ],
        )?;
        let bike_want = ops::card_proof(&app_key, ops::ALG_HMAC_SHA256, b"unlock", &bike_rs)?;
        let bike_ok =
            stored && sw == StatusWord::SUCCESS && ct_eq(&get(&dos, tag::PROOF), &bike_want);
        r.check("app_key_delivered_and_used", bike_ok);
        ok &= bike_ok;
        r.text("verdict", if ok { "pass" } else { "fail" });
        Ok(r)
    }
}
