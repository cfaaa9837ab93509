//! The ME (terminal) side of every procedure: drives a card through APDUs only, over any script
//! [`Transport`] (in-process card, vpcd slot, PC/SC reader). Command coding per ETSI TS 102 221
//! §11 (SELECT, VERIFY PIN, UPDATE BINARY, MANAGE CHANNEL) and TS 31.102 §7.1 (AUTHENTICATE).

use vusim_apdu::annotate::{Annotator, FileNames};
use vusim_apdu::script::Transport;
use vusim_apdu::{Class, Command, Response, StatusWord};

use crate::diagram::{Diagram, Msg, Party};
use crate::error::{NetworkError, Result};

/// Sees every exchange (command APDU, parsed response, whether its data field is a secret the
/// observer must not show), e.g. to print an annotated trace.
pub type Observer = Box<dyn FnMut(&[u8], &Response, Shown)>;

/// What an observer may show of an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Everything.
    All,
    /// Not the command's data field: it carries keys (K_AUSF and K_SEAF written to
    /// EF_5GAUTHKEYS); the observer names what is withheld.
    WithoutData(&'static str),
}

/// A terminal driving a card.
pub struct Me<T: Transport> {
    link: T,
    observer: Option<Observer>,
    diagram: Diagram,
}

impl<T: Transport> Me<T> {
    /// A terminal on this card link.
    pub fn new(link: T) -> Me<T> {
        Me {
            link,
            observer: None,
            diagram: Diagram::default(),
        }
    }

    /// Let `observer` see every exchange.
    pub fn with_observer(mut self, observer: Observer) -> Me<T> {
        self.observer = Some(observer);
        self
    }

    /// A terminal whose every exchange goes annotated to `sink`, a line at a time (`vusim
    /// … --trace`): `> APDU  description`, then `< status` and the decoded answer, files named
    /// from `names` in the session's DF context. A withheld data field ([`Shown::WithoutData`])
    /// shows only the command header, what it carries and its length.
    pub fn traced(
        link: T,
        names: &'static dyn FileNames,
        mut sink: impl FnMut(&str) + 'static,
    ) -> Me<T> {
        let mut ann = Annotator::new(names);
        Me::new(link).with_observer(Box::new(
            move |apdu: &[u8], resp: &Response, shown: Shown| {
                let cmd = Command::parse(apdu).ok();
                let what = cmd
                    .as_ref()
                    .map_or_else(|| "malformed".to_string(), |c| ann.describe_command(c));
                sink(&match (shown, cmd.as_ref()) {
                    (Shown::WithoutData(keys), Some(c)) => format!(
                        "> {}…  {what}; data withheld: {keys} ({} bytes)",
                        hex::encode_upper(apdu.get(..5).unwrap_or(apdu)),
                        c.data().len()
                    ),
                    _ => format!("> {}  {what}", hex::encode_upper(apdu)),
                });
                let lines = ann.describe_response(resp, cmd.as_ref().map(Command::ins));
                for (i, l) in lines.iter().enumerate() {
                    sink(&format!("{} {l}", if i == 0 { "<" } else { " " }));
                }
            },
        ))
    }

    /// The card link.
    pub fn link(&self) -> &T {
        &self.link
    }

    /// The card link, mutably.
    pub fn link_mut(&mut self) -> &mut T {
        &mut self.link
    }

    /// The sequence diagram of the run so far: the ME's own exchanges are recorded here, and
    /// the flows record their network messages beside them.
    pub fn diagram(&mut self) -> &mut Diagram {
        &mut self.diagram
    }

    /// Take the recorded diagram, leaving an empty one.
    pub fn take_diagram(&mut self) -> Diagram {
        std::mem::take(&mut self.diagram)
    }

    /// Exchange one APDU, recording it on the diagram as `msg` from the ME to the UICC (the
    /// caller records the answer once it has read it).
    pub fn send_as(&mut self, apdu: &[u8], msg: Msg) -> Result<Response> {
        self.diagram.send(Party::Me, Party::Uicc, msg);
        self.send(apdu)
    }

    /// Exchange one APDU recorded as `msg`, record the answer as `answer` with its status word,
    /// and require `9000`; the response data.
    pub fn ok_as(&mut self, apdu: &[u8], msg: Msg, answer: Msg) -> Result<Vec<u8>> {
        self.ok_shown(apdu, msg, answer, Shown::All)
    }

    /// [`Me::ok_as`], telling observers what they may show of the exchange.
    fn ok_shown(&mut self, apdu: &[u8], msg: Msg, answer: Msg, shown: Shown) -> Result<Vec<u8>> {
        let what = msg.label();
        self.diagram.send(Party::Me, Party::Uicc, msg);
        let r = self.exchange(apdu, shown)?;
        self.diagram.card_answer(Party::Me, answer, r.sw);
        if r.sw != StatusWord::SUCCESS {
            return Err(NetworkError::Refused {
                what,
                sw: r.sw,
                meaning: r.sw.meaning(),
            });
        }
        Ok(r.data)
    }

    /// Give the card link back.
    pub fn into_link(self) -> T {
        self.link
    }

    /// Exchange one APDU.
    pub fn send(&mut self, apdu: &[u8]) -> Result<Response> {
        self.exchange(apdu, Shown::All)
    }

    fn exchange(&mut self, apdu: &[u8], shown: Shown) -> Result<Response> {
        let raw = self
            .link
            .transmit(apdu)
            .map_err(|e| NetworkError::Link(Box::new(e)))?;
        let resp = Response::parse(&raw).map_err(NetworkError::NoStatusWord)?;
        if let Some(o) = self.observer.as_mut() {
            o(apdu, &resp, shown);
        }
        Ok(resp)
    }

    /// Exchange and require `9000`; the response data.
    pub fn ok(&mut self, apdu: &[u8], what: &str) -> Result<Vec<u8>> {
        let r = self.send(apdu)?;
        if r.sw != StatusWord::SUCCESS {
            return Err(NetworkError::Refused {
                what: what.to_string(),
                sw: r.sw,
                meaning: r.sw.meaning(),
            });
        }
        Ok(r.data)
    }

    /// Warm reset.
    pub fn reset(&mut self) -> Result<Vec<u8>> {
        self.link
            .reset()
            .map_err(|e| NetworkError::Link(Box::new(e)))
    }

    /// Power up, select the USIM by `aid` and present `pin1` when PIN1 is enabled (VERIFY with
    /// no data answers other than `9000`, TS 102 221 §11.1.9).
    pub fn start_usim(&mut self, aid: &[u8], pin1: &str) -> Result<()> {
        self.reset()?;
        let sel = Command::build(0x00, 0xA4, 0x04, 0x0C, aid, None)?;
        self.ok_as(&sel.encode(), Msg::new("SELECT ADF.USIM"), Msg::new(""))?;
        let query = self.send_as(&[0x00, 0x20, 0x00, 0x01], Msg::new("VERIFY PIN1 (status)"))?;
        // A status query: 63Cx (retries left) is an answer, not a failure.
        self.diagram
            .reply(Party::Uicc, Party::Me, Msg::new("").sw(query.sw));
        if query.sw != StatusWord::SUCCESS {
            let block = vusim_applet::card::security::pad_pin(pin1.as_bytes())
                .ok_or_else(|| NetworkError::input("PIN1 too long"))?;
            let v = Command::build(0x00, 0x20, 0x00, 0x01, &block, None)?;
            self.ok_as(&v.encode(), Msg::new("VERIFY PIN1"), Msg::new(""))?;
        }
        Ok(())
    }

    /// SELECT a file by FID (no data returned); `name` is the file table's name.
    pub fn select_ef(&mut self, fid: u16, name: &'static str) -> Result<()> {
        let sel = Command::build(0x00, 0xA4, 0x00, 0x0C, &fid.to_be_bytes(), None)?;
        self.ok_as(&sel.encode(), Msg::new("SELECT").p(name), Msg::new(""))?;
        Ok(())
    }

    /// UPDATE BINARY of the selected EF from offset 0, recorded as `msg` (the EF and the names
    /// of what it writes).
    pub fn update_binary(&mut self, data: &[u8], msg: Msg) -> Result<()> {
        let upd = Command::build(0x00, 0xD6, 0x00, 0x00, data, None)?;
        self.ok_as(&upd.encode(), msg, Msg::new(""))?;
        Ok(())
    }

    /// UPDATE BINARY of keys (`what` names them): as [`Me::update_binary`], but observers are
    /// told not to show the data field (a trace names what it withholds).
    pub fn update_binary_secret(
        &mut self,
        data: &[u8],
        msg: Msg,
        what: &'static str,
    ) -> Result<()> {
        let upd = Command::build(0x00, 0xD6, 0x00, 0x00, data, None)?;
        self.ok_shown(&upd.encode(), msg, Msg::new(""), Shown::WithoutData(what))?;
        Ok(())
    }

    /// READ BINARY of `len` bytes (1–256) of the selected EF from offset 0, recorded as `msg`;
    /// the answer is recorded with the names in `answer`.
    pub fn read_binary(&mut self, len: usize, msg: Msg, answer: Msg) -> Result<Vec<u8>> {
        let rd = Command::build(0x00, 0xB0, 0x00, 0x00, &[], Some(len))?;
        self.ok_as(&rd.encode(), msg, answer)
    }

    /// Open a logical channel (MANAGE CHANNEL) and select an applet by AID on it; the channel.
    pub fn open_applet(&mut self, aid: &[u8]) -> Result<u8> {
        let r = self.ok_as(
            &[0x00, 0x70, 0x00, 0x00, 0x01],
            Msg::new("MANAGE CHANNEL open"),
            Msg::new("").p("channel"),
        )?;
        let ch = r.first().copied().unwrap_or(0);
        let cla = Class::ISO.with_channel(ch).map_or(0x00, |c| c.0);
        let sel = Command::build(cla, 0xA4, 0x04, 0x0C, aid, None)?;
        self.ok_as(
            &sel.encode(),
            Msg::new("SELECT API applet").p("AID").channel(ch),
            Msg::new(""),
        )?;
        Ok(ch)
    }
}

/// What the ME needs from a card profile to start the USIM: its AID and PIN1.
pub struct UsimAccess {
    /// The USIM's AID.
    pub aid: Vec<u8>,
    /// PIN1 (presented only when enabled).
    pub pin1: String,
}

impl UsimAccess {
    /// From a profile (`[usim] aid`, `[pins] pin1`), with the default card's values when absent.
    pub fn from_profile(p: &vusim_applet::profile::Profile) -> Result<UsimAccess> {
        let aid = match &p.usim.aid {
            Some(h) => hex::decode(h).map_err(|e| NetworkError::input(e.to_string()))?,
            None => vusim_applet::usim::USIM_AID.to_vec(),
        };
        Ok(UsimAccess {
            aid,
            pin1: p.pins.pin1.clone().unwrap_or_else(|| "1234".to_string()),
        })
    }
}

/// The IMSI digits of a profile (the default card's IMSI if absent).
pub fn imsi(p: &vusim_applet::profile::Profile) -> String {
    p.usim
        .imsi
        .clone()
        .unwrap_or_else(|| "001010123456789".to_string())
}
