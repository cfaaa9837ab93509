//! DF.TELECOM and its DFs (TS 51.011 §10.5–10.6, TS 31.102 §4.5–4.6): the 2G-mode and
//! application-independent files, DF.PHONEBOOK (fixed-FID files only; the ADN-type files are
//! placed by EF.PBR), DF.GRAPHICS, DF.MULTIMEDIA, DF.MCS and DF.V2X.

use super::{ber_tlv, linear, transparent};
use crate::fs::spec::Content::{Erased, Hex};
use crate::fs::spec::{Access, Content, DfSpec, EfSpec, Gate};

/// DF.TELECOM (TS 31.102 §4.5, TS 51.011 §10.5): the 2G-mode files a modem still reads.
pub const DF_TELECOM: DfSpec = DfSpec {
    name: "DF.TELECOM",
    fid: 0x7F10,
    gate: Gate::None,
    clause: "TS 31.102 §4.5",
    efs: &[
        EfSpec {
            name: "EF.ARR",
            fid: 0x6F06,
            sfi: None,
            structure: linear(0x30, 4),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.5.5",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.MSISDN",
            fid: 0x6F40,
            sfi: None,
            structure: linear(24, 1),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.5.5",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.SMSP",
            fid: 0x6F42,
            sfi: None,
            structure: linear(38, 1),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.5.6",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.SMSS",
            fid: 0x6F43,
            sfi: None,
            structure: transparent(2),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.5.7",
            // Last TP-MR FF; memory capacity available (b1 = 1).
            default: Content::Hex("FFFF"),
        },
        ef! {"EF.ADN", 0x6F3A, None, linear(24, 10), PIN_PIN, Gate::None, "TS 51.011 §10.5.1", Erased},
        ef! {"EF.FDN", 0x6F3B, None, linear(24, 10), PIN_PIN2, Gate::None, "TS 51.011 §10.5.2", Erased},
        // Status 00: free record.
        ef! {"EF.SMS", 0x6F3C, None, linear(176, 10), PIN_PIN, Gate::None, "TS 51.011 §10.5.3", Hex("00")},
        ef! {"EF.CCP", 0x6F3D, None, linear(14, 4), PIN_PIN, Gate::None, "TS 51.011 §10.5.4", Erased},
        ef! {"EF.ECCP", 0x6F4F, None, linear(15, 4), PIN_PIN, Gate::None, "TS 51.011 §10.5.4a", Erased},
        ef! {"EF.LND", 0x6F44, None, linear(24, 10), PIN_PIN, Gate::None, "TS 51.011 §10.5.8", Erased},
        ef! {"EF.SDN", 0x6F49, None, linear(24, 10), PIN_ADM, Gate::None, "TS 51.011 §10.5.9", Erased},
        ef! {"EF.EXT1", 0x6F4A, None, linear(13, 5), PIN_PIN, Gate::None, "TS 51.011 §10.5.10", Erased},
        ef! {"EF.EXT2", 0x6F4B, None, linear(13, 5), PIN_PIN2, Gate::None, "TS 51.011 §10.5.11", Erased},
        ef! {"EF.EXT3", 0x6F4C, None, linear(13, 5), PIN_ADM, Gate::None, "TS 51.011 §10.5.12", Erased},
        ef! {"EF.BDN", 0x6F4D, None, linear(24, 10), PIN_PIN2, Gate::None, "TS 51.011 §10.5.13", Erased},
        ef! {"EF.EXT4", 0x6F4E, None, linear(13, 5), PIN_PIN2, Gate::None, "TS 51.011 §10.5.14", Erased},
        // SMS record 00: empty.
        ef! {"EF.SMSR", 0x6F47, None, linear(30, 10), PIN_PIN, Gate::None, "TS 51.011 §10.5.15", Hex("00")},
        ef! {"EF.CMI", 0x6F58, None, linear(2, 4), PIN_ADM, Gate::None, "TS 51.011 §10.5.16", Erased},
    ],
    dfs: &[DF_PHONEBOOK, DF_GRAPHICS, DF_MULTIMEDIA, DF_MCS, DF_V2X],
};

/// DF.PHONEBOOK of DF.TELECOM, the global phone book (TS 31.102 §4.6.2, fixed-FID EFs of §4.4.2).
pub const DF_PHONEBOOK: DfSpec = DfSpec {
    name: "DF.PHONEBOOK",
    fid: 0x5F3A,
    gate: Gate::None,
    clause: "TS 31.102 §4.6.2",
    efs: &[
        ef! {"EF.PBR", 0x4F30, None, linear(32, 1), PIN_ADM, Gate::None, "TS 31.102 §4.4.2.1", Erased},
        ef! {"EF.PSC", 0x4F22, None, transparent(4), PIN_PIN, Gate::None, "TS 31.102 §4.4.2.12.2", Erased},
        ef! {"EF.CC", 0x4F23, None, transparent(2), PIN_PIN, Gate::None, "TS 31.102 §4.4.2.12.3", Erased},
        ef! {"EF.PUID", 0x4F24, None, transparent(2), PIN_PIN, Gate::None, "TS 31.102 §4.4.2.12.4", Erased},
    ],
    dfs: &[],
};

/// DF.GRAPHICS (TS 51.011 §10.6): the image instance data files.
pub const DF_GRAPHICS: DfSpec = DfSpec {
    name: "DF.GRAPHICS",
    fid: 0x5F50,
    gate: Gate::None,
    clause: "TS 51.011 §10.6",
    efs: &[
        ef! {"EF.IMG", 0x4F20, None, linear(20, 4), PIN_ADM, Gate::None, "TS 51.011 §10.6.1.1", Erased},
    ],
    dfs: &[],
};

/// DF.MULTIMEDIA (TS 31.102 §4.6.3).
pub const DF_MULTIMEDIA: DfSpec = DfSpec {
    name: "DF.MULTIMEDIA",
    fid: 0x5F3B,
    gate: Gate::None,
    clause: "TS 31.102 §4.6.3",
    efs: &[
        ef! {"EF.MML", 0x4F47, None, ber_tlv(256), PIN_ADM, Gate::None, "TS 31.102 §4.6.3.1", Erased},
        ef! {"EF.MMDF", 0x4F48, None, ber_tlv(256), PIN_ADM, Gate::None, "TS 31.102 §4.6.3.2", Erased},
    ],
    dfs: &[],
};

/// DF.MCS, mission critical services (TS 31.102 §4.6.4).
pub const DF_MCS: DfSpec = DfSpec {
    name: "DF.MCS",
    fid: 0x5F3D,
    gate: Gate::None,
    clause: "TS 31.102 §4.6.4",
    efs: &[
        // No MCS service.
        ef! {"EF.MST", 0x4F01, Some(0x01), transparent(2), PIN_ADM, Gate::None, "TS 31.102 §4.6.4.1", Hex("0000")},
        ef! {"EF.MCS_CONFIG", 0x4F02, Some(0x02), ber_tlv(256), PIN_ADM, Gate::None, "TS 31.102 §4.6.4.2", Erased},
    ],
    dfs: &[],
};

/// DF.V2X (TS 31.102 §4.6.5).
pub const DF_V2X: DfSpec = DfSpec {
    name: "DF.V2X",
    fid: 0x5F3E,
    gate: Gate::None,
    clause: "TS 31.102 §4.6.5",
    efs: &[
        ef! {"EF.VST", 0x4F01, Some(0x01), transparent(2), PIN_ADM, Gate::None, "TS 31.102 §4.6.5.2", Erased},
        ef! {"EF.V2X_CONFIG", 0x4F02, Some(0x02), ber_tlv(256), PIN_ADM, Gate::None, "TS 31.102 §4.6.5.3", Erased},
    ],
    dfs: &[],
};
