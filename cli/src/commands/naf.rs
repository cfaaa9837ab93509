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

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::Value;
use vusim_applet::api::apdu::{tag, Dos};
use vusim_applet::api::ops::{self, OpError, Secret, IV_LEN};
use vusim_applet::crypto::gba;
use vusim_applet::crypto::keys::{Ck, Ik};

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

/// The named results, in output order.
#[derive(Debug, Default)]
struct Report {
    fields: Vec<(&'static str, Value)>,
    failed: bool,
}

impl Report {
    fn hex(&mut self, name: &'static str, bytes: &[u8]) {
        self.fields.push((name, Value::String(hex::encode(bytes))));
    }
    fn text(&mut self, name: &'static str, text: impl Into<String>) {
        self.fields.push((name, Value::String(text.into())));
    }
    fn check(&mut self, name: &'static str, ok: bool) {
        self.fields.push((name, Value::Bool(ok)));
        self.failed |= !ok;
    }
    fn apdu(&mut self, apdu: Option<Vec<u8>>) {
        if let Some(a) = apdu {
            self.text("card_apdu", hex::encode_upper(a));
        }
    }
    fn render(&self, json: bool) -> String {
        if json {
            let map: serde_json::Map<String, Value> = self
                .fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect();
            Value::Object(map).to_string()
        } else {
            self.fields
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => format!("{k}: {s}"),
                    other => format!("{k}: {other}"),
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// Text or hex input (exactly one given, or neither when `empty_ok`).
fn text_or_hex(
    what: &str,
    text: Option<&String>,
    hex: Option<&String>,
    empty_ok: bool,
) -> anyhow::Result<Vec<u8>> {
    match (text, hex) {
        (Some(t), None) => Ok(t.as_bytes().to_vec()),
        (None, Some(h)) => hex_any(&format!("--{what}-hex"), h),
        (None, None) if empty_ok => Ok(Vec::new()),
        _ => bail!("give --{what} (text) or --{what}-hex"),
    }
}

fn purpose(p: &PurposeArgs) -> anyhow::Result<Vec<u8>> {
    match &p.purpose_hex {
        Some(h) => hex_any("--purpose-hex", h),
        None => Ok(p.purpose.as_bytes().to_vec()),
    }
}

/// The resolved key: the base bytes, the NAF_Id (if known) and the card's key address.
struct Resolved {
    base: Secret,
    naf_id: Option<Vec<u8>>,
    sub: Option<(u32, Vec<u8>)>,
}

impl Resolved {
    /// The card key reference, if the NAF_Id is known.
    fn dos(&self) -> Option<Dos> {
        let id = self.naf_id.as_ref()?;
        let mut d = Dos::key(id);
        if let Some((t, name)) = &self.sub {
            d = d.with(*t, name);
        }
        Some(d)
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

fn ks_int_naf(k: &KeyArgs, naf_id: Option<&[u8]>) -> anyhow::Result<Secret> {
    if let Some(h) = &k.ks_int_naf {
        let v: [u8; 32] = hex_fixed("--ks-int-naf", h)?;
        return Ok(ops::secret(v.to_vec()));
    }
    let (Some(ck), Some(ik), Some(rand), Some(impi), Some(id)) =
        (&k.ck, &k.ik, &k.rand, &k.impi, naf_id)
    else {
        bail!("give --ks-int-naf, or --ck --ik --rand --impi and --naf-fqdn (or --naf-id)");
    };
    let ks = gba::ks_from_ck_ik(
        &Ck::new(hex_fixed("--ck", ck)?),
        &Ik::new(hex_fixed("--ik", ik)?),
    );
    let rand: [u8; 16] = hex_fixed("--rand", rand)?;
    let int = gba::ks_int_naf(&ks, &rand, impi, id)?;
    Ok(ops::secret(int.as_bytes().to_vec()))
}

fn resolve(k: &KeyArgs) -> anyhow::Result<Resolved> {
    let id = naf_id(k)?;
    let name = k.name.as_ref().map(|n| n.as_bytes().to_vec());
    if let Some(secret) = &k.key {
        let base = ops::secret(hex_any("--key", secret)?);
        if base.is_empty() {
            bail!("--key: expected at least 1 byte");
        }
        return Ok(Resolved {
            base,
            naf_id: id,
            sub: name.map(|n| (tag::STORED_NAME, n)),
        });
    }
    let int = ks_int_naf(k, id.as_deref())?;
    match &k.ka {
        Some(ka) => {
            let ka = hex_any("--ka", ka)?;
            let e2e = ops::e2e(&int, &ka)?;
            Ok(Resolved {
                base: ops::secret(e2e.as_bytes().to_vec()),
                naf_id: id,
                sub: name.map(|n| (tag::E2E_NAME, n)),
            })
        }
        None => Ok(Resolved {
            base: int,
            naf_id: id,
            sub: None,
        }),
    }
}

fn with_client(d: Dos, card: &CardArgs) -> anyhow::Result<Dos> {
    match &card.client {
        Some(h) => Ok(d.with(tag::CLIENT_AID, &hex_any("--client", h)?)),
        None => Ok(d),
    }
}

fn purpose_do(d: Dos, p: &[u8]) -> Dos {
    if p.is_empty() {
        d
    } else {
        d.with(tag::PURPOSE, p)
    }
}

fn iv16(text: &str) -> anyhow::Result<[u8; IV_LEN]> {
    hex_fixed("--iv", text)
}

/// Run `vusim naf …`.
pub fn run(args: &NafArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.action {
        NafAction::Mac(a) => mac(a)?,
        NafAction::Verify(a) => verify(a)?,
        NafAction::Encrypt(a) => encrypt(a)?,
        NafAction::Decrypt(a) => decrypt(a)?,
        NafAction::AuthCard(a) => auth_card(a)?,
        NafAction::AuthServer(a) => auth_server(a)?,
        NafAction::Wrap(a) => wrap(a)?,
        NafAction::E2e(a) => e2e(a)?,
    };
    println!("{}", report.render(args.json));
    Ok(if report.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn mac(a: &MacArgs) -> anyhow::Result<Report> {
    let k = resolve(&a.key)?;
    let p = purpose(&a.purpose)?;
    let msg = text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref(), false)?;
    let tag_bytes = ops::mac(&k.base, ops::ALG_HMAC_SHA256, &p, &msg, a.mac_len)?;
    let mut r = Report::default();
    r.hex("mac", &tag_bytes);
    if let Some(d) = k.dos() {
        let d = purpose_do(d.with(tag::ALG, &[ops::ALG_HMAC_SHA256]), &p).with(tag::DATA, &msg);
        let compute = if a.mac_len == 32 {
            d.clone()
        } else {
            d.clone()
                .with(tag::MAC_LEN, &[u8::try_from(a.mac_len).unwrap_or(32)])
        };
        r.text(
            "card_compute_apdu",
            hex::encode_upper(with_client(compute, &a.card)?.apdu(a.card.channel, "MAC COMPUTE")),
        );
        r.apdu(Some(
            with_client(d.with(tag::MAC, &tag_bytes), &a.card)?.apdu(a.card.channel, "MAC VERIFY"),
        ));
    }
    Ok(r)
}

fn verify(a: &VerifyArgs) -> anyhow::Result<Report> {
    let k = resolve(&a.key)?;
    let p = purpose(&a.purpose)?;
    let msg = text_or_hex("message", a.message.as_ref(), a.message_hex.as_ref(), false)?;
    let given = hex_any("--mac", &a.mac)?;
    let mut r = Report::default();
    match ops::mac_verify(&k.base, ops::ALG_HMAC_SHA256, &p, &msg, &given) {
        Ok(()) => r.check("verified", true),
        Err(OpError::Verify) => r.check("verified", false),
        Err(e) => return Err(anyhow!("--mac: {e}")),
    }
    Ok(r)
}

fn encrypt(a: &EncryptArgs) -> anyhow::Result<Report> {
    let k = resolve(&a.key)?;
    let p = purpose(&a.purpose)?;
    let pt = text_or_hex(
        "plaintext",
        a.plaintext.as_ref(),
        a.plaintext_hex.as_ref(),
        false,
    )?;
    let aad = match &a.aad {
        Some(h) => Some(hex_any("--aad", h)?),
        None => None,
    };
    let alg = ops::ALG_AES128_CTR_HMAC_SHA256;
    let s = ops::seal(
        &k.base,
        alg,
        &p,
        iv16(&a.iv)?,
        aad.as_deref().unwrap_or_default(),
        &pt,
    )?;
    let mut r = Report::default();
    r.hex("iv", &s.iv);
    r.hex("ciphertext", &s.ciphertext);
    r.hex("tag", &s.tag);
    if let Some(d) = k.dos() {
        let d = purpose_do(d.with(tag::ALG, &[alg]), &p)
            .with(tag::IV, &s.iv)
            .with(tag::DATA, &s.ciphertext)
            .with(tag::MAC, &s.tag)
            .with_opt(tag::AAD, aad.as_deref());
        r.apdu(Some(
            with_client(d, &a.card)?.apdu(a.card.channel, "DECRYPT"),
        ));
    }
    Ok(r)
}

fn decrypt(a: &DecryptArgs) -> anyhow::Result<Report> {
    let k = resolve(&a.key)?;
    let p = purpose(&a.purpose)?;
    let aad = match &a.aad {
        Some(h) => hex_any("--aad", h)?,
        None => Vec::new(),
    };
    let mut r = Report::default();
    match ops::open(
        &k.base,
        ops::ALG_AES128_CTR_HMAC_SHA256,
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
    Ok(r)
}

fn auth_card(a: &AuthCardArgs) -> anyhow::Result<Report> {
    let k = resolve(&a.key)?;
    let p = purpose(&a.purpose)?;
    let rs = hex_any("--challenge", &a.challenge)?;
    let proof = ops::card_proof(&k.base, ops::ALG_HMAC_SHA256, &p, &rs)?;
    let mut r = Report::default();
    r.hex("card_proof", &proof);
    if let Some(given) = &a.proof {
        let given = hex_any("--proof", given)?;
        r.check(
            "verified",
            vusim_applet::crypto::keys::ct_eq(&proof, &given),
        );
    }
    if let Some(d) = k.dos() {
        let d = purpose_do(d.with(tag::ALG, &[ops::ALG_HMAC_SHA256]), &p).with(tag::CHALLENGE, &rs);
        r.apdu(Some(
            with_client(d, &a.card)?.apdu(a.card.channel, "AUTHENTICATE (card proof)"),
        ));
    }
    Ok(r)
}

fn auth_server(a: &AuthServerArgs) -> anyhow::Result<Report> {
    let k = resolve(&a.key)?;
    let p = purpose(&a.purpose)?;
    let rc = hex_any("--challenge", &a.challenge)?;
    let proof = ops::server_proof(&k.base, ops::ALG_HMAC_SHA256, &p, &rc)?;
    let mut r = Report::default();
    r.hex("server_proof", &proof);
    if let Some(d) = k.dos() {
        let d = purpose_do(d.with(tag::ALG, &[ops::ALG_HMAC_SHA256]), &p).with(tag::PROOF, &proof);
        r.apdu(Some(
            with_client(d, &a.card)?.apdu(a.card.channel, "AUTHENTICATE (server proof)"),
        ));
    }
    Ok(r)
}

fn wrap(a: &WrapArgs) -> anyhow::Result<Report> {
    if a.key.key.is_some() || a.key.ka.is_some() {
        bail!("wrap uses Ks_int_NAF itself (no --key, no --ka)");
    }
    let k = resolve(&a.key)?;
    let name = a.store_as.as_bytes();
    if !(1..=32).contains(&name.len()) {
        bail!("--store-as: 1 to 32 bytes, got {}", name.len());
    }
    let secret = ops::secret(text_or_hex(
        "secret",
        a.secret.as_ref(),
        a.secret_hex.as_ref(),
        false,
    )?);
    if !(1..=128).contains(&secret.len()) {
        bail!("the secret must be 1 to 128 bytes, got {}", secret.len());
    }
    let alg = ops::ALG_AES128_CTR_HMAC_SHA256;
    let s = ops::wrap(&k.base, alg, name, iv16(&a.iv)?, &secret)?;
    let mut r = Report::default();
    r.hex("iv", &s.iv);
    r.hex("ciphertext", &s.ciphertext);
    r.hex("tag", &s.tag);
    if let Some(d) = k.dos() {
        let d = d
            .with(tag::STORED_NAME, name)
            .with(tag::ALG, &[alg])
            .with(tag::IV, &s.iv)
            .with(tag::DATA, &s.ciphertext)
            .with(tag::MAC, &s.tag);
        r.apdu(Some(
            with_client(d, &a.card)?.apdu(a.card.channel, "STORE KEY"),
        ));
    }
    Ok(r)
}

fn e2e(a: &E2eArgs) -> anyhow::Result<Report> {
    let Some(ka_hex) = &a.key.ka else {
        bail!("give --ka (the third party's key)");
    };
    let k = resolve(&a.key)?;
    let mut r = Report::default();
    r.hex("e2e_key", &k.base);
    if let (Some(id), Some(name)) = (&k.naf_id, &a.key.name) {
        let d = Dos::key(id)
            .with(tag::E2E_NAME, name.as_bytes())
            .with(tag::KA, &hex_any("--ka", ka_hex)?);
        r.apdu(Some(
            with_client(d, &a.card)?.apdu(a.card.channel, "DERIVE E2E KEY"),
        ));
    }
    Ok(r)
}
