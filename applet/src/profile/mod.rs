//! Card profiles (TOML): identities, authentication algorithm and secrets, SQN scheme, PINs, service tables and EF contents; the embedded default profile.

pub mod sections;

/// The service tables are spec identities next to the file tables ([`crate::fs::services`]).
pub use crate::fs::services;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::card::image::CardImage;

/// The embedded default profile (test PLMN 001/01, TS 35.208 test set 1 keys).
pub const DEFAULT_PROFILE: &str = include_str!("default.toml");

/// A profile problem, naming the file, the key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {key}: {problem}")]
pub struct ProfileError {
    /// The profile file (or `<embedded default>`).
    pub file: String,
    /// The TOML key (dotted path) or `line L, column C`.
    pub key: String,
    /// What is wrong.
    pub problem: String,
}

/// `[card]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSection {
    /// ICCID digits (18–20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iccid: Option<String>,
}

/// `[usim]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsimSection {
    /// Application identifier, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aid: Option<String>,
    /// IMSI digits (6–15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imsi: Option<String>,
    /// MNC length, 2 or 3 (written to EF.AD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mnc_len: Option<u8>,
    /// MSISDN, `+` and digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msisdn: Option<String>,
    /// Service provider name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spn: Option<String>,
    /// Routing indicator, 1–4 digits (EF.Routing_Indicator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_indicator: Option<String>,
    /// SUCI protection: `null`, `profile-a` or `profile-b`, with the home network key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suci: Option<SuciSection>,
}

/// `[usim.suci]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuciSection {
    /// `null`, `profile-a` or `profile-b`.
    pub scheme: String,
    /// Home network public key identifier (0–255).
    #[serde(default)]
    pub key_id: u8,
    /// Home network public key, hex (32 bytes for profile A, 33 compressed for profile B).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

/// `[isim]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsimSection {
    /// Present on the card (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Application identifier, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aid: Option<String>,
    /// IMS private identity (default derived from the IMSI, TS 23.003 §13.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impi: Option<String>,
    /// IMS public identities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impu: Vec<String>,
    /// Home network domain name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// `[auth]`.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    /// `milenage`, `tuak` or `xor`.
    #[serde(default = "default_algorithm")]
    pub algorithm: String,
    /// K, hex (16 bytes; TUAK also 32).
    #[serde(default)]
    pub k: String,
    /// OP (MILENAGE) or TOP (TUAK), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<String>,
    /// OPc (MILENAGE) or TOPc (TUAK), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opc: Option<String>,
    /// MILENAGE rotations r1–r5 (bits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<[u32; 5]>,
    /// MILENAGE constants c1–c5, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub c: Option<[String; 5]>,
    /// RES length in bits (TUAK 32/64/128/256; XOR 32–128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub res_bits: Option<u16>,
    /// TUAK MAC length in bits (64 for AKA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_bits: Option<u16>,
    /// TUAK CK length in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ck_bits: Option<u16>,
    /// TUAK IK length in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ik_bits: Option<u16>,
    /// TUAK Keccak iterations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
    /// SQN scheme.
    #[serde(default)]
    pub sqn: SqnSection,
}

fn default_algorithm() -> String {
    "milenage".to_string()
}

impl fmt::Debug for AuthSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSection")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// `[auth.sqn]`: TS 33.102 Annex C parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqnSection {
    /// Bits of IND in SQN (0–10; 5 gives 32 array entries).
    #[serde(default = "default_ind_bits")]
    pub ind_bits: u8,
    /// Δ: how far SEQ may jump ahead of the highest accepted (0 = no limit).
    #[serde(default = "default_delta")]
    pub delta: u64,
    /// L: how far SEQ may lag behind the highest accepted (0 = no limit).
    #[serde(default)]
    pub age_limit: u64,
}

fn default_ind_bits() -> u8 {
    5
}
fn default_delta() -> u64 {
    1 << 28
}

impl Default for SqnSection {
    fn default() -> Self {
        SqnSection {
            ind_bits: default_ind_bits(),
            delta: default_delta(),
            age_limit: 0,
        }
    }
}

/// `[pins]`.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinSection {
    /// PIN1 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin1: Option<String>,
    /// PUK1 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puk1: Option<String>,
    /// PIN1 enabled (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin1_enabled: Option<bool>,
    /// PIN2 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin2: Option<String>,
    /// PUK2 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puk2: Option<String>,
    /// Universal PIN digits (disabled unless `universal_pin_enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub universal_pin: Option<String>,
    /// Universal PIN enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub universal_pin_enabled: Option<bool>,
    /// ADM1: 8 characters, or 16 hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adm1: Option<String>,
    /// PIN retry limit (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_retries: Option<u8>,
    /// PUK retry limit (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puk_retries: Option<u8>,
    /// ADM retry limit (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adm_retries: Option<u8>,
}

impl fmt::Debug for PinSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinSection { .. }")
    }
}

/// `[services]`: available services by number or name (see [`services`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSection {
    /// USIM service table (EF.UST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ust: Option<Vec<services::ServiceRef>>,
    /// Enabled services table (EF.EST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub est: Option<Vec<services::ServiceRef>>,
    /// ISIM service table (EF.IST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ist: Option<Vec<services::ServiceRef>>,
}

/// A card profile.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `[card]`.
    #[serde(default)]
    pub card: CardSection,
    /// `[usim]`.
    #[serde(default)]
    pub usim: UsimSection,
    /// `[isim]`.
    #[serde(default)]
    pub isim: IsimSection,
    /// `[auth]`.
    #[serde(default)]
    pub auth: AuthSection,
    /// `[pins]`.
    #[serde(default)]
    pub pins: PinSection,
    /// `[services]`.
    #[serde(default)]
    pub services: ServiceSection,
    /// `[api]`: the experimental card APIs and their key policy (see [`crate::api::policy`]).
    #[serde(default, skip_serializing_if = "sections::ApiSection::is_default")]
    pub api: sections::ApiSection,
    /// `[akma]`: UICC-based AKMA, experimental (see [`crate::api::akma`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub akma: Option<sections::AkmaSection>,
    /// `[iot]`: the IoT end-to-end scheme, experimental (see [`crate::api::iot`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iot: Option<sections::IotSection>,
    /// `[applets]`: the card applets on the GBA_U key service (see [`crate::api::door_lock`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applets: Option<sections::CardAppletsSection>,
    /// `[[gbauapi]]`: EF_GBAUAPI records, which card applet may use which NAF's key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gbauapi: Vec<sections::GbauapiEntry>,
    /// `[[loadable]]`: loadable WebAssembly applets, module bytes included (docs/applets.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loadable: Vec<sections::LoadableEntry>,
    /// `[files]`: raw EF contents by name (`"EF.SPN"`, `"USIM/EF.SPN"`, `"ISIM/EF.IMPU"`) or FID
    /// path (`"USIM:6F46"`, `"MF:2F05"`), hex; record files take one hex string per record.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, FileValue>,
    /// Durable state written by vusim (do not edit by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<CardImage>,
}

/// EF contents in `[files]`: one hex string, or a list of records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FileValue {
    /// Transparent contents (or every record the same).
    Hex(String),
    /// One hex string per record from record 1.
    Records(Vec<String>),
}

impl Profile {
    /// Parse TOML; `file` names the source in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<Profile, ProfileError> {
        toml::from_str::<Profile>(text).map_err(|e| {
            let key = match e.span() {
                Some(span) => {
                    let before = text.get(..span.start).unwrap_or_default();
                    let line = before.matches('\n').count() + 1;
                    let col = span.start - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line}, column {col}")
                }
                None => "(document)".to_string(),
            };
            ProfileError {
                file: file.to_string(),
                key,
                problem: e.message().to_string(),
            }
        })
    }

    /// The embedded default profile.
    pub fn embedded_default() -> Profile {
        // The embedded profile is tested to parse; fall back to an empty profile never happens.
        Profile::from_toml(DEFAULT_PROFILE, "<embedded default>").unwrap_or_default()
    }

    /// Serialise back to TOML (the state section included).
    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string_pretty(self).map_err(|e| e.to_string())
    }
}

/// Shorthand for an error at `key`.
pub(crate) fn err(file: &str, key: &str, problem: impl Into<String>) -> ProfileError {
    ProfileError {
        file: file.to_string(),
        key: key.to_string(),
        problem: problem.into(),
    }
}

/// Keys of an applet's saved state (`[state.apps.*]`) that hold secrets, redacted by `card show`
/// (`store`: a loadable applet's persistent store, which may hold the applet's secrets).
pub const SECRET_STATE_KEYS: &[&str] = &["ks", "key", "store"];

/// Redact secrets (K, OP/OPc, PINs, keys in the state) from a profile's TOML text.
pub fn redact(profile: &Profile) -> Profile {
    let mut p = profile.clone();
    let hide = |v: &mut Option<String>| {
        if v.is_some() {
            *v = Some("<redacted>".to_string());
        }
    };
    p.auth.k = "<redacted>".to_string();
    hide(&mut p.auth.op);
    hide(&mut p.auth.opc);
    for v in [
        &mut p.pins.pin1,
        &mut p.pins.puk1,
        &mut p.pins.pin2,
        &mut p.pins.puk2,
        &mut p.pins.universal_pin,
        &mut p.pins.adm1,
    ] {
        hide(v);
    }
    if let Some(state) = &mut p.state {
        for pin in &mut state.pins {
            pin.value = "<redacted>".to_string();
            if pin.unblock.is_some() {
                pin.unblock = Some("<redacted>".to_string());
            }
        }
        for table in state.apps.values_mut() {
            redact_table(table);
        }
        for k in &mut state.keys {
            k.key = "<redacted>".to_string();
        }
    }
    p
}

fn redact_table(table: &mut toml::Table) {
    for (k, v) in table.iter_mut() {
        if SECRET_STATE_KEYS.contains(&k.as_str()) {
            *v = toml::Value::String("<redacted>".to_string());
        } else {
            redact_value(v);
        }
    }
}

fn redact_value(v: &mut toml::Value) {
    match v {
        toml::Value::Table(t) => redact_table(t),
        toml::Value::Array(a) => a.iter_mut().for_each(redact_value),
        _ => {}
    }
}
