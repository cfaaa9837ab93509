//! `vusim card new --template full`: every file of vectors/file_ids.json (the TS 102 221, TS 51.011,
//! TS 31.102 Rel-18 and TS 31.103 file list) is present on the card, and the FCP each SELECT
//! returns carries the file descriptor, FID, SFI and size the list gives (TS 102 221 §11.1.1.4).
//! The FCPs are parsed here, independently of the card's encoder.

mod common;
use common::vusim;

use std::collections::BTreeMap;

use serde_json::Value;
use vusim_applet::usim::{ISIM_AID, USIM_AID};

fn reference() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/file_ids.json"
    ))
    .expect("vectors/file_ids.json");
    serde_json::from_str(&text).expect("JSON")
}

fn s<'a>(e: &'a Value, k: &str) -> &'a str {
    e.get(k)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{e}: {k}"))
}

fn num(e: &Value, k: &str) -> Option<usize> {
    e.get(k)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

/// The top-level data objects of an FCP template (tag 62; all lengths below 128 here).
fn fcp_objects(fcp: &[u8]) -> BTreeMap<u8, Vec<u8>> {
    let [0x62, len, body @ ..] = fcp else {
        panic!("not an FCP: {}", hex::encode_upper(fcp));
    };
    assert_eq!(usize::from(*len), body.len(), "FCP length");
    let mut objs = BTreeMap::new();
    let mut rest = body;
    while let [tag, len, more @ ..] = rest {
        let (value, next) = more
            .split_at_checked(usize::from(*len))
            .expect("data object inside the FCP");
        objs.insert(*tag, value.to_vec());
        rest = next;
    }
    assert!(rest.is_empty(), "trailing FCP bytes");
    objs
}

struct Probe {
    what: String,
    apdu: String,
    entry: Option<Value>,
    fid: String,
}

#[test]
fn full_template_holds_every_file_with_its_fcp() {
    let dir = std::env::temp_dir().join(format!("vusim-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("full.toml");
    let f = file.display().to_string();
    let (code, _, err) = vusim(&["card", "new", "--template", "full", "--out", &f]);
    assert_eq!(code, 0, "{err}");

    let v = reference();
    let dfs: BTreeMap<String, String> = v["dfs"]
        .as_array()
        .expect("dfs")
        .iter()
        .map(|d| (s(d, "path").to_string(), s(d, "fid").to_string()))
        .collect();
    // FID path of a DF path below its root (MF or the ADF, written 7FFF).
    let fid_path = |df: &str| -> String {
        let parts: Vec<&str> = df.split('/').collect();
        let mut out = String::new();
        if parts[0] != "MF" {
            out.push_str("7FFF");
        }
        for i in 1..parts.len() {
            out.push_str(&dfs[&parts[..=i].join("/")]);
        }
        out
    };
    let select_path = |path: &str| format!("00A40804{:02X}{path}00", path.len() / 2);
    let mut probes = Vec::new();
    for (root, aid) in [
        ("MF", None),
        ("ADF.USIM", Some(&USIM_AID[..])),
        ("ADF.ISIM", Some(&ISIM_AID[..])),
    ] {
        if let Some(aid) = aid {
            probes.push(Probe {
                what: root.to_string(),
                apdu: format!("00A4040C{:02X}{}", aid.len(), hex::encode_upper(aid)),
                entry: None,
                fid: String::new(),
            });
        }
        for (path, fid) in &dfs {
            if path.split('/').next() == Some(root) && path.contains('/') {
                probes.push(Probe {
                    what: path.clone(),
                    apdu: select_path(&fid_path(path)),
                    entry: None,
                    fid: fid.clone(),
                });
            }
        }
        for e in v["files"].as_array().expect("files") {
            let df = s(e, "df");
            if df.split('/').next() == Some(root) {
                probes.push(Probe {
                    what: format!("{df}/{}", s(e, "name")),
                    apdu: select_path(&format!("{}{}", fid_path(df), s(e, "fid"))),
                    entry: Some(e.clone()),
                    fid: s(e, "fid").to_string(),
                });
            }
        }
    }
    let mut args = vec!["send", "--card", &f, "--json"];
    args.extend(probes.iter().map(|p| p.apdu.as_str()));
    let (code, out, err) = vusim(&args);
    assert_eq!(code, 0, "{err}");
    let answers: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(answers.len(), probes.len());
    let files = probes.iter().filter(|p| p.entry.is_some()).count();
    assert!(files >= 280, "{files} files probed");

    let mut errors = Vec::new();
    for (p, a) in probes.iter().zip(&answers) {
        let sw = s(a, "sw");
        if sw != "9000" {
            errors.push(format!("{}: SELECT answered {sw}", p.what));
            continue;
        }
        if p.fid.is_empty() {
            continue; // SELECT by AID, no data asked for
        }
        let fcp = hex::decode(s(a, "data")).expect("hex");
        let o = fcp_objects(&fcp);
        let fd = o.get(&0x82).cloned().unwrap_or_default();
        if o.get(&0x83).map(hex::encode_upper).as_deref() != Some(p.fid.as_str()) {
            errors.push(format!("{}: FID {:?}", p.what, o.get(&0x83)));
        }
        let Some(e) = &p.entry else {
            if fd.first().map(|b| b & 0x3F) != Some(0x38) {
                errors.push(format!(
                    "{}: DF descriptor {}",
                    p.what,
                    hex::encode_upper(&fd)
                ));
            }
            continue;
        };
        let want = match s(e, "structure") {
            "transparent" => 0x01,
            "linear_fixed" => 0x02,
            "cyclic" => 0x06,
            _ => 0x39,
        };
        if fd.first().map(|b| b & 0x3F) != Some(want) {
            errors.push(format!("{}: descriptor {}", p.what, hex::encode_upper(&fd)));
        }
        let sfi: Vec<u8> = match e.get("sfi").and_then(Value::as_str) {
            Some(x) => vec![u8::from_str_radix(x, 16).expect("sfi") << 3],
            None => Vec::new(),
        };
        if o.get(&0x88) != Some(&sfi) {
            errors.push(format!(
                "{}: SFI DO {:?}, want {sfi:?}",
                p.what,
                o.get(&0x88)
            ));
        }
        let size = o.get(&0x80).map_or(0, |v| {
            v.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b))
        });
        if want == 0x02 || want == 0x06 {
            let (rl, n) = match fd.as_slice() {
                [_, _, hi, lo, n] => ((usize::from(*hi) << 8) | usize::from(*lo), usize::from(*n)),
                _ => (0, 0),
            };
            if rl == 0 || n == 0 || rl * n != size {
                errors.push(format!("{}: {n} records of {rl}, size {size}", p.what));
            }
            if num(e, "record_len").is_some_and(|x| x != rl)
                || num(e, "min_record_len").is_some_and(|x| rl < x)
            {
                errors.push(format!("{}: record length {rl}", p.what));
            }
        } else if want == 0x01
            && (num(e, "size").is_some_and(|x| x != size)
                || num(e, "min_size").is_some_and(|x| size < x)
                || num(e, "size_multiple").is_some_and(|m| !size.is_multiple_of(m))
                || size == 0)
        {
            errors.push(format!("{}: size {size}", p.what));
        }
    }
    assert!(
        errors.is_empty(),
        "{} problem(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The default template is the embedded card: the DFs waiting for services are absent.
#[test]
fn default_template_leaves_ungated_dfs_out() {
    let (code, out, err) = vusim(&["card", "new", "--template", "default"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("ust ="), "{out}");
    let dir = std::env::temp_dir().join(format!("vusim-default-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("d.toml");
    let f = file.display().to_string();
    assert_eq!(vusim(&["card", "new", "--out", &f]).0, 0);
    let aid = format!(
        "00A4040C{:02X}{}",
        USIM_AID.len(),
        hex::encode_upper(USIM_AID)
    );
    // DF.WLAN (5F40) is absent, DF.5GS (5FC0) present.
    let (code, out, err) = vusim(&[
        "send",
        "--card",
        &f,
        "--json",
        &aid,
        "00A4000C025F40",
        "00A4000C025FC0",
    ]);
    assert_eq!(code, 0, "{err}");
    let sws: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON")["sw"]
                .as_str()
                .expect("sw")
                .to_string()
        })
        .collect();
    assert_eq!(sws, ["9000", "6A82", "9000"]);
    let _ = std::fs::remove_dir_all(&dir);
}
