//! Expectations: what a response (data ‖ SW1 SW2) or an ATR must look like.
//!
//! A pattern is hex as the bytes are written, with wildcards: `?` is any nibble (`??` any byte,
//! `63C?` any retry count), `*` any number of bytes (also none), `${name}` the bytes of a
//! variable, `${name:N}` N bytes captured into `name`, `${name:*}` any number of bytes captured.
//! The whole response is matched, so the status word is the last two bytes written:
//! `=> 9000` means no data and `9000`; `=> * 9000` any data and `9000`.

use std::collections::HashSet;
use std::fmt;

use super::text::{reference, undefined, Located, Vars};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// A byte; `mask` has the bits that must equal `value` (`F0` for `6?`).
    Byte { value: u8, mask: u8 },
    /// `*`.
    Star,
    /// `${name}`: the variable's bytes.
    Var { name: String, column: usize },
    /// `${name:N}` (`len` Some) or `${name:*}` (None).
    Capture { name: String, len: Option<usize> },
}

/// A parsed expectation pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    items: Vec<Item>,
}

/// The result of matching a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// True if the bytes match.
    pub passed: bool,
    /// Captured variables, in pattern order, values as upper-case hex (empty unless passed).
    pub captures: Vec<(String, String)>,
    /// When not passed and the pattern has no `*`: the offset of the first byte that differs
    /// (the response length if the response is shorter).
    pub differs_at: Option<usize>,
    /// The pattern with variables substituted, as shown in reports.
    pub expected: String,
}

fn nibble(c: char) -> Option<(u8, u8)> {
    match c {
        '?' => Some((0, 0)),
        c => c.to_digit(16).map(|d| (d as u8, 0x0F)),
    }
}

impl Pattern {
    /// Parse the pattern text `chars` (first character at column `col0`).
    pub(crate) fn parse_chars(chars: &[char], col0: usize) -> Result<Pattern, Located> {
        let mut items = Vec::new();
        let mut half: Option<((u8, u8), usize)> = None;
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let column = col0 + i;
            let boundary = |what: &str| -> Result<(), Located> {
                match half {
                    Some((_, col)) => Err(Located::new(
                        col,
                        format!("a lone hex digit before {what}: hex digits come in pairs, one byte each"),
                    )),
                    None => Ok(()),
                }
            };
            if c.is_whitespace() || c == ':' || c == '-' {
                i += 1;
                continue;
            }
            if c == '*' {
                boundary("`*`")?;
                if items.last() != Some(&Item::Star) {
                    items.push(Item::Star);
                }
                i += 1;
                continue;
            }
            if let Some(r) = reference(chars, i, col0) {
                let r = r?;
                boundary("`${`")?;
                items.push(match r.spec.as_deref() {
                    None => Item::Var {
                        name: r.name,
                        column: r.column,
                    },
                    Some("*") => Item::Capture {
                        name: r.name,
                        len: None,
                    },
                    Some(n) => match n.parse::<usize>() {
                        Ok(len) if (1..=65_538).contains(&len) => Item::Capture {
                            name: r.name,
                            len: Some(len),
                        },
                        _ => {
                            return Err(Located::new(
                                r.column,
                                format!(
                                    "capture length `{n}` is not a byte count (1–65538) or `*`"
                                ),
                            ))
                        }
                    },
                });
                i = r.end;
                continue;
            }
            let Some(n) = nibble(c) else {
                return Err(Located::new(
                    column,
                    format!("unexpected {c:?} in an expectation (hex digits, `?` per nibble, `*`, `${{name}}`, `${{name:N}}`)"),
                ));
            };
            match half.take() {
                None => half = Some((n, column)),
                Some(((hv, hm), _)) => items.push(Item::Byte {
                    value: (hv << 4) | n.0,
                    mask: (hm << 4) | n.1,
                }),
            }
            i += 1;
        }
        if let Some((_, col)) = half {
            return Err(Located::new(
                col,
                "odd number of hex digits: hex digits come in pairs, one byte each",
            ));
        }
        if items.is_empty() {
            return Err(Located::new(
                col0,
                "empty expectation: write the expected response, e.g. `=> 9000` or `=> * 9000`",
            ));
        }
        Ok(Pattern { items })
    }

    /// Parse pattern text (the part after `=>`).
    pub fn parse(text: &str) -> Result<Pattern, Located> {
        let chars: Vec<char> = text.chars().collect();
        Self::parse_chars(&chars, 1)
    }

    /// True if the pattern uses `${name}` (its meaning depends on the variables).
    pub fn has_vars(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Var { .. }))
    }

    /// Match `actual` (the whole response, data ‖ SW1 SW2, or an ATR). Errors for an undefined
    /// variable or one whose value is not hex.
    pub fn matches(&self, actual: &[u8], vars: &Vars) -> Result<Match, Located> {
        let elems = self.expand(vars)?;
        let expected = show(&elems);
        let mut m = Matcher {
            elems: &elems,
            data: actual,
            failed: HashSet::new(),
            caps: Vec::new(),
            furthest: 0,
        };
        if m.step(0, 0) {
            let caps = m
                .caps
                .iter()
                .map(|(name, a, b)| {
                    (
                        (*name).to_string(),
                        hex::encode_upper(actual.get(*a..*b).unwrap_or_default()),
                    )
                })
                .collect();
            Ok(Match {
                passed: true,
                captures: caps,
                differs_at: None,
                expected,
            })
        } else {
            let fixed = !elems.iter().any(|e| matches!(e, Elem::Star(_)));
            Ok(Match {
                passed: false,
                captures: Vec::new(),
                differs_at: fixed.then_some(m.furthest),
                expected,
            })
        }
    }

    fn expand(&self, vars: &Vars) -> Result<Vec<Elem<'_>>, Located> {
        let mut out = Vec::with_capacity(self.items.len());
        for item in &self.items {
            match item {
                Item::Byte { value, mask } => out.push(Elem::Byte(*value, *mask)),
                Item::Star => out.push(Elem::Star(None)),
                Item::Capture { name, len: None } => out.push(Elem::Star(Some(name))),
                Item::Capture { name, len: Some(n) } => out.push(Elem::Fixed(name, *n)),
                Item::Var { name, column } => {
                    let value = vars
                        .get(name)
                        .ok_or_else(|| undefined(name, *column, vars))?;
                    let bytes = crate::hexstr::parse_hex(value).map_err(|e| {
                        Located::new(
                            *column,
                            format!("variable `{name}` = {value:?} is not hex ({e}), so it cannot be matched as bytes"),
                        )
                    })?;
                    out.extend(bytes.into_iter().map(|b| Elem::Byte(b, 0xFF)));
                }
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let mut run = String::new();
        for item in &self.items {
            match item {
                Item::Byte { value, mask } => run.push_str(&byte_text(*value, *mask)),
                other => {
                    if !run.is_empty() {
                        parts.push(std::mem::take(&mut run));
                    }
                    parts.push(match other {
                        Item::Star => "*".to_string(),
                        Item::Var { name, .. } => format!("${{{name}}}"),
                        Item::Capture { name, len: None } => format!("${{{name}:*}}"),
                        Item::Capture { name, len: Some(n) } => format!("${{{name}:{n}}}"),
                        Item::Byte { .. } => String::new(),
                    });
                }
            }
        }
        if !run.is_empty() {
            parts.push(run);
        }
        f.write_str(&parts.join(" "))
    }
}

fn byte_text(value: u8, mask: u8) -> String {
    let hi = if mask & 0xF0 == 0 {
        '?'
    } else {
        char::from_digit(u32::from(value >> 4), 16).unwrap_or('?')
    };
    let lo = if mask & 0x0F == 0 {
        '?'
    } else {
        char::from_digit(u32::from(value & 0x0F), 16).unwrap_or('?')
    };
    format!("{}{}", hi.to_ascii_uppercase(), lo.to_ascii_uppercase())
}

#[derive(Debug, Clone, Copy)]
enum Elem<'a> {
    Byte(u8, u8),
    Star(Option<&'a str>),
    Fixed(&'a str, usize),
}

fn show(elems: &[Elem<'_>]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run = String::new();
    for e in elems {
        match e {
            Elem::Byte(v, m) => run.push_str(&byte_text(*v, *m)),
            other => {
                if !run.is_empty() {
                    parts.push(std::mem::take(&mut run));
                }
                parts.push(match other {
                    Elem::Star(None) => "*".to_string(),
                    Elem::Star(Some(n)) => format!("${{{n}:*}}"),
                    Elem::Fixed(n, len) => format!("${{{n}:{len}}}"),
                    Elem::Byte(..) => String::new(),
                });
            }
        }
    }
    if !run.is_empty() {
        parts.push(run);
    }
    parts.join(" ")
}

/// Backtracking matcher; failed (element, offset) pairs are remembered, so it runs in
/// O(elements × bytes) whatever the number of `*`.
struct Matcher<'p, 'd> {
    elems: &'p [Elem<'p>],
    data: &'d [u8],
    failed: HashSet<(usize, usize)>,
    caps: Vec<(&'p str, usize, usize)>,
    furthest: usize,
}

impl Matcher<'_, '_> {
    /// Match elements from `i` against bytes from `j`; bytes and fixed captures are consumed
    /// in a loop, only `*` recurses (so the depth is the number of stars).
    fn step(&mut self, i0: usize, j0: usize) -> bool {
        if self.failed.contains(&(i0, j0)) {
            return false;
        }
        let mark = self.caps.len();
        let (mut i, mut j) = (i0, j0);
        let ok = loop {
            self.furthest = self.furthest.max(j);
            match self.elems.get(i).copied() {
                None => break j == self.data.len(),
                Some(Elem::Byte(v, m)) => match self.data.get(j) {
                    Some(b) if b & m == v & m => {
                        i += 1;
                        j += 1;
                    }
                    _ => break false,
                },
                Some(Elem::Fixed(name, n)) => {
                    if j + n > self.data.len() {
                        break false;
                    }
                    self.caps.push((name, j, j + n));
                    i += 1;
                    j += n;
                }
                Some(Elem::Star(name)) => {
                    let mut ok = false;
                    for k in j..=self.data.len() {
                        let before = self.caps.len();
                        if let Some(n) = name {
                            self.caps.push((n, j, k));
                        }
                        if self.step(i + 1, k) {
                            ok = true;
                            break;
                        }
                        self.caps.truncate(before);
                    }
                    break ok;
                }
            }
        };
        if !ok {
            self.caps.truncate(mark);
            self.failed.insert((i0, j0));
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, actual: &str) -> Match {
        let p = Pattern::parse(pattern).expect("pattern");
        let bytes = crate::hexstr::parse_hex(actual).expect("hex");
        p.matches(&bytes, &Vars::new()).expect("match")
    }

    #[test]
    fn exact_wildcards_and_stars() {
        assert!(check("9000", "9000").passed);
        assert!(!check("9000", "019000").passed);
        assert_eq!(check("9000", "019000").differs_at, Some(0));
        assert!(check("* 9000", "019000").passed);
        assert!(check("*9000", "9000").passed);
        assert!(check("61??", "6118").passed);
        assert!(check("63C?", "63C2").passed);
        assert!(!check("63C?", "63D2").passed);
        assert!(check("DB 08 ???????????????? *", "DB080102030405060708109000").passed);
        assert!(!check("DB 08 ???????????????? *", "DB07").passed);
        assert!(check("*", "").passed);
        assert!(check("* 90 * 00 *", "11900100").passed);
        assert_eq!(check("6229 * 9000", "6229019001").differs_at, None);
        assert_eq!(check("6229 ?? 9000", "6229019001").differs_at, Some(4));
        assert_eq!(check("6229 ?? 9000", "6229").differs_at, Some(2));
    }

    #[test]
    fn captures_and_variables() {
        let m = check(
            "DB 08 ${res:8} ${rest:*} 9000",
            "DB08AABBCCDDEEFF0011 1234 9000",
        );
        assert!(m.passed);
        assert_eq!(
            m.captures,
            vec![
                ("res".to_string(), "AABBCCDDEEFF0011".to_string()),
                ("rest".to_string(), "1234".to_string())
            ]
        );
        let p = Pattern::parse("${res} 9000").expect("pattern");
        let mut vars = Vars::new();
        assert!(p.matches(&[0x90, 0], &vars).is_err());
        vars.insert("res".into(), "AB CD".into());
        let m = p.matches(&[0xAB, 0xCD, 0x90, 0], &vars).expect("match");
        assert!(m.passed);
        assert_eq!(m.expected, "ABCD9000");
        vars.insert("res".into(), "xyz".into());
        assert!(p.matches(&[0x90, 0], &vars).is_err());
    }

    #[test]
    fn syntax_errors_have_columns() {
        assert_eq!(Pattern::parse("900").map_err(|e| e.column), Err(3));
        assert_eq!(Pattern::parse("90 0*").map_err(|e| e.column), Err(4));
        assert_eq!(Pattern::parse("90 0x").map_err(|e| e.column), Err(5));
        assert_eq!(Pattern::parse("  ").map_err(|e| e.column), Err(1));
        assert_eq!(Pattern::parse("${a:0}").map_err(|e| e.column), Err(1));
        assert_eq!(
            Pattern::parse("db08 ${res:8} * 9000").map(|p| p.to_string()),
            Ok("DB08 ${res:8} * 9000".to_string())
        );
    }
}
