//! `vusim calc kdf`: the generic KDF of TS 33.220 Annex B.2,
//! `HMAC-SHA-256(Key, FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ …)`.

use anyhow::anyhow;
use clap::Args;
use vusim_apdu::hexstr::{hex_any, hex_nonempty};
use vusim_applet::crypto::kdf::{Fc, KdfInput};

use super::Report;

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

fn fc(text: &str) -> anyhow::Result<Fc> {
    match hex_any("--fc", text)?.as_slice() {
        [0xFF] => Err(anyhow!(
            "--fc: FF introduces a two-byte FC; give FFxx (TS 33.220 B.2.2)"
        )),
        [fc] => Ok(Fc::One(*fc)),
        [0xFF, fc2] => Ok(Fc::Two(*fc2)),
        [_, _] => Err(anyhow!("--fc: a two-byte FC starts with FF, got {text:?}")),
        other => Err(anyhow!(
            "--fc: expected 1 byte (2 hex digits) or 2 bytes FFxx, got {} bytes",
            other.len()
        )),
    }
}

/// `vusim calc kdf`.
pub(super) fn kdf(a: &KdfArgs) -> anyhow::Result<Report> {
    let key = hex_nonempty("--key", &a.key)?;
    let mut input = KdfInput::new(fc(&a.fc)?);
    for (i, p) in a.param.iter().enumerate() {
        input = if let Some(s) = p.strip_prefix("str:") {
            input.string(s)?
        } else {
            let h = p.strip_prefix("hex:").unwrap_or(p);
            input.bytes(&hex_any(&format!("--param {} (P{i})", i + 1), h)?)?
        };
    }
    for s in &a.param_str {
        input = input.string(s)?;
    }
    let mut r = Report::default();
    r.hex("derived", input.derive(&key)?.as_bytes());
    Ok(r)
}
