//! `vusim calc milenage | tuak | xor`: the AKA functions f1–f5*, AUTN, the GSM conversions
//! c2/c3 and the network-side AUTS check (TS 33.102 §6.3, §6.8.1.2).

use anyhow::anyhow;
use clap::Args;
use vusim_apdu::hexstr::{hex_fixed, hex_one_of};
use vusim_applet::crypto::aka::{Auts, AUTS_LEN};
use vusim_applet::crypto::keys::{Key128, Op, Opc, Top, Topc};
use vusim_applet::crypto::milenage::{compute_opc, MilenageConstants};
use vusim_applet::crypto::tuak::{Tuak, TuakKey, TuakParams};
use vusim_applet::crypto::xor::Xor3g;
use vusim_applet::crypto::CryptoError;
use vusim_network::calc;

use super::Report;

/// RAND, SQN, AMF and an optional AUTS, shared by the three algorithms.
#[derive(Debug, Args)]
pub struct Challenge {
    /// RAND (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub rand: String,
    /// SQN (6 bytes).
    #[arg(long, value_name = "HEX")]
    pub sqn: String,
    /// AMF (2 bytes).
    #[arg(long, value_name = "HEX")]
    pub amf: String,
    /// AUTS (14 bytes) from a synchronisation failure: adds sqn_ms and auts_mac_ok
    /// (MAC-S over AMF 0000, TS 33.102 §6.3.5); exits 1 when MAC-S does not verify.
    #[arg(long, value_name = "HEX")]
    pub auts: Option<String>,
}

impl Challenge {
    fn parse(&self) -> anyhow::Result<calc::Challenge> {
        Ok(calc::Challenge {
            rand: hex_fixed("--rand", &self.rand)?,
            sqn: hex_fixed("--sqn", &self.sqn)?,
            amf: hex_fixed("--amf", &self.amf)?,
            auts: self
                .auts
                .as_deref()
                .map(|t| hex_fixed::<AUTS_LEN>("--auts", t).map(|b| Auts::from_bytes(&b)))
                .transpose()?,
        })
    }
}

/// Arguments of `vusim calc milenage`.
#[derive(Debug, Args)]
pub struct MilenageArgs {
    /// Subscriber key K (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub k: String,
    /// Operator variant OP (16 bytes); OPc = OP ⊕ E_K(OP) is derived and printed.
    #[arg(
        long,
        value_name = "HEX",
        required_unless_present = "opc",
        conflicts_with = "opc"
    )]
    pub op: Option<String>,
    /// OPc (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub opc: Option<String>,
    #[command(flatten)]
    pub challenge: Challenge,
    /// Operator constants: rotations r1..r5 in bits (0–127) and 16-byte constants c1..c5.
    #[command(flatten)]
    pub constants: ConstantArgs,
}

/// MILENAGE r1–r5 / c1–c5 (TS 35.206 §4.1); unset ones keep the specification's values.
#[derive(Debug, Args)]
pub struct ConstantArgs {
    /// r1 (default 64).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..128))]
    pub r1: Option<u32>,
    /// r2 (default 0).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..128))]
    pub r2: Option<u32>,
    /// r3 (default 32).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..128))]
    pub r3: Option<u32>,
    /// r4 (default 64).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..128))]
    pub r4: Option<u32>,
    /// r5 (default 96).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..128))]
    pub r5: Option<u32>,
    /// c1, 16 bytes (default 00…00).
    #[arg(long, value_name = "HEX")]
    pub c1: Option<String>,
    /// c2, 16 bytes (default 00…01).
    #[arg(long, value_name = "HEX")]
    pub c2: Option<String>,
    /// c3, 16 bytes (default 00…02).
    #[arg(long, value_name = "HEX")]
    pub c3: Option<String>,
    /// c4, 16 bytes (default 00…04).
    #[arg(long, value_name = "HEX")]
    pub c4: Option<String>,
    /// c5, 16 bytes (default 00…08).
    #[arg(long, value_name = "HEX")]
    pub c5: Option<String>,
}

impl ConstantArgs {
    fn constants(&self) -> anyhow::Result<MilenageConstants> {
        let mut consts = MilenageConstants::default();
        for (slot, r) in consts
            .r
            .iter_mut()
            .zip([self.r1, self.r2, self.r3, self.r4, self.r5])
        {
            if let Some(r) = r {
                *slot = r;
            }
        }
        let cs = [&self.c1, &self.c2, &self.c3, &self.c4, &self.c5];
        let names = ["--c1", "--c2", "--c3", "--c4", "--c5"];
        for ((slot, c), name) in consts.c.iter_mut().zip(cs).zip(names) {
            if let Some(text) = c {
                *slot = hex_fixed(name, text)?;
            }
        }
        Ok(consts)
    }
}

/// Arguments of `vusim calc tuak`.
#[derive(Debug, Args)]
pub struct TuakArgs {
    /// Subscriber key K (16 or 32 bytes).
    #[arg(long, value_name = "HEX")]
    pub k: String,
    /// Operator variant TOP (32 bytes); TOPc is derived and printed.
    #[arg(
        long,
        value_name = "HEX",
        required_unless_present = "topc",
        conflicts_with = "topc"
    )]
    pub top: Option<String>,
    /// TOPc (32 bytes).
    #[arg(long, value_name = "HEX")]
    pub topc: Option<String>,
    #[command(flatten)]
    pub challenge: Challenge,
    /// RES length in bits: 32, 64, 128 or 256 (SRES needs at most 128).
    #[arg(long, value_name = "BITS", default_value_t = 64)]
    pub res_len: u16,
    /// MAC-A / MAC-S length in bits: 64, 128 or 256 (AUTN and AUTS need 64).
    #[arg(long, value_name = "BITS", default_value_t = 64)]
    pub mac_len: u16,
    /// CK length in bits: 128 or 256 (Kc needs 128).
    #[arg(long, value_name = "BITS", default_value_t = 128)]
    pub ck_len: u16,
    /// IK length in bits: 128 or 256 (Kc needs 128).
    #[arg(long, value_name = "BITS", default_value_t = 128)]
    pub ik_len: u16,
    /// Number of Keccak-f\[1600\] iterations.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub iterations: u32,
}

/// Arguments of `vusim calc xor`.
#[derive(Debug, Args)]
pub struct XorArgs {
    /// Subscriber key K (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub k: String,
    #[command(flatten)]
    pub challenge: Challenge,
    /// RES length in bytes, 4 to 16.
    #[arg(long, value_name = "BYTES", default_value_t = 16)]
    pub res_len: usize,
}

/// `vusim calc milenage`.
pub(super) fn milenage(a: &MilenageArgs) -> anyhow::Result<Report> {
    let k = Key128::new(hex_fixed("--k", &a.k)?);
    let opc = match (&a.op, &a.opc) {
        (Some(op), _) => compute_opc(&k, &Op::new(hex_fixed("--op", op)?)),
        (None, Some(opc)) => Opc::new(hex_fixed("--opc", opc)?),
        (None, None) => return Err(anyhow!("one of --op or --opc is required")),
    };
    let p = a.challenge.parse()?;
    Ok(calc::milenage(&k, &opc, a.constants.constants()?, &p)?)
}

/// `vusim calc tuak`.
pub(super) fn tuak(a: &TuakArgs) -> anyhow::Result<Report> {
    let k = TuakKey::from_slice(&hex_one_of("--k", &a.k, &[16, 32])?)?;
    let params = TuakParams {
        mac_bits: a.mac_len,
        res_bits: a.res_len,
        ck_bits: a.ck_len,
        ik_bits: a.ik_len,
        iterations: a.iterations,
    };
    params.validate().map_err(|e| match e {
        CryptoError::UnsupportedLength { what, allowed, got } => {
            let arg = match what {
                "TUAK MAC bits" => "--mac-len",
                "TUAK RES bits" => "--res-len",
                "TUAK CK bits" => "--ck-len",
                "TUAK IK bits" => "--ik-len",
                _ => "--iterations",
            };
            anyhow!("{arg}: expected {allowed}, got {got}")
        }
        other => other.into(),
    })?;
    let t = match (&a.top, &a.topc) {
        (Some(top), _) => Tuak::from_top(k, &Top::new(hex_fixed("--top", top)?), params)?,
        (None, Some(topc)) => Tuak::new(k, Topc::new(hex_fixed("--topc", topc)?), params)?,
        (None, None) => return Err(anyhow!("one of --top or --topc is required")),
    };
    let p = a.challenge.parse()?;
    if p.auts.is_some() && a.mac_len != 64 {
        return Err(anyhow!(
            "--auts: AUTS carries a 64-bit MAC-S, but --mac-len is {}",
            a.mac_len
        ));
    }
    Ok(calc::tuak(&t, &p)?)
}

/// `vusim calc xor`.
pub(super) fn xor(a: &XorArgs) -> anyhow::Result<Report> {
    let k = Key128::new(hex_fixed("--k", &a.k)?);
    let x = Xor3g::with_res_len(&k, a.res_len)
        .map_err(|_| anyhow!("--res-len: expected 4 to 16 bytes, got {}", a.res_len))?;
    let p = a.challenge.parse()?;
    Ok(calc::xor(&x, &p)?)
}
