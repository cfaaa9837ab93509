//! Script text: where a step came from, variables, and text with `${name}` references.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Where a step or expectation was written: script file (as named on the command line or in
/// `include`, relative to the includer) and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The script file.
    pub file: Arc<str>,
    /// The 1-based line.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Script variables: `set NAME VALUE`, captures, and values given by the caller. Values are
/// text; captures store upper-case hex.
pub type Vars = BTreeMap<String, String>;

/// A problem at a column of a line (1-based, counted in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Located {
    pub(crate) fn new(column: usize, message: impl Into<String>) -> Located {
        Located {
            column,
            message: message.into(),
        }
    }
}

/// True for a variable name: a letter or `_`, then letters, digits and `_`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A `${…}` reference: the name and what follows a `:` (a capture length), if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub name: String,
    pub spec: Option<String>,
    /// Column of the `$`.
    pub column: usize,
    /// Index just past the closing `}`.
    pub end: usize,
}

/// Read a `${name}` or `${name:spec}` reference starting at `chars[start] == '$'`. `None` if
/// `chars[start..]` does not start with `${`.
pub(crate) fn reference(
    chars: &[char],
    start: usize,
    col0: usize,
) -> Option<Result<Reference, Located>> {
    if chars.get(start) != Some(&'$') || chars.get(start + 1) != Some(&'{') {
        return None;
    }
    let column = col0 + start;
    let body_start = start + 2;
    let Some(close) = chars
        .iter()
        .skip(body_start)
        .position(|c| *c == '}')
        .map(|p| p + body_start)
    else {
        return Some(Err(Located::new(column, "`${` without a closing `}`")));
    };
    let body: String = chars
        .get(body_start..close)
        .unwrap_or_default()
        .iter()
        .collect();
    let (name, spec) = match body.split_once(':') {
        Some((n, s)) => (n.trim().to_string(), Some(s.trim().to_string())),
        None => (body.trim().to_string(), None),
    };
    if !is_var_name(&name) {
        return Some(Err(Located::new(
            column,
            format!("`{name}` is not a variable name (letters, digits and `_`, not starting with a digit)"),
        )));
    }
    Some(Ok(Reference {
        name,
        spec,
        column,
        end: close + 1,
    }))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var { name: String, column: usize },
}

/// Text with `${name}` references, expanded when the step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
    column: usize,
}

impl Template {
    /// Parse `chars`, whose first character is at column `col0`. `${name:…}` (a capture) is an
    /// error here: captures belong in expectations.
    pub(crate) fn parse(chars: &[char], col0: usize) -> Result<Template, Located> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            match reference(chars, i, col0) {
                Some(Ok(r)) => {
                    if r.spec.is_some() {
                        return Err(Located::new(
                            r.column,
                            format!(
                                "`${{{}:…}}` captures bytes and belongs in an expectation (`=> …`); write `${{{}}}` to use the variable",
                                r.name, r.name
                            ),
                        ));
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Var {
                        name: r.name,
                        column: r.column,
                    });
                    i = r.end;
                }
                Some(Err(e)) => return Err(e),
                None => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template {
            pieces,
            column: col0,
        })
    }

    /// Column of the first character.
    pub fn column(&self) -> usize {
        self.column
    }

    /// True if the text refers to a variable.
    pub fn has_vars(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Var { .. }))
    }

    /// The text without variables, if it has none.
    pub fn literal(&self) -> Option<String> {
        if self.has_vars() {
            return None;
        }
        Some(self.pieces.iter().fold(String::new(), |mut s, p| {
            if let Piece::Text(t) = p {
                s.push_str(t);
            }
            s
        }))
    }

    /// Substitute the variables.
    pub fn expand(&self, vars: &Vars) -> Result<String, Located> {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Var { name, column } => match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => return Err(undefined(name, *column, vars)),
                },
            }
        }
        Ok(out)
    }

    /// The literal text pieces with their columns (for validation before the run).
    pub(crate) fn literal_pieces(&self) -> Vec<(&str, usize)> {
        let mut col = self.column;
        let mut out = Vec::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => {
                    out.push((t.as_str(), col));
                    col += t.chars().count();
                }
                Piece::Var { name, column } => col = column + name.chars().count() + 3,
            }
        }
        out
    }
}

/// The error for an undefined variable, listing the defined ones.
pub(crate) fn undefined(name: &str, column: usize, vars: &Vars) -> Located {
    let known = if vars.is_empty() {
        "no variables are defined".to_string()
    } else {
        let names: Vec<&str> = vars.keys().map(String::as_str).collect();
        format!("defined: {}", names.join(", "))
    };
    Located::new(
        column,
        format!("undefined variable `{name}` ({known}; define it with `set {name} VALUE` or capture it in an expectation)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn templates_expand_and_report() {
        let t = Template::parse(&chars("00 20 ${p} ${x}"), 5).expect("template");
        assert!(t.has_vars());
        let mut vars = Vars::new();
        vars.insert("p".into(), "0001".into());
        let e = t.expand(&vars).expect_err("x undefined");
        assert_eq!(e.column, 16);
        assert!(
            e.message.contains("undefined variable `x`"),
            "{}",
            e.message
        );
        vars.insert("x".into(), "08".into());
        assert_eq!(t.expand(&vars).as_deref(), Ok("00 20 0001 08"));
        assert_eq!(
            Template::parse(&chars("a ${b:8}"), 1)
                .map(|_| ())
                .map_err(|e| e.column),
            Err(3)
        );
        assert!(Template::parse(&chars("${b"), 1).is_err());
        assert!(Template::parse(&chars("${9b}"), 1).is_err());
        assert_eq!(
            Template::parse(&chars("$ and $x"), 1).map(|t| t.literal()),
            Ok(Some("$ and $x".to_string()))
        );
    }
}
