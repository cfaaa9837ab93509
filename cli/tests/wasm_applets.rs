//! The loadable-applet example end to end with the binary: `examples/applets/counter.sh` makes a
//! card, `vusim card install`s the WAT counter, lists it and runs its script twice (persistence).
//! Install errors from the CLI name the file and the clash.

use std::process::Command;

fn vusim() -> &'static str {
    env!("CARGO_BIN_EXE_vusim")
}

#[test]
fn counter_example_script_passes() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/applets/counter.sh"
    );
    let out = Command::new("sh")
        .arg(script)
        .arg(vusim())
        .output()
        .expect("run counter.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("16 expectation(s): all passed"), "{stdout}");
    assert!(stdout.ends_with("counter.sh: ok\n"), "{stdout}");
}

#[test]
fn send_and_the_annotator_name_the_applets_declared_instructions() {
    let dir = std::env::temp_dir().join(format!("vusim-wasm-ann-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let card = dir.join("c.toml");
    std::fs::write(&card, vusim_applet::profile::DEFAULT_PROFILE).expect("card");
    let c = card.to_str().expect("utf-8 path");
    let counter = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/applets/counter.wasm"
    );
    let ok = Command::new(vusim())
        .args(["card", "install", "--card", c, "--module", counter])
        .output()
        .expect("install");
    assert!(ok.status.success());
    let out = Command::new(vusim())
        .args([
            "send",
            "--card",
            c,
            "00A4040C0EF0565553494D2D434F554E540001",
            "8004030000",
            "00A4040C0DF0565553494D2D444F4F520001",
            "8004030000",
        ])
        .output()
        .expect("send");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    // With the counter selected, 80 04 is its ADD (the metadata's name); with the door lock
    // selected it is not.
    assert_eq!(lines.iter().filter(|l| **l == "ADD").count(), 1, "{text}");
    assert_eq!(lines.get(5), Some(&"ADD"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn install_refuses_a_clash_and_a_malformed_module_with_the_documented_errors() {
    let dir = std::env::temp_dir().join(format!("vusim-wasm-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let card = dir.join("c.toml");
    std::fs::write(&card, vusim_applet::profile::DEFAULT_PROFILE).expect("card");
    let counter = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/applets/counter.wasm"
    );
    let run = |args: &[&str]| {
        let o = Command::new(vusim()).args(args).output().expect("vusim");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let c = card.to_str().expect("utf-8 path");
    // The label clashes with nothing, the AID with the door lock.
    let (code, err) = run(&[
        "card",
        "install",
        "--card",
        c,
        "--module",
        counter,
        "--aid",
        "F0565553494D2D444F4F520001",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("AID F0565553494D2D444F4F520001 is already on this card (DOOR-LOCK)"),
        "{err}"
    );
    let junk = dir.join("junk.wasm");
    std::fs::write(&junk, b"\0asm\x01\0\0\0\x07\x01").expect("junk");
    let (code, err) = run(&[
        "card",
        "install",
        "--card",
        c,
        "--module",
        junk.to_str().expect("p"),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("junk.wasm: not a usable WebAssembly module"),
        "{err}"
    );
    // Nothing was installed by either.
    let list = Command::new(vusim())
        .args(["card", "applets", c])
        .output()
        .expect("vusim");
    assert!(!String::from_utf8_lossy(&list.stdout).contains("COUNTER"));
    let _ = std::fs::remove_dir_all(&dir);
}
