//! Both AKMA variants and both primary authentication methods, recomputed from K/OPc with the
//! spec formulas written out here — not with vusim's functions: MILENAGE outputs from the
//! published TS 35.208 test set 1 (vectors/milenage.json; the default card's K/OPc), the
//! TS 33.220 Annex B.2 KDF as HMAC-SHA-256 over FC ‖ P0 ‖ L0 ‖ … built by hand, PRF′ of
//! RFC 9048 §3.4.1 by hand. Checked against the run's report (`reveal`), the AUTN the card
//! accepted, and, after the ME variant, EF_5GAUTHKEYS read back over the card with READ BINARY
//! (TS 31.102 §4.4.11.6: `80 20 K_AUSF 81 20 K_SEAF`, unused bytes `FF`).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use vusim_applet::crypto::gba::UaProtocolId;
use vusim_applet::store::DurableCard;
use vusim_network::akma::{self, AkmaRun, AuthMethod, Where};
use vusim_network::auc::Auc;
use vusim_network::me::UsimAccess;
use vusim_network::{Me, Report};

const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";
const SUPI: &str = "001010123456789";
const REALM: &str = "5gc.mnc001.mcc001.3gppnetwork.org";
const AF_FQDN: &str = "bike.example.org";
const UA: [u8; 5] = [0x01, 0x00, 0x00, 0x00, 0x02];
/// The card's clock and the AAnF's: 2026-11-25T12:00:00Z.
const NOW: u64 = 1_795_608_000;

/// TS 35.208 test set 1 from vectors/milenage.json: RAND, RES (f2), CK (f3), IK (f4), AK (f5).
struct Milenage {
    rand: [u8; 16],
    res: Vec<u8>,
    ck: Vec<u8>,
    ik: Vec<u8>,
    ak: Vec<u8>,
}

fn test_set_1() -> Milenage {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/milenage.json"
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let set = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "TS 35.208 test set 1")
        .unwrap();
    let h = |k: &str| hex::decode(set[k].as_str().unwrap()).unwrap();
    // The default card is provisioned with this set's K and OPc.
    assert_eq!(
        h("k"),
        hex::decode("465b5ce8b199b49faa5f0a2ee238a6bc").unwrap()
    );
    Milenage {
        rand: h("rand").try_into().unwrap(),
        res: h("f2"),
        ck: h("f3"),
        ik: h("f4"),
        ak: h("f5"),
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// TS 33.220 B.2: HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ … ‖ Pn ‖ Ln), Li two octets big-endian.
fn kdf(key: &[u8], fc: u8, params: &[&[u8]]) -> Vec<u8> {
    let mut s = vec![fc];
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&u16::try_from(p.len()).unwrap().to_be_bytes());
    }
    hmac(key, &s)
}

/// RFC 9048 §3.4.1: PRF′(K, S) = T1 ‖ T2 ‖ …, Ti = HMAC-SHA-256(K, Ti-1 ‖ S ‖ i).
fn prf_prime(key: &[u8], s: &[u8], len: usize) -> Vec<u8> {
    let (mut out, mut t, mut i) = (Vec::new(), Vec::new(), 1u8);
    while out.len() < len {
        t = hmac(key, &[&t[..], s, &[i]].concat());
        out.extend_from_slice(&t);
        i += 1;
    }
    out.truncate(len);
    out
}

fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The whole chain from the test set and the SQN of the challenge.
struct Chain {
    sqn_xor_ak: Vec<u8>,
    res_star: Vec<u8>,
    k_ausf: Vec<u8>,
    k_seaf: Vec<u8>,
    k_akma: Vec<u8>,
    a_kid: String,
    k_af: Vec<u8>,
}

fn chain(m: &Milenage, sqn: u64, method: AuthMethod) -> Chain {
    let sqn_b = &sqn.to_be_bytes()[2..];
    let sqn_xor_ak: Vec<u8> = sqn_b.iter().zip(&m.ak).map(|(a, b)| a ^ b).collect();
    let ck_ik = [&m.ck[..], &m.ik[..]].concat();
    let res_star = kdf(&ck_ik, 0x6B, &[SNN.as_bytes(), &m.rand, &m.res])[16..].to_vec();
    let k_ausf = match method {
        // TS 33.501 Annex A.2.
        AuthMethod::FiveGAka => kdf(&ck_ik, 0x6A, &[SNN.as_bytes(), &sqn_xor_ak]),
        // TS 33.501 A.3 / TS 33.402 A.2: CK′ ‖ IK′; RFC 9048 §3.3: MK = PRF′(IK′ ‖ CK′,
        // "EAP-AKA'" ‖ Identity), EMSK = MK[144..208]; TS 33.501 §6.1.3.1: K_AUSF = EMSK's
        // first 256 bits; Identity = the IMSI (TS 33.501 Annex F.3).
        AuthMethod::EapAkaPrime => {
            let ckik_p = kdf(&ck_ik, 0x20, &[SNN.as_bytes(), &sqn_xor_ak]);
            let (ck_p, ik_p) = ckik_p.split_at(16);
            let key = [ik_p, ck_p].concat();
            let mk = prf_prime(&key, &[&b"EAP-AKA'"[..], SUPI.as_bytes()].concat(), 208);
            mk[144..176].to_vec()
        }
    };
    // TS 33.501 A.6; TS 33.535 A.2, A.3, A.4.
    let k_seaf = kdf(&k_ausf, 0x6C, &[SNN.as_bytes()]);
    let k_akma = kdf(&k_ausf, 0x80, &[b"AKMA", SUPI.as_bytes()]);
    let a_tid = kdf(&k_ausf, 0x81, &[b"A-TID", SUPI.as_bytes()]);
    let af_id = [AF_FQDN.as_bytes(), &UA].concat();
    Chain {
        k_af: kdf(&k_akma, 0x82, &[&af_id]),
        a_kid: format!("0.{}@{REALM}", b64(&a_tid)),
        sqn_xor_ak,
        res_star,
        k_ausf,
        k_seaf,
        k_akma,
    }
}

fn h(r: &Report, k: &str) -> Vec<u8> {
    hex::decode(r.get_text(k).unwrap_or_else(|| panic!("no {k}"))).unwrap()
}

/// One run on a fresh default card with the test set's RAND; the report and the card.
fn run(place: Where, auth: AuthMethod) -> (Report, DurableCard, Milenage) {
    let m = test_set_1();
    let mut card = DurableCard::embedded().unwrap();
    card.card_mut().set_time(Some(NOW));
    let profile = card.profile().clone();
    let mut auc = Auc::for_profile(&profile, None).unwrap();
    let spec = AkmaRun {
        af_fqdn: AF_FQDN.into(),
        ua: UaProtocolId::from_bytes(UA),
        place,
        auth,
        rand: Some(m.rand),
        reveal: true,
    };
    let access = UsimAccess::from_profile(&profile).unwrap();
    let r = {
        let mut me = Me::new(&mut card);
        me.start_usim(&access.aid, &access.pin1).unwrap();
        akma::run(
            &mut me,
            &mut auc,
            &profile,
            &spec,
            &mut rand::thread_rng(),
            NOW,
        )
        .unwrap()
    };
    (r, card, m)
}

fn check_chain(r: &Report, m: &Milenage, auth: AuthMethod) -> Chain {
    assert_eq!(r.get_text("verdict"), Some("pass"), "{r:?}");
    assert_eq!(h(r, "rand"), m.rand);
    // A fresh AuC's first SQN: SEQ 1, IND 0, 5 IND bits (TS 33.102 C.3.2; the default card).
    let sqn = 1 << 5;
    let c = chain(m, sqn, auth);
    assert_eq!(
        &h(r, "autn")[..6],
        &c.sqn_xor_ak[..],
        "AUTN carries SQN ⊕ AK"
    );
    assert_eq!(r.get_text("snn"), Some(SNN));
    assert_eq!(r.get_text("supi"), Some(SUPI));
    assert_eq!(r.get_text("af_fqdn"), Some(AF_FQDN));
    assert_eq!(h(r, "ua_protocol"), UA);
    assert_eq!(h(r, "k_ausf"), c.k_ausf, "K_AUSF");
    assert_eq!(h(r, "k_akma"), c.k_akma, "K_AKMA");
    assert_eq!(r.get_text("a_kid"), Some(c.a_kid.as_str()), "A-KID");
    assert_eq!(h(r, "k_af"), c.k_af, "K_AF");
    c
}

/// READ BINARY of EF_5GAUTHKEYS over the card (DF.5GS '5FC0', EF '4F05').
fn read_5gauthkeys(card: &mut DurableCard) -> Vec<u8> {
    let access = UsimAccess::from_profile(card.profile()).unwrap();
    let mut me = Me::new(card);
    me.start_usim(&access.aid, &access.pin1).unwrap();
    me.ok(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x5F, 0xC0], "SELECT DF.5GS")
        .unwrap();
    me.ok(
        &[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x4F, 0x05],
        "SELECT EF.5GAUTHKEYS",
    )
    .unwrap();
    me.ok(&[0x00, 0xB0, 0x00, 0x00, 0x00], "READ BINARY")
        .unwrap()
}

fn check_ef(card: &mut DurableCard, c: &Chain) {
    let ef = read_5gauthkeys(card);
    let mut want = [&[0x80, 0x20][..], &c.k_ausf, &[0x81, 0x20], &c.k_seaf].concat();
    assert_eq!(
        &ef[..68],
        &want[..],
        "EF_5GAUTHKEYS holds 80 K_AUSF 81 K_SEAF"
    );
    want.resize(ef.len(), 0xFF);
    assert_eq!(ef, want, "unused bytes FF");
    assert_eq!(ef.len(), 110);
}

#[test]
fn me_variant_5g_aka_from_the_spec_formulas() {
    let (r, mut card, m) = run(Where::Me, AuthMethod::FiveGAka);
    let c = check_chain(&r, &m, AuthMethod::FiveGAka);
    assert_eq!(h(&r, "res_star"), c.res_star, "RES*");
    assert_eq!(h(&r, "k_seaf"), c.k_seaf, "K_SEAF");
    let hx = &Sha256::digest([&m.rand[..], &c.res_star].concat())[16..];
    assert_ne!(hx, &c.res_star[..]);
    assert_eq!(r.get_text("keys_uicc_to_me"), Some("CK, IK"));
    assert_eq!(r.get_text("keys_me_to_uicc"), Some("K_AUSF, K_SEAF"));
    check_ef(&mut card, &c);
}

#[test]
fn me_variant_eap_aka_prime_from_the_spec_formulas() {
    let (r, mut card, m) = run(Where::Me, AuthMethod::EapAkaPrime);
    let c = check_chain(&r, &m, AuthMethod::EapAkaPrime);
    assert_eq!(r.get_text("network_name"), Some(SNN));
    assert_eq!(r.get_text("identity"), Some(SUPI));
    assert_eq!(h(&r, "res"), m.res, "AT_RES carries the USIM's RES");
    assert_eq!(h(&r, "k_seaf"), c.k_seaf, "K_SEAF from EMSK's K_AUSF");
    // EAP-AKA′ and 5G AKA give different K_AUSF for the same challenge.
    assert_ne!(c.k_ausf, chain(&m, 1 << 5, AuthMethod::FiveGAka).k_ausf);
    check_ef(&mut card, &c);
}

#[test]
fn uicc_variant_5g_aka_from_the_spec_formulas() {
    let (r, mut card, m) = run(Where::Uicc, AuthMethod::FiveGAka);
    let c = check_chain(&r, &m, AuthMethod::FiveGAka);
    assert_eq!(h(&r, "res_star"), c.res_star, "RES*");
    assert_eq!(r.get_text("keys_uicc_to_me"), Some("K_SEAF"));
    assert_eq!(r.get_text("keys_me_to_uicc"), Some("none"));
    // The UICC variant leaves EF_5GAUTHKEYS as it was (erased).
    assert!(read_5gauthkeys(&mut card).iter().all(|b| *b == 0xFF));
}

#[test]
fn uicc_variant_eap_aka_prime_from_the_spec_formulas() {
    let (r, mut card, m) = run(Where::Uicc, AuthMethod::EapAkaPrime);
    let c = check_chain(&r, &m, AuthMethod::EapAkaPrime);
    assert_eq!(h(&r, "res"), m.res, "AT_RES carries the USIM's RES");
    assert_eq!(r.get_bool("k_seaf_match"), Some(true));
    assert_eq!(r.get_bool("a_kid_match"), Some(true), "the card's A-KID");
    assert_eq!(r.get_text("keys_uicc_to_me"), Some("K_aut, K_SEAF"));
    assert!(read_5gauthkeys(&mut card).iter().all(|b| *b == 0xFF));
    let _ = c;
}

/// The proposed method field: only `01 01` (EAP-AKA′) is accepted after the SNN.
#[test]
fn akma_context_method_field_is_checked() {
    let m = test_set_1();
    let mut card = DurableCard::embedded().unwrap();
    let access = UsimAccess::from_profile(card.profile()).unwrap();
    let mut me = Me::new(&mut card);
    me.start_usim(&access.aid, &access.pin1).unwrap();
    let apdu = |tail: &[u8]| {
        let mut d = [
            &[0x10][..],
            &m.rand,
            &[0x10],
            &[0u8; 16],
            &[SNN.len() as u8],
            SNN.as_bytes(),
            tail,
        ]
        .concat();
        let mut a = vec![0x00, 0x88, 0x00, 0x87, d.len() as u8];
        a.append(&mut d);
        a.push(0x00);
        a
    };
    assert_eq!(me.send(&apdu(&[0x01, 0x02])).unwrap().sw.0, 0x6A80);
    assert_eq!(me.send(&apdu(&[0x01, 0x01, 0x00])).unwrap().sw.0, 0x6700);
    // With the method field right, the AUTN (all zero) is what fails: MAC failure.
    assert_eq!(me.send(&apdu(&[0x01, 0x01])).unwrap().sw.0, 0x9862);
}

#[test]
fn without_reveal_no_key_is_reported() {
    let m = test_set_1();
    for (place, auth) in [
        (Where::Me, AuthMethod::FiveGAka),
        (Where::Me, AuthMethod::EapAkaPrime),
        (Where::Uicc, AuthMethod::FiveGAka),
        (Where::Uicc, AuthMethod::EapAkaPrime),
    ] {
        let mut card = DurableCard::embedded().unwrap();
        card.card_mut().set_time(Some(NOW));
        let profile = card.profile().clone();
        let mut auc = Auc::for_profile(&profile, None).unwrap();
        let spec = AkmaRun {
            af_fqdn: AF_FQDN.into(),
            ua: UaProtocolId::from_bytes(UA),
            place,
            auth,
            rand: Some(m.rand),
            reveal: false,
        };
        let access = UsimAccess::from_profile(&profile).unwrap();
        let mut me = Me::new(&mut card);
        me.start_usim(&access.aid, &access.pin1).unwrap();
        let r = akma::run(
            &mut me,
            &mut auc,
            &profile,
            &spec,
            &mut rand::thread_rng(),
            NOW,
        )
        .unwrap();
        let c = chain(&m, 1 << 5, auth);
        let text = format!("{:?}", r.fields());
        for k in [&c.k_ausf, &c.k_seaf, &c.k_akma, &c.k_af] {
            assert!(
                !text.contains(&hex::encode(k)),
                "{place:?} {auth:?}: a key in {text}"
            );
        }
        for k in ["k_ausf", "k_seaf", "k_akma", "k_af"] {
            assert!(r.get(k).is_none(), "{k}");
        }
    }
}
