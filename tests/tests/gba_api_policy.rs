//! The experimental GBA_U API applet (docs/api/gba-api.md), continued: the profile policy,
//! lifetime expiry on the card clock, bad input without state change, the seeded generator, a
//! leak test over a whole session, and the documentation examples regenerated and compared.
//! Expected values are recomputed independently (`vusim_integration::api`).

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test code indexes fixed test data

use vusim_apdu::tlv::Tlv;
use vusim_applet::api::apdu::{tag, Dos};
use vusim_applet::card::Card;
use vusim_integration::api::gba::{e2e_key, key, naf_id, ready, select_api, END, LIFETIME};
use vusim_integration::api::{
    self, api_key, assert_no_key_bytes, fresh, hmac, mac_of, ok, profile, seal, sw, tx, up, val,
    NOW,
};
use vusim_integration::script::Session;

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
    let before = c.image();
    // Every refusal of the table: tests/scripts/gba-api/bad-input.script.
    Session::new()
        .run_file("scripts/gba-api/bad-input.script", &mut c)
        .assert_passed();
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
    assert_no_key_bytes(&responses, &needles);
    assert_eq!(used, 3 * 3 * 2, "every key was used (MAC COMPUTE matched)");
}

// The worked examples of docs/api/gba-api.md: every ```apdu block, in order, is one session on
// the embedded default card (its [api] seed makes the card's challenges and IVs reproducible).
// `VUSIM_BLESS=1 cargo test -p vusim-integration --test gba_api_policy docs_examples` rewrites
// the responses.

#[test]
fn docs_examples() {
    api::docs_examples("docs/api/gba-api.md", 20);
}

/// The documentation names every status word, command (with its section) and data object.
#[test]
fn docs_name_every_status_word_and_command() {
    let text = api::doc_text("docs/api/gba-api.md");
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
