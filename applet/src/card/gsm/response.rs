//! The GSM response data of SELECT and STATUS (3GPP TS 51.011 Rel-4 §9.2.1, §9.3), derived from
//! the one file table and the PIN state.
//!
//! MF/DF (23 bytes): RFU (2) ‖ free memory (2) ‖ FID (2) ‖ type (`01` MF, `02` DF) ‖ RFU (5) ‖
//! length of the GSM data (`0A`) ‖ file characteristics ‖ number of child DFs ‖ number of child
//! EFs ‖ number of CHVs, UNBLOCK CHVs and administrative codes ‖ RFU ‖ CHV1 status ‖ UNBLOCK
//! CHV1 status ‖ CHV2 status ‖ UNBLOCK CHV2 status ‖ RFU.
//!
//! EF (15 bytes): RFU (2) ‖ file size (2) ‖ FID (2) ‖ type `04` ‖ byte 8 (b7: INCREASE allowed,
//! cyclic files) ‖ access conditions (3: READ/SEEK|UPDATE, INCREASE|RFU, REHABILITATE|INVALIDATE)
//! ‖ file status (b1 = 1 not invalidated) ‖ length `02` ‖ structure (`00` transparent, `01`
//! linear fixed, `03` cyclic) ‖ record length.
//!
//! vusim's codings where the spec leaves the value to the card: free memory `0000` (no file
//! creation); file characteristics: clock stop allowed without a preferred level (b1; the ATR
//! allows clock stop), 3 V and 1.8 V technology (b5, b6: the ATR offers classes A–C), b8 CHV1
//! disabled; ADM access conditions are coded `A` (ADM1 is key reference 0A; §9.3 leaves `4`–`E`
//! to the administrator); BER-TLV files, unknown to TS 51.011, are shown as transparent.

use crate::card::security::{Security, KEY_PIN1, KEY_PIN2, KEY_UNIVERSAL_PIN};
use crate::fs::spec::{Rule, Structure};
use crate::fs::tree::{FileTree, NodeId, MF};

/// Type of file (§9.3).
const TYPE_MF: u8 = 0x01;
const TYPE_DF: u8 = 0x02;
const TYPE_EF: u8 = 0x04;

/// Length of the GSM-specific part of the MF/DF response (bytes 14–23).
const DF_GSM_DATA_LEN: u8 = 0x0A;

/// The access condition nibble for a rule (§9.3: 0 ALW, 1 CHV1, 2 CHV2, 4–E ADM, F NEV).
pub fn access_code(rule: Rule) -> u8 {
    match rule {
        Rule::Always => 0x0,
        Rule::Pin1 => 0x1,
        Rule::Pin2 => 0x2,
        Rule::Adm => 0xA,
        Rule::Never => 0xF,
    }
}

/// CHV status byte (§9.2.1 note): b8 = 1 secret code initialised, b4–b1 attempts left.
fn chv_status(retries: Option<u8>) -> u8 {
    match retries {
        Some(n) => 0x80 | (n & 0x0F),
        None => 0x00,
    }
}

/// The SELECT/STATUS response of file `id`.
pub fn select_response(fs: &FileTree, security: &Security, id: NodeId) -> Vec<u8> {
    let Some(node) = fs.node(id) else {
        return Vec::new();
    };
    let [fid_hi, fid_lo] = node.fid.to_be_bytes();
    let Some(spec) = node.ef_spec() else {
        let (dfs, efs) = node.children.iter().fold((0u8, 0u8), |(d, e), c| {
            match fs.node(*c).map(|n| n.is_df()) {
                Some(true) => (d.saturating_add(1), e),
                Some(false) => (d, e.saturating_add(1)),
                None => (d, e),
            }
        });
        let pin1 = security.pin(KEY_PIN1);
        let pin2 = security.pin(KEY_PIN2);
        let chv1_disabled = pin1.is_some_and(|p| !p.enabled);
        let characteristics = 0x01 | 0x10 | 0x20 | if chv1_disabled { 0x80 } else { 0x00 };
        // The Universal PIN is a UICC notion with no GSM counterpart.
        let codes = security
            .pins()
            .iter()
            .filter(|p| p.key_ref != KEY_UNIVERSAL_PIN)
            .map(|p| 1 + usize::from(p.unblock_value().is_some()))
            .sum::<usize>();
        let unblock = |p: Option<&crate::card::security::Pin>| {
            chv_status(
                p.filter(|p| p.unblock_value().is_some())
                    .map(|p| p.unblock_retries),
            )
        };
        return vec![
            0x00,
            0x00,
            0x00,
            0x00,
            fid_hi,
            fid_lo,
            if id == MF { TYPE_MF } else { TYPE_DF },
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
            DF_GSM_DATA_LEN,
            characteristics,
            dfs,
            efs,
            u8::try_from(codes).unwrap_or(u8::MAX),
            0x00,
            chv_status(pin1.map(|p| p.retries)),
            unblock(pin1),
            chv_status(pin2.map(|p| p.retries)),
            unblock(pin2),
            0x00,
        ];
    };
    let size = u16::try_from(spec.structure.size()).unwrap_or(u16::MAX);
    let [size_hi, size_lo] = size.to_be_bytes();
    let (structure, record_len) = match spec.structure {
        Structure::LinearFixed { record_len, .. } => (0x01, record_len),
        Structure::Cyclic { record_len, .. } => (0x03, record_len),
        Structure::Transparent { .. } | Structure::BerTlv { .. } => (0x00, 0x00),
    };
    let a = spec.access;
    let increase_allowed =
        matches!(spec.structure, Structure::Cyclic { .. }) && a.increase != Rule::Never;
    vec![
        0x00,
        0x00,
        size_hi,
        size_lo,
        fid_hi,
        fid_lo,
        TYPE_EF,
        if increase_allowed { 0x40 } else { 0x00 },
        access_code(a.read) << 4 | access_code(a.update),
        access_code(a.increase) << 4,
        access_code(a.activate) << 4 | access_code(a.deactivate),
        u8::from(node.active),
        0x02,
        structure,
        record_len,
    ]
}
