//! The APDU coding of the AKMA API v0.1 (docs/api/akma.md §3–§5): AID, INS, key kinds, states,
//! status words and the command table, and the command builder a terminal (or a test, or
//! `vusim akma`) uses.
//!
//! ⚠ Experimental: vusim's own coding, mirroring the GBA_U API ([`super::super::apdu`]).

use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;

pub use super::super::apdu::command_apdu;
use super::super::apdu::{sw, tag, CommandRow, KeyAddress};
use super::super::policy::Op;

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

/// An AKMA API command APDU by name (see [`COMMANDS`]).
pub fn apdu(channel: u8, name: &str, dos: &[Tlv]) -> Vec<u8> {
    command_apdu(COMMANDS, channel, name, dos)
}
