//! TUAK f1, f1*, f2–f5, f5* and TOPc (3GPP TS 35.231 §6) on Keccak-f\[1600\] (§7, Annex E).
//!
//! Each function fills the 200-octet `INOUT` buffer, applies Keccak-f\[1600\] `iterations`
//! times, and reads its output back. Every multi-octet field is written **byte-reversed**:
//!
//! ```text
//! INOUT[0..32]   = rev(TOP) for TOPc, rev(TOPc) otherwise
//! INOUT[32]      = INSTANCE
//! INOUT[33..40]  = rev("TUAK1.0")
//! INOUT[40..56]  = rev(RAND)   (zero for TOPc)
//! INOUT[56..58]  = rev(AMF)    (f1/f1* only)
//! INOUT[58..64]  = rev(SQN)    (f1/f1* only)
//! INOUT[64..96]  = rev(K)      (128-bit K: rev(K) in 64..80, zeros in 80..96)
//! INOUT[96] = 0x1F, INOUT[135] = 0x80, all else 0
//! TOPc = rev(INOUT[0..32]); MAC, RES = rev(INOUT[0..len]); CK = rev(INOUT[32..32+len]);
//! IK = rev(INOUT[64..64+len]); AK (f5, f5*) = rev(INOUT[96..102])
//! ```
//! INSTANCE: bit 0 set for a 256-bit K; TOPc `00`; f1 `08`/`10`/`20` for a 64/128/256-bit
//! MAC, f1* = f1 | `80`; f2345 = `40` | RES code (32→`00`, 64→`08`, 128→`10`, 256→`20`) |
//! `04` for a 256-bit CK | `02` for a 256-bit IK; f5* `C0`.
//!
//! The state maps to the 25 lanes little-endian: octet `8·(x+5y)` is the low octet of lane
//! (x, y), as in the Annex E reference code. Keccak-f\[1600\] itself is the `keccak` crate's.
//! Buffers holding K are wiped after use.

use core::fmt;

use zeroize::Zeroize;

use super::aka::{AkaAlgorithm, AkaKeys, Res, AMF_LEN, MAC_LEN, RAND_LEN, SQN_LEN};
use super::keys::{Ck, Ik, Key128, Key256, Top, Topc, VarKey};
use super::CryptoError;

const ALGONAME: &[u8; 7] = b"TUAK1.0";

/// Keccak-f\[1600\] on a 200-octet state, lanes little-endian (TS 35.231 §7 / TS 35.232 §5).
pub fn keccak_f1600_bytes(state: &mut [u8; 200]) {
    let mut lanes = [0u64; 25];
    for (lane, chunk) in lanes.iter_mut().zip(state.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *lane = u64::from_le_bytes(b);
    }
    keccak::f1600(&mut lanes);
    for (lane, chunk) in lanes.iter().zip(state.chunks_exact_mut(8)) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    lanes.zeroize();
}

fn keccak_iter(state: &mut [u8; 200], iterations: u32) {
    let mut lanes = [0u64; 25];
    for (lane, chunk) in lanes.iter_mut().zip(state.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *lane = u64::from_le_bytes(b);
    }
    for _ in 0..iterations {
        keccak::f1600(&mut lanes);
    }
    for (lane, chunk) in lanes.iter().zip(state.chunks_exact_mut(8)) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    lanes.zeroize();
}

/// A TUAK subscriber key K of 128 or 256 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuakKey {
    /// 128-bit K.
    K128(Key128),
    /// 256-bit K.
    K256(Key256),
}

impl TuakKey {
    /// Copies a 16- or 32-byte K.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] for other lengths.
    pub fn from_slice(k: &[u8]) -> Result<Self, CryptoError> {
        match k.len() {
            16 => Ok(Self::K128(Key128::from_slice(k)?)),
            32 => Ok(Self::K256(Key256::from_slice(k)?)),
            n => Err(CryptoError::UnsupportedLength {
                what: "TUAK K",
                allowed: "16 or 32 bytes",
                got: n,
            }),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Self::K128(k) => k.as_bytes(),
            Self::K256(k) => k.as_bytes(),
        }
    }

    fn instance_bit(&self) -> u8 {
        match self {
            Self::K128(_) => 0,
            Self::K256(_) => 1,
        }
    }
}

/// Operator-chosen output sizes and the Keccak iteration count (TS 35.231 §6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TuakParams {
    /// MAC-A / MAC-S length in bits: 64, 128 or 256.
    pub mac_bits: u16,
    /// RES length in bits: 32, 64, 128 or 256.
    pub res_bits: u16,
    /// CK length in bits: 128 or 256.
    pub ck_bits: u16,
    /// IK length in bits: 128 or 256.
    pub ik_bits: u16,
    /// Number of Keccak-f\[1600\] iterations (at least 1).
    pub iterations: u32,
}

impl Default for TuakParams {
    /// 64-bit MAC and RES, 128-bit CK and IK, one iteration: the sizes USIM AKA uses.
    fn default() -> Self {
        Self {
            mac_bits: 64,
            res_bits: 64,
            ck_bits: 128,
            ik_bits: 128,
            iterations: 1,
        }
    }
}

impl TuakParams {
    /// Checks every size against the allowed set.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] naming the first bad parameter (in bits).
    pub fn validate(&self) -> Result<(), CryptoError> {
        let bad = |what, allowed, got: u16| CryptoError::UnsupportedLength {
            what,
            allowed,
            got: usize::from(got),
        };
        if !matches!(self.mac_bits, 64 | 128 | 256) {
            return Err(bad("TUAK MAC bits", "64, 128, 256", self.mac_bits));
        }
        if !matches!(self.res_bits, 32 | 64 | 128 | 256) {
            return Err(bad("TUAK RES bits", "32, 64, 128, 256", self.res_bits));
        }
        if !matches!(self.ck_bits, 128 | 256) {
            return Err(bad("TUAK CK bits", "128, 256", self.ck_bits));
        }
        if !matches!(self.ik_bits, 128 | 256) {
            return Err(bad("TUAK IK bits", "128, 256", self.ik_bits));
        }
        if self.iterations == 0 {
            return Err(CryptoError::UnsupportedLength {
                what: "TUAK Keccak iterations",
                allowed: "at least 1",
                got: 0,
            });
        }
        Ok(())
    }
}

/// A TUAK MAC-A or MAC-S of 64, 128 or 256 bits (not secret).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TuakMac {
    buf: [u8; 32],
    len: usize,
}

impl TuakMac {
    /// The MAC bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl fmt::Debug for TuakMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TuakMac({})", hex::encode(self.as_bytes()))
    }
}

/// The TUAK f2–f5 outputs with their configured sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TuakKeys {
    /// f2: RES.
    pub res: Res,
    /// f3: CK (128 or 256 bits).
    pub ck: VarKey,
    /// f4: IK (128 or 256 bits).
    pub ik: VarKey,
    /// f5: AK.
    pub ak: [u8; SQN_LEN],
}

struct Inout([u8; 200]);

impl Drop for Inout {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Inout {
    fn put_rev(&mut self, off: usize, src: &[u8]) {
        if let Some(dst) = self.0.get_mut(off..off + src.len()) {
            for (d, s) in dst.iter_mut().zip(src.iter().rev()) {
                *d = *s;
            }
        }
    }

    fn get_rev(&self, off: usize, out: &mut [u8]) {
        if let Some(src) = self.0.get(off..off + out.len()) {
            for (d, s) in out.iter_mut().zip(src.iter().rev()) {
                *d = *s;
            }
        }
    }

    /// Fills the buffer; `rand`, `amf`, `sqn` are `None` where the function leaves them zero.
    fn new(
        top: &[u8; 32],
        instance: u8,
        rand: Option<&[u8; RAND_LEN]>,
        amf_sqn: Option<(&[u8; AMF_LEN], &[u8; SQN_LEN])>,
        k: &TuakKey,
    ) -> Self {
        let mut b = Self([0u8; 200]);
        b.put_rev(0, top);
        b.0[32] = instance | k.instance_bit();
        b.put_rev(33, ALGONAME);
        if let Some(r) = rand {
            b.put_rev(40, r);
        }
        if let Some((amf, sqn)) = amf_sqn {
            b.put_rev(56, amf);
            b.put_rev(58, sqn);
        }
        b.put_rev(64, k.bytes());
        b.0[96] = 0x1F;
        b.0[135] = 0x80;
        b
    }
}

/// TOPc from TOP and K (TS 35.231 §6.2).
#[must_use]
pub fn compute_topc(k: &TuakKey, top: &Top, iterations: u32) -> Topc {
    let mut b = Inout::new(top.expose(), 0x00, None, None, k);
    keccak_iter(&mut b.0, iterations);
    let mut out = [0u8; 32];
    b.get_rev(0, &mut out);
    Topc::new(out)
}

/// A TUAK instance for one subscriber: K, TOPc and the output sizes.
#[derive(Clone)]
pub struct Tuak {
    k: TuakKey,
    topc: Topc,
    params: TuakParams,
}

impl fmt::Debug for Tuak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tuak")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Tuak {
    /// Creates an instance from K and TOPc.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] for invalid parameters.
    pub fn new(k: TuakKey, topc: Topc, params: TuakParams) -> Result<Self, CryptoError> {
        params.validate()?;
        Ok(Self { k, topc, params })
    }

    /// Creates an instance from K and TOP, deriving TOPc.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] for invalid parameters.
    pub fn from_top(k: TuakKey, top: &Top, params: TuakParams) -> Result<Self, CryptoError> {
        params.validate()?;
        let topc = compute_topc(&k, top, params.iterations);
        Ok(Self { k, topc, params })
    }

    /// TOPc in use.
    #[must_use]
    pub fn topc(&self) -> &Topc {
        &self.topc
    }

    /// The parameters in use.
    #[must_use]
    pub fn params(&self) -> &TuakParams {
        &self.params
    }

    fn run(
        &self,
        instance: u8,
        rand: &[u8; RAND_LEN],
        amf_sqn: Option<(&[u8; AMF_LEN], &[u8; SQN_LEN])>,
    ) -> Inout {
        let mut b = Inout::new(self.topc.expose(), instance, Some(rand), amf_sqn, &self.k);
        keccak_iter(&mut b.0, self.params.iterations);
        b
    }

    fn mac_instance(&self) -> u8 {
        match self.params.mac_bits {
            128 => 0x10,
            256 => 0x20,
            _ => 0x08,
        }
    }

    fn mac(&self, instance: u8, rand: &[u8; 16], sqn: &[u8; 6], amf: &[u8; 2]) -> TuakMac {
        let b = self.run(instance, rand, Some((amf, sqn)));
        let len = usize::from(self.params.mac_bits / 8);
        let mut m = TuakMac { buf: [0; 32], len };
        if let Some(dst) = m.buf.get_mut(..len) {
            b.get_rev(0, dst);
        }
        m
    }

    /// f1: MAC-A of the configured size.
    #[must_use]
    pub fn f1(&self, rand: &[u8; RAND_LEN], sqn: &[u8; SQN_LEN], amf: &[u8; AMF_LEN]) -> TuakMac {
        self.mac(self.mac_instance(), rand, sqn, amf)
    }

    /// f1*: MAC-S of the configured size.
    #[must_use]
    pub fn f1star(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> TuakMac {
        self.mac(self.mac_instance() | 0x80, rand, sqn, amf)
    }

    /// f2–f5: RES, CK, IK (configured sizes) and AK from one Keccak run.
    #[must_use]
    pub fn f2345(&self, rand: &[u8; RAND_LEN]) -> TuakKeys {
        let p = &self.params;
        let res_code = match p.res_bits {
            64 => 0x08,
            128 => 0x10,
            256 => 0x20,
            _ => 0x00,
        };
        let instance = 0x40
            | res_code
            | if p.ck_bits == 256 { 0x04 } else { 0 }
            | if p.ik_bits == 256 { 0x02 } else { 0 };
        let b = self.run(instance, rand, None);
        let res_len = usize::from(p.res_bits / 8);
        let mut rb = [0u8; 32];
        if let Some(dst) = rb.get_mut(..res_len) {
            b.get_rev(0, dst);
        }
        let res = Res::from_buf(rb, res_len);
        rb.zeroize();
        let key_at = |off: usize, bits: u16| {
            let wide = bits == 256;
            let mut kb = [0u8; 32];
            if let Some(dst) = kb.get_mut(..if wide { 32 } else { 16 }) {
                b.get_rev(off, dst);
            }
            let key = VarKey::from_buf(kb, wide);
            kb.zeroize();
            key
        };
        let mut ak = [0u8; SQN_LEN];
        b.get_rev(96, &mut ak);
        TuakKeys {
            res,
            ck: key_at(32, p.ck_bits),
            ik: key_at(64, p.ik_bits),
            ak,
        }
    }

    /// f5*: AK*.
    #[must_use]
    pub fn f5star(&self, rand: &[u8; RAND_LEN]) -> [u8; SQN_LEN] {
        let b = self.run(0xC0, rand, None);
        let mut ak = [0u8; SQN_LEN];
        b.get_rev(96, &mut ak);
        ak
    }
}

impl AkaAlgorithm for Tuak {
    fn f1(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError> {
        Tuak::f1(self, rand, sqn, amf)
            .as_bytes()
            .try_into()
            .map_err(|_| CryptoError::UnsupportedLength {
                what: "TUAK MAC for AUTN (bits)",
                allowed: "64",
                got: usize::from(self.params.mac_bits),
            })
    }

    fn f1star(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError> {
        Tuak::f1star(self, rand, sqn, amf)
            .as_bytes()
            .try_into()
            .map_err(|_| CryptoError::UnsupportedLength {
                what: "TUAK MAC for AUTS (bits)",
                allowed: "64",
                got: usize::from(self.params.mac_bits),
            })
    }

    fn f2345(&self, rand: &[u8; RAND_LEN]) -> Result<AkaKeys, CryptoError> {
        let k = Tuak::f2345(self, rand);
        let bad = |bits: u16| CryptoError::UnsupportedLength {
            what: "TUAK CK/IK for 3G AKA (bits)",
            allowed: "128",
            got: usize::from(bits),
        };
        let ck = Ck::from_slice(k.ck.as_bytes()).map_err(|_| bad(self.params.ck_bits))?;
        let ik = Ik::from_slice(k.ik.as_bytes()).map_err(|_| bad(self.params.ik_bits))?;
        Ok(AkaKeys {
            res: k.res.clone(),
            ck,
            ik,
            ak: k.ak,
        })
    }

    fn f5star(&self, rand: &[u8; RAND_LEN]) -> Result<[u8; SQN_LEN], CryptoError> {
        Ok(Tuak::f5star(self, rand))
    }
}
