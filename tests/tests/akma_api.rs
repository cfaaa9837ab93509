//! UICC-based AKMA (docs/api/akma.md) through APDUs only, on the embedded default card: the
//! proposed 5G AKMA AUTHENTICATE context (RES*, K_SEAF, K_AKMA kept, MAC and synchronisation
//! failures) and the AKMA API applet (DERIVE K_AF, every operation over K_AF and over
//! secrets delivered under it; selection and GET INFO are
//! `tests/scripts/akma-api/select-and-info.script`). Every expected value is recomputed from
//! the spec formulas with HMAC-SHA-256 (TS 33.220 B.2 KDF, TS 33.501 A.2–A.6, TS 33.535
//! A.2–A.4; the shared `vusim_integration::api`), not with the card's code. Lifetimes, policy, capacity, bad input,
//! persistence, leaks and the documentation: `akma_api_policy.rs`.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use sha2::{Digest, Sha256};
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma::apdu;
use vusim_applet::card::keystore::KeyKind;
use vusim_integration::api::akma::*;
use vusim_integration::api::*;

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
    let m = set1_milenage();
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
