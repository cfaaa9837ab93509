//! GSM security context on a USIM: conversion functions c2 and c3 (TS 33.102 §6.8.1.2).
//!
//! * c2: `SRES = XRES*1 ⊕ XRES*2 ⊕ XRES*3 ⊕ XRES*4`, where XRES* is RES padded with zero
//!   bits to 128 bits and XRES*i are its four 32-bit words. For the usual 64-bit RES this is
//!   `RES[0..4] ⊕ RES[4..8]`. RES may be 32 to 128 bits (4 to 16 octets).
//! * c3: `Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2`, the 64-bit halves of CK and IK.
//!
//! The padded form of c2 for RES lengths other than 64 bits is from TS 33.102 as remembered
//! by this project; it is confirmed for a 128-bit RES by the public osmo-hlr XOR-3G vector
//! (`vectors/xor.json`), and for 64-bit RES by the TS 55.205 GSM-MILENAGE sets.
//! [`sres_first32`] is the other SRES form (TS 55.205 "SRES#2", first 32 bits of RES), kept
//! only for pure GSM-MILENAGE deployments that use it.

use super::keys::{Ck, Ik, Kc};
use super::milenage::Milenage;
use super::CryptoError;

/// c2: derives SRES from a RES of 4 to 16 bytes.
///
/// # Errors
/// [`CryptoError::UnsupportedLength`] for a RES outside 4..=16 bytes.
pub fn c2(res: &[u8]) -> Result<[u8; 4], CryptoError> {
    if !(4..=16).contains(&res.len()) {
        return Err(CryptoError::UnsupportedLength {
            what: "RES for c2",
            allowed: "4..=16 bytes",
            got: res.len(),
        });
    }
    let mut padded = [0u8; 16];
    for (d, s) in padded.iter_mut().zip(res) {
        *d = *s;
    }
    let mut sres = [0u8; 4];
    for word in padded.chunks_exact(4) {
        for (o, b) in sres.iter_mut().zip(word) {
            *o ^= b;
        }
    }
    Ok(sres)
}

/// c3: derives the 64-bit GSM Kc from CK and IK.
#[must_use]
pub fn c3(ck: &Ck, ik: &Ik) -> Kc {
    let (ck1, ck2) = ck.expose().split_at(8);
    let (ik1, ik2) = ik.expose().split_at(8);
    let mut kc = [0u8; 8];
    for (i, o) in kc.iter_mut().enumerate() {
        let pick = |h: &[u8]| h.get(i).copied().unwrap_or(0);
        *o = pick(ck1) ^ pick(ck2) ^ pick(ik1) ^ pick(ik2);
    }
    Kc::new(kc)
}

/// The first 32 bits of RES ("SRES#2" of TS 55.205), for GSM-MILENAGE variants that use it.
///
/// # Errors
/// [`CryptoError::UnsupportedLength`] for a RES shorter than 4 bytes.
pub fn sres_first32(res: &[u8]) -> Result<[u8; 4], CryptoError> {
    res.get(..4)
        .and_then(|s| s.try_into().ok())
        .ok_or(CryptoError::UnsupportedLength {
            what: "RES for SRES#2",
            allowed: "at least 4 bytes",
            got: res.len(),
        })
}

/// GSM-MILENAGE (TS 55.205 §4): SRES = c2(f2) and Kc = c3(f3, f4) for a GSM challenge.
#[must_use]
pub fn gsm_milenage(m: &Milenage, rand: &[u8; 16]) -> ([u8; 4], Kc) {
    let keys = m.f2345(rand);
    // An 8-byte RES is always accepted by c2.
    let sres = c2(keys.res.as_bytes()).unwrap_or([0; 4]);
    (sres, c3(&keys.ck, &keys.ik))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2_matches_libosmocore_example() {
        // libosmocore milenage_test: RES e9fc88ccc8a35381 -> SRES 215fdb4d.
        let res = hex::decode("e9fc88ccc8a35381").expect("hex");
        assert_eq!(c2(&res).ok(), Some([0x21, 0x5f, 0xdb, 0x4d]));
        assert!(c2(&[0u8; 3]).is_err());
        assert!(c2(&[0; 17]).is_err());
    }
}
