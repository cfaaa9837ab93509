//! `vusim calc kdf`: the generic KDF of TS 33.220 Annex B.2,
//! `HMAC-SHA-256(Key, FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ …)`.

use clap::Args;

/// Arguments of `vusim calc kdf`.
///
/// Parameter order: the `--param` values in the order given, then the `--param-str` values in
/// the order given. To interleave text and octets, use only `--param` with `str:` / `hex:`.
#[derive(Debug, Args)]
pub struct KdfArgs {
    /// The key (any non-zero length, hex).
    #[arg(long, value_name = "HEX")]
    pub key: String,
    /// Function code: one byte `00`–`FE`, or two bytes `FFxx`.
    #[arg(long, value_name = "HEX")]
    pub fc: String,
    /// A parameter Pi: `hex:<HEX>` (octets), `str:<TEXT>` (NFKC, UTF-8), or bare hex.
    /// Repeat for P0, P1, … in order.
    #[arg(long, value_name = "[hex:|str:]VALUE")]
    pub param: Vec<String>,
    /// A text parameter (NFKC, UTF-8), appended after all --param values.
    #[arg(long, value_name = "TEXT")]
    pub param_str: Vec<String>,
}
