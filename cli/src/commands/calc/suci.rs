//! `vusim calc suci | suci-deconceal`: the arguments of SUCI concealment and deconcealment
//! (TS 33.501 Annex C; TS 23.003 §28.7); the computation and the SUCI text forms are
//! `vusim_network::calc::suci`.

use clap::Args;
use vusim_applet::crypto::suci::{EciesProfile, ProtectionScheme};
use vusim_network::calc::suci::{self as calc, SuciInput, Supi};

use super::Report;
use crate::commands::inputs::choice;

/// Arguments of `vusim calc suci`.
#[derive(Debug, Args)]
pub struct SuciArgs {
    /// Protection scheme.
    #[arg(long, value_parser = choice(calc::SCHEMES))]
    pub profile: ProtectionScheme,
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
    #[arg(long, value_parser = choice(calc::PROFILES))]
    pub profile: EciesProfile,
    /// Home network private key (32 bytes).
    #[arg(long, value_name = "HEX")]
    pub hn_priv: String,
    /// Scheme output: hex (ephemeral key ‖ ciphertext ‖ MAC tag) or the NAI form
    /// `ecckey<hex>.cip<hex>.mac<hex>`.
    #[arg(long, value_name = "HEX")]
    pub scheme_output: String,
}

/// `vusim calc suci`.
pub(super) fn suci(a: &SuciArgs) -> anyhow::Result<Report> {
    let supi = match (&a.msin, &a.nai_user) {
        (Some(msin), _) => Some(Supi::Imsi {
            msin,
            mcc: a.mcc.as_deref().unwrap_or_default(),
            mnc: a.mnc.as_deref().unwrap_or_default(),
        }),
        (None, Some(nai)) => Some(Supi::Nai(nai)),
        (None, None) => None,
    };
    Ok(calc::suci(&SuciInput {
        scheme: a.profile,
        hn_pub: a.hn_pub.as_deref(),
        eph_priv: a.eph_priv.as_deref(),
        supi,
        routing_indicator: &a.routing_indicator,
        hn_key_id: a.hn_key_id,
    })?)
}
