//! `vusim decode`: annotate command APDUs, response APDUs and status words with the codec
//! (`vusim_apdu::annotate`: `reading` tells them apart) or EF contents (`fs::decode`).

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use serde_json::json;
use vusim_apdu::annotate::reading::{fields, read, Read, Reading};
use vusim_apdu::annotate::Annotator;
use vusim_apdu::hexstr::parse_hex;
use vusim_apdu::StatusWord;
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
    let mut last_ins: Option<u8> = None;
    let mut ann = Annotator::new(&TABLE_NAMES);
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
        match read(&bytes, how)? {
            Read::Command(cmd) => {
                let description = ann.describe_command(&cmd);
                if args.json {
                    let v = json!({
                        "type": "command", "apdu": upper, "cla": format!("{}", cmd.cla()),
                        "ins": format!("{:02X}", cmd.ins()), "p1": format!("{:02X}", cmd.p1()),
                        "p2": format!("{:02X}", cmd.p2()), "data": hex::encode_upper(cmd.data()),
                        "le": cmd.le(), "case": cmd.case().label(), "channel": cmd.channel(),
                        "description": description,
                    });
                    outln!(out, "{v}");
                } else {
                    outln!(out, "> {upper}");
                    outln!(out, "  {description}");
                    outln!(out, "  {}", fields(&cmd));
                }
                last_ins = Some(cmd.ins());
            }
            Read::Malformed(e) => {
                let sw: StatusWord = e.status_word();
                if args.json {
                    let v = json!({"type": "malformed", "apdu": upper, "error": e.to_string(),
                                   "sw": sw.to_string(), "meaning": sw.meaning()});
                    outln!(out, "{v}");
                } else {
                    outln!(out, "> {upper}");
                    outln!(out, "  malformed command APDU: {e}");
                    outln!(out, "  a UICC answers {sw} {}", sw.meaning());
                }
                last_ins = None;
            }
            Read::Response(resp) => {
                let lines = ann.describe_response(&resp, last_ins);
                if args.json {
                    let meaning = match last_ins {
                        Some(ins) => resp.sw.meaning_for(ins),
                        None => resp.sw.meaning(),
                    };
                    let v = json!({"type": "response", "data": hex::encode_upper(&resp.data),
                                   "sw": resp.sw.to_string(), "meaning": meaning});
                    outln!(out, "{v}");
                } else {
                    outln!(out, "< {upper}");
                    for l in lines {
                        outln!(out, "  {l}");
                    }
                }
                last_ins = None;
            }
        }
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
