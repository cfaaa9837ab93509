//! The APDU coding of the GBA_U API v0.1 (docs/api/gba-api.md §3–§4): AID, class, INS and P1 per command, data-object tags, algorithm identifiers and status words, in one table each; and builders for the command APDUs a terminal (or a test, or `vusim naf`) sends.
//!
//! ⚠ Experimental: no standard coding exists; this is the project's proposal. Change a value
//! here and the applet, the CLI, the tests and the generated documentation examples follow.

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Class, Command, StatusWord};

use super::policy::Op;

/// API version carried in GET INFO (DO `C0`): 0.1.
pub const VERSION: [u8; 2] = [0x00, 0x01];

/// AID of the GBA_U API applet: RID `F0` (ISO/IEC 7816-5: a proprietary, unregistered RID),
/// then ASCII `VUSIM-GBA`, then the API version `00 01`. SELECT may give the first 10 bytes.
pub const AID: [u8; 12] = [
    0xF0, b'V', b'U', b'S', b'I', b'M', b'-', b'G', b'B', b'A', 0x00, 0x01,
];

/// Instruction codes (all with a proprietary class `8X`/`CX`, TS 102 221 §10.1.1).
pub mod ins {
    /// GET INFO: API version, algorithms, FC.
    pub const GET_INFO: u8 = 0x40;
    /// LIST KEYS: NAF_Id, B-TID, lifetime, state — never key bytes.
    pub const LIST_KEYS: u8 = 0x42;
    /// MAC: P1 `00` compute, `01` verify.
    pub const MAC: u8 = 0x44;
    /// CIPHER: P1 `00` encrypt, `01` decrypt.
    pub const CIPHER: u8 = 0x46;
    /// AUTHENTICATE: P1 `00` card proof, `01` card challenge, `02` server proof.
    pub const AUTHENTICATE: u8 = 0x48;
    /// STORE KEY: unwrap a blob into the card.
    pub const STORE: u8 = 0x4A;
    /// DERIVE E2E KEY: e2e_key = KDF(Ks_int_NAF, Ka).
    pub const DERIVE_E2E: u8 = 0x4C;
    /// DELETE KEY: a stored key or an e2e_key.
    pub const DELETE: u8 = 0x4E;
}

/// P1 values.
pub mod p1 {
    /// MAC compute / encrypt / card proof / store / derive / delete / info / list.
    pub const DEFAULT: u8 = 0x00;
    /// MAC verify.
    pub const MAC_VERIFY: u8 = 0x01;
    /// Decrypt.
    pub const DECRYPT: u8 = 0x01;
    /// AUTHENTICATE: the card issues a challenge RC.
    pub const CARD_CHALLENGE: u8 = 0x01;
    /// AUTHENTICATE: the server proves on RC.
    pub const SERVER_PROOF: u8 = 0x02;
}

/// Data-object tags (BER-TLV, ISO/IEC 7816-4 §5.2; context-specific `8X`/`9X`, private `CX`/`EX`).
pub mod tag {
    /// Client application AID the terminal announces (ISO/IEC 7816-4 application identifier).
    pub const CLIENT_AID: u32 = 0x4F;
    /// NAF_Id = FQDN ‖ Ua security protocol id (as in EF_GBANL, TS 31.102 §4.2.84): the key.
    pub const NAF_ID: u32 = 0x80;
    /// B-TID (LIST KEYS).
    pub const B_TID: u32 = 0x81;
    /// Key kind (LIST KEYS): `01` Ks_int_NAF, `02` stored, `03` e2e_key.
    pub const KIND: u32 = 0x82;
    /// Name of a stored key (with `80`: that NAF's stored key).
    pub const STORED_NAME: u32 = 0x84;
    /// Name of an e2e_key (with `80`: that NAF's combined key).
    pub const E2E_NAME: u32 = 0x85;
    /// Expiry, seconds since 1970-01-01T00:00:00Z, 8 octets big-endian (LIST KEYS).
    pub const EXPIRES: u32 = 0x86;
    /// State (LIST KEYS): `00` usable, `01` expired, `02` no lifetime known.
    pub const STATE: u32 = 0x87;
    /// Operations this caller may use (LIST KEYS), bits as [`super::Op::bit`].
    pub const OPS: u32 = 0x88;
    /// Algorithm identifier, 1 octet.
    pub const ALG: u32 = 0x90;
    /// Purpose label of the per-purpose key (0–64 octets; absent = empty).
    pub const PURPOSE: u32 = 0x91;
    /// Message / plaintext / ciphertext / wrapped secret.
    pub const DATA: u32 = 0x92;
    /// MAC or AE tag.
    pub const MAC: u32 = 0x93;
    /// IV (16 octets).
    pub const IV: u32 = 0x94;
    /// Associated data (AE).
    pub const AAD: u32 = 0x95;
    /// Challenge (RS from the server, RC from the card).
    pub const CHALLENGE: u32 = 0x96;
    /// Proof (card proof or server proof).
    pub const PROOF: u32 = 0x97;
    /// Ka, the third party's key.
    pub const KA: u32 = 0x99;
    /// Requested MAC length, 1 octet (16–32; absent = 32).
    pub const MAC_LEN: u32 = 0x9A;
    /// GET INFO: API version.
    pub const VERSION: u32 = 0xC0;
    /// GET INFO: supported algorithm identifiers.
    pub const ALGORITHMS: u32 = 0xC1;
    /// GET INFO: the FC of the API derivations.
    pub const FC: u32 = 0xC2;
    /// LIST KEYS: one key (constructed, private class).
    pub const KEY_ENTRY: u32 = 0xE1;
}

/// Key kinds in LIST KEYS (DO `82`).
pub mod kind {
    /// Ks_int_NAF.
    pub const KS_INT_NAF: u8 = 0x01;
    /// A stored key (STORE KEY).
    pub const STORED: u8 = 0x02;
    /// A combined key e2e_key.
    pub const E2E: u8 = 0x03;
}

/// Status words of the API: rows of the one status-word table (ISO/IEC 7816-4 §5.6,
/// TS 102 221 §10.2), named here by their meaning in the API.
pub mod sw {
    use vusim_apdu::StatusWord;
    /// Success.
    pub const OK: StatusWord = StatusWord::SUCCESS;
    /// A MAC, AE tag, server proof or wrapped blob did not verify.
    pub const VERIFY_FAILED: StatusWord = StatusWord::AUTH_ERROR_APPLICATION;
    /// The command data field is absent, or a data object has the wrong length.
    pub const WRONG_LENGTH: StatusWord = StatusWord::WRONG_LENGTH;
    /// The policy refuses this operation for this NAF's keys.
    pub const OP_REFUSED: StatusWord = StatusWord::SECURITY_STATUS_NOT_SATISFIED;
    /// The key's lifetime is over (or was never written to EF_GBABP).
    pub const EXPIRED: StatusWord = StatusWord::REFERENCED_DATA_INVALIDATED;
    /// The policy refuses this logical channel or client AID for this NAF's keys.
    pub const CALLER_REFUSED: StatusWord = StatusWord::CONDITIONS_NOT_SATISFIED;
    /// No challenge outstanding on this channel for this key (or it timed out).
    pub const NO_CHALLENGE: StatusWord = StatusWord::NOT_ALLOWED;
    /// Malformed BER-TLV, a missing, repeated or unexpected data object, or a bad value.
    pub const BAD_DATA: StatusWord = StatusWord::INCORRECT_DATA;
    /// Unknown or reserved algorithm identifier.
    pub const BAD_ALGORITHM: StatusWord = StatusWord::FUNCTION_NOT_SUPPORTED;
    /// No room for another stored key.
    pub const FULL: StatusWord = StatusWord::NOT_ENOUGH_MEMORY;
    /// P1-P2 not defined for this INS.
    pub const BAD_P1P2: StatusWord = StatusWord::INCORRECT_P1P2;
    /// No such key.
    pub const NO_SUCH_KEY: StatusWord = StatusWord::REFERENCED_DATA_NOT_FOUND;
    /// INS not defined by the API.
    pub const BAD_INS: StatusWord = StatusWord::INS_NOT_SUPPORTED;
    /// An interindustry class (`0X`, `4X`…) with an API instruction.
    pub const BAD_CLA: StatusWord = StatusWord::CLA_NOT_SUPPORTED;
}

/// Every status word the API answers, with its meaning here (the documentation table).
pub const STATUS_WORDS: &[(StatusWord, &str)] = &[
    (sw::OK, "success"),
    (sw::VERIFY_FAILED, "verification failed: MAC, AE tag, server proof or wrapped blob (the challenge, if any, is consumed)"),
    (sw::WRONG_LENGTH, "data field absent, or a data object of the wrong length"),
    (sw::OP_REFUSED, "policy: operation not allowed for this NAF's keys"),
    (sw::EXPIRED, "key lifetime over, or no lifetime known"),
    (sw::CALLER_REFUSED, "policy: this logical channel or client AID may not use this NAF's keys"),
    (sw::NO_CHALLENGE, "no card challenge outstanding on this channel for this key"),
    (sw::BAD_DATA, "malformed TLV, missing/repeated/unexpected data object, or bad value"),
    (sw::BAD_ALGORITHM, "algorithm identifier unknown, reserved, or not for this command"),
    (sw::FULL, "no room for another stored key"),
    (sw::BAD_P1P2, "P1-P2 not defined for this instruction"),
    (sw::NO_SUCH_KEY, "no such key"),
    (sw::BAD_INS, "instruction not defined by the API"),
    (sw::BAD_CLA, "interindustry class with an API instruction"),
];

/// One row of the command table: one (INS, P1) pair.
#[derive(Debug, Clone, Copy)]
pub struct CommandRow {
    /// Command name.
    pub name: &'static str,
    /// INS.
    pub ins: u8,
    /// P1 (P2 is always `00`).
    pub p1: u8,
    /// The operation the policy checks (`None`: no key is used).
    pub op: Option<Op>,
    /// Data objects that must be present, besides the key reference.
    pub required: &'static [u32],
    /// Data objects that may be present, besides the key reference and `4F`.
    pub optional: &'static [u32],
    /// Whether the command addresses a key (`80`, optionally `84`/`85`).
    pub key: KeyAddress,
    /// Whether the response carries data (then builders send Le = `00`).
    pub returns_data: bool,
    /// Where docs/api/gba-api.md defines it.
    pub clause: &'static str,
}

/// How a command addresses its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAddress {
    /// No key.
    None,
    /// `80` NAF_Id, optionally with `84` (stored key) or `85` (e2e_key).
    Any,
    /// `80` NAF_Id alone: Ks_int_NAF itself.
    BaseOnly,
    /// `80` NAF_Id with `84` or `85`: a stored key or an e2e_key.
    SubOnly,
}

use tag as t;

/// The command table.
pub const COMMANDS: &[CommandRow] = &[
    CommandRow {
        name: "GET INFO",
        ins: ins::GET_INFO,
        p1: 0x00,
        op: None,
        required: &[],
        optional: &[],
        key: KeyAddress::None,
        clause: "docs/api/gba-api.md §4.1",
        returns_data: true,
    },
    CommandRow {
        name: "LIST KEYS",
        ins: ins::LIST_KEYS,
        p1: 0x00,
        op: None,
        required: &[],
        optional: &[],
        key: KeyAddress::None,
        clause: "docs/api/gba-api.md §4.2",
        returns_data: true,
    },
    CommandRow {
        name: "MAC COMPUTE",
        ins: ins::MAC,
        p1: 0x00,
        op: Some(Op::Mac),
        required: &[t::ALG, t::DATA],
        optional: &[t::PURPOSE, t::MAC_LEN],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.3",
        returns_data: true,
    },
    CommandRow {
        name: "MAC VERIFY",
        ins: ins::MAC,
        p1: p1::MAC_VERIFY,
        op: Some(Op::Mac),
        required: &[t::ALG, t::DATA, t::MAC],
        optional: &[t::PURPOSE],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.3",
        returns_data: false,
    },
    CommandRow {
        name: "ENCRYPT",
        ins: ins::CIPHER,
        p1: 0x00,
        op: Some(Op::Encrypt),
        required: &[t::ALG, t::DATA],
        optional: &[t::PURPOSE, t::AAD],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.4",
        returns_data: true,
    },
    CommandRow {
        name: "DECRYPT",
        ins: ins::CIPHER,
        p1: p1::DECRYPT,
        op: Some(Op::Encrypt),
        required: &[t::ALG, t::IV, t::DATA, t::MAC],
        optional: &[t::PURPOSE, t::AAD],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.4",
        returns_data: true,
    },
    CommandRow {
        name: "AUTHENTICATE (card proof)",
        ins: ins::AUTHENTICATE,
        p1: 0x00,
        op: Some(Op::Auth),
        required: &[t::ALG, t::CHALLENGE],
        optional: &[t::PURPOSE],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.5",
        returns_data: true,
    },
    CommandRow {
        name: "AUTHENTICATE (card challenge)",
        ins: ins::AUTHENTICATE,
        p1: p1::CARD_CHALLENGE,
        op: Some(Op::Auth),
        required: &[],
        optional: &[],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.5",
        returns_data: true,
    },
    CommandRow {
        name: "AUTHENTICATE (server proof)",
        ins: ins::AUTHENTICATE,
        p1: p1::SERVER_PROOF,
        op: Some(Op::Auth),
        required: &[t::ALG, t::PROOF],
        optional: &[t::PURPOSE],
        key: KeyAddress::Any,
        clause: "docs/api/gba-api.md §4.5",
        returns_data: false,
    },
    CommandRow {
        name: "STORE KEY",
        ins: ins::STORE,
        p1: 0x00,
        op: Some(Op::Store),
        required: &[t::STORED_NAME, t::ALG, t::IV, t::DATA, t::MAC],
        optional: &[],
        key: KeyAddress::BaseOnly,
        clause: "docs/api/gba-api.md §4.6",
        returns_data: false,
    },
    CommandRow {
        name: "DERIVE E2E KEY",
        ins: ins::DERIVE_E2E,
        p1: 0x00,
        op: Some(Op::E2e),
        required: &[t::E2E_NAME, t::KA],
        optional: &[],
        key: KeyAddress::BaseOnly,
        clause: "docs/api/gba-api.md §4.7",
        returns_data: false,
    },
    CommandRow {
        name: "DELETE KEY",
        ins: ins::DELETE,
        p1: 0x00,
        op: None,
        required: &[],
        optional: &[],
        key: KeyAddress::SubOnly,
        clause: "docs/api/gba-api.md §4.8",
        returns_data: false,
    },
];

/// The class byte for a logical channel (proprietary: `80`–`83`, `C0`–`CF`).
pub fn cla(channel: u8) -> Class {
    Class::UICC.with_channel(channel).unwrap_or(Class::UICC)
}

/// A command APDU of the API: data objects in the given order, Le = `00` when the command
/// returns data (extended encodings when the data needs them).
pub fn command(channel: u8, row: &CommandRow, dos: &[Tlv]) -> Vec<u8> {
    let mut data = Vec::new();
    for d in dos {
        d.encode_into(&mut data);
    }
    let le = row.returns_data.then_some(256);
    Command::build(cla(channel), row.ins, row.p1, 0x00, &data, le)
        .map(|c| c.encode())
        .unwrap_or_default()
}

/// The command APDU for a row of a command table, by name (empty for an unknown name).
pub fn command_apdu(table: &[CommandRow], channel: u8, name: &str, dos: &[Tlv]) -> Vec<u8> {
    match table.iter().find(|r| r.name == name) {
        Some(row) => command(channel, row, dos),
        None => Vec::new(),
    }
}

/// Builds the data objects of a command, key reference first.
#[derive(Debug, Clone, Default)]
pub struct Dos(pub Vec<Tlv>);

impl Dos {
    /// Start with the key reference `80` NAF_Id.
    pub fn key(naf_id: &[u8]) -> Dos {
        Dos(vec![Tlv::new(tag::NAF_ID, naf_id.to_vec())])
    }

    /// No key reference (GET INFO, LIST KEYS).
    pub fn none() -> Dos {
        Dos(Vec::new())
    }

    /// Append a data object.
    pub fn with(mut self, tag: u32, value: &[u8]) -> Dos {
        self.0.push(Tlv::new(tag, value.to_vec()));
        self
    }

    /// Append a data object if there is a value.
    pub fn with_opt(self, tag: u32, value: Option<&[u8]>) -> Dos {
        match value {
            Some(v) => self.with(tag, v),
            None => self,
        }
    }

    /// The command APDU for a command-table row, by name (panics never: an unknown name gives
    /// an empty vector).
    pub fn apdu(&self, channel: u8, name: &str) -> Vec<u8> {
        match COMMANDS.iter().find(|r| r.name == name) {
            Some(row) => command(channel, row, &self.0),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert_eq!(
                super::super::toolkit::lookup(COMMANDS, a.ins, a.p1).map(|r| r.name),
                Ok(a.name)
            );
            for b in COMMANDS.iter().skip(i + 1) {
                assert!(a.name != b.name && (a.ins, a.p1) != (b.ins, b.p1));
            }
            // Never a T=0 procedure byte, never an ISO/UICC instruction of TS 102 221.
            assert!(a.ins & 0xF0 != 0x60 && a.ins & 0xF0 != 0x90 && a.ins & 1 == 0);
        }
        let lookup = |i, p| super::super::toolkit::lookup(COMMANDS, i, p);
        assert_eq!(lookup(0x42, 0x05).map(|r| r.name), Err(sw::BAD_P1P2));
        assert_eq!(lookup(0x50, 0x00).map(|r| r.name), Err(sw::BAD_INS));
        assert_eq!(cla(0).0, 0x80);
        assert_eq!(cla(3).0, 0x83);
        assert_eq!(cla(4).0, 0xC0);
        assert_eq!(cla(19).0, 0xCF);
        assert_eq!(
            hex::encode_upper(Dos::none().apdu(0, "GET INFO")),
            "8040000000"
        );
    }
}
