//! The C applets of `examples/applets/` (docs/applets.md §7): the committed `.wasm` files match
//! a fresh `scripts/build-applets` (Debian clang + lld), and the C ports of the door-lock and
//! V2X card applets pass the very scenario scripts of the native ones
//! (`examples/applet-door-lock.script`, `examples/applet-v2x.script`; docs/api/card-applets.md)
//! when installed with `vusim card install` on a fresh card without the native applets — and
//! are refused with 6982 once EF_GBAUAPI (TS 31.102 Rel-18) grants their AIDs nothing; bad
//! input gets the native applets' status words.

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

/// Commands with bad input and out-of-sequence commands, after the GBA_U bootstrap: the C
/// applets answer each with the native applet's status word (same checks, same order).
const PROBES: &str = "\
select F0565553494D2D444F4F520001
00 52 00 00 00
80 52 01 00 00
00 52 01 00 00
80 52 00 01 00
80 60 00 00 00
00 60 00 00 00
80 54 00 00
80 54 00 00 03 84 01 00
80 54 00 00 02 84 01
80 52 00 00 03 4F 01 00
80 52 00 00 02 90 00
80 52 00 00 03 5F 20 00
80 52 00 00 02 4F 80
80 52 00 00 08 4F 81 05 A000000087 00
80 54 00 00 3F 84 05 66726F6E74 90 01 01 94 10 0000000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 10 AF8A4C525D73118C6540614D2A6C0201
80 54 00 00 40 84 05 66726F6E74 90 02 1111 94 10 0000000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 10 AF8A4C525D73118C6540614D2A6C0201
80 54 00 00 3E 84 05 66726F6E74 90 01 11 94 0F 00000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 10 AF8A4C525D73118C6540614D2A6C0201
80 54 00 00 3E 84 05 66726F6E74 90 01 11 94 10 0000000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 0F 8A4C525D73118C6540614D2A6C0201
80 54 00 00 42 84 05 66726F6E74 90 01 11 90 01 11 94 10 0000000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 10 AF8A4C525D73118C6540614D2A6C0201
80 54 00 00 3F 84 05 66726F6E74 90 01 11 94 10 0000000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 10 AF8A4C525D73118C6540614D2A6C0200
80 54 00 00 41 FF 84 05 66726F6E74 90 01 11 94 10 0000000000000000000000000000D001 92 0F 30B0FE030019865688D38D95432D35 93 10 AF8A4C525D73118C6540614D2A6C0201 00
80 5A 00 00 2B 84 05 66726F6E74 8F 0F 343731312D66726F6E742D646F6F72 92 11 756E6C6F636B2066726F6E7420646F6F72 00
80 58 00 00 22 97 20 A1259701D985197198B0380464DA0409ADC3AEB166EFB605E26A7E691BB5F62F
80 58 00 00 21 97 1F A1259701D985197198B0380464DA0409ADC3AEB166EFB605E26A7E691BB5F6
80 56 00 00 00
80 58 00 00 22 97 20 A1259701D985197198B0380464DA0409ADC3AEB166EFB605E26A7E691BB5F62F
80 5A 00 00 2B 84 05 66726F6E74 8F 0F 343731312D66726F6E742D646F6F72 92 11 756E6C6F636B2066726F6E7420646F6F72 00
80 5A 00 00 22 84 05 6F74686572 8F 02 3437 92 11 756E6C6F636B2066726F6E7420646F6F72 00
select F0565553494D2D5632580001
80 52 00 00 00
80 54 00 00 09 96 07 CA0E0000000000 00
80 56 00 00 22 97 20 1BEA69403ED42F43BD4EBA7CC0CBACADE51D649A89D4146CA85E570BAAF190FE
80 58 00 00 22 94 10 0000000000000000000000000000E002 92 00 93 10 7094EC1C6BE2BB0F73EB61D6DBCD0B74 00
80 58 00 00 21 94 0F 00000000000000000000000000E002 92 00 93 10 7094EC1C6BE2BB0F73EB61D6DBCD0B74 00
80 54 00 00 12 96 10 CA0E000000000000000000000000E001 00
80 56 00 00 22 97 20 00EA69403ED42F43BD4EBA7CC0CBACADE51D649A89D4146CA85E570BAAF190FE
80 58 00 00 22 94 10 0000000000000000000000000000E002 92 00 93 10 7094EC1C6BE2BB0F73EB61D6DBCD0B74 00
";

/// The status words of a run's output (`< …` lines, last two bytes).
fn status_words(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("< "))
        .map(|r| {
            r.chars()
                .filter(char::is_ascii_hexdigit)
                .collect::<String>()
        })
        .filter_map(|r| r.get(r.len().saturating_sub(4)..).map(String::from))
        .collect()
}

#[test]
fn bad_input_gets_the_native_applets_status_words() {
    let dir = Dir::new("probes");
    let bootstrap = path(&root().join("examples/api-gba-bootstrap.script"));
    let probes = dir.0.join("probes.script");
    std::fs::write(&probes, PROBES).expect("script");
    let probes = path(&probes);
    // The native applets: a fresh card file as `card new` makes it.
    let native = path(&dir.0.join("native.toml"));
    let (code, _, err) = vusim(&[
        "card",
        "new",
        "--out",
        &native,
        "--k",
        "465B5CE8B199B49FAA5F0A2EE238A6BC",
        "--opc",
        "CD63CB71954A9F4E48A5994E37A02BAF",
    ]);
    assert_eq!(code, 0, "{err}");
    let c = dir.card_with_c_applets("c.toml");
    let run = |card: &str| {
        let (code, out, err) = vusim(&["run", "--card", card, &bootstrap, &probes]);
        assert_eq!(code, 0, "{out}{err}");
        status_words(&out)
    };
    let (want, got) = (run(&native), run(&c));
    assert_eq!(want.len(), got.len());
    let probes_n = PROBES.lines().count();
    let tail = |v: &[String]| v[v.len() - probes_n..].to_vec();
    let (want, got) = (tail(&want), tail(&got));
    // The probes reach every refusal (not only one answer for all).
    for sw in [
        "6E00", "6A86", "6D00", "6700", "6A80", "6A81", "9862", "6985", "6900", "9000",
    ] {
        assert!(want.iter().any(|w| w == sw), "{sw} not probed: {want:?}");
    }
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(
            w,
            g,
            "probe {}: {}",
            i + 1,
            PROBES.lines().nth(i).unwrap_or("")
        );
    }
}
