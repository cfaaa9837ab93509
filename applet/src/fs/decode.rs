//! Human-readable decoding of the common EF contents (TS 31.102 §4.2, TS 102 221 §13, TS 31.103 §4.2), for `vusim decode --ef`, the shell and traces.

use vusim_apdu::tlv::Tlv;

use super::services;

/// Swapped-BCD digits, stopping at the first `F` filler.
fn bcd_digits(bytes: &[u8]) -> String {
    let mut s = String::new();
    for b in bytes {
        for n in [b & 0x0F, b >> 4] {
            match n {
                0..=9 => s.push(char::from(b'0' + n)),
                0xF => return s,
                _ => s.push('?'),
            }
        }
    }
    s
}

/// MCC/MNC from the 3-byte PLMN encoding (TS 24.008 §10.5.1.3).
pub fn plmn(b: &[u8]) -> Option<String> {
    let [b0, b1, b2] = <[u8; 3]>::try_from(b.get(..3)?).ok()?;
    if [b0, b1, b2] == [0xFF; 3] {
        return None;
    }
    let d = |n: u8| if n <= 9 { char::from(b'0' + n) } else { '?' };
    let mcc: String = [d(b0 & 0x0F), d(b0 >> 4), d(b1 & 0x0F)].iter().collect();
    let mut mnc: String = [d(b2 & 0x0F), d(b2 >> 4)].iter().collect();
    if b1 >> 4 != 0xF {
        mnc.push(d(b1 >> 4));
    }
    Some(format!("{mcc}-{mnc}"))
}

fn act(b: &[u8]) -> String {
    let v = b.iter().fold(0u16, |a, x| (a << 8) | u16::from(*x));
    let mut t = Vec::new();
    for (bit, name) in [
        (0x8000, "UTRAN"),
        (0x4000, "E-UTRAN"),
        (0x0800, "NG-RAN"),
        (0x0080, "GSM"),
        (0x0040, "GSM COMPACT"),
        (0x0020, "cdma2000 HRPD"),
        (0x0010, "cdma2000 1xRTT"),
    ] {
        if v & bit != 0 {
            t.push(name);
        }
    }
    if t.is_empty() {
        "no access technology".to_string()
    } else {
        t.join("+")
    }
}

fn text_tlv(data: &[u8]) -> Option<String> {
    let list = Tlv::parse_all(data).ok()?;
    let t = Tlv::find(&list, 0x80u32)?;
    Some(String::from_utf8_lossy(&t.value).into_owned())
}

fn lv_fields(data: &[u8], n: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = data;
    while out.len() < n {
        let Some((&len, tail)) = rest.split_first() else {
            break;
        };
        if len == 0xFF {
            break;
        }
        let (v, tail) = tail.split_at(usize::from(len).min(tail.len()));
        out.push(v.to_vec());
        rest = tail;
    }
    out
}

/// Decode the contents of the EF called `name` (`EF.IMSI` …); `None` for files without a decoder.
pub fn decode_ef(name: &str, data: &[u8]) -> Option<Vec<String>> {
    let upper = name.to_ascii_uppercase();
    let n = upper.trim_start_matches("EF.");
    let lines = match n {
        "IMSI" => {
            let (&len, rest) = data.split_first()?;
            let body = rest.get(..usize::from(len))?;
            let digits = bcd_digits(body);
            let imsi: String = digits.chars().skip(1).collect();
            vec![format!("IMSI {imsi}")]
        }
        "ICCID" => vec![format!("ICCID {}", bcd_digits(data))],
        "AD" => {
            let mode = data.first().copied()?;
            let mut v = vec![format!(
                "UE operation mode {mode:02X} ({})",
                if mode == 0 {
                    "normal"
                } else {
                    "test/type approval"
                }
            )];
            if let Some(m) = data.get(3) {
                v.push(format!("MNC length {}", m & 0x0F));
            }
            v
        }
        "UST" | "EST" | "IST" => {
            let list = services::list(data);
            let names: Vec<String> = list
                .iter()
                .map(|s| match (n, services::ust_name(*s)) {
                    ("UST", Some(nm)) => format!("{s} ({nm})"),
                    _ => s.to_string(),
                })
                .collect();
            vec![format!(
                "services {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )]
        }
        "FPLMN" | "EHPLMN" => {
            let p: Vec<String> = data.chunks(3).filter_map(plmn).collect();
            vec![format!(
                "PLMNs {}",
                if p.is_empty() {
                    "none".to_string()
                } else {
                    p.join(", ")
                }
            )]
        }
        "PLMNWACT" | "OPLMNWACT" | "HPLMNWACT" => data
            .chunks(5)
            .filter_map(|c| Some(format!("{} {}", plmn(c)?, act(c.get(3..5)?))))
            .collect(),
        "LOCI" => {
            let tmsi = hex::encode_upper(data.get(..4)?);
            let lai = plmn(data.get(4..7)?).unwrap_or_else(|| "none".to_string());
            let lac = hex::encode_upper(data.get(7..9)?);
            let status = match data.get(10).map(|s| s & 0x07) {
                Some(0) => "updated",
                Some(1) => "not updated",
                Some(2) => "PLMN not allowed",
                Some(3) => "location area not allowed",
                _ => "reserved",
            };
            vec![format!("TMSI {tmsi}, LAI {lai} LAC {lac}, {status}")]
        }
        "SPN" => {
            let (&cond, name) = data.split_first()?;
            let text: String = name
                .iter()
                .take_while(|b| **b != 0xFF)
                .map(|b| char::from(*b))
                .collect();
            vec![format!(
                "service provider name {text:?} (display condition {cond:02X})"
            )]
        }
        "MSISDN" => {
            let tail = data.get(data.len().checked_sub(14)?..)?;
            let len = usize::from(*tail.first()?);
            if len == 0xFF || len == 0 {
                vec!["no number".to_string()]
            } else {
                let ton = tail.get(1).copied().unwrap_or(0);
                let digits = bcd_digits(tail.get(2..(len + 1).min(12))?);
                let plus = if ton & 0x70 == 0x10 { "+" } else { "" };
                vec![format!("MSISDN {plus}{digits}")]
            }
        }
        "GBABP" => {
            let f = lv_fields(data, 3);
            let get = |i: usize| f.get(i).cloned().unwrap_or_default();
            vec![
                format!("RAND {}", hex::encode_upper(get(0))),
                format!("B-TID {:?}", String::from_utf8_lossy(&get(1))),
                format!("key lifetime {:?}", String::from_utf8_lossy(&get(2))),
            ]
        }
        "GBANL" => {
            let list = Tlv::parse_all(data).ok()?;
            if list.is_empty() {
                vec!["empty record".to_string()]
            } else {
                let naf = Tlv::find(&list, 0x80u32)
                    .map(|t| t.value.clone())
                    .unwrap_or_default();
                let (fqdn, proto) = naf.split_at(naf.len().saturating_sub(5));
                let btid = Tlv::find(&list, 0x81u32)
                    .map(|t| t.value.clone())
                    .unwrap_or_default();
                vec![
                    format!(
                        "NAF_ID {} ‖ Ua protocol {}",
                        String::from_utf8_lossy(fqdn),
                        hex::encode_upper(proto)
                    ),
                    format!("B-TID {}", String::from_utf8_lossy(&btid)),
                ]
            }
        }
        "IMPI" | "DOMAIN" | "IMPU" => vec![format!("{} {}", n, text_tlv(data)?)],
        "DIR" => {
            let list = Tlv::parse_all(data).ok()?;
            let app = Tlv::find(&list, 0x61u32)?.children().ok()?;
            let aid = Tlv::find(&app, 0x4Fu32)
                .map(|t| hex::encode_upper(&t.value))
                .unwrap_or_default();
            let label = Tlv::find(&app, 0x50u32)
                .map(|t| String::from_utf8_lossy(&t.value).into_owned())
                .unwrap_or_default();
            vec![format!("application {label:?} AID {aid}")]
        }
        "LI" | "PL" => {
            let langs: Vec<String> = data
                .chunks(2)
                .filter(|c| c.iter().all(|b| *b != 0xFF))
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            vec![format!("languages {}", langs.join(", "))]
        }
        "ACC" => {
            let v = data.iter().fold(0u16, |a, b| (a << 8) | u16::from(*b));
            let classes: Vec<String> = (0..16)
                .filter(|i| v & (1 << i) != 0)
                .map(|i| i.to_string())
                .collect();
            vec![format!("access classes {}", classes.join(", "))]
        }
        "ECC" => {
            let d = bcd_digits(data.get(..3)?);
            vec![if d.is_empty() {
                "no number".to_string()
            } else {
                format!("emergency number {d}")
            }]
        }
        "ROUTING_INDICATOR" => vec![format!("routing indicator {}", bcd_digits(data.get(..2)?))],
        _ => return None,
    };
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, h: &str) -> Vec<String> {
        decode_ef(name, &hex::decode(h).expect("hex")).expect("decoder")
    }

    #[test]
    fn common_files() {
        assert_eq!(d("EF.IMSI", "080910101032547698"), ["IMSI 001010123456789"]);
        assert_eq!(d("EF.IMSI", "0821261021436587F9"), ["IMSI 26201123456789"]);
        assert_eq!(
            d("EF.ICCID", "988812010000000010F1"),
            ["ICCID 8988211000000000011"]
        );
        assert_eq!(
            d("EF.AD", "00000002"),
            ["UE operation mode 00 (normal)", "MNC length 2"]
        );
        assert_eq!(
            d("EF.UST", "0000000420000000080000000000000000"),
            ["services 27 (gsm-access), 38 (gsm-security-context), 68 (gba)"]
        );
        assert_eq!(d("EF.FPLMN", "62F210FFFFFF"), ["PLMNs 262-01"]);
        assert_eq!(d("EF.FPLMN", "130014"), ["PLMNs 310-410"]);
        assert_eq!(
            d("EF.PLMNwAcT", "00F110C880"),
            ["001-01 UTRAN+E-UTRAN+NG-RAN+GSM"]
        );
        assert_eq!(
            d("EF.LOCI", "FFFFFFFF00F1100000FF01"),
            ["TMSI FFFFFFFF, LAI 001-01 LAC 0000, not updated"]
        );
        assert_eq!(
            d("EF.SPN", "0176757369 6DFFFF".replace(' ', "").as_str()),
            ["service provider name \"vusim\" (display condition 01)"]
        );
        assert_eq!(d("EF.IMPI", "800361406200"), ["IMPI a@b"]);
        assert_eq!(d("EF.ECC", "11F2FFFF"), ["emergency number 112"]);
    }
}
