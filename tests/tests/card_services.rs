//! The card's key services reached through the service registry by a card applet of the test's
//! own (`Profile::build_card_with`): the AKMA key service derives K_AF from the card's K_AKMA on
//! first use and MACs with it, the GBA_U key service MACs with Ks_int_NAF, both only for what
//! EF_GBAUAPI grants the caller's AID; expected values from the formulas (tests/src/api), not
//! from the card's code.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use vusim_apdu::{Command, Response, StatusWord};
use vusim_applet::api::card_applet::service_sw;
use vusim_applet::api::ops::ALG_HMAC_SHA256;
use vusim_applet::api::registry::{self, Service, AKMA_SERVICE_AID, GBA_U_SERVICE_AID};
use vusim_applet::card::applet::{Applet, Context};
use vusim_applet::card::keystore::KeyKind;
use vusim_applet::card::Card;
use vusim_applet::profile::sections::GbauapiEntry;
use vusim_integration::api::{self as api, akma, gba, mac_of, select_aid, start_usim, tx, up, NOW};

/// The probe's AID (RID F0, proprietary).
const PROBE: [u8; 7] = [0xF0, 0x50, 0x52, 0x4F, 0x42, 0x45, 0x01];
const GRANTED: &str = "door.example.org";
const PURPOSE: &[u8] = b"probe";
const MSG: &[u8] = b"hello";

/// INS 10, data = service AID length ‖ service AID ‖ id: answers MAC (32) ‖ the key's reference.
struct Probe;

impl Applet for Probe {
    fn label(&self) -> &str {
        "PROBE"
    }
    fn aid(&self) -> &[u8] {
        &PROBE
    }
    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        let (&n, rest) = cmd.data().split_first().ok_or(StatusWord::WRONG_LENGTH)?;
        let (svc, id) = rest
            .split_at_checked(usize::from(n))
            .ok_or(StatusWord::WRONG_LENGTH)?;
        let (mac, info) = match registry::lookup(ctx, svc) {
            Some(Service::Akma(mut s)) => {
                (s.mac(id, ALG_HMAC_SHA256, PURPOSE, MSG, 32), s.key_info(id))
            }
            Some(Service::GbaU(mut s)) => {
                (s.mac(id, ALG_HMAC_SHA256, PURPOSE, MSG, 32), s.key_info(id))
            }
            None => return Err(StatusWord::FUNCTION_NOT_SUPPORTED),
        };
        let mut out = mac.map_err(service_sw)?;
        out.extend(info.map_err(service_sw)?.reference);
        Ok(Response::ok(out))
    }
}

fn card() -> Card {
    let mut p = api::profile();
    p.gbauapi.push(GbauapiEntry {
        applet: up(&PROBE),
        naf: GRANTED.into(),
        ua: None,
        application: None,
    });
    let mut c = p.build_card_with("test", vec![Box::new(Probe)]).unwrap();
    c.set_time(Some(NOW));
    c
}

fn probe(c: &mut Card, svc: &[u8], id: &[u8]) -> String {
    let mut d = vec![svc.len() as u8];
    d.extend(svc);
    d.extend(id);
    tx(c, &format!("81100000{:02X}{}", d.len(), up(&d))) // channel 1
}

#[test]
fn akma_service_derives_k_af_on_first_use_for_granted_af_ids_only() {
    let mut c = card();
    let net = akma::Net::set1();
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_aid(1, &PROBE)), "9000");
    // No K_AKMA yet: no key (6A88).
    assert_eq!(
        probe(&mut c, &AKMA_SERVICE_AID, &akma::af_id(GRANTED)),
        "6A88"
    );
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    assert!(c.keys().of_kind(KeyKind::KAf).is_empty());
    let want = mac_of(&net.k_af(GRANTED), PURPOSE, MSG);
    assert_eq!(
        probe(&mut c, &AKMA_SERVICE_AID, &akma::af_id(GRANTED)),
        format!("{}{}9000", up(&want), up(net.a_kid.as_bytes()))
    );
    // K_AF is kept (with the A-KID), never answered.
    let kept = c.keys().of_kind(KeyKind::KAf);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].key.as_slice(), net.k_af(GRANTED));
    // An AF_ID EF_GBAUAPI does not list for the probe: refused (6982), nothing derived.
    assert_eq!(
        probe(&mut c, &AKMA_SERVICE_AID, &akma::af_id("other.example.org")),
        "6982"
    );
    assert_eq!(c.keys().of_kind(KeyKind::KAf).len(), 1);
    // A new primary authentication: the next use derives K_AF from the new K_AKMA.
    let net2 = akma::Net::new(net.rand, 0x41);
    assert_eq!(tx(&mut c, &net2.authenticate()), net2.card_answer());
    let want2 = mac_of(&net2.k_af(GRANTED), PURPOSE, MSG);
    assert_eq!(
        probe(&mut c, &AKMA_SERVICE_AID, &akma::af_id(GRANTED)),
        format!("{}{}9000", up(&want2), up(net2.a_kid.as_bytes()))
    );
    // A service AID the registry does not know.
    assert_eq!(probe(&mut c, &[0xF0, 0x00, 0x00, 0x00, 0x00], b"x"), "6A81");
}

#[test]
fn gba_u_service_through_the_registry() {
    let mut c = card();
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
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_aid(1, &PROBE)), "9000");
    let want = mac_of(&net.int(GRANTED), PURPOSE, MSG);
    assert_eq!(
        probe(&mut c, &GBA_U_SERVICE_AID, &gba::naf_id(GRANTED)),
        format!("{}{}9000", up(&want), up(net.b_tid.as_bytes()))
    );
    // Ks_int_NAF exists for the other NAF, but EF_GBAUAPI does not grant it to the probe.
    assert_eq!(
        probe(
            &mut c,
            &GBA_U_SERVICE_AID,
            &gba::naf_id("other.example.org")
        ),
        "6982"
    );
}
