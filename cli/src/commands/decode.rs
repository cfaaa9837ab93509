//! `vusim decode`: annotate command APDUs, response APDUs and status words with the codec
//! (`vusim_apdu::annotate`: `reading` tells them apart) or EF contents (`fs::decode`).

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use serde_json::json;
use vusim_apdu::annotate::reading::{DecodeLog, Reading};
use vusim_apdu::annotate::Annotator;
use vusim_apdu::hexstr::parse_hex;
use vusim_applet::fs::names::TABLE_NAMES;

use crate::out::Out;
use crate::outln;

/// Arguments of `vusim decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Hex strings, one APDU each (spaces and colons inside an argument are ignored). Two bytes
    /// are a status word; a well-formed command APDU is a command; anything else a response. A
    /// response or status word after a command is read as that command's answer.
    #[arg(required = true, value_name = "HEX")]
    pub hex: Vec<String>,
    /// Read every argument as a response APDU (data ‖ SW1 SW2).
    #[arg(short, long, conflicts_with = "command")]
    pub response: bool,
    /// Read every argument as a command APDU.
    #[arg(short, long)]
    pub command: bool,
    /// Read every argument as the contents of this EF (`EF.IMSI`, `EF.UST`, `EF.LOCI`, `EF.GBABP` …)
    /// and decode its fields.
    #[arg(long, value_name = "EF", conflicts_with_all = ["response", "command"])]
    pub ef: Option<String>,
    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Run `vusim decode`.
pub fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let mut out = Out::new();
    let mut decoded = DecodeLog::new(args.json, Annotator::new(&TABLE_NAMES));
    let how = if args.response {
        Reading::Response
    } else if args.command {
        Reading::Command
    } else {
        Reading::Guess
    };
    for (i, text) in args.hex.iter().enumerate() {
        let bytes = parse_hex(text).with_context(|| format!("argument {} ({text:?})", i + 1))?;
        let upper = hex::encode_upper(&bytes);
        if let Some(ef) = &args.ef {
            let lines = vusim_applet::fs::decode::decode_ef(ef, &bytes)
                .with_context(|| format!("no decoder for {ef:?} (known: EF.IMSI, ICCID, AD, UST, EST, IST, FPLMN, EHPLMN, PLMNwAcT, OPLMNwAcT, HPLMNwAcT, LOCI, SPN, MSISDN, GBABP, GBANL, IMPI, DOMAIN, IMPU, DIR, LI, PL, ACC, ECC, Routing_Indicator)"))?;
            if args.json {
                outln!(
                    out,
                    "{}",
                    json!({"type": "ef", "ef": ef, "contents": upper, "decoded": lines})
                );
            } else {
                outln!(out, "{ef} {upper}");
                for l in lines {
                    outln!(out, "  {l}");
                }
            }
            continue;
        }
        if bytes.len() < 2 {
            bail!(
                "argument {} ({text:?}): {} byte(s) is neither a command APDU nor a status word",
                i + 1,
                bytes.len()
            );
        }
        let log = &mut decoded;
        let mut result = Ok(());
        out.text(|t| result = log.item(t, &bytes, how));
        result?;
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
