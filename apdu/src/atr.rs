//! Answer-to-reset: TS, T0, the TA/TB/TC/TD interface-byte chain, historical bytes and TCK (ISO/IEC 7816-3 §8.2).

use std::fmt;

use crate::tlv::{CompactTlv, CompactTlvError};

/// Longest ATR ISO/IEC 7816-3 allows.
pub const MAX_ATR_LEN: usize = 33;

/// Bit convention announced by TS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// `3B`.
    Direct,
    /// `3F`.
    Inverse,
}

/// One group of interface bytes TAi, TBi, TCi and the protocol T announced by TDi.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterfaceGroup {
    /// TAi.
    pub ta: Option<u8>,
    /// TBi.
    pub tb: Option<u8>,
    /// TCi.
    pub tc: Option<u8>,
    /// Protocol T (0–15) from TDi; `None` if TDi is absent.
    pub protocol: Option<u8>,
}

/// Why bytes are not a well-formed ATR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtrError {
    /// TS is neither `3B` nor `3F`.
    #[error("invalid TS {0:02X} (expected 3B or 3F)")]
    BadTs(u8),
    /// The bytes ended before the structure announced by T0/TDi did.
    #[error("ATR truncated: {0}")]
    Truncated(&'static str),
    /// TCK does not make the XOR of T0..TCK zero.
    #[error("TCK {found:02X} wrong, expected {expected:02X}")]
    BadTck {
        /// TCK received.
        found: u8,
        /// TCK computed.
        expected: u8,
    },
    /// Bytes after the end of the ATR.
    #[error("{0} unexpected bytes after the ATR")]
    Trailing(usize),
    /// More than 33 bytes, 15 historical bytes or a TDi announcing a group after none.
    #[error("ATR structure invalid: {0}")]
    Invalid(&'static str),
}

/// A parsed answer-to-reset.
#[derive(Clone, PartialEq, Eq)]
pub struct Atr {
    /// TS.
    pub convention: Convention,
    /// Interface byte groups 1, 2, … (group 1 is announced by T0).
    pub groups: Vec<InterfaceGroup>,
    /// Historical bytes T1..TK.
    pub historical: Vec<u8>,
}

fn presence(g: &InterfaceGroup, next_exists: bool) -> u8 {
    let mut y = 0;
    if g.ta.is_some() {
        y |= 0x1;
    }
    if g.tb.is_some() {
        y |= 0x2;
    }
    if g.tc.is_some() {
        y |= 0x4;
    }
    if g.protocol.is_some() || next_exists {
        y |= 0x8;
    }
    y
}

impl Atr {
    /// Build an ATR (TCK is computed by [`Atr::encode`] when required).
    pub fn new(
        convention: Convention,
        groups: Vec<InterfaceGroup>,
        historical: Vec<u8>,
    ) -> Result<Atr, AtrError> {
        if historical.len() > 15 {
            return Err(AtrError::Invalid("more than 15 historical bytes"));
        }
        let atr = Atr {
            convention,
            groups,
            historical,
        };
        if atr.encode().len() > MAX_ATR_LEN {
            return Err(AtrError::Invalid("longer than 33 bytes"));
        }
        Ok(atr)
    }

    /// Parse and check an ATR, TCK included.
    pub fn parse(bytes: &[u8]) -> Result<Atr, AtrError> {
        if bytes.len() > MAX_ATR_LEN {
            return Err(AtrError::Invalid("longer than 33 bytes"));
        }
        let mut it = bytes.iter().copied();
        let convention = match it.next() {
            Some(0x3B) => Convention::Direct,
            Some(0x3F) => Convention::Inverse,
            Some(b) => return Err(AtrError::BadTs(b)),
            None => return Err(AtrError::Truncated("no TS")),
        };
        let t0 = it.next().ok_or(AtrError::Truncated("no T0"))?;
        let k = usize::from(t0 & 0x0F);
        let mut y = t0 >> 4;
        let mut groups = Vec::new();
        loop {
            let mut g = InterfaceGroup::default();
            if y & 0x1 != 0 {
                g.ta = Some(it.next().ok_or(AtrError::Truncated("TAi missing"))?);
            }
            if y & 0x2 != 0 {
                g.tb = Some(it.next().ok_or(AtrError::Truncated("TBi missing"))?);
            }
            if y & 0x4 != 0 {
                g.tc = Some(it.next().ok_or(AtrError::Truncated("TCi missing"))?);
            }
            let td = if y & 0x8 != 0 {
                Some(it.next().ok_or(AtrError::Truncated("TDi missing"))?)
            } else {
                None
            };
            g.protocol = td.map(|b| b & 0x0F);
            let any = y != 0;
            if any {
                groups.push(g);
            }
            match td {
                Some(b) => y = b >> 4,
                None => break,
            }
            if y == 0 {
                break;
            }
        }
        let historical: Vec<u8> = it.by_ref().take(k).collect();
        if historical.len() < k {
            return Err(AtrError::Truncated("historical bytes missing"));
        }
        let atr = Atr {
            convention,
            groups,
            historical,
        };
        if atr.tck_required() {
            let found = it.next().ok_or(AtrError::Truncated("TCK missing"))?;
            let expected = atr.tck();
            if found != expected {
                return Err(AtrError::BadTck { found, expected });
            }
        }
        let trailing = it.count();
        if trailing > 0 {
            return Err(AtrError::Trailing(trailing));
        }
        Ok(atr)
    }

    /// Bytes T0 … TK (everything TCK covers, TCK excluded).
    fn body(&self) -> Vec<u8> {
        let first = self.groups.first().copied().unwrap_or_default();
        let y1 = if self.groups.is_empty() {
            0
        } else {
            presence(&first, self.groups.len() > 1)
        };
        let mut out = vec![(y1 << 4) | (self.historical.len() as u8 & 0x0F)];
        for (i, g) in self.groups.iter().enumerate() {
            out.extend(g.ta);
            out.extend(g.tb);
            out.extend(g.tc);
            if let Some(next) = self.groups.get(i + 1) {
                let y = presence(next, self.groups.len() > i + 2);
                out.push((y << 4) | g.protocol.unwrap_or(0));
            } else if let Some(t) = g.protocol {
                out.push(t);
            }
        }
        out.extend_from_slice(&self.historical);
        out
    }

    /// TCK is present unless only T=0 is indicated (ISO/IEC 7816-3 §8.2.5).
    pub fn tck_required(&self) -> bool {
        self.groups
            .iter()
            .filter_map(|g| g.protocol)
            .any(|t| t != 0)
    }

    /// The check byte: XOR of T0 … TK.
    pub fn tck(&self) -> u8 {
        self.body().iter().fold(0, |a, b| a ^ b)
    }

    /// Encode, with TCK when required.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![match self.convention {
            Convention::Direct => 0x3B,
            Convention::Inverse => 0x3F,
        }];
        let body = self.body();
        let tck = body.iter().fold(0, |a, b| a ^ b);
        out.extend_from_slice(&body);
        if self.tck_required() {
            out.push(tck);
        }
        out
    }

    /// Protocols offered (the T values of TD1, TD2, … other than 15), T=0 if none is indicated.
    pub fn protocols(&self) -> Vec<u8> {
        let mut v: Vec<u8> = Vec::new();
        for t in self
            .groups
            .iter()
            .filter_map(|g| g.protocol)
            .filter(|t| *t != 15)
        {
            if !v.contains(&t) {
                v.push(t);
            }
        }
        if v.is_empty() {
            v.push(0);
        }
        v
    }

    /// TA1 as (Fi, Di) (ISO/IEC 7816-3 Tables 7 and 8); the default (372, 1) if TA1 is absent.
    pub fn fi_di(&self) -> (Option<u16>, Option<u8>) {
        let ta1 = self.groups.first().and_then(|g| g.ta).unwrap_or(0x11);
        let fi = match ta1 >> 4 {
            0 | 1 => Some(372),
            2 => Some(558),
            3 => Some(744),
            4 => Some(1116),
            5 => Some(1488),
            6 => Some(1860),
            9 => Some(512),
            10 => Some(768),
            11 => Some(1024),
            12 => Some(1536),
            13 => Some(2048),
            _ => None,
        };
        let di = match ta1 & 0x0F {
            1 => Some(1),
            2 => Some(2),
            3 => Some(4),
            4 => Some(8),
            5 => Some(16),
            6 => Some(32),
            7 => Some(64),
            8 => Some(12),
            9 => Some(20),
            _ => None,
        };
        (fi, di)
    }

    /// The first TA byte in a group following a TD that announced T=15 (global bytes: clock stop and
    /// class indicator).
    pub fn t15_ta(&self) -> Option<u8> {
        self.groups
            .windows(2)
            .find(|w| w.first().and_then(|g| g.protocol) == Some(15))
            .and_then(|w| w.get(1).and_then(|g| g.ta))
    }

    /// Historical bytes as category indicator and COMPACT-TLV objects (category `80`).
    pub fn historical_objects(&self) -> Option<Result<Vec<CompactTlv>, CompactTlvError>> {
        match self.historical.split_first() {
            Some((0x80, rest)) => Some(CompactTlv::parse_all(rest)),
            _ => None,
        }
    }
}

impl fmt::Debug for Atr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atr({})", hex::encode_upper(self.encode()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SJA2: &str = "3B9F96801F878031E073FE211B674A4C753034054BA9";

    #[test]
    fn real_usim_atr() {
        let bytes = hex::decode(SJA2).unwrap();
        let atr = Atr::parse(&bytes).unwrap();
        assert_eq!(atr.convention, Convention::Direct);
        assert_eq!(atr.groups.len(), 3);
        assert_eq!(
            atr.groups[0],
            InterfaceGroup {
                ta: Some(0x96),
                tb: None,
                tc: None,
                protocol: Some(0)
            }
        );
        assert_eq!(atr.groups[1].protocol, Some(15));
        assert_eq!(atr.t15_ta(), Some(0x87));
        assert_eq!(atr.protocols(), vec![0]);
        assert_eq!(atr.fi_di(), (Some(512), Some(32)));
        assert_eq!(atr.historical.len(), 15);
        assert!(atr.tck_required());
        assert_eq!(atr.tck(), 0xA9);
        assert_eq!(atr.encode(), bytes);
        let objs = atr.historical_objects().unwrap().unwrap();
        assert_eq!(objs.len(), 3);
    }

    #[test]
    fn tck_checked_and_rules() {
        let mut bytes = hex::decode(SJA2).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        assert_eq!(
            Atr::parse(&bytes).unwrap_err(),
            AtrError::BadTck {
                found: 0xA8,
                expected: 0xA9
            }
        );
        // T=0 only: no TCK.
        let atr = Atr::parse(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
        assert!(!atr.tck_required());
        assert_eq!(atr.encode(), vec![0x3B, 0x02, 0x14, 0x50]);
        assert_eq!(
            Atr::parse(&[0x3B, 0x02, 0x14]).unwrap_err(),
            AtrError::Truncated("historical bytes missing")
        );
        assert_eq!(
            Atr::parse(&[0x3B, 0x00, 0x00]).unwrap_err(),
            AtrError::Trailing(1)
        );
        assert_eq!(Atr::parse(&[0x3A]).unwrap_err(), AtrError::BadTs(0x3A));
    }

    #[test]
    fn build() {
        let groups = vec![
            InterfaceGroup {
                ta: Some(0x96),
                protocol: Some(0),
                ..Default::default()
            },
            InterfaceGroup {
                protocol: Some(15),
                ..Default::default()
            },
            InterfaceGroup {
                ta: Some(0x87),
                ..Default::default()
            },
        ];
        let hist = hex::decode("8031E073FE211B674A4C753034054B").unwrap();
        let atr = Atr::new(Convention::Direct, groups, hist).unwrap();
        assert_eq!(hex::encode_upper(atr.encode()), SJA2);
    }
}
