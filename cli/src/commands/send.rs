//! `vusim send`: power the card once and exchange the given APDUs in order, printing each
//! response with its meaning.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use serde_json::{json, Value};
use std::fmt::Write as _;

use vusim_apdu::annotate::Annotator;
use vusim_apdu::hexstr::{parse_hex, push_hex};
use vusim_apdu::{Command, Response};
use vusim_applet::card::Transport;
use vusim_applet::store::DurableCard;

use crate::out::Out;
use crate::outln;

/// Arguments of `vusim send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The card: file, hold, transport.
    #[command(flatten)]
    pub session: CardSession,
    /// One JSON object per exchange (`command`, `description`, `data`, `sw`, `meaning`).
    #[arg(long)]
    pub json: bool,
    /// Command APDUs in hex (spaces and colons inside an argument are ignored).
    #[arg(required = true, value_name = "APDU_HEX")]
    pub apdus: Vec<String>,
}

/// The card a session runs on (`send`, `run`, `shell`): a card file or the embedded card, how
/// long to wait for its holder, and the transport.
#[derive(Debug, Args)]
pub struct CardSession {
    /// Card file: a profile that also keeps the card's state (PIN counters, SQNs, EF contents),
    /// saved before each response that depends on a change. Without it the embedded default
    /// card is used, in memory.
    #[arg(long, value_name = "FILE")]
    pub card: Option<PathBuf>,
    /// How long to wait for a card file another process holds.
    #[command(flatten)]
    pub wait: super::WaitArg,
    /// Behave as a card on T=0: case-4 data comes as `61xx` (send GET RESPONSE `00C00000xx`),
    /// a wrong Le as `6Cxx`.
    #[arg(long)]
    pub t0: bool,
}

impl CardSession {
    /// Hold and open the card, choose the transport and power it on: the card and its ATR.
    pub(crate) fn open(&self) -> anyhow::Result<(DurableCard, Vec<u8>)> {
        let mut durable = super::open_card_file(self.card.as_deref(), self.wait)?;
        if self.t0 {
            durable.card_mut().set_transport(Transport::T0);
        }
        let atr = durable.card_mut().power_on();
        Ok((durable, atr))
    }
}

/// Decode the command APDU arguments; errors name the argument.
pub(crate) fn apdu_args(texts: &[String]) -> anyhow::Result<Vec<Vec<u8>>> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let bytes = parse_hex(text).with_context(|| format!("argument {} ({text:?})", i + 1))?;
            if bytes.len() < 4 {
                bail!(
                    "argument {} ({text:?}): {} byte(s) is not a command APDU (CLA INS P1 P2 at least)",
                    i + 1,
                    bytes.len()
                );
            }
            Ok(bytes)
        })
        .collect()
}

/// The text of one exchange, appended to `text`: command and description, response and its
/// annotation, one line each; files named in the session's DF context.
pub(crate) fn write_exchange(
    ann: &mut Annotator<'_>,
    text: &mut String,
    command: &[u8],
    response: &[u8],
) {
    text.push_str("> ");
    push_hex(text, command);
    text.push('\n');
    let ins = match Command::parse(command) {
        Ok(cmd) => {
            let _ = writeln!(text, "  {}", ann.describe_command(&cmd));
            Some(cmd.ins())
        }
        Err(e) => {
            let _ = writeln!(text, "  malformed command APDU: {e}");
            None
        }
    };
    text.push_str("< ");
    push_hex(text, response);
    text.push('\n');
    match Response::parse(response) {
        Ok(resp) => ann.write_response(text, "  ", &resp, ins),
        Err(e) => {
            let _ = writeln!(text, "  {e}");
        }
    }
}

/// Print one exchange as text lines or one JSON object.
pub(crate) fn print_exchange(
    out: &mut Out,
    ann: &mut Annotator<'_>,
    json: bool,
    command: &[u8],
    response: &[u8],
) {
    if json {
        outln!(
            out,
            "{}",
            Value::Object(exchange_json(ann, command, response))
        );
    } else {
        out.text(|t| write_exchange(ann, t, command, response));
    }
    out.end_of_exchange();
}

/// The JSON fields of one exchange.
pub(crate) fn exchange_json(
    ann: &mut Annotator<'_>,
    command: &[u8],
    response: &[u8],
) -> serde_json::Map<String, Value> {
    let parsed = Command::parse(command);
    let description = match &parsed {
        Ok(cmd) => ann.describe_command(cmd),
        Err(e) => format!("malformed command APDU: {e}"),
    };
    let ins = parsed.ok().map(|c| c.ins());
    let mut m = serde_json::Map::new();
    m.insert("command".into(), json!(hex::encode_upper(command)));
    m.insert("description".into(), json!(description));
    match Response::parse(response) {
        Ok(resp) => {
            ann.observe_status(resp.sw);
            let meaning = match ins {
                Some(i) => resp.sw.meaning_for(i),
                None => resp.sw.meaning(),
            };
            m.insert("data".into(), json!(hex::encode_upper(&resp.data)));
            m.insert("sw".into(), json!(resp.sw.to_string()));
            m.insert("meaning".into(), json!(meaning));
        }
        Err(e) => {
            m.insert("data".into(), json!(hex::encode_upper(response)));
            m.insert("sw".into(), Value::Null);
            m.insert("meaning".into(), json!(e.to_string()));
        }
    }
    m
}

/// Run `vusim send`.
pub fn run(args: &SendArgs) -> anyhow::Result<ExitCode> {
    let apdus = apdu_args(&args.apdus)?;
    let (mut card, _atr) = args.session.open()?;
    let mut out = Out::new();
    let mut ann = Annotator::new(super::run::card_names(&card));
    for apdu in &apdus {
        // A failed save ends the session here: `out` is flushed as it drops, so every response
        // printed so far still reaches standard output.
        let response = card.transmit(apdu)?;
        print_exchange(&mut out, &mut ann, args.json, apdu, &response);
    }
    out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
