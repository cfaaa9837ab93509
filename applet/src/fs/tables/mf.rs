//! The MF (TS 102 221 §13): EF.DIR, EF.ICCID, EF.PL, EF.ARR, EF.UMPC, with DF.TELECOM and DF.GSM.

use super::fid;
use super::{linear, transparent, DF_GSM, DF_TELECOM};
use crate::fs::spec::{Access, Content, DfSpec, EfSpec, Gate};

/// The MF (TS 102 221 §13) with DF.TELECOM and DF.GSM; ADFs are added from the applet registry.
pub const MF: DfSpec = DfSpec {
    name: "MF",
    fid: fid::MF,
    gate: Gate::None,
    clause: "TS 102 221 §13",
    efs: &[
        EfSpec {
            name: "EF.DIR",
            fid: fid::EF_DIR,
            sfi: Some(0x1E),
            structure: linear(0x26, 8),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 102 221 §13.1",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.ICCID",
            fid: fid::EF_ICCID,
            sfi: Some(0x02),
            structure: transparent(10),
            access: Access::ALWAYS_NEVER,
            gate: Gate::None,
            clause: "TS 102 221 §13.2",
            // 8900101012345678904 (Luhn digit 4), nibble-swapped, F-padded.
            default: Content::Hex("980001012143658709F4"),
        },
        EfSpec {
            name: "EF.PL",
            fid: 0x2F05,
            sfi: Some(0x05),
            structure: transparent(10),
            access: Access::ALWAYS_PIN,
            gate: Gate::None,
            clause: "TS 102 221 §13.3",
            // "en", then unused entries FFFF.
            default: Content::Hex("656E"),
        },
        EfSpec {
            name: "EF.ARR",
            fid: fid::EF_ARR_MF,
            sfi: Some(0x06),
            structure: linear(0x30, 12),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 102 221 §13.4",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.UMPC",
            fid: 0x2F08,
            sfi: Some(0x08),
            structure: transparent(5),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 102 221 §13.6",
            // 60 mA, T_OP 5 s, no increased idle current, no SUSPEND UICC, RFU.
            default: Content::Hex("3C05000000"),
        },
    ],
    dfs: &[DF_TELECOM, DF_GSM],
};
