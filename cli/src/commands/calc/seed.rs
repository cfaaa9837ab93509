//! `vusim calc iot | e2e`: the seed-key schemes of `vusim_applet::crypto::seed` with its
//! default (project-chosen) FC values `FF E0`–`FF E4`.

use clap::Args;
use vusim_apdu::hexstr::{hex_any, hex_fixed, hex_nonempty};
use vusim_applet::crypto::keys::{Ck, Ik, KsNaf};
use vusim_applet::crypto::seed::{self, SeedFcs};

use super::Report;

/// Arguments of `vusim calc iot`.
#[derive(Debug, Args)]
pub struct IotArgs {
    /// CK (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ck: String,
    /// IK (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ik: String,
    /// Application server identifier AS_ID (text, NFKC).
    #[arg(long, value_name = "ID")]
    pub as_id: String,
    /// RAND_AS (hex, at least 1 byte).
    #[arg(long, value_name = "HEX")]
    pub rand_as: String,
    /// GUTI (hex); adds the tag t = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS)[0..8].
    #[arg(long, value_name = "HEX")]
    pub guti: Option<String>,
}

/// Arguments of `vusim calc e2e`.
#[derive(Debug, Args)]
pub struct E2eArgs {
    /// Ks_(ext/int)_NAF (32 bytes).
    #[arg(long, value_name = "HEX")]
    pub ks_naf: String,
    /// The third party's key Ka (hex, at least 1 byte).
    #[arg(long, value_name = "HEX")]
    pub ka: String,
}

/// `vusim calc iot`.
pub(super) fn iot(a: &IotArgs) -> anyhow::Result<Report> {
    let ck = Ck::new(hex_fixed("--ck", &a.ck)?);
    let ik = Ik::new(hex_fixed("--ik", &a.ik)?);
    let rand_as = hex_nonempty("--rand-as", &a.rand_as)?;
    let guti = a
        .guti
        .as_deref()
        .map(|g| hex_any("--guti", g))
        .transpose()?;
    let fcs = SeedFcs::default();
    let ks = seed::iot_ks(&ck, &ik, &fcs)?;
    let keys = seed::iot_as_keys(&ks, &a.as_id, &fcs)?;
    let mut r = Report::default();
    r.hex("ks", ks.as_bytes());
    r.hex("ks_as", keys.ks_as.as_bytes());
    r.hex("ks_as_enc", keys.ks_as_enc.as_bytes());
    r.hex("ks_as_int", keys.ks_as_int.as_bytes());
    r.hex(
        "k_app",
        seed::iot_k_app(&keys.ks_as_enc, &rand_as, &fcs)?.as_bytes(),
    );
    if let Some(guti) = guti {
        r.hex("t", &seed::iot_tag(&keys.ks_as_int, &guti, &rand_as)?);
    }
    Ok(r)
}

/// `vusim calc e2e`.
pub(super) fn e2e(a: &E2eArgs) -> anyhow::Result<Report> {
    let ks_naf = KsNaf::new(hex_fixed("--ks-naf", &a.ks_naf)?);
    let ka = hex_nonempty("--ka", &a.ka)?;
    let mut r = Report::default();
    r.hex(
        "e2e_key",
        seed::e2e_key(&ks_naf, &ka, &SeedFcs::default())?.as_bytes(),
    );
    Ok(r)
}
