//! Loadable WebAssembly applets (docs/applets.md): the documented answers of a working, a
//! runaway, a trapping and a malformed applet, rollback and persistence, install errors.
//! Expected status words come from docs/applets.md §3 and the example's own comment.
#![cfg(feature = "wasm-applets")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use base64::Engine as _;
use vusim_applet::card::Card;
use vusim_applet::profile::sections::LoadableEntry;
use vusim_applet::profile::Profile;

const COUNTER_AID: &str = "F0565553494D2D434F554E540001";

fn counter_wasm() -> Vec<u8> {
    wat::parse_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/applets/counter.wat"
    ))
    .expect("counter.wat assembles")
}

fn entry(bytes: &[u8]) -> LoadableEntry {
    LoadableEntry {
        module: base64::engine::general_purpose::STANDARD.encode(bytes),
        name: Some("test.wasm".into()),
        ..LoadableEntry::default()
    }
}

fn card_with(entries: Vec<LoadableEntry>) -> Result<Card, String> {
    let mut p = Profile::embedded_default();
    p.loadable = entries;
    p.build_card("test.toml").map_err(|e| e.to_string())
}

fn tx(card: &mut Card, apdu: &str) -> String {
    let bytes = hex::decode(apdu.replace(' ', "")).unwrap();
    hex::encode_upper(card.transmit_bytes(&bytes))
}

fn select(card: &mut Card, aid: &str) -> String {
    tx(card, &format!("00A4040C{:02X}{aid}", aid.len() / 2))
}

#[test]
fn counter_answers_as_documented_and_rolls_back_errors() {
    let mut e = entry(&counter_wasm());
    e.params = Some("00000005".into());
    let mut card = card_with(vec![e]).unwrap();
    assert_eq!(select(&mut card, COUNTER_AID), "9000");
    assert_eq!(tx(&mut card, "80020000 00"), "000000059000");
    assert_eq!(tx(&mut card, "80040300 00"), "000000089000");
    // ADD-THROW: the addition is rolled back, the thrown word answers.
    assert_eq!(tx(&mut card, "80080700 00"), "6A80");
    assert_eq!(tx(&mut card, "80020000 00"), "000000089000");
    // ADD-TRAP: 6F00, rolled back, the card answers the next command.
    assert_eq!(tx(&mut card, "800C0700 00"), "6F00");
    assert_eq!(tx(&mut card, "80020000 00"), "000000089000");
    // SPIN: the fuel budget ends the runaway loop.
    assert_eq!(tx(&mut card, "800A0000 00"), "6F00");
    assert_eq!(tx(&mut card, "80020000 00"), "000000089000");
    assert_eq!(tx(&mut card, "800E0000 03 010203 00"), "0102039000");
    assert_eq!(tx(&mut card, "80500000 00"), "6D00");
    assert_eq!(tx(&mut card, "00020000 00"), "6E00");
    // The runtime still answers its own commands on the basic channel's MF.
    assert_eq!(tx(&mut card, "00A4000C 02 3F00"), "9000");
}

#[test]
fn transient_memory_ends_with_deselect_reset_and_traps() {
    let mut card = card_with(vec![entry(&counter_wasm())]).unwrap();
    assert_eq!(select(&mut card, COUNTER_AID), "9000");
    assert_eq!(tx(&mut card, "80060000 00"), "000000019000");
    assert_eq!(tx(&mut card, "80060000 00"), "000000029000");
    // Another applet selected on the channel deselects it: a fresh instance next time.
    assert_eq!(select(&mut card, "F0565553494D2D444F4F520001"), "9000");
    assert_eq!(select(&mut card, COUNTER_AID), "9000");
    assert_eq!(tx(&mut card, "80060000 00"), "000000019000");
    card.reset();
    assert_eq!(select(&mut card, COUNTER_AID), "9000");
    assert_eq!(tx(&mut card, "80060000 00"), "000000019000");
    assert_eq!(tx(&mut card, "800C0100 00"), "6F00");
    assert_eq!(tx(&mut card, "80060000 00"), "000000019000");
    // Selected on two channels: deselecting one keeps the instance for the other.
    assert_eq!(tx(&mut card, "00700000 01"), "019000");
    assert_eq!(tx(&mut card, &format!("01A4040C0E{COUNTER_AID}")), "9000");
    assert_eq!(tx(&mut card, "81060000 00"), "000000029000");
    assert_eq!(tx(&mut card, "00A4000C 02 3F00"), "9000");
    assert_eq!(tx(&mut card, "81060000 00"), "000000039000");
    assert_eq!(tx(&mut card, "00708001"), "9000");
}

#[test]
fn persistent_state_survives_a_rebuild_from_the_image_and_install_runs_once() {
    let mut e = entry(&counter_wasm());
    e.params = Some("00000010".into());
    let mut p = Profile::embedded_default();
    p.loadable = vec![e];
    let mut card = p.build_card("t").unwrap();
    assert!(
        card.take_dirty(),
        "install wrote the store: the card must be saved"
    );
    assert_eq!(select(&mut card, COUNTER_AID), "9000");
    assert_eq!(tx(&mut card, "80040200 00"), "000000129000");
    assert!(card.take_dirty());
    // A failed command changes nothing durable.
    assert_eq!(tx(&mut card, "80080200 00"), "6A80");
    let img = card.image();
    let state = img
        .apps
        .get("COUNTER")
        .expect("state saved under the label");
    assert_eq!(
        state.get("installed").and_then(toml::Value::as_bool),
        Some(true)
    );
    p.state = Some(img);
    let text = p.to_toml().unwrap();
    let back = Profile::from_toml(&text, "t").unwrap();
    let mut card2 = back.build_card("t").unwrap();
    assert!(!card2.take_dirty(), "install does not run again");
    assert_eq!(select(&mut card2, COUNTER_AID), "9000");
    assert_eq!(tx(&mut card2, "80020000 00"), "000000129000");
}

#[test]
fn ef_dir_lists_the_applet_and_the_annotator_names_its_instructions() {
    let mut card = card_with(vec![entry(&counter_wasm())]).unwrap();
    let apps: Vec<(Vec<u8>, String)> = card
        .applications()
        .map(|(a, l)| (a.to_vec(), l.to_string()))
        .collect();
    let (aid, label) = apps.last().unwrap();
    assert_eq!(hex::encode_upper(aid), COUNTER_AID);
    assert_eq!(label, "COUNTER");
    // EF.DIR record n: 61 19 { 4F 0E AID, 50 07 "COUNTER" } (TS 102 221 §13.1: 16 + 9 bytes).
    let n = apps.len();
    assert_eq!(tx(&mut card, "00A4000C 02 2F00"), "9000");
    let rec = tx(&mut card, &format!("00B2{n:02X}04 26"));
    let want = format!("61194F0E{COUNTER_AID}5007{}", hex::encode_upper("COUNTER"));
    assert!(rec.starts_with(&want), "{rec}");
    assert_eq!(select(&mut card, COUNTER_AID), "9000");
    assert_eq!(card.applet_ins_name(0, 0x04), Some("ADD"));
    assert_eq!(card.applet_ins_name(0, 0x40), None);
}

/// A module with the required exports; `process` is `body`, `extra` adds imports.
fn module(extra: &str, body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
  (import "vusim" "response" (func $response (param i32 i32) (result i32)))
  (import "vusim" "gba_key_info" (func $key_info (param i32 i32 i32 i32 i32) (result i32)))
  {extra}
  (memory (export "memory") 1)
  (data (i32.const 100) "x.example.orgAAAAA")
  (func (export "vusim_abi_version") (result i32) (i32.const 1))
  (func (export "install") (result i32) (i32.const 0x9000))
  (func (export "select") (param i32) (result i32) (i32.const 0x9000))
  (func (export "deselect") (param i32))
  (func (export "process") (param $ch i32) (result i32) {body})
  (@custom "vusim.applet" "aid=F0010203040506\nlabel=T\n"))"#
    ))
    .expect("test module assembles")
}

fn refused(bytes: &[u8]) -> String {
    vusim_applet::wasm::check("bad.wasm", bytes)
        .err()
        .expect("refused")
        .to_string()
}

#[test]
fn malformed_modules_are_refused_naming_the_file_and_the_export() {
    assert_eq!(
        refused(b"\0asm\x01\0\0\0garbage").split(':').next(),
        Some("bad.wasm")
    );
    let missing = wat::parse_str(
        r#"(module (memory (export "memory") 1)
           (func (export "vusim_abi_version") (result i32) (i32.const 1))
           (func (export "install") (result i32) (i32.const 0x9000))
           (func (export "select") (param i32) (result i32) (i32.const 0x9000))
           (func (export "deselect") (param i32)))"#,
    )
    .unwrap();
    assert_eq!(
        refused(&missing),
        "bad.wasm: export \"process\": expected function (i32) -> (i32), found nothing (missing)"
    );
    let mistyped = wat::parse_str(
        r#"(module (memory (export "memory") 1)
           (func (export "vusim_abi_version") (result i32) (i32.const 1))
           (func (export "install") (result i32) (i32.const 0x9000))
           (func (export "select") (result i32) (i32.const 0x9000))
           (func (export "deselect") (param i32))
           (func (export "process") (param i32) (result i32) (i32.const 0x9000)))"#,
    )
    .unwrap();
    assert_eq!(
        refused(&mistyped),
        "bad.wasm: export \"select\": expected function (i32) -> (i32), found function () -> (i32)"
    );
    let v2 = wat::parse_str(
        r#"(module (memory (export "memory") 1)
           (func (export "vusim_abi_version") (result i32) (i32.const 2))
           (func (export "install") (result i32) (i32.const 0x9000))
           (func (export "select") (param i32) (result i32) (i32.const 0x9000))
           (func (export "deselect") (param i32))
           (func (export "process") (param i32) (result i32) (i32.const 0x9000)))"#,
    )
    .unwrap();
    assert_eq!(
        refused(&v2),
        "bad.wasm: export \"vusim_abi_version\" returned 2; this vusim implements ABI version 1"
    );
    let foreign = module(
        r#"(func $f (import "env" "printf") (param i32))"#,
        "(i32.const 0x9000)",
    );
    assert_eq!(
        refused(&foreign),
        "bad.wasm: import \"env\".\"printf\": only module \"vusim\" is provided"
    );
    let mistyped_import = module(
        r#"(func $g (import "vusim" "now") (result i32))"#,
        "(i32.const 0x9000)",
    );
    assert_eq!(
        refused(&mistyped_import),
        "bad.wasm: import \"vusim\".\"now\": expected function () -> (i64), found function () -> (i32)"
    );
    // Memory beyond the cap (4 pages).
    let big = wat::parse_str(
        r#"(module (memory (export "memory") 5)
           (func (export "vusim_abi_version") (result i32) (i32.const 1))
           (func (export "install") (result i32) (i32.const 0x9000))
           (func (export "select") (param i32) (result i32) (i32.const 0x9000))
           (func (export "deselect") (param i32))
           (func (export "process") (param i32) (result i32) (i32.const 0x9000)))"#,
    )
    .unwrap();
    assert!(refused(&big).starts_with("bad.wasm: install: instantiation:"));
    // The profile names the entry and the file too.
    let e = card_with(vec![entry(&missing)]).err().unwrap();
    assert!(
        e.contains("loadable[0]") && e.contains("test.wasm: export \"process\""),
        "{e}"
    );
}

#[test]
fn memory_cap_bad_pointers_and_the_key_service_check() {
    // memory.grow past 4 pages answers -1; within, the old size.
    let grow = module(
        "",
        r#"(i32.store (i32.const 0) (memory.grow (i32.const 3)))
           (i32.store (i32.const 4) (memory.grow (i32.const 1)))
           (drop (call $response (i32.const 0) (i32.const 8)))
           (i32.const 0x9000)"#,
    );
    let mut card = card_with(vec![entry(&grow)]).unwrap();
    assert_eq!(select(&mut card, "F0010203040506"), "9000");
    assert_eq!(tx(&mut card, "80000000 00"), "01000000FFFFFFFF9000");
    // A response pointer outside the applet's memory: a trap, 6F00; the card goes on.
    let wild = module(
        "",
        r#"(drop (call $response (i32.const 0x7FFFFFF0) (i32.const 64))) (i32.const 0x9000)"#,
    );
    let mut card = card_with(vec![entry(&wild)]).unwrap();
    assert_eq!(select(&mut card, "F0010203040506"), "9000");
    assert_eq!(tx(&mut card, "80000000 00"), "6F00");
    assert_eq!(tx(&mut card, "80000000 00"), "6F00");
    assert_eq!(tx(&mut card, "00A4000C 02 3F00"), "9000");
    // The GBA_U key service checks EF_GBAUAPI with the applet's registered AID: not granted
    // (-1 = FFFFFFFF), then granted but no Ks_int_NAF yet (-2 = FFFFFFFE).
    let info = module(
        "",
        r#"(i32.store (i32.const 0)
              (call $key_info (i32.const 100) (i32.const 18) (i32.const 200) (i32.const 64) (i32.const 300)))
           (drop (call $response (i32.const 0) (i32.const 4)))
           (i32.const 0x9000)"#,
    );
    let mut card = card_with(vec![entry(&info)]).unwrap();
    assert_eq!(select(&mut card, "F0010203040506"), "9000");
    assert_eq!(tx(&mut card, "80000000 00"), "FFFFFFFF9000");
    let mut p = Profile::embedded_default();
    p.loadable = vec![entry(&info)];
    let mut text = p.to_toml().unwrap();
    // NAF_ID = "x.example.org" ‖ "AAAAA" (Ua id 41 41 41 41 41).
    text.push_str("\n[[gbauapi]]\napplet = \"F0010203040506\"\nnaf = \"x.example.org\"\nua = \"4141414141\"\n");
    let mut card = Profile::from_toml(&text, "t")
        .unwrap()
        .build_card("t")
        .unwrap();
    assert_eq!(select(&mut card, "F0010203040506"), "9000");
    assert_eq!(tx(&mut card, "80000000 00"), "FEFFFFFF9000");
}

#[test]
fn install_failures_and_duplicates_keep_the_card_from_building() {
    let bad_install = wat::parse_str(
        r#"(module (memory (export "memory") 1)
           (func (export "vusim_abi_version") (result i32) (i32.const 1))
           (func (export "install") (result i32) (i32.const 0x6A80))
           (func (export "select") (param i32) (result i32) (i32.const 0x9000))
           (func (export "deselect") (param i32))
           (func (export "process") (param i32) (result i32) (i32.const 0x9000)))"#,
    )
    .unwrap();
    let mut e = entry(&bad_install);
    e.aid = Some("F0AABBCCDD".into());
    let err = card_with(vec![e]).err().unwrap();
    assert!(
        err.contains("test.wasm: install: returned 6A80, not 9000"),
        "{err}"
    );
    // No AID anywhere.
    let no_meta = wat::parse_str(
        r#"(module (memory (export "memory") 1)
           (func (export "vusim_abi_version") (result i32) (i32.const 1))
           (func (export "install") (result i32) (i32.const 0x9000))
           (func (export "select") (param i32) (result i32) (i32.const 0x9000))
           (func (export "deselect") (param i32))
           (func (export "process") (param i32) (result i32) (i32.const 0x9000)))"#,
    )
    .unwrap();
    let err = card_with(vec![entry(&no_meta)]).err().unwrap();
    assert!(
        err.contains("no aid, and the module declares none"),
        "{err}"
    );
    // EF.DIR has 8 records: enough loadable applets overflow it.
    let entries: Vec<LoadableEntry> = (0..8u8)
        .map(|i| {
            let mut e = entry(&no_meta);
            e.aid = Some(format!("F0AABBCC{i:02X}"));
            e
        })
        .collect();
    let err = card_with(entries).err().unwrap();
    assert!(err.contains("EF.DIR has no room for application"), "{err}");
}

/// The committed `examples/applets/*.wasm` (what `counter.sh` installs and `vusim bench` embeds)
/// are their WAT's fresh assembly; `VUSIM_BLESS=1` rewrites them.
#[test]
fn committed_example_wasm_matches_a_fresh_build() {
    for name in ["counter", "gba-probe"] {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/applets/");
        let fresh = wat::parse_file(format!("{dir}{name}.wat")).expect("assembles");
        let path = format!("{dir}{name}.wasm");
        if std::env::var_os("VUSIM_BLESS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            fresh,
            "{name}: rebuild with VUSIM_BLESS=1"
        );
    }
}
