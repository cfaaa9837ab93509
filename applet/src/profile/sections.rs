//! The profile sections of the experimental card APIs (`[api]`, `[akma]`, `[iot]`): schema only.
//! What they mean is in [`crate::api`]: the policy engine compiles `[api]`/`[akma]` rules
//! ([`crate::api::policy`]), the applets read their limits. ⚠ Experimental, vusim's own.

use serde::{Deserialize, Serialize};

use super::ProfileError;

fn yes() -> bool {
    true
}

/// `[api]`: the experimental card APIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSection {
    /// Register the GBA_U API applet (default true).
    #[serde(default = "yes")]
    pub gba: bool,
    /// Deterministic challenges and IVs for reproducible examples: the applet then draws them
    /// from HMAC-SHA-256(KDF(K, FC, "drbg", seed), counter) instead of the card's generator, with
    /// the counter saved in the card state (docs/api/gba-api.md §5.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Operations allowed for NAFs that have no `[[api.policy]]` entry (default: every one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_ops: Option<Vec<String>>,
    /// How many keys STORE may keep in the card (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stored: Option<u8>,
    /// Per-NAF rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy: Vec<PolicyEntry>,
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            gba: true,
            seed: None,
            default_ops: None,
            max_stored: None,
            policy: Vec::new(),
        }
    }
}

impl ApiSection {
    /// True when the section says nothing beyond the defaults (then it is not serialised).
    pub fn is_default(&self) -> bool {
        *self == ApiSection::default()
    }
}

/// `[[api.policy]]`: the rule for one NAF's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    /// NAF FQDN (compared without regard to ASCII case).
    pub naf: String,
    /// Allowed operations: `mac`, `encrypt`, `auth`, `store`, `e2e`.
    pub ops: Vec<String>,
    /// Allowed logical channels (0–19); absent: every channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<u8>>,
    /// Allowed client application AIDs (hex, 5–16 bytes), announced by the terminal in DO `4F`;
    /// absent: any client, with or without `4F`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<String>>,
}

/// `[akma]`: UICC-based AKMA. Absent: the 5G AKMA context answers `9864` and no AKMA API
/// applet exists.
///
/// ```toml
/// [akma]
/// context = true            # AUTHENTICATE P2 87 (default true)
/// api = true                # the AKMA API applet (default true)
/// k_akma_lifetime = 86400   # seconds after the AKA (default: until the next primary authentication)
/// max_af = 8                # K_AF keys kept at once (default 8)
/// max_stored = 16           # secrets stored under K_AF keys (default 16)
/// default_ops = ["mac"]     # AFs without an entry below (default: every operation)
///
/// [[akma.policy]]
/// af = "bike.example.org"   # AF FQDN (AF_ID without the Ua* protocol id), any case
/// ops = ["mac", "encrypt", "auth", "store"]
/// channels = [0, 1]         # logical channels (default: all)
/// clients = ["F0010203040506"]   # client AIDs announced in DO 4F (default: any)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AkmaSection {
    /// Answer AUTHENTICATE in the 5G AKMA context (P2 `87`).
    #[serde(default = "yes")]
    pub context: bool,
    /// Register the AKMA API applet.
    #[serde(default = "yes")]
    pub api: bool,
    /// K_AKMA lifetime, seconds of card time after the AKA (absent: until the next one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_akma_lifetime: Option<u64>,
    /// How many K_AF keys the card keeps at once (default 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_af: Option<u8>,
    /// How many secrets STORE KEY may keep under K_AF keys (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stored: Option<u8>,
    /// Operations allowed for AFs without an `[[akma.policy]]` entry (default: every one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_ops: Option<Vec<String>>,
    /// Per-AF rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy: Vec<AfPolicyEntry>,
}

/// `[[akma.policy]]`: the rule for one AF's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfPolicyEntry {
    /// AF FQDN (compared without regard to ASCII case).
    pub af: String,
    /// Allowed operations: `mac`, `encrypt`, `auth`, `store`.
    pub ops: Vec<String>,
    /// Allowed logical channels (0–19); absent: every channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<u8>>,
    /// Allowed client application AIDs (hex, 5–16 bytes); absent: any client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<String>>,
}

/// `[iot]`: the IoT end-to-end scheme. Present: the USIM keeps the IoT Ks after each
/// successful AKA (3G and 5G AKMA contexts) and, with `api` (default true), the IoT API applet
/// is registered. Absent: neither.
///
/// ```toml
/// [iot]
/// api = true              # the IoT API applet (default true)
/// ks_lifetime = 86400     # seconds after the AKA (default: until the next AKA)
/// max_sessions = 32       # RAND_AS values accepted per Ks (default 32)
///
/// [[iot.as_keys]]         # an AS's public key for the certificate variant (any number)
/// as_id = "as.iot.example.org"
/// ecies = "B"             # TS 33.501 Annex C profile: "A" (X25519) or "B" (P-256)
/// public_key = "0272DA71…" # hex: 32 bytes (A); SEC1 33 or 65 bytes (B)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IotSection {
    /// Register the IoT API applet.
    #[serde(default = "yes")]
    pub api: bool,
    /// IoT Ks lifetime, seconds of card time after the AKA (absent: until the next AKA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks_lifetime: Option<u64>,
    /// How many RAND_AS values the card accepts under one Ks (default 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_sessions: Option<u8>,
    /// The application servers' public keys the card encrypts RAND_AS to (the certificate
    /// variant of TR 33.863 solution #11; docs/api/iot.md §5.3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_keys: Vec<IotAsKey>,
}

/// `[[iot.as_keys]]`: one application server's public key, provisioned in the card as a raw
/// key (vusim's choice: no certificate parsing in the card; docs/api/iot.md §5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IotAsKey {
    /// AS_ID (1–255 bytes of UTF-8).
    pub as_id: String,
    /// The ECIES profile of TS 33.501 Annex C: "A" (X25519) or "B" (P-256).
    pub ecies: String,
    /// The public key, hex: 32 bytes (A); SEC1 compressed (33) or uncompressed (65) (B).
    pub public_key: String,
}

impl IotAsKey {
    /// The ECIES profile and the key bytes, checked (P-256 keys compressed).
    pub fn decode(&self) -> Result<(crate::crypto::suci::EciesProfile, Vec<u8>), String> {
        use crate::crypto::suci::{recipient_key, EciesProfile};
        let profile = match self.ecies.as_str() {
            "A" | "a" => EciesProfile::A,
            "B" | "b" => EciesProfile::B,
            other => return Err(format!("ecies {other:?}: expected \"A\" or \"B\"")),
        };
        let key = hex::decode(self.public_key.trim()).map_err(|_| "public_key: not hex")?;
        let key = recipient_key(profile, &key).map_err(|_| {
            format!(
                "public_key: not a profile {} public key",
                self.ecies.to_uppercase()
            )
        })?;
        Ok((profile, key))
    }
}

impl IotSection {
    /// Check the values a type cannot (`max_sessions` ≥ 1, the AS keys, one per AS_ID).
    pub fn check(&self, file: &str) -> Result<(), ProfileError> {
        if self.max_sessions == Some(0) {
            return Err(super::err(file, "iot.max_sessions", "must be at least 1"));
        }
        for (i, k) in self.as_keys.iter().enumerate() {
            let key = format!("iot.as_keys[{i}]");
            if k.as_id.is_empty() || k.as_id.len() > 255 {
                return Err(super::err(file, &key, "as_id: 1 to 255 bytes"));
            }
            if self.as_keys.iter().take(i).any(|o| o.as_id == k.as_id) {
                return Err(super::err(file, &key, "a second key for this as_id"));
            }
            k.decode().map_err(|e| super::err(file, &key, e))?;
        }
        Ok(())
    }
}

/// `[[gbauapi]]`: one record of EF_GBAUAPI (TS 31.102 Rel-18, Access Control to GBA_U_API):
/// the card applet `applet` may use Ks_int_NAF of the NAF `naf` (with Ua protocol `ua`).
///
/// ```toml
/// [[gbauapi]]
/// applet = "F0565553494D2D444F4F520001"   # AID of the card applet (hex, 5–16 bytes)
/// naf = "lock.example.org"                # NAF FQDN
/// ua = "0100000002"                       # Ua security protocol id (default 0100000002)
/// application = "usim"                    # the EF of ADF.USIM (default) or "isim"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GbauapiEntry {
    /// AID of the UICC applet, hex.
    pub applet: String,
    /// NAF FQDN.
    pub naf: String,
    /// Ua security protocol identifier, hex (5 bytes; TS 33.220 Annex H).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ua: Option<String>,
    /// Which application's EF_GBAUAPI: `usim` (default) or `isim`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
}

/// The Ua security protocol id vusim's examples use (TS 33.220 Annex H: `01 00 00 00 02`).
pub const DEFAULT_UA: &str = "0100000002";

impl GbauapiEntry {
    /// The NAF_ID: FQDN ‖ Ua security protocol id.
    pub fn naf_id(&self, file: &str, key: &str) -> Result<Vec<u8>, ProfileError> {
        naf_id(&self.naf, self.ua.as_deref(), file, key)
    }
}

/// A NAF_ID from a profile: the ASCII FQDN ‖ the 5-byte Ua security protocol id (hex, default
/// [`DEFAULT_UA`]); errors name `key`.
pub fn naf_id(
    fqdn: &str,
    ua: Option<&str>,
    file: &str,
    key: &str,
) -> Result<Vec<u8>, ProfileError> {
    let ua = hex::decode(ua.unwrap_or(DEFAULT_UA))
        .ok()
        .filter(|u| u.len() == 5)
        .ok_or_else(|| super::err(file, key, "ua: expected 5 bytes of hex"))?;
    if fqdn.is_empty() || !fqdn.is_ascii() {
        return Err(super::err(file, key, "naf: expected an ASCII FQDN"));
    }
    Ok([fqdn.as_bytes(), &ua].concat())
}

/// `[applets]`: the card applets on the GBA_U key service (docs/api/card-applets.md, vusim's
/// coding v0.1). Each needs an EF_GBAUAPI record for its NAF before it can use the key.
///
/// ```toml
/// [applets]
/// door_lock = "lock.example.org"   # the door-lock applet and its lock platform's NAF FQDN
/// v2x = "v2x.example.org"          # the V2X provisioning applet and its enrolment CA's NAF
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardAppletsSection {
    /// The door-lock applet, for this NAF FQDN (Ua protocol 0100000002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub door_lock: Option<String>,
    /// The V2X provisioning applet, for this NAF FQDN (Ua protocol 0100000002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v2x: Option<String>,
}

/// `[[loadable]]`: a loadable WebAssembly applet carried in the card file (docs/applets.md §6;
/// vusim's own). `vusim card install` writes these entries.
///
/// ```toml
/// [[loadable]]
/// module = "AGFzbQEAAAA…"           # base64 of the module
/// aid = "F0565553494D2D444F4F520001" # optional when the module declares one
/// label = "DOOR-LOCK"                # optional
/// params = "0102"                    # optional install parameters, hex
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadableEntry {
    /// The module's bytes, base64 (standard alphabet, padded).
    pub module: String,
    /// The module's file name when installed, for messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// AID, hex (overrides the module's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aid: Option<String>,
    /// Label (overrides the module's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Install parameters, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<String>,
}
