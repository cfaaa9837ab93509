//! The SIM application (3GPP TS 51.011 §9, class A0) through APDUs only: CHVs shared with the
//! UICC PINs, the §9.4 status words, records, SEEK, INCREASE, INVALIDATE/REHABILITATE, the
//! direct (non-T=0) path, and RUN GSM ALGORITHM against the published TS 55.205 vectors.

#![allow(clippy::indexing_slicing)] // test code indexes known-good vector JSON

use vusim_apdu::hexstr::parse_hex;
use vusim_applet::card::security::{pad_pin, Pin, Security, KEY_ADM1, KEY_PIN1};
use vusim_applet::card::{Card, CardBuilder, Transport};
use vusim_applet::default_card::default_card;
use vusim_applet::fs::spec::{Access, Content, DfSpec, EfSpec, Gate, Rule, Structure};

fn x(card: &mut Card, apdu: &str, want: &str) {
    let got = hex::encode_upper(card.transmit_bytes(&parse_hex(apdu).expect("hex")));
    let want: String = want.split_whitespace().collect();
    assert_eq!(got, want, "APDU {apdu}");
}

fn t0_default() -> Card {
    let mut c = default_card().expect("default card");
    c.set_transport(Transport::T0);
    c
}

#[test]
fn chv1_is_pin1_counters_and_blocking_shared() {
    let mut c = t0_default();
    // A wrong CHV1 through the GSM interface costs a PIN1 try seen by the UICC interface.
    x(&mut c, "A0 20 00 01 08 30303030FFFFFFFF", "9804");
    x(&mut c, "00 20 00 01", "63C2");
    x(&mut c, "A0 20 00 01 08 30303030FFFFFFFF", "9804");
    // The last try: 9840, blocked; the right CHV is refused too.
    x(&mut c, "A0 20 00 01 08 30303030FFFFFFFF", "9840");
    x(&mut c, "A0 20 00 01 08 31323334FFFFFFFF", "9840");
    x(&mut c, "00 20 00 01", "6983");
    // The DF response shows CHV1 blocked (80: initialised, 0 tries).
    x(&mut c, "A0 A4 00 00 02 3F00", "9F17");
    let r = hex::encode_upper(c.transmit_bytes(&parse_hex("A0C0000017").expect("hex")));
    assert_eq!(&r[36..40], "808A", "{r}");
    // UNBLOCK CHV (P2 00 = CHV1): a wrong UNBLOCK CHV, then the right one with a new CHV1.
    x(
        &mut c,
        "A0 2C 00 00 10 3030303030303030 31323334FFFFFFFF",
        "9804",
    );
    x(
        &mut c,
        "A0 2C 00 00 10 3132333435363738 31323334FFFFFFFF",
        "9000",
    );
    x(&mut c, "00 20 00 01", "9000");
    // CHANGE CHV1 and back; a P3 that is not 16 is a wrong length.
    x(
        &mut c,
        "A0 24 00 01 10 31323334FFFFFFFF 34333231FFFFFFFF",
        "9000",
    );
    x(
        &mut c,
        "A0 24 00 01 10 34333231FFFFFFFF 31323334FFFFFFFF",
        "9000",
    );
    x(&mut c, "A0 24 00 01 08 31323334FFFFFFFF", "6700");
    // Unknown CHV reference and P1.
    x(&mut c, "A0 20 00 03 08 31323334FFFFFFFF", "6B00");
    x(&mut c, "A0 20 01 01 08 31323334FFFFFFFF", "6B00");
}

#[test]
fn disable_and_enable_chv1_show_in_the_file_characteristics() {
    let mut c = t0_default();
    x(&mut c, "A0 28 00 01 08 31323334FFFFFFFF", "9808");
    x(&mut c, "A0 26 00 01 08 31323334FFFFFFFF", "9000");
    x(&mut c, "A0 26 00 01 08 31323334FFFFFFFF", "9808");
    x(&mut c, "A0 A4 00 00 02 3F00", "9F17");
    let r = hex::encode_upper(c.transmit_bytes(&parse_hex("A0C0000017").expect("hex")));
    // Byte 14, b8 = 1: CHV1 disabled.
    assert_eq!(&r[26..28], "B1", "{r}");
    // With CHV1 disabled, EF.IMSI is readable without verification.
    c.reset();
    x(&mut c, "A0 A4 00 00 02 7F20", "9F17");
    x(&mut c, "A0 A4 00 00 02 6F07", "9F0F");
    x(&mut c, "A0 B0 00 00 09", "080910101032547698 9000");
    // CHANGE CHV while disabled contradicts the CHV status.
    x(
        &mut c,
        "A0 24 00 01 10 31323334FFFFFFFF 34333231FFFFFFFF",
        "9808",
    );
    x(&mut c, "A0 28 00 01 08 31323334FFFFFFFF", "9000");
}

#[test]
fn chv2_is_the_usim_pin2() {
    let mut c = t0_default();
    x(&mut c, "A0 20 00 02 08 35363738FFFFFFFF", "9000");
    // The USIM's PIN2 (local key 81) is verified for the USIM.
    x(&mut c, "00 A4 04 0C 07 A0000000871002", "9000");
    x(&mut c, "00 20 00 81", "9000");
    // UNBLOCK CHV2 (P2 02) without the right PUK2 counts on the USIM's unblock counter.
    x(
        &mut c,
        "A0 2C 00 02 10 3030303030303030 35363738FFFFFFFF",
        "9804",
    );
    x(&mut c, "00 2C 00 81", "63C9");
}

#[test]
fn files_status_words_and_invalidation() {
    let mut c = t0_default();
    // No EF selected yet.
    x(&mut c, "A0 B0 00 00 01", "9400");
    // Unknown FID; the ADF alias 7FFF does not exist for the SIM application.
    x(&mut c, "A0 A4 00 00 02 6F99", "9404");
    x(&mut c, "A0 A4 00 00 02 7FFF", "9404");
    x(&mut c, "A0 A4 00 00 01 3F", "6700");
    // READ RECORD on a transparent file; READ BINARY on a record file.
    x(&mut c, "A0 A4 00 00 02 2FE2", "9F0F");
    x(&mut c, "A0 B2 01 04 0A", "9408");
    x(&mut c, "A0 A4 00 00 02 7F10", "9F17");
    x(&mut c, "A0 A4 00 00 02 6F40", "9F0F");
    // EF.MSISDN: linear fixed (01), one record of 24 (18) bytes, READ CHV1 / UPDATE CHV1.
    x(
        &mut c,
        "A0 C0 00 00 0F",
        "0000 0018 6F40 04 00 11 10 AA 01 02 01 18 9000",
    );
    x(&mut c, "A0 B0 00 00 01", "9804");
    x(&mut c, "A0 20 00 01 08 31323334FFFFFFFF", "9000");
    x(&mut c, "A0 B0 00 00 01", "9408");
    x(&mut c, "A0 B2 01 04 17", "6700");
    x(&mut c, "A0 B2 02 04 18", "9402");
    x(
        &mut c,
        &format!("A0 DC 01 04 18 {}", "AB".repeat(24)),
        "9000",
    );
    x(
        &mut c,
        "A0 B2 01 04 18",
        &format!("{} 9000", "AB".repeat(24)),
    );
    x(&mut c, "A0 B2 00 05 18", "6B00");
    // SEEK type 2 from the beginning for AB AB: record 01; a missing pattern: 9404.
    x(&mut c, "A0 A2 00 10 02 ABAB", "9F01");
    x(&mut c, "A0 C0 00 00 01", "01 9000");
    x(&mut c, "A0 A2 00 00 02 CDCD", "9404");
    // INCREASE on a linear fixed file.
    x(&mut c, "A0 32 00 00 03 000001", "9408");
    x(
        &mut c,
        &format!("A0 DC 01 04 18 {}", "FF".repeat(24)),
        "9000",
    );
    // INVALIDATE needs ADM (A); after ADM1 (VERIFY CHV with P2 0A) EF.IMSI is invalidated:
    // file status 00, reading 9810; REHABILITATE restores it.
    x(&mut c, "A0 A4 00 00 02 7F20", "9F17");
    x(&mut c, "A0 A4 00 00 02 6F07", "9F0F");
    x(&mut c, "A0 04 00 00 00", "9804");
    x(&mut c, "A0 20 00 0A 08 3838383838383838", "9000");
    x(&mut c, "A0 04 00 00 00", "9000");
    x(&mut c, "A0 A4 00 00 02 6F07", "9F0F");
    x(
        &mut c,
        "A0 C0 00 00 0F",
        "0000 0009 6F07 04 00 1A A0 AA 00 02 00 00 9000",
    );
    x(&mut c, "A0 B0 00 00 09", "9810");
    // The UICC view agrees: the EF is deactivated (6283 on SELECT).
    x(&mut c, "00 A4 00 0C 02 6F07", "6283");
    x(&mut c, "A0 44 00 00 00", "9000");
    x(&mut c, "A0 B0 00 00 09", "080910101032547698 9000");
    // UPDATE BINARY within and past the file (EF.Kc, CHV1/CHV1).
    x(&mut c, "A0 A4 00 00 02 6F20", "9F0F");
    x(&mut c, "A0 D6 00 08 01 05", "9000");
    x(&mut c, "A0 B0 00 00 09", "FFFFFFFFFFFFFFFF05 9000");
    x(&mut c, "A0 D6 00 08 02 0707", "9402");
    // GET RESPONSE with nothing pending, SLEEP, unknown INS, reserved classes stay 6E00.
    x(&mut c, "A0 C0 00 00 0F", "6F00");
    x(&mut c, "A0 FA 00 00 00", "9000");
    x(&mut c, "A0 C2 00 00 01 00", "6D00");
    x(&mut c, "A2 A4 00 00 02 3F00", "6E00");
}

#[test]
fn run_gsm_algorithm_needs_df_gsm_and_chv1() {
    let mut c = t0_default();
    let rand = "23553CBE9637A89D218AE64DAE47BF35";
    x(&mut c, &format!("A0 88 00 00 10 {rand}"), "9408");
    x(&mut c, "A0 A4 00 00 02 7F20", "9F17");
    x(&mut c, &format!("A0 88 00 00 10 {rand}"), "9804");
    x(&mut c, "A0 20 00 01 08 31323334FFFFFFFF", "9000");
    x(
        &mut c,
        "A0 88 00 00 0F 23553CBE9637A89D218AE64DAE47BF",
        "6700",
    );
    x(&mut c, &format!("A0 88 00 00 10 {rand}"), "9F0C");
}

/// Every TS 55.205 GSM-MILENAGE test set, on a card carrying its K and OPc: SRES ‖ Kc from
/// RUN GSM ALGORITHM are the published SRES#1 (the c2 conversion) and Kc.
#[test]
fn run_gsm_algorithm_matches_ts_55_205() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/gsm_milenage.json"
    ))
    .expect("read vectors/gsm_milenage.json");
    let all: serde_json::Value = serde_json::from_str(&text).expect("json");
    let sets = all["vectors"].as_array().expect("vectors");
    assert!(sets.len() >= 6);
    for v in sets {
        let s = |k: &str| v[k].as_str().expect(k).to_uppercase();
        let profile = format!(
            "[auth]\nalgorithm = \"milenage\"\nk = \"{}\"\nopc = \"{}\"\n",
            s("k"),
            s("opc")
        );
        let mut c = vusim_applet::profile::Profile::from_toml(&profile, "t.toml")
            .expect("profile")
            .build_card("t.toml")
            .expect("card");
        // 35 (53) EFs: one per MF/DF.GSM entry of vectors/file_ids.json (TS 51.011 §10.3).
        x(
            &mut c,
            "A0 A4 00 00 02 7F20",
            "000000007F200200000000000A3100350500838A838A00 9000",
        );
        x(&mut c, "A0 20 00 01 08 31323334FFFFFFFF", "9000");
        // In process (no T=0) the data comes directly.
        x(
            &mut c,
            &format!("A0 88 00 00 10 {}", s("rand")),
            &format!("{}{} 9000", s("sres1"), s("kc")),
        );
    }
}

/// A small card with a cyclic file for INCREASE and the GSM access condition coding of every
/// rule (§9.3: 0 ALW, 1 CHV1, 2 CHV2, A ADM, F NEV).
static MF: DfSpec = DfSpec {
    name: "MF",
    fid: 0x3F00,
    gate: Gate::None,
    clause: "test",
    efs: &[
        EfSpec {
            name: "EF.ACM",
            fid: 0x6F39,
            sfi: None,
            structure: Structure::Cyclic {
                record_len: 3,
                records: 2,
            },
            access: Access {
                read: Rule::Always,
                update: Rule::Pin2,
                increase: Rule::Always,
                deactivate: Rule::Adm,
                activate: Rule::Never,
            },
            gate: Gate::None,
            clause: "test",
            default: Content::Records(&["000010", "000005"]),
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

#[test]
fn increase_and_cyclic_files() {
    let pin = pad_pin(b"1234").expect("pin");
    let adm = pad_pin(b"88888888").expect("adm");
    let mut c = CardBuilder::new(&MF)
        .security(Security::new(vec![
            Pin::new(KEY_PIN1, pin, 3, None),
            Pin::new(KEY_ADM1, adm, 10, None),
        ]))
        .build()
        .expect("card");
    // Cyclic (03), 2 records of 3 bytes, INCREASE allowed (byte 8 b7), access READ ALW /
    // UPDATE CHV2 (02), INCREASE ALW (00), REHABILITATE NEV / INVALIDATE ADM (FA).
    x(
        &mut c,
        "A0 A4 00 00 02 6F39",
        "0000 0006 6F39 04 40 02 00 FA 01 02 03 03 9000",
    );
    x(&mut c, "A0 32 00 00 03 000105", "000115 000105 9000");
    x(&mut c, "A0 B2 01 04 03", "000115 9000");
    x(&mut c, "A0 B2 02 04 03", "000010 9000");
    x(&mut c, "A0 32 00 00 03 FFFFFF", "9850");
    x(&mut c, "A0 32 00 00 02 0001", "6700");
    // UPDATE RECORD of a cyclic file: CHV2, which this card does not have, is never fulfilled.
    x(&mut c, "A0 DC 00 03 03 000001", "9804");
    // SEEK is for linear fixed files.
    x(&mut c, "A0 A2 00 00 01 00", "9408");
}
