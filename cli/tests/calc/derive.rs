//! `vusim calc` for the derivations: GBA (TS 33.220, against an independent KDF), 5G AKA keys
//! (TS 33.501 Annex A), EAP-AKA' (RFC 5448), AKMA (TS 33.535), SUCI (TS 33.501 Annex C), the
//! generic KDF and the seed schemes, and bad arguments named.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::*;

/// TS 33.220 B.2 KDF written out by hand: HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ …).
fn kdf_by_hand(key: &[u8], fc: u8, params: &[&[u8]]) -> String {
    let mut s = vec![fc];
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&u16::try_from(p.len()).expect("short").to_be_bytes());
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(&s);
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn gba_matches_vectors_and_an_independent_kdf() {
    for v in vectors("gba_kdf.json")["vectors"]
        .as_array()
        .expect("vectors")
    {
        let name = &v["name"];
        let out = calc(&[
            "gba",
            "--ck",
            s(v, "ck"),
            "--ik",
            s(v, "ik"),
            "--rand",
            s(v, "rand"),
            "--impi",
            s(v, "impi"),
            "--naf-fqdn",
            s(v, "naf_fqdn"),
            "--ua-protocol",
            s(v, "ua_protocol_id"),
        ]);
        // Published (computed) values; the BSF domain comes from the IMPI realm.
        assert_eq!(out["b_tid"], s(v, "b_tid"), "{name}");
        assert_eq!(out["naf_id"], s(v, "naf_id"), "{name}");
        assert_eq!(out["ks_ext_naf"], s(v, "ks_ext_naf"), "{name}");
        assert_eq!(out["ks_int_naf"], s(v, "ks_int_naf"), "{name}");

        // Independent: S = 01 ‖ "gba-me" ‖ 0006 ‖ RAND ‖ 0010 ‖ IMPI ‖ len ‖ NAF_Id ‖ len.
        let ks = [unhex(s(v, "ck")), unhex(s(v, "ik"))].concat();
        assert_eq!(out["ks"], hex::encode(&ks), "{name}");
        let fqdn = s(v, "naf_fqdn");
        let naf_id = if fqdn.is_ascii() {
            [fqdn.as_bytes(), &unhex(s(v, "ua_protocol_id"))].concat()
        } else {
            unhex(s(v, "naf_id")) // NFKC of a non-ASCII FQDN is the library's job
        };
        assert_eq!(out["naf_id"], hex::encode(&naf_id), "{name}");
        let rand = unhex(s(v, "rand"));
        let impi = s(v, "impi").as_bytes();
        let me = kdf_by_hand(&ks, 0x01, &[b"gba-me", &rand, impi, &naf_id]);
        let u = kdf_by_hand(&ks, 0x01, &[b"gba-u", &rand, impi, &naf_id]);
        assert_eq!(out["ks_ext_naf"], me, "{name}");
        assert_eq!(out["ks_int_naf"], u, "{name}");
    }
}

#[test]
fn gba_bsf_domain_rules() {
    let v = &vectors("gba_kdf.json")["vectors"][0];
    let args = |impi: &'static str| {
        vec![
            "gba",
            "--ck",
            s(v, "ck"),
            "--ik",
            s(v, "ik"),
            "--rand",
            s(v, "rand"),
            "--impi",
            impi,
            "--naf-fqdn",
            "naf.example.org",
            "--ua-protocol",
            "0100000002",
        ]
    };
    let err = calc_err(&args("alice@example.com"));
    assert!(err.contains("--bsf-domain"), "{err}");
    let out = calc(
        &[
            &args("alice@example.com")[..],
            &["--bsf-domain", "bsf.example.com"],
        ]
        .concat(),
    );
    assert!(out["b_tid"].ends_with("==@bsf.example.com"), "{out:?}");
    let (_, keys) = calc_json(&args("1@ims.mnc001.mcc001.3gppnetwork.org"), 0);
    assert_eq!(keys, ["ks", "b_tid", "naf_id", "ks_ext_naf", "ks_int_naf"]);
}

#[test]
fn gba_autn_star() {
    let v = &vectors("gba_kdf.json")["gba_u_autn"][0];
    let out = calc(&["gba-autn", "--ik", s(v, "ik"), "--autn", s(v, "autn")]);
    assert_eq!(out["autn_star"], s(v, "autn_star"));
    // Masking twice un-masks.
    let back = calc(&["gba-autn", "--ik", s(v, "ik"), "--autn", s(v, "autn_star")]);
    assert_eq!(back["autn_star"], s(v, "autn"));
}

#[test]
fn fiveg_aka_keys() {
    let list = &vectors("5g_kdf.json")["vectors"];
    let v = named(
        list,
        "conformant 5G-AKA keys for the 'main.go output' inputs [computed]",
    );
    let base = [
        "5g",
        "--ck",
        s(v, "ck"),
        "--ik",
        s(v, "ik"),
        "--rand",
        s(v, "rand"),
        "--res",
        s(v, "res"),
        "--sqn-xor-ak",
        s(v, "sqn_xor_ak"),
    ];
    let with_snn = [&base[..], &["--snn", s(v, "snn"), "--supi", s(v, "supi")]].concat();
    let out = calc(&with_snn);
    for k in ["res_star", "hxres_star", "k_ausf", "k_seaf", "k_amf"] {
        assert_eq!(out[k], s(v, k), "{k}");
    }
    // --mcc/--mnc pad a 2-digit MNC to 3 digits.
    let by_plmn = calc(
        &[
            &base[..],
            &["--mcc", "001", "--mnc", "01", "--supi", s(v, "supi")],
        ]
        .concat(),
    );
    assert_eq!(by_plmn, out);
    let (_, keys) = calc_json(&with_snn, 0);
    assert_eq!(
        keys,
        ["res_star", "hxres_star", "k_ausf", "k_seaf", "k_amf"]
    );
    let (_, keys) = calc_json(&[&base[..], &["--snn", s(v, "snn")]].concat(), 0);
    assert_eq!(keys, ["res_star", "hxres_star", "k_ausf", "k_seaf"]);

    // The published RES* (wmnsk, MCC 001 / MNC 01).
    let w = named(
        list,
        "wmnsk/milenage RES* (K=OP=RAND=00112233..ff, SQN 1, AMF 8000, MCC 001 MNC 01)",
    );
    let out = calc(&[
        "5g",
        "--ck",
        s(w, "ck"),
        "--ik",
        s(w, "ik"),
        "--rand",
        s(w, "rand"),
        "--res",
        s(w, "res"),
        "--sqn-xor-ak",
        "000000000000",
        "--mcc",
        "001",
        "--mnc",
        "01",
    ]);
    assert_eq!(out["res_star"], s(w, "res_star"));

    // The published K_AUSF → K_SEAF → K_AMF chain (RAND and RES do not enter these keys).
    let h = named(
        list,
        "frankurcrazy/helloworld 5g/keys chain (PLMN 001/01, IMSI 001010123456789)",
    );
    let out = calc(&[
        "5g",
        "--ck",
        s(h, "ck"),
        "--ik",
        s(h, "ik"),
        "--rand",
        &"00".repeat(16),
        "--res",
        &"00".repeat(8),
        "--sqn-xor-ak",
        s(h, "sqn_xor_ak"),
        "--snn",
        s(h, "snn"),
        "--supi",
        s(h, "supi"),
        "--abba",
        s(h, "abba"),
    ]);
    for k in ["k_ausf", "k_seaf", "k_amf"] {
        assert_eq!(out[k], s(h, k), "{k}");
    }
}

#[test]
fn fiveg_eap_aka_prime_rfc_5448() {
    for v in vectors("rfc5448.json")["vectors"]
        .as_array()
        .expect("vectors")
    {
        let args = [
            "5g",
            "--eap-aka-prime",
            "--ck",
            s(v, "ck"),
            "--ik",
            s(v, "ik"),
            "--sqn-xor-ak",
            s(v, "sqn_xor_ak"),
            "--identity",
            s(v, "identity"),
            "--network-name",
            s(v, "network_name"),
        ];
        let out = calc(&args);
        for k in [
            "ck_prime", "ik_prime", "k_encr", "k_aut", "k_re", "msk", "emsk",
        ] {
            assert_eq!(out[k], s(v, k), "{} {k}", v["name"]);
        }
        assert_eq!(out["k_ausf"], s(v, "emsk")[..64], "{}", v["name"]);
        let (_, keys) = calc_json(&args, 0);
        assert_eq!(
            keys,
            ["ck_prime", "ik_prime", "k_encr", "k_aut", "k_re", "msk", "emsk", "k_ausf"]
        );
    }
    // The network name defaults to the SNN.
    let v = &vectors("rfc5448.json")["vectors"][0];
    let common = [
        "5g",
        "--eap-aka-prime",
        "--ck",
        s(v, "ck"),
        "--ik",
        s(v, "ik"),
        "--sqn-xor-ak",
        s(v, "sqn_xor_ak"),
        "--identity",
        s(v, "identity"),
    ];
    let snn = "5G:mnc001.mcc001.3gppnetwork.org";
    let a = calc(&[&common[..], &["--snn", snn]].concat());
    let b = calc(&[&common[..], &["--network-name", snn]].concat());
    assert_eq!(a["ck_prime"], b["ck_prime"]);
    assert_eq!(a["k_ausf"], b["k_ausf"]);
    assert!(a.contains_key("k_seaf") && !b.contains_key("k_seaf"));
    let err = calc_err(&common);
    assert!(err.contains("--network-name"), "{err}");
}

#[test]
fn akma_vectors() {
    for v in vectors("akma.json")["vectors"].as_array().expect("vectors") {
        let name = &v["name"];
        for (format, field) in [
            ("rid-dot-base64", "a_kid_rid_dot_base64"),
            ("rid-dot-hex", "a_kid_rid_dot_hex"),
            ("tagged", "a_kid_tagged"),
        ] {
            let out = calc(&[
                "akma",
                "--k-ausf",
                s(v, "k_ausf"),
                "--supi",
                s(v, "supi"),
                "--rid",
                s(v, "rid"),
                "--realm",
                s(v, "realm"),
                "--a-kid-format",
                format,
            ]);
            assert_eq!(out["k_akma"], s(v, "k_akma"), "{name}");
            assert_eq!(out["a_tid"], s(v, "a_tid"), "{name}");
            assert_eq!(out["a_kid"], s(v, field), "{name} {format}");
        }
        for af in v["afs"].as_array().expect("afs") {
            let args = [
                "akma",
                "--k-ausf",
                s(v, "k_ausf"),
                "--supi",
                s(v, "supi"),
                "--af-fqdn",
                s(af, "af_fqdn"),
                "--ua-protocol",
                s(af, "ua_protocol_id"),
            ];
            let out = calc(&args);
            assert_eq!(out["k_af"], s(af, "k_af"), "{name}");
            let (_, keys) = calc_json(&args, 0);
            assert_eq!(keys, ["k_akma", "a_tid", "k_af"]);
        }
    }
}

#[test]
fn suci_imsi_vectors_and_deconceal() {
    for v in vectors("suci.json")["vectors"].as_array().expect("vectors") {
        if v["supi_type"] != "imsi" {
            continue;
        }
        let name = &v["name"];
        let (profile, scheme_id) = match s(v, "scheme") {
            "null" => ("null", "0"),
            "profile_a" => ("a", "1"),
            _ => ("b", "2"),
        };
        let (mcc, mnc) = s(v, "mcc_mnc").split_at(3);
        let mut args = vec![
            "suci",
            "--profile",
            profile,
            "--msin",
            s(v, "msin"),
            "--mcc",
            mcc,
            "--mnc",
            mnc,
        ];
        if profile != "null" {
            args.extend([
                "--hn-pub",
                s(v, "hn_public_key"),
                "--eph-priv",
                s(v, "eph_private_key"),
                "--hn-key-id",
                "7",
            ]);
        }
        let out = calc(&args);
        assert_eq!(out["scheme_output"], s(v, "scheme_output"), "{name}");
        let written = if profile == "null" {
            s(v, "msin")
        } else {
            s(v, "scheme_output")
        };
        let key_id = if profile == "null" { "0" } else { "7" };
        assert_eq!(
            out["suci"],
            format!("suci-0-{mcc}-{mnc}-0000-{scheme_id}-{key_id}-{written}"),
            "{name}"
        );
        let (_, keys) = calc_json(&args, 0);
        assert_eq!(keys, ["scheme_output", "suci"]);

        if profile != "null" {
            let back = calc(&[
                "suci-deconceal",
                "--profile",
                profile,
                "--hn-priv",
                s(v, "hn_private_key"),
                "--scheme-output",
                s(v, "scheme_output"),
            ]);
            assert_eq!(back["mac_ok"], "true", "{name}");
            assert_eq!(back["scheme_input"], s(v, "scheme_input"), "{name}");
            assert_eq!(back["msin"], s(v, "msin"), "{name}");
            // A changed tag fails the check with exit 1.
            let mut bad = unhex(s(v, "scheme_output"));
            *bad.last_mut().expect("tag") ^= 0x80;
            let (v2, _) = calc_json(
                &[
                    "suci-deconceal",
                    "--profile",
                    profile,
                    "--hn-priv",
                    s(v, "hn_private_key"),
                    "--scheme-output",
                    &hex::encode(bad),
                ],
                1,
            );
            assert_eq!(v2["mac_ok"], false, "{name}");
        }
    }
    // Profile B also takes the uncompressed home network key.
    let v = named(
        &vectors("suci.json")["vectors"],
        "TS 33.501 C.4.4.1 ECIES Profile B, IMSI-based SUPI",
    );
    let out = calc(&[
        "suci",
        "--profile",
        "b",
        "--msin",
        s(v, "msin"),
        "--mcc",
        "274",
        "--mnc",
        "012",
        "--hn-pub",
        s(v, "hn_public_key_uncompressed"),
        "--eph-priv",
        s(v, "eph_private_key"),
    ]);
    assert_eq!(out["scheme_output"], s(v, "scheme_output"));
}

#[test]
fn suci_nai_vectors() {
    for v in vectors("suci.json")["vectors"].as_array().expect("vectors") {
        if v["supi_type"] != "nai" {
            continue;
        }
        let name = &v["name"];
        let profile = match s(v, "scheme") {
            "null" => "null",
            "profile_a" => "a",
            _ => "b",
        };
        let mut args = vec![
            "suci",
            "--profile",
            profile,
            "--nai-user",
            s(v, "supi_nai"),
            "--routing-indicator",
            "678",
        ];
        if profile != "null" {
            args.extend([
                "--hn-pub",
                s(v, "hn_public_key"),
                "--eph-priv",
                s(v, "eph_private_key"),
            ]);
        }
        let out = calc(&args);
        let text = s(v, "scheme_output_text");
        let (user, realm) = s(v, "supi_nai").split_once('@').expect("NAI");
        if profile == "null" {
            assert_eq!(out["scheme_output"], s(v, "scheme_input"), "{name}");
            assert_eq!(
                out["suci"],
                format!("type1.rid678.schid0.{text}@{realm}"),
                "{name}"
            );
        } else {
            let sid = if profile == "a" { 1 } else { 2 };
            assert_eq!(
                out["suci"],
                format!("type1.rid678.schid{sid}.hnkey1.{text}@{realm}"),
                "{name}"
            );
            let want = [s(v, "eph_public_key"), s(v, "ciphertext"), s(v, "mac_tag")].concat();
            assert_eq!(out["scheme_output"], want, "{name}");
            // The SIDF takes the NAI-form output too.
            let back = calc(&[
                "suci-deconceal",
                "--profile",
                profile,
                "--hn-priv",
                s(v, "hn_private_key"),
                "--scheme-output",
                text,
            ]);
            assert_eq!(back["username"], user, "{name}");
            assert_eq!(back["scheme_input"], s(v, "scheme_input"), "{name}");
        }
    }
}

#[test]
fn kdf_generic_reproduces_named_derivations() {
    // K_SEAF = KDF(K_AUSF, 0x6C, SNN).
    let v = named(
        &vectors("5g_kdf.json")["vectors"],
        "frankurcrazy/helloworld 5g/keys chain (PLMN 001/01, IMSI 001010123456789)",
    );
    let snn = format!("str:{}", s(v, "snn"));
    let out = calc(&[
        "kdf",
        "--key",
        s(v, "k_ausf"),
        "--fc",
        "6c",
        "--param",
        &snn,
    ]);
    assert_eq!(out["derived"], s(v, "k_seaf"));
    let out = calc(&[
        "kdf",
        "--key",
        s(v, "k_ausf"),
        "--fc",
        "6C",
        "--param-str",
        s(v, "snn"),
    ]);
    assert_eq!(out["derived"], s(v, "k_seaf"));
    // K_AMF = KDF(K_SEAF, 0x6D, SUPI, ABBA): text then octets.
    let supi = format!("str:{}", s(v, "supi"));
    let abba = format!("hex:{}", s(v, "abba"));
    let out = calc(&[
        "kdf",
        "--key",
        s(v, "k_seaf"),
        "--fc",
        "6d",
        "--param",
        &supi,
        "--param",
        &abba,
    ]);
    assert_eq!(out["derived"], s(v, "k_amf"));
    // --param-str values come after every --param value, whatever the command-line order.
    let out = calc(&[
        "kdf",
        "--key",
        s(v, "k_seaf"),
        "--fc",
        "6d",
        "--param-str",
        s(v, "supi"),
        "--param",
        s(v, "abba"),
    ]);
    assert_ne!(out["derived"], s(v, "k_amf"));
    assert_eq!(
        out["derived"],
        kdf_by_hand(
            &unhex(s(v, "k_seaf")),
            0x6d,
            &[&unhex(s(v, "abba")), s(v, "supi").as_bytes()]
        )
    );
    // Two-byte FC: e2e_key = KDF(Ks_NAF, FF E4, Ka).
    let t = &vectors("seed.json")["third_party"][0];
    let out = calc(&[
        "kdf",
        "--key",
        s(t, "ks_naf"),
        "--fc",
        "ffe4",
        "--param",
        s(t, "ka"),
    ]);
    assert_eq!(out["derived"], s(t, "e2e_key"));
    let (_, keys) = calc_json(&["kdf", "--key", "00", "--fc", "01"], 0);
    assert_eq!(keys, ["derived"]);

    assert!(calc_err(&["kdf", "--key", "00", "--fc", "ff"]).contains("--fc"));
    assert!(calc_err(&["kdf", "--key", "00", "--fc", "1234"]).contains("--fc"));
    let err = calc_err(&[
        "kdf", "--key", "00", "--fc", "01", "--param", "str:a", "--param", "xy",
    ]);
    assert!(err.contains("--param 2"), "{err}");
}

#[test]
fn seed_schemes() {
    let seed = vectors("seed.json");
    for v in seed["iot"].as_array().expect("iot") {
        let args = [
            "iot",
            "--ck",
            s(v, "ck"),
            "--ik",
            s(v, "ik"),
            "--as-id",
            s(v, "as_id"),
            "--rand-as",
            s(v, "rand_as"),
            "--guti",
            s(v, "guti"),
        ];
        let out = calc(&args);
        for k in ["ks", "ks_as", "ks_as_enc", "ks_as_int", "k_app"] {
            assert_eq!(out[k], s(v, k), "{} {k}", v["name"]);
        }
        assert_eq!(out["t"], s(v, "tag"), "{}", v["name"]);
        let (_, keys) = calc_json(&args, 0);
        assert_eq!(
            keys,
            ["ks", "ks_as", "ks_as_enc", "ks_as_int", "k_app", "t"]
        );
        let (_, keys) = calc_json(&args[..9], 0);
        assert_eq!(keys, ["ks", "ks_as", "ks_as_enc", "ks_as_int", "k_app"]);
    }
    let t = &seed["third_party"][0];
    let out = calc(&["e2e", "--ks-naf", s(t, "ks_naf"), "--ka", s(t, "ka")]);
    assert_eq!(out["e2e_key"], s(t, "e2e_key"));
}

#[test]
fn bad_hex_and_wrong_lengths_exit_2_naming_the_argument() {
    let set = named(&vectors("milenage.json")["vectors"], "TS 35.208 test set 1");
    let mut args = milenage_args(set);
    let short_k = &s(set, "k")[..30];
    args[2] = short_k;
    let err = calc_err(&args);
    assert!(
        err.contains("--k: expected 16 bytes (32 hex digits), got 15 bytes"),
        "{err}"
    );

    let mut args = milenage_args(set);
    args[6] = "23553cbe9637a89d218ae64dae47bfzz";
    let err = calc_err(&args);
    assert!(err.contains("--rand: invalid hex character 'z'"), "{err}");

    let mut args = milenage_args(set);
    args[8] = "ff9bb4d0b60";
    let err = calc_err(&args);
    assert!(err.contains("--sqn: odd number of hex digits"), "{err}");

    let err = calc_err(&[&milenage_args(set)[..], &["--auts", "00"]].concat());
    assert!(
        err.contains("--auts: expected 14 bytes (28 hex digits), got 1 bytes"),
        "{err}"
    );

    let err = calc_err(&[
        "tuak",
        "--k",
        &"ab".repeat(20),
        "--topc",
        &"00".repeat(32),
        "--rand",
        &"00".repeat(16),
        "--sqn",
        &"00".repeat(6),
        "--amf",
        "0000",
    ]);
    assert!(
        err.contains("--k: expected 16 or 32 bytes (32 or 64 hex digits), got 20 bytes"),
        "{err}"
    );

    let err = calc_err(&[
        "gba",
        "--ck",
        &"00".repeat(16),
        "--ik",
        &"00".repeat(16),
        "--rand",
        &"00".repeat(16),
        "--impi",
        "1@ims.mnc001.mcc001.3gppnetwork.org",
        "--naf-fqdn",
        "naf",
        "--ua-protocol",
        "01000000",
    ]);
    assert!(
        err.contains("--ua-protocol: expected 5 bytes (10 hex digits), got 4 bytes"),
        "{err}"
    );

    let err = calc_err(&[
        "5g",
        "--ck",
        &"00".repeat(16),
        "--ik",
        &"00".repeat(16),
        "--rand",
        &"00".repeat(16),
        "--res",
        "000000",
        "--sqn-xor-ak",
        &"00".repeat(6),
        "--snn",
        "x",
    ]);
    assert!(err.contains("--res: expected 4 to 16 bytes"), "{err}");

    let err = calc_err(&[
        "5g",
        "--ck",
        &"00".repeat(16),
        "--ik",
        &"00".repeat(16),
        "--rand",
        &"00".repeat(16),
        "--res",
        &"00".repeat(8),
        "--sqn-xor-ak",
        &"00".repeat(6),
        "--mcc",
        "1",
        "--mnc",
        "01",
    ]);
    assert!(err.contains("--mcc"), "{err}");

    let err = calc_err(&[
        "suci",
        "--profile",
        "a",
        "--msin",
        "0123456789",
        "--mcc",
        "001",
        "--mnc",
        "01",
        "--hn-pub",
        &"00".repeat(33),
        "--eph-priv",
        &"11".repeat(32),
    ]);
    assert!(err.contains("--hn-pub: expected 32 bytes"), "{err}");

    let err = calc_err(&["akma", "--k-ausf", "00", "--supi", "1"]);
    assert!(
        err.contains("--k-ausf: expected 32 bytes (64 hex digits), got 1 bytes"),
        "{err}"
    );

    let err = calc_err(&["e2e", "--ks-naf", &"00".repeat(32), "--ka", ""]);
    assert!(err.contains("--ka: expected at least 1 byte"), "{err}");

    let err = calc_err(&["gba-autn", "--ik", &"00".repeat(16), "--autn", "0g"]);
    assert!(err.contains("--autn: invalid hex character 'g'"), "{err}");
}
