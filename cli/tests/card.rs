//! `vusim card new` / `vusim card show`: a fresh profile that builds, secrets redacted unless --reveal.

mod common;
use common::vusim;

#[test]
fn new_then_show() {
    let dir = std::env::temp_dir().join(format!("vusim-card-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("c.toml");
    let f = file.display().to_string();
    let k = "000102030405060708090A0B0C0D0E0F";
    let (code, _, err) = vusim(&[
        "card",
        "new",
        "--out",
        &f,
        "--imsi",
        "001019876543210",
        "--k",
        k,
        "--opc",
        "FFEEDDCCBBAA99887766554433221100",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vusim(&["card", "new", "--out", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("exists"), "{err}");
    let (code, out, _) = vusim(&["card", "show", &f]);
    assert_eq!(code, 0);
    assert!(out.contains("imsi = \"001019876543210\""), "{out}");
    assert!(out.contains("k = \"<redacted>\""), "{out}");
    assert!(!out.contains(k), "K leaked: {out}");
    assert!(out.contains("# PIN 01: 3 retries left, enabled"), "{out}");
    let (_, out, _) = vusim(&["card", "show", "--reveal", &f]);
    assert!(out.contains(k), "{out}");
    // Random keys differ between two new cards.
    let (_, a, _) = vusim(&["card", "new"]);
    let (_, b, _) = vusim(&["card", "new"]);
    assert_ne!(a, b);
    let (code, _, err) = vusim(&["card", "new", "--imsi", "12"]);
    assert_eq!(code, 2);
    assert!(err.contains("usim.imsi: expected 6 to 15 digits"), "{err}");
}
