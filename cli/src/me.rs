//! The ME side of the end-to-end flows: talks to a [`DurableCard`] through APDUs only, with an optional annotated trace.

use anyhow::{bail, Context};
use vusim_apdu::annotate::Annotator;
use vusim_apdu::{Command, Response, StatusWord};
use vusim_applet::fs::names::TABLE_NAMES;
use vusim_applet::store::DurableCard;

/// A terminal driving a card.
pub struct Me {
    /// The card.
    pub card: DurableCard,
    /// Print each APDU annotated to stderr.
    pub trace: bool,
    /// Names files in the DF context of the session.
    ann: Annotator<'static>,
}

impl Me {
    /// A terminal for `card`, tracing to stderr when `trace`.
    pub fn new(card: DurableCard, trace: bool) -> Me {
        Me {
            card,
            trace,
            ann: Annotator::new(&TABLE_NAMES),
        }
    }

    /// Exchange one APDU (saving card state before the response is used).
    pub fn send(&mut self, apdu: &[u8]) -> anyhow::Result<Response> {
        let raw = self.card.transmit(apdu)?;
        let resp = Response::parse(&raw).context("card answered without a status word")?;
        if self.trace {
            let cmd = Command::parse(apdu).ok();
            let what = cmd
                .as_ref()
                .map_or_else(|| "malformed".to_string(), |c| self.ann.describe_command(c));
            eprintln!("> {}  {what}", hex::encode_upper(apdu));
            for (i, l) in self
                .ann
                .describe_response(&resp, cmd.as_ref().map(Command::ins))
                .into_iter()
                .enumerate()
            {
                if i == 0 {
                    eprintln!("< {}", l);
                } else {
                    eprintln!("  {l}");
                }
            }
        }
        Ok(resp)
    }

    /// Exchange and require `9000`.
    pub fn ok(&mut self, apdu: &[u8], what: &str) -> anyhow::Result<Vec<u8>> {
        let r = self.send(apdu)?;
        if r.sw != StatusWord::SUCCESS {
            bail!("{what}: card answered {} {}", r.sw, r.sw.meaning());
        }
        Ok(r.data)
    }

    /// Power up, select the USIM and present PIN1 when it is enabled.
    pub fn start_usim(&mut self) -> anyhow::Result<()> {
        self.card.card_mut().reset();
        let aid = match &self.card.profile().usim.aid {
            Some(h) => hex::decode(h)?,
            None => vusim_applet::usim::USIM_AID.to_vec(),
        };
        let sel = Command::build(0x00, 0xA4, 0x04, 0x0C, &aid, None)?;
        self.ok(&sel.encode(), "SELECT ADF.USIM")?;
        let query = self.send(&[0x00, 0x20, 0x00, 0x01])?;
        if query.sw != StatusWord::SUCCESS {
            let pin = self
                .card
                .profile()
                .pins
                .pin1
                .clone()
                .unwrap_or_else(|| "1234".to_string());
            let block =
                vusim_applet::card::security::pad_pin(pin.as_bytes()).context("PIN1 too long")?;
            let v = Command::build(0x00, 0x20, 0x00, 0x01, &block, None)?;
            self.ok(&v.encode(), "VERIFY PIN1")?;
        }
        Ok(())
    }

    /// SELECT an EF of the USIM by FID (no data returned).
    pub fn select_ef(&mut self, fid: u16) -> anyhow::Result<()> {
        let sel = Command::build(0x00, 0xA4, 0x00, 0x0C, &fid.to_be_bytes(), None)?;
        self.ok(&sel.encode(), &format!("SELECT {fid:04X}"))?;
        Ok(())
    }
}

/// The IMSI digits of the card's profile (default card's IMSI if absent).
pub fn imsi(card: &DurableCard) -> String {
    card.profile()
        .usim
        .imsi
        .clone()
        .unwrap_or_else(|| "001010123456789".to_string())
}
