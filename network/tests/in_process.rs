//! The card (vusim-applet, in process) and the network side (vusim-network) together in one
//! process, through the library: the ME drives the card over the script Transport, the AuC,
//! BSF/NAF, AUSF/AAnF/AF and IoT HSS/AS compute. Expected values come from the published
//! TS 35.208 test set 1 (the default card's K/OPc, vectors/milenage.json) and from an
//! independent HMAC-SHA-256 evaluation of the TS 33.220 Annex B KDF.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

use hmac::{Hmac, Mac};
use sha2::Sha256;
use vusim_applet::store::DurableCard;
use vusim_network::aka::{self, AkaKind};
use vusim_network::auc::Auc;
use vusim_network::bsf::Bsf;
use vusim_network::gba::{self, GbaRun};
use vusim_network::me::UsimAccess;
use vusim_network::Me;

/// TS 35.208 §4.3.1 test set 1 (the default card's K and OPc).
const RAND: &str = "23553cbe9637a89d218ae64dae47bf35";
const RES: &str = "a54211d5e3ba50bf";
const CK: &str = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
const IK: &str = "f769bcd751044604127672711c6d3441";

fn rand() -> [u8; 16] {
    hex::decode(RAND).unwrap().try_into().unwrap()
}

/// The card's clock is fixed at 2026-11-25T12:00:00Z.
const NOW: u64 = 1_795_608_000;

fn started(card: &mut DurableCard) -> Me<&mut DurableCard> {
    card.card_mut().set_time(Some(NOW));
    let access = UsimAccess::from_profile(card.profile()).unwrap();
    let mut me = Me::new(card);
    me.start_usim(&access.aid, &access.pin1).unwrap();
    me
}

#[test]
fn aka_3g_matches_the_published_vector() {
    let mut card = DurableCard::embedded().unwrap();
    let mut auc = Auc::for_profile(card.profile(), None).unwrap();
    let mut me = started(&mut card);
    let r = aka::run(&mut me, &mut auc, &AkaKind::ThreeG, rand(), 0).unwrap();
    assert!(!r.failed(), "{r:?}");
    assert_eq!(r.get_text("res"), Some(RES));
    assert_eq!(r.get_text("xres"), Some(RES));
    assert_eq!(r.get_bool("ck_ik_match"), Some(true));
    assert_eq!(r.get_text("verdict"), Some("pass"));
    assert!(r.get("auts").is_none());
}

#[test]
fn aka_3g_resynchronises_after_a_sqn_jump() {
    let mut card = DurableCard::embedded().unwrap();
    let mut auc = Auc::for_profile(card.profile(), None).unwrap();
    let mut me = started(&mut card);
    // First a normal AKA, so the card has an accepted SQN to report.
    let first = aka::run(&mut me, &mut auc, &AkaKind::ThreeG, rand(), 0).unwrap();
    assert_eq!(first.get_text("verdict"), Some("pass"));
    // SEQ jumps 2^30 ahead: beyond the card's Δ = 2^28 (TS 33.102 C.2.1) → AUTS.
    let r = aka::run(&mut me, &mut auc, &AkaKind::ThreeG, rand(), 1 << 30).unwrap();
    assert!(!r.failed(), "{r:?}");
    assert_eq!(
        r.get_text("auts").map(str::len),
        Some(28),
        "AUTS is 14 bytes"
    );
    let Some(vusim_network::report::Value::Num(sqn_ms)) = r.get("sqn_ms") else {
        panic!("no sqn_ms: {r:?}")
    };
    let Some(vusim_network::report::Value::Num(first_sqn)) = first.get("sqn") else {
        panic!("no sqn: {first:?}")
    };
    // The card reports the highest SQN it accepted: the first AKA's.
    assert_eq!(*sqn_ms, *first_sqn);
    assert_eq!(r.get_text("res"), Some(RES));
    assert_eq!(r.get_text("verdict"), Some("pass"));
}

#[test]
fn aka_gsm_and_5g_pass() {
    let mut card = DurableCard::embedded().unwrap();
    let profile = card.profile().clone();
    let mut auc = Auc::for_profile(&profile, None).unwrap();
    let mut me = started(&mut card);
    let gsm = aka::run(&mut me, &mut auc, &AkaKind::Gsm, rand(), 0).unwrap();
    // c2: SRES = RES[0..4] ⊕ RES[4..8] (TS 33.102 §6.8.1.2) of the published RES.
    let res = hex::decode(RES).unwrap();
    let sres: Vec<u8> = (0..4).map(|i| res[i] ^ res[i + 4]).collect();
    assert_eq!(gsm.get_text("sres"), Some(hex::encode(sres).as_str()));
    assert_eq!(gsm.get_text("verdict"), Some("pass"));
    let snn = aka::home_snn(&profile).unwrap();
    assert_eq!(snn, "5G:mnc001.mcc001.3gppnetwork.org");
    let five = aka::run(&mut me, &mut auc, &AkaKind::FiveG { snn }, rand(), 0).unwrap();
    assert_eq!(five.get_bool("k_ausf_match"), Some(true));
    assert_eq!(five.get_text("verdict"), Some("pass"));
    assert!(!five.failed());
}

/// KDF(key, FC ‖ P0 ‖ L0 ‖ …) = HMAC-SHA-256 (TS 33.220 Annex B.2), written out here.
fn kdf(key: &[u8], fc: u8, params: &[&[u8]]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(&[fc]);
    for p in params {
        m.update(p);
        m.update(&u16::try_from(p.len()).unwrap().to_be_bytes());
    }
    m.finalize().into_bytes().to_vec()
}

#[test]
fn gba_bootstrap_and_naf_derivation_agree_with_the_kdf() {
    let mut card = DurableCard::embedded().unwrap();
    let mut auc = Auc::for_profile(card.profile(), None).unwrap();
    let impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org".to_string();
    let ua = vusim_applet::crypto::gba::UaProtocolId::from_bytes([1, 0, 0, 0, 2]);
    let run = GbaRun {
        bsf: Bsf {
            domain: "bsf.mnc001.mcc001.pub.3gppnetwork.org".into(),
            lifetime_secs: 3600,
        },
        impi: impi.clone(),
        naf_fqdn: "naf.example.org".into(),
        ua,
        rand: rand(),
    };
    let mut me = started(&mut card);
    let r = gba::bootstrap(&mut me, &mut auc, &run, || NOW).unwrap();
    assert!(!r.failed(), "{r:?}");
    assert_eq!(r.get_text("res"), Some(RES));
    // B-TID = base64(RAND)@BSF domain (TS 33.220 §4.5.2); lifetime = now + 3600 s.
    assert_eq!(
        r.get_text("b_tid"),
        Some("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.mnc001.mcc001.pub.3gppnetwork.org")
    );
    assert_eq!(r.get_text("key_lifetime"), Some("2026-11-25T13:00:00Z"));
    // Ks_ext_NAF = KDF(CK ‖ IK, 01, "gba-me", RAND, IMPI, NAF_Id) (TS 33.220 Annex B.3).
    let ks = [hex::decode(CK).unwrap(), hex::decode(IK).unwrap()].concat();
    let naf_id = [b"naf.example.org".as_slice(), &[1, 0, 0, 0, 2]].concat();
    let want = kdf(&ks, 0x01, &[b"gba-me", &rand(), impi.as_bytes(), &naf_id]);
    assert_eq!(
        r.get_text("card_ks_ext_naf"),
        Some(hex::encode(&want).as_str())
    );
    assert_eq!(
        r.get_text("naf_ks_ext_naf"),
        Some(hex::encode(&want).as_str())
    );
    // The ME wrote B-TID and lifetime into EF_GBABP: READ BINARY shows them after RAND.
    let data = me
        .ok(&[0x00, 0xB0, 0x00, 0x00, 0x00], "READ BINARY")
        .unwrap();
    let b_tid = b"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.mnc001.mcc001.pub.3gppnetwork.org";
    assert_eq!(&data[..17], &[[0x10].as_slice(), &rand()].concat()[..]);
    assert_eq!(usize::from(data[17]), b_tid.len());
    assert_eq!(&data[18..18 + b_tid.len()], b_tid);
}

#[test]
fn akma_end_to_end() {
    let mut card = DurableCard::embedded().unwrap();
    let profile = card.profile().clone();
    let mut auc = Auc::for_profile(&profile, None).unwrap();
    let run = vusim_network::akma::AkmaRun {
        af_fqdn: "bike.example.org".into(),
        ua: vusim_applet::crypto::gba::UaProtocolId::from_bytes([1, 0, 0, 0, 2]),
        place: vusim_network::akma::Where::Uicc,
        auth: vusim_network::akma::AuthMethod::FiveGAka,
        rand: None,
        reveal: false,
    };
    let mut me = started(&mut card);
    let r = vusim_network::akma::run(
        &mut me,
        &mut auc,
        &profile,
        &run,
        &mut rand::thread_rng(),
        NOW,
    )
    .unwrap();
    assert!(!r.failed(), "{r:?}");
    for k in [
        "res_star_verified",
        "k_seaf_match",
        "a_kid_match",
        "card_mac_verified_by_af",
        "af_mac_verified_by_card",
        "card_authenticated",
        "af_authenticated",
        "app_key_delivered_and_used",
    ] {
        assert_eq!(r.get_bool(k), Some(true), "{k}");
    }
    let a_kid = r.get_text("a_kid").unwrap();
    assert!(a_kid.starts_with("0."), "{a_kid}");
    assert!(
        a_kid.ends_with("@5gc.mnc001.mcc001.3gppnetwork.org"),
        "{a_kid}"
    );
    assert_eq!(r.get_text("verdict"), Some("pass"));
}

#[test]
fn a_refused_command_is_an_error_naming_it() {
    let mut card = DurableCard::embedded().unwrap();
    let mut me = Me::new(&mut card);
    // No USIM selected and no PIN: SELECT of an unknown AID is refused.
    let e = me.start_usim(&[0xA0, 0, 0, 0, 0x99], "1234").unwrap_err();
    assert_eq!(
        e.to_string(),
        "SELECT ADF.USIM: card answered 6A82 file or application not found"
    );
}

/// The NAF's operations (the one implementation behind `vusim naf`, `akma af`, `iot app`) give
/// card APDUs the card's GBA_U API applet accepts, and a flipped MAC bit is refused (`9862`).
#[test]
fn naf_operations_are_accepted_by_the_card() {
    use vusim_network::af::{run_operation, Operation};
    use vusim_network::naf::{self, BootstrapKeys, NafBase, NafKey};

    let mut card = DurableCard::embedded().unwrap();
    let mut auc = Auc::for_profile(card.profile(), None).unwrap();
    let impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org".to_string();
    let ua = vusim_applet::crypto::gba::UaProtocolId::from_bytes([1, 0, 0, 0, 2]);
    let run = GbaRun {
        bsf: Bsf {
            domain: "bsf.mnc001.mcc001.pub.3gppnetwork.org".into(),
            lifetime_secs: 3600,
        },
        impi: impi.clone(),
        naf_fqdn: "naf.example.org".into(),
        ua,
        rand: rand(),
    };
    let mut me = started(&mut card);
    let r = gba::bootstrap(&mut me, &mut auc, &run, || NOW).unwrap();
    assert!(!r.failed(), "{r:?}");
    let ch = me
        .open_applet(&vusim_applet::api::apdu::AID)
        .expect("GBA_U API applet");

    let naf_id = [b"naf.example.org".as_slice(), &[1, 0, 0, 0, 2]].concat();
    let boot = BootstrapKeys {
        ck: hex::decode(CK).unwrap().try_into().unwrap(),
        ik: hex::decode(IK).unwrap().try_into().unwrap(),
        rand: rand(),
        impi,
    };
    let int = naf::ks_int_naf(&boot, &naf_id).unwrap();
    let key = NafKey::resolve(NafBase::KsIntNaf, Some(naf_id), Some(int)).unwrap();
    let target = key.target(ch, None).unwrap();
    let op = Operation::Mac {
        purpose: b"door".to_vec(),
        message: b"open".to_vec(),
        mac_len: 32,
    };
    let r = run_operation(&op, &key.base, Some(&target)).unwrap();
    let verify = hex::decode(r.get_text("card_apdu").unwrap()).unwrap();
    assert_eq!(me.send(&verify).unwrap().sw.0, 0x9000);
    // The same MAC with its last bit flipped (the MAC is the last data object, Le follows).
    let mut bad = verify.clone();
    let last_mac_byte = bad.len() - 2;
    bad[last_mac_byte] ^= 0x01;
    assert_eq!(me.send(&bad).unwrap().sw.0, 0x9862);
    // The card's MAC COMPUTE gives the MAC the NAF computed.
    let compute = hex::decode(r.get_text("card_compute_apdu").unwrap()).unwrap();
    let resp = me.send(&compute).unwrap();
    assert_eq!(resp.sw.0, 0x9000);
    let mac = r.get_text("mac").unwrap();
    assert!(hex::encode(&resp.data).ends_with(mac), "{resp:?}");
}

/// Input errors are typed and name the input, not a command-line flag.
#[test]
fn input_errors_are_typed() {
    use vusim_network::aanf::{position_auc, Subscriber};
    use vusim_network::NetworkError;
    let p = vusim_applet::profile::Profile::embedded_default();
    let e = Subscriber::from_profile(&p, Some("12345")).unwrap_err();
    assert!(
        matches!(&e, NetworkError::InvalidRid(r) if r == "12345"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "Routing Indicator: expected 1 to 4 decimal digits, got \"12345\""
    );
    let mut auc = Auc::for_profile(&p, None).unwrap();
    // SQN 000000000001 with 5 IND bits has SEQ 0.
    let e = position_auc(&mut auc, 5, 1).unwrap_err();
    assert!(matches!(e, NetworkError::SeqZero { ind_bits: 5 }), "{e:?}");
}
