//! UICC-based AKMA (docs/api/akma.md) through APDUs only, on the embedded default card: the
//! proposed 5G AKMA AUTHENTICATE context (RES*, K_SEAF, K_AKMA kept, MAC and synchronisation
//! failures), the AKMA API applet (DERIVE K_AF, every operation over K_AF and over secrets
//! delivered under it), lifetimes on the card clock, the per-AF policy, capacity, bad input
//! without state change, persistence, the documentation examples regenerated and compared, and a
//! leak test. Every expected value is recomputed here from the spec formulas with HMAC-SHA-256
//! (TS 33.220 B.2 KDF, TS 33.501 A.2–A.6, TS 33.535 A.2–A.4), not with the card's code.

#![cfg(feature = "experimental-api")]
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use aes::cipher::{KeyIvInit, StreamCipher};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma::{apdu, AfPolicyEntry, AID, COMMANDS, STATUS_WORDS};
use vusim_applet::card::keystore::KeyKind;
use vusim_applet::card::Card;
use vusim_applet::crypto::keys::{Key128, Opc};
use vusim_applet::crypto::milenage::Milenage;
use vusim_applet::profile::Profile;

// ---------------------------------------------------------------------------------------------
// Independent computations.

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// TS 33.220 B.2: HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ …).
fn kdf(key: &[u8], fc: &[u8], params: &[&[u8]]) -> [u8; 32] {
    let mut s = fc.to_vec();
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&(p.len() as u16).to_be_bytes());
    }
    hmac(key, &[&s])
}

/// The API's per-purpose key (docs/api/gba-api.md §6): KDF(base, FF E8, label, alg, purpose).
fn api_key(base: &[u8], label: &str, alg: u8, purpose: &[u8]) -> [u8; 32] {
    kdf(base, &[0xFF, 0xE8], &[label.as_bytes(), &[alg], purpose])
}

fn mac_of(base: &[u8], purpose: &[u8], msg: &[u8]) -> [u8; 32] {
    hmac(&api_key(base, "mac", 1, purpose), &[msg])
}

fn ctr(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let mut c = ctr::Ctr128BE::<aes::Aes128>::new(key[..16].into(), iv.into());
    c.apply_keystream(&mut out);
    out
}

/// AES-128-CTR + HMAC-SHA-256 with the given labels: (ciphertext, tag).
fn seal(
    base: &[u8],
    labels: (&str, &str),
    purpose: &[u8],
    iv: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let ke = api_key(base, labels.0, 0x11, purpose);
    let ki = api_key(base, labels.1, 0x11, purpose);
    let ct = ctr(&ke, iv, pt);
    let t = hmac(&ki, &[&(aad.len() as u64).to_be_bytes(), aad, iv, &ct]);
    (ct, t[..16].to_vec())
}

const SUPI: &str = "001010123456789";
const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";
const REALM: &str = "5gc.mnc001.mcc001.3gppnetwork.org";
const UA: [u8; 5] = [0x01, 0x00, 0x00, 0x00, 0x02];
/// Card clock of the tests: 2029-12-31T23:00:00Z.
const NOW: u64 = 1_893_452_400;
/// A K_AF expiry one hour later.
const END: u64 = NOW + 3600;

fn up(b: &[u8]) -> String {
    hex::encode_upper(b)
}

fn unhex(s: &str) -> Vec<u8> {
    vusim_apdu::hexstr::parse_hex(s).unwrap()
}

fn set1() -> Value {
    let path = format!("{}/../vectors/milenage.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["vectors"][0].clone()
}

fn h(v: &Value, k: &str) -> Vec<u8> {
    hex::decode(v[k].as_str().unwrap()).unwrap()
}

fn af_id(fqdn: &str) -> Vec<u8> {
    [fqdn.as_bytes(), &UA].concat()
}

/// The network's view of one 5G AKA: the vector and every key of TS 33.501 / TS 33.535.
struct Net {
    rand: [u8; 16],
    autn: [u8; 16],
    ck_ik: Vec<u8>,
    res_star: Vec<u8>,
    k_ausf: [u8; 32],
    k_seaf: [u8; 32],
    k_akma: [u8; 32],
    a_tid: [u8; 32],
    a_kid: String,
}

impl Net {
    /// A vector for `rand` and `sqn` (AMF 8000) from TS 35.208 test set 1's K/OPc.
    fn new(rand: [u8; 16], sqn: u64) -> Net {
        let v = set1();
        let m = Milenage::new(
            &Key128::from_slice(&h(&v, "k")).unwrap(),
            &Opc::from_slice(&h(&v, "opc")).unwrap(),
        );
        let keys = m.f2345(&rand);
        let sqn_b: [u8; 6] = sqn.to_be_bytes()[2..].try_into().unwrap();
        let amf = [0x80, 0x00];
        let mac = m.f1(&rand, &sqn_b, &amf);
        let sqn_xor_ak: Vec<u8> = sqn_b.iter().zip(&keys.ak).map(|(a, b)| a ^ b).collect();
        let autn: [u8; 16] = [&sqn_xor_ak[..], &amf, &mac].concat().try_into().unwrap();
        let ck_ik = [keys.ck.as_bytes(), keys.ik.as_bytes()].concat();
        let res_star = kdf(
            &ck_ik,
            &[0x6B],
            &[SNN.as_bytes(), &rand, keys.res.as_bytes()],
        )[16..]
            .to_vec();
        let k_ausf = kdf(&ck_ik, &[0x6A], &[SNN.as_bytes(), &sqn_xor_ak]);
        let k_seaf = kdf(&k_ausf, &[0x6C], &[SNN.as_bytes()]);
        let k_akma = kdf(&k_ausf, &[0x80], &[b"AKMA", SUPI.as_bytes()]);
        let a_tid = kdf(&k_ausf, &[0x81], &[b"A-TID", SUPI.as_bytes()]);
        let a_kid = format!(
            "0.{}@{REALM}",
            base64::engine::general_purpose::STANDARD.encode(a_tid)
        );
        Net {
            rand,
            autn,
            ck_ik,
            res_star,
            k_ausf,
            k_seaf,
            k_akma,
            a_tid,
            a_kid,
        }
    }

    /// Test set 1's RAND, SQN 000000000021 (SEQ 1, IND 1).
    fn set1() -> Net {
        let rand: [u8; 16] = h(&set1(), "rand").try_into().unwrap();
        let n = Net::new(rand, 0x21);
        // The vector's CK and IK are test set 1's.
        assert_eq!(n.ck_ik, [h(&set1(), "f3"), h(&set1(), "f4")].concat());
        n
    }

    fn k_af(&self, fqdn: &str) -> [u8; 32] {
        kdf(&self.k_akma, &[0x82], &[&af_id(fqdn)])
    }

    fn authenticate(&self) -> String {
        authenticate_apdu(&self.rand, &self.autn, SNN)
    }

    fn card_answer(&self) -> String {
        format!("DB10{}20{}9000", up(&self.res_star), up(&self.k_seaf))
    }
}

fn authenticate_apdu(rand: &[u8], autn: &[u8], snn: &str) -> String {
    let mut d = vec![rand.len() as u8];
    d.extend(rand);
    d.push(autn.len() as u8);
    d.extend(autn);
    d.push(snn.len() as u8);
    d.extend(snn.as_bytes());
    format!("00880087{:02X}{}00", d.len(), up(&d))
}

// ---------------------------------------------------------------------------------------------
// The card.

fn profile() -> Profile {
    Profile::embedded_default()
}

fn fresh(p: &Profile) -> Card {
    let mut c = p.build_card("test").unwrap();
    c.set_time(Some(NOW));
    c
}

fn tx(card: &mut Card, apdu: &str) -> String {
    up(&card.transmit_bytes(&unhex(apdu)))
}

fn sw(card: &mut Card, apdu: &[u8]) -> String {
    let r = up(&card.transmit_bytes(apdu));
    r[r.len() - 4..].to_string()
}

/// Send, expect 9000, return the data objects of the response.
fn ok(card: &mut Card, apdu: &[u8]) -> Vec<Tlv> {
    let r = card.transmit_bytes(apdu);
    assert_eq!(up(&r[r.len() - 2..]), "9000", "{} -> {}", up(apdu), up(&r));
    Tlv::parse_all(&r[..r.len() - 2]).unwrap()
}

fn val(dos: &[Tlv], t: u32) -> Vec<u8> {
    Tlv::find(dos, t).unwrap().value.clone()
}

fn start_usim(c: &mut Card) {
    assert_eq!(tx(c, "00A4040C07A0000000871002"), "9000");
    assert_eq!(tx(c, "002000010831323334FFFFFFFF"), "9000");
}

fn select_api(channel: u8) -> String {
    let cla = if channel < 4 {
        channel
    } else {
        0x40 | (channel - 4)
    };
    format!("{cla:02X}A4040C0D{}", up(&AID))
}

/// Key address `80 AF_ID` (and `84 name`).
fn key(fqdn: &str) -> Tlv {
    Tlv::new(0x80u32, af_id(fqdn))
}

fn name(n: &str) -> Tlv {
    Tlv::new(0x84u32, n.as_bytes().to_vec())
}

fn t(tag: u32, v: &[u8]) -> Tlv {
    Tlv::new(tag, v.to_vec())
}

fn derive(fqdn: &str, expires: u64) -> Vec<u8> {
    apdu(
        0,
        "DERIVE K_AF",
        &[key(fqdn), t(0x86, &expires.to_be_bytes())],
    )
}

/// A card after 5G AKA in the 5G AKMA context, the AKMA API selected on channel 0, K_AF
/// derived for each AF until [`END`].
fn ready(p: &Profile, afs: &[&str]) -> (Card, Net) {
    let mut c = fresh(p);
    let net = Net::set1();
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    for af in afs {
        let r = ok(&mut c, &derive(af, END));
        assert_eq!(val(&r, 0x81), net.a_kid.as_bytes());
        assert_eq!(val(&r, 0x86), END.to_be_bytes());
    }
    (c, net)
}

// ---------------------------------------------------------------------------------------------
// The 5G AKMA context.

#[test]
fn akma_context_returns_res_star_and_k_seaf_and_keeps_k_akma() {
    let p = profile();
    let mut c = fresh(&p);
    let net = Net::set1();
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    // HRES* at the SEAF equals HXRES*: same RES* (TS 33.501 A.5).
    let hres = &Sha256::digest([&net.rand[..], &net.res_star].concat())[16..];
    assert_eq!(hres.len(), 16);
    // K_AKMA in the key store, with A-TID and A-KID; nothing else AKMA-related.
    let e = c.keys().of_kind(KeyKind::KAkma);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].key.as_slice(), net.k_akma);
    assert_eq!(e[0].id, net.a_tid);
    assert_eq!(e[0].reference, net.a_kid.as_bytes());
    assert_eq!(e[0].expires, None);
    assert!(c.keys().of_kind(KeyKind::KAf).is_empty());
    // The IoT Ks of the default card ([iot] on) comes with it.
    assert_eq!(c.keys().of_kind(KeyKind::IotKs).len(), 1);
    // A new primary authentication (SQN 0x41) replaces K_AKMA.
    let net2 = Net::new(net.rand, 0x41);
    assert_eq!(tx(&mut c, &net2.authenticate()), net2.card_answer());
    let e = c.keys().of_kind(KeyKind::KAkma);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].key.as_slice(), net2.k_akma);
    assert_ne!(net2.a_kid, net.a_kid);
    // A K_AKMA lifetime in the profile gives the entry an expiry.
    let mut p = profile();
    p.akma.as_mut().unwrap().k_akma_lifetime = Some(600);
    let mut c = fresh(&p);
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    assert_eq!(c.keys().of_kind(KeyKind::KAkma)[0].expires, Some(NOW + 600));
}

#[test]
fn akma_context_failures_keep_nothing() {
    let p = profile();
    let mut c = fresh(&p);
    let net = Net::set1();
    // PIN1 not verified: 6982.
    assert_eq!(tx(&mut c, "00A4040C07A0000000871002"), "9000");
    assert_eq!(tx(&mut c, &net.authenticate()), "6982");
    assert_eq!(tx(&mut c, "002000010831323334FFFFFFFF"), "9000");
    let before = c.image();
    let mut forged = net.autn;
    forged[15] ^= 1;
    let cases: Vec<(String, &str)> = vec![
        // MAC failure (TS 31.102: 9862), exactly as in the 3G context.
        (authenticate_apdu(&net.rand, &forged, SNN), "9862"),
        // Wrong lengths: RAND 15 bytes, AUTN 15 bytes (6A80 as the 3G context), trailing
        // byte, truncated SNN (6700), no data.
        (authenticate_apdu(&net.rand[..15], &net.autn, SNN), "6A80"),
        (authenticate_apdu(&net.rand, &net.autn[..15], SNN), "6A80"),
        (
            {
                let a = authenticate_apdu(&net.rand, &net.autn, SNN);
                let body = &a[10..a.len() - 2];
                format!("00880087{:02X}{body}FF00", body.len() / 2 + 1)
            },
            "6700",
        ),
        (
            format!("008800872610{}10{}2035473A00", up(&net.rand), up(&net.autn)),
            "6700",
        ),
        ("0088008700".into(), "6700"),
        // An SNN that is not a 5G serving network name, or not printable ASCII.
        (
            authenticate_apdu(&net.rand, &net.autn, "mnc001.mcc001.3gppnetwork.org"),
            "6A80",
        ),
        (
            authenticate_apdu(&net.rand, &net.autn, "5G:mnc001 mcc001"),
            "6A80",
        ),
        (authenticate_apdu(&net.rand, &net.autn, ""), "6A80"),
        // P1 not 00.
        (
            {
                let a = authenticate_apdu(&net.rand, &net.autn, SNN);
                format!("00880187{}", &a[8..])
            },
            "6A86",
        ),
    ];
    for (cmd, want) in &cases {
        assert_eq!(tx(&mut c, cmd), *want, "{cmd}");
    }
    assert_eq!(c.image(), before, "a refused AUTHENTICATE changes nothing");
    assert!(c.keys().of_kind(KeyKind::KAkma).is_empty());
    // The real challenge is still fresh; then its replay is a synchronisation failure whose
    // AUTS carries SQN_MS = 0x21 (MAC-S checked with f1*).
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    let r = c.transmit_bytes(&unhex(&net.authenticate()));
    assert_eq!(&r[..2], &[0xDC, 0x0E]);
    assert_eq!(up(&r[16..]), "9000");
    let v = set1();
    let m = Milenage::new(
        &Key128::from_slice(&h(&v, "k")).unwrap(),
        &Opc::from_slice(&h(&v, "opc")).unwrap(),
    );
    let ak_star = m.f5star(&net.rand);
    let sqn_ms: Vec<u8> = r[2..8].iter().zip(&ak_star).map(|(a, b)| a ^ b).collect();
    assert_eq!(sqn_ms, [0, 0, 0, 0, 0, 0x21]);
    let mac_s = m.f1star(&net.rand, &sqn_ms.clone().try_into().unwrap(), &[0, 0]);
    assert_eq!(&r[8..16], &mac_s);
    // The K_AKMA of the first run is still the one kept.
    assert_eq!(
        c.keys().of_kind(KeyKind::KAkma)[0].key.as_slice(),
        net.k_akma
    );
}

#[test]
fn akma_context_off_without_the_profile_section() {
    let mut p = profile();
    p.akma = None;
    let mut c = fresh(&p);
    let net = Net::set1();
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), "9864");
    // …and no AKMA API applet.
    assert_eq!(tx(&mut c, &select_api(0)), "6A82");
    let mut p = profile();
    p.akma.as_mut().unwrap().context = false;
    let mut c = fresh(&p);
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), "9864");
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
}

// ---------------------------------------------------------------------------------------------
// The AKMA API applet.

#[test]
fn select_on_every_channel_and_get_info() {
    let mut c = fresh(&profile());
    // EF.DIR lists it (record 4 of the default card, after USIM, ISIM and the GBA_U API).
    assert_eq!(tx(&mut c, "00A4000C022F00"), "9000");
    assert_eq!(
        tx(&mut c, "00B2040426"),
        format!(
            "61194F0D{}5008414B4D412D415049{}9000",
            up(&AID),
            "FF".repeat(0x26 - 27)
        )
    );
    assert_eq!(
        tx(&mut c, &format!("00A404040D{}00", up(&AID))),
        format!("620F840D{}9000", up(&AID))
    );
    let info = "C0020001C1020111C202FFE89000";
    assert_eq!(up(&c.transmit_bytes(&apdu(0, "GET INFO", &[]))), info);
    for ch in 1..20u8 {
        assert_eq!(tx(&mut c, "0070000001"), format!("{ch:02X}9000"));
        let cla = if ch < 4 { ch } else { 0x40 | (ch - 4) };
        // Right-truncated AID (the first 11 bytes).
        assert_eq!(
            tx(&mut c, &format!("{cla:02X}A4040C0B{}", up(&AID[..11]))),
            "9000"
        );
        assert_eq!(up(&c.transmit_bytes(&apdu(ch, "GET INFO", &[]))), info);
    }
}

#[test]
fn derive_k_af_returns_the_a_kid_never_the_key() {
    let p = profile();
    let mut c = fresh(&p);
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    // No AKMA authentication yet: no K_AKMA.
    assert_eq!(sw(&mut c, &derive("bike.example.org", END)), "6A88");
    assert_eq!(up(&c.transmit_bytes(&apdu(0, "LIST KEYS", &[]))), "9000");
    let (mut c, net) = ready(&p, &["bike.example.org", "shop.example.org"]);
    for af in ["bike.example.org", "shop.example.org"] {
        let e = c.keys().get(KeyKind::KAf, &af_id(af)).unwrap().clone();
        assert_eq!(
            e.key.as_slice(),
            net.k_af(af),
            "K_AF = KDF(K_AKMA, 0x82, AF_ID)"
        );
        assert_eq!(e.reference, net.a_kid.as_bytes());
        assert_eq!(e.expires, Some(END));
    }
    // Key separation: different AFs, different keys.
    assert_ne!(net.k_af("bike.example.org"), net.k_af("shop.example.org"));
    // Deriving again replaces (new expiry); an expiry not in the future is 6A80.
    ok(&mut c, &derive("bike.example.org", END + 60));
    assert_eq!(
        c.keys()
            .get(KeyKind::KAf, &af_id("bike.example.org"))
            .unwrap()
            .expires,
        Some(END + 60)
    );
    assert_eq!(sw(&mut c, &derive("bike.example.org", NOW)), "6A80");
    // LIST KEYS: K_AKMA (kind 04), then the K_AFs, most recent first, with ops.
    let list = ok(&mut c, &apdu(0, "LIST KEYS", &[]));
    assert_eq!(
        list[0],
        Tlv::constructed(
            0xE1u32,
            &[t(0x82, &[4]), t(0x81, net.a_kid.as_bytes()), t(0x87, &[3]),]
        )
    );
    let want = |af: &str, exp: u64, ops: u8| {
        Tlv::constructed(
            0xE1u32,
            &[
                t(0x82, &[5]),
                key(af),
                t(0x81, net.a_kid.as_bytes()),
                t(0x86, &exp.to_be_bytes()),
                t(0x87, &[0]),
                t(0x88, &[ops]),
            ],
        )
    };
    assert_eq!(list[1], want("bike.example.org", END + 60, 0x0F));
    assert_eq!(list[2], want("shop.example.org", END, 0x1F));
    assert_eq!(list.len(), 3);
}

#[test]
fn k_af_expiry_is_capped_by_k_akma() {
    let mut p = profile();
    p.akma.as_mut().unwrap().k_akma_lifetime = Some(600);
    let (mut c, net) = ready(&p, &[]);
    let r = ok(&mut c, &derive("bike.example.org", END));
    assert_eq!(val(&r, 0x86), (NOW + 600).to_be_bytes());
    assert_eq!(val(&r, 0x81), net.a_kid.as_bytes());
    // After K_AKMA's lifetime: no new K_AF (6984), and the old one has expired too.
    c.set_time(Some(NOW + 600));
    assert_eq!(sw(&mut c, &derive("bike.example.org", END)), "6984");
    let mac = apdu(
        0,
        "MAC COMPUTE",
        &[key("bike.example.org"), t(0x90, &[1]), t(0x92, b"x")],
    );
    assert_eq!(sw(&mut c, &mac), "6984");
}

#[test]
fn operations_over_k_af_agree_with_the_af() {
    let (mut c, net) = ready(&profile(), &["bike.example.org"]);
    let k = net.k_af("bike.example.org");
    let bike = || key("bike.example.org");
    // MAC compute (full and truncated) and verify.
    let r = ok(
        &mut c,
        &apdu(
            0,
            "MAC COMPUTE",
            &[
                bike(),
                t(0x90, &[1]),
                t(0x91, b"unlock"),
                t(0x92, b"bike 42"),
            ],
        ),
    );
    assert_eq!(val(&r, 0x93), mac_of(&k, b"unlock", b"bike 42"));
    let r = ok(
        &mut c,
        &apdu(
            0,
            "MAC COMPUTE",
            &[bike(), t(0x90, &[1]), t(0x92, b"bike 42"), t(0x9A, &[16])],
        ),
    );
    assert_eq!(val(&r, 0x93), mac_of(&k, b"", b"bike 42")[..16]);
    let verify = |tag: &[u8]| {
        apdu(
            0,
            "MAC VERIFY",
            &[bike(), t(0x90, &[1]), t(0x92, b"bike 42"), t(0x93, tag)],
        )
    };
    let good = mac_of(&k, b"", b"bike 42");
    assert_eq!(sw(&mut c, &verify(&good)), "9000");
    assert_eq!(sw(&mut c, &verify(&good[..20])), "9000");
    let mut bad = good;
    bad[31] ^= 0x80;
    assert_eq!(sw(&mut c, &verify(&bad)), "9862");
    // ENCRYPT: the AF opens it; DECRYPT of the AF's ciphertext; a tampered one is 9862.
    let r = ok(
        &mut c,
        &apdu(
            0,
            "ENCRYPT",
            &[
                bike(),
                t(0x90, &[0x11]),
                t(0x95, b"hdr"),
                t(0x92, b"ride receipt"),
            ],
        ),
    );
    let (iv, ct, tag) = (val(&r, 0x94), val(&r, 0x92), val(&r, 0x93));
    assert_eq!(
        seal(&k, ("enc", "int"), b"", &iv, b"hdr", b"ride receipt"),
        (ct, tag)
    );
    let iv2 = [7u8; 16];
    let (ct, tag) = seal(&k, ("enc", "int"), b"p", &iv2, b"", b"unlock token");
    let dec = |ct: &[u8], tag: &[u8]| {
        apdu(
            0,
            "DECRYPT",
            &[
                bike(),
                t(0x90, &[0x11]),
                t(0x91, b"p"),
                t(0x94, &iv2),
                t(0x92, ct),
                t(0x93, tag),
            ],
        )
    };
    assert_eq!(val(&ok(&mut c, &dec(&ct, &tag)), 0x92), b"unlock token");
    let mut ct2 = ct.clone();
    ct2[0] ^= 1;
    assert_eq!(sw(&mut c, &dec(&ct2, &tag)), "9862");
    // Mutual authentication: card proof; card challenge, server proof once, then 6900.
    let rs = [0x5Au8; 16];
    let r = ok(
        &mut c,
        &apdu(
            0,
            "AUTHENTICATE (card proof)",
            &[bike(), t(0x90, &[1]), t(0x96, &rs)],
        ),
    );
    assert_eq!(
        val(&r, 0x97),
        hmac(&api_key(&k, "auth-card", 1, b""), &[&rs])
    );
    let rc = val(
        &ok(&mut c, &apdu(0, "AUTHENTICATE (card challenge)", &[bike()])),
        0x96,
    );
    let proof = hmac(&api_key(&k, "auth-server", 1, b""), &[&rc]);
    let prove = apdu(
        0,
        "AUTHENTICATE (server proof)",
        &[bike(), t(0x90, &[1]), t(0x97, &proof)],
    );
    assert_eq!(sw(&mut c, &prove), "9000");
    assert_eq!(sw(&mut c, &prove), "6900");
    // A reflected card proof is not a server proof.
    let rc = val(
        &ok(&mut c, &apdu(0, "AUTHENTICATE (card challenge)", &[bike()])),
        0x96,
    );
    let reflected = hmac(&api_key(&k, "auth-card", 1, b""), &[&rc]);
    let prove = apdu(
        0,
        "AUTHENTICATE (server proof)",
        &[bike(), t(0x90, &[1]), t(0x97, &reflected)],
    );
    assert_eq!(sw(&mut c, &prove), "9862");
    // A challenge times out after 300 s of card time.
    ok(&mut c, &apdu(0, "AUTHENTICATE (card challenge)", &[bike()]));
    c.set_time(Some(NOW + 300));
    assert_eq!(sw(&mut c, &prove), "6900");
}

#[test]
fn app_key_delivered_under_k_af() {
    let (mut c, net) = ready(&profile(), &["bike.example.org", "shop.example.org"]);
    let k = net.k_af("bike.example.org");
    let app_key = b"AppKey-bike-0042".to_vec();
    let iv = [0xA1u8; 16];
    let (ct, tag) = seal(
        &k,
        ("wrap-enc", "wrap-int"),
        b"bike-0042",
        &iv,
        b"",
        &app_key,
    );
    let store = |af: &str, nm: &str, ct: &[u8], tag: &[u8]| {
        apdu(
            0,
            "STORE KEY",
            &[
                key(af),
                name(nm),
                t(0x90, &[0x11]),
                t(0x94, &iv),
                t(0x92, ct),
                t(0x93, tag),
            ],
        )
    };
    let before = c.image();
    // Tampered, another name, another AF's K_AF: refused, nothing stored.
    let mut bad = tag.clone();
    bad[0] ^= 1;
    assert_eq!(
        sw(&mut c, &store("bike.example.org", "bike-0042", &ct, &bad)),
        "9862"
    );
    assert_eq!(
        sw(&mut c, &store("bike.example.org", "bike-0043", &ct, &tag)),
        "9862"
    );
    assert_eq!(
        sw(&mut c, &store("shop.example.org", "bike-0042", &ct, &tag)),
        "9862"
    );
    assert_eq!(c.image(), before);
    assert_eq!(
        sw(&mut c, &store("bike.example.org", "bike-0042", &ct, &tag)),
        "9000"
    );
    let e = c
        .keys()
        .of_kind(KeyKind::AkmaStored)
        .first()
        .map(|e| (*e).clone())
        .unwrap();
    assert_eq!(e.key.as_slice(), app_key);
    assert_eq!(e.expires, Some(END));
    // Not reachable through the GBA_U API (its own key kind).
    assert!(c.keys().of_kind(KeyKind::Stored).is_empty());
    // The wrap keys never decrypt: the wrapped blob is no ciphertext for DECRYPT.
    let dec = apdu(
        0,
        "DECRYPT",
        &[
            key("bike.example.org"),
            t(0x90, &[0x11]),
            t(0x91, b"bike-0042"),
            t(0x94, &iv),
            t(0x92, &ct),
            t(0x93, &tag),
        ],
    );
    assert_eq!(sw(&mut c, &dec), "9862");
    // The bike's challenge, answered with the AppKey.
    let rs = b"BIKE-LOCK-NONCE-".to_vec();
    let r = ok(
        &mut c,
        &apdu(
            0,
            "AUTHENTICATE (card proof)",
            &[
                key("bike.example.org"),
                name("bike-0042"),
                t(0x90, &[1]),
                t(0x91, b"unlock"),
                t(0x96, &rs),
            ],
        ),
    );
    assert_eq!(
        val(&r, 0x97),
        hmac(&api_key(&app_key, "auth-card", 1, b"unlock"), &[&rs])
    );
    // Listed (kind 02) without its bytes; deleted; gone.
    let list = ok(&mut c, &apdu(0, "LIST KEYS", &[]));
    assert_eq!(
        list.last().unwrap(),
        &Tlv::constructed(
            0xE1u32,
            &[
                t(0x82, &[2]),
                key("bike.example.org"),
                name("bike-0042"),
                t(0x81, net.a_kid.as_bytes()),
                t(0x86, &END.to_be_bytes()),
                t(0x87, &[0]),
                t(0x88, &[0x0F]),
            ]
        )
    );
    let del = apdu(
        0,
        "DELETE KEY",
        &[key("bike.example.org"), name("bike-0042")],
    );
    assert_eq!(sw(&mut c, &del), "9000");
    assert_eq!(sw(&mut c, &del), "6A88");
    // Deleting a K_AF takes its stored secrets along.
    assert_eq!(
        sw(&mut c, &store("bike.example.org", "bike-0042", &ct, &tag)),
        "9000"
    );
    assert_eq!(
        sw(&mut c, &apdu(0, "DELETE KEY", &[key("bike.example.org")])),
        "9000"
    );
    assert!(c.keys().of_kind(KeyKind::AkmaStored).is_empty());
    assert!(c
        .keys()
        .get(KeyKind::KAf, &af_id("bike.example.org"))
        .is_none());
}

#[test]
fn lifetimes_on_the_card_clock() {
    let (mut c, net) = ready(&profile(), &["bike.example.org"]);
    let k = net.k_af("bike.example.org");
    let app = b"secret".to_vec();
    let iv = [1u8; 16];
    let (ct, tag) = seal(&k, ("wrap-enc", "wrap-int"), b"s", &iv, b"", &app);
    ok(
        &mut c,
        &apdu(
            0,
            "STORE KEY",
            &[
                key("bike.example.org"),
                name("s"),
                t(0x90, &[0x11]),
                t(0x94, &iv),
                t(0x92, &ct),
                t(0x93, &tag),
            ],
        ),
    );
    let mac = |extra: Vec<Tlv>| {
        let mut dos = vec![key("bike.example.org")];
        dos.extend(extra);
        dos.extend([t(0x90, &[1]), t(0x92, b"m")]);
        apdu(0, "MAC COMPUTE", &dos)
    };
    c.set_time(Some(END - 1));
    assert_eq!(sw(&mut c, &mac(vec![])), "9000");
    assert_eq!(sw(&mut c, &mac(vec![name("s")])), "9000");
    c.set_time(Some(END));
    let before = c.image();
    assert_eq!(sw(&mut c, &mac(vec![])), "6984");
    assert_eq!(sw(&mut c, &mac(vec![name("s")])), "6984");
    assert_eq!(
        sw(
            &mut c,
            &apdu(
                0,
                "AUTHENTICATE (card challenge)",
                &[key("bike.example.org")]
            )
        ),
        "6984"
    );
    assert_eq!(c.image(), before);
    // Listed as expired; still deletable.
    let list = ok(&mut c, &apdu(0, "LIST KEYS", &[]));
    assert_eq!(val(&list[1].children().unwrap(), 0x87), vec![1]);
    // A fresh DERIVE (K_AKMA has no lifetime) makes it usable again.
    ok(&mut c, &derive("bike.example.org", END + 3600));
    assert_eq!(sw(&mut c, &mac(vec![])), "9000");
    assert_eq!(
        sw(
            &mut c,
            &apdu(0, "DELETE KEY", &[key("bike.example.org"), name("s")])
        ),
        "9000"
    );
}

#[test]
fn policy_per_af() {
    let mut p = profile();
    let s = p.akma.as_mut().unwrap();
    s.policy.push(AfPolicyEntry {
        af: "Mac.Example.Org".into(),
        ops: vec!["mac".into()],
        channels: None,
        clients: Some(vec!["F0455845414D504C45".into()]),
    });
    s.default_ops = Some(vec!["mac".into(), "auth".into()]);
    let (mut c, net) = ready(&p, &[]);
    let client = t(0x4F, &unhex("F0455845414D504C45"));
    // ads.example.org: channel 2 only — DERIVE refused elsewhere, before any lookup.
    let ads = apdu(
        0,
        "DERIVE K_AF",
        &[key("ads.example.org"), t(0x86, &END.to_be_bytes())],
    );
    let before = c.image();
    assert_eq!(sw(&mut c, &ads), "6985");
    // mac.example.org: only for the announced client, MAC only.
    assert_eq!(sw(&mut c, &derive("mac.example.org", END)), "6985");
    assert_eq!(c.image(), before);
    let with_client = apdu(
        0,
        "DERIVE K_AF",
        &[
            key("mac.example.org"),
            t(0x86, &END.to_be_bytes()),
            client.clone(),
        ],
    );
    ok(&mut c, &with_client);
    let enc = apdu(
        0,
        "ENCRYPT",
        &[
            key("mac.example.org"),
            t(0x90, &[0x11]),
            t(0x92, b"x"),
            client.clone(),
        ],
    );
    assert_eq!(sw(&mut c, &enc), "6982");
    let m = apdu(
        0,
        "MAC COMPUTE",
        &[
            key("mac.example.org"),
            t(0x90, &[1]),
            t(0x92, b"x"),
            client.clone(),
        ],
    );
    let r = ok(&mut c, &m);
    assert_eq!(
        val(&r, 0x93),
        mac_of(&net.k_af("mac.example.org"), b"", b"x")
    );
    // LIST KEYS hides the client's K_AF from anyone else.
    assert_eq!(ok(&mut c, &apdu(0, "LIST KEYS", &[])).len(), 1);
    assert_eq!(ok(&mut c, &apdu(0, "LIST KEYS", &[client])).len(), 2);
    // Default ops for unlisted AFs: mac and auth, not encrypt or store.
    ok(&mut c, &derive("other.example.org", END));
    let enc = apdu(
        0,
        "ENCRYPT",
        &[key("other.example.org"), t(0x90, &[0x11]), t(0x92, b"x")],
    );
    assert_eq!(sw(&mut c, &enc), "6982");
    // On channel 2 the advertising AF works.
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, "0070000001"), "029000");
    assert_eq!(tx(&mut c, &select_api(2)), "9000");
    let ads2 = apdu(
        2,
        "DERIVE K_AF",
        &[key("ads.example.org"), t(0x86, &END.to_be_bytes())],
    );
    assert_eq!(val(&ok(&mut c, &ads2), 0x81), net.a_kid.as_bytes());
    let enc = apdu(
        2,
        "ENCRYPT",
        &[key("ads.example.org"), t(0x90, &[0x11]), t(0x92, b"x")],
    );
    assert_eq!(sw(&mut c, &enc), "6982");
}

#[test]
fn capacity() {
    let mut p = profile();
    p.akma.as_mut().unwrap().max_af = Some(2);
    p.akma.as_mut().unwrap().max_stored = Some(1);
    let (mut c, net) = ready(&p, &["a.example.org", "b.example.org"]);
    assert_eq!(sw(&mut c, &derive("c.example.org", END)), "6A84");
    // Replacing one that exists is fine.
    ok(&mut c, &derive("b.example.org", END));
    let k = net.k_af("a.example.org");
    let store = |nm: &str| {
        let (ct, tag) = seal(
            &k,
            ("wrap-enc", "wrap-int"),
            nm.as_bytes(),
            &[0; 16],
            b"",
            b"v",
        );
        apdu(
            0,
            "STORE KEY",
            &[
                key("a.example.org"),
                name(nm),
                t(0x90, &[0x11]),
                t(0x94, &[0; 16]),
                t(0x92, &ct),
                t(0x93, &tag),
            ],
        )
    };
    assert_eq!(sw(&mut c, &store("one")), "9000");
    assert_eq!(sw(&mut c, &store("two")), "6A84");
    assert_eq!(sw(&mut c, &store("one")), "9000");
}

#[test]
fn bad_input_changes_nothing() {
    let (mut c, net) = ready(&profile(), &["bike.example.org"]);
    let k = net.k_af("bike.example.org");
    let rc = val(
        &ok(
            &mut c,
            &apdu(
                0,
                "AUTHENTICATE (card challenge)",
                &[key("bike.example.org")],
            ),
        ),
        0x96,
    );
    let id = up(&af_id("bike.example.org"));
    let before = c.image();
    let cases: &[(&str, &str)] = &[
        // Interindustry class, unknown INS, P1, P2.
        ("0044000000", "6E00"),
        ("0050000000", "6E00"),
        ("8052000000", "6D00"),
        ("8044020000", "6A86"),
        ("8050010000", "6A86"),
        ("8044000100", "6A86"),
        // No data, malformed TLV, unknown/repeated tag, missing DO.
        ("8050000000", "6700"),
        ("80440000 03 801000 00", "6A80"),
        ("80440000 05 A0 03 010203", "6A80"),
        ("80440000 06 8001 41 8001 41", "6A80"),
        ("80500000 03 800141 00", "6A80"),
        // Expiry of the wrong length; an e2e name (85) is no AKMA key address.
        ("80500000 08 800141 8603000000 00", "6700"),
        ("80440000 0C 800141 85017A 900101 920100 00", "6A80"),
    ];
    for (cmd, want) in cases {
        assert_eq!(tx(&mut c, cmd), *want, "{cmd}");
    }
    let cmd = |ins: &str, rest: &str| {
        let rest = rest.replace(' ', "");
        let body = format!("8015{id}{rest}");
        format!("80{ins}{:02X}{body}00", body.len() / 2)
    };
    for (ins, rest, want) in [
        ("440000", "900102 920100", "6A81"),      // HMAC-SM3: reserved
        ("440000", "900111 920100", "6A81"),      // AE algorithm in MAC
        ("460000", "900101 920100", "6A81"),      // MAC algorithm in ENCRYPT
        ("460000", "900112 920100", "6A81"),      // SM4: reserved
        ("440000", "90020101 920100", "6700"),    // two-byte algorithm
        ("440000", "900101 920100 9A010F", "6700"), // MAC length 15
        ("440000", "900101 920100 4F03010203", "6700"), // client AID too short
        ("460100", "900111 940F000102030405060708090A0B0C0D0E 920100 931000000000000000000000000000000000", "6700"), // IV 15
        ("460100", "900111 9410000102030405060708090A0B0C0D0E0F 920100 930F000000000000000000000000000000", "6700"), // tag 15
        ("480000", "900101 960700010203040506", "6700"), // RS 7 bytes
        ("480200", "900101 970100", "6700"),             // proof of 1 byte
        ("4A0000", "8400 900111 941000000000000000000000000000000000 920101 931000000000000000000000000000000000", "6700"), // empty name
        ("440000", "840178 900101 920100", "6A88"), // no stored key "x"
    ] {
        assert_eq!(tx(&mut c, &cmd(ins, rest)), want, "{ins} {rest}");
    }
    // An AF without K_AF; a tampered MAC and ciphertext.
    let other = apdu(
        0,
        "MAC COMPUTE",
        &[key("nobike.example.org"), t(0x90, &[1]), t(0x92, b"x")],
    );
    assert_eq!(sw(&mut c, &other), "6A88");
    let mut m = mac_of(&k, b"", b"x");
    m[0] ^= 1;
    let verify = apdu(
        0,
        "MAC VERIFY",
        &[
            key("bike.example.org"),
            t(0x90, &[1]),
            t(0x92, b"x"),
            t(0x93, &m),
        ],
    );
    assert_eq!(sw(&mut c, &verify), "9862");
    assert_eq!(c.image(), before, "bad input changes nothing");
    // The challenge issued before is still outstanding.
    let proof = hmac(&api_key(&k, "auth-server", 1, b""), &[&rc]);
    let prove = apdu(
        0,
        "AUTHENTICATE (server proof)",
        &[key("bike.example.org"), t(0x90, &[1]), t(0x97, &proof)],
    );
    assert_eq!(sw(&mut c, &prove), "9000");
}

#[test]
fn keys_and_generator_survive_a_restart() {
    let p = profile();
    let (mut c, net) = ready(&p, &["bike.example.org"]);
    let challenge = |c: &mut Card| {
        val(
            &ok(
                c,
                &apdu(
                    0,
                    "AUTHENTICATE (card challenge)",
                    &[key("bike.example.org")],
                ),
            ),
            0x96,
        )
    };
    let first = challenge(&mut c);
    // The same card from scratch draws the same first value (the documented examples rely on it).
    let (mut c2, _) = ready(&p, &["bike.example.org"]);
    assert_eq!(challenge(&mut c2), first);
    // Restored from its image: K_AKMA, K_AF and the generator position are kept.
    let mut saved = p.clone();
    saved.state = Some(c.image());
    let mut c3 = saved.build_card("saved").unwrap();
    c3.set_time(Some(NOW));
    assert_eq!(tx(&mut c3, &select_api(0)), "9000");
    let m = apdu(
        0,
        "MAC COMPUTE",
        &[key("bike.example.org"), t(0x90, &[1]), t(0x92, b"x")],
    );
    assert_eq!(
        val(&ok(&mut c3, &m), 0x93),
        mac_of(&net.k_af("bike.example.org"), b"", b"x")
    );
    let next = challenge(&mut c3);
    assert_ne!(next, first);
    assert_eq!(next, challenge(&mut c));
    // The saved image redacts nothing by itself, but `card show` does: no key in the redacted text.
    let text = vusim_applet::profile::redact(&saved).to_toml().unwrap();
    for secret in [&net.k_akma[..], &net.k_af("bike.example.org")] {
        assert!(!text.to_uppercase().contains(&up(secret)));
    }
}

#[test]
fn profile_errors_name_the_akma_keys() {
    let bad = |extra: &str| {
        let text = format!("{}\n{extra}", vusim_applet::profile::DEFAULT_PROFILE);
        Profile::from_toml(&text, "p.toml")
            .and_then(|p| p.build_card("p.toml").map(|_| ()))
            .expect_err("error")
            .to_string()
    };
    assert_eq!(
        bad("[[akma.policy]]\naf = \"x\"\nops = [\"e2e\"]\n"),
        "p.toml: akma.policy[2].ops: unknown operation \"e2e\" (mac, encrypt, auth or store)"
    );
    assert_eq!(
        bad("[[akma.policy]]\naf = \"x\"\nops = []\nchannels = [20]\n"),
        "p.toml: akma.policy[2].channels: channel 20 does not exist (0 to 19)"
    );
    assert!(
        bad("[[akma.policy]]\naf = \"bike.example.org\"\nops = []\n").contains("akma.policy[2].af")
    );
    let text = vusim_applet::profile::DEFAULT_PROFILE.replace("[akma]\n", "[akma]\nmax_af = 0\n");
    let e = Profile::from_toml(&text, "p.toml")
        .unwrap()
        .build_card("p.toml")
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert_eq!(e, "p.toml: akma.max_af: must be at least 1");
}

/// Over a whole session (every command, success and failure), no response carries K_AUSF,
/// K_AKMA, K_AF, an API-derived key or a stored secret — not even 8 bytes of one.
#[test]
fn no_response_leaks_key_bytes() {
    let mut p = profile();
    p.akma.as_mut().unwrap().policy.clear();
    let mut c = fresh(&p);
    let net = Net::set1();
    let mut responses: Vec<Vec<u8>> = Vec::new();
    let mut send = |c: &mut Card, a: &[u8]| {
        let r = c.transmit_bytes(a);
        responses.push(r.clone());
        r
    };
    send(&mut c, &unhex("00A4040C07A0000000871002"));
    send(&mut c, &unhex("002000010831323334FFFFFFFF"));
    let mut forged = net.autn;
    forged[3] ^= 1;
    send(&mut c, &unhex(&authenticate_apdu(&net.rand, &forged, SNN)));
    send(&mut c, &unhex(&net.authenticate()));
    send(&mut c, &unhex(&net.authenticate()));
    send(&mut c, &unhex(&select_api(0)));
    let mut needles: Vec<(String, Vec<u8>)> = vec![
        ("CK‖IK".into(), net.ck_ik.clone()),
        ("K_AUSF".into(), net.k_ausf.to_vec()),
        ("K_AKMA".into(), net.k_akma.to_vec()),
    ];
    let secret = b"AppKey never leaves".to_vec();
    for af in ["bike.example.org", "ads.example.org"] {
        send(&mut c, &derive(af, END));
        let k = net.k_af(af);
        needles.push((format!("K_AF {af}"), k.to_vec()));
        for (label, alg) in [
            ("mac", 1),
            ("enc", 0x11),
            ("int", 0x11),
            ("auth-card", 1),
            ("auth-server", 1),
            ("wrap-enc", 0x11),
            ("wrap-int", 0x11),
        ] {
            for base in [&k[..], &secret] {
                needles.push((
                    format!("{label} {af}"),
                    api_key(base, label, alg, b"").to_vec(),
                ));
            }
        }
        let (ct, tag) = seal(&k, ("wrap-enc", "wrap-int"), b"s", &[9; 16], b"", &secret);
        let kd = key(af);
        for a in [
            apdu(
                0,
                "STORE KEY",
                &[
                    kd.clone(),
                    name("s"),
                    t(0x90, &[0x11]),
                    t(0x94, &[9; 16]),
                    t(0x92, &ct),
                    t(0x93, &tag),
                ],
            ),
            apdu(0, "LIST KEYS", &[]),
            apdu(
                0,
                "MAC COMPUTE",
                &[kd.clone(), t(0x90, &[1]), t(0x92, b"m")],
            ),
            apdu(
                0,
                "MAC COMPUTE",
                &[kd.clone(), name("s"), t(0x90, &[1]), t(0x92, b"m")],
            ),
            apdu(
                0,
                "ENCRYPT",
                &[kd.clone(), t(0x90, &[0x11]), t(0x92, &[0u8; 64])],
            ),
            apdu(
                0,
                "ENCRYPT",
                &[kd.clone(), name("s"), t(0x90, &[0x11]), t(0x92, &[0u8; 64])],
            ),
            apdu(
                0,
                "AUTHENTICATE (card proof)",
                &[kd.clone(), t(0x90, &[1]), t(0x96, &[0; 16])],
            ),
            apdu(
                0,
                "AUTHENTICATE (card challenge)",
                std::slice::from_ref(&kd),
            ),
            apdu(
                0,
                "AUTHENTICATE (server proof)",
                &[kd.clone(), t(0x90, &[1]), t(0x97, &[0; 32])],
            ),
            apdu(
                0,
                "DECRYPT",
                &[
                    kd.clone(),
                    t(0x90, &[0x11]),
                    t(0x94, &[0; 16]),
                    t(0x92, &[0; 8]),
                    t(0x93, &[0; 16]),
                ],
            ),
            apdu(0, "DELETE KEY", &[kd.clone(), name("s")]),
        ] {
            send(&mut c, &a);
        }
    }
    assert!(responses.len() > 25);
    for (what, n) in &needles {
        for w in n.windows(8) {
            for r in &responses {
                assert!(
                    !r.windows(8).any(|x| x == w),
                    "a response carries 8 bytes of {what}: {}",
                    up(r)
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documentation.

fn doc_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api/akma.md")
}

/// Replays every ```apdu block of docs/api/akma.md on the embedded default card and compares
/// each response byte for byte (`VUSIM_BLESS=1` rewrites them after a deliberate change).
#[test]
fn docs_examples() {
    let text = std::fs::read_to_string(doc_path()).unwrap();
    let mut card = Profile::embedded_default().build_card("docs").unwrap();
    card.set_time(Some(NOW));
    let bless = std::env::var_os("VUSIM_BLESS").is_some();
    let mut out = String::new();
    let mut in_block = false;
    let mut count = 0;
    let mut pending: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let tl = line.trim_end();
        if tl == "```apdu" {
            in_block = true;
        } else if in_block && tl == "```" {
            in_block = false;
            assert!(pending.is_none(), "a command without a response line");
        } else if in_block {
            if let Some(cmd) = tl.strip_prefix("> ") {
                pending = Some(cmd.to_string());
            } else if let Some(resp) = tl.strip_prefix("< ") {
                let cmd = pending.take().expect("response without a command");
                let got = card.transmit_bytes(&unhex(&cmd));
                count += 1;
                if bless {
                    out.push_str(&format!("< {}\n", spaced(&got)));
                    continue;
                }
                assert_eq!(
                    up(&got),
                    resp.replace(' ', "").to_uppercase(),
                    "docs/api/akma.md: > {cmd}"
                );
            }
        }
        out.push_str(line);
    }
    assert!(count >= 20, "only {count} documented exchanges");
    if bless {
        std::fs::write(doc_path(), out).unwrap();
    }
}

/// Response bytes grouped as the docs show them: data objects, then the status word.
fn spaced(resp: &[u8]) -> String {
    let (data, sw) = resp.split_at(resp.len() - 2);
    let mut parts: Vec<String> = match Tlv::parse_all(data) {
        Ok(list) if !data.is_empty() && data[0] != 0xDB && data[0] != 0xDC => {
            list.iter().map(|d| up(&d.encode())).collect()
        }
        _ if data.is_empty() => Vec::new(),
        _ => vec![up(data)],
    };
    parts.push(up(sw));
    parts.join(" ")
}

/// The values the docs quote for the worked example are the independent ones.
#[test]
fn docs_quote_the_independent_values() {
    let text = std::fs::read_to_string(doc_path()).unwrap();
    let net = Net::set1();
    for v in [
        hex::encode(net.k_ausf),
        hex::encode(net.k_akma),
        hex::encode(net.k_af("bike.example.org")),
        hex::encode(net.a_tid),
        net.a_kid.clone(),
        up(&net.res_star),
        up(&net.k_seaf),
    ] {
        assert!(text.contains(&v), "docs/api/akma.md lacks {v}");
    }
}

#[test]
fn docs_name_every_status_word_and_command() {
    let text = std::fs::read_to_string(doc_path()).unwrap();
    for (sw, _) in STATUS_WORDS {
        assert!(
            text.contains(&format!("`{sw}`")),
            "docs lack status word {sw}"
        );
    }
    for row in COMMANDS {
        assert!(text.contains(row.name), "docs lack command {}", row.name);
        assert!(row.clause.starts_with("docs/api/akma.md §"));
        let sec = row.clause.trim_start_matches("docs/api/akma.md §");
        assert!(text.contains(&format!("### {sec} ")), "docs lack §{sec}");
    }
}
