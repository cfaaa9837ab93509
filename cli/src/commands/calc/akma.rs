//! `vusim calc akma`: K_AKMA, A-TID, A-KID and K_AF (TS 33.535 Annex A.2–A.4, §6.1).

use clap::{Args, ValueEnum};
use vusim_applet::crypto::akma::AKidFormat;
use vusim_network::calc::inputs as calc;

use super::Report;

/// How the A-KID username carries RID and A-TID (see `vusim_applet::crypto::akma`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AKidFormatArg {
    /// `<RID>.<base64(A-TID)>@<realm>`.
    RidDotBase64,
    /// `<RID>.<hex(A-TID)>@<realm>`.
    RidDotHex,
    /// `rid<RID>.atid<hex(A-TID)>@<realm>`.
    Tagged,
}

impl From<AKidFormatArg> for AKidFormat {
    fn from(f: AKidFormatArg) -> Self {
        match f {
            AKidFormatArg::RidDotBase64 => Self::RidDotBase64,
            AKidFormatArg::RidDotHex => Self::RidDotHex,
            AKidFormatArg::Tagged => Self::Tagged,
        }
    }
}

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
    #[arg(long, value_enum, default_value_t = AKidFormatArg::RidDotBase64)]
    pub a_kid_format: AKidFormatArg,
}

/// `vusim calc akma`.
pub(super) fn akma(a: &AkmaArgs) -> anyhow::Result<Report> {
    let a_kid = match (&a.rid, &a.realm) {
        (Some(rid), Some(realm)) => Some((rid.as_str(), realm.as_str(), a.a_kid_format.into())),
        _ => None,
    };
    let af = match (&a.af_fqdn, &a.ua_protocol) {
        (Some(fqdn), Some(ua)) => Some((fqdn.as_str(), ua.as_str())),
        _ => None,
    };
    Ok(calc::akma(&a.k_ausf, &a.supi, a_kid, af)?)
}
