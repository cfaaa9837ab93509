//! GET IDENTITY in the SUCI context (TS 31.102 §7.5): the USIM's SUCI, for the null scheme and
//! ECIES profiles A and B, is taken apart as TS 31.102 §7.5.2 / TS 24.501 §9.11.3.4 code it and
//! de-concealed on the network side with the home network private key of the TS 33.501 Annex C.4
//! test data (vectors/suci.json); the MSIN recovered must be the one of the card's IMSI.

#![allow(clippy::indexing_slicing)] // test code indexes known-good vector JSON and checked lengths

use serde_json::Value;
use vusim_apdu::Command;
use vusim_applet::card::{Card, Transport};
use vusim_applet::crypto::keys::EcPrivateKey;
use vusim_applet::crypto::suci::{self, EciesProfile, SchemeOutput};
use vusim_applet::profile::Profile;
use vusim_integration::{exchange, send};

/// The card's IMSI: MCC 208, MNC 93 (two digits), MSIN 0000000001.
const IMSI: &str = "208930000000001";
const MSIN: &str = "0000000001";
/// MCC 208 / MNC 93 as TS 24.008 §10.5.1.13 codes it: 02 | F8 | 39.
const PLMN: &str = "02F839";
/// Routing indicator 1234: digits 2|1, 4|3.
const RI: &str = "2143";

fn vector(scheme: &str) -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/suci.json"))
            .expect("read vectors/suci.json");
    let all: Value = serde_json::from_str(&text).expect("json");
    all["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find(|v| v["scheme"] == scheme && v["supi_type"] == "imsi")
        .cloned()
        .expect("an IMSI vector for the scheme")
}

/// A card whose UST has n°124 and n°125 on (the default services plus 125), with SUCI
/// parameters from the profile.
fn card(suci: &str, ust_extra: &[u16]) -> Card {
    let mut ust: Vec<u16> = vec![
        12, 19, 20, 21, 27, 33, 34, 38, 42, 43, 68, 71, 85, 122, 123, 124, 126, 129,
    ];
    ust.extend_from_slice(ust_extra);
    let list: Vec<String> = ust.iter().map(u16::to_string).collect();
    let toml = format!(
        r#"
[usim]
imsi = "{IMSI}"
mnc_len = 2
routing_indicator = "1234"
{suci}

[auth]
algorithm = "milenage"
k = "465B5CE8B199B49FAA5F0A2EE238A6BC"
opc = "CD63CB71954A9F4E48A5994E37A02BAF"

[pins]
pin1 = "1234"
puk1 = "12345678"
adm1 = "88888888"

[services]
ust = [{}]
"#,
        list.join(", ")
    );
    let mut card = Profile::from_toml(&toml, "test.toml")
        .expect("profile")
        .build_card("test.toml")
        .expect("card");
    exchange(&mut card, "00 A4 04 0C 07 A0000000871002", "9000");
    exchange(&mut card, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    card
}

/// GET IDENTITY, SUCI context; the SUCI value inside the `A1` data object.
fn get_suci(card: &mut Card) -> Vec<u8> {
    let r = hex::decode(send(card, "80 78 00 01 00")).expect("hex");
    let (body, sw) = r.split_at(r.len() - 2);
    assert_eq!(sw, [0x90, 0x00], "{}", hex::encode_upper(&r));
    assert_eq!(body.first(), Some(&0xA1), "SUCI TLV data object tag");
    let len = usize::from(*body.get(1).expect("length"));
    assert!(len < 0x80, "one-byte length");
    assert_eq!(body.len(), 2 + len);
    body[2..].to_vec()
}

/// Checks the fixed part and returns (scheme id, key id, scheme output).
fn split(suci: &[u8]) -> (u8, u8, Vec<u8>) {
    assert_eq!(suci[0], 0x01, "SUPI format IMSI, type of identity SUCI");
    assert_eq!(hex::encode_upper(&suci[1..4]), PLMN);
    assert_eq!(hex::encode_upper(&suci[4..6]), RI);
    (suci[6], suci[7], suci[8..].to_vec())
}

#[test]
fn null_scheme_suci_carries_the_msin_in_clear() {
    let mut card = card("[usim.suci]\nscheme = \"null\"", &[125]);
    let (scheme, key_id, output) = split(&get_suci(&mut card));
    assert_eq!((scheme, key_id), (0, 0));
    // MSIN 0000000001 in BCD, nibbles swapped: 00 00 00 00 10.
    assert_eq!(hex::encode_upper(&output), "0000000010");
    assert_eq!(suci::msin_from_scheme_input(&output).expect("msin"), MSIN);
}

fn ecies_round_trip(scheme: &str, profile: EciesProfile, id: u8) {
    let v = vector(scheme);
    let hn_priv = v["hn_private_key"].as_str().expect("hn_private_key");
    let hn_pub = v["hn_public_key"].as_str().expect("hn_public_key");
    let mut card = card(
        &format!(
            "[usim.suci]\nscheme = \"{}\"\nkey_id = 27\npublic_key = \"{hn_pub}\"",
            scheme.replace('_', "-")
        ),
        &[125],
    );
    let hn_priv = EcPrivateKey::from_slice(&hex::decode(hn_priv).expect("hex")).expect("key");
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (scheme_id, key_id, output) = split(&get_suci(&mut card));
        assert_eq!((scheme_id, key_id), (id, 27));
        // Ephemeral key ‖ ciphertext of the 5-byte scheme input ‖ 8-byte tag.
        assert_eq!(output.len(), profile.eph_pub_len() + 5 + 8);
        let parsed = SchemeOutput::parse(profile, &output).expect("scheme output");
        let input = suci::deconceal(profile, &hn_priv, &parsed).expect("MAC verifies");
        assert_eq!(suci::msin_from_scheme_input(&input).expect("msin"), MSIN);
        // The ephemeral key is fresh each time.
        assert!(!seen.contains(&parsed.eph_pub));
        seen.push(parsed.eph_pub);
    }
}

#[test]
fn profile_a_suci_deconceals_to_the_msin() {
    ecies_round_trip("profile_a", EciesProfile::A, 1);
}

#[test]
fn profile_b_suci_deconceals_to_the_msin() {
    ecies_round_trip("profile_b", EciesProfile::B, 2);
}

#[test]
fn gating_and_parameters() {
    // n°125 off: the USIM does not calculate the SUCI → 6A81 function not supported.
    let mut card = card("[usim.suci]\nscheme = \"null\"", &[]);
    exchange(&mut card, "80 78 00 01 00", "6A81");
    let mut card = card_with_125();
    // Other contexts and parameters.
    exchange(&mut card, "80 78 00 02 00", "6A81");
    exchange(&mut card, "80 78 00 03 00", "6A86");
    exchange(&mut card, "80 78 01 01 00", "6A86");
    exchange(&mut card, "80 78 00 01 01 00 00", "6700");
    // The interindustry class is not the class of GET IDENTITY.
    exchange(&mut card, "00 78 00 01 00", "6E00");
    // PIN1 is needed (reset clears it).
    card.reset();
    exchange(&mut card, "00 A4 04 0C 07 A0000000871002", "9000");
    exchange(&mut card, "80 78 00 01 00", "6982");
    // The default card has n°125 off.
    let mut default = vusim_applet::default_card::default_card().expect("default card");
    exchange(&mut default, "00 A4 04 0C 07 A0000000871002", "9000");
    exchange(&mut default, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    exchange(&mut default, "80 78 00 01 00", "6A81");
}

fn card_with_125() -> Card {
    card("[usim.suci]\nscheme = \"null\"", &[125])
}

#[test]
fn under_t0_p3_00_gets_6cxx_then_the_suci() {
    let mut card = card_with_125();
    let direct = send(&mut card, "80 78 00 01 00");
    card.set_transport(Transport::T0);
    let n = direct.len() / 2 - 2;
    exchange(&mut card, "80 78 00 01 00", &format!("6C{n:02X}"));
    exchange(&mut card, &format!("80 78 00 01 {n:02X}"), &direct);
    // The reader side does the resend by itself.
    let cmd = Command::parse(&hex::decode("8078000100").expect("hex")).expect("cmd");
    let got =
        vusim_apdu::t0::collect_response::<std::convert::Infallible>(
            &cmd,
            |c| Ok(card.transmit(c)),
        )
        .expect("infallible");
    assert_eq!(hex::encode_upper(got.encode()), direct);
}
