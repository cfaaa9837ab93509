//! The log of an APDU session (docs/script.md "Output"): text for people, JSON Lines for
//! programs — one rendering for `vusim send`, `run`, `shell` and `pcsc send/run`.
//!
//! Text shows each step's origin, the APDU, the response and its meaning, and each expectation;
//! JSON Lines are one object per event with a `type` key:
//!
//! | `type` | keys |
//! |---|---|
//! | `power_on` | `atr` |
//! | `script` | `file` |
//! | `apdu` | `file`, `line`, `source`, `command`, `description`, `data`, `sw`, `meaning` |
//! | `reset` | `file`, `line`, `atr` |
//! | `expectation` | `file`, `line`, `passed`, `expected`, `actual`, `captures`, `differs_at` |
//! | `echo` | `file`, `line`, `text` |
//! | `set` | `file`, `line`, `name`, `value` |
//! | `net` | `file`, `line`, `source`, `set` (the variables it set), `gives` (the bytes an expectation checks) |
//! | `exit` | `file`, `line` |
//! | `summary` | `scripts`, `apdus`, `resets`, `expectations`, `failed`, `passed`, `stopped` |
//!
//! A lone exchange (`vusim send`) is an `apdu` object without the script keys. Kinds may be
//! added; readers should skip types they do not know. The renderer appends whole lines to a
//! `String`; writing them is the caller's business.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use super::{Event, Summary};
use crate::annotate::Annotator;
use crate::hexstr::{parse_hex, push_hex};
use crate::{Command, Response};

/// Renders a session's exchanges and events as text or JSON Lines, naming files in the DF
/// context the session's SELECTs leave.
pub struct Log<'n> {
    json: bool,
    /// The last step was a reset: an expectation then checks an ATR, which has no status word.
    after_reset: bool,
    ann: Annotator<'n>,
}

/// Append one JSON object and its line end.
fn push_json(out: &mut String, v: &Value) {
    let _ = writeln!(out, "{v}");
}

impl<'n> Log<'n> {
    /// A log in text (`json` false) or JSON Lines, annotated by `ann` (e.g.
    /// `Annotator::new(names)` with the card's file and instruction names).
    pub fn new(json: bool, ann: Annotator<'n>) -> Log<'n> {
        Log {
            json,
            after_reset: false,
            ann,
        }
    }

    /// The card powered on with `atr`.
    pub fn power_on(&self, out: &mut String, atr: &[u8]) {
        if self.json {
            push_json(
                out,
                &json!({"type": "power_on", "atr": hex::encode_upper(atr)}),
            );
        } else {
            let _ = writeln!(out, "power on: ATR {}", hex::encode_upper(atr));
        }
    }

    /// A script starts.
    pub fn script(&self, out: &mut String, name: &str) {
        if self.json {
            push_json(out, &json!({"type": "script", "file": name}));
        } else {
            let _ = writeln!(out, "== {name}");
        }
    }

    /// One exchange outside a script: text lines or one JSON object.
    pub fn exchange(&mut self, out: &mut String, command: &[u8], response: &[u8]) {
        if self.json {
            push_json(out, &Value::Object(self.exchange_json(command, response)));
        } else {
            self.exchange_text(out, command, response);
        }
    }

    /// The command and its description, the response and its annotation, one line each.
    fn exchange_text(&mut self, out: &mut String, command: &[u8], response: &[u8]) {
        out.push_str("> ");
        push_hex(out, command);
        out.push('\n');
        let ins = match Command::parse(command) {
            Ok(cmd) => {
                out.push_str("  ");
                self.ann.write_command(out, &cmd);
                out.push('\n');
                Some(cmd.ins())
            }
            Err(e) => {
                let _ = writeln!(out, "  malformed command APDU: {e}");
                None
            }
        };
        out.push_str("< ");
        push_hex(out, response);
        out.push('\n');
        self.ann.write_response_bytes(out, "  ", response, ins);
    }

    /// The JSON fields of one exchange.
    fn exchange_json(&mut self, command: &[u8], response: &[u8]) -> Map<String, Value> {
        let parsed = Command::parse(command);
        let description = match &parsed {
            Ok(cmd) => self.ann.describe_command(cmd),
            Err(e) => format!("malformed command APDU: {e}"),
        };
        let ins = parsed.ok().map(|c| c.ins());
        let mut m = Map::new();
        m.insert("command".into(), json!(hex::encode_upper(command)));
        m.insert("description".into(), json!(description));
        match Response::parse(response) {
            Ok(resp) => {
                self.ann.observe_status(resp.sw);
                let meaning = match ins {
                    Some(i) => resp.sw.meaning_for(i),
                    None => resp.sw.meaning(),
                };
                m.insert("data".into(), json!(hex::encode_upper(&resp.data)));
                m.insert("sw".into(), json!(resp.sw.to_string()));
                m.insert("meaning".into(), json!(meaning));
            }
            Err(e) => {
                m.insert("data".into(), json!(hex::encode_upper(response)));
                m.insert("sw".into(), Value::Null);
                m.insert("meaning".into(), json!(e.to_string()));
            }
        }
        m
    }

    /// One event of a script run.
    pub fn event(&mut self, out: &mut String, event: &Event<'_>) {
        match *event {
            Event::Apdu { .. } => self.after_reset = false,
            Event::Reset { .. } => {
                self.after_reset = true;
                self.ann.reset();
            }
            _ => {}
        }
        if self.json {
            self.event_json(out, event);
        } else {
            self.event_text(out, event);
        }
    }

    fn event_json(&mut self, out: &mut String, event: &Event<'_>) {
        let v = match *event {
            Event::Apdu {
                at,
                source,
                command,
                response,
            } => {
                let mut m = self.exchange_json(command, response);
                m.insert("type".into(), json!("apdu"));
                m.insert("file".into(), json!(&*at.file));
                m.insert("line".into(), json!(at.line));
                m.insert("source".into(), json!(source));
                Value::Object(m)
            }
            Event::Reset { at, atr } => json!({"type": "reset", "file": &*at.file,
                "line": at.line, "atr": hex::encode_upper(atr)}),
            Event::Expectation { at, actual, result } => {
                let captures: Map<String, Value> = result
                    .captures
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                json!({"type": "expectation", "file": &*at.file, "line": at.line,
                       "passed": result.passed, "expected": result.expected,
                       "actual": hex::encode_upper(actual), "captures": captures,
                       "differs_at": result.differs_at})
            }
            Event::Echo { at, text } => {
                json!({"type": "echo", "file": &*at.file, "line": at.line, "text": text})
            }
            Event::Set { at, name, value } => json!({"type": "set", "file": &*at.file,
                "line": at.line, "name": name, "value": value}),
            Event::Net {
                at,
                source,
                vars,
                bytes,
            } => {
                let set: Map<String, Value> =
                    vars.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                json!({"type": "net", "file": &*at.file, "line": at.line, "source": source,
                       "set": set, "gives": hex::encode_upper(bytes)})
            }
            Event::Exit { at } => json!({"type": "exit", "file": &*at.file, "line": at.line}),
        };
        push_json(out, &v);
    }

    fn event_text(&mut self, out: &mut String, event: &Event<'_>) {
        match *event {
            Event::Apdu {
                at,
                source,
                command,
                response,
            } => {
                if parse_hex(source).is_ok() {
                    let _ = writeln!(out, "-- {at}");
                } else {
                    let _ = writeln!(out, "-- {at}: {source}");
                }
                self.exchange_text(out, command, response);
            }
            Event::Reset { at, atr } => {
                let _ = writeln!(out, "-- {at}: reset\n  ATR {}", hex::encode_upper(atr));
            }
            Event::Expectation { at, actual, result } => {
                if result.passed {
                    out.push_str("  ok\n");
                    for (k, v) in &result.captures {
                        let _ = writeln!(out, "  {k} = {v}");
                    }
                    return;
                }
                let meaning = match Response::parse(actual) {
                    Ok(r) if !self.after_reset => format!(" ({} {})", r.sw, r.sw.meaning()),
                    _ => String::new(),
                };
                let _ = writeln!(out, "  FAILED at {at}\n    expected {}", result.expected);
                let _ = writeln!(out, "    got      {}{meaning}", hex::encode_upper(actual));
                if let Some(d) = result.differs_at {
                    let _ = writeln!(out, "    first difference at byte {d}");
                }
            }
            Event::Echo { text, .. } => {
                let _ = writeln!(out, "{text}");
            }
            Event::Set { .. } => {}
            Event::Net {
                at, source, vars, ..
            } => {
                let _ = writeln!(out, "-- {at}: {source}");
                for (k, v) in vars {
                    let _ = writeln!(out, "  {k} = {v}");
                }
            }
            Event::Exit { at } => {
                let _ = writeln!(out, "-- {at}: exit");
            }
        }
    }

    /// The end of a run: `scripts` of `total` scripts ran (fewer when `stopped` at a failure).
    pub fn summary(
        &self,
        out: &mut String,
        scripts: usize,
        total: usize,
        s: &Summary,
        stopped: bool,
    ) {
        let failed = s.failures.len();
        if self.json {
            push_json(
                out,
                &json!({"type": "summary", "scripts": scripts, "apdus": s.apdus,
                        "resets": s.resets, "expectations": s.expectations,
                        "failed": failed, "passed": failed == 0, "stopped": stopped}),
            );
            return;
        }
        let verdict = if failed == 0 {
            "all passed".to_string()
        } else {
            format!("{failed} failed")
        };
        let _ = writeln!(
            out,
            "== {scripts} script(s), {} APDU(s), {} reset(s), {} expectation(s): {verdict}",
            s.apdus, s.resets, s.expectations
        );
        if stopped && total > scripts {
            let _ = writeln!(
                out,
                "== stopped at the first failure; {} script(s) not run (--keep-going runs on)",
                total - scripts
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exchange_as_text_and_json() {
        let mut text = String::new();
        Log::new(false, Annotator::plain()).exchange(
            &mut text,
            &[0x00, 0xB0, 0x00, 0x00, 0x02],
            &[0x12, 0x34, 0x90, 0x00],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.first(), Some(&"> 00B0000002"));
        assert_eq!(lines.get(2), Some(&"< 12349000"));
        let mut json = String::new();
        Log::new(true, Annotator::plain()).exchange(
            &mut json,
            &[0x00, 0xB0, 0x00, 0x00, 0x02],
            &[0x6A, 0x82],
        );
        let v: Value = serde_json::from_str(json.trim_end()).expect("one JSON object");
        assert_eq!(v.get("command"), Some(&json!("00B0000002")));
        assert_eq!(v.get("data"), Some(&json!("")));
        assert_eq!(v.get("sw"), Some(&json!("6A82")));
        assert!(json.ends_with('\n') && json.matches('\n').count() == 1);
    }
}
