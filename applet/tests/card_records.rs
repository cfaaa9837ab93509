//! Record and life-cycle commands on a small custom file table: READ/UPDATE RECORD in every
//! mode, cyclic files, SEARCH RECORD, INCREASE, DEACTIVATE/ACTIVATE FILE (TS 102 221 §11.1.5–§11.1.15).

use vusim_apdu::hexstr::parse_hex;
use vusim_applet::card::security::{Pin, Security, KEY_ADM1};
use vusim_applet::card::{Card, CardBuilder};
use vusim_applet::fs::spec::{Access, Content, DfSpec, EfSpec, Gate, Rule, Structure};

const OPEN: Access = Access {
    read: Rule::Always,
    update: Rule::Always,
    increase: Rule::Always,
    deactivate: Rule::Adm,
    activate: Rule::Adm,
};

static MF: DfSpec = DfSpec {
    name: "MF",
    fid: 0x3F00,
    gate: Gate::None,
    clause: "test",
    efs: &[
        EfSpec {
            name: "EF.LINEAR",
            fid: 0x2F10,
            sfi: Some(0x10),
            structure: Structure::LinearFixed {
                record_len: 4,
                records: 3,
            },
            access: OPEN,
            gate: Gate::None,
            clause: "test",
            default: Content::Records(&["01020304", "AABBCCDD", "01FFFFFF"]),
        },
        EfSpec {
            name: "EF.CYCLIC",
            fid: 0x2F11,
            sfi: Some(0x11),
            structure: Structure::Cyclic {
                record_len: 3,
                records: 3,
            },
            access: OPEN,
            gate: Gate::None,
            clause: "test",
            default: Content::Records(&["000010", "000005", "000001"]),
        },
        EfSpec {
            name: "EF.ARR",
            fid: 0x2F06,
            sfi: Some(0x06),
            structure: Structure::LinearFixed {
                record_len: 0x30,
                records: 4,
            },
            access: Access::ALWAYS_ADM,
            gate: Gate::None,
            clause: "test",
            default: Content::Erased,
        },
    ],
    dfs: &[],
};

fn card() -> Card {
    let adm = vusim_applet::card::security::pad_pin(b"88888888").expect("pin");
    CardBuilder::new(&MF)
        .security(Security::new(vec![Pin::new(KEY_ADM1, adm, 10, None)]))
        .build()
        .expect("card")
}

fn x(card: &mut Card, apdu: &str, want: &str) {
    let got = hex::encode_upper(card.transmit_bytes(&parse_hex(apdu).expect("hex")));
    let want: String = want.split_whitespace().collect();
    assert_eq!(got, want, "APDU {apdu}");
}

#[test]
fn linear_fixed_modes() {
    let mut c = card();
    x(&mut c, "00 A4 00 0C 02 2F10", "9000");
    // Current record before any: not found. Next from none: record 1. Next, next, then the end.
    x(&mut c, "00 B2 00 04 04", "6A83");
    x(&mut c, "00 B2 00 02 04", "01020304 9000");
    x(&mut c, "00 B2 00 02 04", "AABBCCDD 9000");
    x(&mut c, "00 B2 00 04 04", "AABBCCDD 9000");
    x(&mut c, "00 B2 00 02 04", "01FFFFFF 9000");
    x(&mut c, "00 B2 00 02 04", "6A83");
    // Previous walks back; absolute does not move the pointer.
    x(&mut c, "00 B2 00 03 04", "AABBCCDD 9000");
    x(&mut c, "00 B2 01 04 04", "01020304 9000");
    x(&mut c, "00 B2 00 04 04", "AABBCCDD 9000");
    // By SFI (P2 = SFI << 3 | mode).
    x(&mut c, "00 B2 03 84 04", "01FFFFFF 9000");
    // UPDATE RECORD: exact length, absolute and previous.
    x(&mut c, "00 DC 02 04 04 11223344", "9000");
    x(&mut c, "00 DC 02 04 03 112233", "6700");
    x(&mut c, "00 B2 02 04 04", "11223344 9000");
    // SEARCH RECORD forward and backward from P1; the pointer moves to the first hit.
    x(&mut c, "00 A2 01 04 01 01", "0103 9000");
    x(&mut c, "00 A2 03 05 01 01", "0301 9000");
    x(&mut c, "00 A2 01 04 02 2233", "02 9000");
    x(&mut c, "00 A2 01 04 02 7777", "9000");
    x(&mut c, "00 A2 01 07 01 01", "6A86");
    // INCREASE is for cyclic files only.
    x(&mut c, "80 32 00 00 01 01", "6981");
}

#[test]
fn cyclic_update_and_increase() {
    let mut c = card();
    x(&mut c, "00 A4 00 0C 02 2F11", "9000");
    // Cyclic files wrap in both directions.
    x(&mut c, "00 B2 00 03 03", "000001 9000");
    x(&mut c, "00 B2 00 02 03", "000010 9000");
    // UPDATE RECORD only in PREVIOUS mode: the oldest record is replaced and becomes record 1.
    x(&mut c, "00 DC 01 04 03 ABCDEF", "6A86");
    x(&mut c, "00 DC 00 03 03 000020", "9000");
    x(&mut c, "00 B2 01 04 03", "000020 9000");
    x(&mut c, "00 B2 02 04 03", "000010 9000");
    x(&mut c, "00 B2 03 04 03", "000005 9000");
    // INCREASE adds to record 1 and stores the sum as the new record 1: new value ‖ added value.
    x(&mut c, "80 32 00 00 02 0105", "000125 0105 9000");
    x(&mut c, "00 B2 01 04 03", "000125 9000");
    x(&mut c, "00 B2 02 04 03", "000020 9000");
    // Overflow → 9850, nothing changes.
    x(&mut c, "80 32 00 00 03 FFFFFF", "9850");
    x(&mut c, "00 B2 01 04 03", "000125 9000");
    x(&mut c, "80 32 00 00 04 00000001", "6700");
}

#[test]
fn deactivate_and_activate() {
    let mut c = card();
    x(&mut c, "00 A4 00 0C 02 2F10", "9000");
    // ADM required.
    x(&mut c, "00 04 00 00", "6982");
    x(&mut c, "00 20 00 0A 08 3838383838383838", "9000");
    x(&mut c, "00 04 00 00", "9000");
    // Selecting a deactivated file warns 6283 (with LCSI 04 in the FCP); reading is refused.
    let r = hex::encode_upper(c.transmit_bytes(&parse_hex("00 A4 00 04 02 2F10").expect("hex")));
    assert!(r.ends_with("6283") && r.contains("8A0104"), "{r}");
    x(&mut c, "00 B2 01 04 04", "6984");
    x(&mut c, "00 44 00 00 02 2F10", "9000");
    x(&mut c, "00 B2 01 04 04", "01020304 9000");
    assert!(c.take_dirty());
}
