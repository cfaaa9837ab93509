//! `vusim calc gba | gba-autn`: GBA NAF keys and B-TID (TS 33.220 §4.5.2, Annex B.3, H.3) and
//! the GBA_U AUTN* masking (TS 33.220 §5.3.2).

use clap::Args;
use vusim_network::calc::inputs::{self as calc, GbaText};

use super::Report;

/// Arguments of `vusim calc gba`.
#[derive(Debug, Args)]
pub struct GbaArgs {
    /// CK (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ck: String,
    /// IK (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ik: String,
    /// RAND of the bootstrapping run (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub rand: String,
    /// IMPI, e.g. `001010123456789@ims.mnc001.mcc001.3gppnetwork.org`.
    #[arg(long)]
    pub impi: String,
    /// FQDN of the NAF.
    #[arg(long, value_name = "FQDN")]
    pub naf_fqdn: String,
    /// Ua security protocol identifier (5 bytes, TS 33.220 Annex H.3), e.g. `0100000002`.
    #[arg(long, value_name = "HEX5")]
    pub ua_protocol: String,
    /// BSF domain for the B-TID. Default: from an IMPI realm `ims.mncXXX.mccYYY.3gppnetwork.org`,
    /// `bsf.mncXXX.mccYYY.pub.3gppnetwork.org` (TS 23.003 §16.2); required otherwise.
    #[arg(long, value_name = "DOMAIN")]
    pub bsf_domain: Option<String>,
}

/// Arguments of `vusim calc gba-autn`.
#[derive(Debug, Args)]
pub struct GbaAutnArgs {
    /// IK of the challenge (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ik: String,
    /// AUTN (16 bytes); AUTN* is AUTN with MAC replaced by MAC*. Applied to AUTN* it un-masks.
    #[arg(long, value_name = "HEX")]
    pub autn: String,
}

/// `vusim calc gba`.
pub(super) fn gba(a: &GbaArgs) -> anyhow::Result<Report> {
    Ok(calc::gba(&GbaText {
        ck: &a.ck,
        ik: &a.ik,
        rand: &a.rand,
        impi: &a.impi,
        naf_fqdn: &a.naf_fqdn,
        ua_protocol: &a.ua_protocol,
        bsf_domain: a.bsf_domain.as_deref(),
    })?)
}
