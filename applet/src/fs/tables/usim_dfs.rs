//! The DFs of ADF.USIM (TS 31.102 §4.4): DF.5GS, DF.GSM-ACCESS, DF.PHONEBOOK (fixed-FID files),
//! DF.WLAN, DF.HNB, DF.ProSe, DF.SNPN, DF.5G_ProSe, DF.5MBSUECONFIG, and DF.SAIP (TCA SAIP).
//!
//! The EFs of DF.ProSe and DF.5G_ProSe are gated in the spec by the DF's own service table
//! (EF.PST, EF.5G_PROSE_ST), which the gate cannot read: they are present whenever their DF is.
//! DF.SAIP is not a 3GPP DF (TCA eUICC Profile Package, the DF of the SUCI_Calc_Info used when
//! the USIM calculates the SUCI); vusim gates it on UST n°125, its own choice.

use super::fid;
use super::{linear, transparent};
use crate::fs::spec::Content::{Erased, Hex};
use crate::fs::spec::{Access, Content, DfSpec, EfSpec, Gate};

use super::NO_KC;

/// DF.5GS (TS 31.102 §4.4.11), present when any 5GS service of the UST is available.
pub const DF_5GS: DfSpec = DfSpec {
    name: "DF.5GS",
    fid: fid::DF_5GS,
    gate: Gate::Any(&[
        122, 123, 124, 125, 126, 127, 128, 129, 130, 132, 133, 134, 135, 136, 137, 138, 140, 141,
        142, 144, 145,
    ]),
    clause: "TS 31.102 §4.4.11",
    efs: &[
        EfSpec {
            name: "EF.5GS3GPPLOCI",
            fid: 0x4F01,
            sfi: Some(0x01),
            structure: transparent(20),
            access: Access::PIN_PIN,
            gate: Gate::Service(122),
            clause: "TS 31.102 §4.4.11.2",
            // 5G-GUTI deleted, TAI 001/01 TAC 000000, 5U2 not updated (Annex E).
            default: Content::Hex(concat!(
                "FFFFFFFFFFFFFFFFFFFFFFFFFF",
                "00F110",
                "000000",
                "01"
            )),
        },
        EfSpec {
            name: "EF.5GSN3GPPLOCI",
            fid: 0x4F02,
            sfi: Some(0x02),
            structure: transparent(20),
            access: Access::PIN_PIN,
            gate: Gate::Service(122),
            clause: "TS 31.102 §4.4.11.3",
            default: Content::Hex(concat!(
                "FFFFFFFFFFFFFFFFFFFFFFFFFF",
                "00F110",
                "000000",
                "01"
            )),
        },
        EfSpec {
            name: "EF.5GS3GPPNSC",
            fid: 0x4F03,
            sfi: Some(0x03),
            structure: linear(57, 1),
            access: Access::PIN_PIN,
            gate: Gate::Service(122),
            clause: "TS 31.102 §4.4.11.4",
            // A0: ngKSI 07 (no key), K_AMF unset, NAS counts 0, algorithms 0.
            default: Content::Hex(concat!(
                "A037",
                "800107",
                "8120FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
                "820400000000",
                "830400000000",
                "840100",
                "850100"
            )),
        },
        EfSpec {
            name: "EF.5GSN3GPPNSC",
            fid: 0x4F04,
            sfi: Some(0x04),
            structure: linear(57, 1),
            access: Access::PIN_PIN,
            gate: Gate::Service(122),
            clause: "TS 31.102 §4.4.11.5",
            default: Content::Hex(concat!(
                "A037",
                "800107",
                "8120FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
                "820400000000",
                "830400000000",
                "840100",
                "850100"
            )),
        },
        EfSpec {
            name: "EF.5GAUTHKEYS",
            fid: 0x4F05,
            sfi: Some(0x05),
            structure: transparent(110),
            // BER-TLV '80' K_AUSF, '81' K_SEAF, written by the ME after a primary
            // authentication (TS 24.501 Annex C.1 e), so UPDATE is PIN; the SAIP template
            // gives it the access rule of EF.5GS3GPPLOCI (READ PIN, UPDATE PIN).
            access: Access::PIN_PIN,
            gate: Gate::Service(123),
            clause: "TS 31.102 §4.4.11.6",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.UAC_AIC",
            fid: 0x4F06,
            sfi: Some(0x06),
            structure: transparent(4),
            access: Access::PIN_ADM,
            gate: Gate::Service(126),
            clause: "TS 31.102 §4.4.11.7",
            // Neither MPS nor MCS configured.
            default: Content::Hex("00000000"),
        },
        EfSpec {
            name: "EF.SUCI_Calc_Info",
            fid: fid::EF_SUCI_CALC_INFO,
            sfi: Some(0x07),
            structure: transparent(128),
            access: Access::PIN_ADM,
            // The spec's condition is n°124 and not n°125; the gate can only say n°124.
            gate: Gate::Service(124),
            clause: "TS 31.102 §4.4.11.8",
            // Protection scheme list: null scheme, key index 0; no home network key list.
            default: Content::Hex("A0020000"),
        },
        EfSpec {
            name: "EF.OPL5G",
            fid: 0x4F08,
            sfi: Some(0x08),
            structure: linear(10, 4),
            access: Access::ALWAYS_ADM,
            gate: Gate::Service(129),
            clause: "TS 31.102 §4.4.11.9",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.SUPI_NAI",
            fid: 0x4F09,
            sfi: Some(0x09),
            structure: transparent(64),
            access: Access::PIN_ADM,
            gate: Gate::Service(130),
            clause: "TS 31.102 §4.4.11.10",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.Routing_Indicator",
            fid: fid::EF_ROUTING_INDICATOR,
            sfi: Some(0x0A),
            structure: transparent(4),
            access: Access::PIN_ADM,
            gate: Gate::Service(124),
            clause: "TS 31.102 §4.4.11.11",
            // Routing indicator "0" (digits 2-4 filler F), RFU 0000.
            default: Content::Hex("F0FF0000"),
        },
        ef! {"EF.URSP", 0x4F0B, Some(0x0B), transparent(32), PIN_ADM, Gate::Service(132), "TS 31.102 §4.4.11.12", Erased},
        ef! {"EF.TN3GPPSNN", 0x4F0C, Some(0x0C), transparent(32), PIN_ADM, Gate::Service(133), "TS 31.102 §4.4.11.13", Erased},
        ef! {"EF.CAG", 0x4F0D, Some(0x0D), transparent(32), PIN_ADM, Gate::Service(137), "TS 31.102 §4.4.11.14", Erased},
        ef! {"EF.SOR-CMCI", 0x4F0E, Some(0x0E), transparent(32), PIN_ADM, Gate::Service(138), "TS 31.102 §4.4.11.15", Erased},
        ef! {"EF.DRI", 0x4F0F, Some(0x0F), transparent(32), PIN_ADM, Gate::Service(140), "TS 31.102 §4.4.11.17", Erased},
        ef! {"EF.5GSEDRX", 0x4F10, Some(0x10), transparent(32), PIN_ADM, Gate::Service(141), "TS 31.102 §4.4.11.18", Erased},
        ef! {"EF.5GNSWO_CONF", 0x4F11, Some(0x11), transparent(32), PIN_ADM, Gate::Service(142), "TS 31.102 §4.4.11.19", Erased},
        ef! {"EF.MCHPPLMN", 0x4F15, Some(0x15), transparent(32), PIN_ADM, Gate::Service(144), "TS 31.102 §4.4.11.20", Erased},
        ef! {"EF.KAUSF_DERIVATION", 0x4F16, Some(0x16), transparent(32), PIN_ADM, Gate::Service(145), "TS 31.102 §4.4.11.21", Erased},
    ],
    dfs: &[],
};

/// DF.GSM-ACCESS (TS 31.102 §4.4.3), present when UST n°27 GSM access is available.
pub const DF_GSM_ACCESS: DfSpec = DfSpec {
    name: "DF.GSM-ACCESS",
    fid: 0x5F3B,
    gate: Gate::Service(27),
    clause: "TS 31.102 §4.4.3",
    efs: &[
        EfSpec {
            name: "EF.Kc",
            fid: 0x4F20,
            sfi: Some(0x01),
            structure: transparent(9),
            access: Access::PIN_PIN,
            gate: Gate::Service(27),
            clause: "TS 31.102 §4.4.3.1",
            default: Content::Hex(NO_KC),
        },
        EfSpec {
            name: "EF.KcGPRS",
            fid: 0x4F52,
            sfi: Some(0x02),
            structure: transparent(9),
            access: Access::PIN_PIN,
            gate: Gate::Service(27),
            clause: "TS 31.102 §4.4.3.2",
            default: Content::Hex(NO_KC),
        },
        ef! {"EF.CPBCCH", 0x4F63, None, transparent(10), PIN_PIN, Gate::Service(39), "TS 31.102 §4.4.3.3", Erased},
        ef! {"EF.InvScan", 0x4F64, None, transparent(1), PIN_PIN, Gate::Service(40), "TS 31.102 §4.4.3.4", Erased},
    ],
    dfs: &[],
};

/// DF.PHONEBOOK of ADF.USIM, the local phone book (TS 31.102 §4.4.2), present with UST n°1.
pub const DF_USIM_PHONEBOOK: DfSpec = DfSpec {
    name: "DF.PHONEBOOK",
    fid: 0x5F3A,
    gate: Gate::Service(1),
    clause: "TS 31.102 §4.4.2",
    efs: &[
        ef! {"EF.PBR", 0x4F30, None, linear(32, 1), PIN_ADM, Gate::None, "TS 31.102 §4.4.2.1", Erased},
        ef! {"EF.PSC", 0x4F22, None, transparent(4), PIN_PIN, Gate::None, "TS 31.102 §4.4.2.12.2", Erased},
        ef! {"EF.CC", 0x4F23, None, transparent(2), PIN_PIN, Gate::None, "TS 31.102 §4.4.2.12.3", Erased},
        ef! {"EF.PUID", 0x4F24, None, transparent(2), PIN_PIN, Gate::None, "TS 31.102 §4.4.2.12.4", Erased},
    ],
    dfs: &[],
};

/// DF.WLAN (TS 31.102 §4.4.5), present with any of its EFs' services.
pub const DF_WLAN: DfSpec = DfSpec {
    name: "DF.WLAN",
    fid: 0x5F40,
    gate: Gate::Any(&[59, 60, 61, 62, 63, 66, 81, 82, 83, 84, 88]),
    clause: "TS 31.102 §4.4.5",
    efs: &[
        ef! {"EF.Pseudo", 0x4F41, Some(0x01), transparent(32), PIN_PIN, Gate::Service(59), "TS 31.102 §4.4.5.1", Erased},
        ef! {"EF.UPLMNWLAN", 0x4F42, Some(0x02), transparent(32), PIN_PIN, Gate::Service(60), "TS 31.102 §4.4.5.2", Erased},
        ef! {"EF.OPLMNWLAN", 0x4F43, Some(0x03), transparent(32), PIN_ADM, Gate::Service(61), "TS 31.102 §4.4.5.3", Erased},
        ef! {"EF.UWSIDL", 0x4F44, Some(0x04), linear(32, 4), PIN_PIN, Gate::Service(62), "TS 31.102 §4.4.5.4", Erased},
        ef! {"EF.OWSIDL", 0x4F45, Some(0x05), linear(32, 4), PIN_ADM, Gate::Service(63), "TS 31.102 §4.4.5.5", Erased},
        ef! {"EF.WRI", 0x4F46, Some(0x06), transparent(32), PIN_ADM, Gate::Service(66), "TS 31.102 §4.4.5.6", Erased},
        ef! {"EF.HWSIDL", 0x4F47, Some(0x07), linear(32, 4), PIN_ADM, Gate::Service(81), "TS 31.102 §4.4.5.7", Erased},
        ef! {"EF.WEHPLMNPI", 0x4F48, Some(0x08), transparent(32), PIN_ADM, Gate::Service(82), "TS 31.102 §4.4.5.8", Erased},
        ef! {"EF.WHPI", 0x4F49, Some(0x09), transparent(32), PIN_ADM, Gate::Service(83), "TS 31.102 §4.4.5.9", Erased},
        ef! {"EF.WLRPLMN", 0x4F4A, Some(0x0A), transparent(32), PIN_PIN, Gate::Service(84), "TS 31.102 §4.4.5.10", Erased},
        ef! {"EF.HPLMNDAI", 0x4F4B, Some(0x0B), transparent(32), PIN_ADM, Gate::Service(88), "TS 31.102 §4.4.5.11", Erased},
    ],
    dfs: &[],
};

/// DF.HNB, home (e)NodeB (TS 31.102 §4.4.6), present with UST n°86 or n°90.
pub const DF_HNB: DfSpec = DfSpec {
    name: "DF.HNB",
    fid: 0x5F50,
    gate: Gate::Any(&[86, 90]),
    clause: "TS 31.102 §4.4.6",
    efs: &[
        ef! {"EF.ACSGL", 0x4F81, Some(0x01), linear(32, 4), PIN_PIN, Gate::Service(86), "TS 31.102 §4.4.6.2", Erased},
        ef! {"EF.CSGT", 0x4F82, Some(0x02), linear(32, 4), PIN_PIN, Gate::Service(86), "TS 31.102 §4.4.6.3", Erased},
        ef! {"EF.HNBN", 0x4F83, Some(0x03), linear(32, 4), PIN_PIN, Gate::Service(86), "TS 31.102 §4.4.6.4", Erased},
        ef! {"EF.OCSGL", 0x4F84, Some(0x04), linear(32, 4), PIN_ADM, Gate::Service(90), "TS 31.102 §4.4.6.5", Erased},
        ef! {"EF.OCSGT", 0x4F85, Some(0x05), linear(32, 4), PIN_ADM, Gate::Service(90), "TS 31.102 §4.4.6.6", Erased},
        ef! {"EF.OHNBN", 0x4F86, Some(0x06), linear(32, 4), PIN_ADM, Gate::Service(90), "TS 31.102 §4.4.6.7", Erased},
    ],
    dfs: &[],
};

/// DF.ProSe (TS 31.102 §4.4.8), present with UST n°101.
pub const DF_PROSE: DfSpec = DfSpec {
    name: "DF.ProSe",
    fid: 0x5F90,
    gate: Gate::Service(101),
    clause: "TS 31.102 §4.4.8",
    efs: &[
        ef! {"EF.PROSE_MON", 0x4F01, Some(0x01), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.2", Erased},
        ef! {"EF.PROSE_ANN", 0x4F02, Some(0x02), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.3", Erased},
        ef! {"EF.PROSEFUNC", 0x4F03, Some(0x03), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.4", Erased},
        ef! {"EF.PROSE_RADIO_COM", 0x4F04, Some(0x04), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.5", Erased},
        ef! {"EF.PROSE_RADIO_MON", 0x4F05, Some(0x05), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.6", Erased},
        ef! {"EF.PROSE_RADIO_ANN", 0x4F06, Some(0x06), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.7", Erased},
        ef! {"EF.PROSE_POLICY", 0x4F07, Some(0x07), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.8", Erased},
        ef! {"EF.PROSE_PLMN", 0x4F08, Some(0x08), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.9", Erased},
        ef! {"EF.PROSE_GC", 0x4F09, Some(0x09), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.10", Erased},
        ef! {"EF.PST", 0x4F10, Some(0x10), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.11", Erased},
        ef! {"EF.UIRC", 0x4F11, Some(0x11), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.12", Erased},
        ef! {"EF.PROSE_GM_DISCOVERY", 0x4F12, Some(0x12), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.13", Erased},
        ef! {"EF.PROSE_RELAY", 0x4F13, Some(0x13), linear(32, 4), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.14", Erased},
        ef! {"EF.PROSE_RELAY_DISCOVERY", 0x4F14, Some(0x14), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.8.15", Erased},
    ],
    dfs: &[],
};

/// DF.SNPN (TS 31.102 §4.4.12), present with UST n°143 or n°146.
pub const DF_SNPN: DfSpec = DfSpec {
    name: "DF.SNPN",
    fid: 0x5FE0,
    gate: Gate::Any(&[143, 146]),
    clause: "TS 31.102 §4.4.12",
    efs: &[
        ef! {"EF.PWS_SNPN", 0x4F01, Some(0x01), transparent(32), PIN_ADM, Gate::Service(143), "TS 31.102 §4.4.12.2", Erased},
        ef! {"EF.NID", 0x4F02, Some(0x02), linear(6, 4), PIN_ADM, Gate::Service(146), "TS 31.102 §4.4.12.3", Erased},
    ],
    dfs: &[],
};

/// DF.5G_ProSe (TS 31.102 §4.4.13), present with UST n°139.
pub const DF_5G_PROSE: DfSpec = DfSpec {
    name: "DF.5G_ProSe",
    fid: 0x5FF0,
    gate: Gate::Service(139),
    clause: "TS 31.102 §4.4.13",
    efs: &[
        // No 5G ProSe service.
        ef! {"EF.5G_PROSE_ST", 0x4F01, Some(0x01), transparent(2), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.2", Hex("00")},
        ef! {"EF.5G_PROSE_DD", 0x4F02, Some(0x02), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.3", Erased},
        ef! {"EF.5G_PROSE_DC", 0x4F03, Some(0x03), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.4", Erased},
        ef! {"EF.5G_PROSE_U2NRU", 0x4F04, Some(0x04), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.5", Erased},
        ef! {"EF.5G_PROSE_RU", 0x4F05, Some(0x05), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.6", Erased},
        ef! {"EF.5G_PROSE_UIR", 0x4F06, Some(0x06), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.7", Erased},
        ef! {"EF.5G_PROSE_U2URU", 0x4F07, Some(0x07), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.8", Erased},
        ef! {"EF.5G_PROSE_EU", 0x4F08, Some(0x08), transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.13.9", Erased},
    ],
    dfs: &[],
};

/// DF.5MBSUECONFIG (TS 31.102 §4.4.14), present with UST n°147.
pub const DF_5MBS_UE_CONFIG: DfSpec = DfSpec {
    name: "DF.5MBSUECONFIG",
    fid: 0x5FF1,
    gate: Gate::Service(147),
    clause: "TS 31.102 §4.4.14",
    efs: &[
        ef! {"EF.5MBSUECONFIG", 0x4F01, None, transparent(32), PIN_ADM, Gate::None, "TS 31.102 §4.4.14.2", Erased},
    ],
    dfs: &[],
};

/// DF.SAIP (TCA eUICC Profile Package; not 3GPP), gated on UST n°125 by vusim's choice.
pub const DF_SAIP: DfSpec = DfSpec {
    name: "DF.SAIP",
    fid: 0x5FD0,
    gate: Gate::Service(125),
    clause: "TCA SAIP DF.SAIP",
    efs: &[
        ef! {"EF.SUCI_Calc_Info", 0x4F01, Some(0x07), transparent(2), PIN_ADM, Gate::None, "TCA SAIP DF.SAIP", Erased},
    ],
    dfs: &[],
};
