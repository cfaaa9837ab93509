//! Profile validation: every problem names the file, the key (or line and column) and what is
//! wrong; files and services map into the card; a corrupt card file is an error, never defaults.

use vusim_applet::profile::{Profile, DEFAULT_PROFILE};
use vusim_applet::store::{DurableCard, StoreError};

fn err_of(text: &str) -> String {
    match Profile::from_toml(text, "p.toml").and_then(|p| p.build_card("p.toml")) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const AUTH: &str = "[auth]\nk = \"465B5CE8B199B49FAA5F0A2EE238A6BC\"\nopc = \"CD63CB71954A9F4E48A5994E37A02BAF\"\n";

#[test]
fn embedded_default_builds() {
    let p = Profile::from_toml(DEFAULT_PROFILE, "default").expect("parses");
    p.build_card("default").expect("builds");
}

#[test]
fn errors_name_file_key_and_problem() {
    assert_eq!(
        err_of("[auth]\nk = \"00\"\nopc = \"CD63CB71954A9F4E48A5994E37A02BAF\"\n"),
        "p.toml: auth.k: expected 16 bytes (32 hex digits), got 1 bytes"
    );
    assert_eq!(err_of("[auth]\nk = \"zz\"\n"), "p.toml: auth.k: not hex");
    assert_eq!(
        err_of("[auth]\nk = \"465B5CE8B199B49FAA5F0A2EE238A6BC\"\n"),
        "p.toml: auth.op: give exactly one of op and opc"
    );
    assert_eq!(
        err_of(&AUTH.replace("[auth]", "[auth]\nalgorithm = \"comp128\"")),
        "p.toml: auth.algorithm: unknown algorithm \"comp128\" (milenage, tuak or xor)"
    );
    assert_eq!(
        err_of(&format!("{AUTH}[usim]\nimsi = \"12ab\"\n")),
        "p.toml: usim.imsi: expected 6 to 15 digits, got \"12ab\""
    );
    assert_eq!(
        err_of(&format!("{AUTH}[usim]\nmnc_len = 4\n")),
        "p.toml: usim.mnc_len: expected 2 or 3, got 4"
    );
    assert_eq!(
        err_of(&format!("{AUTH}[pins]\npin1 = \"12\"\n")),
        "p.toml: pins.pin1: expected 4 to 8 digits, got \"12\""
    );
    assert!(
        err_of(&format!("{AUTH}[services]\nust = [\"teleportation\"]\n"))
            .starts_with("p.toml: services.ust: unknown service name \"teleportation\"")
    );
    assert_eq!(
        err_of(&format!("{AUTH}[services]\nust = [999]\n")),
        // EF.UST of 19 bytes: room for the Rel-18 services up to n°150 (TS 31.102 §4.2.8).
        "p.toml: services.ust: service number 999 out of range 1..=152"
    );
    assert!(err_of(&format!("{AUTH}[files]\n\"EF.NOPE\" = \"00\"\n"))
        .starts_with("p.toml: files.\"EF.NOPE\": no file of that name"));
    assert!(
        err_of(&format!("{AUTH}[files]\n\"EF.AD\" = \"0000000200\"\n"))
            .contains("5 bytes given, the file holds 4")
    );
    // Unknown keys and TOML syntax errors: line and column.
    assert_eq!(
        err_of(&format!("{AUTH}[usim]\nimsy = \"001010123456789\"\n"))
            .split(": ")
            .take(2)
            .collect::<Vec<_>>(),
        ["p.toml", "line 5, column 1"]
    );
    assert!(err_of("[auth\n").starts_with("p.toml: line 1, column"));
}

#[test]
fn files_and_services_reach_the_card() {
    let text = format!(
        "{AUTH}[usim]\nimsi = \"26201123456789\"\nmnc_len = 2\n[services]\nust = [\"gsm-access\", 38, \"gba\"]\n[files]\n\"EF.ACC\" = \"0200\"\n\"USIM:6F7B\" = \"62F210\"\n"
    );
    let mut c = Profile::from_toml(&text, "p.toml")
        .expect("parse")
        .build_card("p.toml")
        .expect("build");
    let x = |c: &mut vusim_applet::card::Card, h: &str| {
        hex::encode_upper(c.transmit_bytes(&hex::decode(h).expect("hex")))
    };
    assert_eq!(x(&mut c, "00A4040C07A0000000871002"), "9000");
    assert_eq!(x(&mut c, "002000010831323334FFFFFFFF"), "9000");
    // Even-length IMSI: type nibble 1, filler F (TS 24.008 §10.5.1.4).
    assert_eq!(x(&mut c, "00B0870009"), "0821261021436587F99000");
    assert_eq!(x(&mut c, "00B0860002"), "02009000");
    assert_eq!(x(&mut c, "00B08D000C"), "62F210FFFFFFFFFFFFFFFFFF9000");
    // Only services 27, 38 and 68: EF.SPN (n°19) and DF.5GS are gone, EF.GBABP (n°68) is there.
    assert_eq!(x(&mut c, "00A4000C026F46"), "6A82");
    assert_eq!(x(&mut c, "00A4000C025FC0"), "6A82");
    assert_eq!(x(&mut c, "00A4000C026FD6"), "9000");
    // UST: n°27 (byte 4 bit 3), n°38 (byte 5 bit 6), n°68 (byte 9 bit 4).
    assert_eq!(
        x(&mut c, "00B0840011"),
        "0000000420000000080000000000000000 9000".replace(' ', "")
    );
}

#[test]
fn corrupt_or_truncated_card_files_are_errors() {
    let dir = std::env::temp_dir().join(format!("vusim-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("card.toml");
    // Cut inside a value (the subscriber key's string), as a crash mid-copy would.
    let cut = DEFAULT_PROFILE.find("k = \"").expect("k") + 8;
    std::fs::write(&path, &DEFAULT_PROFILE[..cut]).expect("write");
    match DurableCard::open(&path) {
        Err(StoreError::Profile(e)) => assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        ),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a truncated card file must not load"),
    }
    std::fs::write(&path, format!("{DEFAULT_PROFILE}\n[state]\npins = 7\n")).expect("write");
    let e = DurableCard::open(&path)
        .err()
        .expect("corrupt state must not load");
    assert!(e.to_string().contains("card.toml"), "{e}");
    let e = DurableCard::open(&dir.join("missing.toml"))
        .err()
        .expect("missing file");
    assert!(
        e.to_string()
            .contains("missing.toml: reading the card file"),
        "{e}"
    );
}
