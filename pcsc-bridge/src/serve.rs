//! Serving vusim cards on vpcd slots (what `vusim serve` runs; docs/pcsc.md): the slot plan
//! (slot count, one card file per slot, each slot's vpcd address) and the slot's card, which
//! logs and traces each exchange.
//!
//! The log (tracing, DEBUG) carries each APDU's header, description and status word — never
//! data bytes, so no PIN, key or AUTHENTICATE response reaches it; full traces go through a
//! [`SharedTracer`] (for test cards).

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use tracing::{debug, info};
use vusim_apdu::annotate::{describe_status, Annotator};
use vusim_apdu::{Command, StatusWord};
use vusim_applet::fs::names::TABLE_NAMES;
use vusim_applet::store::{DurableCard, StoreError};

use crate::pcscd::MAX_SLOTS;
use crate::trace::SharedTracer;
use crate::vpcd::{self, SlotCard, SlotConfig};
use crate::{StubCard, UiccCard, VirtualCard};

/// A slot plan that cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// More slots than one pcscd serves.
    #[error("{slots} slots: pcscd serves at most {MAX_SLOTS} readers (PCSCLITE_MAX_READERS_CONTEXTS); see docs/pcsc.md \"Many cards\"")]
    TooManySlots {
        /// The number asked for.
        slots: usize,
    },
    /// A card file cannot be resolved to its canonical path.
    #[error("{}", path.display())]
    CardFile {
        /// The file given.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The same card file for two slots.
    #[error("{} is given twice: two slots cannot share one card file", .0.display())]
    SharedCardFile(PathBuf),
    /// The vpcd address is not `HOST:PORT`, or a slot's port is out of range.
    #[error("{0}")]
    Address(String),
    /// A card file could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to serve.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Card files of the first slots; the other slots get the embedded default card in memory.
    pub cards: Vec<PathBuf>,
    /// Number of slots asked for (at least one per card file).
    pub slots: Option<u16>,
    /// vpcd's address for slot 0; slot `i` uses its port + `i`.
    pub vpcd: String,
    /// Reversed mode: listen on the addresses and let vpcd connect.
    pub listen: bool,
    /// A trivial card ([`StubCard`]) in every slot instead.
    pub stub: bool,
    /// Log each APDU at DEBUG level.
    pub log_apdus: bool,
    /// How long to wait for a card file another process holds.
    pub wait: Duration,
}

impl Plan {
    /// The number of slots: as asked, at least one per card file, at most [`MAX_SLOTS`]; and
    /// no card file twice.
    ///
    /// # Errors
    /// Too many slots, a card file that does not resolve, or one given twice.
    pub fn slot_count(&self) -> Result<usize, ServeError> {
        let slots = usize::from(self.slots.unwrap_or(1)).max(self.cards.len());
        if slots > usize::from(MAX_SLOTS) {
            return Err(ServeError::TooManySlots { slots });
        }
        let mut seen = HashSet::new();
        for c in &self.cards {
            let canon = c.canonicalize().map_err(|source| ServeError::CardFile {
                path: c.clone(),
                source,
            })?;
            if !seen.insert(canon) {
                return Err(ServeError::SharedCardFile(c.clone()));
            }
        }
        Ok(slots)
    }

    /// The slots, each with its vpcd configuration and card (card files opened and held),
    /// logging at INFO what each slot serves where.
    ///
    /// # Errors
    /// As [`Plan::slot_count`]; a bad vpcd address; a card file that cannot be opened.
    pub fn open(&self, tracer: &SharedTracer) -> Result<Vec<(SlotConfig, SlotCard)>, ServeError> {
        let slots = self.slot_count()?;
        let mut configs = Vec::with_capacity(slots);
        for i in 0..slots {
            let n = u16::try_from(i).unwrap_or(u16::MAX);
            let addr = vpcd::slot_address(&self.vpcd, n).map_err(ServeError::Address)?;
            let name = format!("slot {i}");
            let cfg = if self.listen {
                SlotConfig::listen(name.clone(), addr.clone())
            } else {
                SlotConfig::connect(name.clone(), addr.clone())
            };
            if self.stub {
                info!("{name}: a trivial card (9000 to everything) on vpcd {addr}");
                configs.push((cfg, Box::new(StubCard) as SlotCard));
                continue;
            }
            let path = self.cards.get(i);
            let durable = DurableCard::open_or_default(path.map(PathBuf::as_path), self.wait)?;
            let what = match path {
                Some(p) => format!("card {}", p.display()),
                None => "the embedded default card (in memory: changes are lost on exit)".into(),
            };
            info!(
                "{name}: {what} on vpcd {addr}{}",
                self.reader_hint(n, &addr)
            );
            let card = ServedCard {
                card: UiccCard::new(durable),
                name,
                slot: u8::try_from(i).unwrap_or(u8::MAX),
                log: self.log_apdus,
                tracer: tracer.clone(),
                ann: Annotator::new(&TABLE_NAMES),
            };
            configs.push((cfg, Box::new(card) as SlotCard));
        }
        Ok(configs)
    }

    /// The reader name Debian's vpcd configuration gives slot `n` on its default ports (slots 0
    /// and 1, connecting), as a remark for the log; empty otherwise.
    fn reader_hint(&self, n: u16, addr: &str) -> String {
        let port = addr
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok());
        if !self.listen && n < 2 && port == vpcd::DEFAULT_PORT.checked_add(n) {
            format!(" (reader \"Virtual PCD 00 {n:02X}\" in Debian's vpcd configuration)")
        } else {
            String::new()
        }
    }
}

/// A slot's card with logging and tracing around each exchange.
struct ServedCard {
    card: UiccCard,
    name: String,
    slot: u8,
    log: bool,
    tracer: SharedTracer,
    /// Names files in the DF context of this card's session.
    ann: Annotator<'static>,
}

impl VirtualCard for ServedCard {
    fn atr(&mut self) -> Vec<u8> {
        self.card.atr()
    }

    fn reset(&mut self) {
        self.card.reset();
        self.ann.reset();
    }

    fn power_off(&mut self) {
        self.card.power_off();
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        let response = self.card.transmit(apdu);
        if self.log {
            log_exchange(&mut self.ann, &self.name, apdu, &response);
        }
        self.tracer.exchange(self.slot, apdu, &response);
        response
    }
}

/// Log an exchange without data bytes: the command header and description, the status word and
/// its meaning, the amount of response data.
fn log_exchange(ann: &mut Annotator<'_>, name: &str, apdu: &[u8], response: &[u8]) {
    let header = hex::encode_upper(apdu.get(..4).unwrap_or(apdu));
    let (what, ins) = match Command::parse(apdu) {
        Ok(cmd) => (ann.describe_command(&cmd), Some(cmd.ins())),
        Err(e) => (format!("malformed command APDU ({e})"), None),
    };
    let split = response.len().saturating_sub(2);
    let (data, sw) = response.split_at(split);
    let status = match sw {
        [a, b] => {
            let sw = StatusWord::from_bytes(*a, *b);
            ann.observe_status(sw);
            describe_status(sw, ins)
        }
        _ => "no status word".to_string(),
    };
    let data = if data.is_empty() {
        String::new()
    } else {
        format!(", {} bytes of data", data.len())
    };
    debug!("{name}: > {header} {what}");
    debug!("{name}: < {status}{data}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(cards: Vec<PathBuf>, slots: Option<u16>) -> Plan {
        Plan {
            cards,
            slots,
            vpcd: vpcd::DEFAULT_ADDR.into(),
            listen: false,
            stub: false,
            log_apdus: false,
            wait: Duration::ZERO,
        }
    }

    #[test]
    fn slots_are_at_least_one_per_card_and_at_most_what_pcscd_serves() {
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert_eq!(plan(vec![], None).slot_count().ok(), Some(1));
        assert_eq!(plan(vec![here.clone()], Some(3)).slot_count().ok(), Some(3));
        assert!(matches!(
            plan(vec![], Some(17)).slot_count(),
            Err(ServeError::TooManySlots { slots: 17 })
        ));
        // The same file under two spellings.
        let again = here
            .parent()
            .map(|d| d.join("src").join("..").join("Cargo.toml"));
        let twice = plan(vec![here.clone()].into_iter().chain(again).collect(), None);
        assert!(matches!(
            twice.slot_count(),
            Err(ServeError::SharedCardFile(p)) if p != here
        ));
        assert!(matches!(
            plan(vec![here.with_file_name("no such file")], None).slot_count(),
            Err(ServeError::CardFile { .. })
        ));
    }

    #[test]
    fn debian_reader_names_only_for_the_first_two_default_ports() {
        let p = plan(vec![], None);
        assert_eq!(
            p.reader_hint(1, "127.0.0.1:35964"),
            " (reader \"Virtual PCD 00 01\" in Debian's vpcd configuration)"
        );
        assert_eq!(p.reader_hint(2, "127.0.0.1:35965"), "");
        assert_eq!(p.reader_hint(0, "127.0.0.1:4000"), "");
        let listening = Plan { listen: true, ..p };
        assert_eq!(listening.reader_hint(0, "127.0.0.1:35963"), "");
    }
}
