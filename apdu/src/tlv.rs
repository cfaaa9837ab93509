//! BER-TLV (ISO/IEC 7816-4 §5.2, X.690 §8.1) and COMPACT-TLV (ISO/IEC 7816-4 §8.1.1.2) data objects.

use std::fmt;

use nom::bytes::complete::take;
use nom::number::complete::be_u8;
use nom::IResult;

/// Nesting depth [`Node::parse_tree`] accepts before giving up (bounded recursion).
pub const MAX_DEPTH: usize = 16;

/// Why bytes are not well-formed BER-TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlvError {
    /// The input ended inside a tag.
    #[error("BER-TLV tag truncated at offset {0}")]
    TagTruncated(usize),
    /// A tag longer than 4 bytes.
    #[error("BER-TLV tag longer than 4 bytes at offset {0}")]
    TagTooLong(usize),
    /// `00` or `FF` where a tag must start (ISO/IEC 7816-4 §5.2.2.1).
    #[error("invalid BER-TLV tag byte {byte:02X} at offset {offset}")]
    InvalidTag {
        /// The byte.
        byte: u8,
        /// Where.
        offset: usize,
    },
    /// The input ended inside a length field.
    #[error("BER-TLV length truncated at offset {0}")]
    LengthTruncated(usize),
    /// Indefinite length (`80`), not allowed in ISO/IEC 7816-4.
    #[error("BER-TLV indefinite length at offset {0}")]
    IndefiniteLength(usize),
    /// A length field of more than 4 subsequent bytes, or one that does not fit in memory.
    #[error("BER-TLV length field {0:02X} not supported")]
    LengthTooLong(u8),
    /// Fewer value bytes than the length says.
    #[error("BER-TLV value truncated at offset {offset}: length {need}, {have} bytes left")]
    ValueTruncated {
        /// Where the value starts.
        offset: usize,
        /// The announced length.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("BER-TLV nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// A BER-TLV tag of 1 to 4 bytes, stored big-endian in a `u32` (`0x62`, `0x5F2D`, `0xBF2B` …).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

/// The class bits b8–b7 of a tag's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagClass {
    /// `00`.
    Universal,
    /// `01`.
    Application,
    /// `10`.
    ContextSpecific,
    /// `11`.
    Private,
}

impl Tag {
    /// Bytes of the tag (1 to 4).
    pub fn to_bytes(self) -> Vec<u8> {
        let b = self.0.to_be_bytes();
        let skip = b.iter().take(3).take_while(|x| **x == 0).count();
        b.iter().skip(skip).copied().collect()
    }

    fn first_byte(self) -> u8 {
        self.to_bytes().first().copied().unwrap_or(0)
    }

    /// The class of the tag.
    pub fn class(self) -> TagClass {
        match self.first_byte() >> 6 {
            0 => TagClass::Universal,
            1 => TagClass::Application,
            2 => TagClass::ContextSpecific,
            _ => TagClass::Private,
        }
    }

    /// True if b6 of the first byte is set: the value is itself BER-TLV.
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.to_bytes()))
    }
}

impl From<u32> for Tag {
    fn from(v: u32) -> Self {
        Tag(v)
    }
}

fn nom_tag(i: &[u8]) -> IResult<&[u8], Vec<u8>> {
    let (mut i, first) = be_u8(i)?;
    let mut bytes = vec![first];
    if first & 0x1F == 0x1F {
        loop {
            let (rest, b) = be_u8(i)?;
            i = rest;
            bytes.push(b);
            if b & 0x80 == 0 || bytes.len() > 4 {
                break;
            }
        }
    }
    Ok((i, bytes))
}

/// Parse a tag at `offset` (used for error positions).
fn parse_tag(input: &[u8], offset: usize) -> Result<(Tag, &[u8]), TlvError> {
    match input.first() {
        Some(&b @ (0x00 | 0xFF)) => return Err(TlvError::InvalidTag { byte: b, offset }),
        None => return Err(TlvError::TagTruncated(offset)),
        Some(_) => {}
    }
    let (rest, bytes) = nom_tag(input).map_err(|_| TlvError::TagTruncated(offset))?;
    if bytes.len() > 4 {
        return Err(TlvError::TagTooLong(offset));
    }
    let v = bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    Ok((Tag(v), rest))
}

/// Parse a definite length (short form, or `81`–`84` long form).
fn parse_length(input: &[u8], offset: usize) -> Result<(usize, &[u8]), TlvError> {
    let (rest, first) = be_u8::<_, nom::error::Error<&[u8]>>(input)
        .map_err(|_| TlvError::LengthTruncated(offset))?;
    match first {
        0x00..=0x7F => Ok((usize::from(first), rest)),
        0x80 => Err(TlvError::IndefiniteLength(offset)),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let (rest, bytes) = take::<_, _, nom::error::Error<&[u8]>>(n)(rest)
                .map_err(|_| TlvError::LengthTruncated(offset))?;
            let v = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            let v = usize::try_from(v).map_err(|_| TlvError::LengthTooLong(first))?;
            Ok((v, rest))
        }
        _ => Err(TlvError::LengthTooLong(first)),
    }
}

/// Encode a definite length in its shortest form.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    let bytes = (len as u64).to_be_bytes();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant: Vec<u8> = bytes.iter().skip(skip).copied().collect();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(&significant);
    }
}

/// One BER-TLV data object with its value as raw bytes (constructed values parse further with
/// [`Tlv::children`]).
#[derive(Clone, PartialEq, Eq)]
pub struct Tlv {
    /// The tag.
    pub tag: Tag,
    /// The value field.
    pub value: Vec<u8>,
}

impl Tlv {
    /// A data object from a tag and value.
    pub fn new(tag: impl Into<Tag>, value: impl Into<Vec<u8>>) -> Tlv {
        Tlv {
            tag: tag.into(),
            value: value.into(),
        }
    }

    /// A constructed data object whose value is the concatenation of `children`.
    pub fn constructed(tag: impl Into<Tag>, children: &[Tlv]) -> Tlv {
        let mut value = Vec::new();
        for c in children {
            c.encode_into(&mut value);
        }
        Tlv::new(tag, value)
    }

    /// Parse one data object at the start of `input`; returns it and the bytes after it.
    pub fn parse(input: &[u8]) -> Result<(Tlv, &[u8]), TlvError> {
        Self::parse_at(input, 0)
    }

    fn parse_at(input: &[u8], offset: usize) -> Result<(Tlv, &[u8]), TlvError> {
        let (tag, rest) = parse_tag(input, offset)?;
        let len_offset = offset + (input.len() - rest.len());
        let (len, rest) = parse_length(rest, len_offset)?;
        let value_offset = offset + (input.len() - rest.len());
        if rest.len() < len {
            return Err(TlvError::ValueTruncated {
                offset: value_offset,
                need: len,
                have: rest.len(),
            });
        }
        let (value, rest) = rest.split_at(len);
        Ok((Tlv::new(tag, value), rest))
    }

    /// Parse a sequence of data objects, skipping `00`/`FF` padding before, between and after them
    /// (ISO/IEC 7816-4 §5.2.2.1).
    pub fn parse_all(mut input: &[u8]) -> Result<Vec<Tlv>, TlvError> {
        let total = input.len();
        let mut out = Vec::new();
        loop {
            let skip = input
                .iter()
                .take_while(|b| matches!(**b, 0x00 | 0xFF))
                .count();
            input = input.get(skip..).unwrap_or_default();
            if input.is_empty() {
                return Ok(out);
            }
            let (tlv, rest) = Self::parse_at(input, total - input.len())?;
            out.push(tlv);
            input = rest;
        }
    }

    /// The data objects inside a constructed value.
    pub fn children(&self) -> Result<Vec<Tlv>, TlvError> {
        Tlv::parse_all(&self.value)
    }

    /// The first data object with `tag` in a sequence.
    pub fn find(list: &[Tlv], tag: impl Into<Tag>) -> Option<&Tlv> {
        let tag = tag.into();
        list.iter().find(|t| t.tag == tag)
    }

    /// Append the encoding (shortest length form) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.tag.to_bytes());
        encode_length(self.value.len(), out);
        out.extend_from_slice(&self.value);
    }

    /// The encoding, shortest length form.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.value.len() + 6);
        self.encode_into(&mut v);
        v
    }
}

impl fmt::Debug for Tlv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02X} {}",
            self.tag,
            self.value.len(),
            hex::encode_upper(&self.value)
        )
    }
}

/// A BER-TLV tree: constructed objects parsed recursively (to [`MAX_DEPTH`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A primitive data object.
    Primitive(Tag, Vec<u8>),
    /// A constructed data object and its children.
    Constructed(Tag, Vec<Node>),
}

impl Node {
    /// Parse a sequence of data objects into trees, recursing into constructed tags.
    pub fn parse_tree(input: &[u8]) -> Result<Vec<Node>, TlvError> {
        Self::parse_level(input, 0)
    }

    fn parse_level(input: &[u8], depth: usize) -> Result<Vec<Node>, TlvError> {
        if depth > MAX_DEPTH {
            return Err(TlvError::TooDeep);
        }
        Tlv::parse_all(input)?
            .into_iter()
            .map(|t| {
                if t.tag.is_constructed() {
                    Ok(Node::Constructed(
                        t.tag,
                        Self::parse_level(&t.value, depth + 1)?,
                    ))
                } else {
                    Ok(Node::Primitive(t.tag, t.value))
                }
            })
            .collect()
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        match self {
            Node::Primitive(t, _) | Node::Constructed(t, _) => *t,
        }
    }

    /// Flatten back to a [`Tlv`] (shortest length forms).
    pub fn to_tlv(&self) -> Tlv {
        match self {
            Node::Primitive(t, v) => Tlv::new(*t, v.clone()),
            Node::Constructed(t, children) => {
                let list: Vec<Tlv> = children.iter().map(Node::to_tlv).collect();
                Tlv::constructed(*t, &list)
            }
        }
    }
}

/// A COMPACT-TLV data object: tag and length in one byte, `tttt llll` (ISO/IEC 7816-4 §8.1.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactTlv {
    /// Tag number 0–15.
    pub tag: u8,
    /// Value, 0–15 bytes.
    pub value: Vec<u8>,
}

/// Why bytes are not well-formed COMPACT-TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactTlvError {
    /// The value runs past the end.
    #[error("COMPACT-TLV object {tag:X} at offset {offset} needs {need} bytes, {have} left")]
    Truncated {
        /// Tag number.
        tag: u8,
        /// Offset of the tag byte.
        offset: usize,
        /// Announced length.
        need: usize,
        /// Bytes left.
        have: usize,
    },
    /// A tag above 15 or a value longer than 15 bytes cannot be encoded.
    #[error("COMPACT-TLV tag {tag} or length {len} out of range (0..=15)")]
    OutOfRange {
        /// Tag.
        tag: u8,
        /// Length.
        len: usize,
    },
}

impl CompactTlv {
    /// Parse a sequence of COMPACT-TLV objects.
    pub fn parse_all(input: &[u8]) -> Result<Vec<CompactTlv>, CompactTlvError> {
        let mut out = Vec::new();
        let mut i = 0usize;
        while let Some(&b) = input.get(i) {
            let (tag, len) = (b >> 4, usize::from(b & 0x0F));
            let value = input
                .get(i + 1..i + 1 + len)
                .ok_or(CompactTlvError::Truncated {
                    tag,
                    offset: i,
                    need: len,
                    have: input.len() - i - 1,
                })?;
            out.push(CompactTlv {
                tag,
                value: value.to_vec(),
            });
            i += 1 + len;
        }
        Ok(out)
    }

    /// Encode one object.
    pub fn encode(&self) -> Result<Vec<u8>, CompactTlvError> {
        if self.tag > 15 || self.value.len() > 15 {
            return Err(CompactTlvError::OutOfRange {
                tag: self.tag,
                len: self.value.len(),
            });
        }
        let mut v = vec![(self.tag << 4) | self.value.len() as u8];
        v.extend_from_slice(&self.value);
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcp_tree() {
        // MF FCP from a real card (pySim test data).
        let fcp = hex::decode("622c8202782183023f00a50c80017183040003a7388701018a01058b032f0601c60c90016083010183010a83010b").unwrap();
        let tree = Node::parse_tree(&fcp).unwrap();
        let Node::Constructed(tag, children) = &tree[0] else {
            panic!("not constructed")
        };
        assert_eq!(*tag, Tag(0x62));
        assert_eq!(children[0], Node::Primitive(Tag(0x82), vec![0x78, 0x21]));
        assert_eq!(children[1], Node::Primitive(Tag(0x83), vec![0x3F, 0x00]));
        assert!(matches!(&children[2], Node::Constructed(Tag(0xA5), c) if c.len() == 3));
        assert_eq!(tree[0].to_tlv().encode(), fcp);
    }

    #[test]
    fn multi_byte_tags_and_long_lengths() {
        let (t, rest) = Tlv::parse(&[0x5F, 0x2D, 0x02, b'e', b'n', 0xAA]).unwrap();
        assert_eq!(
            (t.tag, t.value.as_slice(), rest),
            (Tag(0x5F2D), &b"en"[..], &[0xAA][..])
        );
        let (t, _) = Tlv::parse(&[0xBF, 0x81, 0x01, 0x00]).unwrap();
        assert_eq!(t.tag, Tag(0xBF8101));
        assert!(t.tag.is_constructed());
        assert_eq!(t.tag.class(), TagClass::ContextSpecific);
        let long = Tlv::new(0x80u32, vec![7u8; 300]);
        let enc = long.encode();
        assert_eq!(&enc[..4], &[0x80, 0x82, 0x01, 0x2C]);
        assert_eq!(Tlv::parse(&enc).unwrap().0, long);
        // Non-minimal long form is accepted (BER).
        assert_eq!(
            Tlv::parse(&[0x80, 0x81, 0x01, 0x55]).unwrap().0.value,
            vec![0x55]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            Tlv::parse(&[0x80, 0x80]).unwrap_err(),
            TlvError::IndefiniteLength(1)
        );
        assert_eq!(
            Tlv::parse(&[0x80, 0x05, 1]).unwrap_err(),
            TlvError::ValueTruncated {
                offset: 2,
                need: 5,
                have: 1
            }
        );
        assert_eq!(Tlv::parse(&[0x5F]).unwrap_err(), TlvError::TagTruncated(0));
        assert_eq!(
            Tlv::parse(&[0x80, 0x85, 1, 1, 1, 1, 1]).unwrap_err(),
            TlvError::LengthTooLong(0x85)
        );
        assert_eq!(
            Tlv::parse(&[0x1F, 0x81, 0x81, 0x81, 0x81, 0x01]).unwrap_err(),
            TlvError::TagTooLong(0)
        );
        let mut deep = vec![0x80, 0x00];
        for _ in 0..=MAX_DEPTH + 1 {
            let mut outer = vec![0xA0];
            encode_length(deep.len(), &mut outer);
            outer.extend_from_slice(&deep);
            deep = outer;
        }
        assert_eq!(Node::parse_tree(&deep).unwrap_err(), TlvError::TooDeep);
    }

    #[test]
    fn padding_is_skipped() {
        let list = Tlv::parse_all(&[0x00, 0x80, 0x01, 0x41, 0xFF, 0x81, 0x00, 0xFF, 0xFF]).unwrap();
        assert_eq!(
            list,
            vec![Tlv::new(0x80u32, vec![0x41]), Tlv::new(0x81u32, vec![])]
        );
        assert_eq!(Tlv::find(&list, 0x81u32).map(|t| t.value.len()), Some(0));
    }

    #[test]
    fn compact() {
        let hist = hex::decode("31E073FE211B674A4C753034054B").unwrap();
        let objs = CompactTlv::parse_all(&hist).unwrap();
        assert_eq!(
            objs[0],
            CompactTlv {
                tag: 3,
                value: vec![0xE0]
            }
        );
        assert_eq!(objs[1].tag, 7);
        assert_eq!(objs[1].value, vec![0xFE, 0x21, 0x1B]);
        assert_eq!(objs[2].tag, 6);
        assert!(CompactTlv::parse_all(&[0x35, 1]).is_err());
        assert_eq!(objs[0].encode().unwrap(), vec![0x31, 0xE0]);
    }
}
