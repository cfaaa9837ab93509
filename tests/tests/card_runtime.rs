//! The card runtime through APDUs only: ATR, T=0 first steps, EF.DIR, logical channels, PINs and
//! the status words a real UICC returns (TS 102 221 §10–§11).

use vusim_apdu::atr::Atr;
use vusim_applet::card::Transport;
use vusim_applet::default_card::default_card;
use vusim_integration::{exchange, send, sw};

/// MF FCP: DF descriptor 7821, FID 3F00, proprietary A5 (UICC characteristics 71, available
/// memory, TERMINAL CAPABILITY supported), LCSI 05, EF.ARR 2F06 record 1, PIN status: PS_DO C0
/// (PIN1 and ADM1 enabled), key references 01 and 0A.
const MF_FCP: &str = "6229 8202 7821 8302 3F00 A50C 800171 830400010000 870101 8A0105 8B032F0601 C609 9001C0 830101 83010A";

#[test]
fn atr_is_a_t0_usim_atr_with_correct_tck() {
    let mut card = default_card().expect("default card");
    let bytes = card.power_on();
    let atr = Atr::parse(&bytes).expect("ATR parses with a correct TCK");
    assert_eq!(atr.protocols(), vec![0], "T=0 only");
    assert_eq!(atr.t15_ta(), Some(0x87), "T=15 global bytes present");
    // TS 3B, T0 9D (TA1, TD1; 13 historical bytes), TA1 96, TD1 80, TD2 1F, TA3 87, historical
    // 80 31E0 73FE211B 65 "VUSIM", TCK = XOR of T0..T13.
    let body = hex::decode("9D96801F878031E073FE211B655655534".to_string() + "94D").expect("hex");
    let tck = body.iter().fold(0u8, |a, b| a ^ b);
    assert_eq!(bytes.last(), Some(&tck));
    assert_eq!(
        hex::encode_upper(&bytes),
        format!("3B{}{tck:02X}", hex::encode_upper(&body))
    );
}

#[test]
fn t0_tool_first_steps() {
    let mut card = default_card().expect("default card");
    card.set_transport(Transport::T0);
    // SELECT MF without Le (T=0 case 4) → 61 2B, then GET RESPONSE with the FCP.
    exchange(&mut card, "00 A4 00 04 02 3F 00", "612B");
    exchange(&mut card, "00 C0 00 00 2B", &format!("{MF_FCP} 9000"));
    // The same with P3 = 00 as pySim sends it.
    exchange(&mut card, "00 A4 00 04 02 3F 00 00", "612B");
    // Le above what is available → 6C2B, data kept; a smaller Le gets part and 61xx.
    exchange(&mut card, "00 C0 00 00 30", "6C2B");
    exchange(
        &mut card,
        "00 C0 00 00 10",
        "6229 8202 7821 8302 3F00 A50C 800171 83 611B",
    );
    exchange(
        &mut card,
        "00 C0 00 00 1B",
        "0400010000 870101 8A0105 8B032F0601 C609 9001C0 830101 83010A 9000",
    );
    // EF.DIR: SELECT, then records (case 2: P3 must be the record length, else 6Cxx).
    assert_eq!(sw(&mut card, "00 A4 00 04 02 2F 00"), "611C");
    exchange(
        &mut card,
        "00 C0 00 00 1C",
        "621A 82054221002608 83022F00 8A0105 8B032F0602 80020130 8801F0 9000",
    );
    exchange(&mut card, "00 B2 01 04 00", "6C26");
    exchange(
        &mut card,
        "00 B2 01 04 26",
        "6118 4F10A0000000871002FFFFFFFF8907090000 50045553494D FFFFFFFFFFFFFFFFFFFFFFFF 9000",
    );
    exchange(
        &mut card,
        "00 B2 02 04 26",
        "6118 4F10A0000000871004FFFFFFFF8907090000 50044953494D FFFFFFFFFFFFFFFFFFFFFFFF 9000",
    );
    // Record 3: the experimental GBA_U API applet (docs/api/gba-api.md), AID F0 "VUSIM-GBA" 0001.
    exchange(
        &mut card,
        "00 B2 03 04 26",
        "6117 4F0CF0565553494D2D4742410001 50074742412D415049 FFFFFFFFFFFFFFFFFFFFFFFFFF 9000",
    );
    // Absent files → 6A82, also under T=0.
    exchange(&mut card, "00 A4 00 04 02 6F FF", "6A82");
    exchange(&mut card, "00 A4 00 04 02 7F 99", "6A82");
}

#[test]
fn extended_encodings_and_status_polling() {
    let mut card = default_card().expect("default card");
    // STATUS with extended Le as a modem sends it.
    exchange(&mut card, "80 F2 00 00 00 01 68", &format!("{MF_FCP} 9000"));
    // STATUS with short Le, absent Le and no data requested.
    exchange(&mut card, "80 F2 00 00 00", &format!("{MF_FCP} 9000"));
    exchange(&mut card, "80 F2 00 00", &format!("{MF_FCP} 9000"));
    exchange(&mut card, "80 F2 00 0C 00", "9000");
    // SELECT MF with extended Lc and Le.
    exchange(
        &mut card,
        "00 A4 00 04 00 00 02 3F 00 00 00",
        &format!("{MF_FCP} 9000"),
    );
    // SELECT EF.ICCID with extended Lc, no data; READ BINARY with extended Le.
    exchange(&mut card, "00 A4 00 0C 00 00 02 2F E2", "9000");
    exchange(
        &mut card,
        "00 B0 00 00 00 00 0A",
        "988812010000000010F1 9000",
    );
    // STATUS P1 01 (application initialised) with no application: FCP of the current DF.
    exchange(&mut card, "80 F2 01 00 00", &format!("{MF_FCP} 9000"));
}

#[test]
fn logical_channels_keep_their_own_files() {
    let mut card = default_card().expect("default card");
    // Card-assigned channel: 01.
    exchange(&mut card, "00 70 00 00 01", "01 9000");
    // Requested channel 5; requesting it again fails.
    exchange(&mut card, "00 70 00 05", "9000");
    exchange(&mut card, "00 70 00 05", "6A86");
    // Channel 1: USIM by partial AID, EF.IMSI after PIN1. Channel 0: EF.ICCID.
    assert_eq!(sw(&mut card, "01 A4 04 0C 07 A0000000871002"), "9000");
    exchange(&mut card, "01 20 00 01 08 31323334FFFFFFFF", "9000");
    exchange(&mut card, "01 A4 00 0C 02 6F07", "9000");
    exchange(&mut card, "00 A4 00 0C 02 2FE2", "9000");
    exchange(&mut card, "01 B0 00 00 09", "080910101032547698 9000");
    exchange(&mut card, "00 B0 00 00 0A", "988812010000000010F1 9000");
    // Channel 5 (CLA 41 is channel 5 in the further interindustry class): its own MF selection.
    assert_eq!(sw(&mut card, "41 B0 00 00 01"), "6986");
    // Close channel 1: channel 0 is intact, channel 1 is gone.
    exchange(&mut card, "00 70 80 01", "9000");
    exchange(&mut card, "00 B0 00 00 0A", "988812010000000010F1 9000");
    exchange(&mut card, "01 B0 00 00 09", "6881");
    // Channel 0 cannot be closed; unopened channels are refused.
    exchange(&mut card, "00 70 80 00", "6A86");
    exchange(&mut card, "4F B0 00 00 01", "6881");
    // Reset closes every channel but 0.
    card.reset();
    exchange(&mut card, "41 B0 00 00 01", "6881");
}

#[test]
fn same_adf_on_two_channels_shares_security_status() {
    let mut card = default_card().expect("default card");
    exchange(&mut card, "00 70 00 00 01", "01 9000");
    assert_eq!(sw(&mut card, "00 A4 04 0C 07 A0000000871002"), "9000");
    assert_eq!(sw(&mut card, "01 A4 04 0C 07 A0000000871002"), "9000");
    // PIN2 (local key 81) verified on channel 0 holds for the USIM on channel 1.
    exchange(&mut card, "00 20 00 81 08 35363738FFFFFFFF", "9000");
    exchange(&mut card, "01 20 00 81", "9000");
    // Once no channel has the USIM selected, its local verification is gone.
    exchange(&mut card, "00 70 80 01", "9000");
    assert_eq!(sw(&mut card, "00 A4 04 4C 07 A0000000871002"), "9000");
    assert_eq!(sw(&mut card, "00 A4 04 0C 07 A0000000871002"), "9000");
    exchange(&mut card, "00 20 00 81", "63C3");
    // PIN1 (global key 01) is card-wide.
    exchange(&mut card, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    exchange(&mut card, "00 70 00 00 01", "01 9000");
    exchange(&mut card, "01 20 00 01", "9000");
}

#[test]
fn pin_counters_and_status_words() {
    let mut card = default_card().expect("default card");
    exchange(&mut card, "00 20 00 01", "63C3");
    exchange(&mut card, "00 20 00 01 08 39393939FFFFFFFF", "63C2");
    exchange(&mut card, "00 20 00 01 08 39393939FFFFFFFF", "63C1");
    exchange(&mut card, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    exchange(&mut card, "00 20 00 01", "9000");
    // Block it.
    for left in ["63C2", "63C1", "63C0"] {
        exchange(&mut card, "00 20 00 01 08 39393939FFFFFFFF", left);
    }
    exchange(&mut card, "00 20 00 01 08 31323334FFFFFFFF", "6983");
    exchange(&mut card, "00 20 00 01", "6983");
    // Unblock: counter query, wrong PUK, right PUK with a new PIN.
    exchange(&mut card, "00 2C 00 01", "63CA");
    exchange(
        &mut card,
        "00 2C 00 01 10 3030303030303030 34333231FFFFFFFF",
        "63C9",
    );
    exchange(
        &mut card,
        "00 2C 00 01 10 3132333435363738 34333231FFFFFFFF",
        "9000",
    );
    exchange(&mut card, "00 2C 00 01", "63CA");
    exchange(&mut card, "00 20 00 01 08 34333231FFFFFFFF", "9000");
    // Change, disable, enable.
    exchange(
        &mut card,
        "00 24 00 01 10 34333231FFFFFFFF 31323334FFFFFFFF",
        "9000",
    );
    exchange(&mut card, "00 26 00 01 08 31323334FFFFFFFF", "9000");
    exchange(&mut card, "00 26 00 01 08 31323334FFFFFFFF", "6985");
    exchange(
        &mut card,
        "00 24 00 01 10 31323334FFFFFFFF 31323334FFFFFFFF",
        "6984",
    );
    exchange(&mut card, "00 28 00 01 08 31323334FFFFFFFF", "9000");
    // PIN2 cannot be disabled; ADM1 verifies; unknown key reference; bad lengths and formats.
    exchange(&mut card, "00 26 00 81 08 35363738FFFFFFFF", "6985");
    exchange(&mut card, "00 20 00 0A 08 3838383838383838", "9000");
    exchange(&mut card, "00 20 00 05 08 31323334FFFFFFFF", "6A88");
    exchange(&mut card, "00 20 00 01 04 31323334", "6700");
    exchange(&mut card, "00 20 01 01 08 31323334FFFFFFFF", "6A86");
    exchange(
        &mut card,
        "00 24 00 01 10 31323334FFFFFFFF 3132FFFFFFFFFFFF",
        "6A80",
    );
}

#[test]
fn status_words_of_a_real_uicc() {
    let mut card = default_card().expect("default card");
    // 6986: no current EF.
    exchange(&mut card, "00 B0 00 00 01", "6986");
    // 6981: READ RECORD on a transparent EF.
    exchange(&mut card, "00 A4 00 0C 02 2FE2", "9000");
    exchange(&mut card, "00 B2 01 04 0A", "6981");
    // 6B00: offset beyond the file. 6282: fewer bytes than Le before the end.
    exchange(&mut card, "00 B0 00 0A 01", "6B00");
    exchange(&mut card, "00 B0 00 08 04", "10F1 6282");
    // 6982: UPDATE of ICCID (never updatable), and of EF.DIR without ADM.
    exchange(&mut card, "00 D6 00 00 01 00", "6982");
    exchange(&mut card, "00 A4 00 0C 02 2F00", "9000");
    exchange(
        &mut card,
        &format!("00 DC 01 04 26 {}", "00".repeat(0x26)),
        "6982",
    );
    // 6A83: record beyond the last; 6A86: bad P1/P2; 6700: bad lengths.
    exchange(&mut card, "00 B2 09 04 26", "6A83");
    exchange(&mut card, "00 B2 01 07 26", "6A86");
    exchange(&mut card, "00 A4 05 04 02 3F00", "6A86");
    exchange(&mut card, "00 A4 00 04 03 3F0000", "6700");
    exchange(&mut card, "00 A4 00 04 02 3F", "6700");
    // 6D00 unknown INS, 6E00 reserved class / wrong class family, 6881 closed channel.
    exchange(&mut card, "00 CA 00 00 00", "6D00");
    exchange(&mut card, "20 A4 00 04 02 3F00", "6E00");
    exchange(&mut card, "00 F2 00 00 00", "6E00");
    // Class A0 is the SIM application (TS 51.011); A2 is no class of a UICC.
    exchange(&mut card, "A2 A4 00 00 02 3F00", "6E00");
    exchange(&mut card, "03 A4 00 04 02 3F00", "6881");
    // Secure messaging and chaining are not supported.
    exchange(&mut card, "0C A4 00 04 02 3F00", "6882");
    exchange(&mut card, "10 A4 00 04 02 3F00", "6884");
    // TERMINAL PROFILE and TERMINAL CAPABILITY are accepted; no proactive command follows.
    exchange(&mut card, "80 10 00 00 03 FFFFFF", "9000");
    exchange(&mut card, "80 AA 00 00 03 A90181", "9000");
    exchange(&mut card, "80 F2 00 0C 00", "9000");
    // GET CHALLENGE returns Le random bytes.
    let r = send(&mut card, "00 84 00 00 10");
    assert_eq!(r.len(), 36);
    assert!(r.ends_with("9000"));
}

/// MANAGE CHANNEL as T=0 terminals send it (pySim `open_channel`, opensc-tool): the case-1 forms
/// (open channel N, close channel N) arrive as five-byte TPDUs with P3 = '00' (TS 102 221
/// §7.3.1.1.1, Annex C.1.1; MANAGE CHANNEL §11.1.17); the card-assigned open is case 2 (Le = '01').
#[test]
fn t0_manage_channel_case1_form_with_p3_00() {
    let mut card = default_card().expect("default card");
    card.set_transport(Transport::T0);
    // Open channel 1 and close it again, P3 = 00.
    exchange(&mut card, "00 70 00 01 00", "9000");
    exchange(&mut card, "01 A4 00 0C 02 2FE2", "9000");
    exchange(&mut card, "00 70 80 01 00", "9000");
    exchange(&mut card, "01 B0 00 00 01", "6881");
    // Closing a closed channel, opening an open one: the same errors as in the 4-byte form.
    exchange(&mut card, "00 70 80 01 00", "6881");
    exchange(&mut card, "00 70 00 02 00", "9000");
    exchange(&mut card, "00 70 00 02 00", "6A86");
    // Any other P3 on a case-1 form is a wrong length.
    exchange(&mut card, "00 70 00 03 01", "6700");
    exchange(&mut card, "00 70 80 02 01", "6700");
    // Card-assigned open, case 2: P3 = 01 gets the channel number; P3 = 00 (256) is a wrong
    // Le under T=0 → 6C01, and the resend with P3 = 01 opens the channel.
    exchange(&mut card, "00 70 00 00 01", "01 9000");
    exchange(&mut card, "00 70 00 00 00", "6C01");
    exchange(&mut card, "00 70 00 00 01", "03 9000");
    for ch in ["01", "02", "03"] {
        exchange(&mut card, &format!("00 70 80 {ch} 00"), "9000");
    }
    // The same forms in process (T=1 / direct): the 5-byte case-1 form is accepted as well.
    card.set_transport(Transport::Direct);
    exchange(&mut card, "00 70 00 01 00", "9000");
    exchange(&mut card, "00 70 80 01 00", "9000");
    exchange(&mut card, "00 70 00 00 00", "01 9000");
}

/// SELECT of a deactivated EF under T=0 (TS 102 221 §7.3.1.1.4 and Annex C.1.7): the warning
/// 6283 is the SELECT's own answer, without data; GET RESPONSE with P3 = 00 gets 6Cxx and the
/// repeated GET RESPONSE the FCP with 9000. The FCP is the one the same card gives in process
/// (FCP ‖ 6283), so the T=0 path is checked against the direct one.
#[test]
fn t0_select_of_a_deactivated_ef_warns_on_the_select() {
    let mut card = default_card().expect("default card");
    // EF.ICCID, deactivated with ADM1.
    exchange(&mut card, "00 20 00 0A 08 3838383838383838", "9000");
    exchange(&mut card, "00 A4 00 0C 02 2FE2", "9000");
    exchange(&mut card, "00 04 00 00", "9000");
    let direct = send(&mut card, "00 A4 00 04 02 2FE2 00");
    let fcp = direct
        .strip_suffix("6283")
        .unwrap_or_else(|| panic!("direct SELECT of a deactivated EF: {direct}"))
        .to_string();
    assert!(fcp.starts_with("62") && fcp.contains("8A0104"), "{fcp}");
    let len = format!("{:02X}", fcp.len() / 2);

    card.set_transport(Transport::T0);
    for select in ["00 A4 00 04 02 2FE2", "00 A4 00 04 02 2FE2 00"] {
        exchange(&mut card, select, "6283");
        exchange(&mut card, "00 C0 00 00 00", &format!("6C{len}"));
        exchange(
            &mut card,
            &format!("00 C0 00 00 {len}"),
            &format!("{fcp} 9000"),
        );
        // Nothing is left.
        exchange(&mut card, &format!("00 C0 00 00 {len}"), "6985");
    }
    // pySim sends GET RESPONSE with P3 = SW2 of the warning (83): 6Cxx, then the data.
    exchange(&mut card, "00 A4 00 04 02 2FE2", "6283");
    exchange(&mut card, "00 C0 00 00 83", &format!("6C{len}"));
    exchange(
        &mut card,
        &format!("00 C0 00 00 {len}"),
        &format!("{fcp} 9000"),
    );
    // A T=0 reader (vusim's `collect_response`) puts data and warning back into one R-APDU.
    let cmd =
        vusim_apdu::Command::parse(&hex::decode("00A40004022FE2").expect("hex")).expect("command");
    let got =
        vusim_apdu::t0::collect_response::<std::convert::Infallible>(
            &cmd,
            |c| Ok(card.transmit(c)),
        )
        .expect("infallible");
    assert_eq!(hex::encode_upper(got.encode()), direct);
    // Activated again: the SELECT answers 61xx as usual.
    exchange(&mut card, "00 44 00 00", "9000");
    assert_eq!(sw(&mut card, "00 A4 00 04 02 2FE2"), format!("61{len}"));
}
