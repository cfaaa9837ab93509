//! The command-line-shaped inputs of the network-side commands, in process: each error names
//! its argument exactly as the `vusim` binary prints it, and the values come out as the specs
//! define them (the NAF_Id of TS 33.220 Annex H.3, the null-scheme SUCI of TS 23.003 §28.7,
//! the KDF of TS 33.220 Annex B.2 recomputed with the hmac crate).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

use hmac::{Hmac, Mac};
use sha2::Sha256;
use vusim_apdu::tlv::Tlv;
use vusim_crypto::suci::ProtectionScheme;
use vusim_network::akma::inputs::AfKeyInput;
use vusim_network::calc::inputs as calc;
use vusim_network::calc::suci::{self, SuciInput, Supi};
use vusim_network::inputs::{text_or_hex, AvInput, CardInput, NafIdInput};
use vusim_network::report::Value;
use vusim_network::Report;

fn msg<T>(r: vusim_network::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn text(r: &Report, name: &str) -> String {
    match r.get(name) {
        Some(Value::Text(t)) => t.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

const K32: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn af_id<'a>(fqdn: Option<&'a str>, id: Option<&'a str>) -> NafIdInput<'a> {
    NafIdInput {
        id_arg: "--af-id",
        id,
        fqdn,
        ua: "0100000002",
    }
}

#[test]
fn naf_id_is_fqdn_then_ua_protocol() {
    // TS 33.220 Annex H.3: NAF_Id = FQDN of the NAF ‖ Ua security protocol identifier.
    let mut want = b"bike.example.org".to_vec();
    want.extend([0x01, 0x00, 0x00, 0x00, 0x02]);
    let got = af_id(Some("bike.example.org"), None).resolve().unwrap();
    assert_eq!(got, Some(want));
    // The direct form wins, the FQDN's protocol identifier is then not parsed.
    let direct = NafIdInput {
        ua: "zz",
        ..af_id(Some("x"), Some("0102"))
    };
    assert_eq!(direct.resolve().unwrap(), Some(vec![1, 2]));
    assert_eq!(af_id(None, None).resolve().unwrap(), None);
    assert_eq!(
        msg(af_id(None, Some("0g")).resolve()),
        "--af-id: invalid hex character 'g' at position 2"
    );
    let bad_ua = NafIdInput {
        ua: "00",
        ..af_id(Some("x"), None)
    };
    assert_eq!(
        msg(bad_ua.resolve()),
        "--ua-protocol: expected 5 bytes (10 hex digits), got 1 bytes"
    );
}

#[test]
fn shared_inputs_name_their_flags() {
    assert_eq!(
        text_or_hex("message", Some("hi"), None).unwrap(),
        b"hi".to_vec()
    );
    assert_eq!(
        text_or_hex("message", None, Some("0102")).unwrap(),
        vec![1, 2]
    );
    assert_eq!(
        msg(text_or_hex("message", None, None)),
        "give --message (text) or --message-hex"
    );
    let card = CardInput {
        channel: 1,
        client: Some("zz"),
    };
    assert_eq!(
        msg(card.client()),
        "--client: invalid hex character 'z' at position 1"
    );
    let av = AvInput {
        rand: Some("000102030405060708090a0b0c0d0e0f"),
        ..AvInput::default()
    };
    assert_eq!(
        msg(av.home_av(None)),
        "give --sqn with --rand (the SQN of the AUTHENTICATE the card accepted)"
    );
    assert_eq!(
        msg(AvInput::default().aanf_context(None)),
        "give --rand and --sqn (or --k-ausf, or --k-af)"
    );
    let missing = AvInput {
        card: Some(std::path::Path::new("/nonexistent/card.toml")),
        ..AvInput::default()
    };
    assert!(msg(missing.profile()).starts_with("/nonexistent/card.toml: reading the card file"));
}

#[test]
fn af_key_given_addresses_the_card_by_af_id() {
    let input = AfKeyInput {
        av: AvInput::default(),
        k_ausf: None,
        k_af: Some(K32),
        af: af_id(Some("bike.example.org"), None),
        key: None,
        name: None,
        card: CardInput::default(),
    };
    let key = input.resolve().unwrap();
    assert_eq!(&key.base[..], &hex::decode(K32).unwrap()[..]);
    assert!(key.ctx.is_none() && !key.stored);
    let target = key.target.unwrap();
    let mut id = b"bike.example.org".to_vec();
    id.extend([1, 0, 0, 0, 2]);
    assert_eq!(target.key, vec![Tlv::new(0x80, id)]);
    // K_AF is per AF: from the AAnF it needs the AF_ID.
    let no_af = AfKeyInput {
        k_af: None,
        k_ausf: Some(K32),
        af: af_id(None, None),
        ..input
    };
    assert_eq!(
        msg(no_af.resolve()),
        "give --af-fqdn (or --af-id): K_AF is per AF"
    );
    let empty_key = AfKeyInput {
        key: Some(""),
        ..input
    };
    assert_eq!(msg(empty_key.resolve()), "--key: expected at least 1 byte");
}

#[test]
fn null_scheme_suci_is_the_msin_in_clear() {
    // TS 23.003 §28.7.3: suci-0-<MCC>-<MNC>-<RI>-<scheme>-<key id>-<scheme output>, and the
    // null scheme's output is the MSIN itself (BCD, nibbles swapped, in the scheme output).
    let r = suci::suci(&SuciInput {
        scheme: ProtectionScheme::Null,
        hn_pub: None,
        eph_priv: None,
        supi: Some(Supi::Imsi {
            msin: "0123456789",
            mcc: "001",
            mnc: "01",
        }),
        routing_indicator: "0000",
        hn_key_id: None,
    })
    .unwrap();
    assert_eq!(text(&r, "scheme_output"), "1032547698");
    assert_eq!(text(&r, "suci"), "suci-0-001-01-0000-0-0-0123456789");
    let key_id = SuciInput {
        scheme: ProtectionScheme::Null,
        hn_pub: None,
        eph_priv: None,
        supi: None,
        routing_indicator: "0000",
        hn_key_id: Some(3),
    };
    assert_eq!(
        msg(suci::suci(&key_id)),
        "--hn-key-id: must be 0 with the null scheme (TS 33.501 §6.12.2), got 3"
    );
    let ecies = SuciInput {
        scheme: ProtectionScheme::ProfileA,
        supi: Some(Supi::Nai("alice@example.org")),
        hn_key_id: None,
        ..key_id
    };
    assert_eq!(
        msg(suci::suci(&ecies)),
        "--hn-pub is required with --profile a or b"
    );
}

#[test]
fn kdf_matches_hmac_sha256_over_fc_and_parameters() {
    // TS 33.220 Annex B.2: S = FC ‖ P0 ‖ L0 ‖ P1 ‖ L1, L = two-byte length.
    let r = calc::kdf("00", "ff01", &["str:abc".into(), "0102".into()], &[]).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&[0]).unwrap();
    mac.update(&[0xFF, 0x01, b'a', b'b', b'c', 0, 3, 1, 2, 0, 2]);
    assert_eq!(
        text(&r, "derived"),
        hex::encode(mac.finalize().into_bytes())
    );
    assert_eq!(
        msg(calc::kdf("00", "ff", &[], &[])),
        "--fc: FF introduces a two-byte FC; give FFxx (TS 33.220 B.2.2)"
    );
    assert_eq!(
        msg(calc::kdf("", "10", &[], &[])),
        "--key: expected at least 1 byte, got 0 bytes"
    );
    assert_eq!(
        msg(calc::xor(
            "000102030405060708090a0b0c0d0e0f",
            3,
            &calc::ChallengeText {
                rand: "000102030405060708090a0b0c0d0e0f",
                sqn: "000000000001",
                amf: "0000",
                auts: None,
            }
        )),
        "--res-len: expected 4 to 16 bytes, got 3"
    );
}

#[test]
fn choice_names_are_the_report_names() {
    // The command line's names of the AKMA choices are the names the reports print.
    use vusim_network::akma::{AuthMethod, Where};
    for (v, name, _) in Where::CHOICES {
        assert_eq!(v.name(), *name);
    }
    for (v, name, _) in AuthMethod::CHOICES {
        assert_eq!(v.name(), *name);
    }
    assert_eq!(Where::CHOICES.len(), 2);
    assert_eq!(AuthMethod::CHOICES.len(), 2);
}
