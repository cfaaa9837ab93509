//! Hex text as engineers write it: `00A4…`, `00 A4 …`, `00:A4:…`.

/// Hex text that is not an even number of hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// A character that is neither a hex digit nor a separator.
    #[error("invalid hex character {ch:?} at position {pos}")]
    BadChar {
        /// The character.
        ch: char,
        /// Its 1-based column.
        pos: usize,
    },
    /// An odd number of hex digits.
    #[error("odd number of hex digits ({0})")]
    OddLength(usize),
}

/// Decode hex text, ignoring spaces, tabs, `:` and `-` between digits (case-insensitive).
pub fn parse_hex(text: &str) -> Result<Vec<u8>, HexError> {
    if text.is_ascii() {
        return parse_ascii_hex(text.as_bytes());
    }
    parse_chars(text)
}

/// [`parse_hex`] character by character (any text; errors give character positions).
fn parse_chars(text: &str) -> Result<Vec<u8>, HexError> {
    let mut nibbles = Vec::with_capacity(text.len());
    for (i, ch) in text.chars().enumerate() {
        match ch {
            ' ' | '\t' | ':' | '-' => {}
            c => match c.to_digit(16) {
                Some(d) => nibbles.push(d as u8),
                None => return Err(HexError::BadChar { ch: c, pos: i + 1 }),
            },
        }
    }
    if nibbles.len() % 2 != 0 {
        return Err(HexError::OddLength(nibbles.len()));
    }
    Ok(nibbles
        .chunks_exact(2)
        .map(|pair| pair.iter().fold(0u8, |acc, n| (acc << 4) | n))
        .collect())
}

/// [`parse_hex`] for ASCII text (positions are byte positions, the same as character positions
/// here): one pass, no intermediate nibble buffer.
fn parse_ascii_hex(text: &[u8]) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0usize;
    for (i, b) in text.iter().enumerate() {
        let n = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            b' ' | b'\t' | b':' | b'-' => continue,
            _ => {
                return Err(HexError::BadChar {
                    ch: char::from(*b),
                    pos: i + 1,
                })
            }
        };
        digits += 1;
        match high.take() {
            Some(h) => out.push((h << 4) | n),
            None => high = Some(n),
        }
    }
    if high.is_some() {
        return Err(HexError::OddLength(digits));
    }
    Ok(out)
}

/// Upper-case hex without separators.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// Append `bytes` as upper-case hex to `out`, without an intermediate string (for printers that
/// annotate every APDU).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(bytes.len() * 2);
    // Up to 64 bytes at a time into a stack buffer, appended as one (ASCII) string slice.
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(64) {
        for (b, pair) in chunk.iter().zip(buf.chunks_exact_mut(2)) {
            if let [hi, lo] = pair {
                // Indices are nibbles (< 16): the lookups cannot miss.
                *hi = DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
                *lo = DIGITS.get(usize::from(b & 0x0F)).copied().unwrap_or(b'0');
            }
        }
        let digits = buf.get(..chunk.len() * 2).unwrap_or_default();
        out.push_str(std::str::from_utf8(digits).unwrap_or_default());
    }
}

/// Append `n` in decimal to `out` without the formatting machinery (printers' hot path).
pub fn push_decimal(out: &mut String, mut n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            // n % 10 < 10: the cast cannot truncate.
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend(
        buf.get(i..)
            .unwrap_or_default()
            .iter()
            .copied()
            .map(char::from),
    );
}

/// A command-line value that is not what its argument takes; the message names the argument
/// (`--ck: expected 16 bytes (32 hex digits), got 15 bytes`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{arg}: {problem}")]
pub struct ArgError {
    /// The argument, e.g. `--ck`.
    pub arg: String,
    /// What is wrong with its value.
    pub problem: ArgProblem,
}

/// What is wrong with an argument's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgProblem {
    /// Not hex text.
    #[error(transparent)]
    Hex(HexError),
    /// Empty where at least one byte is needed.
    #[error("expected at least 1 byte, got 0 bytes")]
    Empty,
    /// Not exactly `want` bytes.
    #[error("expected {want} bytes ({} hex digits), got {got} bytes", 2 * want)]
    Length {
        /// The length it takes.
        want: usize,
        /// The length given.
        got: usize,
    },
    /// None of the lengths it takes.
    #[error(
        "expected {} bytes ({} hex digits), got {got} bytes",
        join(allowed, 1),
        join(allowed, 2)
    )]
    OneOf {
        /// The lengths it takes.
        allowed: Vec<usize>,
        /// The length given.
        got: usize,
    },
    /// Outside `min..=max` bytes.
    #[error("expected {min} to {max} bytes ({} to {} hex digits), got {got} bytes", 2 * min, 2 * max)]
    Range {
        /// Shortest.
        min: usize,
        /// Longest.
        max: usize,
        /// The length given.
        got: usize,
    },
    /// Not `min..=max` decimal digits.
    #[error("expected {} decimal digits, got {got:?}", digit_count(*min, *max))]
    Digits {
        /// Fewest digits.
        min: usize,
        /// Most digits.
        max: usize,
        /// The text given.
        got: String,
    },
}

fn join(lengths: &[usize], factor: usize) -> String {
    lengths
        .iter()
        .map(|n| (n * factor).to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn digit_count(min: usize, max: usize) -> String {
    if min == max {
        format!("{min}")
    } else {
        format!("{min} to {max}")
    }
}

fn arg_error(arg: &str, problem: ArgProblem) -> ArgError {
    ArgError {
        arg: arg.to_owned(),
        problem,
    }
}

/// The hex value of argument `arg` (possibly empty).
pub fn hex_any(arg: &str, text: &str) -> Result<Vec<u8>, ArgError> {
    parse_hex(text).map_err(|e| arg_error(arg, ArgProblem::Hex(e)))
}

/// A hex value of at least one byte.
pub fn hex_nonempty(arg: &str, text: &str) -> Result<Vec<u8>, ArgError> {
    let v = hex_any(arg, text)?;
    if v.is_empty() {
        return Err(arg_error(arg, ArgProblem::Empty));
    }
    Ok(v)
}

/// A hex value of exactly `N` bytes.
pub fn hex_fixed<const N: usize>(arg: &str, text: &str) -> Result<[u8; N], ArgError> {
    let v = hex_any(arg, text)?;
    v.as_slice().try_into().map_err(|_| {
        arg_error(
            arg,
            ArgProblem::Length {
                want: N,
                got: v.len(),
            },
        )
    })
}

/// A hex value whose length is one of `allowed` (bytes).
pub fn hex_one_of(arg: &str, text: &str, allowed: &[usize]) -> Result<Vec<u8>, ArgError> {
    let v = hex_any(arg, text)?;
    if allowed.contains(&v.len()) {
        return Ok(v);
    }
    Err(arg_error(
        arg,
        ArgProblem::OneOf {
            allowed: allowed.to_vec(),
            got: v.len(),
        },
    ))
}

/// A hex value whose length lies in `min..=max` bytes.
pub fn hex_range(arg: &str, text: &str, min: usize, max: usize) -> Result<Vec<u8>, ArgError> {
    let v = hex_any(arg, text)?;
    if (min..=max).contains(&v.len()) {
        return Ok(v);
    }
    Err(arg_error(
        arg,
        ArgProblem::Range {
            min,
            max,
            got: v.len(),
        },
    ))
}

/// A string of `min..=max` decimal digits.
pub fn digits(arg: &str, text: &str, min: usize, max: usize) -> Result<String, ArgError> {
    if (min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(text.to_owned());
    }
    Err(arg_error(
        arg,
        ArgProblem::Digits {
            min,
            max,
            got: text.to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_hex_is_upper_case_hex_across_its_chunks() {
        // 0..=255 twice: 512 bytes, eight 64-byte chunks, every digit pair.
        let bytes: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        let mut out = String::from(">");
        push_hex(&mut out, &bytes);
        assert_eq!(out, format!(">{expected}"));
        for n in [0, 1, 63, 64, 65] {
            assert_eq!(
                to_hex(bytes.get(..n).unwrap_or_default()),
                expected[..2 * n]
            );
        }
    }

    #[test]
    fn separators_and_errors() {
        assert_eq!(parse_hex("00 a4:00-04"), Ok(vec![0, 0xA4, 0, 4]));
        assert_eq!(parse_hex("0"), Err(HexError::OddLength(1)));
        assert_eq!(parse_hex("0g"), Err(HexError::BadChar { ch: 'g', pos: 2 }));
        assert_eq!(parse_hex(""), Ok(vec![]));
        assert_eq!(to_hex(&[0xAB, 1]), "AB01");
        // The ASCII fast path and the character path agree, errors included.
        for t in [
            "",
            "00",
            "0",
            "0g",
            "00 a4:00-04",
            "A0\t0B",
            "abc",
            "zz",
            "12-",
            "FFff",
            "1 2 3",
        ] {
            assert_eq!(parse_ascii_hex(t.as_bytes()), parse_chars(t), "{t:?}");
        }
        assert_eq!(parse_hex("0é"), Err(HexError::BadChar { ch: 'é', pos: 2 }));
        // Across the 64-byte chunks of push_hex, against the hex crate.
        let all: Vec<u8> = (0..=255).chain(0..=200).collect();
        assert_eq!(to_hex(&all), hex::encode_upper(&all));
        let mut s = String::from("> ");
        push_hex(&mut s, &[]);
        push_hex(&mut s, &[0x0F]);
        assert_eq!(s, "> 0F");
        // Decimal against the formatter.
        for n in [0usize, 7, 10, 99, 100, 65_536, usize::MAX] {
            let mut d = String::from("x");
            push_decimal(&mut d, n);
            assert_eq!(d, format!("x{n}"));
        }
    }

    #[test]
    fn argument_messages_name_the_argument() {
        let msg = |r: Result<Vec<u8>, ArgError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(hex_any("--x", "0g")),
            "--x: invalid hex character 'g' at position 2"
        );
        assert_eq!(
            msg(hex_nonempty("--x", "")),
            "--x: expected at least 1 byte, got 0 bytes"
        );
        assert_eq!(
            hex_fixed::<2>("--x", "00").unwrap_err().to_string(),
            "--x: expected 2 bytes (4 hex digits), got 1 bytes"
        );
        assert_eq!(hex_fixed::<2>("--x", "0001"), Ok([0, 1]));
        assert_eq!(
            msg(hex_one_of("--x", "00", &[33, 65])),
            "--x: expected 33 or 65 bytes (66 or 130 hex digits), got 1 bytes"
        );
        assert_eq!(
            msg(hex_range("--x", "00", 8, 32)),
            "--x: expected 8 to 32 bytes (16 to 64 hex digits), got 1 bytes"
        );
        assert_eq!(
            digits("--mcc", "01", 3, 3).unwrap_err().to_string(),
            "--mcc: expected 3 decimal digits, got \"01\""
        );
        assert_eq!(
            digits("--rid", "", 1, 4).unwrap_err().to_string(),
            "--rid: expected 1 to 4 decimal digits, got \"\""
        );
        assert_eq!(digits("--rid", "0123", 1, 4), Ok("0123".to_owned()));
    }
}
