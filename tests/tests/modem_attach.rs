//! The read sequence a modem performs at attach, with the exact bytes a real UICC returns:
//! STATUS with extended Le, extended SELECTs of MF, EF.ICCID and EF.DIR, SELECT ADF.USIM by AID,
//! VERIFY PIN1 and READ BINARY of IMSI, AD, UST, EST, FPLMN and LOCI by SFI and by FID.

use vusim_applet::default_card::default_card;
use vusim_integration::{exchange, send};

const MF_FCP: &str = "6229 8202 7821 8302 3F00 A50C 800171 830400010000 870101 8A0105 8B032F0601 C609 9001C0 830101 83010A";
const USIM_AID: &str = "A0000000871002FFFFFFFF8907090000";

/// The default card's EF contents (test PLMN 001/01, TS 31.102 §4.2).
const IMSI: &str = "080910101032547698";
const AD: &str = "00000002";
const UST: &str = "00081C0423060000480010000000002E01";
const EST: &str = "00";
const FPLMN: &str = "FFFFFFFFFFFFFFFFFFFFFFFF";
const LOCI: &str = "FFFFFFFF00F1100000FF01";

#[test]
fn modem_attach_read_sequence() {
    let mut card = default_card().expect("default card");
    exchange(&mut card, "80 F2 00 00 00 01 68", &format!("{MF_FCP} 9000"));
    exchange(
        &mut card,
        "00 A4 00 04 00 00 02 3F 00 00 00",
        &format!("{MF_FCP} 9000"),
    );
    exchange(&mut card, "00 A4 00 0C 00 00 02 2F E2", "9000");
    exchange(
        &mut card,
        "00 B0 00 00 00 00 0A",
        "988812010000000010F1 9000",
    );
    exchange(
        &mut card,
        "00 A4 00 04 00 00 02 2F 00 00 00",
        "621A 82054221002608 83022F00 8A0105 8B032F0602 80020130 8801F0 9000",
    );
    exchange(
        &mut card,
        "00 B2 01 04 26",
        &format!("6118 4F10{USIM_AID} 50045553494D {} 9000", "FF".repeat(12)),
    );
    exchange(
        &mut card,
        &format!("00 A4 04 04 10 {USIM_AID} 00"),
        &format!(
            "623E 8202 7821 8302 7FFF 8410 {USIM_AID} A50C 800171 830400010000 870101 8A0105 8B036F0601 \
             C60C 9001E0 830101 830181 83010A 9000"
        ),
    );
    // Before PIN1, the IMSI is protected.
    exchange(&mut card, "00 B0 87 00 09", "6982");
    exchange(&mut card, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    // By SFI (TS 31.102 Annex H: IMSI 07, AD 03, UST 04, EST 05, FPLMN 0D, LOCI 0B).
    for (sfi, len, value) in [
        ("87", 9, IMSI),
        ("83", 4, AD),
        ("84", 17, UST),
        ("85", 1, EST),
        ("8D", 12, FPLMN),
        ("8B", 11, LOCI),
    ] {
        exchange(
            &mut card,
            &format!("00 B0 {sfi} 00 {len:02X}"),
            &format!("{value} 9000"),
        );
    }
    // By FID, with extended Le as well.
    for (fid, len, value) in [
        ("6F07", 9, IMSI),
        ("6FAD", 4, AD),
        ("6F38", 17, UST),
        ("6F56", 1, EST),
        ("6F7B", 12, FPLMN),
        ("6F7E", 11, LOCI),
    ] {
        exchange(&mut card, &format!("00 A4 00 0C 02 {fid}"), "9000");
        exchange(
            &mut card,
            &format!("00 B0 00 00 {len:02X}"),
            &format!("{value} 9000"),
        );
        exchange(
            &mut card,
            &format!("00 B0 00 00 00 00 {len:02X}"),
            &format!("{value} 9000"),
        );
    }
    // STATUS polling while the USIM is selected: FCP of ADF.USIM, or nothing.
    assert!(send(&mut card, "80 F2 00 00 00").starts_with("623E"));
    exchange(&mut card, "80 F2 00 0C 00", "9000");
    exchange(&mut card, "80 F2 00 01 00", &format!("8410{USIM_AID} 9000"));
}

#[test]
fn ef_fcp_references_an_arr_record_that_encodes_its_rules() {
    let mut card = default_card().expect("default card");
    exchange(&mut card, &format!("00 A4 04 0C 10 {USIM_AID}"), "9000");
    let fcp = send(&mut card, "00 A4 00 04 02 6F07");
    // FCP of EF.IMSI: transparent, FID 6F07, active, ARR 6F06 record rr, 9 bytes, SFI 07.
    assert_eq!(&fcp[..26], "62178202412183026F078A0105");
    assert_eq!(&fcp[26..34], "8B036F06");
    let rr = &fcp[34..36];
    assert_eq!(&fcp[36..], "80020009880138 9000".replace(' ', ""));
    // EF.ARR record rr: READ with PIN1 (A4 … 83 01 01), UPDATE/(DE)ACTIVATE with ADM1 (83 01 0A).
    exchange(&mut card, "00 A4 00 0C 02 6F06", "9000");
    let rec = send(&mut card, &format!("00 B2 {rr} 04 00"));
    assert!(
        rec.starts_with("800101A40683010195010880011AA40683010A950108FF"),
        "{rec}"
    );
}
