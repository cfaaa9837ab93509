//! SUCI concealment and deconcealment behind `vusim calc suci | suci-deconceal`: the null scheme
//! and ECIES profiles A and B (TS 33.501 Annex C, §6.12.2), and the SUCI text forms of
//! TS 23.003 §28.7 (`suci-0-<MCC>-<MNC>-<RI>-<scheme>-<key id>-<output>` for an IMSI, as in
//! TS 29.503; the NAI form `type1.rid<RI>.schid<scheme>[.hnkey<key id>].<output>@<realm>` for an
//! NAI SUPI).
//!
//! The inputs are the command line's text; each error names its argument.

use vusim_apdu::hexstr::{digits, hex_any, hex_fixed, hex_one_of};
use vusim_crypto::keys::EcPrivateKey;
use vusim_crypto::suci::{self, EciesProfile, ProtectionScheme, SchemeOutput};
use vusim_crypto::CryptoError;

use crate::error::NetworkError;
use crate::inputs::Choice;
use crate::{Report, Result};

/// The command line's protection schemes (`vusim calc suci --profile`).
pub const SCHEMES: &[Choice<ProtectionScheme>] = &[
    (
        ProtectionScheme::ProfileA,
        "a",
        "ECIES profile A (X25519), scheme id 1",
    ),
    (
        ProtectionScheme::ProfileB,
        "b",
        "ECIES profile B (P-256, compressed ephemeral key), scheme id 2",
    ),
    (
        ProtectionScheme::Null,
        "null",
        "Null scheme, id 0 (the output is the input)",
    ),
];

/// The command line's ECIES profiles (`vusim calc suci-deconceal --profile`).
pub const PROFILES: &[Choice<EciesProfile>] = &[
    (EciesProfile::A, "a", "ECIES profile A (X25519)"),
    (EciesProfile::B, "b", "ECIES profile B (P-256)"),
];

/// The SUPI to conceal.
#[derive(Debug, Clone, Copy)]
pub enum Supi<'a> {
    /// An IMSI: MSIN, MCC and MNC digits (`--msin --mcc --mnc`).
    Imsi {
        /// MSIN.
        msin: &'a str,
        /// MCC.
        mcc: &'a str,
        /// MNC, written as given.
        mnc: &'a str,
    },
    /// An NAI `username@realm`, or just the username (then no SUCI text).
    Nai(&'a str),
}

/// What `vusim calc suci` conceals, and with what.
#[derive(Debug, Clone, Copy)]
pub struct SuciInput<'a> {
    /// The protection scheme.
    pub scheme: ProtectionScheme,
    /// Home network public key (hex, `--hn-pub`), for ECIES.
    pub hn_pub: Option<&'a str>,
    /// Ephemeral private key (hex, `--eph-priv`), for ECIES.
    pub eph_priv: Option<&'a str>,
    /// The SUPI, if any.
    pub supi: Option<Supi<'a>>,
    /// Routing Indicator digits.
    pub routing_indicator: &'a str,
    /// Home network public key identifier.
    pub hn_key_id: Option<u8>,
}

/// The scheme output, as bytes and as written inside a SUCI string.
struct Concealed {
    bytes: Vec<u8>,
    ecies: Option<SchemeOutput>,
}

fn conceal(a: &SuciInput<'_>, input: &[u8]) -> Result<Concealed> {
    let profile = match a.scheme {
        ProtectionScheme::Null => {
            return Ok(Concealed {
                bytes: suci::null_scheme(input),
                ecies: None,
            })
        }
        ProtectionScheme::ProfileA => EciesProfile::A,
        ProtectionScheme::ProfileB => EciesProfile::B,
    };
    let allowed: &[usize] = match profile {
        EciesProfile::A => &[32],
        EciesProfile::B => &[33, 65],
    };
    let hn_pub = hex_one_of("--hn-pub", need(a.hn_pub, "--hn-pub")?, allowed)?;
    let eph = EcPrivateKey::new(hex_fixed("--eph-priv", need(a.eph_priv, "--eph-priv")?)?);
    suci::public_key(profile, &eph).map_err(NetworkError::refused("--eph-priv"))?;
    let out =
        suci::conceal(profile, &hn_pub, &eph, input).map_err(NetworkError::refused("--hn-pub"))?;
    Ok(Concealed {
        bytes: out.to_bytes(),
        ecies: Some(out),
    })
}

fn need<'a>(v: Option<&'a str>, name: &str) -> Result<&'a str> {
    v.ok_or_else(|| NetworkError::input(format!("{name} is required with --profile a or b")))
}

/// `vusim calc suci`: the scheme output and the SUCI text.
pub fn suci(a: &SuciInput<'_>) -> Result<Report> {
    let ri = digits("--routing-indicator", a.routing_indicator, 1, 4)?;
    let scheme_id = a.scheme.id();
    let key_id = match (a.scheme, a.hn_key_id) {
        (ProtectionScheme::Null, Some(k)) if k != 0 => {
            return Err(NetworkError::input(format!(
                "--hn-key-id: must be 0 with the null scheme (TS 33.501 §6.12.2), got {k}"
            )))
        }
        (ProtectionScheme::Null, _) => 0,
        (_, k) => k.unwrap_or(1),
    };
    let mut r = Report::default();
    match a.supi {
        Some(Supi::Imsi { msin, mcc, mnc }) => {
            let msin = digits("--msin", msin, 1, 10)?;
            let mcc = digits("--mcc", mcc, 3, 3)?;
            let mnc = digits("--mnc", mnc, 2, 3)?;
            let input = suci::imsi_scheme_input(&msin).map_err(NetworkError::refused("--msin"))?;
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
        }
        Some(Supi::Nai(nai)) => {
            let (user, realm) = match nai.split_once('@') {
                Some((u, realm)) => (u, Some(realm)),
                None => (nai, None),
            };
            let input =
                suci::nai_scheme_input(user).map_err(NetworkError::refused("--nai-user"))?;
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
        None => {}
    }
    Ok(r)
}

/// `vusim calc suci-deconceal`: the SIDF opens a scheme output (hex, or the NAI form
/// `ecckey<hex>.cip<hex>.mac<hex>`) with the home network private key (hex); a MAC tag that does
/// not verify fails the report.
pub fn deconceal(profile: EciesProfile, hn_priv: &str, scheme_output: &str) -> Result<Report> {
    let hn_priv = EcPrivateKey::new(hex_fixed("--hn-priv", hn_priv)?);
    let text = scheme_output.trim();
    let output = if text.starts_with("ecckey") {
        SchemeOutput::from_nai(profile, text)
    } else {
        SchemeOutput::parse(profile, &hex_any("--scheme-output", text)?)
    }
    .map_err(NetworkError::refused("--scheme-output"))?;
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
            return Err(NetworkError::refused("--hn-priv")(e))
        }
        Err(e) => return Err(NetworkError::refused("--scheme-output")(e)),
    }
    Ok(r)
}
