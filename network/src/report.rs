//! The one report type of every procedure: named results in output order and a verdict (vusim's
//! own; the CLI prints it as `name: value` lines or one JSON object).

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
