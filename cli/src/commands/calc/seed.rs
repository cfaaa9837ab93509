//! `vusim calc iot | e2e`: the seed-key schemes of `vusim_applet::crypto::seed` with its
//! default (project-chosen) FC values `FF E0`–`FF E4`.

use clap::Args;

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
