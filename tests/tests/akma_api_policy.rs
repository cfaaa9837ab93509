//! UICC-based AKMA (docs/api/akma.md), continued: lifetimes on the card clock, the per-AF
//! policy, capacity, bad input without state change, persistence, profile errors, a leak test,
//! and the documentation examples regenerated and compared with the independent values
//! (`vusim_integration::api`).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma::{apdu, AfPolicyEntry, COMMANDS, STATUS_WORDS};
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;
use vusim_integration::api::akma::*;
use vusim_integration::api::{self, *};
use vusim_integration::script::Session;

const DOC: &str = "docs/api/akma.md";

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
    let before = c.image();
    // Every refusal of the table: tests/scripts/akma-api/bad-input.script.
    Session::new()
        .run_file("scripts/akma-api/bad-input.script", &mut c)
        .assert_passed();
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
    assert_no_key_bytes(&responses, &needles);
}

// ---------------------------------------------------------------------------------------------
// Documentation.

/// Replays every ```apdu block of docs/api/akma.md on the embedded default card and compares
/// each response byte for byte (`VUSIM_BLESS=1` rewrites them after a deliberate change).
#[test]
fn docs_examples() {
    api::docs_examples(DOC, 20);
}

/// The values the docs quote for the worked example are the independent ones.
#[test]
fn docs_quote_the_independent_values() {
    let text = api::doc_text(DOC);
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
    let text = api::doc_text(DOC);
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
