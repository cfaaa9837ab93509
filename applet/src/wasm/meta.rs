//! An applet module's metadata (docs/applets.md §1.2, vusim's own coding): the default AID and label, the seeded generator's label and the names of its instructions, from the custom section `vusim.applet` or the `vusim_meta` export.

use std::collections::BTreeMap;

/// Name of the custom section that carries the metadata.
pub const SECTION: &str = "vusim.applet";
/// Longest metadata text read from the `vusim_meta` export.
pub const MAX_TEXT: usize = 4096;

/// What a module says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// Default AID.
    pub aid: Option<Vec<u8>>,
    /// Default label.
    pub label: Option<String>,
    /// Label of the seeded generator.
    pub seed_label: Option<String>,
    /// Instruction names by INS.
    pub ins: BTreeMap<u8, String>,
}

/// Whether `aid` has an AID's length (ISO/IEC 7816-4 §12.2.3: 5 to 16 bytes).
pub fn aid_ok(aid: &[u8]) -> bool {
    (5..=16).contains(&aid.len())
}

/// Whether `label` fits EF.DIR's label object and the card state's keys: 1 to 32 printable
/// ASCII characters.
pub fn label_ok(label: &str) -> bool {
    (1..=32).contains(&label.len())
        && label
            .bytes()
            .all(|b| (0x21..0x7F).contains(&b) || b == b' ')
}

impl Meta {
    /// Parse the text (`key=value` lines; `#` comments; unknown keys ignored). A NUL ends it
    /// (a C string).
    pub fn parse(text: &[u8]) -> Result<Meta, String> {
        let text = text.split(|b| *b == 0).next().unwrap_or_default();
        let text = std::str::from_utf8(text).map_err(|_| "metadata: not UTF-8".to_string())?;
        let mut meta = Meta::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |p: &str| format!("metadata line {}: {p}", n + 1);
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| at("expected key=value"))?;
            let value = value.trim();
            match key.trim() {
                "aid" => {
                    let aid = hex::decode(value)
                        .ok()
                        .filter(|a| aid_ok(a))
                        .ok_or_else(|| at("aid: expected 5 to 16 bytes of hex"))?;
                    meta.aid = Some(aid);
                }
                "label" => {
                    if !label_ok(value) {
                        return Err(at("label: 1 to 32 printable ASCII characters"));
                    }
                    meta.label = Some(value.to_string());
                }
                "seed-label" => meta.seed_label = Some(value.to_string()),
                "ins" => {
                    let (code, name) = value
                        .split_once(' ')
                        .ok_or_else(|| at("ins: expected `HH NAME`"))?;
                    let code = u8::from_str_radix(code, 16)
                        .map_err(|_| at("ins: expected a hex INS byte"))?;
                    meta.ins.insert(code, name.trim().to_string());
                }
                _ => {}
            }
        }
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let m = Meta::parse(
            b"# door\naid=F0565553494D2D444F4F520001\nlabel=DOOR-LOCK\nseed-label=DOOR\nins=52 GET INFO\nfuture=1\n\0junk",
        )
        .expect("valid");
        assert_eq!(
            m.aid.as_deref(),
            Some(&hex::decode("F0565553494D2D444F4F520001").expect("hex")[..])
        );
        assert_eq!(m.label.as_deref(), Some("DOOR-LOCK"));
        assert_eq!(m.seed_label.as_deref(), Some("DOOR"));
        assert_eq!(m.ins.get(&0x52).map(String::as_str), Some("GET INFO"));
    }

    #[test]
    fn refuses_bad_values_naming_the_line() {
        assert_eq!(
            Meta::parse(b"aid=F001").expect_err("short AID"),
            "metadata line 1: aid: expected 5 to 16 bytes of hex"
        );
        assert!(Meta::parse(b"label=\n").is_err());
        assert!(Meta::parse(b"ins=XY NAME").is_err());
        assert!(Meta::parse(b"just text").is_err());
    }
}
