//! The file tables of the MF (with DF.TELECOM and DF.GSM), ADF.USIM (with DF.5GS and
//! DF.GSM-ACCESS) and ADF.ISIM (TS 102 221 §13, TS 51.011 §10, TS 31.102 §4, TS 31.103 §4).
//!
//! One row per EF: spec name, FID, SFI exactly as the spec assigns it (`None` where it assigns
//! none), structure and size, access rule, service gate, defining clause and the default content
//! of the embedded test card: PLMN 001/01, IMSI 001010123456789, IMS domain
//! `ims.mnc001.mcc001.3gppnetwork.org`. Sizes are the spec's where it fixes one and typical
//! real-card (SAIP template) sizes otherwise. EF.ARR and EF.DIR stay erased: the runtime writes
//! them from the access rules and the applet registry. `vectors/file_ids.json` is the independent
//! reference the rows are checked against (`applet/tests/file_table.rs`).
//!
//! Default service tables: UST enables n°12 SMSP, 19 SPN, 20/42/43 PLMN selectors with AcT,
//! 21 MSISDN, 27 GSM access, 33 PS domain (shall be set), 34 EST, 38 GSM security context,
//! 68 GBA, 71 EHPLMN, 85 EPS MM information, 122 5GS MM information, 123 5G security parameters,
//! 124 SUCI privacy (ME-side calculation: n°125 is off), 126 UAC access identities and
//! 129 5GS operator PLMN list. IST enables n°2 GBA.

use super::spec::{Access, Content, DfSpec, EfSpec, Gate, Structure};

/// A transparent EF of `size` bytes.
const fn transparent(size: u16) -> Structure {
    Structure::Transparent { size }
}

/// A linear fixed EF of `records` records of `record_len` bytes.
const fn linear(record_len: u8, records: u8) -> Structure {
    Structure::LinearFixed {
        record_len,
        records,
    }
}

/// Kc of a SIM that holds no key: Kc all `FF`, CKSN `07` "no key available" (TS 51.011 §10.3.3).
const NO_KC: &str = "FFFFFFFFFFFFFFFF07";

/// `FFFFFF0000`: an unused PLMN-with-access-technology entry (TS 31.102 Annex E).
macro_rules! unused_plmn_act {
    () => {
        "FFFFFF0000"
    };
}

/// HPLMN 001/01 with UTRAN, E-UTRAN (WB-S1 and NB-S1), NG-RAN and GSM (TS 31.102 §4.2.5).
macro_rules! hplmn_all_act {
    () => {
        concat!("00F110", "C880")
    };
}

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
    ],
    dfs: &[],
};

/// DF.GSM (TS 51.011 §10.3): the GSM-application EFs modems still read on a UICC.
pub const DF_GSM: DfSpec = DfSpec {
    name: "DF.GSM",
    fid: 0x7F20,
    gate: Gate::None,
    clause: "TS 51.011 §10.3",
    efs: &[
        EfSpec {
            name: "EF.IMSI",
            fid: 0x6F07,
            sfi: None,
            structure: transparent(9),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.2",
            default: Content::Hex("080910101032547698"),
        },
        EfSpec {
            name: "EF.Kc",
            fid: 0x6F20,
            sfi: None,
            structure: transparent(9),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.3",
            default: Content::Hex(NO_KC),
        },
        EfSpec {
            name: "EF.PLMNsel",
            fid: 0x6F30,
            sfi: None,
            structure: transparent(24),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.4",
            default: Content::Hex("00F110"),
        },
        EfSpec {
            name: "EF.HPPLMN",
            fid: 0x6F31,
            sfi: None,
            structure: transparent(1),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.5",
            // 10 × 6 minutes.
            default: Content::Hex("0A"),
        },
        EfSpec {
            name: "EF.SST",
            fid: 0x6F38,
            sfi: None,
            structure: transparent(15),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.7",
            // Allocated and activated: n°1 CHV1 disable, 7 PLMN selector, 9 MSISDN,
            // 12 SMS parameters, 17 SPN, 38 GPRS.
            default: Content::Hex("0330C30003000000000C0000000000"),
        },
        EfSpec {
            name: "EF.SPN",
            fid: 0x6F46,
            sfi: None,
            structure: transparent(17),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.11",
            default: Content::Hex("00767573696D"),
        },
        EfSpec {
            name: "EF.BCCH",
            fid: 0x6F74,
            sfi: None,
            structure: transparent(16),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.14",
            // Neighbour cell description, bit map 0 format, no carrier.
            default: Content::Hex("00000000000000000000000000000000"),
        },
        EfSpec {
            name: "EF.ACC",
            fid: 0x6F78,
            sfi: None,
            structure: transparent(2),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.15",
            // ACC 9, from the last IMSI digit.
            default: Content::Hex("0200"),
        },
        EfSpec {
            name: "EF.FPLMN",
            fid: 0x6F7B,
            sfi: None,
            structure: transparent(12),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.16",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.LOCI",
            fid: 0x6F7E,
            sfi: None,
            structure: transparent(11),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.17",
            // TMSI deleted, LAI 001/01 LAC 0000 (deleted), TMSI time FF, not updated.
            default: Content::Hex(concat!("FFFFFFFF", "00F110", "0000", "FF", "01")),
        },
        EfSpec {
            name: "EF.AD",
            fid: 0x6FAD,
            sfi: None,
            structure: transparent(4),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.18",
            // Normal operation, two-digit MNC.
            default: Content::Hex("00000002"),
        },
        EfSpec {
            name: "EF.Phase",
            fid: 0x6FAE,
            sfi: None,
            structure: transparent(1),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.19",
            // Phase 2 and PROFILE DOWNLOAD required.
            default: Content::Hex("03"),
        },
        EfSpec {
            name: "EF.KcGPRS",
            fid: 0x6F52,
            sfi: None,
            structure: transparent(9),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.32",
            default: Content::Hex(NO_KC),
        },
        EfSpec {
            name: "EF.LOCIGPRS",
            fid: 0x6F53,
            sfi: None,
            structure: transparent(14),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 51.011 §10.3.33",
            // P-TMSI and signature deleted, RAI 001/01 LAC 0000 RAC FF, not updated.
            default: Content::Hex(concat!("FFFFFFFF", "FFFFFF", "00F110", "0000", "FF", "01")),
        },
    ],
    dfs: &[],
};

/// The MF (TS 102 221 §13) with DF.TELECOM and DF.GSM; ADFs are added from the applet registry.
pub const MF: DfSpec = DfSpec {
    name: "MF",
    fid: 0x3F00,
    gate: Gate::None,
    clause: "TS 102 221 §13",
    efs: &[
        EfSpec {
            name: "EF.DIR",
            fid: 0x2F00,
            sfi: Some(0x1E),
            structure: linear(0x26, 8),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 102 221 §13.1",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.ICCID",
            fid: 0x2FE2,
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
            fid: 0x2F06,
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

/// DF.5GS (TS 31.102 §4.4.11), present when any 5GS service of the UST is available.
pub const DF_5GS: DfSpec = DfSpec {
    name: "DF.5GS",
    fid: 0x5FC0,
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
            // Written by the USIM itself after 5G AKA (K_AUSF, K_SEAF).
            access: Access::PIN_ADM,
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
            fid: 0x4F07,
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
            fid: 0x4F0A,
            sfi: Some(0x0A),
            structure: transparent(4),
            access: Access::PIN_ADM,
            gate: Gate::Service(124),
            clause: "TS 31.102 §4.4.11.11",
            // Routing indicator "0" (digits 2-4 filler F), RFU 0000.
            default: Content::Hex("F0FF0000"),
        },
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
    ],
    dfs: &[],
};

/// ADF.USIM (TS 31.102 §4.2), selected by AID; DF.5GS and DF.GSM-ACCESS below it.
pub const ADF_USIM: DfSpec = DfSpec {
    name: "ADF.USIM",
    fid: 0x7FFF,
    gate: Gate::None,
    clause: "TS 31.102 §4.2",
    efs: &[
        EfSpec {
            name: "EF.LI",
            fid: 0x6F05,
            sfi: Some(0x02),
            structure: transparent(6),
            access: Access::ALWAYS_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.1",
            default: Content::Hex("656E"),
        },
        EfSpec {
            name: "EF.IMSI",
            fid: 0x6F07,
            sfi: Some(0x07),
            structure: transparent(9),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.2",
            // 001010123456789: length 8, odd parity + digit 0, then BCD nibble pairs.
            default: Content::Hex("080910101032547698"),
        },
        EfSpec {
            name: "EF.Keys",
            fid: 0x6F08,
            sfi: Some(0x08),
            structure: transparent(33),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.3",
            // KSI 07 "no key available", CK and IK unset (Annex E).
            default: Content::Hex("07"),
        },
        EfSpec {
            name: "EF.KeysPS",
            fid: 0x6F09,
            sfi: Some(0x09),
            structure: transparent(33),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.4",
            default: Content::Hex("07"),
        },
        EfSpec {
            name: "EF.PLMNwAcT",
            fid: 0x6F60,
            sfi: Some(0x0A),
            structure: transparent(40),
            access: Access::PIN_PIN,
            gate: Gate::Service(20),
            clause: "TS 31.102 §4.2.5",
            default: Content::Hex(concat!(
                hplmn_all_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!()
            )),
        },
        EfSpec {
            name: "EF.HPPLMN",
            fid: 0x6F31,
            sfi: Some(0x12),
            structure: transparent(1),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.6",
            // 10 × 6 minutes.
            default: Content::Hex("0A"),
        },
        EfSpec {
            name: "EF.UST",
            fid: 0x6F38,
            sfi: Some(0x04),
            structure: transparent(17),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.8",
            // n°12 19 20 21 27 33 34 38 42 43 68 71 85 122 123 124 126 129 (see module docs).
            default: Content::Hex("00081C0423060000480010000000002E01"),
        },
        EfSpec {
            name: "EF.SPN",
            fid: 0x6F46,
            sfi: None,
            structure: transparent(17),
            access: Access::ALWAYS_ADM,
            gate: Gate::Service(19),
            clause: "TS 31.102 §4.2.12",
            // Display condition 00, "vusim" in the SMS default alphabet, FF-padded.
            default: Content::Hex("00767573696D"),
        },
        EfSpec {
            name: "EF.ACC",
            fid: 0x6F78,
            sfi: Some(0x06),
            structure: transparent(2),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.15",
            // ACC 9, from the last IMSI digit.
            default: Content::Hex("0200"),
        },
        EfSpec {
            name: "EF.FPLMN",
            fid: 0x6F7B,
            sfi: Some(0x0D),
            structure: transparent(12),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.16",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.LOCI",
            fid: 0x6F7E,
            sfi: Some(0x0B),
            structure: transparent(11),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.17",
            // TMSI deleted, LAI 001/01 LAC 0000 (deleted), RFU FF, not updated.
            default: Content::Hex(concat!("FFFFFFFF", "00F110", "0000", "FF", "01")),
        },
        EfSpec {
            name: "EF.AD",
            fid: 0x6FAD,
            sfi: Some(0x03),
            structure: transparent(4),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.18",
            // Normal operation, no additional information, two-digit MNC.
            default: Content::Hex("00000002"),
        },
        EfSpec {
            name: "EF.ECC",
            fid: 0x6FB7,
            sfi: Some(0x01),
            structure: linear(14, 5),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.21",
            // Code (3 BCD bytes), no alpha identifier (10 × FF), no service category.
            default: Content::Records(&[
                concat!("11F2FF", "FFFFFFFFFFFFFFFFFFFF", "00"),
                concat!("19F1FF", "FFFFFFFFFFFFFFFFFFFF", "00"),
            ]),
        },
        EfSpec {
            name: "EF.PSLOCI",
            fid: 0x6F73,
            sfi: Some(0x0C),
            structure: transparent(14),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.23",
            // P-TMSI and signature deleted, RAI 001/01 LAC 0000 RAC FF, not updated.
            default: Content::Hex(concat!("FFFFFFFF", "FFFFFF", "00F110", "0000", "FF", "01")),
        },
        EfSpec {
            name: "EF.MSISDN",
            fid: 0x6F40,
            sfi: None,
            structure: linear(24, 1),
            access: Access::PIN_PIN,
            gate: Gate::Service(21),
            clause: "TS 31.102 §4.2.26",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.SMSP",
            fid: 0x6F42,
            sfi: None,
            structure: linear(38, 1),
            access: Access::PIN_PIN,
            gate: Gate::Service(12),
            clause: "TS 31.102 §4.2.27",
            // All parameters absent.
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.EST",
            fid: 0x6F56,
            sfi: Some(0x05),
            structure: transparent(1),
            access: Access::PIN_PIN2,
            gate: Gate::Any(&[2, 6, 34, 35]),
            clause: "TS 31.102 §4.2.47",
            // FDN, BDN and ACL all disabled.
            default: Content::Hex("00"),
        },
        EfSpec {
            name: "EF.START-HFN",
            fid: 0x6F5B,
            sfi: Some(0x0F),
            structure: transparent(6),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.51",
            default: Content::Hex("F00000F00000"),
        },
        EfSpec {
            name: "EF.THRESHOLD",
            fid: 0x6F5C,
            sfi: Some(0x10),
            structure: transparent(3),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.52",
            default: Content::Hex("FFFFFF"),
        },
        EfSpec {
            name: "EF.OPLMNwAcT",
            fid: 0x6F61,
            sfi: Some(0x11),
            structure: transparent(40),
            access: Access::PIN_ADM,
            gate: Gate::Service(42),
            clause: "TS 31.102 §4.2.53",
            default: Content::Hex(concat!(
                hplmn_all_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!(),
                unused_plmn_act!()
            )),
        },
        EfSpec {
            name: "EF.HPLMNwAcT",
            fid: 0x6F62,
            sfi: Some(0x13),
            structure: transparent(5),
            access: Access::PIN_ADM,
            gate: Gate::Service(43),
            clause: "TS 31.102 §4.2.54",
            default: Content::Hex(hplmn_all_act!()),
        },
        EfSpec {
            name: "EF.ARR",
            fid: 0x6F06,
            sfi: Some(0x17),
            structure: linear(0x30, 10),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.55",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.NETPAR",
            fid: 0x6FC4,
            sfi: None,
            structure: transparent(128),
            access: Access::PIN_PIN,
            gate: Gate::None,
            clause: "TS 31.102 §4.2.57",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.GBABP",
            fid: 0x6FD6,
            sfi: None,
            structure: transparent(128),
            access: Access::PIN_PIN,
            gate: Gate::Service(68),
            clause: "TS 31.102 §4.2.79",
            // No bootstrap yet: L_RAND, L_B-TID and L_lifetime all 0.
            default: Content::Hex("000000"),
        },
        EfSpec {
            name: "EF.GBANL",
            fid: 0x6FDA,
            sfi: None,
            structure: linear(128, 4),
            access: Access::PIN_ADM,
            gate: Gate::Service(68),
            clause: "TS 31.102 §4.2.83",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.GBAUAPI",
            fid: 0x6F0A,
            sfi: None,
            structure: linear(64, 4),
            access: Access::PIN_ADM,
            gate: Gate::Service(68),
            clause: "TS 31.102 Rel-18, EF_GBAUAPI (Access Control to GBA_U_API)",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.EHPLMN",
            fid: 0x6FD9,
            sfi: Some(0x1D),
            structure: transparent(15),
            access: Access::PIN_ADM,
            gate: Gate::Service(71),
            clause: "TS 31.102 §4.2.84",
            default: Content::Hex("00F110"),
        },
        EfSpec {
            name: "EF.NAFKCA",
            fid: 0x6FDD,
            sfi: None,
            structure: linear(64, 2),
            access: Access::PIN_ADM,
            gate: Gate::All(&[68, 76]),
            clause: "TS 31.102 §4.2.87",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.EPSLOCI",
            fid: 0x6FE3,
            sfi: Some(0x1E),
            structure: transparent(18),
            access: Access::PIN_PIN,
            gate: Gate::Service(85),
            clause: "TS 31.102 §4.2.91",
            // GUTI deleted, TAI 001/01 TAC 0000 (deleted), EU2 not updated.
            default: Content::Hex(concat!("FFFFFFFFFFFFFFFFFFFFFFFF", "00F110", "0000", "01")),
        },
        EfSpec {
            name: "EF.EPSNSC",
            fid: 0x6FE4,
            sfi: Some(0x18),
            structure: linear(54, 1),
            access: Access::PIN_PIN,
            gate: Gate::Service(85),
            clause: "TS 31.102 §4.2.92",
            // A0: KSI_ASME 07 (no key), K_ASME unset, NAS counts 0, algorithms 0.
            default: Content::Hex(concat!(
                "A034",
                "800107",
                "8120FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
                "820400000000",
                "830400000000",
                "840100"
            )),
        },
    ],
    dfs: &[DF_5GS, DF_GSM_ACCESS],
};

/// ADF.ISIM (TS 31.103 §4.2), selected by AID.
pub const ADF_ISIM: DfSpec = DfSpec {
    name: "ADF.ISIM",
    fid: 0x7FFF,
    gate: Gate::None,
    clause: "TS 31.103 §4.2",
    efs: &[
        EfSpec {
            name: "EF.IMPI",
            fid: 0x6F02,
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
            fid: 0x6F03,
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
            fid: 0x6F04,
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
            fid: 0x6FAD,
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
            fid: 0x6F06,
            sfi: Some(0x06),
            structure: linear(0x30, 6),
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.6",
            default: Content::Erased,
        },
        EfSpec {
            name: "EF.IST",
            fid: 0x6F07,
            sfi: Some(0x07),
            structure: transparent(3),
            access: Access::PIN_ADM,
            gate: Gate::None,
            clause: "TS 31.103 §4.2.7",
            // n°2 GBA.
            default: Content::Hex("020000"),
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
            name: "EF.GBAUAPI",
            fid: 0x6F0A,
            sfi: None,
            structure: linear(64, 4),
            access: Access::PIN_ADM,
            gate: Gate::Service(2),
            clause: "TS 31.103 §4.2.22",
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
    ],
    dfs: &[],
};
