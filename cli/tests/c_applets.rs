//! The C applets of `examples/applets/` (docs/applets.md §7): the committed `.wasm` files match
//! a fresh `scripts/build-applets` (Debian clang + lld), and the C ports of the door-lock and
//! V2X card applets pass the very scenario scripts of the native ones
//! (`examples/applet-door-lock.script`, `examples/applet-v2x.script`; docs/api/card-applets.md)
//! when installed with `vusim card install` on a fresh card without the native applets — and
//! are refused with 6982 once EF_GBAUAPI (TS 31.102 Rel-18) grants their AIDs nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::vusim;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("vusim-c-applets-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        Dir(d)
    }

    /// A fresh card (TS 35.208 set 1 keys, which the scripts' bootstrap vector was computed
    /// for) without the native card applets, with the C door lock and V2X installed.
    fn card_with_c_applets(&self, name: &str) -> String {
        let card = path(&self.0.join(name));
        let (code, _, err) = vusim(&[
            "card",
            "new",
            "--no-card-applets",
            "--out",
            &card,
            "--k",
            "465B5CE8B199B49FAA5F0A2EE238A6BC",
            "--opc",
            "CD63CB71954A9F4E48A5994E37A02BAF",
        ]);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(&card).expect("card");
        assert!(!text.contains("[applets]"), "{text}");
        let (_, listed, _) = vusim(&["card", "applets", &card]);
        assert!(!listed.contains("DOOR-LOCK"), "{listed}");
        for module in ["door_lock.wasm", "v2x.wasm"] {
            let m = path(&root().join("examples/applets").join(module));
            let (code, out, err) = vusim(&["card", "install", "--card", &card, "--module", &m]);
            assert_eq!(code, 0, "{module}: {out}{err}");
        }
        let (code, listed, err) = vusim(&["card", "applets", &card]);
        assert_eq!(code, 0, "{err}");
        assert!(
            listed.contains("F0565553494D2D444F4F520001  DOOR-LOCK  door_lock.wasm")
                && listed.contains("F0565553494D2D5632580001  V2X-PROVISIONING  v2x.wasm"),
            "{listed}"
        );
        card
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every `examples/applets/NAME.c`.
fn c_sources() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("examples/applets"))
        .expect("examples/applets")
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter_map(|n| n.strip_suffix(".c").map(String::from))
        .collect();
    v.sort();
    v
}

#[test]
fn committed_c_applets_match_a_fresh_build() {
    let dir = Dir::new("build");
    let out = Command::new(root().join("scripts/build-applets"))
        .arg("--out")
        .arg(&dir.0)
        .output()
        .expect("scripts/build-applets (needs Debian clang and lld: scripts/test installs them)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = c_sources();
    assert!(
        names.contains(&"door_lock".to_string()) && names.contains(&"v2x".to_string()),
        "{names:?}"
    );
    for name in names {
        let file = format!("{name}.wasm");
        let fresh = std::fs::read(dir.0.join(&file)).expect("built");
        let committed = std::fs::read(root().join("examples/applets").join(&file))
            .unwrap_or_else(|_| panic!("examples/applets/{file} is not committed"));
        assert!(
            fresh == committed,
            "examples/applets/{file} differs from a fresh build ({} vs {} bytes): run scripts/build-applets",
            committed.len(),
            fresh.len()
        );
    }
}

#[test]
fn the_scenario_scripts_pass_with_the_c_applets_installed() {
    let dir = Dir::new("scenarios");
    for (i, script) in [
        "examples/applet-door-lock.script",
        "examples/applet-v2x.script",
    ]
    .iter()
    .enumerate()
    {
        let card = dir.card_with_c_applets(&format!("c{i}.toml"));
        let (code, out, err) = vusim(&["run", "--card", &card, &path(&root().join(script))]);
        assert_eq!(code, 0, "{script}:\n{out}{err}");
        assert!(out.contains(": all passed"), "{out}");
        // What the applets kept is in their persistent store, in the card file.
        let text = std::fs::read_to_string(&card).expect("card");
        let kept = if i == 0 {
            "66726F6E74"
        } else {
            "656E726F6C6D656E74"
        };
        assert!(text.to_uppercase().contains(kept), "{text}");
    }
}

#[test]
fn without_an_ef_gbauapi_grant_the_c_applets_are_refused() {
    let dir = Dir::new("wiped");
    // Empty EF_GBAUAPI records 1 and 2 of ADF.USIM after VERIFY ADM1.
    let mut wipe = String::from(
        "select ADF.USIM => 62 * 9000\n\
         verify pin1 1234 => 9000\n\
         00 20 00 0A 08 3838383838383838 => 9000\n\
         select ADF.USIM/EF.GBAUAPI => 62 * 9000\n",
    );
    for r in [1, 2] {
        wipe.push_str(&format!(
            "00 DC {r:02X} 04 40 {} => 9000\n",
            "FF".repeat(64)
        ));
    }
    let wipe_script = dir.0.join("wipe.script");
    std::fs::write(&wipe_script, wipe).expect("script");
    for (i, script) in [
        "examples/applet-door-lock.script",
        "examples/applet-v2x.script",
    ]
    .iter()
    .enumerate()
    {
        let card = dir.card_with_c_applets(&format!("w{i}.toml"));
        let (code, _, err) = vusim(&["run", "--card", &card, &path(&wipe_script)]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = vusim(&["run", "--card", &card, &path(&root().join(script))]);
        assert_eq!(code, 1, "{script} must fail:\n{out}{err}");
        // The first applet command (GET INFO, after the bootstrap) is refused with 6982.
        assert!(err.contains("got 6982"), "{err}");
        assert!(out.contains("< 6982"), "{out}");
    }
}
