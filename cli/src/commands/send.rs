//! `vusim send`: power the card once and exchange the given APDUs in order, printing each
//! response with its meaning.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use vusim_apdu::hexstr::parse_hex;
use vusim_applet::card::Transport;
use vusim_applet::store::DurableCard;

use super::run::Printer;

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

/// Run `vusim send`.
pub fn run(args: &SendArgs) -> anyhow::Result<ExitCode> {
    let apdus = apdu_args(&args.apdus)?;
    let (mut card, _atr) = args.session.open()?;
    let mut printer = Printer::named(args.json, super::run::card_names(&card));
    for apdu in &apdus {
        // A failed save ends the session here: the output is flushed as it drops, so every
        // response printed so far still reaches standard output.
        let response = card.transmit(apdu)?;
        printer.print(|log, t| log.exchange(t, apdu, &response));
    }
    printer.out.finish().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
