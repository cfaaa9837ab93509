//! vpcd virtual ICC and PC/SC client for vusim.
//!
//! - [`vpcd`]: the card side of vsmartcard's virtual PCD driver (`libifdvpcd`, Debian's
//!   `vsmartcard-vpcd`). A slot is one TCP connection to vpcd; connected means "card inserted".
//!   Several slots, each with its own card, run from one process ([`vpcd::Bridge`]). The bridge
//!   passes bytes between vpcd and a [`VirtualCard`]; it parses no APDUs.
//! - [`trace`]: GSMTAP (`GSMTAP_TYPE_SIM`) frames written to a pcap file or sent live over UDP,
//!   the format Wireshark's GSM SIM dissector reads.
//! - [`serve`]: what `vusim serve` runs — the slot plan (slot count, card files, addresses) and
//!   the slot's card that logs each APDU without data bytes and traces it.
//! - [`pcscd`]: a private `pcscd` with vpcd readers on chosen ports, for tests and benchmarks.
//! - `client` (feature `pcsc`, needs libpcsclite-dev): a PC/SC client over the `pcsc` crate that
//!   does the T=0 reader work (`61xx` + GET RESPONSE, `6Cxx`) for T=0 cards.
//!
//! ```no_run
//! use vusim_pcsc_bridge::vpcd::{Bridge, Shutdown, SlotConfig};
//! use vusim_pcsc_bridge::{UiccCard, VirtualCard};
//! use vusim_applet::store::DurableCard;
//!
//! let card = UiccCard::new(DurableCard::embedded().unwrap());
//! let shutdown = Shutdown::new();
//! let slot = SlotConfig::connect("slot 0", "127.0.0.1:35963");
//! let bridge = Bridge::spawn(vec![(slot, Box::new(card) as Box<dyn VirtualCard + Send>)], &shutdown);
//! bridge.join().unwrap();
//! ```

#[cfg(feature = "pcsc")]
pub mod client;
pub mod fuzzing;
pub mod pcscd;
pub mod serve;
pub mod trace;
pub mod vpcd;

use vusim_applet::card::Transport;
use vusim_applet::store::DurableCard;

/// What the bridge needs from a card: an ATR, reset, power-off and one exchange per C-APDU.
///
/// Implemented by [`UiccCard`] (a vusim card under T=0) and [`StubCard`] (a trivial card for
/// benchmarks); front ends wrap these to log or trace exchanges.
pub trait VirtualCard {
    /// The answer to reset (at most 33 bytes), sent when vpcd asks for it.
    fn atr(&mut self) -> Vec<u8>;
    /// Power on or warm reset: an ICC reset (selections, channels, security status cleared).
    fn reset(&mut self);
    /// Power off: volatile state is lost.
    fn power_off(&mut self);
    /// One exchange: a C-APDU (as the reader sent it) in, data ‖ SW1 SW2 out (never empty).
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8>;
}

impl<C: VirtualCard + ?Sized> VirtualCard for Box<C> {
    fn atr(&mut self) -> Vec<u8> {
        (**self).atr()
    }
    fn reset(&mut self) {
        (**self).reset();
    }
    fn power_off(&mut self) {
        (**self).power_off();
    }
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        (**self).transmit(apdu)
    }
}

/// `6581` (TS 102 221 §10.2.1.3 "memory problem"): what [`UiccCard`] answers when its state
/// could not be saved.
pub const SW_MEMORY_PROBLEM: [u8; 2] = [0x65, 0x81];

/// A vusim card (profile and durable state) as an ICC behind a T=0 reader: case-4 data comes via
/// `61xx` + GET RESPONSE, a wrong Le gets `6Cxx`, state is saved before the response leaves.
pub struct UiccCard {
    card: DurableCard,
}

impl UiccCard {
    /// Wrap a card, switching it to T=0 response behaviour (its default ATR offers T=0 only).
    pub fn new(mut card: DurableCard) -> UiccCard {
        card.card_mut().set_transport(Transport::T0);
        UiccCard { card }
    }

    /// The card.
    pub fn card(&self) -> &DurableCard {
        &self.card
    }

    /// The card, mutably.
    pub fn card_mut(&mut self) -> &mut DurableCard {
        &mut self.card
    }

    /// The card back.
    pub fn into_inner(self) -> DurableCard {
        self.card
    }
}

impl VirtualCard for UiccCard {
    fn atr(&mut self) -> Vec<u8> {
        self.card.card().atr().encode()
    }

    fn reset(&mut self) {
        self.card.card_mut().reset();
    }

    fn power_off(&mut self) {
        self.card.card_mut().reset();
    }

    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        match self.card.transmit(apdu) {
            Ok(r) if r.len() >= 2 => r,
            Ok(_) => vec![0x6F, 0x00],
            Err(e) => {
                tracing::error!("the card state could not be saved, answering 6581: {e}");
                SW_MEMORY_PROBLEM.to_vec()
            }
        }
    }
}

/// A trivial ICC: the default vusim ATR, and `9000` to every command. The benchmark's baseline
/// (what the bridge and pcscd cost without a card behind them).
#[derive(Debug, Default, Clone, Copy)]
pub struct StubCard;

impl VirtualCard for StubCard {
    fn atr(&mut self) -> Vec<u8> {
        vusim_applet::card::default_atr().encode()
    }
    fn reset(&mut self) {}
    fn power_off(&mut self) {}
    fn transmit(&mut self, _apdu: &[u8]) -> Vec<u8> {
        vec![0x90, 0x00]
    }
}
