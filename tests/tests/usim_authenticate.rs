//! AUTHENTICATE on the USIM through APDUs only (TS 31.102 §7.1): 3G and GSM contexts against the
//! published TS 35.208 / TS 55.205 set 1, replay and MAC failures (the session is
//! `tests/scripts/usim/authenticate-set1.script`, the values set here from the vectors), GBA_U
//! bootstrapping and NAF derivation against an independent TS 33.220 computation, and state
//! surviving a restart.

#![allow(clippy::indexing_slicing)] // test helpers index known-good vector JSON and fixed-size test data

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;
use vusim_integration::api::{h, vector};
use vusim_integration::script::Session;
use vusim_integration::{exchange, send, sw, up};

/// The default profile with Δ disabled, so the published SQN is fresh.
fn profile() -> Profile {
    let mut p = Profile::embedded_default();
    p.auth.sqn.delta = 0;
    p
}

fn card(p: &Profile) -> Card {
    let mut c = p.build_card("test").expect("card");
    assert_eq!(sw(&mut c, "00 A4 04 0C 07 A0000000871002"), "9000");
    exchange(&mut c, "00 20 00 01 08 31323334FFFFFFFF", "9000");
    c
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// AUTN = SQN ⊕ AK ‖ AMF ‖ MAC from the published set-1 values.
fn set1_autn(v: &Value) -> Vec<u8> {
    [xor(&h(v, "sqn"), &h(v, "f5")), h(v, "amf"), h(v, "f1")].concat()
}

#[test]
fn three_g_and_gsm_contexts_match_the_published_vectors() {
    let v = vector("milenage.json", 0);
    let g = vector("gsm_milenage.json", 0);
    let mut c = profile().build_card("test").expect("card");
    let mut autn_bad = set1_autn(&v);
    autn_bad[15] ^= 1;
    let out = Session::new()
        .hex("rand", &h(&v, "rand"))
        .hex("autn", &set1_autn(&v))
        .hex("autn_bad", &autn_bad)
        .hex("res", &h(&v, "f2"))
        .hex("ck", &h(&v, "f3"))
        .hex("ik", &h(&v, "f4"))
        .hex("kc", &h(&g, "kc"))
        .hex("gsm_rand", &h(&g, "rand"))
        .hex("sres", &h(&g, "sres1"))
        .run_file("scripts/usim/authenticate-set1.script", &mut c);
    out.assert_passed();
    // The replay's AUTS carries SQN_MS = the SQN just accepted, concealed with AK* (f5*).
    let auts = hex::decode(out.var("auts")).expect("hex");
    assert_eq!(
        xor(&auts[..6], &h(&v, "f5star")),
        h(&v, "sqn"),
        "SQN_MS in AUTS"
    );
}

/// MAC* = MAC ⊕ first 64 bits of SHA-1(IK) (TS 33.220 §5.3.2).
fn autn_star(v: &Value) -> Vec<u8> {
    let mut a = set1_autn(v);
    let mask = Sha1::digest(h(v, "f4"));
    for (m, k) in a[8..].iter_mut().zip(mask.iter()) {
        *m ^= k;
    }
    a
}

/// TS 33.220 B.2/B.3 computed by hand: HMAC-SHA-256(CK‖IK, 01 ‖ label ‖ L ‖ RAND ‖ 0010 ‖ IMPI ‖ L ‖ NAF_Id ‖ L).
fn naf_key(v: &Value, label: &str, impi: &str, naf_id: &[u8]) -> Vec<u8> {
    let mut s = vec![0x01];
    for p in [label.as_bytes(), &h(v, "rand"), impi.as_bytes(), naf_id] {
        s.extend_from_slice(p);
        s.extend_from_slice(&(p.len() as u16).to_be_bytes());
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&[h(v, "f3"), h(v, "f4")].concat()).expect("key");
    mac.update(&s);
    mac.finalize().into_bytes().to_vec()
}

fn naf_cmd(naf_id: &[u8], impi: &str) -> String {
    let mut d = vec![0xDE, naf_id.len() as u8];
    d.extend_from_slice(naf_id);
    d.push(impi.len() as u8);
    d.extend_from_slice(impi.as_bytes());
    format!("00 88 00 84 {:02X} {} 00", d.len(), up(&d))
}

#[test]
fn gba_u_bootstrap_and_naf_derivation() {
    let v = vector("milenage.json", 0);
    let mut c = card(&profile());
    let rand = up(&h(&v, "rand"));
    let impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
    let naf_id = [
        b"naf.example.org".as_slice(),
        &[0x01, 0x00, 0x00, 0x00, 0x02],
    ]
    .concat();
    // No Ks yet → 6985.
    exchange(&mut c, &naf_cmd(&naf_id, impi), "6985");
    // A plain AUTN is rejected in the GBA context; an AUTN* is rejected in the 3G context.
    exchange(
        &mut c,
        &format!("00 88 00 84 23 DD 10 {rand} 10 {} 00", up(&set1_autn(&v))),
        "9862",
    );
    exchange(
        &mut c,
        &format!("00 88 00 81 22 10 {rand} 10 {} 00", up(&autn_star(&v))),
        "9862",
    );
    // Bootstrapping: RES only.
    exchange(
        &mut c,
        &format!("00 88 00 84 23 DD 10 {rand} 10 {} 00", up(&autn_star(&v))),
        &format!("DB08{}9000", up(&h(&v, "f2"))),
    );
    // EF_GBABP holds RAND; the ME writes B-TID and lifetime.
    exchange(&mut c, "00 A4 00 0C 02 6FD6", "9000");
    let gbabp = send(&mut c, "00 B0 00 00 14");
    assert_eq!(gbabp, format!("10{rand}0000FF9000"));
    let b_tid = format!(
        "{}@bsf.mnc001.mcc001.pub.3gppnetwork.org",
        "I1U8vpY3qJ0hiuZNrke/NQ=="
    );
    let lifetime = "2099-01-01T00:00:00Z";
    let mut bp = vec![0x10];
    bp.extend(h(&v, "rand"));
    bp.push(b_tid.len() as u8);
    bp.extend(b_tid.as_bytes());
    bp.push(lifetime.len() as u8);
    bp.extend(lifetime.as_bytes());
    exchange(
        &mut c,
        &format!("00 D6 00 00 {:02X} {}", bp.len(), up(&bp)),
        "9000",
    );
    // NAF derivation: Ks_ext_NAF out, equal to the hand computation.
    let ext = naf_key(&v, "gba-me", impi, &naf_id);
    exchange(
        &mut c,
        &naf_cmd(&naf_id, impi),
        &format!("DB20{}9000", up(&ext)),
    );
    // EF_GBANL record 1: 80 NAF_ID 81 B-TID.
    exchange(&mut c, "00 A4 00 0C 02 6FDA", "9000");
    let rec = send(&mut c, "00 B2 01 04 00");
    let mut want = vec![0x80, naf_id.len() as u8];
    want.extend(&naf_id);
    want.push(0x81);
    want.push(b_tid.len() as u8);
    want.extend(b_tid.as_bytes());
    assert!(rec.starts_with(&up(&want)), "{rec}");
    // Ks_int_NAF never leaves the card.
    let int = up(&naf_key(&v, "gba-u", impi, &naf_id));
    assert!(!rec.contains(&int));
    // Key lifetime: usable until the lifetime the ME wrote, refused from then on.
    let end = vusim_applet::usim::parse_lifetime(lifetime.as_bytes()).expect("lifetime");
    c.set_time(Some(end - 1));
    exchange(
        &mut c,
        &naf_cmd(&naf_id, impi),
        &format!("DB20{}9000", up(&ext)),
    );
    c.advance_time(1);
    exchange(&mut c, &naf_cmd(&naf_id, impi), "6985");
}

#[test]
fn naf_table_overwrites_least_recently_used() {
    let v = vector("milenage.json", 0);
    let mut c = card(&profile());
    let rand = up(&h(&v, "rand"));
    exchange(
        &mut c,
        &format!("00 88 00 84 23 DD 10 {rand} 10 {} 00", up(&autn_star(&v))),
        &format!("DB08{}9000", up(&h(&v, "f2"))),
    );
    let impi = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
    let naf = |i: u32| {
        [
            format!("naf{i}.example.org").into_bytes(),
            vec![1, 0, 0, 0, 2],
        ]
        .concat()
    };
    for i in 1..=4 {
        assert_eq!(sw(&mut c, &naf_cmd(&naf(i), impi)), "9000");
    }
    // Use naf1 again: naf2 is now the least recently used and gets overwritten by naf5.
    assert_eq!(sw(&mut c, &naf_cmd(&naf(1), impi)), "9000");
    assert_eq!(sw(&mut c, &naf_cmd(&naf(5), impi)), "9000");
    exchange(&mut c, "00 A4 00 0C 02 6FDA", "9000");
    let records: Vec<String> = (1..=4)
        .map(|r| send(&mut c, &format!("00 B2 {r:02X} 04 00")))
        .collect();
    let has = |i: u32| records.iter().any(|r| r.contains(&up(&naf(i))));
    assert!(has(1) && has(3) && has(4) && has(5), "{records:?}");
    assert!(!has(2), "naf2 should have been overwritten: {records:?}");
}

#[test]
fn accepted_sqn_and_keys_survive_a_restart() {
    let v = vector("milenage.json", 0);
    let mut p = profile();
    let mut c = card(&p);
    let cmd = format!(
        "00 88 00 81 22 10 {} 10 {} 00",
        up(&h(&v, "rand")),
        up(&set1_autn(&v))
    );
    assert!(send(&mut c, &cmd).starts_with("DB08"));
    // Save, then a new card from the saved profile: the replay fails.
    p.state = Some(c.image());
    let text = p.to_toml().expect("toml");
    let p2 = Profile::from_toml(&text, "saved").expect("reload");
    let mut c2 = card(&p2);
    assert!(send(&mut c2, &cmd).starts_with("DC0E"));
}
