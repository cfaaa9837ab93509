//! The one report type of every procedure: named results in output order and a verdict (vusim's
//! own), rendered as `name: value` lines or one JSON object with the keys in output order.

/// A result value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text (hex values are lower-case text, APDUs upper-case).
    Text(String),
    /// A number.
    Num(u64),
    /// A check or a flag.
    Bool(bool),
}

impl Value {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(s) => serde_json::Value::String(s.clone()),
            Value::Num(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
        }
    }
}

/// The named results of a procedure, in output order, and whether a check failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    fields: Vec<(&'static str, Value)>,
    failed: bool,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// `name: value` lines (text as is, numbers and flags as in JSON), in output order.
    pub fn to_text(&self) -> String {
        let lines: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| match v {
                Value::Text(s) => format!("{k}: {s}"),
                other => format!("{k}: {}", other.to_json()),
            })
            .collect();
        lines.join("\n")
    }

    /// One JSON object, the keys in output order.
    pub fn to_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .fields
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.to_json()))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Lower-case hex.
    pub fn hex(&mut self, name: &'static str, bytes: &[u8]) {
        self.fields.push((name, Value::Text(hex::encode(bytes))));
    }

    /// Text.
    pub fn text(&mut self, name: &'static str, text: impl Into<String>) {
        self.fields.push((name, Value::Text(text.into())));
    }

    /// A number.
    pub fn num(&mut self, name: &'static str, n: u64) {
        self.fields.push((name, Value::Num(n)));
    }

    /// A flag that does not decide the verdict.
    pub fn flag(&mut self, name: &'static str, on: bool) {
        self.fields.push((name, Value::Bool(on)));
    }

    /// A check; `false` fails the report.
    pub fn check(&mut self, name: &'static str, ok: bool) {
        self.flag(name, ok);
        self.failed |= !ok;
    }

    /// An APDU, upper-case hex (nothing for an empty one).
    pub fn apdu(&mut self, name: &'static str, apdu: &[u8]) {
        if !apdu.is_empty() {
            self.text(name, hex::encode_upper(apdu));
        }
    }

    /// Mark the report failed (a verdict computed outside the checks).
    pub fn fail(&mut self) {
        self.failed = true;
    }

    /// Append another report's results.
    pub fn merge(&mut self, other: Report) {
        self.fields.extend(other.fields);
        self.failed |= other.failed;
    }

    /// Did a check fail?
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// The results, in order.
    pub fn fields(&self) -> &[(&'static str, Value)] {
        &self.fields
    }

    /// The last value recorded under `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The last text recorded under `name`.
    pub fn get_text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// The last flag or check recorded under `name`.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_keep_the_output_order() {
        let mut r = Report::new();
        r.hex("z_key", &[0xAB, 0x01]);
        r.num("count", 7);
        r.check("mac_ok", false);
        r.apdu("card_apdu", &[0x80, 0x10]);
        assert_eq!(
            r.to_text(),
            "z_key: ab01\ncount: 7\nmac_ok: false\ncard_apdu: 8010"
        );
        assert_eq!(
            r.to_json(),
            r#"{"z_key":"ab01","count":7,"mac_ok":false,"card_apdu":"8010"}"#
        );
        assert!(r.failed());
    }
}
