//! The inputs the network-side commands (`vusim naf`, `vusim akma`, `vusim iot`) share, as the
//! command line gives them: the card profile, RAND/SQN/SNN/RID of an AKA, a NAF_Id or AF_ID,
//! the card APDU options. Hex text is parsed here, when a procedure needs it, and every error
//! names its argument (vusim's own; no spec clause).

use std::path::Path;

use vusim_apdu::hexstr::{hex_any, hex_fixed};
use vusim_applet::profile::Profile;
use vusim_crypto::gba::{self, UaProtocolId};

use crate::error::{NetworkError, Result};

/// One value a command-line choice offers: the value, its name and a one-line help (what
/// `--help` lists under "Possible values").
pub type Choice<T> = (T, &'static str, &'static str);

/// Where a 5G HE AV comes from: the card profile, RAND, SQN (`--card --rand --sqn --snn --rid`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AvInput<'a> {
    /// Card file (its profile's K/OPc and IMSI); the embedded default card when absent.
    pub card: Option<&'a Path>,
    /// RAND (hex, 16 bytes).
    pub rand: Option<&'a str>,
    /// SQN (hex, 6 bytes).
    pub sqn: Option<&'a str>,
    /// Serving network name.
    pub snn: Option<&'a str>,
    /// Routing Indicator of the A-KID.
    pub rid: Option<&'a str>,
}

impl AvInput<'_> {
    /// The card profile.
    pub fn profile(&self) -> Result<Profile> {
        load_profile(self.card)
    }
}

/// The card profile of a card file, else the embedded default.
pub fn load_profile(card: Option<&Path>) -> Result<Profile> {
    match card {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| NetworkError::CardFile {
                path: path.to_path_buf(),
                source,
            })?;
            Ok(Profile::from_toml(&text, &path.display().to_string())?)
        }
        None => Ok(Profile::embedded_default()),
    }
}

/// `--sqn`: a 6-byte SQN as a number.
pub fn sqn(text: &str) -> Result<u64> {
    let b: [u8; 6] = hex_fixed("--sqn", text)?;
    Ok(b.iter().fold(0u64, |a, x| (a << 8) | u64::from(*x)))
}

/// A NAF_Id or AF_ID = FQDN ‖ Ua (or Ua*) security protocol identifier (TS 33.220 Annex H.3;
/// TS 33.535 Annex B), given directly or as its FQDN and protocol identifier.
#[derive(Debug, Clone, Copy)]
pub struct NafIdInput<'a> {
    /// The argument of the direct form (`--naf-id`, `--af-id`).
    pub id_arg: &'static str,
    /// The identifier directly (hex).
    pub id: Option<&'a str>,
    /// The FQDN.
    pub fqdn: Option<&'a str>,
    /// The protocol identifier (hex, 5 bytes, `--ua-protocol`).
    pub ua: &'a str,
}

impl NafIdInput<'_> {
    /// The identifier, if given either way.
    pub fn resolve(&self) -> Result<Option<Vec<u8>>> {
        if let Some(h) = self.id {
            return Ok(Some(hex_any(self.id_arg, h)?));
        }
        match self.fqdn {
            Some(fqdn) => {
                let ua = UaProtocolId::from_bytes(hex_fixed("--ua-protocol", self.ua)?);
                Ok(Some(gba::naf_id(fqdn, ua)))
            }
            None => Ok(None),
        }
    }
}

/// The options of the printed card APDUs: logical channel and client AID (`--channel
/// --client`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CardInput<'a> {
    /// Logical channel.
    pub channel: u8,
    /// Client application AID (hex, DO 4F).
    pub client: Option<&'a str>,
}

impl CardInput<'_> {
    /// The client AID.
    pub fn client(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.client.map(|h| hex_any("--client", h)).transpose()?)
    }
}

/// A value given as text (`--WHAT`) or hex (`--WHAT-hex`), exactly one of them.
pub fn text_or_hex(what: &str, text: Option<&str>, hex: Option<&str>) -> Result<Vec<u8>> {
    match (text, hex) {
        (Some(t), None) => Ok(t.as_bytes().to_vec()),
        (None, Some(h)) => Ok(hex_any(&format!("--{what}-hex"), h)?),
        _ => Err(NetworkError::input(format!(
            "give --{what} (text) or --{what}-hex"
        ))),
    }
}
