//! PC/SC client over the `pcsc` crate (pcsc-lite; feature `pcsc`).
//!
//! [`Client`] lists readers and connects; a [`Connection`] exchanges APDUs with the card. PC/SC
//! hands T=0 cards' answers to the application as they come, so [`Connection::transmit`] does
//! the reader's part of T=0 with [`vusim_apdu::t0::collect_response`]: `61xx` is followed by
//! GET RESPONSE until the data is complete, `6Cxx` resends with the right Le. It does so under
//! T=1 too, where some cards also answer `61xx`. [`Connection::transmit_raw`] does none of that.
//! An observer sees every raw exchange (for traces).

use std::ffi::CString;
use std::time::Duration;

use vusim_apdu::t0::collect_response;
use vusim_apdu::{Command, Response};

/// A PC/SC problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A pcsc-lite call failed.
    #[error("PC/SC {what}: {source}")]
    Pcsc {
        /// What was being done.
        what: &'static str,
        /// pcsc-lite's error.
        source: pcsc::Error,
    },
    /// No reader matches the name.
    #[error("no reader matches {wanted:?}; readers: {readers}")]
    NoSuchReader {
        /// The name asked for.
        wanted: String,
        /// The readers there are.
        readers: String,
    },
    /// Several readers contain the name.
    #[error("{wanted:?} matches several readers: {readers}; give the whole name")]
    Ambiguous {
        /// The name asked for.
        wanted: String,
        /// The readers it matches.
        readers: String,
    },
    /// A reader name with a NUL byte.
    #[error("reader name {0:?} contains a NUL byte")]
    BadName(String),
    /// The card answered fewer than two bytes.
    #[error("the card answered {0} byte(s); a response needs at least SW1 SW2")]
    ShortResponse(usize),
}

fn pcsc_err(what: &'static str) -> impl FnOnce(pcsc::Error) -> ClientError {
    move |source| ClientError::Pcsc { what, source }
}

/// One reader as PC/SC lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// Its name (`Virtual PCD 00 00`).
    pub name: String,
    /// True if a card is present.
    pub card_present: bool,
    /// The card's ATR, if present.
    pub atr: Option<Vec<u8>>,
}

/// A PC/SC context (a connection to pcscd).
pub struct Client {
    ctx: pcsc::Context,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// Connect to pcscd.
    pub fn establish() -> Result<Client, ClientError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(pcsc_err("connecting to pcscd (is it running?)"))?;
        Ok(Client { ctx })
    }

    /// Reader names (none when pcscd has no reader).
    pub fn reader_names(&self) -> Result<Vec<String>, ClientError> {
        match self.ctx.list_readers_owned() {
            Ok(v) => Ok(v
                .into_iter()
                .map(|c| c.to_string_lossy().into_owned())
                .collect()),
            Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(pcsc_err("listing readers")(e)),
        }
    }

    /// Readers with card presence and ATR.
    pub fn readers(&self) -> Result<Vec<ReaderInfo>, ClientError> {
        let names = self.reader_names()?;
        let mut states = Vec::with_capacity(names.len());
        for n in &names {
            let c = CString::new(n.as_str()).map_err(|_| ClientError::BadName(n.clone()))?;
            states.push(pcsc::ReaderState::new(c, pcsc::State::UNAWARE));
        }
        if !states.is_empty() {
            self.ctx
                .get_status_change(Duration::ZERO, &mut states)
                .map_err(pcsc_err("reading reader states"))?;
        }
        Ok(names
            .into_iter()
            .zip(states)
            .map(|(name, s)| {
                let present = s.event_state().contains(pcsc::State::PRESENT);
                ReaderInfo {
                    name,
                    card_present: present,
                    atr: present.then(|| s.atr().to_vec()),
                }
            })
            .collect())
    }

    /// The full name of the reader `wanted` designates: an exact name, an index into the list
    /// (`0`), or a part of exactly one name.
    pub fn resolve(&self, wanted: &str) -> Result<String, ClientError> {
        let names = self.reader_names()?;
        if let Some(n) = names.iter().find(|n| n.as_str() == wanted) {
            return Ok(n.clone());
        }
        if let Some(n) = wanted.parse::<usize>().ok().and_then(|i| names.get(i)) {
            return Ok(n.clone());
        }
        let matching: Vec<&String> = names.iter().filter(|n| n.contains(wanted)).collect();
        match matching.as_slice() {
            [one] => return Ok((*one).clone()),
            [] => {}
            many => {
                return Err(ClientError::Ambiguous {
                    wanted: wanted.to_string(),
                    readers: quoted(many.iter().map(|s| s.as_str())),
                })
            }
        }
        Err(ClientError::NoSuchReader {
            wanted: wanted.to_string(),
            readers: if names.is_empty() {
                "none".to_string()
            } else {
                quoted(names.iter().map(String::as_str))
            },
        })
    }

    /// Connect (shared) to the card in `reader` (a name as [`Client::resolve`] takes it), T=0 or
    /// T=1 as the card offers.
    pub fn connect(&self, reader: &str) -> Result<Connection, ClientError> {
        let name = self.resolve(reader)?;
        let c = CString::new(name.as_str()).map_err(|_| ClientError::BadName(name.clone()))?;
        let card = self
            .ctx
            .connect(&c, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(pcsc_err("connecting to the card"))?;
        let mut conn = Connection {
            card,
            reader: name,
            atr: Vec::new(),
            observer: None,
            buf: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
            raw: false,
        };
        conn.atr = conn.read_atr()?;
        Ok(conn)
    }
}

fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Called with (command, response) for every raw exchange.
pub type Observer = Box<dyn FnMut(&[u8], &[u8]) + Send>;

/// A connection to a card.
pub struct Connection {
    card: pcsc::Card,
    reader: String,
    atr: Vec<u8>,
    observer: Option<Observer>,
    buf: Vec<u8>,
    /// No T=0 help in [`Connection::exchange`]: `61xx`/`6Cxx` as the card answers them.
    raw: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("reader", &self.reader)
            .field("atr", &self.atr)
            .finish_non_exhaustive()
    }
}

/// The transmission protocol in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// T=0.
    T0,
    /// T=1.
    T1,
    /// Raw or unknown.
    Other,
}

impl Protocol {
    /// `T=0`, `T=1` or `raw`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::T0 => "T=0",
            Protocol::T1 => "T=1",
            Protocol::Other => "raw",
        }
    }
}

impl Connection {
    fn read_atr(&self) -> Result<Vec<u8>, ClientError> {
        Ok(self
            .card
            .status2_owned()
            .map_err(pcsc_err("reading the card status"))?
            .atr()
            .to_vec())
    }

    /// The reader's full name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR (as of connecting or the last reset).
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// The protocol pcscd chose.
    pub fn protocol(&self) -> Protocol {
        match self.card.status2_owned().ok().and_then(|s| s.protocol2()) {
            Some(pcsc::Protocol::T0) => Protocol::T0,
            Some(pcsc::Protocol::T1) => Protocol::T1,
            _ => Protocol::Other,
        }
    }

    /// See every raw exchange (command, response), e.g. to trace it.
    pub fn set_observer(&mut self, observer: Option<Observer>) {
        self.observer = observer;
    }

    /// One exchange as is: no `61xx`/`6Cxx` handling.
    pub fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ClientError> {
        let r = self
            .card
            .transmit(apdu, &mut self.buf)
            .map_err(pcsc_err("transmitting an APDU"))?
            .to_vec();
        if let Some(o) = &mut self.observer {
            o(apdu, &r);
        }
        if r.len() < 2 {
            return Err(ClientError::ShortResponse(r.len()));
        }
        Ok(r)
    }

    /// One command with the reader's T=0 work done: the complete response.
    pub fn transmit(&mut self, cmd: &Command) -> Result<Response, ClientError> {
        collect_response(cmd, |c| {
            let raw = self.transmit_raw(&c.encode())?;
            Response::parse(&raw).map_err(|_| ClientError::ShortResponse(raw.len()))
        })
    }

    /// Show `61xx`/`6Cxx` as the card answers them in [`Connection::exchange`] (no T=0 help).
    pub fn set_raw(&mut self, raw: bool) {
        self.raw = raw;
    }

    /// One exchange of command bytes: with the T=0 work done unless [`Connection::set_raw`]
    /// (or the bytes are no command APDU, which go as they are).
    pub fn exchange(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ClientError> {
        match Command::parse(apdu) {
            Ok(cmd) if !self.raw => Ok(self.transmit(&cmd)?.encode()),
            _ => self.transmit_raw(apdu),
        }
    }

    /// Reset the card (reconnect with reset); the new ATR.
    pub fn reset(&mut self) -> Result<Vec<u8>, ClientError> {
        self.card
            .reconnect(
                pcsc::ShareMode::Shared,
                pcsc::Protocols::ANY,
                pcsc::Disposition::ResetCard,
            )
            .map_err(pcsc_err("resetting the card"))?;
        self.atr = self.read_atr()?;
        Ok(self.atr.clone())
    }

    /// Disconnect, leaving the card powered (the default on drop resets it).
    pub fn disconnect(self) -> Result<(), ClientError> {
        self.card
            .disconnect(pcsc::Disposition::LeaveCard)
            .map_err(|(_, e)| pcsc_err("disconnecting")(e))
    }
}

/// A card in a reader as a script's transport: [`Connection::exchange`] and reset.
impl vusim_apdu::script::Transport for Connection {
    type Error = ClientError;

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.exchange(apdu)
    }

    fn reset(&mut self) -> Result<Vec<u8>, ClientError> {
        Connection::reset(self)
    }
}

/// The reader name as a C string (for callers using the `pcsc` crate directly).
pub fn reader_cstring(name: &str) -> Result<CString, ClientError> {
    CString::new(name).map_err(|_| ClientError::BadName(name.to_string()))
}
