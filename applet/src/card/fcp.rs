//! FCP templates (TS 102 221 §11.1.1.3) and EF.ARR access rules in expanded format (§9.2.4), both derived from the file table.

use std::collections::BTreeMap;

use vusim_apdu::tlv::Tlv;

use crate::card::security::{Security, KEY_ADM1, KEY_PIN1, KEY_PIN2};
use crate::fs::spec::{Access, Rule, Structure};
use crate::fs::tree::{FileTree, Kind, NodeId, MF};

/// FID of EF.ARR under the MF.
pub const MF_ARR_FID: u16 = crate::fs::tables::fid::EF_ARR_MF;
/// FID of EF.ARR in an ADF.
pub const ADF_ARR_FID: u16 = crate::fs::tables::fid::EF_ARR;

/// Access rules of DFs themselves (create/delete/(de)activate by ADM only).
pub const DF_ACCESS: Access = Access {
    read: Rule::Always,
    update: Rule::Adm,
    increase: Rule::Never,
    deactivate: Rule::Adm,
    activate: Rule::Adm,
};

/// The security condition DO for a rule: `90 00` always, `97 00` never, or a user-verification
/// control reference template `A4 06 83 01 <key> 95 01 08`.
fn sc_do(rule: Rule) -> Vec<u8> {
    let key = match rule {
        Rule::Always => return vec![0x90, 0x00],
        Rule::Never => return vec![0x97, 0x00],
        Rule::Pin1 => KEY_PIN1,
        Rule::Pin2 => KEY_PIN2,
        Rule::Adm => KEY_ADM1,
    };
    vec![0xA4, 0x06, 0x83, 0x01, key, 0x95, 0x01, 0x08]
}

/// One EF.ARR record for an access rule set: AM_DO (tag 80, access mode byte) / SC_DO pairs,
/// one pair per distinct rule, plus INCREASE as a command-header AM_DO (tag 84) when it differs.
pub fn arr_record(access: &Access) -> Vec<u8> {
    // AM byte bits for EFs: b1 READ, b2 UPDATE, b4 DEACTIVATE, b5 ACTIVATE.
    let ops = [
        (access.read, 0x01u8),
        (access.update, 0x02),
        (access.deactivate, 0x08),
        (access.activate, 0x10),
    ];
    let mut by_rule: BTreeMap<Rule, u8> = BTreeMap::new();
    for (rule, bit) in ops {
        *by_rule.entry(rule).or_default() |= bit;
    }
    let mut out = Vec::new();
    for (rule, am) in by_rule {
        out.extend_from_slice(&[0x80, 0x01, am]);
        out.extend(sc_do(rule));
    }
    if access.increase != access.update {
        out.extend_from_slice(&[0x84, 0x01, 0x32]);
        out.extend(sc_do(access.increase));
    }
    out
}

/// The access rule sets of one EF.ARR scope (the MF tree, or one ADF), in record order.
#[derive(Debug, Clone, Default)]
pub struct ArrTable {
    /// Scope root → distinct access sets; record n is entry n-1.
    scopes: BTreeMap<NodeId, Vec<Access>>,
}

impl ArrTable {
    /// Collect the access sets of every file in the tree, per scope.
    pub fn build(fs: &FileTree) -> ArrTable {
        let mut t = ArrTable::default();
        for (id, n) in fs.iter() {
            let access = match &n.kind {
                Kind::Ef { spec, .. } => spec.access,
                Kind::Df { .. } => DF_ACCESS,
            };
            let scope = t.scope_of(fs, id);
            let list = t.scopes.entry(scope).or_default();
            if !list.contains(&access) {
                list.push(access);
            }
        }
        t
    }

    fn scope_of(&self, fs: &FileTree, id: NodeId) -> NodeId {
        match fs.node(id).and_then(|n| n.adf) {
            Some(adf) if fs.child(adf, ADF_ARR_FID).is_some() => adf,
            _ => MF,
        }
    }

    /// (EF.ARR FID, record number) referenced by a file's FCP (tag 8B).
    pub fn reference(&self, fs: &FileTree, id: NodeId) -> Option<(u16, u8)> {
        let n = fs.node(id)?;
        let access = match &n.kind {
            Kind::Ef { spec, .. } => spec.access,
            Kind::Df { .. } => DF_ACCESS,
        };
        let scope = self.scope_of(fs, id);
        let rec = self.scopes.get(&scope)?.iter().position(|a| *a == access)?;
        let fid = if scope == MF { MF_ARR_FID } else { ADF_ARR_FID };
        Some((fid, u8::try_from(rec + 1).ok()?))
    }

    /// Write the records into every EF.ARR (records beyond the rule sets stay `FF`).
    pub fn write_records(&self, fs: &mut FileTree) {
        for (scope, list) in &self.scopes {
            let fid = if *scope == MF {
                MF_ARR_FID
            } else {
                ADF_ARR_FID
            };
            let Some(ef) = fs.child(*scope, fid) else {
                continue;
            };
            let Some(Structure::LinearFixed { record_len, .. }) =
                fs.node(ef).and_then(|n| n.ef_spec()).map(|s| s.structure)
            else {
                continue;
            };
            let rl = usize::from(record_len);
            if let Some(data) = fs.data_mut(ef) {
                for (i, access) in list.iter().enumerate() {
                    let rec = arr_record(access);
                    if let Some(dst) = data.get_mut(i * rl..i * rl + rec.len().min(rl)) {
                        dst.copy_from_slice(rec.get(..dst.len()).unwrap_or_default());
                    }
                }
            }
        }
    }

    /// Number of records a scope needs.
    pub fn records_needed(&self, scope: NodeId) -> usize {
        self.scopes.get(&scope).map_or(0, Vec::len)
    }
}

/// File descriptor DO value (tag 82) for an EF structure.
fn file_descriptor(s: Structure) -> Vec<u8> {
    match s {
        Structure::Transparent { .. } => vec![0x41, 0x21],
        Structure::LinearFixed {
            record_len,
            records,
        } => vec![0x42, 0x21, 0x00, record_len, records],
        Structure::Cyclic {
            record_len,
            records,
        } => vec![0x46, 0x21, 0x00, record_len, records],
        Structure::BerTlv { .. } => vec![0x79, 0x21],
    }
}

/// Key references listed in a DF's PIN status template.
fn key_refs(fs: &FileTree, id: NodeId) -> Vec<u8> {
    if fs.node(id).is_some_and(|n| n.aid().is_some()) {
        vec![KEY_PIN1, KEY_PIN2, KEY_ADM1]
    } else {
        vec![KEY_PIN1, KEY_ADM1]
    }
}

/// The FCP template (tag 62) of a file.
pub fn fcp(fs: &FileTree, arr: &ArrTable, security: &Security, id: NodeId) -> Vec<u8> {
    let Some(n) = fs.node(id) else {
        return Vec::new();
    };
    let mut objs = Vec::new();
    let lcsi = if n.active { 0x05 } else { 0x04 };
    match &n.kind {
        Kind::Df { aid } => {
            objs.push(Tlv::new(0x82u32, vec![0x78, 0x21]));
            objs.push(Tlv::new(0x83u32, n.fid.to_be_bytes().to_vec()));
            if let Some(aid) = aid {
                objs.push(Tlv::new(0x84u32, aid.clone()));
            }
            objs.push(Tlv::constructed(
                0xA5u32,
                &[
                    // UICC characteristics: clock stop allowed, no preferred level; supply class A/B/C.
                    Tlv::new(0x80u32, vec![0x71]),
                    // Available memory.
                    Tlv::new(0x83u32, vec![0x00, 0x01, 0x00, 0x00]),
                    // Supported commands: TERMINAL CAPABILITY.
                    Tlv::new(0x87u32, vec![0x01]),
                ],
            ));
            objs.push(Tlv::new(0x8Au32, vec![lcsi]));
            if let Some((fid, rec)) = arr.reference(fs, id) {
                let [hi, lo] = fid.to_be_bytes();
                objs.push(Tlv::new(0x8Bu32, vec![hi, lo, rec]));
            }
            objs.push(Tlv::new(
                0xC6u32,
                security.pin_status_template(&key_refs(fs, id)),
            ));
        }
        Kind::Ef { spec, data } => {
            objs.push(Tlv::new(0x82u32, file_descriptor(spec.structure)));
            objs.push(Tlv::new(0x83u32, n.fid.to_be_bytes().to_vec()));
            objs.push(Tlv::new(0x8Au32, vec![lcsi]));
            if let Some((fid, rec)) = arr.reference(fs, id) {
                let [hi, lo] = fid.to_be_bytes();
                objs.push(Tlv::new(0x8Bu32, vec![hi, lo, rec]));
            }
            let size = u16::try_from(data.len()).unwrap_or(u16::MAX);
            objs.push(Tlv::new(0x80u32, size.to_be_bytes().to_vec()));
            // Tag 88 empty: SFI not supported (TS 102 221 §11.1.1.4.8).
            let sfi = spec.sfi.map_or_else(Vec::new, |s| vec![s << 3]);
            objs.push(Tlv::new(0x88u32, sfi));
        }
    }
    Tlv::constructed(0x62u32, &objs).encode()
}
