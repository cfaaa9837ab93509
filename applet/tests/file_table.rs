//! The file table (MF, ADF.USIM, ADF.ISIM, walked recursively) against vectors/file_ids.json, an
//! independent transcription of TS 102 221 §13, TS 51.011 §10, TS 31.102 §4 and TS 31.103 §4
//! cross-checked with pySim; plus the table's own invariants: unique FIDs and SFIs per DF,
//! SFIs in 1..=30, default contents that are hex and fit their structure, EF.ARR room for every
//! access rule set, and default service tables that open the files the card is meant to show.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use vusim_applet::fs::spec::{Access, Content, DfSpec, EfSpec, Gate, Rule, Structure};
use vusim_applet::fs::tables::{ADF_ISIM, ADF_USIM, MF};

/// One EF row with the path of its DF (`MF/DF.GSM`, `ADF.USIM/DF.5GS`).
#[derive(Debug, Clone)]
struct Row {
    df: String,
    ef: EfSpec,
}

/// One DF with its path and the path of the application scope it belongs to (`MF` or the ADF).
#[derive(Debug, Clone)]
struct DfRow {
    path: String,
    scope: String,
    spec: DfSpec,
}

fn walk(
    df: &DfSpec,
    path: &str,
    scope: &str,
    efs: &mut Vec<(String, EfSpec)>,
    dfs: &mut Vec<DfRow>,
) {
    dfs.push(DfRow {
        path: path.to_string(),
        scope: scope.to_string(),
        spec: *df,
    });
    for ef in df.efs {
        efs.push((path.to_string(), *ef));
    }
    for child in df.dfs {
        walk(child, &format!("{path}/{}", child.name), scope, efs, dfs);
    }
}

fn tables() -> (Vec<(String, EfSpec)>, Vec<DfRow>) {
    let mut efs = Vec::new();
    let mut dfs = Vec::new();
    walk(&MF, "MF", "MF", &mut efs, &mut dfs);
    walk(&ADF_USIM, "ADF.USIM", "ADF.USIM", &mut efs, &mut dfs);
    walk(&ADF_ISIM, "ADF.ISIM", "ADF.ISIM", &mut efs, &mut dfs);
    (efs, dfs)
}

fn rows() -> Vec<Row> {
    tables()
        .0
        .into_iter()
        .map(|(df, ef)| Row { df, ef })
        .collect()
}

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/file_ids.json"
    ))
    .expect("read vectors/file_ids.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("'{key}' array"))
}

fn text<'a>(e: &'a Value, key: &str) -> &'a str {
    e.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{e}: missing string '{key}'"))
}

fn hex_u16(e: &Value, key: &str) -> u16 {
    u16::from_str_radix(text(e, key), 16).unwrap_or_else(|_| panic!("{e}: '{key}' not hex"))
}

/// `sfi` is a hex string or null; anything else is a malformed entry.
fn ref_sfi(e: &Value) -> Option<u8> {
    match e.get("sfi") {
        Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(u8::from_str_radix(s, 16).unwrap_or_else(|_| panic!("{e}: sfi not hex")))
        }
        _ => panic!("{e}: sfi must be a hex string or null"),
    }
}

fn opt_num(e: &Value, key: &str) -> Option<usize> {
    match e.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or_else(|| panic!("{e}: '{key}' must be a number or null")),
        ),
    }
}

fn kind(s: Structure) -> &'static str {
    match s {
        Structure::Transparent { .. } => "transparent",
        Structure::LinearFixed { .. } => "linear_fixed",
        Structure::Cyclic { .. } => "cyclic",
        Structure::BerTlv { .. } => "ber_tlv",
    }
}

fn record_len(s: Structure) -> Option<usize> {
    match s {
        Structure::LinearFixed { record_len, .. } | Structure::Cyclic { record_len, .. } => {
            Some(usize::from(record_len))
        }
        Structure::Transparent { .. } | Structure::BerTlv { .. } => None,
    }
}

fn reference() -> BTreeMap<(String, String), Value> {
    let v = load();
    let files = list(&v, "files");
    assert!(!files.is_empty(), "vectors/file_ids.json lists no files");
    let mut map = BTreeMap::new();
    for e in files {
        let key = (text(e, "df").to_string(), text(e, "name").to_string());
        assert!(!text(e, "source").is_empty(), "{e}: empty source");
        assert!(
            map.insert(key.clone(), e.clone()).is_none(),
            "duplicate reference entry {key:?}"
        );
    }
    map
}

fn fail_on(errors: Vec<String>) {
    assert!(
        errors.is_empty(),
        "{} problem(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn reference_has_entries() {
    let v = load();
    assert!(
        !list(&v, "files").is_empty(),
        "vectors/file_ids.json lists no files"
    );
    assert!(
        !list(&v, "dfs").is_empty(),
        "vectors/file_ids.json lists no DFs"
    );
    assert!(!text(&v, "description").is_empty());
    assert!(!rows().is_empty(), "the tables hold no EFs");
}

#[test]
fn every_row_matches_the_reference() {
    let reference = reference();
    let rows = rows();
    assert!(!rows.is_empty());
    let mut errors = Vec::new();
    for row in &rows {
        let ef = row.ef;
        let at = format!("{}/{}", row.df, ef.name);
        let Some(e) = reference.get(&(row.df.clone(), ef.name.to_string())) else {
            errors.push(format!("{at}: not in vectors/file_ids.json"));
            continue;
        };
        let fid = hex_u16(e, "fid");
        if ef.fid != fid {
            errors.push(format!("{at}: FID {:04X}, reference {fid:04X}", ef.fid));
        }
        let sfi = ref_sfi(e);
        if ef.sfi != sfi {
            errors.push(format!("{at}: SFI {:02X?}, reference {sfi:02X?}", ef.sfi));
        }
        let want = text(e, "structure");
        if kind(ef.structure) != want {
            errors.push(format!(
                "{at}: structure {}, reference {want}",
                kind(ef.structure)
            ));
        }
        if let Some(rl) = opt_num(e, "record_len") {
            if record_len(ef.structure) != Some(rl) {
                errors.push(format!(
                    "{at}: record length {:?}, reference {rl}",
                    record_len(ef.structure)
                ));
            }
        }
        if let Some(min) = opt_num(e, "min_record_len") {
            if record_len(ef.structure).is_none_or(|rl| rl < min) {
                errors.push(format!(
                    "{at}: record length {:?} below {min}",
                    record_len(ef.structure)
                ));
            }
        }
        let size = ef.structure.size();
        if let Some(fixed) = opt_num(e, "size") {
            if size != fixed {
                errors.push(format!("{at}: size {size}, reference {fixed}"));
            }
        }
        if let Some(min) = opt_num(e, "min_size") {
            if size < min {
                errors.push(format!("{at}: size {size} below {min}"));
            }
        }
        if let Some(m) = opt_num(e, "size_multiple") {
            if m == 0 || size % m != 0 {
                errors.push(format!("{at}: size {size} not a multiple of {m}"));
            }
        }
    }
    fail_on(errors);
}

#[test]
fn every_reference_entry_is_in_the_tables() {
    let reference = reference();
    let mut present = BTreeSet::new();
    let mut errors = Vec::new();
    for row in rows() {
        if !present.insert((row.df.clone(), row.ef.name.to_string())) {
            errors.push(format!(
                "{}/{}: listed twice in the tables",
                row.df, row.ef.name
            ));
        }
    }
    for key in reference.keys() {
        if !present.contains(key) {
            errors.push(format!(
                "{}/{}: in vectors/file_ids.json but not in the tables",
                key.0, key.1
            ));
        }
    }
    fail_on(errors);
}

#[test]
fn dfs_match_the_reference() {
    let v = load();
    let mut reference = BTreeMap::new();
    for e in list(&v, "dfs") {
        assert!(!text(e, "source").is_empty(), "{e}: empty source");
        let prev = reference.insert(text(e, "path").to_string(), hex_u16(e, "fid"));
        assert!(prev.is_none(), "{e}: listed twice");
    }
    let (_, dfs) = tables();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for df in &dfs {
        seen.insert(df.path.clone());
        match reference.get(&df.path) {
            None => errors.push(format!("{}: DF not in vectors/file_ids.json", df.path)),
            Some(&fid) if fid != df.spec.fid => errors.push(format!(
                "{}: FID {:04X}, reference {fid:04X}",
                df.path, df.spec.fid
            )),
            Some(_) => {}
        }
        if df.spec.name.starts_with("ADF.") && df.spec.fid != 0x7FFF {
            errors.push(format!("{}: an ADF has FID 7FFF", df.path));
        }
        if df.spec.clause.is_empty() {
            errors.push(format!("{}: no clause", df.path));
        }
    }
    for path in reference.keys() {
        if !seen.contains(path) {
            errors.push(format!(
                "{path}: in vectors/file_ids.json but not in the tables"
            ));
        }
    }
    fail_on(errors);
}

#[test]
fn fids_and_sfis_are_unique_per_df() {
    let (_, dfs) = tables();
    let mut errors = Vec::new();
    for df in &dfs {
        let mut fids = BTreeSet::new();
        let mut sfis = BTreeSet::new();
        for ef in df.spec.efs {
            if !fids.insert(ef.fid) {
                errors.push(format!("{}: FID {:04X} used twice", df.path, ef.fid));
            }
            if matches!(ef.fid, 0x3F00 | 0x7FFF | 0xFFFF) {
                errors.push(format!(
                    "{}/{}: reserved FID {:04X}",
                    df.path, ef.name, ef.fid
                ));
            }
            if let Some(sfi) = ef.sfi {
                if !(1..=30).contains(&sfi) {
                    errors.push(format!(
                        "{}/{}: SFI {sfi:02X} outside 1..=30",
                        df.path, ef.name
                    ));
                }
                if !sfis.insert(sfi) {
                    errors.push(format!("{}: SFI {sfi:02X} used twice", df.path));
                }
            }
            if ef.clause.is_empty() || !ef.name.starts_with("EF.") {
                errors.push(format!("{}/{}: name or clause missing", df.path, ef.name));
            }
        }
        for child in df.spec.dfs {
            if !fids.insert(child.fid) {
                errors.push(format!(
                    "{}: FID {:04X} of {} used twice",
                    df.path, child.fid, child.name
                ));
            }
        }
    }
    fail_on(errors);
}

fn decode(h: &str) -> Result<Vec<u8>, String> {
    if h.is_empty() {
        return Err("empty hex".to_string());
    }
    hex::decode(h).map_err(|e| format!("bad hex {h:?}: {e}"))
}

/// Why a row's default content does not fit, if it does not.
fn default_problem(ef: &EfSpec) -> Option<String> {
    let s = ef.structure;
    match s {
        Structure::Transparent { size } | Structure::BerTlv { max: size } if size == 0 => {
            return Some("zero size".to_string())
        }
        Structure::LinearFixed {
            record_len,
            records,
        }
        | Structure::Cyclic {
            record_len,
            records,
        } if record_len == 0 || records == 0 => {
            return Some("zero record length or count".to_string())
        }
        _ => {}
    }
    match (ef.default, s) {
        (Content::Erased, _) => None,
        (Content::Hex(h), Structure::Transparent { size } | Structure::BerTlv { max: size }) => {
            match decode(h) {
                Err(e) => Some(e),
                Ok(b) if b.len() > usize::from(size) => {
                    Some(format!("{} bytes > size {size}", b.len()))
                }
                Ok(_) => None,
            }
        }
        (Content::Hex(h), _) => match decode(h) {
            Err(e) => Some(e),
            Ok(b) if Some(b.len()) > record_len(s) => Some(format!(
                "{} bytes > record length {:?}",
                b.len(),
                record_len(s)
            )),
            Ok(_) => None,
        },
        (
            Content::Records(list),
            Structure::LinearFixed {
                record_len,
                records,
            }
            | Structure::Cyclic {
                record_len,
                records,
            },
        ) => {
            if list.is_empty() || list.len() > usize::from(records) {
                return Some(format!("{} records for {records}", list.len()));
            }
            list.iter().enumerate().find_map(|(i, h)| match decode(h) {
                Err(e) => Some(format!("record {}: {e}", i + 1)),
                Ok(b) if b.len() > usize::from(record_len) => Some(format!(
                    "record {}: {} bytes > record length {record_len}",
                    i + 1,
                    b.len()
                )),
                Ok(_) => None,
            })
        }
        (Content::Records(_), _) => Some("records given for a transparent file".to_string()),
    }
}

#[test]
fn default_contents_parse_for_their_structure() {
    let mut errors = Vec::new();
    for row in rows() {
        if let Some(p) = default_problem(&row.ef) {
            errors.push(format!("{}/{}: {p}", row.df, row.ef.name));
        }
    }
    fail_on(errors);
}

#[test]
fn default_problem_catches_bad_rows() {
    let good = EfSpec {
        name: "EF.TEST",
        fid: 0x6F00,
        sfi: None,
        structure: Structure::Transparent { size: 2 },
        access: Access::PIN_PIN,
        gate: Gate::None,
        clause: "test",
        default: Content::Hex("0102"),
    };
    assert_eq!(default_problem(&good), None);
    let too_long = EfSpec {
        default: Content::Hex("010203"),
        ..good
    };
    assert!(default_problem(&too_long).is_some());
    let odd = EfSpec {
        default: Content::Hex("012"),
        ..good
    };
    assert!(default_problem(&odd).is_some());
    let not_hex = EfSpec {
        default: Content::Hex("0G"),
        ..good
    };
    assert!(default_problem(&not_hex).is_some());
    let records_on_transparent = EfSpec {
        default: Content::Records(&["01"]),
        ..good
    };
    assert!(default_problem(&records_on_transparent).is_some());
    let linear = EfSpec {
        structure: Structure::LinearFixed {
            record_len: 2,
            records: 1,
        },
        ..good
    };
    assert_eq!(default_problem(&linear), None);
    let too_many = EfSpec {
        default: Content::Records(&["01", "02"]),
        ..linear
    };
    assert!(default_problem(&too_many).is_some());
    let long_record = EfSpec {
        default: Content::Records(&["010203"]),
        ..linear
    };
    assert!(default_problem(&long_record).is_some());
}

/// Upper bound of one EF.ARR record in expanded format (TS 102 221 §9.2.4): an AM_DO
/// (`80 01 am`) per distinct rule followed by its SC_DO (`90 00`, `97 00` or the 8-byte
/// `A4 06 83 01 key 95 01 08` CRT), plus a command-header AM_DO for INCREASE when it differs.
fn arr_record_bound(a: &Access) -> usize {
    let sc = |r: Rule| {
        if matches!(r, Rule::Always | Rule::Never) {
            2
        } else {
            8
        }
    };
    let rules: BTreeSet<Rule> = [a.read, a.update, a.deactivate, a.activate]
        .into_iter()
        .collect();
    let mut n: usize = rules.iter().map(|r| 3 + sc(*r)).sum();
    if a.increase != a.update {
        n += 3 + sc(a.increase);
    }
    n
}

#[test]
fn arr_has_room_for_every_access_rule_set() {
    let (efs, dfs) = tables();
    let scope_of: BTreeMap<&str, &str> = dfs
        .iter()
        .map(|d| (d.path.as_str(), d.scope.as_str()))
        .collect();
    let mut sets: BTreeMap<&str, BTreeSet<Access>> = BTreeMap::new();
    for (df, ef) in &efs {
        let scope = scope_of.get(df.as_str()).copied().expect("scope");
        sets.entry(scope).or_default().insert(ef.access);
    }
    let mut errors = Vec::new();
    for (scope, set) in &sets {
        let arr = efs
            .iter()
            .find(|(df, ef)| df == scope && ef.name == "EF.ARR")
            .map(|(_, ef)| ef.structure);
        let Some(Structure::LinearFixed {
            record_len,
            records,
        }) = arr
        else {
            errors.push(format!("{scope}: no linear fixed EF.ARR"));
            continue;
        };
        // One more rule set for the DFs themselves.
        if set.len() + 1 > usize::from(records) {
            errors.push(format!(
                "{scope}: {} rule sets, EF.ARR has {records} records",
                set.len() + 1
            ));
        }
        for a in set {
            if arr_record_bound(a) > usize::from(record_len) {
                errors.push(format!(
                    "{scope}: rule set {a:?} longer than record length {record_len}"
                ));
            }
        }
    }
    fail_on(errors);
}

fn service_table(adf: &DfSpec, fid: u16) -> Vec<u8> {
    let ef = adf
        .efs
        .iter()
        .find(|e| e.fid == fid)
        .expect("service table row");
    let Content::Hex(h) = ef.default else {
        panic!("{}: service table default is not hex", ef.name)
    };
    let mut table = hex::decode(h).expect("hex");
    table.resize(ef.structure.size(), 0xFF);
    table
}

fn available(table: &[u8], n: u16) -> bool {
    let bit = usize::from(n - 1);
    table
        .get(bit / 8)
        .is_some_and(|b| b & (1 << (bit % 8)) != 0)
}

fn services(table: &[u8]) -> Vec<u16> {
    (1..=u16::try_from(table.len() * 8).expect("table size"))
        .filter(|n| available(table, *n))
        .collect()
}

fn gate_services(g: Gate) -> Vec<u16> {
    match g {
        Gate::None => Vec::new(),
        Gate::Service(n) => vec![n],
        Gate::All(l) | Gate::Any(l) => l.to_vec(),
    }
}

#[test]
fn default_service_tables_open_the_intended_files() {
    let ust = service_table(&ADF_USIM, 0x6F38);
    assert_eq!(
        services(&ust),
        [12, 19, 20, 21, 27, 33, 34, 38, 42, 43, 68, 71, 85, 122, 123, 124, 126, 129],
        "default UST"
    );
    let ist = service_table(&ADF_ISIM, 0x6F07);
    assert_eq!(services(&ist), [2], "default IST");

    let open = |g: Gate, t: &[u8]| g.open(|n| available(t, n));
    let (efs, dfs) = tables();
    let gate_of = |path: &str| {
        let (df, name) = path.rsplit_once('/').expect("path");
        efs.iter()
            .find(|(d, e)| d == df && e.name == name)
            .map(|(_, e)| e.gate)
            .unwrap_or_else(|| panic!("{path} not in the tables"))
    };
    for path in [
        "ADF.USIM/EF.GBABP",
        "ADF.USIM/EF.GBANL",
        "ADF.USIM/EF.EPSLOCI",
        "ADF.USIM/EF.EPSNSC",
        "ADF.USIM/EF.EST",
        "ADF.USIM/EF.SPN",
        "ADF.USIM/EF.EHPLMN",
        "ADF.USIM/DF.5GS/EF.5GS3GPPLOCI",
        "ADF.USIM/DF.5GS/EF.5GS3GPPNSC",
        "ADF.USIM/DF.5GS/EF.5GAUTHKEYS",
        "ADF.USIM/DF.5GS/EF.SUCI_Calc_Info",
        "ADF.USIM/DF.5GS/EF.Routing_Indicator",
        "ADF.USIM/DF.GSM-ACCESS/EF.Kc",
    ] {
        assert!(
            open(gate_of(path), &ust),
            "{path} closed by the default UST"
        );
    }
    for path in ["ADF.USIM/EF.NAFKCA", "ADF.USIM/DF.5GS/EF.SUPI_NAI"] {
        assert!(!open(gate_of(path), &ust), "{path} open by the default UST");
    }
    assert!(open(gate_of("ADF.ISIM/EF.GBABP"), &ist));
    assert!(!open(gate_of("ADF.ISIM/EF.NAFKCA"), &ist));
    // The default card shows DF.5GS and DF.GSM-ACCESS; the other USIM DFs wait for their services.
    for df in dfs
        .iter()
        .filter(|d| d.scope == "ADF.USIM" && d.path != "ADF.USIM")
    {
        let shown = matches!(
            df.path.as_str(),
            "ADF.USIM/DF.5GS" | "ADF.USIM/DF.GSM-ACCESS"
        );
        assert_eq!(
            open(df.spec.gate, &ust),
            shown,
            "{}: open by the default UST",
            df.path
        );
    }
    // Every gate names services the table has room for, and gates sit only inside ADFs.
    for (df, ef) in &efs {
        let room = if df.starts_with("ADF.USIM") {
            ust.len() * 8
        } else if df.starts_with("ADF.ISIM") {
            ist.len() * 8
        } else {
            assert_eq!(ef.gate, Gate::None, "{df}/{}: gate outside an ADF", ef.name);
            continue;
        };
        for n in gate_services(ef.gate) {
            assert!(
                (1..=room).contains(&usize::from(n)),
                "{df}/{}: service {n} beyond the table",
                ef.name
            );
        }
    }
}

fn static_efs(df: &'static DfSpec, out: &mut Vec<&'static EfSpec>) {
    out.extend(df.efs.iter());
    for child in df.dfs {
        static_efs(child, out);
    }
}

#[test]
fn the_file_tree_builds_every_default() {
    let roots: [&'static DfSpec; 3] = [&MF, &ADF_USIM, &ADF_ISIM];
    let mut efs = Vec::new();
    for root in roots {
        static_efs(root, &mut efs);
    }
    assert!(!efs.is_empty());
    for ef in efs {
        let data = vusim_applet::fs::tree::default_contents(ef)
            .unwrap_or_else(|e| panic!("{}: {e}", ef.name));
        assert_eq!(data.len(), ef.structure.size(), "{}", ef.name);
    }
}

/// The reference's `service` field as a gate: null, a number, `{"all": [..]}` or `{"any": [..]}`.
fn ref_gate(e: &Value) -> Gate {
    let list = |v: &Value| -> &'static [u16] {
        let nums: Vec<u16> = v
            .as_array()
            .unwrap_or_else(|| panic!("{e}: service list"))
            .iter()
            .map(|n| {
                n.as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .unwrap_or_else(|| panic!("{e}: service number"))
            })
            .collect();
        Box::leak(nums.into_boxed_slice())
    };
    match e.get("service") {
        Some(Value::Null) => Gate::None,
        Some(Value::Number(n)) => Gate::Service(
            n.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .unwrap_or_else(|| panic!("{e}: service number")),
        ),
        Some(Value::Object(o)) => match (o.get("all"), o.get("any")) {
            (Some(v), None) => Gate::All(list(v)),
            (None, Some(v)) => Gate::Any(list(v)),
            _ => panic!("{e}: service object needs exactly one of all/any"),
        },
        _ => panic!("{e}: 'service' missing"),
    }
}

/// Every EF and DF of the tables has the service gate and clause the reference gives it (issue 17:
/// the Rel-18 file set, present exactly when its service is on).
#[test]
fn gates_and_clauses_match_the_reference() {
    let reference = reference();
    let mut errors = Vec::new();
    for row in rows() {
        let at = format!("{}/{}", row.df, row.ef.name);
        let Some(e) = reference.get(&(row.df.clone(), row.ef.name.to_string())) else {
            continue; // reported by every_row_matches_the_reference
        };
        let gate = ref_gate(e);
        if row.ef.gate != gate {
            errors.push(format!("{at}: gate {:?}, reference {gate:?}", row.ef.gate));
        }
        match e.get("clause").and_then(Value::as_str) {
            Some(c) if c == row.ef.clause => {}
            other => errors.push(format!(
                "{at}: clause {:?}, reference {other:?}",
                row.ef.clause
            )),
        }
    }
    let v = load();
    let (_, dfs) = tables();
    for e in list(&v, "dfs") {
        let path = text(e, "path");
        let Some(df) = dfs.iter().find(|d| d.path == path) else {
            continue; // reported by dfs_match_the_reference
        };
        let gate = ref_gate(e);
        if df.spec.gate != gate && path.contains('/') {
            errors.push(format!(
                "{path}: gate {:?}, reference {gate:?}",
                df.spec.gate
            ));
        }
    }
    fail_on(errors);
}

/// The Rel-18 additions of issue 17 are all there, each where the spec puts it.
#[test]
fn issue_17_files_are_listed() {
    let reference = reference();
    // DF, name, FID of each file the issue names (TS 31.102 Rel-18, TS 51.011 §10.6).
    let listed = "ADF.USIM EF.NAFKCA 6FDD; ADF.USIM EF.GBAUAPI 6F0A; ADF.USIM EF.SMS 6F3C;\
         ADF.USIM EF.SMSP 6F42; ADF.USIM EF.SMSS 6F43; ADF.USIM EF.SMSR 6F47;\
         ADF.USIM EF.FDN 6F3B; ADF.USIM EF.SDN 6F49; ADF.USIM EF.BDN 6F4D;\
         ADF.USIM EF.EXT2 6F4B; ADF.USIM EF.EXT3 6F4C; ADF.USIM EF.EXT4 6F55;\
         ADF.USIM EF.EXT5 6F4E; ADF.USIM EF.GID1 6F3E; ADF.USIM EF.GID2 6F3F;\
         ADF.USIM EF.PNN 6FC5; ADF.USIM EF.OPL 6FC6; ADF.USIM EF.SPDI 6FCD;\
         ADF.USIM EF.MBDN 6FC7; ADF.USIM EF.MBI 6FC9; ADF.USIM EF.MWIS 6FCA;\
         ADF.USIM EF.CFIS 6FCB; ADF.USIM EF.MSK 6FD7; ADF.USIM EF.MUK 6FD8;\
         ADF.USIM EF.EHPLMNPI 6FDB; ADF.USIM EF.eAKA 6F01;\
         ADF.USIM/DF.PHONEBOOK EF.PBR 4F30; ADF.USIM/DF.WLAN EF.Pseudo 4F41;\
         ADF.USIM/DF.HNB EF.ACSGL 4F81; ADF.USIM/DF.ProSe EF.PROSE_MON 4F01;\
         ADF.USIM/DF.SNPN EF.NID 4F02; ADF.USIM/DF.5G_ProSe EF.5G_PROSE_ST 4F01;\
         ADF.USIM/DF.5GS EF.5GAUTHKEYS 4F05; MF/DF.TELECOM/DF.GRAPHICS EF.IMG 4F20;\
         MF/DF.TELECOM EF.ADN 6F3A; ADF.ISIM EF.GBAUAPI 6F0A";
    for entry in listed.split(';') {
        let [df, name, fid]: [&str; 3] = entry
            .split_whitespace()
            .collect::<Vec<_>>()
            .try_into()
            .expect("DF NAME FID");
        let e = reference
            .get(&(df.to_string(), name.to_string()))
            .unwrap_or_else(|| panic!("{df}/{name} not in the reference"));
        assert_eq!(text(e, "fid"), fid, "{df}/{name}");
    }
    // Spec gates (TS 31.102 §4.2.87, §4.2.114 as read in the spec text).
    assert_eq!(
        ref_gate(&reference[&("ADF.USIM".to_string(), "EF.NAFKCA".to_string())]),
        Gate::All(&[68, 76])
    );
    assert_eq!(
        ref_gate(&reference[&("ADF.USIM".to_string(), "EF.eAKA".to_string())]),
        Gate::None
    );
    assert!(reference.len() >= 280, "{} files", reference.len());
}
