//! MILENAGE f1–f5* and OPc (3GPP TS 35.206 §4.1).
//!
//! ```text
//! OPc  = OP ⊕ E_K(OP)
//! TEMP = E_K(RAND ⊕ OPc)
//! IN1  = SQN ‖ AMF ‖ SQN ‖ AMF
//! OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc      f1 = OUT1[0..8], f1* = OUT1[8..16]
//! OUTi = E_K(rot(TEMP ⊕ OPc, ri) ⊕ ci) ⊕ OPc, i = 2..5
//!        f5 = OUT2[0..6], f2 = OUT2[8..16], f3 = OUT3, f4 = OUT4, f5* = OUT5[0..6]
//! ```
//! `rot(x, r)` rotates the 128-bit value x left (toward the most significant bit) by r bits.
//!
//! [`Milenage::new`] expands the AES-128 key schedule once (AES-NI is detected at run time by
//! the `aes` crate) and keeps it for every function; [`Milenage::compute`] runs all seven
//! functions with one AES call for TEMP and one pipelined five-block call for OUT1..OUT5.

use aes::cipher::{BlockEncrypt, KeyInit};
use aes::{Aes128Enc, Block};
use zeroize::Zeroize;

use super::aka::{
    self, AkaAlgorithm, AkaKeys, Autn, Auts, Res, AMF_LEN, MAC_LEN, RAND_LEN, SQN_LEN,
};
use super::keys::{Ck, Ik, Key128, Op, Opc};
use super::CryptoError;

/// The MILENAGE rotation and addition constants r1–r5 / c1–c5 (TS 35.206 §4.1).
///
/// The defaults are the values of the specification; an operator may choose others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilenageConstants {
    /// r1..r5: left rotations in bits (each taken modulo 128).
    pub r: [u32; 5],
    /// c1..c5: 128-bit additive constants, big-endian.
    pub c: [[u8; 16]; 5],
}

impl Default for MilenageConstants {
    fn default() -> Self {
        let c = |v: u8| {
            let mut b = [0u8; 16];
            b[15] = v;
            b
        };
        Self {
            r: [64, 0, 32, 64, 96],
            c: [c(0), c(1), c(2), c(4), c(8)],
        }
    }
}

/// All outputs of one MILENAGE run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilenageOutput {
    /// f1: MAC-A.
    pub mac_a: [u8; MAC_LEN],
    /// f1*: MAC-S (over the AMF passed in, not the re-synchronisation AMF).
    pub mac_s: [u8; MAC_LEN],
    /// f2: RES (64 bits).
    pub res: [u8; 8],
    /// f3: CK.
    pub ck: Ck,
    /// f4: IK.
    pub ik: Ik,
    /// f5: AK.
    pub ak: [u8; SQN_LEN],
    /// f5*: AK*.
    pub ak_star: [u8; SQN_LEN],
}

/// Computes OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1).
#[must_use]
pub fn compute_opc(k: &Key128, op: &Op) -> Opc {
    let cipher = Aes128Enc::new(k.expose().into());
    opc_with(&cipher, op)
}

fn opc_with(cipher: &Aes128Enc, op: &Op) -> Opc {
    let mut block = Block::from(*op.expose());
    cipher.encrypt_block(&mut block);
    let mut out = [0u8; 16];
    for ((o, e), p) in out.iter_mut().zip(block.iter()).zip(op.expose()) {
        *o = e ^ p;
    }
    block.zeroize();
    Opc::new(out)
}

fn xor16(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    aka::xor_arr(a, b)
}

fn rot(x: &[u8; 16], r: u32) -> [u8; 16] {
    u128::from_be_bytes(*x).rotate_left(r % 128).to_be_bytes()
}

fn split8(x: &[u8; 16]) -> ([u8; 8], [u8; 8]) {
    let (a, b) = x.split_at(8);
    let mut hi = [0u8; 8];
    let mut lo = [0u8; 8];
    hi.copy_from_slice(a);
    lo.copy_from_slice(b);
    (hi, lo)
}

fn first6(x: &[u8; 16]) -> [u8; 6] {
    let mut out = [0u8; 6];
    out.copy_from_slice(x.split_at(6).0);
    out
}

/// A MILENAGE instance for one subscriber: the expanded AES key of K, OPc and the constants.
///
/// The AES round keys are wiped on drop (`aes` `zeroize` feature), OPc by its own type.
#[derive(Clone)]
pub struct Milenage {
    cipher: Aes128Enc,
    opc: Opc,
    consts: MilenageConstants,
}

impl core::fmt::Debug for Milenage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Milenage { .. }")
    }
}

impl Milenage {
    /// Creates an instance from K and OPc with the specification's constants.
    #[must_use]
    pub fn new(k: &Key128, opc: &Opc) -> Self {
        Self::with_constants(k, opc, MilenageConstants::default())
    }

    /// Creates an instance from K and OP, deriving OPc with the same key schedule.
    #[must_use]
    pub fn from_op(k: &Key128, op: &Op) -> Self {
        let cipher = Aes128Enc::new(k.expose().into());
        let opc = opc_with(&cipher, op);
        Self {
            cipher,
            opc,
            consts: MilenageConstants::default(),
        }
    }

    /// Creates an instance with operator-chosen r1–r5 / c1–c5.
    #[must_use]
    pub fn with_constants(k: &Key128, opc: &Opc, consts: MilenageConstants) -> Self {
        Self {
            cipher: Aes128Enc::new(k.expose().into()),
            opc: opc.clone(),
            consts,
        }
    }

    /// The OPc in use.
    #[must_use]
    pub fn opc(&self) -> &Opc {
        &self.opc
    }

    fn e(&self, x: [u8; 16]) -> [u8; 16] {
        let mut b = Block::from(x);
        self.cipher.encrypt_block(&mut b);
        b.into()
    }

    /// TEMP ⊕ OPc, the common input of OUT2..OUT5 (TEMP = E_K(RAND ⊕ OPc)).
    fn temp(&self, rand: &[u8; RAND_LEN]) -> [u8; 16] {
        self.e(xor16(rand, self.opc.expose()))
    }

    /// Input block of OUT1 before encryption.
    fn in1_block(&self, temp: &[u8; 16], sqn: &[u8; SQN_LEN], amf: &[u8; AMF_LEN]) -> [u8; 16] {
        let mut in1 = [0u8; 16];
        let (a, b) = in1.split_at_mut(8);
        for half in [a, b] {
            let (s, m) = half.split_at_mut(SQN_LEN);
            s.copy_from_slice(sqn);
            m.copy_from_slice(amf);
        }
        let rotated = rot(&xor16(&in1, self.opc.expose()), self.consts.r[0]);
        xor16(&xor16(temp, &rotated), &self.consts.c[0])
    }

    /// Input block of OUTi (i = 2..=5, given as index 1..=4) before encryption.
    fn outi_block(&self, temp_xor_opc: &[u8; 16], idx: usize) -> [u8; 16] {
        let (r, c) = match (self.consts.r.get(idx), self.consts.c.get(idx)) {
            (Some(r), Some(c)) => (*r, *c),
            _ => (0, [0; 16]),
        };
        xor16(&rot(temp_xor_opc, r), &c)
    }

    fn finish(&self, block: &Block) -> [u8; 16] {
        let arr: [u8; 16] = (*block).into();
        xor16(&arr, self.opc.expose())
    }

    fn out1(&self, rand: &[u8; RAND_LEN], sqn: &[u8; SQN_LEN], amf: &[u8; AMF_LEN]) -> [u8; 16] {
        let temp = self.temp(rand);
        let out = self.e(self.in1_block(&temp, sqn, amf));
        xor16(&out, self.opc.expose())
    }

    fn outi(&self, rand: &[u8; RAND_LEN], idx: usize) -> [u8; 16] {
        let temp = self.temp(rand);
        let t = xor16(&temp, self.opc.expose());
        let out = self.e(self.outi_block(&t, idx));
        xor16(&out, self.opc.expose())
    }

    /// f1: MAC-A.
    #[must_use]
    pub fn f1(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> [u8; MAC_LEN] {
        split8(&self.out1(rand, sqn, amf)).0
    }

    /// f1*: MAC-S. For AUTS pass AMF = `0000` (or use [`Milenage::build_auts`]).
    #[must_use]
    pub fn f1star(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> [u8; MAC_LEN] {
        split8(&self.out1(rand, sqn, amf)).1
    }

    /// f2–f5: RES (64 bits), CK, IK and AK, with one pipelined three-block AES call.
    #[must_use]
    pub fn f2345(&self, rand: &[u8; RAND_LEN]) -> AkaKeys {
        let temp = self.temp(rand);
        let t = xor16(&temp, self.opc.expose());
        let mut blocks = [
            Block::from(self.outi_block(&t, 1)),
            Block::from(self.outi_block(&t, 2)),
            Block::from(self.outi_block(&t, 3)),
        ];
        self.cipher.encrypt_blocks(&mut blocks);
        let out2 = self.finish(&blocks[0]);
        let (_, res) = split8(&out2);
        let keys = AkaKeys {
            res: Res::from_array(&res),
            ck: Ck::new(self.finish(&blocks[1])),
            ik: Ik::new(self.finish(&blocks[2])),
            ak: first6(&out2),
        };
        blocks.zeroize();
        keys
    }

    /// f5*: AK*.
    #[must_use]
    pub fn f5star(&self, rand: &[u8; RAND_LEN]) -> [u8; SQN_LEN] {
        first6(&self.outi(rand, 4))
    }

    /// Runs all of f1, f1*, f2, f3, f4, f5 and f5* for one challenge.
    ///
    /// Two AES calls: TEMP, then OUT1..OUT5 as one five-block call that AES-NI pipelines.
    #[must_use]
    pub fn compute(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> MilenageOutput {
        let temp = self.temp(rand);
        let t = xor16(&temp, self.opc.expose());
        let mut blocks = [
            Block::from(self.in1_block(&temp, sqn, amf)),
            Block::from(self.outi_block(&t, 1)),
            Block::from(self.outi_block(&t, 2)),
            Block::from(self.outi_block(&t, 3)),
            Block::from(self.outi_block(&t, 4)),
        ];
        self.cipher.encrypt_blocks(&mut blocks);
        let (mac_a, mac_s) = split8(&self.finish(&blocks[0]));
        let out2 = self.finish(&blocks[1]);
        let out = MilenageOutput {
            mac_a,
            mac_s,
            res: split8(&out2).1,
            ck: Ck::new(self.finish(&blocks[2])),
            ik: Ik::new(self.finish(&blocks[3])),
            ak: first6(&out2),
            ak_star: first6(&self.finish(&blocks[4])),
        };
        blocks.zeroize();
        out
    }

    /// Network side: AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A, with the run's other outputs.
    #[must_use]
    pub fn build_autn(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> (Autn, MilenageOutput) {
        let out = self.compute(rand, sqn, amf);
        (Autn::build(sqn, &out.ak, amf, &out.mac_a), out)
    }

    /// USIM side: parses AUTN, recovers SQN and checks MAC-A in constant time.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] for a malformed AUTN, [`CryptoError::MacMismatch`]
    /// if MAC-A does not verify.
    pub fn verify_autn(
        &self,
        rand: &[u8; RAND_LEN],
        autn: &[u8],
    ) -> Result<aka::VerifiedChallenge, CryptoError> {
        aka::verify_autn(self, rand, &Autn::parse(autn)?)
    }

    /// USIM side: AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S with MAC-S over AMF = `0000`.
    #[must_use]
    pub fn build_auts(&self, rand: &[u8; RAND_LEN], sqn_ms: &[u8; SQN_LEN]) -> Auts {
        let mac_s = self.f1star(rand, sqn_ms, &aka::AMF_RESYNC);
        Auts {
            sqn_xor_ak_star: aka::xor_arr(sqn_ms, &self.f5star(rand)),
            mac_s,
        }
    }

    /// Network side: recovers SQN_MS from AUTS and verifies MAC-S in constant time.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] for a malformed AUTS, [`CryptoError::MacMismatch`]
    /// if MAC-S does not verify.
    pub fn recover_sqn_ms(
        &self,
        rand: &[u8; RAND_LEN],
        auts: &[u8],
    ) -> Result<[u8; SQN_LEN], CryptoError> {
        aka::recover_sqn_ms(self, rand, &Auts::parse(auts)?)
    }
}

impl AkaAlgorithm for Milenage {
    fn f1(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError> {
        Ok(Milenage::f1(self, rand, sqn, amf))
    }

    fn f1star(
        &self,
        rand: &[u8; RAND_LEN],
        sqn: &[u8; SQN_LEN],
        amf: &[u8; AMF_LEN],
    ) -> Result<[u8; MAC_LEN], CryptoError> {
        Ok(Milenage::f1star(self, rand, sqn, amf))
    }

    fn f2345(&self, rand: &[u8; RAND_LEN]) -> Result<AkaKeys, CryptoError> {
        Ok(Milenage::f2345(self, rand))
    }

    fn f5star(&self, rand: &[u8; RAND_LEN]) -> Result<[u8; SQN_LEN], CryptoError> {
        Ok(Milenage::f5star(self, rand))
    }
}
