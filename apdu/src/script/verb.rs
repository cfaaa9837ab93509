//! Verbs: script words that expand to one command APDU each (TS 102 221 §11, TS 31.102 §7).

use crate::command::Command;
use crate::hexstr::parse_hex;

use super::text::Located;

/// What `select NAME` selects, as the [`Resolver`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectTarget {
    /// By file identifier from the current DF (`00 A4 00 04 02 FID 00`).
    Fid(u16),
    /// By path from the MF, without `3F00` (`00 A4 08 04 Lc PATH 00`); empty selects the MF.
    Path(Vec<u16>),
    /// By DF name, i.e. an application's AID (`00 A4 04 04 Lc AID 00`).
    Aid(Vec<u8>),
}

/// Turns file and application names (`EF.IMSI`, `ADF.USIM`, `DF.5GS/EF.SUCI_Calc_Info`) into
/// SELECT targets. The codec knows no files: the front end implements this from its file
/// tables. Hex forms (`3F00`, `7FFF/6F07`, AIDs) never reach the resolver.
pub trait Resolver {
    /// The target a name stands for, or why there is none (e.g. "unknown file `EF.FOO`").
    fn resolve(&self, name: &str) -> Result<SelectTarget, String>;
}

/// A resolver that knows no names: `select` takes FIDs, paths and AIDs only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl Resolver for NoNames {
    fn resolve(&self, name: &str) -> Result<SelectTarget, String> {
        Err(format!(
            "no file names are known here, so `{name}` cannot be selected; write a FID (3F00), a path from the MF (7FFF/6F07) or an AID"
        ))
    }
}

/// Accepts every name (used to check a script's syntax before the real resolver is known).
pub(crate) struct AnyName;

impl Resolver for AnyName {
    fn resolve(&self, _name: &str) -> Result<SelectTarget, String> {
        Ok(SelectTarget::Fid(0x3F00))
    }
}

/// A verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verb {
    /// `select TARGET`.
    Select,
    /// `verify KEY [VALUE]`.
    Verify,
    /// `change-pin KEY OLD NEW`.
    ChangePin,
    /// `unblock-pin KEY [PUK NEW]`.
    UnblockPin,
    /// `disable-pin KEY VALUE`.
    DisablePin,
    /// `enable-pin KEY VALUE`.
    EnablePin,
    /// `read-binary [OFFSET] [LEN]`.
    ReadBinary,
    /// `update-binary OFFSET HEX`.
    UpdateBinary,
    /// `read-record N [LEN]`.
    ReadRecord,
    /// `update-record N HEX`.
    UpdateRecord,
    /// `authenticate 3g RAND AUTN` / `authenticate gsm RAND`.
    Authenticate,
    /// `gba bootstrap RAND AUTN` / `gba naf FQDN PROTOCOL IMPI`.
    Gba,
    /// `get-response [LEN]`.
    GetResponse,
}

/// Every verb with its word and usage line.
pub const VERBS: &[(Verb, &str, &str)] = &[
    (
        Verb::Select,
        "select",
        "select MF|ADF.USIM|EF.IMSI|DF.5GS/EF.SUCI_Calc_Info|3F00|7FFF/6F07|AID",
    ),
    (
        Verb::Verify,
        "verify",
        "verify pin1|pin2|upin|adm1…adm10|0xKEYREF [VALUE]",
    ),
    (Verb::ChangePin, "change-pin", "change-pin KEY OLD NEW"),
    (Verb::UnblockPin, "unblock-pin", "unblock-pin KEY [PUK NEW]"),
    (Verb::DisablePin, "disable-pin", "disable-pin KEY VALUE"),
    (Verb::EnablePin, "enable-pin", "enable-pin KEY VALUE"),
    (
        Verb::ReadBinary,
        "read-binary",
        "read-binary [OFFSET] [LEN]",
    ),
    (
        Verb::UpdateBinary,
        "update-binary",
        "update-binary OFFSET HEX",
    ),
    (Verb::ReadRecord, "read-record", "read-record N [LEN]"),
    (Verb::UpdateRecord, "update-record", "update-record N HEX"),
    (
        Verb::Authenticate,
        "authenticate",
        "authenticate 3g RAND AUTN | authenticate gsm RAND",
    ),
    (
        Verb::Gba,
        "gba",
        "gba bootstrap RAND AUTN | gba naf FQDN UA-PROTOCOL-ID IMPI",
    ),
    (Verb::GetResponse, "get-response", "get-response [LEN]"),
];

/// One argument of a verb: its text (variables already substituted) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The text.
    pub text: String,
    /// The 1-based column where it was written.
    pub column: usize,
}

impl Verb {
    /// The verb a word names (case-insensitive).
    pub fn from_word(word: &str) -> Option<Verb> {
        VERBS
            .iter()
            .find(|(_, w, _)| w.eq_ignore_ascii_case(word))
            .map(|(v, _, _)| *v)
    }

    /// The word.
    pub fn word(self) -> &'static str {
        VERBS
            .iter()
            .find(|(v, _, _)| *v == self)
            .map_or("?", |(_, w, _)| w)
    }

    /// The usage line.
    pub fn usage(self) -> &'static str {
        VERBS
            .iter()
            .find(|(v, _, _)| *v == self)
            .map_or("?", |(_, _, u)| u)
    }

    /// Build the command APDU. `column` is where the verb was written (for errors about missing
    /// arguments).
    pub fn build(
        self,
        column: usize,
        args: &[Arg],
        resolver: &dyn Resolver,
    ) -> Result<Vec<u8>, Located> {
        let b = Builder {
            verb: self,
            column,
            args,
        };
        let cmd = match self {
            Verb::Select => {
                b.count(1, 1)?;
                let a = b.arg(0)?;
                let target = select_target(a, resolver)?;
                select_command(&target)
            }
            Verb::Verify => {
                b.count(1, 2)?;
                let key = key_ref(b.arg(0)?)?;
                match args.get(1) {
                    None => Command::build(0x00, 0x20, 0x00, key, &[], None),
                    Some(v) => Command::build(0x00, 0x20, 0x00, key, &pin_block(v)?, None),
                }
            }
            Verb::ChangePin => {
                b.count(3, 3)?;
                let key = key_ref(b.arg(0)?)?;
                let mut data = pin_block(b.arg(1)?)?.to_vec();
                data.extend_from_slice(&pin_block(b.arg(2)?)?);
                Command::build(0x00, 0x24, 0x00, key, &data, None)
            }
            Verb::UnblockPin => {
                b.count(1, 3)?;
                if args.len() == 2 {
                    return Err(Located::new(
                        column,
                        "unblock-pin takes the key alone (a counter query) or the key, the PUK and the new PIN",
                    ));
                }
                let key = key_ref(b.arg(0)?)?;
                if args.len() == 1 {
                    Command::build(0x00, 0x2C, 0x00, key, &[], None)
                } else {
                    let mut data = pin_block(b.arg(1)?)?.to_vec();
                    data.extend_from_slice(&pin_block(b.arg(2)?)?);
                    Command::build(0x00, 0x2C, 0x00, key, &data, None)
                }
            }
            Verb::DisablePin | Verb::EnablePin => {
                b.count(2, 2)?;
                let key = key_ref(b.arg(0)?)?;
                let ins = if self == Verb::DisablePin { 0x26 } else { 0x28 };
                Command::build(0x00, ins, 0x00, key, &pin_block(b.arg(1)?)?, None)
            }
            Verb::ReadBinary => {
                b.count(0, 2)?;
                let offset = match args.first() {
                    Some(a) => number(a, 0, 0x7FFF, "offset")?,
                    None => 0,
                };
                let le = match args.get(1) {
                    Some(a) => length(a)?,
                    None => 256,
                };
                let [hi, lo] = u16::try_from(offset).unwrap_or(0).to_be_bytes();
                Command::build(0x00, 0xB0, hi, lo, &[], Some(le))
            }
            Verb::UpdateBinary => {
                b.count(2, 2)?;
                let offset = number(b.arg(0)?, 0, 0x7FFF, "offset")?;
                let data = data(b.arg(1)?)?;
                let [hi, lo] = u16::try_from(offset).unwrap_or(0).to_be_bytes();
                Command::build(0x00, 0xD6, hi, lo, &data, None)
            }
            Verb::ReadRecord => {
                b.count(1, 2)?;
                let n = record_number(b.arg(0)?)?;
                let le = match args.get(1) {
                    Some(a) => length(a)?,
                    None => 256,
                };
                Command::build(0x00, 0xB2, n, 0x04, &[], Some(le))
            }
            Verb::UpdateRecord => {
                b.count(2, 2)?;
                let n = record_number(b.arg(0)?)?;
                let data = data(b.arg(1)?)?;
                Command::build(0x00, 0xDC, n, 0x04, &data, None)
            }
            Verb::Authenticate => {
                b.count(1, 3)?;
                let ctx = b.arg(0)?;
                match ctx.text.to_ascii_lowercase().as_str() {
                    "3g" | "umts" | "eps" | "5g" => {
                        b.count(3, 3)?;
                        let rand = fixed(b.arg(1)?, 16, "RAND")?;
                        let autn = fixed(b.arg(2)?, 16, "AUTN")?;
                        let data = [&[0x10][..], &rand, &[0x10], &autn].concat();
                        Command::build(0x00, 0x88, 0x00, 0x81, &data, Some(256))
                    }
                    "gsm" | "2g" => {
                        b.count(2, 2)?;
                        let rand = fixed(b.arg(1)?, 16, "RAND")?;
                        let data = [&[0x10][..], &rand].concat();
                        Command::build(0x00, 0x88, 0x00, 0x80, &data, Some(256))
                    }
                    _ => {
                        return Err(Located::new(
                            ctx.column,
                            format!("unknown authentication context `{}` (3g or gsm; GBA is the `gba` verb)", ctx.text),
                        ))
                    }
                }
            }
            Verb::Gba => {
                b.count(1, 4)?;
                let mode = b.arg(0)?;
                match mode.text.to_ascii_lowercase().as_str() {
                    "bootstrap" => {
                        b.count(3, 3)?;
                        let rand = fixed(b.arg(1)?, 16, "RAND")?;
                        let autn = fixed(b.arg(2)?, 16, "AUTN")?;
                        let data = [&[0xDD, 0x10][..], &rand, &[0x10], &autn].concat();
                        Command::build(0x00, 0x88, 0x00, 0x84, &data, Some(256))
                    }
                    "naf" => {
                        b.count(4, 4)?;
                        let fqdn = b.arg(1)?;
                        let proto = fixed(b.arg(2)?, 5, "Ua security protocol identifier")?;
                        let impi = b.arg(3)?;
                        let naf_id = [fqdn.text.as_bytes(), &proto].concat();
                        let naf_len = short_len(naf_id.len(), fqdn, "NAF_ID (FQDN ‖ protocol id)")?;
                        let impi_len = short_len(impi.text.len(), impi, "IMPI")?;
                        let data = [
                            &[0xDE, naf_len][..],
                            &naf_id,
                            &[impi_len],
                            impi.text.as_bytes(),
                        ]
                        .concat();
                        Command::build(0x00, 0x88, 0x00, 0x84, &data, Some(256))
                    }
                    _ => {
                        return Err(Located::new(
                            mode.column,
                            format!("unknown GBA mode `{}` (bootstrap or naf)", mode.text),
                        ))
                    }
                }
            }
            Verb::GetResponse => {
                b.count(0, 1)?;
                let le = match args.first() {
                    Some(a) => length(a)?,
                    None => 256,
                };
                Command::build(0x00, 0xC0, 0x00, 0x00, &[], Some(le))
            }
        };
        cmd.map(|c| c.encode())
            .map_err(|e| Located::new(column, format!("cannot build the APDU: {e}")))
    }
}

struct Builder<'a> {
    verb: Verb,
    column: usize,
    args: &'a [Arg],
}

impl Builder<'_> {
    fn count(&self, min: usize, max: usize) -> Result<(), Located> {
        let n = self.args.len();
        if n < min {
            let what = if min == max {
                format!("{min}")
            } else {
                format!("at least {min}")
            };
            return Err(Located::new(
                self.column,
                format!(
                    "`{}` needs {what} argument(s), got {n} (usage: {})",
                    self.verb.word(),
                    self.verb.usage()
                ),
            ));
        }
        if let Some(extra) = self.args.get(max) {
            return Err(Located::new(
                extra.column,
                format!(
                    "unexpected argument `{}` (usage: {})",
                    extra.text,
                    self.verb.usage()
                ),
            ));
        }
        Ok(())
    }

    fn arg(&self, i: usize) -> Result<&Arg, Located> {
        self.args.get(i).ok_or_else(|| {
            Located::new(
                self.column,
                format!("missing argument (usage: {})", self.verb.usage()),
            )
        })
    }
}

/// A number: decimal, or hex with `0x`.
fn number(a: &Arg, min: usize, max: usize, what: &str) -> Result<usize, Located> {
    let t = a.text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => usize::from_str_radix(h, 16).ok(),
        None => t.parse::<usize>().ok(),
    };
    match parsed {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(Located::new(
            a.column,
            format!("{what} {n} is out of range ({min}–{max})"),
        )),
        None => Err(Located::new(
            a.column,
            format!("{what} `{t}` is not a number (decimal, or hex with 0x)"),
        )),
    }
}

/// An expected length: 1–65536 bytes, or 0 for "up to 256" (Le `00`).
fn length(a: &Arg) -> Result<usize, Located> {
    let n = number(a, 0, 65_536, "length")?;
    Ok(if n == 0 { 256 } else { n })
}

fn record_number(a: &Arg) -> Result<u8, Located> {
    let n = number(a, 0, 255, "record number")?;
    Ok(u8::try_from(n).unwrap_or(0))
}

fn data(a: &Arg) -> Result<Vec<u8>, Located> {
    let bytes = parse_hex(&a.text)
        .map_err(|e| Located::new(a.column, format!("data `{}` is not hex: {e}", a.text)))?;
    if bytes.is_empty() {
        return Err(Located::new(a.column, "empty data"));
    }
    Ok(bytes)
}

fn fixed(a: &Arg, len: usize, what: &str) -> Result<Vec<u8>, Located> {
    let bytes = parse_hex(&a.text)
        .map_err(|e| Located::new(a.column, format!("{what} `{}` is not hex: {e}", a.text)))?;
    if bytes.len() != len {
        return Err(Located::new(
            a.column,
            format!(
                "{what} must be {len} bytes ({} hex digits), got {}",
                len * 2,
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

fn short_len(len: usize, a: &Arg, what: &str) -> Result<u8, Located> {
    u8::try_from(len).map_err(|_| {
        Located::new(
            a.column,
            format!("{what} is {len} bytes; its length must fit one byte (≤ 255)"),
        )
    })
}

/// Key references (TS 102 221 §9.5.1 Table 9.3).
fn key_ref(a: &Arg) -> Result<u8, Located> {
    let t = a.text.to_ascii_lowercase();
    let r = match t.as_str() {
        "pin1" | "pin" | "chv1" => Some(0x01),
        "pin2" | "chv2" => Some(0x81),
        "upin" | "universal-pin" => Some(0x11),
        _ => {
            if let Some(n) = t.strip_prefix("adm").and_then(|n| n.parse::<u8>().ok()) {
                match n {
                    1..=5 => Some(0x09 + n),
                    6..=10 => Some(0x84 + n),
                    _ => None,
                }
            } else if let Some(h) = t.strip_prefix("0x") {
                u8::from_str_radix(h, 16).ok()
            } else {
                None
            }
        }
    };
    r.ok_or_else(|| {
        Located::new(
            a.column,
            format!(
                "unknown key `{}` (pin1, pin2, upin, adm1…adm10, or a key reference like 0x81)",
                a.text
            ),
        )
    })
}

/// A PIN/ADM value block: exactly 16 hex digits as is, else ASCII (≤ 8 characters) padded with
/// `FF` (TS 102 221 §9.5.4.2).
fn pin_block(a: &Arg) -> Result<[u8; 8], Located> {
    let t = a.text.trim();
    if t.len() == 16 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        if let Ok(bytes) = parse_hex(t) {
            if let Ok(block) = <[u8; 8]>::try_from(bytes) {
                return Ok(block);
            }
        }
    }
    if t.is_empty() || t.len() > 8 || !t.is_ascii() {
        return Err(Located::new(
            a.column,
            format!("PIN/key value `{t}` must be 1–8 ASCII characters (sent padded with FF) or exactly 16 hex digits"),
        ));
    }
    let mut block = [0xFF; 8];
    for (dst, src) in block.iter_mut().zip(t.bytes()) {
        *dst = src;
    }
    Ok(block)
}

/// Parse a `select` argument: FID, path of FIDs, AID, or a name for the resolver.
fn select_target(a: &Arg, resolver: &dyn Resolver) -> Result<SelectTarget, Located> {
    let t = a.text.trim();
    let is_hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = t.split('/').collect();
    if parts.iter().all(|p| p.len() == 4 && is_hex(p)) {
        let fids: Vec<u16> = parts
            .iter()
            .filter_map(|p| u16::from_str_radix(p, 16).ok())
            .collect();
        return Ok(match fids.as_slice() {
            [fid] => SelectTarget::Fid(*fid),
            [0x3F00, rest @ ..] => SelectTarget::Path(rest.to_vec()),
            _ => SelectTarget::Path(fids),
        });
    }
    if parts.len() == 1 && t.len().is_multiple_of(2) && (10..=32).contains(&t.len()) && is_hex(t) {
        return parse_hex(t)
            .map(SelectTarget::Aid)
            .map_err(|e| Located::new(a.column, e.to_string()));
    }
    resolver
        .resolve(t)
        .map_err(|message| Located::new(a.column, message))
}

fn select_command(target: &SelectTarget) -> Result<Command, crate::CommandError> {
    match target {
        SelectTarget::Fid(fid) => {
            Command::build(0x00, 0xA4, 0x00, 0x04, &fid.to_be_bytes(), Some(256))
        }
        SelectTarget::Path(path) if path.is_empty() => {
            Command::build(0x00, 0xA4, 0x00, 0x04, &[0x3F, 0x00], Some(256))
        }
        SelectTarget::Path(path) => {
            let data: Vec<u8> = path.iter().flat_map(|f| f.to_be_bytes()).collect();
            Command::build(0x00, 0xA4, 0x08, 0x04, &data, Some(256))
        }
        SelectTarget::Aid(aid) => Command::build(0x00, 0xA4, 0x04, 0x04, aid, Some(256)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names;
    impl Resolver for Names {
        fn resolve(&self, name: &str) -> Result<SelectTarget, String> {
            match name {
                "EF.IMSI" => Ok(SelectTarget::Path(vec![0x7FFF, 0x6F07])),
                "MF" => Ok(SelectTarget::Fid(0x3F00)),
                "ADF.USIM" => Ok(SelectTarget::Aid(vec![0xA0, 0, 0, 0, 0x87, 0x10, 0x02])),
                _ => Err(format!("unknown file `{name}`")),
            }
        }
    }

    fn build(line: &str) -> Result<String, Located> {
        let mut words = line.split_whitespace();
        let verb = Verb::from_word(words.next().unwrap_or_default())
            .ok_or_else(|| Located::new(1, "verb"))?;
        let args: Vec<Arg> = words
            .map(|w| Arg {
                text: w.to_string(),
                column: 1,
            })
            .collect();
        verb.build(1, &args, &Names).map(hex::encode_upper)
    }

    #[test]
    fn verbs_expand_to_the_spec_apdus() {
        let ok = |l: &str| build(l).expect(l);
        assert_eq!(ok("select EF.IMSI"), "00A40804047FFF6F0700");
        assert_eq!(ok("select MF"), "00A40004023F0000");
        assert_eq!(ok("select 3F00"), "00A40004023F0000");
        assert_eq!(ok("select 6F07"), "00A40004026F0700");
        assert_eq!(ok("select 3F00/7FFF/6F07"), "00A40804047FFF6F0700");
        assert_eq!(ok("select ADF.USIM"), "00A4040407A000000087100200");
        assert_eq!(ok("select A0000000871002"), "00A4040407A000000087100200");
        assert_eq!(ok("verify pin1 1234"), "002000010831323334FFFFFFFF");
        assert_eq!(ok("verify pin2 5678"), "002000810835363738FFFFFFFF");
        assert_eq!(ok("verify adm1 88888888"), "0020000A083838383838383838");
        assert_eq!(
            ok("verify adm1 0102030405060708"),
            "0020000A080102030405060708"
        );
        assert_eq!(ok("verify pin1"), "00200001");
        assert_eq!(ok("unblock-pin pin1"), "002C0001");
        assert_eq!(
            ok("change-pin pin1 1234 4321"),
            "002400011031323334FFFFFFFF34333231FFFFFFFF"
        );
        assert_eq!(ok("read-binary"), "00B0000000");
        assert_eq!(ok("read-binary 0x10 9"), "00B0001009");
        assert_eq!(ok("read-binary 0 300"), "00B0000000012C");
        assert_eq!(ok("update-binary 2 AABB"), "00D6000202AABB");
        assert_eq!(ok("read-record 1 0x26"), "00B2010426");
        assert_eq!(ok("update-record 3 0102"), "00DC0304020102");
        assert_eq!(ok("get-response 0x2A"), "00C000002A");
        let rand = "00112233445566778899AABBCCDDEEFF";
        let autn = "FFEEDDCCBBAA99887766554433221100";
        assert_eq!(
            ok(&format!("authenticate 3g {rand} {autn}")),
            format!("008800812210{rand}10{autn}00")
        );
        assert_eq!(
            ok(&format!("authenticate gsm {rand}")),
            format!("008800801110{rand}00")
        );
        assert_eq!(
            ok(&format!("gba bootstrap {rand} {autn}")),
            format!("0088008423DD10{rand}10{autn}00")
        );
        // NAF_ID = "naf.example" ‖ 0100000002, IMPI "a@b".
        assert_eq!(
            ok("gba naf naf.example 0100000002 a@b"),
            format!(
                "0088008416DE10{}010000000203{}00",
                hex::encode_upper("naf.example"),
                hex::encode_upper("a@b")
            )
        );
    }

    #[test]
    fn argument_errors() {
        assert!(build("verify").is_err());
        assert!(build("verify pin9 1234").is_err());
        assert!(build("verify pin1 123456789").is_err());
        assert!(build("select EF.NOPE")
            .expect_err("unknown")
            .message
            .contains("unknown file"));
        assert!(build("read-binary 0x8000").is_err());
        assert!(build("authenticate 3g 00 11").is_err());
        assert!(build("authenticate xx 00").is_err());
        assert!(build("unblock-pin pin1 12345678").is_err());
        assert!(build("read-record 1 2 3").is_err());
        assert!(NoNames.resolve("EF.IMSI").is_err());
    }
}
