//! `vusim calc` for the AKA algorithms: MILENAGE (TS 35.206/35.208 sets, GSM outputs, AUTS,
//! operator constants), TUAK (TS 35.233 sets) and XOR (TS 34.108 §8.1.2) against the published
//! vectors.

use vusim_applet::crypto::keys::{Key128, Opc};
use vusim_applet::crypto::milenage::Milenage;

use super::*;

#[test]
fn milenage_reproduces_ts_35_208_set_1_with_gsm_outputs() {
    let set = named(&vectors("milenage.json")["vectors"], "TS 35.208 test set 1");
    let gsm = named(
        &vectors("gsm_milenage.json")["vectors"],
        "TS 55.205 test set 1",
    );
    assert_eq!(gsm["milenage_set"], "TS 35.208 test set 1");
    let out = calc(&milenage_args(set));
    let want = |k: &str| s(set, k).to_owned();
    assert_eq!(out["opc"], want("opc"));
    assert_eq!(out["mac_a"], want("f1"));
    assert_eq!(out["mac_s"], want("f1star"));
    assert_eq!(out["res"], want("f2"));
    assert_eq!(out["ck"], want("f3"));
    assert_eq!(out["ik"], want("f4"));
    assert_eq!(out["ak"], want("f5"));
    assert_eq!(out["ak_star"], want("f5star"));
    let autn = format!(
        "{}{}{}",
        xor_hex(s(set, "sqn"), s(set, "f5")),
        s(set, "amf"),
        s(set, "f1")
    );
    assert_eq!(out["autn"], autn);
    assert_eq!(out["sres"], s(gsm, "sres1"));
    assert_eq!(out["kc"], s(gsm, "kc"));
    assert_eq!(out.len(), MILENAGE_KEYS.len());

    // Same result from OPc, given in upper case.
    let opc_upper = s(set, "opc").to_uppercase();
    let k_upper = s(set, "k").to_uppercase();
    let by_opc = calc(&[
        "milenage",
        "--k",
        &k_upper,
        "--opc",
        &opc_upper,
        "--rand",
        s(set, "rand"),
        "--sqn",
        s(set, "sqn"),
        "--amf",
        s(set, "amf"),
    ]);
    assert_eq!(by_opc, out);
}

#[test]
fn milenage_text_order_is_stable() {
    let set = named(&vectors("milenage.json")["vectors"], "TS 35.208 test set 1");
    let (code, out, _) = vusim(&[&["calc"], milenage_args(set).as_slice()].concat());
    assert_eq!(code, 0);
    let names: Vec<&str> = out
        .lines()
        .map(|l| l.split_once(": ").expect("name: value").0)
        .collect();
    assert_eq!(names, MILENAGE_KEYS);
}

#[test]
fn milenage_every_published_set() {
    for set in vectors("milenage.json")["vectors"]
        .as_array()
        .expect("sets")
    {
        let out = calc(&milenage_args(set));
        for (name, field) in [
            ("opc", "opc"),
            ("mac_a", "f1"),
            ("mac_s", "f1star"),
            ("res", "f2"),
            ("ck", "f3"),
            ("ik", "f4"),
            ("ak", "f5"),
            ("ak_star", "f5star"),
        ] {
            assert_eq!(out[name], s(set, field), "{} {name}", set["name"]);
        }
    }
}

#[test]
fn milenage_json_keys_exactly_as_listed() {
    let set = named(&vectors("milenage.json")["vectors"], "TS 35.208 test set 1");
    let (v, keys) = calc_json(&milenage_args(set), 0);
    assert_eq!(keys, MILENAGE_KEYS);
    assert_eq!(v["mac_a"], set["f1"]);

    let mut args = milenage_args(set);
    args.extend(["--auts", "0000000000000000000000000000"]);
    let (v, keys) = calc_json(&args, 1);
    let mut want: Vec<&str> = MILENAGE_KEYS.to_vec();
    want.extend(["sqn_ms", "auts_mac_ok"]);
    assert_eq!(keys, want);
    assert_eq!(v["auts_mac_ok"], false);
}

#[test]
fn milenage_auts_round_trip_with_the_library() {
    let set = named(&vectors("milenage.json")["vectors"], "TS 35.208 test set 1");
    let k = Key128::from_hex(s(set, "k")).expect("k");
    let opc = Opc::from_hex(s(set, "opc")).expect("opc");
    let rand: [u8; 16] = unhex(s(set, "rand")).try_into().expect("rand");
    let sqn_ms = [0x00, 0x00, 0x12, 0x34, 0x56, 0x78];
    let auts = hex::encode(
        Milenage::new(&k, &opc)
            .build_auts(&rand, &sqn_ms)
            .to_bytes(),
    );

    let mut args = milenage_args(set);
    args.extend(["--auts", auts.as_str()]);
    let out = calc(&args);
    assert_eq!(out["sqn_ms"], hex::encode(sqn_ms));
    assert_eq!(out["auts_mac_ok"], "true");
    assert_eq!(out["mac_a"], s(set, "f1"), "the main outputs are unchanged");

    // One flipped MAC-S bit: the check fails with exit 1, SQN_MS is still shown.
    let mut bad = unhex(&auts);
    *bad.last_mut().expect("14 bytes") ^= 0x01;
    let bad = hex::encode(bad);
    let mut args = milenage_args(set);
    args.extend(["--auts", bad.as_str()]);
    let (code, out, _) = vusim(&[&["calc"], args.as_slice()].concat());
    assert_eq!(code, 1);
    let out = lines(&out);
    assert_eq!(out["auts_mac_ok"], "false");
    assert_eq!(out["sqn_ms"], hex::encode(sqn_ms));
}

#[test]
fn milenage_published_auts_vectors() {
    for v in vectors("milenage.json")["aka_vectors"]
        .as_array()
        .expect("aka vectors")
    {
        let sqn = v["sqn"].as_str().unwrap_or("000000000000");
        let amf = v["amf"].as_str().unwrap_or("0000");
        let out = calc(&[
            "milenage",
            "--k",
            s(v, "k"),
            "--opc",
            s(v, "opc"),
            "--rand",
            s(v, "rand"),
            "--sqn",
            sqn,
            "--amf",
            amf,
            "--auts",
            s(v, "auts"),
        ]);
        assert_eq!(out["sqn_ms"], s(v, "sqn_ms"), "{}", v["name"]);
        assert_eq!(out["auts_mac_ok"], "true", "{}", v["name"]);
        for (name, field) in [
            ("autn", "autn"),
            ("res", "res"),
            ("sres", "sres"),
            ("kc", "kc"),
        ] {
            if let Some(want) = v[field].as_str() {
                assert_eq!(out[name], want, "{} {name}", v["name"]);
            }
        }
    }
}

#[test]
fn milenage_operator_constants() {
    let set = named(&vectors("milenage.json")["vectors"], "TS 35.208 test set 1");
    let base = calc(&milenage_args(set));
    // The specification's constants given explicitly change nothing.
    let mut args = milenage_args(set);
    args.extend([
        "--r1", "64", "--r2", "0", "--r3", "32", "--r4", "64", "--r5", "96",
    ]);
    let c = |n: u8| format!("{:032x}", n);
    let (c1, c2, c3, c4, c5) = (c(0), c(1), c(2), c(4), c(8));
    args.extend([
        "--c1",
        c1.as_str(),
        "--c2",
        c2.as_str(),
        "--c3",
        c3.as_str(),
        "--c4",
        c4.as_str(),
        "--c5",
        c5.as_str(),
    ]);
    assert_eq!(calc(&args), base);
    // Another r1 changes f1/f1* only; another c3 changes CK only.
    let mut args = milenage_args(set);
    args.extend(["--r1", "0", "--c3", "000000000000000000000000000000ff"]);
    let other = calc(&args);
    assert_ne!(other["mac_a"], base["mac_a"]);
    assert_ne!(other["ck"], base["ck"]);
    for k in ["opc", "res", "ik", "ak", "ak_star"] {
        assert_eq!(other[k], base[k], "{k}");
    }
    let err = calc_err(&[&milenage_args(set)[..], &["--r2", "128"]].concat());
    assert!(err.contains("--r2"), "{err}");
    let err = calc_err(&[&milenage_args(set)[..], &["--c5", "00"]].concat());
    assert!(
        err.contains("--c5: expected 16 bytes (32 hex digits), got 1 bytes"),
        "{err}"
    );
}

#[test]
fn tuak_reproduces_ts_35_233_sets() {
    for set in vectors("tuak.json")["vectors"].as_array().expect("sets") {
        let n = |k: &str| set[k].as_u64().expect("number").to_string();
        let (res, mac, ck, ik, it) = (
            n("res_len_bits"),
            n("mac_len_bits"),
            n("ck_len_bits"),
            n("ik_len_bits"),
            n("keccak_iterations"),
        );
        let mut args = vec![
            "tuak",
            "--k",
            s(set, "k"),
            "--top",
            s(set, "top"),
            "--rand",
            s(set, "rand"),
            "--sqn",
            s(set, "sqn"),
            "--amf",
            s(set, "amf"),
            "--res-len",
            &res,
            "--mac-len",
            &mac,
            "--ck-len",
            &ck,
            "--ik-len",
            &ik,
            "--iterations",
            &it,
        ];
        let out = calc(&args);
        let name = &set["name"];
        for (key, field) in [
            ("topc", "topc"),
            ("mac_a", "f1"),
            ("mac_s", "f1star"),
            ("res", "f2"),
            ("ck", "f3"),
            ("ik", "f4"),
            ("ak", "f5"),
            ("ak_star", "f5star"),
        ] {
            assert_eq!(out[key], s(set, field), "{name} {key}");
        }
        assert_eq!(out.contains_key("autn"), mac == "64", "{name} autn");
        if mac == "64" {
            let autn = format!(
                "{}{}{}",
                xor_hex(s(set, "sqn"), s(set, "f5")),
                s(set, "amf"),
                s(set, "f1")
            );
            assert_eq!(out["autn"], autn, "{name}");
        }
        assert_eq!(out.contains_key("kc"), ck == "128" && ik == "128", "{name}");
        assert_eq!(out.contains_key("sres"), res != "256", "{name}");
        // The same from TOPc.
        args[3] = "--topc";
        args[4] = s(set, "topc");
        assert_eq!(calc(&args), out, "{name} via TOPc");
    }
}

#[test]
fn tuak_json_keys_and_auts() {
    let set = named(&vectors("tuak.json")["vectors"], "TS 35.233 test set 1");
    let base = [
        "tuak",
        "--k",
        s(set, "k"),
        "--topc",
        s(set, "topc"),
        "--rand",
        s(set, "rand"),
        "--sqn",
        s(set, "sqn"),
        "--amf",
        s(set, "amf"),
        "--res-len",
        "32",
    ];
    let (_, keys) = calc_json(&base, 0);
    let mut want = MILENAGE_KEYS.to_vec();
    want[0] = "topc";
    assert_eq!(keys, want);
    // An all-zero AUTS does not verify.
    let (v, _) = calc_json(&[&base[..], &["--auts", &"00".repeat(14)]].concat(), 1);
    assert_eq!(v["auts_mac_ok"], false);
    let err = calc_err(&[&base[..], &["--mac-len", "128", "--auts", &"00".repeat(14)]].concat());
    assert!(err.contains("--auts"), "{err}");
    let err = calc_err(&[&base[..], &["--ck-len", "64"]].concat());
    assert!(err.contains("--ck-len"), "{err}");
}

#[test]
fn xor_reproduces_vectors() {
    for v in vectors("xor.json")["vectors"].as_array().expect("vectors") {
        let Some(sqn) = v["sqn"].as_str() else {
            continue;
        };
        let res_len = v["res_len"].as_u64().expect("res_len").to_string();
        let out = calc(&[
            "xor",
            "--k",
            s(v, "k"),
            "--rand",
            s(v, "rand"),
            "--sqn",
            sqn,
            "--amf",
            s(v, "amf"),
            "--res-len",
            &res_len,
        ]);
        for (key, field) in [
            ("mac_a", "f1"),
            ("mac_s", "f1star"),
            ("res", "f2"),
            ("ck", "f3"),
            ("ik", "f4"),
            ("ak", "f5"),
            ("ak_star", "f5star"),
            ("autn", "autn"),
            ("sres", "sres"),
            ("kc", "kc"),
        ] {
            if let Some(want) = v[field].as_str() {
                assert_eq!(out[key], want, "{} {key}", v["name"]);
            }
        }
    }
    // The conformant AUTS entry (MAC-S over AMF 0000).
    let v = named(
        &vectors("xor.json")["vectors"],
        "conformant AUTS for the flipk inputs (SQN_MS 1, AMF* 0000) [computed]",
    );
    let out = calc(&[
        "xor",
        "--k",
        s(v, "k"),
        "--rand",
        s(v, "rand"),
        "--sqn",
        "000000000000",
        "--amf",
        "0000",
        "--auts",
        s(v, "auts"),
    ]);
    assert_eq!(out["sqn_ms"], s(v, "sqn_ms"));
    assert_eq!(out["auts_mac_ok"], "true");
    let (_, keys) = calc_json(
        &[
            "xor",
            "--k",
            s(v, "k"),
            "--rand",
            s(v, "rand"),
            "--sqn",
            "000000000000",
            "--amf",
            "0000",
        ],
        0,
    );
    assert_eq!(keys, MILENAGE_KEYS[1..]);
}
