//! Cross-crate integration tests for vusim: the helpers every test file shares (hex, sending
//! APDUs to an in-process card) and the harness that runs the card sessions kept as `.script`
//! files under `tests/scripts/` ([`script`]).

pub mod api;
pub mod bin;
pub mod script;

use vusim_apdu::hexstr::parse_hex;
use vusim_applet::card::Card;

/// Upper-case hex of bytes.
pub fn up(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Bytes of test hex (blanks allowed); panics on bad test data.
pub fn unhex(s: &str) -> Vec<u8> {
    parse_hex(s).unwrap_or_else(|e| panic!("bad test hex {s:?}: {e}"))
}

/// Send hex (spaces allowed) to the card, return the response as upper-case hex.
pub fn send(card: &mut Card, apdu: &str) -> String {
    up(&card.transmit_bytes(&unhex(apdu)))
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
    sw_of(&send(card, apdu))
}

/// The status word (last 4 hex digits) of a response in hex.
pub fn sw_of(response: &str) -> String {
    response
        .get(response.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_string()
}
