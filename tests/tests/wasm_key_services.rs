//! A loadable WebAssembly applet (docs/applets.md §4.3–§4.4) uses the card's key services: the
//! GBA_U key service MACs with Ks_int_NAF, the AKMA key service derives K_AF from K_AKMA and
//! MACs with it, a derived key is a handle that MACs — each only for what EF_GBAUAPI grants the
//! applet's registered AID. Expected values from the formulas (tests/src/api), not the card.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use base64::Engine as _;
use vusim_applet::card::Card;
use vusim_applet::profile::sections::{GbauapiEntry, LoadableEntry};
use vusim_integration::api::{self as api, akma, api_key, gba, mac_of, select_aid, start_usim};
use vusim_integration::api::{tx, up, NOW};

/// The probe's AID (RID F0, proprietary: "WASMPR").
const PROBE: [u8; 8] = [0xF0, 0x57, 0x41, 0x53, 0x4D, 0x50, 0x52, 0x01];
const GRANTED: &str = "door.example.org";

/// The example probe (examples/applets/gba-probe.wat): INS 10, data = selector ‖ id.
fn probe_wasm() -> Vec<u8> {
    wat::parse_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/applets/gba-probe.wat"
    ))
    .unwrap()
}

fn card() -> Card {
    let mut p = api::profile();
    p.gbauapi.push(GbauapiEntry {
        applet: up(&PROBE),
        naf: GRANTED.into(),
        ua: None,
        application: None,
    });
    p.loadable.push(LoadableEntry {
        module: base64::engine::general_purpose::STANDARD.encode(probe_wasm()),
        name: Some("probe.wat".into()),
        aid: None, // the module declares F0 "WASMPR" 01
        label: None,
        params: None,
    });
    let mut c = p.build_card("test").unwrap();
    c.set_time(Some(NOW));
    c
}

fn probe(c: &mut Card, sel: u8, id: &[u8]) -> String {
    let mut d = vec![sel];
    d.extend(id);
    tx(c, &format!("81100000{:02X}{}", d.len(), up(&d))) // channel 1
}

#[test]
fn gba_u_service_and_key_handles_for_a_loadable_applet() {
    let mut c = card();
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_aid(1, &PROBE)), "9000");
    // No bootstrap yet: EF_GBAUAPI grants the NAF, but there is no key (6A88).
    assert_eq!(probe(&mut c, 0, &gba::naf_id(GRANTED)), "6A88");
    for (cmd, want) in gba::bootstrap_apdus(Some("2099-01-01T00:00:00Z")) {
        assert_eq!(tx(&mut c, &cmd), want, "{cmd}");
    }
    let net = gba::Net::new();
    for n in [GRANTED, "other.example.org"] {
        assert_eq!(
            tx(&mut c, &gba::naf_apdu(n)),
            format!("DB20{}9000", up(&net.naf_key("gba-me", n)))
        );
    }
    let want = mac_of(&net.int(GRANTED), b"probe", b"hello");
    assert_eq!(
        probe(&mut c, 0, &gba::naf_id(GRANTED)),
        format!("{}{}9000", up(&want), up(net.b_tid.as_bytes()))
    );
    // Ks_int_NAF exists for the other NAF, but EF_GBAUAPI does not grant it to this AID.
    assert_eq!(probe(&mut c, 0, &gba::naf_id("other.example.org")), "6982");
    // A derived key is a handle: its MAC is HMAC under the `mac` key of KDF(Ks_int_NAF, drbg,
    // 0, "sess"), and no byte of the key reaches the applet.
    let sub = api_key(&net.int(GRANTED), "drbg", 0, b"sess");
    let want = mac_of(&sub, b"probe", b"hello");
    assert_eq!(
        probe(&mut c, 2, &gba::naf_id(GRANTED)),
        format!("{}9000", up(&want))
    );
    // The card's own commands still work after the lent file system came back.
    assert_eq!(tx(&mut c, "00A4000C023F00"), "9000");
}

#[test]
fn akma_service_for_a_loadable_applet() {
    let mut c = card();
    let net = akma::Net::set1();
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_aid(1, &PROBE)), "9000");
    assert_eq!(probe(&mut c, 1, &akma::af_id(GRANTED)), "6A88");
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    let want = mac_of(&net.k_af(GRANTED), b"probe", b"hello");
    assert_eq!(
        probe(&mut c, 1, &akma::af_id(GRANTED)),
        format!("{}{}9000", up(&want), up(net.a_kid.as_bytes()))
    );
    assert_eq!(probe(&mut c, 1, &akma::af_id("other.example.org")), "6982");
}
