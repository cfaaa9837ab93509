//! Reading bytes of unknown kind as a command APDU (ISO/IEC 7816-4 §5.1), a response APDU or a
//! status word, and a command's fields spelt out (`vusim decode`). Which bytes count as a
//! status word is vusim's own heuristic: a last-but-one byte in `61`–`6F` or `90`–`9F`, the
//! SW1 values of ISO/IEC 7816-4 §5.6 and TS 102 221 §10.2.

use std::fmt::Write as _;

use serde_json::json;

use super::Annotator;
use crate::command::{Command, CommandError};
use crate::hexstr::to_hex;
use crate::response::{Response, ResponseTooShort};
use crate::StatusWord;

/// How to read the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reading {
    /// Two bytes are a status word; a well-formed command APDU is a command; anything else a
    /// response if it ends like a status word, a malformed command if not.
    #[default]
    Guess,
    /// Always a command APDU (malformed if it does not parse).
    Command,
    /// Always a response APDU (data ‖ SW1 SW2).
    Response,
}

/// What the bytes were read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// A command APDU.
    Command(Command),
    /// Bytes that should have been a command APDU, and why they are not one.
    Malformed(CommandError),
    /// A response APDU or a lone status word.
    Response(Response),
}

/// Read `bytes` as [`Reading`] says.
///
/// # Errors
/// Bytes read as a response that are too short to hold a status word.
pub fn read(bytes: &[u8], how: Reading) -> Result<Read, ResponseTooShort> {
    if how == Reading::Response || (how == Reading::Guess && bytes.len() == 2) {
        return Response::parse(bytes).map(Read::Response);
    }
    match Command::parse(bytes) {
        Ok(c) => Ok(Read::Command(c)),
        Err(e) if how == Reading::Command || !ends_like_sw(bytes) => Ok(Read::Malformed(e)),
        Err(_) => Response::parse(bytes).map(Read::Response),
    }
}

fn ends_like_sw(bytes: &[u8]) -> bool {
    matches!(
        bytes.len().checked_sub(2).and_then(|i| bytes.get(i)),
        Some(0x61..=0x6F | 0x90..=0x9F)
    )
}

/// The command's fields: `CLA 00 INS A4 P1 00 P2 04 Lc 02 Data 3F00 Le 00 (Ne 256) (case 4S,
/// channel 0)` — Lc and Le as coded (two bytes in extended form), Ne as meant.
pub fn fields(cmd: &Command) -> String {
    let mut s = format!(
        "CLA {} INS {:02X} P1 {:02X} P2 {:02X}",
        cmd.cla(),
        cmd.ins(),
        cmd.p1(),
        cmd.p2()
    );
    let width = if cmd.is_extended() { 4 } else { 2 };
    if !cmd.data().is_empty() {
        s.push_str(&format!(
            " Lc {:0width$X} Data {}",
            cmd.data().len(),
            to_hex(cmd.data())
        ));
    }
    if let Some(ne) = cmd.le() {
        let max = if cmd.is_extended() { 65_536 } else { 256 };
        s.push_str(&format!(" Le {:0width$X} (Ne {ne})", ne % max));
    }
    s.push_str(&format!(" (case {}", cmd.case().label()));
    if let Some(ch) = cmd.channel() {
        s.push_str(&format!(", channel {ch}"));
    }
    s.push(')');
    s
}

/// The output of `vusim decode`: each item read and annotated, as text lines or one JSON object
/// (`type` `command`, `malformed` or `response`); a response or status word after a command is
/// read as that command's answer.
pub struct DecodeLog<'n> {
    json: bool,
    ann: Annotator<'n>,
    last_ins: Option<u8>,
}

impl<'n> DecodeLog<'n> {
    /// Text (`json` false) or JSON Lines, annotated by `ann`.
    pub fn new(json: bool, ann: Annotator<'n>) -> DecodeLog<'n> {
        DecodeLog {
            json,
            ann,
            last_ins: None,
        }
    }

    /// Read `bytes` as `how` says and append what they are.
    ///
    /// # Errors
    /// Bytes read as a response that are too short to hold a status word.
    pub fn item(
        &mut self,
        out: &mut String,
        bytes: &[u8],
        how: Reading,
    ) -> Result<(), ResponseTooShort> {
        let upper = hex::encode_upper(bytes);
        let (last_ins, json) = (self.last_ins.take(), self.json);
        match read(bytes, how)? {
            Read::Command(cmd) => {
                let description = self.ann.describe_command(&cmd);
                if json {
                    let v = json!({
                        "type": "command", "apdu": upper, "cla": format!("{}", cmd.cla()),
                        "ins": format!("{:02X}", cmd.ins()), "p1": format!("{:02X}", cmd.p1()),
                        "p2": format!("{:02X}", cmd.p2()), "data": hex::encode_upper(cmd.data()),
                        "le": cmd.le(), "case": cmd.case().label(), "channel": cmd.channel(),
                        "description": description,
                    });
                    let _ = writeln!(out, "{v}");
                } else {
                    let _ = writeln!(out, "> {upper}\n  {description}\n  {}", fields(&cmd));
                }
                self.last_ins = Some(cmd.ins());
            }
            Read::Malformed(e) => {
                let sw: StatusWord = e.status_word();
                if json {
                    let v = json!({"type": "malformed", "apdu": upper, "error": e.to_string(),
                                   "sw": sw.to_string(), "meaning": sw.meaning()});
                    let _ = writeln!(out, "{v}");
                } else {
                    let _ = writeln!(out, "> {upper}\n  malformed command APDU: {e}");
                    let _ = writeln!(out, "  a UICC answers {sw} {}", sw.meaning());
                }
            }
            Read::Response(resp) => {
                let lines = self.ann.describe_response(&resp, last_ins);
                if json {
                    let meaning = match last_ins {
                        Some(ins) => resp.sw.meaning_for(ins),
                        None => resp.sw.meaning(),
                    };
                    let v = json!({"type": "response", "data": hex::encode_upper(&resp.data),
                                   "sw": resp.sw.to_string(), "meaning": meaning});
                    let _ = writeln!(out, "{v}");
                } else {
                    let _ = writeln!(out, "< {upper}");
                    for l in lines {
                        let _ = writeln!(out, "  {l}");
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).expect("hex")
    }

    #[test]
    fn guessing_tells_commands_responses_and_status_words_apart() {
        // SELECT MF (TS 102 221 §11.1.1): case 4, Lc 02, Le 00.
        let select = read(&hex("00A40004023F0000"), Reading::Guess);
        assert!(matches!(select, Ok(Read::Command(c)) if c.ins() == 0xA4));
        // Two bytes: a status word, even where a case-1 header would not fit.
        assert!(matches!(
            read(&hex("6A82"), Reading::Guess),
            Ok(Read::Response(r)) if r.data.is_empty()
        ));
        // Not a command (Lc 05 with 2 bytes of data), ends in 9000: a response.
        assert!(matches!(
            read(&hex("00A40004053F009000"), Reading::Guess),
            Ok(Read::Response(r)) if r.data == hex("00A40004053F00")
        ));
        // The same header ending in 3F00: a malformed command.
        assert!(matches!(
            read(&hex("00A40004053F00"), Reading::Guess),
            Ok(Read::Malformed(_))
        ));
        assert!(matches!(
            read(&hex("00A40004053F009000"), Reading::Command),
            Ok(Read::Malformed(_))
        ));
        assert!(matches!(
            read(&hex("00A40004023F00"), Reading::Response),
            Ok(Read::Response(r)) if r.data == hex("00A4000402") && r.sw.to_bytes() == [0x3F, 0x00]
        ));
        assert_eq!(read(&[0x90], Reading::Response), Err(ResponseTooShort(1)));
    }

    #[test]
    fn fields_show_lc_and_le_as_coded() {
        let cmd = |h: &str| Command::parse(&hex(h)).expect("a command");
        assert_eq!(
            fields(&cmd("00A40004023F0000")),
            "CLA 00 INS A4 P1 00 P2 04 Lc 02 Data 3F00 Le 00 (Ne 256) (case 4S, channel 0)"
        );
        // Extended Le (ISO/IEC 7816-4 §5.1: 00 ‖ two bytes), 0168 = 360.
        assert_eq!(
            fields(&cmd("80F20000000168")),
            "CLA 80 INS F2 P1 00 P2 00 Le 0168 (Ne 360) (case 2E, channel 0)"
        );
    }

    #[test]
    fn a_status_word_after_a_command_is_its_answer() {
        let mut log = DecodeLog::new(true, Annotator::plain());
        let mut out = String::new();
        for item in ["00A40004023F0000", "6A82", "6A82"] {
            log.item(&mut out, &hex(item), Reading::Guess)
                .expect("read");
        }
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        let field = |i: usize, k: &str| lines.get(i).and_then(|v| v.get(k)).cloned();
        assert_eq!(field(0, "type"), Some(json!("command")));
        assert_eq!(field(0, "case"), Some(json!("4S")));
        // After SELECT, 6A82 is "file or application not found"; alone, the generic meaning.
        assert_eq!(field(1, "sw"), Some(json!("6A82")));
        let meaning = |i| field(i, "meaning").and_then(|m| m.as_str().map(String::from));
        assert_eq!(
            meaning(1),
            Some(
                StatusWord::from_bytes(0x6A, 0x82)
                    .meaning_for(0xA4)
                    .to_string()
            )
        );
        assert_eq!(
            meaning(2),
            Some(StatusWord::from_bytes(0x6A, 0x82).meaning().to_string())
        );
    }
}
