//! The card runtime's ATR (TS 102 221 §6.3): T=0 only, T=15 global bytes, TCK recomputed here.
//! The APDU sessions of the card runtime (T=0 first steps, EF.DIR, logical channels, PINs and
//! the status words a real UICC returns) are `tests/scripts/card/*.script`, run by `scripts.rs`.

use vusim_apdu::atr::Atr;
use vusim_applet::default_card::default_card;

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
