//! The XOR test algorithm for test USIMs (3GPP TS 34.108 §8.1.2).
//!
//! Bit 0 is the most significant bit of the first octet.
//! ```text
//! XDOUT = K ⊕ RAND                                   (128 bits)
//! RES   = f2(XDOUT, n) = XDOUT[0 .. n-1]             (n = 32..128 bits, here whole octets)
//! CK    = f3 = XDOUT[8..127] ‖ XDOUT[0..7]           (rotated left by 8 bits)
//! IK    = f4 = XDOUT[16..127] ‖ XDOUT[0..15]         (rotated left by 16 bits)
//! AK    = f5 = XDOUT[24..71]                         (f5* is the same: AK* = AK)
//! CDOUT = SQN ‖ AMF                                  (64 bits)
//! MAC   = f1 = XDOUT[0..63] ⊕ CDOUT                  (f1* is the same formula)
//! ```
//! For AUTS (§8.1.2.2) CDOUT uses AMF* = 0000, as for every f1* MAC-S ([`super::aka`]).
//! Kc for a GSM context comes from c3 and SRES from c2 ([`super::gsm`]).

use super::aka::{self, AkaAlgorithm, AkaKeys, Res, AMF_LEN, MAC_LEN, RAND_LEN, SQN_LEN};
use super::keys::{Ck, Ik, Key128};
use super::CryptoError;

/// XOR test algorithm instance: K and the RES length in octets (4..=16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xor3g {
    k: Key128,
    res_len: usize,
}

impl Xor3g {
    /// Creates an instance with a 128-bit RES (the usual test USIM setting).
    #[must_use]
    pub fn new(k: &Key128) -> Self {
        Self {
            k: k.clone(),
            res_len: 16,
        }
    }

    /// Creates an instance with an n-octet RES, n in 4..=16.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] for other lengths.
    pub fn with_res_len(k: &Key128, res_len: usize) -> Result<Self, CryptoError> {
        if !(4..=16).contains(&res_len) {
            return Err(CryptoError::UnsupportedLength {
                what: "XOR RES",
                allowed: "4..=16 bytes",
                got: res_len,
            });
        }
        Ok(Self {
            k: k.clone(),
            res_len,
        })
    }

    /// XDOUT = K ⊕ RAND.
    #[must_use]
    pub fn xdout(&self, rand: &[u8; RAND_LEN]) -> [u8; 16] {
        aka::xor_arr(self.k.expose(), rand)
    }

    /// f1 (and f1*): XDOUT[0..63] ⊕ (SQN ‖ AMF).
    #[must_use]
    pub fn mac(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> [u8; MAC_LEN] {
        let x = self.xdout(rand);
        let mut cdout = [0u8; 8];
        let (s, a) = cdout.split_at_mut(SQN_LEN);
        s.copy_from_slice(sqn);
        a.copy_from_slice(amf);
        let mut head = [0u8; 8];
        head.copy_from_slice(x.split_at(8).0);
        aka::xor_arr(&head, &cdout)
    }

    /// f5 (and f5*): XDOUT[24..71].
    #[must_use]
    pub fn ak(&self, rand: &[u8; RAND_LEN]) -> [u8; SQN_LEN] {
        let x = self.xdout(rand);
        let mut ak = [0u8; SQN_LEN];
        for (o, v) in ak.iter_mut().zip(x.iter().skip(3)) {
            *o = *v;
        }
        ak
    }

    /// f2–f5: RES, CK, IK and AK.
    #[must_use]
    pub fn keys(&self, rand: &[u8; RAND_LEN]) -> AkaKeys {
        let x = self.xdout(rand);
        let v = u128::from_be_bytes(x);
        let mut buf = [0u8; 32];
        for (d, s) in buf.iter_mut().zip(x) {
            *d = s;
        }
        let res = Res::from_buf(buf, self.res_len);
        AkaKeys {
            res,
            ck: Ck::new(v.rotate_left(8).to_be_bytes()),
            ik: Ik::new(v.rotate_left(16).to_be_bytes()),
            ak: self.ak(rand),
        }
    }
}

impl AkaAlgorithm for Xor3g {
    fn f1(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError> {
        Ok(self.mac(rand, sqn, amf))
    }

    fn f1star(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError> {
        Ok(self.mac(rand, sqn, amf))
    }

    fn f2345(&self, rand: &[u8; RAND_LEN]) -> Result<AkaKeys, CryptoError> {
        Ok(self.keys(rand))
    }

    fn f5star(&self, rand: &[u8; RAND_LEN]) -> Result<[u8; SQN_LEN], CryptoError> {
        Ok(self.ak(rand))
    }
}
