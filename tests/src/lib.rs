//! Cross-crate integration tests for vusim; helpers shared by the test files live here.

use vusim_apdu::hexstr::parse_hex;
use vusim_applet::card::Card;

/// Send hex (spaces allowed) to the card, return the response as upper-case hex.
pub fn send(card: &mut Card, apdu: &str) -> String {
    let bytes = parse_hex(apdu).unwrap_or_else(|e| panic!("bad test hex {apdu:?}: {e}"));
    hex::encode_upper(card.transmit_bytes(&bytes))
}

/// Send and assert the exact response (hex, spaces ignored).
pub fn exchange(card: &mut Card, apdu: &str, expected: &str) {
    let want: String = expected
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let got = send(card, apdu);
    assert_eq!(got, want, "APDU {apdu}");
}

/// The status word (last 4 hex digits) of a response.
pub fn sw(card: &mut Card, apdu: &str) -> String {
    let r = send(card, apdu);
    r.get(r.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_string()
}
