//! `vusim calc`: the network-side calculator a card is checked against.
//!
//! Every computation is the `vusim_applet::crypto` implementation; this module only parses
//! hex, checks lengths (naming the argument), and prints the results. Hex input may be upper
//! or lower case (spaces, tabs, `:` and `-` between digits are ignored); hex output is lower
//! case. Text output is `name: value` lines in a fixed order; `--json` prints one JSON object
//! with the same names as keys, in the same order.
//!
//! Exit codes: 0 computed, 1 a verification ran and failed (AUTS MAC-S, SUCI MAC tag),
//! 2 an error in the input.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use vusim_network::calc::inputs as net;
use vusim_network::calc::suci as net_suci;

mod aka;
mod akma;
mod fiveg;
mod gba;
mod kdf;
mod seed;
mod suci;

/// Arguments of `vusim calc`.
#[derive(Debug, Args)]
pub struct CalcArgs {
    /// What to compute.
    #[command(subcommand)]
    pub what: CalcCommand,
    /// Print one JSON object (keys = the spec names in snake_case) instead of `name: value` lines.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The calculators.
#[derive(Debug, Subcommand)]
pub enum CalcCommand {
    /// MILENAGE f1–f5* (TS 35.206), AUTN, SRES/Kc (c2/c3), optional AUTS check.
    Milenage(aka::MilenageArgs),
    /// TUAK f1–f5* (TS 35.231), AUTN, SRES/Kc (c2/c3), optional AUTS check.
    Tuak(aka::TuakArgs),
    /// XOR test algorithm (TS 34.108 §8.1.2), AUTN, SRES/Kc (c2/c3), optional AUTS check.
    Xor(aka::XorArgs),
    /// GBA: Ks, B-TID, NAF_Id, Ks_ext_NAF, Ks_int_NAF (TS 33.220 Annex B.3).
    Gba(gba::GbaArgs),
    /// GBA_U AUTN*: MAC* = MAC ⊕ first 64 bits of SHA-1(IK) (TS 33.220 §5.3.2).
    GbaAutn(gba::GbaAutnArgs),
    /// 5G AKA keys (TS 33.501 Annex A) or the EAP-AKA' key schedule (RFC 9048).
    #[command(name = "5g")]
    FiveG(fiveg::FiveGArgs),
    /// AKMA: K_AKMA, A-TID, A-KID, K_AF (TS 33.535 Annex A).
    Akma(akma::AkmaArgs),
    /// Conceal a SUPI into a SUCI (TS 33.501 Annex C; TS 23.003 §28.7).
    Suci(suci::SuciArgs),
    /// Deconceal a SUCI scheme output with the home network private key (SIDF).
    SuciDeconceal(suci::DeconcealArgs),
    /// The generic KDF HMAC-SHA-256(Key, FC ‖ P0 ‖ L0 ‖ …) (TS 33.220 Annex B.2).
    Kdf(kdf::KdfArgs),
    /// IoT end-to-end seed keys (TR 33.863 solution #11, project FC values FF E0–FF E3).
    Iot(seed::IotArgs),
    /// Third-party combined key e2e_key = KDF(Ks_NAF, FF E4, Ka).
    E2e(seed::E2eArgs),
}

/// Run `vusim calc`.
pub fn run(args: &CalcArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.what {
        CalcCommand::Milenage(a) => aka::milenage(a)?,
        CalcCommand::Tuak(a) => aka::tuak(a)?,
        CalcCommand::Xor(a) => net::xor(&a.k, a.res_len, &a.challenge.text())?,
        CalcCommand::Gba(a) => gba::gba(a)?,
        CalcCommand::GbaAutn(a) => net::gba_autn(&a.ik, &a.autn)?,
        CalcCommand::FiveG(a) => fiveg::fiveg(a)?,
        CalcCommand::Akma(a) => akma::akma(a)?,
        CalcCommand::Suci(a) => suci::suci(a)?,
        CalcCommand::SuciDeconceal(a) => {
            net_suci::deconceal(a.profile, &a.hn_priv, &a.scheme_output)?
        }
        CalcCommand::Kdf(a) => net::kdf(&a.key, &a.fc, &a.param, &a.param_str)?,
        CalcCommand::Iot(a) => net::iot(&a.ck, &a.ik, &a.as_id, &a.rand_as, a.guti.as_deref())?,
        CalcCommand::E2e(a) => net::e2e(&a.ks_naf, &a.ka)?,
    };
    Ok(crate::report::finish(&report, args.json))
}

/// The named results of one calculation, in output order (the one report type).
pub(crate) use vusim_network::Report;
