//! `vusim calc suci | suci-deconceal`: SUCI concealment and deconcealment with the null scheme
//! and ECIES profiles A and B (TS 33.501 Annex C), and the SUCI text forms of TS 23.003 §28.7
//! (`suci-0-<MCC>-<MNC>-<RI>-<scheme>-<key id>-<output>` for an IMSI, as in TS 29.503; the NAI
//! form `type1.rid<RI>.schid<scheme>[.hnkey<key id>].<output>@<realm>` for an NAI SUPI).

use anyhow::{anyhow, Context};
use clap::{Args, ValueEnum};
use vusim_applet::crypto::keys::EcPrivateKey;
use vusim_applet::crypto::suci::{self, EciesProfile, ProtectionScheme, SchemeOutput};
use vusim_applet::crypto::CryptoError;

use super::{digits, hex_any, hex_fixed, hex_one_of, Report};

/// A protection scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    /// ECIES profile A (X25519), scheme id 1.
    A,
    /// ECIES profile B (P-256, compressed ephemeral key), scheme id 2.
    B,
    /// Null scheme, id 0 (the output is the input).
    Null,
}

/// An ECIES profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// ECIES profile A (X25519).
    A,
    /// ECIES profile B (P-256).
    B,
}

impl From<ProfileArg> for EciesProfile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::A => Self::A,
            ProfileArg::B => Self::B,
        }
    }
}

/// Arguments of `vusim calc suci`.
#[derive(Debug, Args)]
pub struct SuciArgs {
    /// Protection scheme.
    #[arg(long, value_enum)]
    pub profile: SchemeArg,
    /// Home network public key: 32 bytes (A), 33 compressed or 65 uncompressed bytes (B).
    #[arg(long, value_name = "HEX", required_if_eq_any = [("profile", "a"), ("profile", "b")])]
    pub hn_pub: Option<String>,
    /// Ephemeral private key (32 bytes); draw it from a CSPRNG for real use.
    #[arg(long, value_name = "HEX", required_if_eq_any = [("profile", "a"), ("profile", "b")])]
    pub eph_priv: Option<String>,
    /// MSIN digits of an IMSI SUPI (with --mcc and --mnc).
    #[arg(
        long,
        value_name = "DIGITS",
        required_unless_present = "nai_user",
        conflicts_with = "nai_user",
        requires_all = ["mcc", "mnc"]
    )]
    pub msin: Option<String>,
    /// MCC (3 digits) of an IMSI SUPI.
    #[arg(long, requires = "msin")]
    pub mcc: Option<String>,
    /// MNC (2 or 3 digits, written as given in the SUCI) of an IMSI SUPI.
    #[arg(long, requires = "msin")]
    pub mnc: Option<String>,
    /// Routing Indicator (1 to 4 digits).
    #[arg(long, value_name = "DIGITS", default_value = "0000")]
    pub routing_indicator: String,
    /// Home network public key identifier (0–255; default 0 for the null scheme, else 1).
    #[arg(long, value_name = "N")]
    pub hn_key_id: Option<u8>,
    /// NAI SUPI `username@realm` (or just the username: then no suci line is printed).
    #[arg(long, value_name = "USER")]
    pub nai_user: Option<String>,
}

/// Arguments of `vusim calc suci-deconceal`.
#[derive(Debug, Args)]
pub struct DeconcealArgs {
    /// ECIES profile.
    #[arg(long, value_enum)]
    pub profile: ProfileArg,
    /// Home network private key (32 bytes).
    #[arg(long, value_name = "HEX")]
    pub hn_priv: String,
    /// Scheme output: hex (ephemeral key ‖ ciphertext ‖ MAC tag) or the NAI form
    /// `ecckey<hex>.cip<hex>.mac<hex>`.
    #[arg(long, value_name = "HEX")]
    pub scheme_output: String,
}

/// The scheme output, as bytes and as written inside a SUCI string.
struct Concealed {
    bytes: Vec<u8>,
    ecies: Option<SchemeOutput>,
}

fn conceal(a: &SuciArgs, input: &[u8]) -> anyhow::Result<Concealed> {
    let profile = match a.profile {
        SchemeArg::Null => {
            return Ok(Concealed {
                bytes: suci::null_scheme(input),
                ecies: None,
            })
        }
        SchemeArg::A => EciesProfile::A,
        SchemeArg::B => EciesProfile::B,
    };
    let need = |v: &Option<String>, name: &str| {
        v.clone()
            .ok_or_else(|| anyhow!("{name} is required with --profile a or b"))
    };
    let hn_pub = match profile {
        EciesProfile::A => hex_one_of("--hn-pub", &need(&a.hn_pub, "--hn-pub")?, &[32])?,
        EciesProfile::B => hex_one_of("--hn-pub", &need(&a.hn_pub, "--hn-pub")?, &[33, 65])?,
    };
    let eph = EcPrivateKey::new(hex_fixed("--eph-priv", &need(&a.eph_priv, "--eph-priv")?)?);
    suci::public_key(profile, &eph).context("--eph-priv")?;
    let out = suci::conceal(profile, &hn_pub, &eph, input).context("--hn-pub")?;
    Ok(Concealed {
        bytes: out.to_bytes(),
        ecies: Some(out),
    })
}

fn scheme(a: SchemeArg) -> ProtectionScheme {
    match a {
        SchemeArg::A => ProtectionScheme::ProfileA,
        SchemeArg::B => ProtectionScheme::ProfileB,
        SchemeArg::Null => ProtectionScheme::Null,
    }
}

/// `vusim calc suci`.
pub(super) fn suci(a: &SuciArgs) -> anyhow::Result<Report> {
    let ri = digits("--routing-indicator", &a.routing_indicator, 1, 4)?;
    let scheme_id = scheme(a.profile).id();
    let key_id = match (a.profile, a.hn_key_id) {
        (SchemeArg::Null, Some(k)) if k != 0 => {
            return Err(anyhow!(
                "--hn-key-id: must be 0 with the null scheme (TS 33.501 §6.12.2), got {k}"
            ))
        }
        (SchemeArg::Null, _) => 0,
        (_, k) => k.unwrap_or(1),
    };
    let mut r = Report::default();
    if let Some(msin) = &a.msin {
        let msin = digits("--msin", msin, 1, 10)?;
        let mcc = digits("--mcc", a.mcc.as_deref().unwrap_or_default(), 3, 3)?;
        let mnc = digits("--mnc", a.mnc.as_deref().unwrap_or_default(), 2, 3)?;
        let input = suci::imsi_scheme_input(&msin).context("--msin")?;
        let out = conceal(a, &input)?;
        let written = match &out.ecies {
            None => msin.clone(),
            Some(_) => hex::encode(&out.bytes),
        };
        r.hex("scheme_output", &out.bytes);
        r.text(
            "suci",
            format!("suci-0-{mcc}-{mnc}-{ri}-{scheme_id}-{key_id}-{written}"),
        );
    } else if let Some(nai) = &a.nai_user {
        let (user, realm) = match nai.split_once('@') {
            Some((u, realm)) => (u, Some(realm)),
            None => (nai.as_str(), None),
        };
        let input = suci::nai_scheme_input(user).context("--nai-user")?;
        let out = conceal(a, &input)?;
        r.hex("scheme_output", &out.bytes);
        if let Some(realm) = realm {
            let tail = match &out.ecies {
                None => format!("schid0.{}", suci::null_scheme_nai_output(user)),
                Some(o) => format!("schid{scheme_id}.hnkey{key_id}.{}", o.to_nai()),
            };
            r.text("suci", format!("type1.rid{ri}.{tail}@{realm}"));
        }
    }
    Ok(r)
}

/// `vusim calc suci-deconceal`.
pub(super) fn deconceal(a: &DeconcealArgs) -> anyhow::Result<Report> {
    let profile: EciesProfile = a.profile.into();
    let hn_priv = EcPrivateKey::new(hex_fixed("--hn-priv", &a.hn_priv)?);
    let text = a.scheme_output.trim();
    let output = if text.starts_with("ecckey") {
        SchemeOutput::from_nai(profile, text)
    } else {
        SchemeOutput::parse(profile, &hex_any("--scheme-output", text)?)
    }
    .context("--scheme-output")?;
    let mut r = Report::default();
    match suci::deconceal(profile, &hn_priv, &output) {
        Ok(input) => {
            r.check("mac_ok", true);
            r.hex("scheme_input", &input);
            if let Ok(msin) = suci::msin_from_scheme_input(&input) {
                r.text("msin", msin);
            }
            if !input.is_empty() && input.iter().all(|b| b.is_ascii_graphic() && *b != b'@') {
                r.text("username", String::from_utf8_lossy(&input));
            }
        }
        Err(CryptoError::MacMismatch { .. }) => r.check("mac_ok", false),
        Err(e @ CryptoError::InvalidFormat { .. }) => {
            return Err(anyhow::Error::from(e).context("--hn-priv"))
        }
        Err(e) => return Err(anyhow::Error::from(e).context("--scheme-output")),
    }
    Ok(r)
}
