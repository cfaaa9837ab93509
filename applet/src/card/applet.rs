//! The `Applet` trait and its `Context`: the Java Card `Applet` analogue (select / deselect / process).

use vusim_apdu::{Command, Response, StatusWord};

use crate::card::security::Security;
use crate::fs::spec::DfSpec;
use crate::fs::tree::{FileTree, NodeId};

/// What the runtime lends an applet while it handles a command.
pub struct Context<'a> {
    /// The file system.
    pub fs: &'a mut FileTree,
    /// PINs and security status.
    pub security: &'a mut Security,
    /// The applet's ADF, for a file-system application.
    pub adf: Option<NodeId>,
    /// The logical channel the command arrived on.
    pub channel: u8,
    /// Card-wide randomness.
    pub rng: &'a mut dyn rand::RngCore,
    /// Set by the applet when it changed durable state (saved before the response leaves).
    pub dirty: &'a mut bool,
    /// The card-internal key store shared by applets.
    pub keys: &'a mut crate::card::keystore::KeyStore,
    /// Card clock: seconds since the Unix epoch (virtual, movable in tests).
    pub now: u64,
    /// The AID the applet was registered with: the caller identity the card's services (the
    /// GBA_U key service and its EF_GBAUAPI check) see. Set by the runtime, not the applet.
    pub aid: &'a [u8],
}

/// An application on the card, selected by AID.
///
/// A *file-system application* (USIM, ISIM) owns an ADF built from [`Applet::adf`]; the runtime
/// handles the file commands (SELECT, READ/UPDATE, PINs …) on its files and hands the applet the
/// rest (AUTHENTICATE, GET IDENTITY …). A *standalone* applet (no ADF) gets every command on its
/// channel except SELECT by AID, MANAGE CHANNEL and GET RESPONSE. An applet returns data or a
/// status word; `Err(sw)` becomes the response, like Java Card's `ISOException`.
pub trait Applet: Send {
    /// Application label written to EF.DIR (tag 50).
    fn label(&self) -> &str;
    /// Application identifier.
    fn aid(&self) -> &[u8];
    /// The ADF table of a file-system application.
    fn adf(&self) -> Option<&'static DfSpec> {
        None
    }
    /// The number of the service table EF (UST/IST) in the ADF that gates its files, if any.
    fn service_table_fid(&self) -> Option<u16> {
        None
    }
    /// Called when the application is selected on a channel.
    fn select(&mut self, _ctx: &mut Context<'_>) -> Result<(), StatusWord> {
        Ok(())
    }
    /// Called when the application stops being selected on a channel.
    fn deselect(&mut self, _ctx: &mut Context<'_>) {}
    /// Handle a command the runtime does not handle itself.
    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord>;
    /// Whether this application holds the subscriber key the SIM application's RUN GSM
    /// ALGORITHM uses (TS 51.011 §9.2.16); its PIN2 is then CHV2.
    fn runs_gsm_algorithm(&self) -> bool {
        false
    }
    /// RUN GSM ALGORITHM for the SIM application: SRES (4) ‖ Kc (8) for RAND.
    fn gsm_algorithm(&mut self, _rand: &[u8; 16]) -> Option<Result<Vec<u8>, StatusWord>> {
        None
    }
    /// Install-time work (Java Card's `install`), run once per card after its saved state is
    /// restored: a loadable applet runs its module's `install` unless its state says it already
    /// did. An error keeps the card from building.
    fn install(&mut self, _ctx: &mut Context<'_>) -> Result<(), String> {
        Ok(())
    }
    /// The name of one of this applet's instructions, for the annotator and the shell (a
    /// loadable applet's metadata declares them).
    fn ins_name(&self, _ins: u8) -> Option<&str> {
        None
    }
    /// The applet's durable state (SQN array, keys …), saved with the card.
    fn save_state(&self) -> Option<toml::Table> {
        None
    }
    /// Restore what [`Applet::save_state`] produced.
    fn restore_state(&mut self, _state: &toml::Table) -> Result<(), String> {
        Ok(())
    }
}

/// Whether service `n` is marked available in a service table (UST/IST: bit n-1, TS 31.102 §4.2.8).
pub fn service_available(table: &[u8], n: u16) -> bool {
    if n == 0 {
        return false;
    }
    let bit = usize::from(n - 1);
    table
        .get(bit / 8)
        .is_some_and(|b| b & (1 << (bit % 8)) != 0)
}
