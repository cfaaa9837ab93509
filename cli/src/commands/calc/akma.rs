//! `vusim calc akma`: K_AKMA, A-TID, A-KID and K_AF (TS 33.535 Annex A.2–A.4, §6.1).

use clap::Args;
use vusim_applet::crypto::akma::AKidFormat;
use vusim_network::calc::inputs as calc;

use super::Report;
use crate::commands::inputs::choice;

/// Arguments of `vusim calc akma`.
#[derive(Debug, Args)]
pub struct AkmaArgs {
    /// K_AUSF (32 bytes).
    #[arg(long, value_name = "HEX")]
    pub k_ausf: String,
    /// SUPI (IMSI digits or NAI), as a character string.
    #[arg(long)]
    pub supi: String,
    /// AF FQDN; with --ua-protocol adds k_af.
    #[arg(long, value_name = "FQDN", requires = "ua_protocol")]
    pub af_fqdn: Option<String>,
    /// Ua* security protocol identifier (5 bytes, TS 33.220 Annex H.3).
    #[arg(long, value_name = "HEX5", requires = "af_fqdn")]
    pub ua_protocol: Option<String>,
    /// Routing Indicator (1 to 4 digits); with --realm adds a_kid.
    #[arg(long, requires = "realm")]
    pub rid: Option<String>,
    /// Home network realm of the A-KID, e.g. `5gc.mnc001.mcc001.3gppnetwork.org`.
    #[arg(long, requires = "rid")]
    pub realm: Option<String>,
    /// Rendering of the A-KID username.
    #[arg(long, value_parser = choice(calc::A_KID_FORMATS), default_value = "rid-dot-base64")]
    pub a_kid_format: AKidFormat,
}

/// `vusim calc akma`.
pub(super) fn akma(a: &AkmaArgs) -> anyhow::Result<Report> {
    let a_kid = match (&a.rid, &a.realm) {
        (Some(rid), Some(realm)) => Some((rid.as_str(), realm.as_str(), a.a_kid_format)),
        _ => None,
    };
    let af = match (&a.af_fqdn, &a.ua_protocol) {
        (Some(fqdn), Some(ua)) => Some((fqdn.as_str(), ua.as_str())),
        _ => None,
    };
    Ok(calc::akma(&a.k_ausf, &a.supi, a_kid, af)?)
}
