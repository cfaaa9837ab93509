//! AKA tokens AUTN and AUTS and their generation/verification (TS 33.102 §6.3.2, §6.3.3, §6.3.5).
//!
//! The algorithm-independent half of 3G/EPS/5G AKA: any set of f1–f5* ([`AkaAlgorithm`],
//! implemented by MILENAGE, TUAK and the XOR test algorithm) plugs into
//! [`generate_autn`] (network side), [`verify_autn`] (USIM side), [`build_auts`] (USIM
//! re-synchronisation) and [`recover_sqn_ms`] (network side, checks MAC-S in constant time).
//!
//! MAC-S in AUTS is computed with AMF = `0000` (TS 33.102 §6.3.3: "the dummy value of all
//! zeros"), whatever AMF the failed challenge carried.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::keys::{ct_eq, Ck, Ik};
use super::CryptoError;

/// Length of RAND in bytes.
pub const RAND_LEN: usize = 16;
/// Length of SQN (and AK) in bytes.
pub const SQN_LEN: usize = 6;
/// Length of AMF in bytes.
pub const AMF_LEN: usize = 2;
/// Length of MAC-A / MAC-S in bytes.
pub const MAC_LEN: usize = 8;
/// Length of AUTN in bytes.
pub const AUTN_LEN: usize = 16;
/// Length of AUTS in bytes.
pub const AUTS_LEN: usize = 14;

/// The dummy AMF used for MAC-S in AUTS (TS 33.102 §6.3.3).
pub const AMF_RESYNC: [u8; AMF_LEN] = [0, 0];

/// Converts a 48-bit sequence number to its 6-byte big-endian form (upper 16 bits dropped).
#[must_use]
pub fn sqn_from_u64(sqn: u64) -> [u8; SQN_LEN] {
    let b = sqn.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// Converts a 6-byte big-endian SQN to an integer.
#[must_use]
pub fn sqn_to_u64(sqn: &[u8; SQN_LEN]) -> u64 {
    let mut b = [0u8; 8];
    b[2..].copy_from_slice(sqn);
    u64::from_be_bytes(b)
}

/// XOR of two equal-size arrays.
#[must_use]
pub(crate) fn xor_arr<const N: usize>(a: &[u8; N], b: &[u8; N]) -> [u8; N] {
    let mut out = [0u8; N];
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
    out
}

/// An authentication response RES/XRES of 4 to 32 bytes (32 only for TUAK, TS 35.231 §6.4).
///
/// XRES is a secret on the network side, so this type is zeroized on drop and its `Debug`
/// shows only the length.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Res {
    buf: [u8; 32],
    len: usize,
}

impl Res {
    /// Copies a RES of 4 to 32 bytes.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] outside 4..=32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut buf = [0u8; 32];
        match buf.get_mut(..bytes.len()) {
            Some(dst) if bytes.len() >= 4 => {
                dst.copy_from_slice(bytes);
                Ok(Self {
                    buf,
                    len: bytes.len(),
                })
            }
            _ => Err(CryptoError::UnsupportedLength {
                what: "RES",
                allowed: "4..=32 bytes",
                got: bytes.len(),
            }),
        }
    }

    /// Wraps a fixed-size RES; the size is checked at compile time.
    #[must_use]
    pub fn from_array<const N: usize>(arr: &[u8; N]) -> Self {
        const { assert!(N >= 4 && N <= 32, "RES is 4..=32 bytes") };
        let mut buf = [0u8; 32];
        for (d, s) in buf.iter_mut().zip(arr) {
            *d = *s;
        }
        Self { buf, len: N }
    }

    /// Takes the first `len` octets of `buf`, `len` clamped to 4..=32.
    pub(crate) fn from_buf(mut buf: [u8; 32], len: usize) -> Self {
        let len = len.clamp(4, 32);
        if let Some(tail) = buf.get_mut(len..) {
            tail.zeroize();
        }
        Self { buf, len }
    }

    /// The RES bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Length in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Always false: a `Res` holds at least 4 bytes.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for Res {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Res {{ len: {}, .. }}", self.len)
    }
}

impl PartialEq for Res {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(self.as_bytes(), other.as_bytes())
    }
}

impl Eq for Res {}

/// The outputs of f2, f3, f4 and f5 for one RAND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AkaKeys {
    /// f2: RES / XRES.
    pub res: Res,
    /// f3: CK.
    pub ck: Ck,
    /// f4: IK.
    pub ik: Ik,
    /// f5: anonymity key AK.
    pub ak: [u8; SQN_LEN],
}

/// A set of authentication functions f1, f1*, f2–f5, f5* (TS 33.102 §6.3.2, Figure 8/9).
///
/// Implemented by [`Milenage`](super::milenage::Milenage), [`Tuak`](super::tuak::Tuak)
/// (with a 64-bit MAC and 128-bit CK/IK) and [`Xor3g`](super::xor::Xor3g).
pub trait AkaAlgorithm {
    /// f1: network authentication code MAC-A (64 bits).
    ///
    /// # Errors
    /// If the algorithm's configuration cannot produce a 64-bit MAC.
    fn f1(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError>;

    /// f1*: re-synchronisation authentication code MAC-S (64 bits).
    ///
    /// # Errors
    /// If the algorithm's configuration cannot produce a 64-bit MAC.
    fn f1star(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError>;

    /// f2, f3, f4, f5: RES, CK, IK and AK.
    ///
    /// # Errors
    /// If the algorithm's configuration cannot produce 128-bit CK/IK.
    fn f2345(&self, rand: &[u8; RAND_LEN]) -> Result<AkaKeys, CryptoError>;

    /// f5*: re-synchronisation anonymity key AK*.
    ///
    /// # Errors
    /// Not expected for any provided implementation.
    fn f5star(&self, rand: &[u8; RAND_LEN]) -> Result<[u8; SQN_LEN], CryptoError>;
}

/// AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A (TS 33.102 §6.3.2), 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Autn {
    /// SQN ⊕ AK (or plain SQN when AK is not used).
    pub sqn_xor_ak: [u8; SQN_LEN],
    /// Authentication management field.
    pub amf: [u8; AMF_LEN],
    /// MAC-A (for GBA_U, the masked MAC*; see [`gba`](super::gba)).
    pub mac: [u8; MAC_LEN],
}

impl Autn {
    /// Assembles AUTN from SQN, AK, AMF and MAC-A.
    #[must_use]
    pub fn build(
        sqn: &[u8; SQN_LEN],
        ak: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
        mac: &[u8; MAC_LEN],
    ) -> Self {
        Self {
            sqn_xor_ak: xor_arr(sqn, ak),
            amf: *amf,
            mac: *mac,
        }
    }

    /// Splits a 16-byte AUTN into its fields.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; AUTN_LEN]) -> Self {
        let (a, rest) = bytes.split_at(SQN_LEN);
        let (b, c) = rest.split_at(AMF_LEN);
        let mut out = Self {
            sqn_xor_ak: [0; SQN_LEN],
            amf: [0; AMF_LEN],
            mac: [0; MAC_LEN],
        };
        out.sqn_xor_ak.copy_from_slice(a);
        out.amf.copy_from_slice(b);
        out.mac.copy_from_slice(c);
        out
    }

    /// Parses AUTN from a slice, which must be 16 bytes long.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] otherwise.
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: &[u8; AUTN_LEN] = bytes.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "AUTN",
            expected: AUTN_LEN,
            got: bytes.len(),
        })?;
        Ok(Self::from_bytes(arr))
    }

    /// The 16-byte encoding.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; AUTN_LEN] {
        let mut out = [0u8; AUTN_LEN];
        let (a, rest) = out.split_at_mut(SQN_LEN);
        let (b, c) = rest.split_at_mut(AMF_LEN);
        a.copy_from_slice(&self.sqn_xor_ak);
        b.copy_from_slice(&self.amf);
        c.copy_from_slice(&self.mac);
        out
    }

    /// Recovers SQN given AK.
    #[must_use]
    pub fn sqn(&self, ak: &[u8; SQN_LEN]) -> [u8; SQN_LEN] {
        xor_arr(&self.sqn_xor_ak, ak)
    }
}

/// AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S (TS 33.102 §6.3.3), 14 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Auts {
    /// SQN_MS ⊕ AK*.
    pub sqn_xor_ak_star: [u8; SQN_LEN],
    /// MAC-S = f1*(K, SQN_MS, RAND, AMF = 0000).
    pub mac_s: [u8; MAC_LEN],
}

impl Auts {
    /// Splits a 14-byte AUTS into its fields.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; AUTS_LEN]) -> Self {
        let (a, b) = bytes.split_at(SQN_LEN);
        let mut out = Self {
            sqn_xor_ak_star: [0; SQN_LEN],
            mac_s: [0; MAC_LEN],
        };
        out.sqn_xor_ak_star.copy_from_slice(a);
        out.mac_s.copy_from_slice(b);
        out
    }

    /// Parses AUTS from a slice, which must be 14 bytes long.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] otherwise.
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: &[u8; AUTS_LEN] = bytes.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "AUTS",
            expected: AUTS_LEN,
            got: bytes.len(),
        })?;
        Ok(Self::from_bytes(arr))
    }

    /// The 14-byte encoding.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; AUTS_LEN] {
        let mut out = [0u8; AUTS_LEN];
        let (a, b) = out.split_at_mut(SQN_LEN);
        a.copy_from_slice(&self.sqn_xor_ak_star);
        b.copy_from_slice(&self.mac_s);
        out
    }
}

/// Network side: computes XRES/CK/IK/AK and AUTN for a challenge (TS 33.102 §6.3.2).
///
/// # Errors
/// Propagates a configuration error of the algorithm.
pub fn generate_autn<A: AkaAlgorithm + ?Sized>(
    alg: &A,
    rand: &[u8; RAND_LEN],
    sqn: &[u8; SQN_LEN],
    amf: &[u8; AMF_LEN],
) -> Result<(Autn, AkaKeys), CryptoError> {
    let mac = alg.f1(rand, sqn, amf)?;
    let keys = alg.f2345(rand)?;
    Ok((Autn::build(sqn, &keys.ak, amf, &mac), keys))
}

/// A challenge whose MAC verified on the USIM side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChallenge {
    /// The SQN recovered from AUTN (the caller still has to check its freshness).
    pub sqn: [u8; SQN_LEN],
    /// The AMF from AUTN.
    pub amf: [u8; AMF_LEN],
    /// RES, CK, IK and AK.
    pub keys: AkaKeys,
}

/// USIM side: recovers SQN from AUTN and verifies MAC-A in constant time (TS 33.102 §6.3.3).
///
/// SQN freshness (TS 33.102 Annex C) is not checked here.
///
/// # Errors
/// [`CryptoError::MacMismatch`] (`"MAC-A"`) if XMAC ≠ MAC, or a configuration error.
pub fn verify_autn<A: AkaAlgorithm + ?Sized>(
    alg: &A,
    rand: &[u8; RAND_LEN],
    autn: &Autn,
) -> Result<VerifiedChallenge, CryptoError> {
    let keys = alg.f2345(rand)?;
    let sqn = autn.sqn(&keys.ak);
    let xmac = alg.f1(rand, &sqn, &autn.amf)?;
    if !ct_eq(&xmac, &autn.mac) {
        return Err(CryptoError::MacMismatch { what: "MAC-A" });
    }
    Ok(VerifiedChallenge {
        sqn,
        amf: autn.amf,
        keys,
    })
}

/// USIM side: builds AUTS for a re-synchronisation, with MAC-S over AMF = `0000`
/// (TS 33.102 §6.3.3).
///
/// # Errors
/// Propagates a configuration error of the algorithm.
pub fn build_auts<A: AkaAlgorithm + ?Sized>(
    alg: &A,
    rand: &[u8; RAND_LEN],
    sqn_ms: &[u8; SQN_LEN],
) -> Result<Auts, CryptoError> {
    let mac_s = alg.f1star(rand, sqn_ms, &AMF_RESYNC)?;
    let ak_star = alg.f5star(rand)?;
    Ok(Auts {
        sqn_xor_ak_star: xor_arr(sqn_ms, &ak_star),
        mac_s,
    })
}

/// Network side: recovers SQN_MS from AUTS and verifies MAC-S in constant time
/// (TS 33.102 §6.3.5).
///
/// # Errors
/// [`CryptoError::MacMismatch`] (`"MAC-S"`) if the MAC does not verify.
pub fn recover_sqn_ms<A: AkaAlgorithm + ?Sized>(
    alg: &A,
    rand: &[u8; RAND_LEN],
    auts: &Auts,
) -> Result<[u8; SQN_LEN], CryptoError> {
    let ak_star = alg.f5star(rand)?;
    let sqn_ms = xor_arr(&auts.sqn_xor_ak_star, &ak_star);
    let xmac_s = alg.f1star(rand, &sqn_ms, &AMF_RESYNC)?;
    if ct_eq(&xmac_s, &auts.mac_s) {
        Ok(sqn_ms)
    } else {
        Err(CryptoError::MacMismatch { what: "MAC-S" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqn_u64_round_trip() {
        let s = sqn_from_u64(0x0000_1234_5678_9abc);
        assert_eq!(s, [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
        assert_eq!(sqn_to_u64(&s), 0x1234_5678_9abc);
    }

    #[test]
    fn autn_bytes_round_trip() {
        let raw: [u8; 16] = core::array::from_fn(|i| i as u8);
        let a = Autn::from_bytes(&raw);
        assert_eq!(a.amf, [6, 7]);
        assert_eq!(a.to_bytes(), raw);
        assert!(Autn::parse(raw.get(..15).expect("15")).is_err());
    }

    #[test]
    fn res_lengths() {
        assert!(Res::from_slice(&[0; 3]).is_err());
        assert!(Res::from_slice(&[0; 33]).is_err());
        assert_eq!(Res::from_slice(&[1; 8]).map(|r| r.len()), Ok(8));
    }
}
