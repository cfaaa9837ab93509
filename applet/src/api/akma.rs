//! The AKMA API applet (3GPP TR 33.835 solutions #8/#10, UICC-based AKMA; docs/api/akma.md): K_AKMA stays in the card after the proposed 5G AKMA AUTHENTICATE context, per-AF keys K_AF (TS 33.535 Annex A.4) are derived in the card on request, and terminal applications use them for MACs, authenticated encryption, mutual authentication and secure storage under a per-AF policy and the K_AF lifetime.
//!
//! # ⚠ Experimental (AKMA API v0.1)
//!
//! **No standard exists for any of this.** TR 33.835 studies putting the AKMA framework on the
//! UICC; it defines no APDU. The AUTHENTICATE context P2 `87`, this applet's AID, its INS codes
//! and data objects are this project's proposal, mirroring the GBA_U API ([`super::gba`],
//! docs/api/gba-api.md); they will change, and no real card or terminal implements them. The
//! applet is built only with the `experimental-api` feature; the `[akma]` profile section is
//! parsed either way.
//!
//! * The USIM ([`crate::usim`], context P2 `87`) runs 5G AKA, keeps K_AUSF to itself, puts
//!   K_AKMA in the key store with its A-TID and A-KID, and returns RES* and K_SEAF only.
//! * This applet (standalone, selectable on any logical channel) derives K_AF =
//!   KDF(K_AKMA, 0x82, AF_ID) for an AF_ID on request (DERIVE K_AF returns the A-KID and the
//!   expiry, never key bytes), and offers the GBA_U API's operations ([`super::ops`]) over K_AF
//!   and over secrets an AF delivered wrapped under K_AF.
//! * Policy per AF (`[[akma.policy]]`, the GBA_U API's [`Policy`]):
//!   operations, logical channels, client application AIDs. Lifetimes on the card clock.
//!
//! The command decoder here is generic over a command table; the IoT API applet
//! ([`super::iot`]) uses it too.

use serde::{Deserialize, Serialize};

use super::policy::{ApiSection, Policy, PolicyEntry};
use crate::profile::{Profile, ProfileError};
use crate::usim::UsimExtensions;

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
    /// How many K_AF keys the card keeps at once (default [`DEFAULT_MAX_AF`]).
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

fn yes() -> bool {
    true
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

/// Default number of K_AF keys kept at once.
pub const DEFAULT_MAX_AF: u8 = 8;

/// The operations an AKMA policy may name (`e2e` is a GBA_U API operation only).
const AKMA_OPS: [&str; 4] = ["mac", "encrypt", "auth", "store"];

impl AkmaSection {
    /// Compile the per-AF policy (with the GBA_U API's policy engine; errors name `akma.` keys).
    pub fn policy(&self, file: &str) -> Result<Policy, ProfileError> {
        let check = |key: String, ops: &[String]| -> Result<(), ProfileError> {
            match ops.iter().find(|o| !AKMA_OPS.contains(&o.as_str())) {
                Some(o) => Err(crate::profile::err(
                    file,
                    &key,
                    format!("unknown operation {o:?} (mac, encrypt, auth or store)"),
                )),
                None => Ok(()),
            }
        };
        if let Some(d) = &self.default_ops {
            check("akma.default_ops".into(), d)?;
        }
        for (i, e) in self.policy.iter().enumerate() {
            check(format!("akma.policy[{i}].ops"), &e.ops)?;
        }
        if self.max_af == Some(0) {
            return Err(crate::profile::err(
                file,
                "akma.max_af",
                "must be at least 1",
            ));
        }
        let api = ApiSection {
            gba: true,
            seed: None,
            default_ops: self.default_ops.clone(),
            max_stored: self.max_stored,
            policy: self
                .policy
                .iter()
                .map(|e| PolicyEntry {
                    naf: e.af.clone(),
                    ops: e.ops.clone(),
                    channels: e.channels.clone(),
                    clients: e.clients.clone(),
                })
                .collect(),
        };
        Policy::from_section(&api, file).map_err(|mut e| {
            e.key = e.key.replacen("api.", "akma.", 1).replace("].naf", "].af");
            e.problem = e.problem.replace("NAF", "AF");
            e
        })
    }
}

/// The USIM's experimental contexts a profile turns on (`[akma]`, `[iot]`).
pub fn usim_extensions(p: &Profile) -> UsimExtensions {
    UsimExtensions {
        akma_context: p.akma.as_ref().is_some_and(|a| a.context),
        k_akma_lifetime: p.akma.as_ref().and_then(|a| a.k_akma_lifetime),
        iot_ks: p.iot.is_some(),
        iot_ks_lifetime: p.iot.as_ref().and_then(|i| i.ks_lifetime),
    }
}

/// The AKMA API applet a profile asks for (none without `[akma]` or with `api = false`).
#[cfg(feature = "experimental-api")]
pub(crate) fn applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    match &p.akma {
        Some(s) if s.api => Ok(vec![Box::new(AkmaApi::from_profile(p, s, file)?)]),
        Some(s) => s.policy(file).map(|_| Vec::new()),
        None => Ok(Vec::new()),
    }
}

/// Without the `experimental-api` feature no applet exists; the section is still checked.
#[cfg(not(feature = "experimental-api"))]
pub(crate) fn applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    if let Some(s) = &p.akma {
        s.policy(file)?;
    }
    Ok(Vec::new())
}

#[cfg(feature = "experimental-api")]
pub use imp::*;

#[cfg(feature = "experimental-api")]
mod imp {
    use vusim_apdu::tlv::Tlv;
    use vusim_apdu::{Command, Response, StatusWord};
    use zeroize::Zeroizing;

    use super::super::apdu::{self as gba_apdu, sw, tag, CommandRow, KeyAddress};
    use super::super::ops::{self, OpError, IV_LEN};
    use super::super::policy::{fqdn_of, Op, Policy, Refusal, Rule};
    use super::{AkmaSection, DEFAULT_MAX_AF};
    use crate::card::applet::{Applet, Context};
    use crate::card::keystore::{KeyEntry, KeyKind};
    use crate::card::CHANNELS;
    use crate::crypto::akma as akma_kdf;
    use crate::crypto::kdf::hmac_sha256;
    use crate::crypto::keys::Kakma;
    use crate::profile::{err, Profile, ProfileError};

    /// AKMA API version carried in GET INFO (DO `C0`): 0.1.
    pub const VERSION: [u8; 2] = [0x00, 0x01];

    /// AID of the AKMA API applet: RID `F0` (proprietary, ISO/IEC 7816-5), ASCII `VUSIM-AKMA`,
    /// API version `00 01`. SELECT may give the first 11 bytes.
    pub const AID: [u8; 13] = [
        0xF0, b'V', b'U', b'S', b'I', b'M', b'-', b'A', b'K', b'M', b'A', 0x00, 0x01,
    ];

    /// Instruction codes: the GBA_U API's (same coding), plus DERIVE K_AF.
    pub mod ins {
        pub use super::super::super::apdu::ins::{
            AUTHENTICATE, CIPHER, DELETE, GET_INFO, LIST_KEYS, MAC, STORE,
        };
        /// DERIVE K_AF: K_AF = KDF(K_AKMA, 0x82, AF_ID) into the key store; returns A-KID.
        pub const DERIVE_K_AF: u8 = 0x50;
    }

    /// Key kinds in LIST KEYS (DO `82`), next to the GBA_U API's `01`–`03`.
    pub mod kind {
        /// A secret stored under a K_AF (as the GBA_U API's stored key).
        pub const STORED: u8 = 0x02;
        /// K_AKMA (the current AKMA context: A-KID and state only).
        pub const K_AKMA: u8 = 0x04;
        /// K_AF.
        pub const K_AF: u8 = 0x05;
    }

    /// `DO 87` state values in LIST KEYS.
    pub mod state {
        /// Usable.
        pub const USABLE: u8 = 0x00;
        /// Expired.
        pub const EXPIRED: u8 = 0x01;
        /// No lifetime known: unusable.
        pub const NO_LIFETIME: u8 = 0x02;
        /// K_AKMA without a lifetime: usable until the next primary authentication.
        pub const UNTIL_NEXT_AKA: u8 = 0x03;
    }

    /// Every status word the AKMA API answers, with its meaning here.
    pub const STATUS_WORDS: &[(StatusWord, &str)] = &[
        (sw::OK, "success"),
        (sw::VERIFY_FAILED, "verification failed: MAC, AE tag, server proof or wrapped blob (a challenge it used is consumed)"),
        (sw::WRONG_LENGTH, "data field absent, or a data object of the wrong length"),
        (sw::OP_REFUSED, "policy: operation not allowed for this AF's keys"),
        (sw::EXPIRED, "K_AF (or the secret's) lifetime over; DERIVE K_AF: K_AKMA lifetime over"),
        (sw::CALLER_REFUSED, "policy: this logical channel or client AID may not use this AF's keys"),
        (sw::NO_CHALLENGE, "no card challenge outstanding on this channel for this key"),
        (sw::BAD_DATA, "malformed TLV, missing/repeated/unexpected data object, or bad value (expiry not in the future)"),
        (sw::BAD_ALGORITHM, "algorithm identifier unknown, reserved, or not for this command"),
        (sw::FULL, "no room for another K_AF or stored secret"),
        (sw::BAD_P1P2, "P1-P2 not defined for this instruction"),
        (sw::NO_SUCH_KEY, "no such key: no K_AKMA (no 5G AKMA authentication yet), no K_AF for this AF_ID, no such stored secret"),
        (sw::BAD_INS, "instruction not defined by the API"),
        (sw::BAD_CLA, "interindustry class with an API instruction"),
    ];

    use tag as t;

    /// The command table of the AKMA API. `80` is the AF_ID, `84` a stored secret's name.
    pub const COMMANDS: &[CommandRow] = &[
        CommandRow {
            name: "GET INFO",
            ins: ins::GET_INFO,
            p1: 0x00,
            op: None,
            required: &[],
            optional: &[],
            key: KeyAddress::None,
            returns_data: true,
            clause: "docs/api/akma.md §5.1",
        },
        CommandRow {
            name: "LIST KEYS",
            ins: ins::LIST_KEYS,
            p1: 0x00,
            op: None,
            required: &[],
            optional: &[],
            key: KeyAddress::None,
            returns_data: true,
            clause: "docs/api/akma.md §5.2",
        },
        CommandRow {
            name: "DERIVE K_AF",
            ins: ins::DERIVE_K_AF,
            p1: 0x00,
            op: None,
            required: &[t::EXPIRES],
            optional: &[],
            key: KeyAddress::BaseOnly,
            returns_data: true,
            clause: "docs/api/akma.md §5.3",
        },
        CommandRow {
            name: "MAC COMPUTE",
            ins: ins::MAC,
            p1: 0x00,
            op: Some(Op::Mac),
            required: &[t::ALG, t::DATA],
            optional: &[t::PURPOSE, t::MAC_LEN],
            key: KeyAddress::Any,
            returns_data: true,
            clause: "docs/api/akma.md §5.4",
        },
        CommandRow {
            name: "MAC VERIFY",
            ins: ins::MAC,
            p1: 0x01,
            op: Some(Op::Mac),
            required: &[t::ALG, t::DATA, t::MAC],
            optional: &[t::PURPOSE],
            key: KeyAddress::Any,
            returns_data: false,
            clause: "docs/api/akma.md §5.4",
        },
        CommandRow {
            name: "ENCRYPT",
            ins: ins::CIPHER,
            p1: 0x00,
            op: Some(Op::Encrypt),
            required: &[t::ALG, t::DATA],
            optional: &[t::PURPOSE, t::AAD],
            key: KeyAddress::Any,
            returns_data: true,
            clause: "docs/api/akma.md §5.5",
        },
        CommandRow {
            name: "DECRYPT",
            ins: ins::CIPHER,
            p1: 0x01,
            op: Some(Op::Encrypt),
            required: &[t::ALG, t::IV, t::DATA, t::MAC],
            optional: &[t::PURPOSE, t::AAD],
            key: KeyAddress::Any,
            returns_data: true,
            clause: "docs/api/akma.md §5.5",
        },
        CommandRow {
            name: "AUTHENTICATE (card proof)",
            ins: ins::AUTHENTICATE,
            p1: 0x00,
            op: Some(Op::Auth),
            required: &[t::ALG, t::CHALLENGE],
            optional: &[t::PURPOSE],
            key: KeyAddress::Any,
            returns_data: true,
            clause: "docs/api/akma.md §5.6",
        },
        CommandRow {
            name: "AUTHENTICATE (card challenge)",
            ins: ins::AUTHENTICATE,
            p1: 0x01,
            op: Some(Op::Auth),
            required: &[],
            optional: &[],
            key: KeyAddress::Any,
            returns_data: true,
            clause: "docs/api/akma.md §5.6",
        },
        CommandRow {
            name: "AUTHENTICATE (server proof)",
            ins: ins::AUTHENTICATE,
            p1: 0x02,
            op: Some(Op::Auth),
            required: &[t::ALG, t::PROOF],
            optional: &[t::PURPOSE],
            key: KeyAddress::Any,
            returns_data: false,
            clause: "docs/api/akma.md §5.6",
        },
        CommandRow {
            name: "STORE KEY",
            ins: ins::STORE,
            p1: 0x00,
            op: Some(Op::Store),
            required: &[t::STORED_NAME, t::ALG, t::IV, t::DATA, t::MAC],
            optional: &[],
            key: KeyAddress::BaseOnly,
            returns_data: false,
            clause: "docs/api/akma.md §5.7",
        },
        CommandRow {
            name: "DELETE KEY",
            ins: ins::DELETE,
            p1: 0x00,
            op: None,
            required: &[],
            optional: &[],
            key: KeyAddress::Any,
            returns_data: false,
            clause: "docs/api/akma.md §5.8",
        },
    ];

    /// The command APDU for a row of a command table, by name (empty for an unknown name).
    pub fn command_apdu(table: &[CommandRow], channel: u8, name: &str, dos: &[Tlv]) -> Vec<u8> {
        match table.iter().find(|r| r.name == name) {
            Some(row) => gba_apdu::command(channel, row, dos),
            None => Vec::new(),
        }
    }

    /// An AKMA API command APDU by name (see [`COMMANDS`]).
    pub fn apdu(channel: u8, name: &str, dos: &[Tlv]) -> Vec<u8> {
        command_apdu(COMMANDS, channel, name, dos)
    }

    // -----------------------------------------------------------------------------------------
    // The generic decoder (AKMA and IoT API applets).

    /// A decoded command of an API applet.
    pub(crate) struct Decoded {
        /// The command-table row.
        pub row: &'static CommandRow,
        /// The data objects, in order.
        pub dos: Vec<Tlv>,
        /// The announced client AID (`4F`).
        pub client: Option<Vec<u8>>,
    }

    impl Decoded {
        /// A data object's value.
        pub fn get(&self, t: u32) -> Option<&[u8]> {
            self.dos
                .iter()
                .find(|d| d.tag.0 == t)
                .map(|d| d.value.as_slice())
        }

        /// A data object the table made mandatory.
        pub fn need(&self, t: u32) -> Result<&[u8], StatusWord> {
            self.get(t).ok_or(sw::BAD_DATA)
        }

        /// The algorithm identifier (`90`), already checked for this command.
        pub fn alg(&self) -> Result<u8, StatusWord> {
            self.need(tag::ALG)?
                .first()
                .copied()
                .ok_or(sw::WRONG_LENGTH)
        }

        /// The purpose label (`91`, absent = empty).
        pub fn purpose(&self) -> &[u8] {
            self.get(tag::PURPOSE).unwrap_or_default()
        }

        /// The key reference (`80`).
        pub fn key_id(&self) -> Result<&[u8], StatusWord> {
            self.need(tag::NAF_ID)
        }
    }

    /// `Err(6700)` unless `v.len()` is in `r`.
    pub(crate) fn len_in(v: &[u8], r: std::ops::RangeInclusive<usize>) -> Result<(), StatusWord> {
        if r.contains(&v.len()) {
            Ok(())
        } else {
            Err(sw::WRONG_LENGTH)
        }
    }

    /// The status word of an operation error.
    pub(crate) fn op_sw(e: OpError) -> StatusWord {
        match e {
            OpError::Algorithm(_) => sw::BAD_ALGORITHM,
            OpError::Length { .. } | OpError::Crypto(_) => sw::WRONG_LENGTH,
            OpError::Verify => sw::VERIFY_FAILED,
        }
    }

    fn lookup(
        table: &'static [CommandRow],
        ins: u8,
        p1: u8,
    ) -> Result<&'static CommandRow, StatusWord> {
        let mut any = false;
        for row in table {
            if row.ins == ins {
                any = true;
                if row.p1 == p1 {
                    return Ok(row);
                }
            }
        }
        Err(if any { sw::BAD_P1P2 } else { sw::BAD_INS })
    }

    /// Checks one data object's value for a command: `Err(sw)` for a bad length or algorithm.
    pub(crate) type ValueCheck = fn(&CommandRow, u32, &[u8]) -> Result<(), StatusWord>;

    /// Decode a command against a table, as the GBA_U API does (docs/api/gba-api.md §7.2):
    /// class, INS, P1-P2, the BER-TLV structure, which objects are present (`sub_tags`: the
    /// objects that may accompany `80` in a key address), and each value through `value_ok`
    /// (lengths, algorithm identifiers) — every input error before anything is looked up.
    pub(crate) fn decode(
        cmd: &Command,
        table: &'static [CommandRow],
        sub_tags: &[u32],
        value_ok: ValueCheck,
    ) -> Result<Decoded, StatusWord> {
        let row = match lookup(table, cmd.ins(), cmd.p1()) {
            Ok(row) => row,
            Err(e) if e == sw::BAD_INS => return Err(e),
            Err(e) => {
                if !cmd.cla().is_proprietary() {
                    return Err(sw::BAD_CLA);
                }
                return Err(e);
            }
        };
        if !cmd.cla().is_proprietary() {
            return Err(sw::BAD_CLA);
        }
        if cmd.p2() != 0x00 {
            return Err(sw::BAD_P1P2);
        }
        let data = cmd.data();
        let key_tags: Vec<u32> = match row.key {
            KeyAddress::None => Vec::new(),
            KeyAddress::BaseOnly => vec![tag::NAF_ID],
            KeyAddress::Any | KeyAddress::SubOnly => {
                let mut v = vec![tag::NAF_ID];
                v.extend_from_slice(sub_tags);
                v
            }
        };
        let needs_data = row.key != KeyAddress::None || !row.required.is_empty();
        if needs_data && data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        let dos = Tlv::parse_all(data).map_err(|_| sw::BAD_DATA)?;
        let mut seen: Vec<u32> = Vec::new();
        for d in &dos {
            let tg = d.tag.0;
            let allowed = tg == tag::CLIENT_AID
                || key_tags.contains(&tg)
                || row.required.contains(&tg)
                || row.optional.contains(&tg);
            if !allowed || seen.contains(&tg) {
                return Err(sw::BAD_DATA);
            }
            seen.push(tg);
        }
        if row.required.iter().any(|tg| !seen.contains(tg)) {
            return Err(sw::BAD_DATA);
        }
        if row.key != KeyAddress::None && !seen.contains(&tag::NAF_ID) {
            return Err(sw::BAD_DATA);
        }
        if row.key == KeyAddress::SubOnly && !sub_tags.iter().any(|s| seen.contains(s)) {
            return Err(sw::BAD_DATA);
        }
        for d in &dos {
            let v = d.value.as_slice();
            match d.tag.0 {
                tag::CLIENT_AID => len_in(v, 5..=16)?,
                tag::NAF_ID => len_in(v, 1..=255)?,
                tg => value_ok(row, tg, v)?,
            }
        }
        let client = dos
            .iter()
            .find(|d| d.tag.0 == tag::CLIENT_AID)
            .map(|d| d.value.clone());
        Ok(Decoded { row, dos, client })
    }

    /// The value checks shared by the MAC and AE commands of the API applets.
    pub(crate) fn common_value_ok(row: &CommandRow, tg: u32, v: &[u8]) -> Result<(), StatusWord> {
        match tg {
            tag::ALG => {
                let [alg] = v else {
                    return Err(sw::WRONG_LENGTH);
                };
                let check = match row.ins {
                    ins::CIPHER | ins::STORE => ops::ae_alg(*alg),
                    _ => ops::mac_alg(*alg),
                };
                check.map(|_| ()).map_err(op_sw)
            }
            tag::PURPOSE => len_in(v, 0..=PURPOSE_MAX),
            tag::MAC_LEN => match v {
                [n] if ops::MAC_LEN_RANGE.contains(&usize::from(*n)) => Ok(()),
                _ => Err(sw::WRONG_LENGTH),
            },
            tag::MAC if row.ins == ins::MAC => len_in(v, ops::MAC_LEN_RANGE),
            tag::MAC => len_in(v, ops::AE_TAG_LEN..=ops::AE_TAG_LEN),
            tag::IV => len_in(v, IV_LEN..=IV_LEN),
            tag::CHALLENGE => len_in(v, SERVER_CHALLENGE_LEN),
            tag::PROOF => len_in(v, ops::PROOF_LEN..=ops::PROOF_LEN),
            tag::STORED_NAME => len_in(v, NAME_LEN),
            tag::DATA if row.ins == ins::STORE => len_in(v, SECRET_LEN),
            tag::EXPIRES => len_in(v, 8..=8),
            _ => Ok(()),
        }
    }

    /// Where challenges and IVs come from (as the GBA_U API, docs/api/gba-api.md §7.6).
    pub(crate) enum ApiRng {
        /// The card's generator.
        Card,
        /// HMAC-SHA-256(key, counter), the counter saved with the card state.
        Seeded {
            /// Generator key.
            key: Zeroizing<[u8; 32]>,
            /// Position.
            counter: u64,
        },
    }

    impl ApiRng {
        /// The generator for a profile: seeded from K and `[api] seed` with `label` in the
        /// purpose (so each applet draws its own sequence), else the card's.
        pub fn for_profile(p: &Profile, file: &str, label: &[u8]) -> Result<ApiRng, ProfileError> {
            let Some(seed) = p.api.seed else {
                return Ok(ApiRng::Card);
            };
            let k = Zeroizing::new(
                hex::decode(p.auth.k.trim()).map_err(|_| err(file, "auth.k", "not hex"))?,
            );
            let purpose = [label, &seed.to_be_bytes()].concat();
            let d = ops::derive(&k, ops::Usage::Drbg, 0, &purpose)
                .map_err(|e| err(file, "api.seed", e.to_string()))?;
            Ok(ApiRng::Seeded {
                key: Zeroizing::new(*d.expose()),
                counter: 0,
            })
        }

        /// Fill `out`.
        pub fn fill(&mut self, ctx: &mut Context<'_>, out: &mut [u8]) -> Result<(), StatusWord> {
            match self {
                ApiRng::Card => ctx.rng.fill_bytes(out),
                ApiRng::Seeded { key, counter } => {
                    for chunk in out.chunks_mut(32) {
                        *counter = counter.wrapping_add(1);
                        let block = hmac_sha256(key.as_slice(), &[&counter.to_be_bytes()])
                            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
                        for (o, b) in chunk.iter_mut().zip(block.iter()) {
                            *o = *b;
                        }
                    }
                    *ctx.dirty = true;
                }
            }
            Ok(())
        }

        /// Saved position.
        pub fn save(&self) -> Option<toml::Table> {
            match self {
                ApiRng::Seeded { counter, .. } if *counter > 0 => {
                    let mut tb = toml::Table::new();
                    tb.insert(
                        "drbg_counter".into(),
                        toml::Value::Integer(i64::try_from(*counter).unwrap_or(i64::MAX)),
                    );
                    Some(tb)
                }
                _ => None,
            }
        }

        /// Restore the saved position.
        pub fn restore(&mut self, state: &toml::Table) -> Result<(), String> {
            if let Some(v) = state.get("drbg_counter") {
                let n = v
                    .as_integer()
                    .and_then(|i| u64::try_from(i).ok())
                    .ok_or("drbg_counter: not a non-negative integer")?;
                if let ApiRng::Seeded { counter, .. } = self {
                    *counter = n;
                }
            }
            Ok(())
        }
    }

    /// Policy refusal → status word.
    pub(crate) fn refusal(r: Refusal) -> StatusWord {
        match r {
            Refusal::Caller => sw::CALLER_REFUSED,
            Refusal::Operation => sw::OP_REFUSED,
        }
    }

    /// Longest purpose label.
    pub const PURPOSE_MAX: usize = 64;
    /// Lengths of a server challenge RS.
    pub const SERVER_CHALLENGE_LEN: std::ops::RangeInclusive<usize> = 8..=64;
    /// Length of the card challenge RC.
    pub const CARD_CHALLENGE_LEN: usize = 16;
    /// How long a card challenge stays usable, seconds of card time.
    pub const CHALLENGE_TTL: u64 = 300;
    /// Lengths of a stored secret's name.
    pub const NAME_LEN: std::ops::RangeInclusive<usize> = 1..=32;
    /// Lengths of a secret STORE KEY accepts.
    pub const SECRET_LEN: std::ops::RangeInclusive<usize> = 1..=128;
    /// Default number of stored secrets.
    pub const DEFAULT_MAX_STORED: u8 = 16;

    // -----------------------------------------------------------------------------------------
    // The applet.

    /// Key-store id of a secret stored under an AF's K_AF: `80 AF_ID 84 name`.
    pub fn stored_id(af_id: &[u8], name: &[u8]) -> Vec<u8> {
        let mut v = Tlv::new(tag::NAF_ID, af_id.to_vec()).encode();
        Tlv::new(tag::STORED_NAME, name.to_vec()).encode_into(&mut v);
        v
    }

    fn split_stored_id(id: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let list = Tlv::parse_all(id).ok()?;
        match list.as_slice() {
            [a, b] if a.tag.0 == tag::NAF_ID && b.tag.0 == tag::STORED_NAME => {
                Some((a.value.clone(), b.value.clone()))
            }
            _ => None,
        }
    }

    /// A card challenge waiting for the server's proof.
    #[derive(Clone)]
    struct Pending {
        kind: KeyKind,
        id: Vec<u8>,
        rc: [u8; CARD_CHALLENGE_LEN],
        issued: u64,
    }

    /// The key a command addresses: (kind, store id, AF_ID).
    struct Address {
        kind: KeyKind,
        id: Vec<u8>,
        af_id: Vec<u8>,
    }

    fn address(d: &Decoded) -> Result<Address, StatusWord> {
        let af_id = d.key_id()?.to_vec();
        Ok(match d.get(tag::STORED_NAME) {
            Some(name) if d.row.key == KeyAddress::Any => Address {
                kind: KeyKind::AkmaStored,
                id: stored_id(&af_id, name),
                af_id,
            },
            _ => Address {
                kind: KeyKind::KAf,
                id: af_id.clone(),
                af_id,
            },
        })
    }

    /// The key a gated command may use.
    struct Usable {
        key: Zeroizing<Vec<u8>>,
        reference: Vec<u8>,
        expires: Option<u64>,
    }

    /// The AKMA API applet.
    pub struct AkmaApi {
        aid: Vec<u8>,
        policy: Policy,
        max_af: u8,
        max_stored: u8,
        rng: ApiRng,
        challenges: Vec<Option<Pending>>,
    }

    impl std::fmt::Debug for AkmaApi {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("AkmaApi")
                .field("policy", &self.policy)
                .finish_non_exhaustive()
        }
    }

    fn value_ok(row: &CommandRow, tg: u32, v: &[u8]) -> Result<(), StatusWord> {
        common_value_ok(row, tg, v)
    }

    impl AkmaApi {
        /// An applet with this policy, drawing randomness from the card.
        pub fn new(policy: Policy) -> AkmaApi {
            AkmaApi {
                aid: AID.to_vec(),
                policy,
                max_af: DEFAULT_MAX_AF,
                max_stored: DEFAULT_MAX_STORED,
                rng: ApiRng::Card,
                challenges: vec![None; CHANNELS],
            }
        }

        /// From a profile's `[akma]` section (and `[api] seed` for reproducible challenges/IVs).
        pub fn from_profile(
            p: &Profile,
            s: &AkmaSection,
            file: &str,
        ) -> Result<AkmaApi, ProfileError> {
            let mut a = AkmaApi::new(s.policy(file)?);
            a.max_af = s.max_af.unwrap_or(DEFAULT_MAX_AF);
            a.max_stored = s.max_stored.unwrap_or(DEFAULT_MAX_STORED);
            a.rng = ApiRng::for_profile(p, file, b"AKMA")?;
            Ok(a)
        }

        fn rule(&self, af_id: &[u8]) -> &Rule {
            self.policy.rule_for(fqdn_of(af_id))
        }

        /// Policy (caller, then operation), existence, lifetime.
        fn gate(&self, ctx: &Context<'_>, d: &Decoded) -> Result<(Address, Usable), StatusWord> {
            let a = address(d)?;
            let rule = self.rule(&a.af_id);
            match d.row.op {
                Some(op) => rule
                    .check(op, ctx.channel, d.client.as_deref())
                    .map_err(refusal)?,
                // DELETE KEY: of a stored secret needs `store`; of a K_AF, the caller only.
                None if a.kind == KeyKind::AkmaStored => rule
                    .check(Op::Store, ctx.channel, d.client.as_deref())
                    .map_err(refusal)?,
                None => {
                    if !rule.caller_allowed(ctx.channel, d.client.as_deref()) {
                        return Err(sw::CALLER_REFUSED);
                    }
                }
            }
            let entry = ctx.keys.get(a.kind, &a.id).ok_or(sw::NO_SUCH_KEY)?;
            let usable = Usable {
                key: entry.key.clone(),
                reference: entry.reference.clone(),
                expires: entry.expires,
            };
            // Deleting an expired key is fine; using one is not.
            if d.row.ins != ins::DELETE {
                match entry.expires {
                    Some(tm) if ctx.now < tm => {}
                    _ => return Err(sw::EXPIRED),
                }
            }
            Ok((a, usable))
        }

        fn get_info() -> Response {
            let mut out = Tlv::new(tag::VERSION, VERSION.to_vec()).encode();
            Tlv::new(
                tag::ALGORITHMS,
                vec![ops::ALG_HMAC_SHA256, ops::ALG_AES128_CTR_HMAC_SHA256],
            )
            .encode_into(&mut out);
            Tlv::new(tag::FC, vec![0xFF, 0xE8]).encode_into(&mut out);
            Response::ok(out)
        }

        fn state_of(expires: Option<u64>, now: u64, none: u8) -> u8 {
            match expires {
                Some(tm) if now < tm => state::USABLE,
                Some(_) => state::EXPIRED,
                None => none,
            }
        }

        fn list(&self, ctx: &Context<'_>, d: &Decoded) -> Response {
            let mut out = Vec::new();
            for e in ctx.keys.of_kind(KeyKind::KAkma) {
                let mut items = vec![
                    Tlv::new(tag::KIND, vec![kind::K_AKMA]),
                    Tlv::new(tag::B_TID, e.reference.clone()),
                ];
                if let Some(tm) = e.expires {
                    items.push(Tlv::new(tag::EXPIRES, tm.to_be_bytes().to_vec()));
                }
                items.push(Tlv::new(
                    tag::STATE,
                    vec![Self::state_of(e.expires, ctx.now, state::UNTIL_NEXT_AKA)],
                ));
                Tlv::constructed(tag::KEY_ENTRY, &items).encode_into(&mut out);
            }
            for (k, code) in [
                (KeyKind::KAf, kind::K_AF),
                (KeyKind::AkmaStored, kind::STORED),
            ] {
                for e in ctx.keys.of_kind(k) {
                    let (af_id, name) = if k == KeyKind::KAf {
                        (e.id.clone(), None)
                    } else {
                        match split_stored_id(&e.id) {
                            Some((a, n)) => (a, Some(n)),
                            None => continue,
                        }
                    };
                    let rule = self.rule(&af_id);
                    if !rule.caller_allowed(ctx.channel, d.client.as_deref()) {
                        continue;
                    }
                    let mut items = vec![
                        Tlv::new(tag::KIND, vec![code]),
                        Tlv::new(tag::NAF_ID, af_id),
                    ];
                    if let Some(n) = name {
                        items.push(Tlv::new(tag::STORED_NAME, n));
                    }
                    items.push(Tlv::new(tag::B_TID, e.reference.clone()));
                    if let Some(tm) = e.expires {
                        items.push(Tlv::new(tag::EXPIRES, tm.to_be_bytes().to_vec()));
                    }
                    items.push(Tlv::new(
                        tag::STATE,
                        vec![Self::state_of(e.expires, ctx.now, state::NO_LIFETIME)],
                    ));
                    items.push(Tlv::new(tag::OPS, vec![rule.ops]));
                    Tlv::constructed(tag::KEY_ENTRY, &items).encode_into(&mut out);
                }
            }
            Response::ok(out)
        }

        /// DERIVE K_AF: K_AF = KDF(K_AKMA, 0x82, AF_ID), kept with the A-KID until the expiry
        /// the ME gives (capped by K_AKMA's own).
        fn derive(&self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
            let af_id = d.key_id()?.to_vec();
            if !self
                .rule(&af_id)
                .caller_allowed(ctx.channel, d.client.as_deref())
            {
                return Err(sw::CALLER_REFUSED);
            }
            let raw: [u8; 8] = d
                .need(tag::EXPIRES)?
                .try_into()
                .map_err(|_| sw::WRONG_LENGTH)?;
            let wanted = u64::from_be_bytes(raw);
            let akma = ctx
                .keys
                .of_kind(KeyKind::KAkma)
                .first()
                .map(|e| (e.key.clone(), e.reference.clone(), e.expires))
                .ok_or(sw::NO_SUCH_KEY)?;
            let (k_akma, a_kid, akma_expires) = akma;
            if akma_expires.is_some_and(|tm| ctx.now >= tm) {
                return Err(sw::EXPIRED);
            }
            if wanted <= ctx.now {
                return Err(sw::BAD_DATA);
            }
            let expires = akma_expires.map_or(wanted, |tm| tm.min(wanted));
            let existing = ctx.keys.of_kind(KeyKind::KAf);
            if !existing.iter().any(|e| e.id == af_id) && existing.len() >= usize::from(self.max_af)
            {
                return Err(sw::FULL);
            }
            let k_akma = Kakma::from_slice(&k_akma).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
            let k_af =
                akma_kdf::k_af(&k_akma, &af_id).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
            ctx.keys.put(
                KeyEntry {
                    kind: KeyKind::KAf,
                    id: af_id,
                    reference: a_kid.clone(),
                    key: Zeroizing::new(k_af.as_bytes().to_vec()),
                    expires: Some(expires),
                    slot: 0,
                    last_used: 0,
                },
                None,
            );
            *ctx.dirty = true;
            let mut out = Tlv::new(tag::B_TID, a_kid).encode();
            Tlv::new(tag::EXPIRES, expires.to_be_bytes().to_vec()).encode_into(&mut out);
            Ok(Response::ok(out))
        }

        fn mac(d: &Decoded, k: &Usable) -> Result<Response, StatusWord> {
            let alg = d.alg()?;
            let msg = d.need(tag::DATA)?;
            if d.row.p1 == 0x01 {
                ops::mac_verify(&k.key, alg, d.purpose(), msg, d.need(tag::MAC)?).map_err(op_sw)?;
                return Ok(Response::ok(Vec::new()));
            }
            let len = d
                .get(tag::MAC_LEN)
                .and_then(|v| v.first())
                .map_or(32, |n| usize::from(*n));
            let tag_bytes = ops::mac(&k.key, alg, d.purpose(), msg, len).map_err(op_sw)?;
            Ok(Response::ok(Tlv::new(tag::MAC, tag_bytes).encode()))
        }

        fn cipher(
            &mut self,
            ctx: &mut Context<'_>,
            d: &Decoded,
            k: &Usable,
        ) -> Result<Response, StatusWord> {
            cipher(&mut self.rng, ctx, d, &k.key)
        }

        fn authenticate(
            &mut self,
            ctx: &mut Context<'_>,
            d: &Decoded,
            a: &Address,
            k: &Usable,
        ) -> Result<Response, StatusWord> {
            let ch = usize::from(ctx.channel);
            match d.row.p1 {
                0x01 => {
                    let mut rc = [0u8; CARD_CHALLENGE_LEN];
                    self.rng.fill(ctx, &mut rc)?;
                    if let Some(slot) = self.challenges.get_mut(ch) {
                        *slot = Some(Pending {
                            kind: a.kind,
                            id: a.id.clone(),
                            rc,
                            issued: ctx.now,
                        });
                    }
                    Ok(Response::ok(Tlv::new(tag::CHALLENGE, rc.to_vec()).encode()))
                }
                0x02 => {
                    let alg = d.alg()?;
                    let proof = d.need(tag::PROOF)?;
                    let slot = self.challenges.get_mut(ch).ok_or(sw::NO_CHALLENGE)?;
                    let pending = match slot {
                        Some(p) if p.kind == a.kind && p.id == a.id => p.clone(),
                        _ => return Err(sw::NO_CHALLENGE),
                    };
                    *slot = None;
                    let fresh =
                        pending.issued <= ctx.now && ctx.now - pending.issued < CHALLENGE_TTL;
                    if !fresh {
                        return Err(sw::NO_CHALLENGE);
                    }
                    ops::verify_server_proof(&k.key, alg, d.purpose(), &pending.rc, proof)
                        .map_err(op_sw)?;
                    Ok(Response::ok(Vec::new()))
                }
                _ => {
                    let alg = d.alg()?;
                    let rs = d.need(tag::CHALLENGE)?;
                    let proof = ops::card_proof(&k.key, alg, d.purpose(), rs).map_err(op_sw)?;
                    Ok(Response::ok(Tlv::new(tag::PROOF, proof.to_vec()).encode()))
                }
            }
        }

        fn store(
            &self,
            ctx: &mut Context<'_>,
            d: &Decoded,
            a: &Address,
            k: &Usable,
        ) -> Result<Response, StatusWord> {
            let name = d.need(tag::STORED_NAME)?;
            let id = stored_id(&a.af_id, name);
            let secret = ops::unwrap_secret(
                &k.key,
                d.alg()?,
                name,
                d.need(tag::IV)?,
                d.need(tag::DATA)?,
                d.need(tag::MAC)?,
            )
            .map_err(op_sw)?;
            let existing = ctx.keys.of_kind(KeyKind::AkmaStored);
            if !existing.iter().any(|e| e.id == id)
                && existing.len() >= usize::from(self.max_stored)
            {
                return Err(sw::FULL);
            }
            ctx.keys.put(
                KeyEntry {
                    kind: KeyKind::AkmaStored,
                    id,
                    reference: k.reference.clone(),
                    key: secret,
                    expires: k.expires,
                    slot: 0,
                    last_used: 0,
                },
                None,
            );
            *ctx.dirty = true;
            Ok(Response::ok(Vec::new()))
        }

        fn delete(ctx: &mut Context<'_>, a: &Address) -> Response {
            let (kind, id) = (a.kind, a.id.clone());
            ctx.keys.remove_where(|e| e.kind == kind && e.id == id);
            if kind == KeyKind::KAf {
                // The AF's stored secrets go with its K_AF.
                let af = a.af_id.clone();
                ctx.keys.remove_where(|e| {
                    e.kind == KeyKind::AkmaStored
                        && split_stored_id(&e.id).is_some_and(|(x, _)| x == af)
                });
            }
            *ctx.dirty = true;
            Response::ok(Vec::new())
        }
    }

    /// ENCRYPT (fresh IV from `rng`) and DECRYPT with `key` as the base key.
    pub(crate) fn cipher(
        rng: &mut ApiRng,
        ctx: &mut Context<'_>,
        d: &Decoded,
        key: &[u8],
    ) -> Result<Response, StatusWord> {
        let alg = d.alg()?;
        let aad = d.get(tag::AAD).unwrap_or_default();
        let data = d.need(tag::DATA)?;
        if d.row.p1 == 0x01 {
            let pt = ops::open(
                key,
                alg,
                d.purpose(),
                d.need(tag::IV)?,
                aad,
                data,
                d.need(tag::MAC)?,
            )
            .map_err(op_sw)?;
            return Ok(Response::ok(Tlv::new(tag::DATA, pt.to_vec()).encode()));
        }
        let mut iv = [0u8; IV_LEN];
        rng.fill(ctx, &mut iv)?;
        let s = ops::seal(key, alg, d.purpose(), iv, aad, data).map_err(op_sw)?;
        let mut out = Tlv::new(tag::IV, s.iv.to_vec()).encode();
        Tlv::new(tag::DATA, s.ciphertext).encode_into(&mut out);
        Tlv::new(tag::MAC, s.tag.to_vec()).encode_into(&mut out);
        Ok(Response::ok(out))
    }

    impl Applet for AkmaApi {
        fn label(&self) -> &str {
            "AKMA-API"
        }

        fn aid(&self) -> &[u8] {
            &self.aid
        }

        fn select(&mut self, ctx: &mut Context<'_>) -> Result<(), StatusWord> {
            if let Some(slot) = self.challenges.get_mut(usize::from(ctx.channel)) {
                *slot = None;
            }
            Ok(())
        }

        fn process(
            &mut self,
            ctx: &mut Context<'_>,
            cmd: &Command,
        ) -> Result<Response, StatusWord> {
            let d = decode(cmd, COMMANDS, &[tag::STORED_NAME], value_ok)?;
            match d.row.ins {
                ins::GET_INFO => return Ok(Self::get_info()),
                ins::LIST_KEYS => return Ok(self.list(ctx, &d)),
                ins::DERIVE_K_AF => return self.derive(ctx, &d),
                _ => {}
            }
            let (a, k) = self.gate(ctx, &d)?;
            match d.row.ins {
                ins::MAC => Self::mac(&d, &k),
                ins::CIPHER => self.cipher(ctx, &d, &k),
                ins::AUTHENTICATE => self.authenticate(ctx, &d, &a, &k),
                ins::STORE => self.store(ctx, &d, &a, &k),
                ins::DELETE => Ok(Self::delete(ctx, &a)),
                _ => Err(sw::BAD_INS),
            }
        }

        fn save_state(&self) -> Option<toml::Table> {
            self.rng.save()
        }

        fn restore_state(&mut self, state: &toml::Table) -> Result<(), String> {
            self.rng.restore(state)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn table_is_consistent() {
            for (i, a) in COMMANDS.iter().enumerate() {
                assert_eq!(lookup(COMMANDS, a.ins, a.p1).map(|r| r.name), Ok(a.name));
                for b in COMMANDS.iter().skip(i + 1) {
                    assert!(a.name != b.name && (a.ins, a.p1) != (b.ins, b.p1));
                }
                assert!(a.ins & 0xF0 != 0x60 && a.ins & 0xF0 != 0x90 && a.ins & 1 == 0);
            }
            let id = stored_id(b"af\x01\x00\x00\x00\x02", b"k");
            assert_eq!(
                split_stored_id(&id),
                Some((b"af\x01\x00\x00\x00\x02".to_vec(), b"k".to_vec()))
            );
            assert_eq!(hex::encode_upper(apdu(0, "GET INFO", &[])), "8040000000");
        }
    }
}
