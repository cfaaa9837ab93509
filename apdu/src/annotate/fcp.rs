//! FCP templates (TS 102 221 §11.1.1.3) and other BER-TLV responses decoded field by field.

use super::{aid_name, fid_text, key_reference_name, reserved_name};
use crate::tlv::{Node, Tag, Tlv};

fn tag_name(tag: Tag) -> &'static str {
    match tag.0 {
        0x62 => "FCP template",
        0x6F => "FCI template",
        0x61 => "application template",
        0x80 => "",
        0x82 => "file descriptor",
        0x83 => "file identifier",
        0x84 => "DF name (AID)",
        0x88 => "short file identifier",
        0x8A => "life cycle status",
        0x8B => "security attributes (referenced)",
        0x8C => "security attributes (compact)",
        0xAB => "security attributes (expanded)",
        0xA5 => "proprietary information",
        0xC6 => "PIN status template",
        _ => "",
    }
}

pub(super) fn outline(nodes: &[Node], depth: usize, lines: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    for n in nodes {
        let name = tag_name(n.tag());
        let name = if name.is_empty() {
            String::new()
        } else {
            format!(" {name}")
        };
        match n {
            Node::Primitive(t, v) => {
                lines.push(format!("{pad}{t}{name}: {}", hex::encode_upper(v)))
            }
            Node::Constructed(t, children) => {
                lines.push(format!("{pad}{t}{name}"));
                outline(children, depth + 1, lines);
            }
        }
    }
}

/// Meaning of the file descriptor byte (TS 102 221 §11.1.1.4.3).
fn file_descriptor_text(v: &[u8]) -> String {
    let Some(&fd) = v.first() else {
        return "empty".to_string();
    };
    let share = if fd & 0x40 != 0 {
        "shareable"
    } else {
        "not shareable"
    };
    let kind = match fd & 0x3F {
        0x38 => "DF or ADF".to_string(),
        0x01 => "working EF, transparent".to_string(),
        0x02 => "working EF, linear fixed".to_string(),
        0x06 => "working EF, cyclic".to_string(),
        0x39 => "BER-TLV structured EF".to_string(),
        other => format!("structure {other:02X}"),
    };
    let records = match v {
        [_, _, hi, lo, n, ..] => format!(
            ", {} records of {} bytes",
            n,
            u16::from_be_bytes([*hi, *lo])
        ),
        [_, _, rl, n] => format!(", {n} records of {rl} bytes"),
        _ => String::new(),
    };
    format!("{kind}, {share}{records}")
}

fn lcsi_text(v: u8) -> &'static str {
    match v {
        0x01 => "creation state",
        0x03 => "initialisation state",
        0x05 | 0x07 => "operational, activated",
        0x04 | 0x06 => "operational, deactivated",
        0x0C..=0x0F => "termination state",
        _ => "proprietary",
    }
}

fn pin_status_text(children: &[Tlv]) -> String {
    let ps = children
        .iter()
        .find(|t| t.tag == Tag(0x90))
        .and_then(|t| t.value.first().copied())
        .unwrap_or(0);
    let refs: Vec<String> = children
        .iter()
        .filter(|t| t.tag == Tag(0x83))
        .enumerate()
        .map(|(i, t)| {
            let r = t.value.first().copied().unwrap_or(0);
            let name = key_reference_name(r);
            let name = name.split(" (").next().unwrap_or_default().to_string();
            let state = if i < 8 && ps & (0x80 >> i) != 0 {
                "enabled"
            } else {
                "disabled"
            };
            format!("{name} {state}")
        })
        .collect();
    refs.join(", ")
}

/// Decode an FCP template (tag 62, TS 102 221 §11.1.1.3) field by field; `None` if the data is
/// not an FCP.
pub fn describe_fcp(data: &[u8]) -> Option<Vec<String>> {
    describe_fcp_named(data, &|fid| reserved_name(fid).map(str::to_string))
}

pub(super) fn describe_fcp_named(
    data: &[u8],
    name: &dyn Fn(u16) -> Option<String>,
) -> Option<Vec<String>> {
    if data.first() != Some(&0x62) {
        return None;
    }
    let (fcp, _) = Tlv::parse(data).ok()?;
    if fcp.tag != Tag(0x62) {
        return None;
    }
    let mut lines = Vec::new();
    for t in fcp.children().ok()? {
        let v = t.value.as_slice();
        let line = match t.tag.0 {
            0x82 => format!(
                "file descriptor {}: {}",
                hex::encode_upper(v),
                file_descriptor_text(v)
            ),
            0x83 => match v {
                [hi, lo] => {
                    let fid = u16::from_be_bytes([*hi, *lo]);
                    format!("file identifier {}", fid_text(fid, name(fid).as_deref()))
                }
                _ => format!("file identifier {}", hex::encode_upper(v)),
            },
            0x84 => match aid_name(v) {
                Some(n) => format!("DF name (AID) {} ({n})", hex::encode_upper(v)),
                None => format!("DF name (AID) {}", hex::encode_upper(v)),
            },
            0x80 => format!(
                "file size {} bytes",
                v.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b))
            ),
            0x81 => format!(
                "total file size {} bytes",
                v.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b))
            ),
            0x88 => match v.first() {
                Some(s) => format!("short file identifier {:02X}", s >> 3),
                None => "short file identifier: not supported".to_string(),
            },
            0x8A => format!(
                "life cycle status {:02X}: {}",
                v.first().copied().unwrap_or(0),
                lcsi_text(v.first().copied().unwrap_or(0))
            ),
            0x8B => match v {
                [hi, lo, rec] => format!(
                    "security attributes: EF.ARR {:02X}{:02X} record {rec}",
                    hi, lo
                ),
                _ => format!("security attributes (referenced) {}", hex::encode_upper(v)),
            },
            0xC6 => format!(
                "PIN status: {}",
                t.children()
                    .map(|c| pin_status_text(&c))
                    .unwrap_or_default()
            ),
            0xA5 => {
                let parts: Vec<String> = t
                    .children()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| match c.tag.0 {
                        0x80 => format!("UICC characteristics {}", hex::encode_upper(&c.value)),
                        0x83 => format!(
                            "available memory {} bytes",
                            c.value
                                .iter()
                                .fold(0usize, |a, b| (a << 8) | usize::from(*b))
                        ),
                        0x87 => format!("supported commands {}", hex::encode_upper(&c.value)),
                        _ => format!("{} {}", c.tag, hex::encode_upper(&c.value)),
                    })
                    .collect();
                format!("proprietary: {}", parts.join(", "))
            }
            _ => format!("{} {}", t.tag, hex::encode_upper(v)),
        };
        lines.push(line);
    }
    Some(lines)
}
