//! ADF.ISIM (TS 31.103 §4.2).

use super::fid;
use super::{ber_tlv, linear, transparent};
use crate::fs::spec::Content::{Erased, Hex};
use crate::fs::spec::{Access, Content, DfSpec, EfSpec, Gate};

/// Default ISIM AID (application code 1004, ETSI TS 101 220 Annex E).
pub const ISIM_AID: [u8; 16] = [
    0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x07, 0x09, 0x00, 0x00,
];

/// ADF.ISIM (TS 31.103 §4.2), selected by AID.
pub const ADF_ISIM: DfSpec = DfSpec {
    name: "ADF.ISIM",
    fid: fid::CURRENT_ADF,
    gate: Gate::None,
    clause: "TS 31.103 §4.2",
    efs: &[
        EfSpec {
            name: "EF.IMPI",
            fid: fid::EF_IMPI,
            sfi: Some(0x02),
            structure: transparent(128),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.2",
            // 80 31 "001010123456789@ims.mnc001.mcc001.3gppnetwork.org"
            default: Content::Hex(concat!(
                "8031",
                "303031303130313233343536373839",
                "40",
                "696D732E6D6E633030312E6D63633030312E336770706E6574776F726B2E6F7267"
            )),
        },
        EfSpec {
            name: "EF.DOMAIN",
            fid: fid::EF_DOMAIN,
            sfi: Some(0x05),
            structure: transparent(128),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.3",
            // 80 21 "ims.mnc001.mcc001.3gppnetwork.org"
            default: Content::Hex(concat!(
                "8021",
                "696D732E6D6E633030312E6D63633030312E336770706E6574776F726B2E6F7267"
            )),
        },
        EfSpec {
            name: "EF.IMPU",
            fid: fid::EF_IMPU,
            sfi: Some(0x04),
            structure: linear(128, 4),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.4",
            // 80 35 "sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org"
            default: Content::Records(&[concat!(
                "8035",
                "7369703A",
                "303031303130313233343536373839",
                "40",
                "696D732E6D6E633030312E6D63633030312E336770706E6574776F726B2E6F7267"
            )]),
        },
        EfSpec {
            name: "EF.AD",
            fid: fid::EF_AD,
            sfi: Some(0x03),
            structure: transparent(3),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.5",
            // Normal operation, no additional information.
            default: Content::Hex("000000"),
        },
        EfSpec {
            name: "EF.ARR",
            fid: fid::EF_ARR,
            sfi: Some(0x06),
            structure: linear(0x30, 6),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.6",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.IST",
            fid: fid::EF_IST,
            sfi: Some(0x07),
            // 8 bytes (services up to n°64), the size a profile's `[services] ist` is written in.
            structure: transparent(8),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.7",
            // n°2 GBA.
            default: Content::Hex("0200000000000000"),
        },
        EfSpec {
            name: "EF.GBABP",
            fid: 0x6FD5,
            sfi: None,
            structure: transparent(128),
            access: Access::PIN_PIN,
            gate: Gate::Service(2),
            clause: "TS 31.103 §4.2.9",
            // No bootstrap yet: L_RAND, L_B-TID and L_lifetime all 0.
            default: Content::Hex("000000"),
        },
        EfSpec {
            name: "EF.GBANL",
            fid: 0x6FD7,
            sfi: None,
            structure: linear(128, 4),
            access: Access::PIN_ADM,
            gate: Gate::Service(2),
            clause: "TS 31.103 §4.2.10",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.NAFKCA",
            fid: 0x6FDD,
            sfi: None,
            structure: linear(64, 2),
            access: Access::PIN_ADM,
            gate: Gate::All(&[2, 4]),
            clause: "TS 31.103 §4.2.11",
            default: Content::Erased,
        },
        ef! {"EF.P-CSCF", 0x6F09, None, linear(32, 4), PIN_ADM, Gate::Service(5), "TS 31.103 §4.2.8", Erased},
        // Status 00: free record.
        ef! {"EF.SMS", 0x6F3C, None, linear(176, 10), PIN_PIN, Gate::All(&[6, 8]), "TS 31.103 §4.2.12", Hex("00")},
        // Last TP-MR FF; memory capacity available.
        ef! {"EF.SMSS", 0x6F43, None, transparent(2), PIN_PIN, Gate::All(&[6, 8]), "TS 31.103 §4.2.13", Hex("FFFF")},
        // SMS record 00: empty.
        ef! {"EF.SMSR", 0x6F47, None, linear(30, 10), PIN_PIN, Gate::All(&[7, 8]), "TS 31.103 §4.2.14", Hex("00")},
        ef! {"EF.SMSP", 0x6F42, None, linear(28, 4), PIN_ADM, Gate::Service(8), "TS 31.103 §4.2.15", Erased},
        ef! {"EF.UICCIARI", 0x6FE7, None, linear(32, 4), PIN_ADM, Gate::Service(10), "TS 31.103 §4.2.16", Erased},
        // From-header not preferred.
        ef! {"EF.FromPreferred", 0x6FF7, None, transparent(1), PIN_ADM, Gate::Service(17), "TS 31.103 §4.2.17", Hex("00")},
        ef! {"EF.IMSConfigData", 0x6FF8, None, ber_tlv(256), PIN_ADM, Gate::Service(18), "TS 31.103 §4.2.18", Erased},
        ef! {"EF.XCAPConfigData", 0x6FFC, None, ber_tlv(256), PIN_ADM, Gate::Service(19), "TS 31.103 §4.2.19", Erased},
        ef! {"EF.WebRTCURI", 0x6FFA, None, linear(32, 4), PIN_ADM, Gate::Service(20), "TS 31.103 §4.2.20", Erased},
        ef! {"EF.MuDMiDConfigData", 0x6FFE, None, ber_tlv(256), PIN_ADM, Gate::Service(21), "TS 31.103 §4.2.21", Erased},
        ef! {"EF.GBAUAPI", fid::EF_GBAUAPI, None, linear(64, 4), PIN_ADM, Gate::Service(2), "TS 31.103 §4.2.22", Erased},
        ef! {"EF.IMSDCI", 0x6F0B, None, transparent(1), PIN_ADM, Gate::Service(22), "TS 31.103 §4.2.23", Erased},
    ],
    dfs: &[],
};
