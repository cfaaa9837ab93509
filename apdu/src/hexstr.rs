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

/// Upper-case hex without separators.
pub fn to_hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_errors() {
        assert_eq!(parse_hex("00 a4:00-04"), Ok(vec![0, 0xA4, 0, 4]));
        assert_eq!(parse_hex("0"), Err(HexError::OddLength(1)));
        assert_eq!(parse_hex("0g"), Err(HexError::BadChar { ch: 'g', pos: 2 }));
        assert_eq!(parse_hex(""), Ok(vec![]));
        assert_eq!(to_hex(&[0xAB, 1]), "AB01");
    }
}
