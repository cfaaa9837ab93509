//! The experimental GBA_U API applet (docs/api/gba-api.md) through APDUs only, on the embedded
//! default card: LIST KEYS, MAC, encryption, mutual authentication, secure storage and combined
//! e2e keys (selection and GET INFO: `tests/scripts/gba-api/select-and-info.script`). Every expected value is recomputed independently
//! (HMAC-SHA-256, AES-CTR by hand from the formulas, `vusim_integration::api`), not with the
//! applet's code. Policy, expiry, bad input, the generator, leaks and the documentation:
//! `gba_api_policy.rs`.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use vusim_apdu::tlv::Tlv;
use vusim_applet::api::apdu::Dos;
use vusim_applet::card::Card;
use vusim_integration::api::gba::{e2e_key, key, naf_id, ready, select_api, CLIENT, END, LIFETIME};
use vusim_integration::api::{
    api_key, fresh, hmac, mac_of, ok, profile, seal, sw, tx, unhex, up, val, NOW,
};

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
