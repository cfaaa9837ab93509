//! Command APDUs: the cases 1, 2S, 3S, 4S, 2E, 3E, 4E (ISO/IEC 7816-3 §12.1.3, ISO/IEC 7816-4 §5.1).

use std::fmt;

use nom::bytes::complete::tag;
use nom::combinator::{eof, map, verify};
use nom::multi::length_data;
use nom::number::complete::{be_u16, be_u8};
use nom::sequence::{pair, preceded, terminated, tuple};
use nom::IResult;
use zeroize::Zeroize;

use crate::class::Class;
use crate::status::StatusWord;

/// Largest Nc for a short command (Lc in one byte).
pub const SHORT_MAX_NC: usize = 255;
/// Largest Ne for a short command (Le `00` means 256).
pub const SHORT_MAX_NE: usize = 256;
/// Largest Nc for an extended command.
pub const EXTENDED_MAX_NC: usize = 65_535;
/// Largest Ne for an extended command (Le `00 00` means 65 536).
pub const EXTENDED_MAX_NE: usize = 65_536;

/// The ISO/IEC 7816-3 §12.1.3 case of a command APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// Header only.
    Case1,
    /// Header and short Le.
    Case2Short,
    /// Header, short Lc and data.
    Case3Short,
    /// Header, short Lc, data and short Le.
    Case4Short,
    /// Header and extended Le (`00 Le1 Le2`).
    Case2Extended,
    /// Header, extended Lc (`00 Lc1 Lc2`) and data.
    Case3Extended,
    /// Header, extended Lc, data and extended Le (`Le1 Le2`).
    Case4Extended,
}

impl Case {
    /// Short name as used in ISO/IEC 7816-3: `1`, `2S`, `3S`, `4S`, `2E`, `3E`, `4E`.
    pub const fn label(self) -> &'static str {
        match self {
            Case::Case1 => "1",
            Case::Case2Short => "2S",
            Case::Case3Short => "3S",
            Case::Case4Short => "4S",
            Case::Case2Extended => "2E",
            Case::Case3Extended => "3E",
            Case::Case4Extended => "4E",
        }
    }
}

/// Why bytes are not a well-formed command APDU, or why fields cannot form one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// Fewer than the four header bytes.
    #[error("command APDU too short: {len} bytes, a header needs 4")]
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// The body is none of the seven cases (Lc disagrees with the length, or a stray byte).
    #[error("command APDU body of {body} bytes matches no case: {detail}")]
    BadLength {
        /// Bytes after the header.
        body: usize,
        /// Which rule was broken.
        detail: &'static str,
    },
    /// `FF` is not a class byte (reserved for PPS, ISO/IEC 7816-3).
    #[error("invalid class byte FF")]
    InvalidClass,
    /// Data too long for the requested encoding.
    #[error("command data of {nc} bytes exceeds the {max}-byte limit")]
    DataTooLong {
        /// Data length.
        nc: usize,
        /// Limit for the encoding.
        max: usize,
    },
    /// Ne out of range for the requested encoding (1..=256 short, 1..=65536 extended).
    #[error("expected response length {ne} out of range 1..={max}")]
    LeOutOfRange {
        /// Requested Ne.
        ne: usize,
        /// Limit for the encoding.
        max: usize,
    },
}

impl CommandError {
    /// The status word a UICC answers to such a command.
    pub const fn status_word(&self) -> StatusWord {
        match self {
            CommandError::InvalidClass => StatusWord::CLA_NOT_SUPPORTED,
            _ => StatusWord::WRONG_LENGTH,
        }
    }
}

/// A command APDU: header, command data (Nc bytes) and the expected response length Ne.
///
/// The encoding (short or extended) is kept so that `encode(parse(x)) == x`. "Le absent" is
/// distinct from Le = 256: a T=0 reader sends case-4 commands without Le and the transport decides.
/// The data buffer is zeroized on drop (it may carry a PIN).
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    cla: Class,
    ins: u8,
    p1: u8,
    p2: u8,
    data: Vec<u8>,
    le: Option<usize>,
    extended: bool,
}

impl Drop for Command {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

type ParseResult<'a, T> = IResult<&'a [u8], T>;

/// The parsed body: data, Ne and whether the extended form was used.
struct Body<'a> {
    data: &'a [u8],
    le: Option<usize>,
    extended: bool,
}

fn short_le(b: u8) -> usize {
    if b == 0 {
        SHORT_MAX_NE
    } else {
        b as usize
    }
}

fn extended_le(v: u16) -> usize {
    if v == 0 {
        EXTENDED_MAX_NE
    } else {
        v as usize
    }
}

/// Short Lc: one non-zero byte followed by that many data bytes.
fn short_data(i: &[u8]) -> ParseResult<'_, &[u8]> {
    length_data(verify(be_u8, |n: &u8| *n != 0))(i)
}

/// Extended Lc: `00` then two bytes (non-zero), then the data.
fn extended_data(i: &[u8]) -> ParseResult<'_, &[u8]> {
    preceded(tag([0u8]), length_data(verify(be_u16, |n: &u16| *n != 0)))(i)
}

/// The body after the header, case by case (ISO/IEC 7816-3 §12.1.3).
fn body(i: &[u8]) -> ParseResult<'_, Body<'_>> {
    let empty: &[u8] = &[];
    let case1 = map(eof, move |_| Body {
        data: empty,
        le: None,
        extended: false,
    });
    let case2s = map(terminated(be_u8, eof), move |le| Body {
        data: empty,
        le: Some(short_le(le)),
        extended: false,
    });
    let case3s = map(terminated(short_data, eof), |data| Body {
        data,
        le: None,
        extended: false,
    });
    let case4s = map(terminated(pair(short_data, be_u8), eof), |(data, le)| {
        Body {
            data,
            le: Some(short_le(le)),
            extended: false,
        }
    });
    let case2e = map(terminated(preceded(tag([0u8]), be_u16), eof), move |le| {
        Body {
            data: empty,
            le: Some(extended_le(le)),
            extended: true,
        }
    });
    let case3e = map(terminated(extended_data, eof), |data| Body {
        data,
        le: None,
        extended: true,
    });
    let case4e = map(
        terminated(pair(extended_data, be_u16), eof),
        |(data, le)| Body {
            data,
            le: Some(extended_le(le)),
            extended: true,
        },
    );
    nom::branch::alt((case1, case2s, case3s, case4s, case2e, case3e, case4e))(i)
}

/// Explain why a body of `b` bytes matched no case.
fn diagnose(b: &[u8]) -> &'static str {
    match b {
        [0, _] => "a 2-byte body starting 00 is neither short nor extended",
        [0, hi, lo, rest @ ..] => {
            let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
            if lc == 0 {
                "extended Lc of 0000"
            } else if rest.len() < lc {
                "extended Lc larger than the data that follows"
            } else {
                "extended Lc followed by a Le that is not 2 bytes"
            }
        }
        [lc, rest @ ..] => {
            if rest.len() < usize::from(*lc) {
                "Lc larger than the data that follows"
            } else {
                "Lc followed by more than one Le byte"
            }
        }
        [] => "empty body",
    }
}

impl Command {
    /// Parse a complete command APDU. Never panics; malformed input gives an error whose
    /// [`CommandError::status_word`] is the answer a UICC sends.
    pub fn parse(bytes: &[u8]) -> Result<Command, CommandError> {
        let mut header = tuple((be_u8, be_u8, be_u8, be_u8));
        let (rest, (cla, ins, p1, p2)) =
            header(bytes).map_err(|_: nom::Err<nom::error::Error<&[u8]>>| {
                CommandError::TooShort { len: bytes.len() }
            })?;
        if cla == 0xFF {
            return Err(CommandError::InvalidClass);
        }
        let (_, b) = body(rest).map_err(|_| CommandError::BadLength {
            body: rest.len(),
            detail: diagnose(rest),
        })?;
        Ok(Command {
            cla: Class(cla),
            ins,
            p1,
            p2,
            data: b.data.to_vec(),
            le: b.le,
            extended: b.extended,
        })
    }

    /// A case-1 command (header only).
    pub fn new(cla: impl Into<Class>, ins: u8, p1: u8, p2: u8) -> Command {
        Command {
            cla: cla.into(),
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
        }
    }

    /// A command with data and expected response length, in the short form where it fits and the
    /// extended form otherwise.
    pub fn build(
        cla: impl Into<Class>,
        ins: u8,
        p1: u8,
        p2: u8,
        data: &[u8],
        le: Option<usize>,
    ) -> Result<Command, CommandError> {
        let fits_short = data.len() <= SHORT_MAX_NC && le.is_none_or(|n| n <= SHORT_MAX_NE);
        Self::build_as(cla, ins, p1, p2, data, le, !fits_short)
    }

    /// A command in an explicitly chosen encoding (extended or short).
    pub fn build_as(
        cla: impl Into<Class>,
        ins: u8,
        p1: u8,
        p2: u8,
        data: &[u8],
        le: Option<usize>,
        extended: bool,
    ) -> Result<Command, CommandError> {
        let cla = cla.into();
        if cla.0 == 0xFF {
            return Err(CommandError::InvalidClass);
        }
        let (max_nc, max_ne) = if extended {
            (EXTENDED_MAX_NC, EXTENDED_MAX_NE)
        } else {
            (SHORT_MAX_NC, SHORT_MAX_NE)
        };
        if data.len() > max_nc {
            return Err(CommandError::DataTooLong {
                nc: data.len(),
                max: max_nc,
            });
        }
        if let Some(ne) = le {
            if ne == 0 || ne > max_ne {
                return Err(CommandError::LeOutOfRange { ne, max: max_ne });
            }
        }
        // A case-1 command has no extended form.
        let extended = extended && (!data.is_empty() || le.is_some());
        Ok(Command {
            cla,
            ins,
            p1,
            p2,
            data: data.to_vec(),
            le,
            extended,
        })
    }

    /// Encode to bytes, in the form (short or extended) this command carries.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 3 + self.data.len() + 2);
        out.extend_from_slice(&[self.cla.0, self.ins, self.p1, self.p2]);
        let nc = self.data.len();
        if self.extended {
            out.push(0);
            if nc > 0 {
                out.extend_from_slice(&(nc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(ne) = self.le {
                let v = if ne >= EXTENDED_MAX_NE { 0 } else { ne as u16 };
                out.extend_from_slice(&v.to_be_bytes());
            }
        } else {
            if nc > 0 {
                out.push(nc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(ne) = self.le {
                out.push(if ne >= SHORT_MAX_NE { 0 } else { ne as u8 });
            }
        }
        out
    }

    /// The ISO/IEC 7816-3 case of this command.
    pub fn case(&self) -> Case {
        match (self.data.is_empty(), self.le.is_some(), self.extended) {
            (true, false, _) => Case::Case1,
            (true, true, false) => Case::Case2Short,
            (false, false, false) => Case::Case3Short,
            (false, true, false) => Case::Case4Short,
            (true, true, true) => Case::Case2Extended,
            (false, false, true) => Case::Case3Extended,
            (false, true, true) => Case::Case4Extended,
        }
    }

    /// Class byte.
    pub fn cla(&self) -> Class {
        self.cla
    }
    /// Instruction byte.
    pub fn ins(&self) -> u8 {
        self.ins
    }
    /// Parameter P1.
    pub fn p1(&self) -> u8 {
        self.p1
    }
    /// Parameter P2.
    pub fn p2(&self) -> u8 {
        self.p2
    }
    /// Command data (Nc bytes; empty when Lc is absent).
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    /// Expected response length Ne (Le `00` short = 256, `0000` extended = 65 536); `None` if absent.
    pub fn le(&self) -> Option<usize> {
        self.le
    }
    /// True if the command uses extended length fields.
    pub fn is_extended(&self) -> bool {
        self.extended
    }
    /// The logical channel addressed by the class byte.
    pub fn channel(&self) -> Option<u8> {
        self.cla.channel()
    }

    /// The same command with another class byte (e.g. another logical channel).
    pub fn with_cla(mut self, cla: impl Into<Class>) -> Command {
        self.cla = cla.into();
        self
    }

    /// The same command with another Ne (`None` removes Le). Fails if Ne does not fit the encoding.
    pub fn with_le(&self, le: Option<usize>) -> Result<Command, CommandError> {
        Self::build_as(
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            &self.data,
            le,
            self.extended,
        )
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Data is not printed: it may hold a PIN or key material.
        f.debug_struct("Command")
            .field("cla", &self.cla)
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2))
            .field("nc", &self.data.len())
            .field("le", &self.le)
            .field("case", &self.case().label())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(h: &str) -> Result<Command, CommandError> {
        Command::parse(&hex::decode(h).unwrap())
    }

    #[test]
    fn every_case() {
        let c = p("00A40000").unwrap();
        assert_eq!((c.case(), c.le(), c.data().len()), (Case::Case1, None, 0));
        let c = p("80F2000000").unwrap();
        assert_eq!((c.case(), c.le()), (Case::Case2Short, Some(256)));
        let c = p("00A40004023F00").unwrap();
        assert_eq!(
            (c.case(), c.le(), c.data()),
            (Case::Case3Short, None, &[0x3F, 0][..])
        );
        let c = p("00A40004023F0000").unwrap();
        assert_eq!((c.case(), c.le()), (Case::Case4Short, Some(256)));
        let c = p("80F20000000168").unwrap();
        assert_eq!((c.case(), c.le()), (Case::Case2Extended, Some(0x168)));
        let c = p("80F20000000000").unwrap();
        assert_eq!(c.le(), Some(65536));
        let c = p("00A400040000023F00").unwrap();
        assert_eq!((c.case(), c.data()), (Case::Case3Extended, &[0x3F, 0][..]));
        let c = p("00A400040000023F000000").unwrap();
        assert_eq!((c.case(), c.le()), (Case::Case4Extended, Some(65536)));
    }

    #[test]
    fn malformed() {
        assert_eq!(p("00A400").unwrap_err(), CommandError::TooShort { len: 3 });
        for bad in [
            "00A40004023F",
            "00A40004023F000000",
            "00A400040000",
            "00A40004000003AABB",
        ] {
            let e = p(bad).unwrap_err();
            assert_eq!(e.status_word(), StatusWord::WRONG_LENGTH, "{bad}: {e}");
        }
        assert_eq!(
            p("FFA40000").unwrap_err().status_word(),
            StatusWord::CLA_NOT_SUPPORTED
        );
    }

    #[test]
    fn build_picks_encoding() {
        let c = Command::build(0, 0xB0, 0, 0, &[], Some(256)).unwrap();
        assert_eq!(c.encode(), hex::decode("00B0000000").unwrap());
        let c = Command::build(0, 0xB0, 0, 0, &[], Some(257)).unwrap();
        assert_eq!(c.encode(), hex::decode("00B00000000101").unwrap());
        let c = Command::build(0, 0xD6, 0, 0, &[0xAA; 256], None).unwrap();
        assert_eq!(c.case(), Case::Case3Extended);
        assert_eq!(
            &c.encode()[..7],
            &hex::decode("00D60000000100").unwrap()[..]
        );
        assert!(Command::build_as(0, 0xB0, 0, 0, &[], Some(257), false).is_err());
        assert!(Command::build(0, 0xB0, 0, 0, &[], Some(0)).is_err());
        assert_eq!(
            Command::build_as(0, 0xA4, 0, 0, &[], None, true)
                .unwrap()
                .encode(),
            vec![0, 0xA4, 0, 0]
        );
    }
}
