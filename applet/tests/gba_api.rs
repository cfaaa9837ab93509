//! The experimental GBA_U API applet (docs/api/gba-api.md) through APDUs only, on the embedded
//! default card: every command, every refusal status word, lifetime expiry on the card clock,
//! the profile policy, tampering, bad input without state change, the documentation examples
//! regenerated and compared, and a leak test. Every expected value is recomputed here
//! independently (HMAC-SHA-256, AES-CTR by hand from the formulas), not with the applet's code.

#![cfg(feature = "experimental-api")]
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::apdu::{tag, Dos, AID};
use vusim_applet::card::Card;
use vusim_applet::crypto::keys::{Key128, Opc};
use vusim_applet::crypto::milenage::Milenage;
use vusim_applet::profile::Profile;

// ---------------------------------------------------------------------------------------------
// Independent computations (the formulas of docs/api/gba-api.md §5).

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

fn e2e_key(ks_naf: &[u8], ka: &[u8]) -> [u8; 32] {
    kdf(ks_naf, &[0xFF, 0xE4], &[ka])
}

// ---------------------------------------------------------------------------------------------
// The card and the GBA_U bootstrap through the USIM.

const IMPI: &str = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
const UA: [u8; 5] = [0x01, 0x00, 0x00, 0x00, 0x02];
/// Card clock of the tests: 2029-12-31T23:00:00Z.
const NOW: u64 = 1_893_452_400;
/// The Ks lifetime written to EF_GBABP: one hour after [`NOW`].
const LIFETIME: &str = "2030-01-01T00:00:00Z";
const END: u64 = 1_893_456_000;
const CLIENT: &str = "F0455845414D504C45";

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

fn naf_id(fqdn: &str) -> Vec<u8> {
    [fqdn.as_bytes(), &UA].concat()
}

/// Everything the network side knows after one bootstrap.
struct Net {
    rand: Vec<u8>,
    ks: Vec<u8>,
    b_tid: String,
}

impl Net {
    fn new() -> Net {
        let v = set1();
        Net {
            rand: h(&v, "rand"),
            ks: [h(&v, "f3"), h(&v, "f4")].concat(),
            b_tid: "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.mnc001.mcc001.pub.3gppnetwork.org".into(),
        }
    }

    fn naf_key(&self, label: &str, fqdn: &str) -> Vec<u8> {
        kdf(
            &self.ks,
            &[0x01],
            &[label.as_bytes(), &self.rand, IMPI.as_bytes(), &naf_id(fqdn)],
        )
        .to_vec()
    }

    fn int(&self, fqdn: &str) -> Vec<u8> {
        self.naf_key("gba-u", fqdn)
    }
}

/// The bootstrap commands: SELECT USIM, VERIFY PIN1, AUTHENTICATE (GBA bootstrapping) with a
/// fresh SQN (SEQ 1, IND 1) for test set 1's RAND, the ME writing B-TID and lifetime.
fn bootstrap_apdus(lifetime: Option<&str>) -> Vec<(String, String)> {
    let v = set1();
    let rand: [u8; 16] = h(&v, "rand").try_into().unwrap();
    let m = Milenage::new(
        &Key128::from_slice(&h(&v, "k")).unwrap(),
        &Opc::from_slice(&h(&v, "opc")).unwrap(),
    );
    let sqn = [0, 0, 0, 0, 0, 0x21];
    let amf = [0xB9, 0xB9];
    let mac = m.f1(&rand, &sqn, &amf);
    let ak = h(&v, "f5");
    let mut autn: Vec<u8> = sqn.iter().zip(&ak).map(|(a, b)| a ^ b).collect();
    autn.extend_from_slice(&amf);
    let mask = Sha1::digest(h(&v, "f4"));
    autn.extend(mac.iter().zip(mask.iter()).map(|(a, b)| a ^ b));
    let net = Net::new();
    let mut bp = vec![0x10];
    bp.extend(&rand);
    bp.push(net.b_tid.len() as u8);
    bp.extend(net.b_tid.as_bytes());
    if let Some(l) = lifetime {
        bp.push(l.len() as u8);
        bp.extend(l.as_bytes());
    }
    vec![
        ("00A4040C07A0000000871002".into(), "9000".into()),
        ("002000010831323334FFFFFFFF".into(), "9000".into()),
        (
            format!("0088008423DD10{}10{}00", up(&rand), up(&autn)),
            format!("DB08{}9000", up(&h(&v, "f2"))),
        ),
        ("00A4000C026FD6".into(), "9000".into()),
        (
            format!("00D60000{:02X}{}", bp.len(), up(&bp)),
            "9000".into(),
        ),
    ]
}

fn naf_apdu(fqdn: &str) -> String {
    let id = naf_id(fqdn);
    let mut d = vec![0xDE, id.len() as u8];
    d.extend(&id);
    d.push(IMPI.len() as u8);
    d.extend(IMPI.as_bytes());
    format!("00880084{:02X}{}00", d.len(), up(&d))
}

fn profile() -> Profile {
    Profile::embedded_default()
}

fn fresh(p: &Profile) -> Card {
    let mut c = p.build_card("test").unwrap();
    c.set_time(Some(NOW));
    c
}

/// A card with Ks and Ks_int_NAF for the given NAFs, the API selected on channel 0.
fn ready(p: &Profile, nafs: &[&str], lifetime: Option<&str>) -> (Card, Net) {
    let mut c = fresh(p);
    for (cmd, want) in bootstrap_apdus(lifetime) {
        assert_eq!(tx(&mut c, &cmd), want, "{cmd}");
    }
    let net = Net::new();
    for n in nafs {
        assert_eq!(
            tx(&mut c, &naf_apdu(n)),
            format!("DB20{}9000", up(&net.naf_key("gba-me", n)))
        );
    }
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    (c, net)
}

fn select_api(channel: u8) -> String {
    let cla = if channel < 4 {
        channel
    } else {
        0x40 | (channel - 4)
    };
    format!("{cla:02X}A4040C0C{}", up(&AID))
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

fn key(fqdn: &str) -> Dos {
    Dos::key(&naf_id(fqdn))
}

// ---------------------------------------------------------------------------------------------

#[test]
fn select_on_every_channel_and_get_info() {
    let mut c = fresh(&profile());
    // Full AID, with FCP: 62 84 AID.
    assert_eq!(
        tx(&mut c, &format!("00A404040C{}00", up(&AID))),
        format!("620E840C{}9000", up(&AID))
    );
    let info = "C0020001C1020111C202FFE89000";
    assert_eq!(
        up(&c.transmit_bytes(&Dos::none().apdu(0, "GET INFO"))),
        info
    );
    // Right-truncated (the first 10 bytes), on channels 1–19.
    for ch in 1..20u8 {
        assert_eq!(tx(&mut c, "0070000001"), format!("{ch:02X}9000"));
        let cla = if ch < 4 { ch } else { 0x40 | (ch - 4) };
        assert_eq!(
            tx(&mut c, &format!("{cla:02X}A4040C0A{}", up(&AID[..10]))),
            "9000"
        );
        assert_eq!(
            up(&c.transmit_bytes(&Dos::none().apdu(ch, "GET INFO"))),
            info
        );
    }
}

#[test]
fn list_keys_shows_ids_never_keys() {
    let p = profile();
    let mut c = fresh(&p);
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    assert_eq!(
        up(&c.transmit_bytes(&Dos::none().apdu(0, "LIST KEYS"))),
        "9000"
    );
    let (mut c, net) = ready(&p, &["lock.example.org", "naf.example.org"], Some(LIFETIME));
    let list = ok(&mut c, &Dos::none().apdu(0, "LIST KEYS"));
    assert_eq!(list.len(), 2);
    let entries: Vec<Vec<Tlv>> = list.iter().map(|e| e.children().unwrap()).collect();
    // Most recently derived first.
    let want = |fqdn: &str, ops: u8| {
        Tlv::constructed(
            0xE1u32,
            &[
                Tlv::new(0x82u32, vec![1]),
                Tlv::new(0x80u32, naf_id(fqdn)),
                Tlv::new(0x81u32, net.b_tid.as_bytes().to_vec()),
                Tlv::new(0x86u32, END.to_be_bytes().to_vec()),
                Tlv::new(0x87u32, vec![0]),
                Tlv::new(0x88u32, vec![ops]),
            ],
        )
    };
    assert_eq!(list[0], want("naf.example.org", 0x1F));
    assert_eq!(list[1], want("lock.example.org", 0x0D));
    assert_eq!(entries[0].len(), 6);
    // Expired keys are still listed, as expired.
    c.set_time(Some(END));
    let list = ok(&mut c, &Dos::none().apdu(0, "LIST KEYS"));
    assert_eq!(val(&list[0].children().unwrap(), 0x87), vec![1]);
}

#[test]
fn mac_compute_and_verify() {
    let (mut c, net) = ready(&profile(), &["lock.example.org"], Some(LIFETIME));
    let k = net.int("lock.example.org");
    let msg = b"unlock door 1";
    let cmd = |p1: &str, extra: Dos| extra.apdu(0, p1);
    let full = ok(
        &mut c,
        &cmd(
            "MAC COMPUTE",
            key("lock.example.org")
                .with(0x90, &[1])
                .with(0x91, b"unlock")
                .with(0x92, msg),
        ),
    );
    assert_eq!(val(&full, 0x93), mac_of(&k, b"unlock", msg).to_vec());
    // No purpose = empty purpose; another purpose, another key.
    let none = ok(
        &mut c,
        &cmd(
            "MAC COMPUTE",
            key("lock.example.org").with(0x90, &[1]).with(0x92, msg),
        ),
    );
    assert_eq!(val(&none, 0x93), mac_of(&k, b"", msg).to_vec());
    assert_ne!(val(&none, 0x93), val(&full, 0x93));
    // Truncated to 16 bytes on request.
    let short = ok(
        &mut c,
        &cmd(
            "MAC COMPUTE",
            key("lock.example.org")
                .with(0x90, &[1])
                .with(0x91, b"unlock")
                .with(0x92, msg)
                .with(0x9A, &[16]),
        ),
    );
    assert_eq!(val(&short, 0x93), mac_of(&k, b"unlock", msg)[..16].to_vec());
    // Verify: the NAF's tag (full or truncated) passes, a tampered one or message fails.
    let verify = |m: &[u8], t: &[u8]| {
        key("lock.example.org")
            .with(0x90, &[1])
            .with(0x91, b"unlock")
            .with(0x92, m)
            .with(0x93, t)
            .apdu(0, "MAC VERIFY")
    };
    let t = mac_of(&k, b"unlock", msg);
    assert_eq!(sw(&mut c, &verify(msg, &t)), "9000");
    assert_eq!(up(&c.transmit_bytes(&verify(msg, &t))), "9000");
    assert_eq!(sw(&mut c, &verify(msg, &t[..16])), "9000");
    let mut bad = t;
    bad[31] ^= 1;
    assert_eq!(sw(&mut c, &verify(msg, &bad)), "9862");
    assert_eq!(sw(&mut c, &verify(b"unlock door 2", &t)), "9862");
    assert_eq!(sw(&mut c, &verify(msg, &t[..15])), "6700");
    // Algorithm identifiers: 02 (HMAC-SM3) reserved, 11 is not a MAC, 7F unknown.
    for alg in [0x02, 0x11, 0x7F] {
        assert_eq!(
            sw(
                &mut c,
                &cmd(
                    "MAC COMPUTE",
                    key("lock.example.org").with(0x90, &[alg]).with(0x92, msg)
                )
            ),
            "6A81"
        );
    }
    for len in [15u8, 33, 0] {
        assert_eq!(
            sw(
                &mut c,
                &cmd(
                    "MAC COMPUTE",
                    key("lock.example.org")
                        .with(0x90, &[1])
                        .with(0x92, msg)
                        .with(0x9A, &[len])
                )
            ),
            "6700"
        );
    }
}

#[test]
fn encrypt_and_decrypt() {
    let (mut c, net) = ready(&profile(), &["v2x.example.org"], Some(LIFETIME));
    let k = net.int("v2x.example.org");
    // The V2X NAF's keys are allowed on channels 1–3 only.
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_api(1)), "9000");
    let base = || {
        key("v2x.example.org")
            .with(0x90, &[0x11])
            .with(0x91, b"enrol")
    };
    // Card encrypts, the NAF decrypts.
    let pt = b"certificate signing request";
    let out = ok(
        &mut c,
        &base().with(0x92, pt).with(0x95, b"hdr").apdu(1, "ENCRYPT"),
    );
    let (iv, ct, t) = (val(&out, 0x94), val(&out, 0x92), val(&out, 0x93));
    assert_eq!((iv.len(), ct.len(), t.len()), (16, pt.len(), 16));
    assert_eq!(
        seal(&k, ("enc", "int"), b"enrol", &iv, b"hdr", pt),
        (ct.clone(), t.clone())
    );
    // Two encryptions use different IVs.
    let again = ok(
        &mut c,
        &base().with(0x92, pt).with(0x95, b"hdr").apdu(1, "ENCRYPT"),
    );
    assert_ne!(val(&again, 0x94), iv);
    // The NAF encrypts, the card decrypts.
    let iv2 = [0x42u8; 16];
    let (ct2, t2) = seal(&k, ("enc", "int"), b"enrol", &iv2, b"", b"enrolment secret");
    let dec = |iv: &[u8], ct: &[u8], t: &[u8], aad: Option<&[u8]>| {
        base()
            .with(0x94, iv)
            .with(0x92, ct)
            .with(0x93, t)
            .with_opt(0x95, aad)
            .apdu(1, "DECRYPT")
    };
    assert_eq!(
        val(&ok(&mut c, &dec(&iv2, &ct2, &t2, None)), 0x92),
        b"enrolment secret".to_vec()
    );
    // Tampering anywhere: 9862, no plaintext.
    let flip = |v: &[u8], i: usize| {
        let mut v = v.to_vec();
        v[i] ^= 0x80;
        v
    };
    for cmd in [
        dec(&flip(&iv2, 0), &ct2, &t2, None),
        dec(&iv2, &flip(&ct2, 3), &t2, None),
        dec(&iv2, &ct2, &flip(&t2, 15), None),
        dec(&iv2, &ct2, &t2, Some(b"x")),
        dec(&iv, &ct, &t, None),
    ] {
        assert_eq!(up(&c.transmit_bytes(&cmd)), "9862");
    }
    // The genuine message still decrypts (nothing changed), the card's own with its AAD too.
    assert_eq!(sw(&mut c, &dec(&iv2, &ct2, &t2, None)), "9000");
    assert_eq!(
        val(&ok(&mut c, &dec(&iv, &ct, &t, Some(b"hdr"))), 0x92),
        pt.to_vec()
    );
    // Wrong lengths and algorithms.
    assert_eq!(sw(&mut c, &dec(&iv2[..15], &ct2, &t2, None)), "6700");
    assert_eq!(sw(&mut c, &dec(&iv2, &ct2, &t2[..15], None)), "6700");
    assert_eq!(
        sw(
            &mut c,
            &key("v2x.example.org")
                .with(0x90, &[0x12])
                .with(0x92, pt)
                .apdu(1, "ENCRYPT")
        ),
        "6A81"
    );
    assert_eq!(
        sw(
            &mut c,
            &key("v2x.example.org")
                .with(0x90, &[0x01])
                .with(0x92, pt)
                .apdu(1, "ENCRYPT")
        ),
        "6A81"
    );
}

#[test]
fn mutual_authentication() {
    let (mut c, net) = ready(
        &profile(),
        &["lock.example.org", "naf.example.org"],
        Some(LIFETIME),
    );
    let k = net.int("lock.example.org");
    let auth = || key("lock.example.org").with(0x90, &[1]).with(0x91, b"door");
    // The card proves possession on the server's challenge.
    let rs = [0x5Au8; 16];
    let proof = ok(
        &mut c,
        &auth().with(0x96, &rs).apdu(0, "AUTHENTICATE (card proof)"),
    );
    assert_eq!(
        val(&proof, 0x97),
        hmac(&api_key(&k, "auth-card", 1, b"door"), &[&rs]).to_vec()
    );
    assert_eq!(
        sw(
            &mut c,
            &auth()
                .with(0x96, &[0; 7])
                .apdu(0, "AUTHENTICATE (card proof)")
        ),
        "6700"
    );
    // The server proves on the card's challenge; the challenge is consumed on use.
    let challenge = |c: &mut Card, ch: u8| {
        val(
            &ok(
                c,
                &key("lock.example.org").apdu(ch, "AUTHENTICATE (card challenge)"),
            ),
            0x96,
        )
    };
    let server = |rc: &[u8]| hmac(&api_key(&k, "auth-server", 1, b"door"), &[rc]);
    let prove = |p: &[u8], ch: u8| auth().with(0x97, p).apdu(ch, "AUTHENTICATE (server proof)");
    let rc = challenge(&mut c, 0);
    assert_eq!(rc.len(), 16);
    assert_eq!(sw(&mut c, &prove(&server(&rc), 0)), "9000");
    assert_eq!(sw(&mut c, &prove(&server(&rc), 0)), "6900");
    // The card's own proof (reflected) is not a server proof; a wrong proof consumes the challenge.
    let rc = challenge(&mut c, 0);
    let reflected = hmac(&api_key(&k, "auth-card", 1, b"door"), &[&rc]);
    assert_eq!(sw(&mut c, &prove(&reflected, 0)), "9862");
    assert_eq!(sw(&mut c, &prove(&server(&rc), 0)), "6900");
    // A new challenge replaces the old one: one outstanding challenge per channel.
    let old = challenge(&mut c, 0);
    let new = challenge(&mut c, 0);
    assert_ne!(old, new);
    assert_eq!(sw(&mut c, &prove(&server(&old), 0)), "9862");
    // Bound to its channel and its key; malformed proofs leave it outstanding.
    let rc = challenge(&mut c, 0);
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_api(1)), "9000");
    assert_eq!(sw(&mut c, &prove(&server(&rc), 1)), "6900");
    let other = Dos::key(&naf_id("naf.example.org"))
        .with(0x90, &[1])
        .with(0x91, b"door")
        .with(0x97, &server(&rc))
        .apdu(0, "AUTHENTICATE (server proof)");
    assert_eq!(sw(&mut c, &other), "6900");
    assert_eq!(sw(&mut c, &prove(&server(&rc)[..31], 0)), "6700");
    assert_eq!(sw(&mut c, &prove(&server(&rc), 0)), "9000");
    // It times out after 300 s of card time, and re-selecting the applet drops it.
    let rc = challenge(&mut c, 0);
    c.advance_time(300);
    assert_eq!(sw(&mut c, &prove(&server(&rc), 0)), "6900");
    c.set_time(Some(NOW));
    let rc = challenge(&mut c, 0);
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    assert_eq!(sw(&mut c, &prove(&server(&rc), 0)), "6900");
}

#[test]
fn secure_storage() {
    let mut p = profile();
    p.api.max_stored = Some(2);
    let (mut c, net) = ready(&p, &["lock.example.org", "naf.example.org"], Some(LIFETIME));
    let k = net.int("lock.example.org");
    let pw = b"door-password-1234";
    let iv = [7u8; 16];
    let (ct, t) = seal(&k, ("wrap-enc", "wrap-int"), b"pw", &iv, b"", pw);
    let store = |name: &[u8], iv: &[u8], ct: &[u8], t: &[u8]| {
        key("lock.example.org")
            .with(0x84, name)
            .with(0x90, &[0x11])
            .with(0x94, iv)
            .with(0x92, ct)
            .with(0x93, t)
            .apdu(0, "STORE KEY")
    };
    // Tampered blobs are refused and store nothing.
    let before = c.image();
    let mut bad = t.clone();
    bad[0] ^= 1;
    assert_eq!(sw(&mut c, &store(b"pw", &iv, &ct, &bad)), "9862");
    // The blob is bound to its name.
    assert_eq!(sw(&mut c, &store(b"pw2", &iv, &ct, &t)), "9862");
    assert_eq!(c.image(), before);
    assert_eq!(sw(&mut c, &store(b"pw", &iv, &ct, &t)), "9000");
    assert!(c.take_dirty());
    // Usable by MAC: the key is the stored secret itself.
    let stored = || key("lock.example.org").with(0x84, b"pw");
    let m = ok(
        &mut c,
        &stored()
            .with(0x90, &[1])
            .with(0x92, b"open")
            .apdu(0, "MAC COMPUTE"),
    );
    assert_eq!(val(&m, 0x93), mac_of(pw, b"", b"open").to_vec());
    // A wrapped blob never decrypts out through DECRYPT (other labels) — and the lock NAF
    // has no "encrypt" anyway; on a NAF that has, the tag does not verify.
    let k2 = net.int("naf.example.org");
    let (ct2, t2) = seal(&k2, ("wrap-enc", "wrap-int"), b"pw", &iv, b"", pw);
    let decrypt = Dos::key(&naf_id("naf.example.org"))
        .with(0x90, &[0x11])
        .with(0x91, b"pw")
        .with(0x94, &iv)
        .with(0x92, &ct2)
        .with(0x93, &t2)
        .apdu(0, "DECRYPT");
    assert_eq!(sw(&mut c, &decrypt), "9862");
    // Keys belong to their NAF: naf.example.org has no "pw".
    let cross = Dos::key(&naf_id("naf.example.org"))
        .with(0x84, b"pw")
        .with(0x90, &[1])
        .with(0x92, b"open")
        .apdu(0, "MAC COMPUTE");
    assert_eq!(sw(&mut c, &cross), "6A88");
    // Listed with the lifetime of its Ks_int_NAF.
    let list = ok(&mut c, &Dos::none().apdu(0, "LIST KEYS"));
    let entry = list
        .iter()
        .map(|e| e.children().unwrap())
        .find(|e| val(e, 0x82) == vec![2])
        .unwrap();
    assert_eq!(val(&entry, 0x84), b"pw".to_vec());
    assert_eq!(val(&entry, 0x86), END.to_be_bytes().to_vec());
    // Capacity (max_stored = 2): a third name is refused, replacing a name is not.
    let (ct3, t3) = seal(&k, ("wrap-enc", "wrap-int"), b"b", &iv, b"", b"x");
    assert_eq!(sw(&mut c, &store(b"b", &iv, &ct3, &t3)), "9000");
    let (ct4, t4) = seal(&k, ("wrap-enc", "wrap-int"), b"c", &iv, b"", b"y");
    assert_eq!(sw(&mut c, &store(b"c", &iv, &ct4, &t4)), "6A84");
    let (ct5, t5) = seal(
        &k,
        ("wrap-enc", "wrap-int"),
        b"pw",
        &iv,
        b"",
        b"new-password",
    );
    assert_eq!(sw(&mut c, &store(b"pw", &iv, &ct5, &t5)), "9000");
    let m = ok(
        &mut c,
        &stored()
            .with(0x90, &[1])
            .with(0x92, b"open")
            .apdu(0, "MAC COMPUTE"),
    );
    assert_eq!(
        val(&m, 0x93),
        mac_of(b"new-password", b"", b"open").to_vec()
    );
    // Secrets of 1..=128 bytes.
    let (big, tb) = seal(&k, ("wrap-enc", "wrap-int"), b"big", &iv, b"", &[0; 129]);
    assert_eq!(sw(&mut c, &store(b"big", &iv, &big, &tb)), "6700");
    // DELETE KEY, then it is gone.
    assert_eq!(sw(&mut c, &stored().apdu(0, "DELETE KEY")), "9000");
    assert_eq!(
        sw(
            &mut c,
            &stored()
                .with(0x90, &[1])
                .with(0x92, b"open")
                .apdu(0, "MAC COMPUTE")
        ),
        "6A88"
    );
    assert_eq!(sw(&mut c, &stored().apdu(0, "DELETE KEY")), "6A88");
    // DELETE KEY addresses stored keys and e2e_keys only.
    assert_eq!(
        sw(&mut c, &key("lock.example.org").apdu(0, "DELETE KEY")),
        "6A80"
    );
}

#[test]
fn combined_e2e_key() {
    let (mut c, net) = ready(
        &profile(),
        &["e2e.example.org", "lock.example.org"],
        Some(LIFETIME),
    );
    let k = net.int("e2e.example.org");
    let ka = unhex("000102030405060708090A0B0C0D0E0F");
    let client = unhex(CLIENT);
    let derive = |cl: Option<&[u8]>| {
        key("e2e.example.org")
            .with(0x85, b"tp")
            .with(0x99, &ka)
            .with_opt(0x4F, cl)
            .apdu(0, "DERIVE E2E KEY")
    };
    // The e2e NAF's keys serve the announced client application only.
    assert_eq!(sw(&mut c, &derive(None)), "6985");
    assert_eq!(sw(&mut c, &derive(Some(&[0xF0, 0, 0, 0, 1]))), "6985");
    assert_eq!(sw(&mut c, &derive(Some(&client))), "9000");
    let e2e = e2e_key(&k, &ka);
    let mac = |name: &[u8]| {
        key("e2e.example.org")
            .with(0x85, name)
            .with(0x90, &[1])
            .with(0x92, b"hello")
            .with(0x4F, &client)
            .apdu(0, "MAC COMPUTE")
    };
    assert_eq!(
        val(&ok(&mut c, &mac(b"tp")), 0x93),
        mac_of(&e2e, b"", b"hello").to_vec()
    );
    assert_eq!(sw(&mut c, &mac(b"nope")), "6A88");
    // Usable for AE like the others.
    let iv = [3u8; 16];
    let (ct, t) = seal(&e2e, ("enc", "int"), b"", &iv, b"", b"third party data");
    let dec = key("e2e.example.org")
        .with(0x85, b"tp")
        .with(0x90, &[0x11])
        .with(0x94, &iv)
        .with(0x92, &ct)
        .with(0x93, &t)
        .with(0x4F, &client)
        .apdu(0, "DECRYPT");
    assert_eq!(val(&ok(&mut c, &dec), 0x92), b"third party data".to_vec());
    // The lock NAF may not derive combined keys; Ka of 1..=64 bytes.
    let lock = key("lock.example.org")
        .with(0x85, b"tp")
        .with(0x99, &ka)
        .apdu(0, "DERIVE E2E KEY");
    assert_eq!(sw(&mut c, &lock), "6982");
    let long = key("e2e.example.org")
        .with(0x85, b"tp")
        .with(0x99, &[0; 65])
        .with(0x4F, &client)
        .apdu(0, "DERIVE E2E KEY");
    assert_eq!(sw(&mut c, &long), "6700");
    // Both 84 and 85: 6A80.
    let both = key("e2e.example.org")
        .with(0x84, b"a")
        .with(0x85, b"tp")
        .with(0x90, &[1])
        .with(0x92, b"x")
        .with(0x4F, &client)
        .apdu(0, "MAC COMPUTE");
    assert_eq!(sw(&mut c, &both), "6A80");
}

#[test]
fn policy_refusals() {
    let (mut c, _net) = ready(
        &profile(),
        &["lock.example.org", "v2x.example.org"],
        Some(LIFETIME),
    );
    let enc = |fqdn: &str, ch: u8| {
        key(fqdn)
            .with(0x90, &[0x11])
            .with(0x92, b"x")
            .apdu(ch, "ENCRYPT")
    };
    // Operation not in the NAF's list.
    assert_eq!(sw(&mut c, &enc("lock.example.org", 0)), "6982");
    // Channel not in the NAF's list (v2x: channels 1–3).
    assert_eq!(sw(&mut c, &enc("v2x.example.org", 0)), "6985");
    assert_eq!(tx(&mut c, "0070000001"), "019000");
    assert_eq!(tx(&mut c, &select_api(1)), "9000");
    assert_eq!(sw(&mut c, &enc("v2x.example.org", 1)), "9000");
    // A refused caller learns nothing about which keys exist: refused before the lookup…
    assert_eq!(sw(&mut c, &enc("v2x.example.org", 0).to_vec()), "6985");
    let ghost = Dos::key(&naf_id("lock.example.org"))
        .with(0x84, b"ghost")
        .with(0x90, &[0x11])
        .with(0x92, b"x")
        .apdu(0, "ENCRYPT");
    assert_eq!(sw(&mut c, &ghost), "6982");
    // … and LIST KEYS hides them.
    let on0 = ok(&mut c, &Dos::none().apdu(0, "LIST KEYS"));
    assert_eq!(on0.len(), 1);
    let on1 = ok(&mut c, &Dos::none().apdu(1, "LIST KEYS"));
    assert_eq!(on1.len(), 2);
    // Unknown NAFs follow default_ops (every op by default); an absent key is 6A88.
    assert_eq!(sw(&mut c, &enc("nobody.example.org", 0)), "6A88");
    // A profile can close the default.
    let mut p = profile();
    p.api.default_ops = Some(vec![]);
    let (mut c, _) = ready(&p, &["naf.example.org"], Some(LIFETIME));
    assert_eq!(sw(&mut c, &enc("naf.example.org", 0)), "6982");
    // Profile errors name the key.
    let mut p = profile();
    p.api.policy[0].ops.push("teleport".into());
    let e = p.build_card("p.toml").err().unwrap().to_string();
    assert_eq!(
        e,
        "p.toml: api.policy[0].ops: unknown operation \"teleport\" (mac, encrypt, auth, store or e2e)"
    );
    // `gba = false`: no applet.
    let mut p = profile();
    p.api.gba = false;
    let mut c = fresh(&p);
    assert_eq!(tx(&mut c, &select_api(0)), "6A82");
}

#[test]
fn nothing_usable_after_ks_expires() {
    let (mut c, net) = ready(&profile(), &["lock.example.org"], Some(LIFETIME));
    let k = net.int("lock.example.org");
    let iv = [9u8; 16];
    let (ct, t) = seal(&k, ("wrap-enc", "wrap-int"), b"pw", &iv, b"", b"secret");
    let store = key("lock.example.org")
        .with(0x84, b"pw")
        .with(0x90, &[0x11])
        .with(0x94, &iv)
        .with(0x92, &ct)
        .with(0x93, &t)
        .apdu(0, "STORE KEY");
    assert_eq!(sw(&mut c, &store), "9000");
    let mac = |d: Dos| d.with(0x90, &[1]).with(0x92, b"m").apdu(0, "MAC COMPUTE");
    let rc = val(
        &ok(
            &mut c,
            &key("lock.example.org").apdu(0, "AUTHENTICATE (card challenge)"),
        ),
        0x96,
    );
    // One second before the end: usable.
    c.set_time(Some(END - 1));
    assert_eq!(sw(&mut c, &mac(key("lock.example.org"))), "9000");
    assert_eq!(
        sw(&mut c, &mac(key("lock.example.org").with(0x84, b"pw"))),
        "9000"
    );
    // From the end on: nothing, the stored key included (it expires with its Ks_int_NAF).
    c.advance_time(1);
    assert_eq!(sw(&mut c, &mac(key("lock.example.org"))), "6984");
    assert_eq!(
        sw(&mut c, &mac(key("lock.example.org").with(0x84, b"pw"))),
        "6984"
    );
    assert_eq!(sw(&mut c, &store), "6984");
    let proof = hmac(&api_key(&k, "auth-server", 1, b""), &[&rc]);
    let prove = key("lock.example.org")
        .with(0x90, &[1])
        .with(0x97, &proof)
        .apdu(0, "AUTHENTICATE (server proof)");
    assert_eq!(sw(&mut c, &prove), "6984");
    assert_eq!(
        sw(
            &mut c,
            &key("lock.example.org").apdu(0, "AUTHENTICATE (card challenge)")
        ),
        "6984"
    );
    // A Ks_int_NAF derived before the ME wrote a lifetime is not usable either.
    let (mut c, _) = ready(&profile(), &["lock.example.org"], None);
    assert_eq!(sw(&mut c, &mac(key("lock.example.org"))), "6984");
    let list = ok(&mut c, &Dos::none().apdu(0, "LIST KEYS"));
    let e = list[0].children().unwrap();
    assert_eq!(val(&e, 0x87), vec![2]);
    assert!(Tlv::find(&e, 0x86u32).is_none());
}

#[test]
fn bad_input_changes_nothing() {
    let (mut c, net) = ready(&profile(), &["lock.example.org"], Some(LIFETIME));
    let k = net.int("lock.example.org");
    let rc = val(
        &ok(
            &mut c,
            &key("lock.example.org").apdu(0, "AUTHENTICATE (card challenge)"),
        ),
        0x96,
    );
    let nid = up(&naf_id("lock.example.org"));
    let before = c.image();
    let cases: &[(&str, &str)] = &[
        // Interindustry class with an API INS; unknown INS; P1, P2.
        ("0044000000", "6E00"),
        ("8050000000", "6D00"),
        ("8044020000", "6A86"),
        ("8044000100", "6A86"),
        ("8040000100", "6A86"),
        // No data where data is needed.
        ("8044000000", "6700"),
        ("804A0000", "6700"),
        // Malformed TLV, truncated value, unknown tag, repeated tag, missing DO.
        ("80440000 03 801000 00", "6A80"),
        ("80440000 02 8005", "6A80"),
        ("80440000 05 A0 03 010203", "6A80"),
        ("80440000 06 8001 41 8001 41", "6A80"),
        ("80440000 03 900101", "6A80"),
        // Empty NAF_Id, empty algorithm.
        ("80440000 08 8000 900101 920100", "6700"),
        ("80440000 09 8001 41 9000 920100", "6700"),
    ];
    for (cmd, want) in cases {
        assert_eq!(tx(&mut c, cmd), *want, "{cmd}");
    }
    let mac = |rest: &str| {
        let rest = rest.replace(' ', "");
        let body = format!("80{:02X}{nid}{rest}", nid.len() / 2);
        format!("80440000{:02X}{body}", body.len() / 2)
    };
    for (rest, want) in [
        ("900101", "6A80"),          // no message
        ("90020101 920100", "6700"), // two-byte algorithm
        ("900111 920100", "6A81"),   // AE algorithm in MAC
        ("900101 920100 9A0140", "6700"),
        ("900101 920100 4F03010203", "6700"), // client AID too short
        ("900101 920100 8400", "6700"),       // empty name
        (
            &format!("900101 920100 91{:02X}{}", 65, "00".repeat(65)),
            "6700",
        ),
        ("900101 920100 940100", "6A80"), // IV has no place in MAC
    ] {
        assert_eq!(tx(&mut c, &mac(rest)), want, "{rest}");
    }
    // The card state (key store, files, generator position) is unchanged, and the challenge
    // is still outstanding.
    assert_eq!(c.image(), before);
    let proof = hmac(&api_key(&k, "auth-server", 1, b""), &[&rc]);
    let prove = key("lock.example.org")
        .with(0x90, &[1])
        .with(0x97, &proof)
        .apdu(0, "AUTHENTICATE (server proof)");
    assert_eq!(sw(&mut c, &prove), "9000");
}

#[test]
fn seeded_generator_never_repeats_across_a_restart() {
    let p = profile();
    let (mut c, _) = ready(&p, &["lock.example.org"], Some(LIFETIME));
    let get = |c: &mut Card| {
        val(
            &ok(
                c,
                &key("lock.example.org").apdu(0, "AUTHENTICATE (card challenge)"),
            ),
            0x96,
        )
    };
    let first = get(&mut c);
    // Same card and seed from scratch: the same first challenge (reproducible examples).
    let (mut c2, _) = ready(&p, &["lock.example.org"], Some(LIFETIME));
    assert_eq!(get(&mut c2), first);
    // The card restored from its saved state continues the sequence.
    let mut saved = p.clone();
    saved.state = Some(c.image());
    let mut c3 = saved.build_card("saved").unwrap();
    c3.set_time(Some(NOW));
    assert_eq!(tx(&mut c3, &select_api(0)), "9000");
    let next = get(&mut c3);
    assert_ne!(next, first);
    assert_eq!(next, get(&mut c));
    // Without a seed the card's own generator is used.
    let mut p = profile();
    p.api.seed = None;
    let (mut a, _) = ready(&p, &["lock.example.org"], Some(LIFETIME));
    let (mut b, _) = ready(&p, &["lock.example.org"], Some(LIFETIME));
    assert_ne!(get(&mut a), get(&mut b));
}

/// Over a whole session (every command, success and failure), no response carries Ks,
/// Ks_int_NAF, an API-derived key, a stored secret or an e2e_key — not even 8 bytes of one.
#[test]
fn no_response_leaks_key_bytes() {
    let mut p = profile();
    p.api.policy.clear();
    let nafs = ["lock.example.org", "v2x.example.org", "e2e.example.org"];
    let (mut c, net) = ready(&p, &nafs, Some(LIFETIME));
    let mut responses: Vec<Vec<u8>> = Vec::new();
    let mut needles: Vec<(String, Vec<u8>)> = vec![("Ks".into(), net.ks.clone())];
    let ka = b"third-party-ka".to_vec();
    let secret = b"stored secret never leaves".to_vec();
    for n in nafs {
        let k = net.int(n);
        needles.push((format!("Ks_int_NAF {n}"), k.clone()));
        let e2e = e2e_key(&k, &ka);
        needles.push((format!("e2e_key {n}"), e2e.to_vec()));
        for base in [k.clone(), e2e.to_vec(), secret.clone()] {
            for (label, alg) in [
                ("mac", 1),
                ("enc", 0x11),
                ("int", 0x11),
                ("auth-card", 1),
                ("auth-server", 1),
                ("wrap-enc", 0x11),
                ("wrap-int", 0x11),
            ] {
                for purpose in [&b""[..], b"p"] {
                    needles.push((
                        format!("{label} {n} {}", up(purpose)),
                        api_key(&base, label, alg, purpose).to_vec(),
                    ));
                }
            }
        }
    }
    needles.push(("stored secret".into(), secret.clone()));
    // Degenerate needles would match anything: none here.
    for (name, n) in &needles {
        assert!(n.len() >= 16 && n.iter().any(|b| *b != n[0]), "{name}");
    }
    let mut used = 0;
    let mut send = |c: &mut Card, apdu: Vec<u8>| {
        let r = c.transmit_bytes(&apdu);
        responses.push(r.clone());
        r
    };
    for n in nafs {
        let k = net.int(n);
        let iv = [1u8; 16];
        let (ct, t) = seal(&k, ("wrap-enc", "wrap-int"), b"s", &iv, b"", &secret);
        let r = send(
            &mut c,
            key(n)
                .with(0x84, b"s")
                .with(0x90, &[0x11])
                .with(0x94, &iv)
                .with(0x92, &ct)
                .with(0x93, &t)
                .apdu(0, "STORE KEY"),
        );
        assert_eq!(up(&r), "9000");
        let r = send(
            &mut c,
            key(n)
                .with(0x85, b"e")
                .with(0x99, &ka)
                .apdu(0, "DERIVE E2E KEY"),
        );
        assert_eq!(up(&r), "9000");
        for sub in [None, Some((0x84u32, b"s")), Some((0x85u32, b"e"))] {
            let base = || match sub {
                None => key(n),
                Some((t, name)) => key(n).with(t, name),
            };
            for purpose in [&b""[..], b"p"] {
                let b = || base().with(0x91, purpose);
                let r = send(
                    &mut c,
                    b().with(0x90, &[1]).with(0x92, b"m").apdu(0, "MAC COMPUTE"),
                );
                // Proof that the key was really used: the tag is the one its needle gives.
                let base_key = match sub {
                    None => k.clone(),
                    Some((0x84, _)) => secret.clone(),
                    Some(_) => e2e_key(&k, &ka).to_vec(),
                };
                let mut want = vec![0x93, 0x20];
                want.extend(mac_of(&base_key, purpose, b"m"));
                want.extend([0x90, 0x00]);
                if r == want {
                    used += 1;
                }
                send(
                    &mut c,
                    b().with(0x90, &[1])
                        .with(0x92, b"m")
                        .with(0x93, &[0; 32])
                        .apdu(0, "MAC VERIFY"),
                );
                send(
                    &mut c,
                    b().with(0x90, &[0x11])
                        .with(0x92, &[0; 48])
                        .apdu(0, "ENCRYPT"),
                );
                send(
                    &mut c,
                    b().with(0x90, &[0x11])
                        .with(0x94, &[0; 16])
                        .with(0x92, &[0; 48])
                        .with(0x93, &[0; 16])
                        .apdu(0, "DECRYPT"),
                );
                send(
                    &mut c,
                    b().with(0x90, &[1])
                        .with(0x96, &[0; 16])
                        .apdu(0, "AUTHENTICATE (card proof)"),
                );
                send(&mut c, base().apdu(0, "AUTHENTICATE (card challenge)"));
                send(
                    &mut c,
                    b().with(0x90, &[1])
                        .with(0x97, &[0; 32])
                        .apdu(0, "AUTHENTICATE (server proof)"),
                );
            }
        }
    }
    send(&mut c, Dos::none().apdu(0, "LIST KEYS"));
    send(&mut c, Dos::none().apdu(0, "GET INFO"));
    // Also after expiry and through the USIM's own files.
    c.set_time(Some(END));
    send(&mut c, Dos::none().apdu(0, "LIST KEYS"));
    assert!(responses.len() > 100);
    for r in &responses {
        for (name, n) in &needles {
            for w in n.windows(8) {
                assert!(
                    !r.windows(8).any(|x| x == w),
                    "{name} appears in response {}",
                    up(r)
                );
            }
        }
    }
    assert_eq!(used, 3 * 3 * 2, "every key was used (MAC COMPUTE matched)");
}

// ---------------------------------------------------------------------------------------------
// The worked examples of docs/api/gba-api.md: every ```apdu block, in order, is one session on
// the embedded default card (its [api] seed makes the card's challenges and IVs reproducible).
// `VUSIM_BLESS=1 cargo test -p vusim-applet --test gba_api docs_examples` rewrites the responses.

fn doc_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api/gba-api.md")
}

#[test]
fn docs_examples() {
    let text = std::fs::read_to_string(doc_path()).unwrap();
    let mut card = Profile::embedded_default().build_card("docs").unwrap();
    // The documented session does not depend on the clock (lifetime 2099); fix it anyway.
    card.set_time(Some(NOW));
    let bless = std::env::var_os("VUSIM_BLESS").is_some();
    let mut out = String::new();
    let mut in_block = false;
    let mut count = 0;
    let mut pending: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if t == "```apdu" {
            in_block = true;
        } else if in_block && t == "```" {
            in_block = false;
            assert!(pending.is_none(), "a command without a response line");
        } else if in_block {
            if let Some(cmd) = t.strip_prefix("> ") {
                pending = Some(cmd.to_string());
            } else if let Some(resp) = t.strip_prefix("< ") {
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
                    "docs/api/gba-api.md: > {cmd}"
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
        Ok(list) if !data.is_empty() && data[0] != 0xDB => {
            list.iter().map(|d| up(&d.encode())).collect()
        }
        _ if data.is_empty() => Vec::new(),
        _ => vec![up(data)],
    };
    parts.push(up(sw));
    parts.join(" ")
}

/// The documentation names every status word, command (with its section) and data object.
#[test]
fn docs_name_every_status_word_and_command() {
    let text = std::fs::read_to_string(doc_path()).unwrap();
    for (sw, _) in vusim_applet::api::apdu::STATUS_WORDS {
        assert!(
            text.contains(&format!("`{sw}`")),
            "docs lack status word {sw}"
        );
    }
    for row in vusim_applet::api::apdu::COMMANDS {
        assert!(text.contains(row.name), "docs lack command {}", row.name);
        let section = row.clause.trim_start_matches("docs/api/gba-api.md §");
        assert!(
            text.contains(&format!("\n### {section} ")),
            "docs lack section {section} ({})",
            row.name
        );
    }
    // Every data object tag of the coding is in the tag table.
    for t in [
        tag::CLIENT_AID,
        tag::NAF_ID,
        tag::STORED_NAME,
        tag::E2E_NAME,
        tag::ALG,
        tag::PURPOSE,
        tag::DATA,
        tag::MAC,
        tag::IV,
        tag::AAD,
        tag::CHALLENGE,
        tag::PROOF,
        tag::KA,
        tag::MAC_LEN,
        tag::KEY_ENTRY,
    ] {
        assert!(
            text.contains(&format!("| `{t:02X}` |")),
            "docs lack tag {t:02X}"
        );
    }
}
