//! `vusim calc milenage | tuak | xor`: the arguments of the AKA functions f1–f5*, AUTN, the GSM
//! conversions c2/c3 and the network-side AUTS check (TS 33.102 §6.3, §6.8.1.2), computed by
//! `vusim_network::calc`.

use clap::Args;
use vusim_applet::crypto::tuak::TuakParams;
use vusim_network::calc::inputs::{self as calc, ChallengeText, MilenageText, TuakText};

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
    pub(super) fn text(&self) -> ChallengeText<'_> {
        ChallengeText {
            rand: &self.rand,
            sqn: &self.sqn,
            amf: &self.amf,
            auts: self.auts.as_deref(),
        }
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
    let c = &a.constants;
    Ok(calc::milenage(&MilenageText {
        k: &a.k,
        op: a.op.as_deref(),
        opc: a.opc.as_deref(),
        challenge: a.challenge.text(),
        r: [c.r1, c.r2, c.r3, c.r4, c.r5],
        c: [&c.c1, &c.c2, &c.c3, &c.c4, &c.c5].map(|c| c.as_deref()),
    })?)
}

/// `vusim calc tuak`.
pub(super) fn tuak(a: &TuakArgs) -> anyhow::Result<Report> {
    Ok(calc::tuak(&TuakText {
        k: &a.k,
        top: a.top.as_deref(),
        topc: a.topc.as_deref(),
        challenge: a.challenge.text(),
        params: TuakParams {
            mac_bits: a.mac_len,
            res_bits: a.res_len,
            ck_bits: a.ck_len,
            ik_bits: a.ik_len,
            iterations: a.iterations,
        },
    })?)
}
