//! The card applets on the GBA_U key service (docs/api/card-applets.md): the door-lock and V2X
//! scenario scripts pass on fresh cards — the embedded one and card files made by `vusim card
//! new` — and fail with the documented status word (6982) once EF_GBAUAPI (TS 31.102 Rel-18)
//! grants nothing (records wiped after VERIFY ADM1), or grants only another applet.

mod common;

use std::path::PathBuf;

use common::vusim;

const DOOR: &str = "examples/applet-door-lock.script";
const V2X: &str = "examples/applet-v2x.script";

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .display()
        .to_string()
}

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("vusim-applets-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        Dir(d)
    }

    /// A fresh card file from `vusim card new` (random K and OPc: the scripts' network side
    /// computes from the card's own subscription).
    fn card(&self, name: &str) -> String {
        let path = self.0.join(name).display().to_string();
        let (code, _, err) = vusim(&["card", "new", "--out", &path]);
        assert_eq!(code, 0, "{err}");
        path
    }

    fn script(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("script");
        path.display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn both_scenarios_pass_on_fresh_cards() {
    for script in [DOOR, V2X] {
        let (code, out, err) = vusim(&["run", &example(script)]);
        assert_eq!(code, 0, "{script} on the embedded card:\n{out}{err}");
        assert!(out.contains(": all passed"), "{out}");
        let dir = Dir::new("fresh");
        let card = dir.card("c.toml");
        let (code, out, err) = vusim(&["run", "--card", &card, &example(script)]);
        assert_eq!(code, 0, "{script} on a new card file:\n{out}{err}");
    }
}

/// Empty EF_GBAUAPI records 1 and 2 of ADF.USIM (after VERIFY ADM1), in `records`.
fn wipe(records: &[u8]) -> String {
    let mut s = String::from(
        "select ADF.USIM => 62 * 9000\n\
         verify pin1 1234 => 9000\n\
         00 20 00 0A 08 3838383838383838 => 9000\n\
         select ADF.USIM/EF.GBAUAPI => 62 * 9000\n",
    );
    for r in records {
        s.push_str(&format!(
            "00 DC {r:02X} 04 40 {} => 9000\n",
            "FF".repeat(64)
        ));
    }
    s
}

#[test]
fn without_an_ef_gbauapi_grant_the_applets_are_refused() {
    let dir = Dir::new("wiped");
    let wipe_all = dir.script("wipe.script", &wipe(&[1, 2]));
    for script in [DOOR, V2X] {
        let card = dir.card("c.toml");
        let (code, _, err) = vusim(&["run", "--card", &card, &wipe_all]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = vusim(&["run", "--card", &card, &example(script)]);
        assert_eq!(code, 1, "{script} must fail:\n{out}{err}");
        // The first applet command (GET INFO, after the bootstrap) is refused with 6982.
        assert!(
            err.contains(&format!("{script}:")) && err.contains("got 6982"),
            "{err}"
        );
        assert!(out.contains("< 6982"), "{out}");
        std::fs::remove_file(&card).expect("rm");
        let _ = std::fs::remove_file(format!("{card}.hss"));
    }
}

#[test]
fn an_applet_not_listed_is_refused_while_the_listed_one_works() {
    let dir = Dir::new("one");
    // Record 2 granted the V2X applet; record 1 (the door lock) stays.
    let wipe_v2x = dir.script("wipe.script", &wipe(&[2]));
    let door_card = dir.card("door.toml");
    let v2x_card = dir.card("v2x.toml");
    for card in [&door_card, &v2x_card] {
        let (code, _, err) = vusim(&["run", "--card", card, &wipe_v2x]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = vusim(&["run", "--card", &door_card, &example(DOOR)]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = vusim(&["run", "--card", &v2x_card, &example(V2X)]);
    assert_eq!(code, 1);
    assert!(out.contains("< 6982"), "{out}");
    // The EF decodes to the grant that is left.
    let (code, out, err) = vusim(&[
        "decode",
        "--ef",
        "EF.GBAUAPI",
        "80240DF0565553494D2D444F4F520001156C6F636B2E6578616D706C652E6F72670100000002FFFF",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "applet F0565553494D2D444F4F520001 may use Ks_int_NAF of NAF lock.example.org \
             (Ua protocol 0100000002)"
        ),
        "{out}"
    );
}
