//! The card runtime's ATR (TS 102 221 §6.3): T=0 only, T=15 global bytes, TCK recomputed here;
//! and SELECT of a deactivated EF under T=0 checked against the direct path. The APDU sessions
//! of the card runtime (T=0 first steps, MANAGE CHANNEL forms, EF.DIR, logical channels, PINs
//! and the status words a real UICC returns) are `tests/scripts/card/*.script`, run by
//! `scripts.rs`.

use vusim_apdu::atr::Atr;
use vusim_applet::card::Transport;
use vusim_applet::default_card::default_card;
use vusim_integration::{exchange, send, sw};

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
