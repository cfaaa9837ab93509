//! EAP-AKA′ packets (RFC 9048 §3, the packet format and attributes of RFC 4187 §8, §10) as the
//! AUSF and the ME exchange them in 5G (TS 33.501 §6.1.3.1): EAP-Request/AKA′-Challenge with
//! AT_RAND, AT_AUTN, AT_KDF, AT_KDF_INPUT and AT_MAC; EAP-Response/AKA′-Challenge with AT_RES and
//! AT_MAC; EAP-Response/AKA′-Synchronization-Failure with AT_AUTS. AT_MAC is HMAC-SHA-256-128
//! under K_aut over the whole packet with the MAC field zeroed (RFC 9048 §3.4.1).

use vusim_crypto::kdf::hmac_sha256;
use vusim_crypto::keys::ct_eq;

use crate::error::{NetworkError, Result};

/// EAP Code (RFC 3748 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Request.
    Request = 1,
    /// Response.
    Response = 2,
    /// Success.
    Success = 3,
    /// Failure.
    Failure = 4,
}

/// EAP Type of EAP-AKA′ (RFC 9048 §6, IANA).
pub const TYPE_AKA_PRIME: u8 = 50;
/// Subtype AKA-Challenge (RFC 4187 §11).
pub const SUBTYPE_CHALLENGE: u8 = 1;
/// Subtype AKA-Synchronization-Failure (RFC 4187 §11).
pub const SUBTYPE_SYNC_FAILURE: u8 = 4;

/// AT_RAND.
pub const AT_RAND: u8 = 1;
/// AT_AUTN.
pub const AT_AUTN: u8 = 2;
/// AT_RES.
pub const AT_RES: u8 = 3;
/// AT_AUTS.
pub const AT_AUTS: u8 = 4;
/// AT_MAC.
pub const AT_MAC: u8 = 11;
/// AT_KDF_INPUT (RFC 9048 §3.1).
pub const AT_KDF_INPUT: u8 = 23;
/// AT_KDF (RFC 9048 §3.2); value 1 is the key derivation of RFC 9048 §3.3.
pub const AT_KDF: u8 = 24;

/// One attribute: type and the value after the type and length octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Attribute type.
    pub t: u8,
    /// The value (padding included).
    pub value: Vec<u8>,
}

impl Attr {
    /// AT_RAND / AT_AUTN / AT_MAC layout: two reserved octets, then 16 octets.
    fn reserved16(t: u8, v: &[u8; 16]) -> Attr {
        let mut value = vec![0, 0];
        value.extend_from_slice(v);
        Attr { t, value }
    }

    /// AT_RAND.
    pub fn rand(rand: &[u8; 16]) -> Attr {
        Attr::reserved16(AT_RAND, rand)
    }

    /// AT_AUTN.
    pub fn autn(autn: &[u8; 16]) -> Attr {
        Attr::reserved16(AT_AUTN, autn)
    }

    /// AT_KDF with the key derivation function number.
    pub fn kdf(kdf: u16) -> Attr {
        Attr {
            t: AT_KDF,
            value: kdf.to_be_bytes().to_vec(),
        }
    }

    /// AT_KDF_INPUT: the network name's length in octets, the name, zero padding.
    pub fn kdf_input(name: &str) -> Result<Attr> {
        let len = u16::try_from(name.len())
            .map_err(|_| NetworkError::input("network name longer than 65535 bytes"))?;
        Ok(Attr {
            t: AT_KDF_INPUT,
            value: [&len.to_be_bytes()[..], name.as_bytes()].concat(),
        })
    }

    /// AT_RES: the RES length in bits, RES, zero padding.
    pub fn res(res: &[u8]) -> Result<Attr> {
        let bits = u16::try_from(res.len() * 8)
            .map_err(|_| NetworkError::input("RES longer than 8191 bytes"))?;
        Ok(Attr {
            t: AT_RES,
            value: [&bits.to_be_bytes()[..], res].concat(),
        })
    }

    /// AT_AUTS (14 octets, no reserved field).
    pub fn auts(auts: &[u8]) -> Attr {
        Attr {
            t: AT_AUTS,
            value: auts.to_vec(),
        }
    }
}

/// An EAP-AKA′ packet: code, identifier, subtype and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Code.
    pub code: Code,
    /// Identifier.
    pub id: u8,
    /// Subtype.
    pub subtype: u8,
    /// Attributes, in order.
    pub attrs: Vec<Attr>,
}

fn attr_bytes(a: &Attr, out: &mut Vec<u8>) -> Result<()> {
    let body = a.value.len() + 2;
    let padded = body.div_ceil(4) * 4;
    let units = u8::try_from(padded / 4)
        .map_err(|_| NetworkError::input("EAP attribute longer than 1020 bytes"))?;
    out.push(a.t);
    out.push(units);
    out.extend_from_slice(&a.value);
    out.resize(out.len() + padded - body, 0);
    Ok(())
}

impl Packet {
    /// The packet bytes; with `k_aut`, an AT_MAC is appended and filled in.
    pub fn encode(&self, k_aut: Option<&[u8]>) -> Result<Vec<u8>> {
        let mut out = vec![
            self.code as u8,
            self.id,
            0,
            0,
            TYPE_AKA_PRIME,
            self.subtype,
            0,
            0,
        ];
        for a in &self.attrs {
            attr_bytes(a, &mut out)?;
        }
        let mac_at = out.len() + 4;
        if k_aut.is_some() {
            attr_bytes(&Attr::reserved16(AT_MAC, &[0; 16]), &mut out)?;
        }
        let len = u16::try_from(out.len())
            .map_err(|_| NetworkError::input("EAP packet longer than 65535 bytes"))?;
        if let Some(l) = out.get_mut(2..4) {
            l.copy_from_slice(&len.to_be_bytes());
        }
        if let Some(k) = k_aut {
            let mac = mac(k, &out)?;
            if let Some(m) = out.get_mut(mac_at..mac_at + 16) {
                m.copy_from_slice(&mac);
            }
        }
        Ok(out)
    }

    /// Parse a packet (type EAP-AKA′; Success and Failure have no type).
    pub fn parse(p: &[u8]) -> Result<Packet> {
        let bad = |why: &str| NetworkError::Malformed(format!("EAP packet: {why}"));
        let (&code, &id) = (
            p.first().ok_or_else(|| bad("empty"))?,
            p.get(1).ok_or_else(|| bad("short"))?,
        );
        let code = match code {
            1 => Code::Request,
            2 => Code::Response,
            3 => Code::Success,
            4 => Code::Failure,
            _ => return Err(bad("unknown code")),
        };
        let len = p
            .get(2..4)
            .and_then(|l| <[u8; 2]>::try_from(l).ok())
            .map(|l| usize::from(u16::from_be_bytes(l)))
            .ok_or_else(|| bad("short"))?;
        if len != p.len() {
            return Err(bad("length field differs from the packet's"));
        }
        if matches!(code, Code::Success | Code::Failure) {
            return Ok(Packet {
                code,
                id,
                subtype: 0,
                attrs: Vec::new(),
            });
        }
        if p.get(4) != Some(&TYPE_AKA_PRIME) {
            return Err(bad("not EAP-AKA′"));
        }
        let subtype = *p.get(5).ok_or_else(|| bad("short"))?;
        let mut rest = p.get(8..).ok_or_else(|| bad("short"))?;
        let mut attrs = Vec::new();
        while let [t, units, ..] = rest {
            let n = usize::from(*units) * 4;
            if n < 4 {
                return Err(bad("attribute length 0"));
            }
            let value = rest.get(2..n).ok_or_else(|| bad("attribute overruns"))?;
            attrs.push(Attr {
                t: *t,
                value: value.to_vec(),
            });
            rest = rest.get(n..).unwrap_or_default();
        }
        if !rest.is_empty() {
            return Err(bad("trailing octet"));
        }
        Ok(Packet {
            code,
            id,
            subtype,
            attrs,
        })
    }

    /// The value of the first attribute of type `t`.
    pub fn attr(&self, t: u8) -> Option<&[u8]> {
        self.attrs
            .iter()
            .find(|a| a.t == t)
            .map(|a| a.value.as_slice())
    }
}

/// HMAC-SHA-256-128 under K_aut (RFC 9048 §3.4.1).
fn mac(k_aut: &[u8], packet: &[u8]) -> Result<[u8; 16]> {
    let full = hmac_sha256(k_aut, &[packet])?;
    let mut m = [0u8; 16];
    m.copy_from_slice(full.get(..16).unwrap_or(&[0; 16]));
    Ok(m)
}

/// Check the AT_MAC of a received packet under K_aut (constant-time comparison).
pub fn verify_mac(packet: &[u8], k_aut: &[u8]) -> Result<bool> {
    let mut off = 8;
    while let (Some(&t), Some(&units)) = (packet.get(off), packet.get(off + 1)) {
        let n = usize::from(units) * 4;
        if n == 0 {
            break;
        }
        if t == AT_MAC && n == 20 {
            let got = packet.get(off + 4..off + 20).unwrap_or_default().to_vec();
            let mut zeroed = packet.to_vec();
            if let Some(m) = zeroed.get_mut(off + 4..off + 20) {
                m.fill(0);
            }
            return Ok(ct_eq(&got, &mac(k_aut, &zeroed)?));
        }
        off += n;
    }
    Ok(false)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)] // fixed test data
mod tests {
    use super::*;

    #[test]
    fn challenge_layout_and_mac() {
        let p = Packet {
            code: Code::Request,
            id: 7,
            subtype: SUBTYPE_CHALLENGE,
            attrs: vec![
                Attr::rand(&[0x11; 16]),
                Attr::kdf(1),
                Attr::kdf_input("WLAN").expect("short"),
            ],
        };
        let k = [0x5A; 32];
        let bytes = p.encode(Some(&k)).expect("encodes");
        // Header, AT_RAND (20), AT_KDF (4), AT_KDF_INPUT (2 + 2 + 4 = 8), AT_MAC (20).
        assert_eq!(bytes.len(), 8 + 20 + 4 + 8 + 20);
        assert_eq!(&bytes[..8], &[1, 7, 0, 60, 50, 1, 0, 0]);
        assert_eq!(&bytes[28..32], &[24, 1, 0, 1]);
        assert_eq!(&bytes[32..40], &[23, 2, 0, 4, b'W', b'L', b'A', b'N']);
        assert_eq!(&bytes[40..44], &[11, 5, 0, 0]);
        assert!(verify_mac(&bytes, &k).expect("mac"));
        let mut bad = bytes.clone();
        bad[10] ^= 1;
        assert!(!verify_mac(&bad, &k).expect("mac"));
        let back = Packet::parse(&bytes).expect("parses");
        assert_eq!(back.attr(AT_KDF), Some(&[0, 1][..]));
        assert_eq!(back.attrs.len(), 4);
        // AT_RES: the length in bits, padded to four octets.
        let r = Packet {
            code: Code::Response,
            id: 7,
            subtype: SUBTYPE_CHALLENGE,
            attrs: vec![Attr::res(&[1, 2, 3, 4, 5]).expect("short")],
        };
        let rb = r.encode(None).expect("encodes");
        assert_eq!(&rb[8..20], &[3, 3, 0, 40, 1, 2, 3, 4, 5, 0, 0, 0]);
        assert!(Packet::parse(&rb[..rb.len() - 1]).is_err());
    }
}
