//! `vusim calc` end to end: the binary reproduces the published vectors in `vectors/*.json`,
//! agrees with the library (AUTS) and with an independent KDF (GBA), and names bad arguments.
//! The helpers are here; the AKA algorithms are `aka.rs`, the derivations `derive.rs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

mod aka;
#[path = "../common/mod.rs"]
mod common;
mod derive;
use common::vusim;

/// Runs `vusim calc …` (text output), expects exit 0 and returns the `name: value` lines.
fn calc(args: &[&str]) -> BTreeMap<String, String> {
    let (code, out, err) = vusim(&[&["calc"], args].concat());
    assert_eq!(code, 0, "args {args:?}\nstdout {out}\nstderr {err}");
    lines(&out)
}

fn lines(out: &str) -> BTreeMap<String, String> {
    out.lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").expect("name: value line");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// Runs `vusim calc … --json`, expects exit `code`, returns the object and its keys in order.
fn calc_json(args: &[&str], code: i32) -> (Value, Vec<String>) {
    let (got, out, err) = vusim(&[&["calc"], args, &["--json"]].concat());
    assert_eq!(got, code, "args {args:?}\nstdout {out}\nstderr {err}");
    assert_eq!(out.trim().lines().count(), 1, "one line: {out}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    let obj = v.as_object().expect("object");
    let mut keys: Vec<(usize, String)> = obj
        .keys()
        .map(|k| {
            (
                out.find(&format!("\"{k}\":")).expect("key in text"),
                k.clone(),
            )
        })
        .collect();
    keys.sort();
    (v.clone(), keys.into_iter().map(|(_, k)| k).collect())
}

/// Expects exit 2 and returns stderr.
fn calc_err(args: &[&str]) -> String {
    let (code, out, err) = vusim(&[&["calc"], args].concat());
    assert_eq!(code, 2, "args {args:?}\nstdout {out}\nstderr {err}");
    err
}

/// A vector file, parsed once per call and kept for the rest of the test process.
fn vectors(file: &str) -> &'static Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("read vector file");
    Box::leak(Box::new(serde_json::from_str(&text).expect("vector JSON")))
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .expect("array")
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("vector {name:?}"))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("string field {key} in {v}"))
}

fn unhex(h: &str) -> Vec<u8> {
    hex::decode(h).expect("hex")
}

fn xor_hex(a: &str, b: &str) -> String {
    let v: Vec<u8> = unhex(a).iter().zip(unhex(b)).map(|(x, y)| x ^ y).collect();
    hex::encode(v)
}

const MILENAGE_KEYS: [&str; 11] = [
    "opc", "mac_a", "mac_s", "res", "ck", "ik", "ak", "ak_star", "autn", "sres", "kc",
];

fn milenage_args(v: &Value) -> Vec<&str> {
    vec![
        "milenage",
        "--k",
        s(v, "k"),
        "--op",
        s(v, "op"),
        "--rand",
        s(v, "rand"),
        "--sqn",
        s(v, "sqn"),
        "--amf",
        s(v, "amf"),
    ]
}
