//! The card runtime (the JCRE analogue): power and ATR, logical channels, the applet registry and the command dispatcher (TS 102 221 §6–§11).

pub mod applet;
mod builder;
pub mod fcp;
mod files;
pub mod gsm;
pub mod image;
pub mod keystore;
mod lifecycle;
pub use lifecycle::CardNames;
pub mod security;
mod select;

use rand::rngs::StdRng;
use rand::RngCore;
use vusim_apdu::atr::{Atr, Convention, InterfaceGroup};
use vusim_apdu::ins::{self, ClaFamily, Ins};
use vusim_apdu::t0::T0Adapter;
use vusim_apdu::{Class, Command, Response, StatusWord};

use crate::fs::tree::{FileTree, NodeId, MF};
use applet::{Applet, Context};
pub use builder::{CardBuildError, CardBuilder};
use fcp::ArrTable;
use security::Security;

/// Logical channels 0–19 (TS 102 221 §8.8 allows up to 20).
pub const CHANNELS: usize = 20;

/// How responses leave the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// In process or T=1: the response comes directly.
    #[default]
    Direct,
    /// T=0: case-4 data via `61xx` + GET RESPONSE, `6Cxx` for a wrong Le.
    T0,
}

/// One logical channel's selection state (TS 102 221 §8.4, §11.1.18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channel {
    /// Current directory (MF, DF or ADF).
    pub df: NodeId,
    /// Current EF, if one is selected.
    pub ef: Option<NodeId>,
    /// Record pointer in the current EF.
    pub record: Option<u8>,
    /// Index of the selected application in the registry.
    pub app: Option<usize>,
}

impl Channel {
    fn fresh() -> Channel {
        Channel {
            df: MF,
            ef: None,
            record: None,
            app: None,
        }
    }
}

/// One registered application.
pub struct AppEntry {
    /// The applet's AID, as registered (the caller identity the card's services see).
    pub aid: Vec<u8>,
    /// The applet.
    pub applet: Box<dyn Applet>,
    /// Its ADF, for a file-system application.
    pub adf: Option<NodeId>,
}

/// The default ATR: direct convention, TA1 96 (Fi 512, Di 32), T=0 only, T=15 global bytes
/// (TA 87: clock stop allowed, classes A/B/C) and historical bytes in COMPACT-TLV ("VUSIM").
pub fn default_atr() -> Atr {
    let groups = vec![
        InterfaceGroup {
            ta: Some(0x96),
            protocol: Some(0),
            ..Default::default()
        },
        InterfaceGroup {
            protocol: Some(15),
            ..Default::default()
        },
        InterfaceGroup {
            ta: Some(0x87),
            ..Default::default()
        },
    ];
    // 80: COMPACT-TLV; 31 E0: card service data; 73 FE 21 1B: card capabilities (logical
    // channels, extended Lc/Le); 65 "VUSIM": pre-issuing data.
    let hist = vec![
        0x80, 0x31, 0xE0, 0x73, 0xFE, 0x21, 0x1B, 0x65, b'V', b'U', b'S', b'I', b'M',
    ];
    Atr {
        convention: Convention::Direct,
        groups,
        historical: hist,
    }
}

/// A UICC: file system, applications, PINs and channel state.
pub struct Card {
    fs: FileTree,
    arr: ArrTable,
    apps: Vec<AppEntry>,
    security: Security,
    channels: [Option<Channel>; CHANNELS],
    transport: Transport,
    t0: T0Adapter,
    atr: Atr,
    rng: StdRng,
    terminal_profile: Vec<u8>,
    terminal_capability: Vec<u8>,
    dirty: bool,
    clock: Clock,
    baseline: Vec<Option<Vec<u8>>>,
    keys: keystore::KeyStore,
}

/// The card's clock: wall time, or a virtual time tests can set and move.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed: Option<u64>,
    offset: i64,
}

impl Clock {
    /// Seconds since the Unix epoch as the card sees them.
    pub fn now(&self) -> u64 {
        let base = self.fixed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
        base.saturating_add_signed(self.offset)
    }
}

/// A case-1 command as it arrives: four bytes, or the five-byte T=0 TPDU whose P3 is `00`
/// (TS 102 221 §7.3.1.1.1: for case 1 the terminal sets P3 to '00'; Annex C.1.1). Parsed as an
/// APDU that P3 looks like a short Le of 256; any other Le is a wrong length.
fn case1_form(cmd: &Command) -> bool {
    match cmd.le() {
        None => true,
        Some(ne) => ne == vusim_apdu::command::SHORT_MAX_NE && !cmd.is_extended(),
    }
}

/// The command's data field (present or absent) fits the ISO case of its row in the command
/// table, else 6700 (TS 102 221 §10.1.2 Table 10.5; ISO/IEC 7816-4 §5.6). Each command handler
/// calls it where it checks its body, so the order of its checks stays the handler's.
fn body_fits(cmd: &Command, ins: Ins) -> Result<(), StatusWord> {
    if ins.spec().case.admits_data(!cmd.data().is_empty()) {
        Ok(())
    } else {
        Err(StatusWord::WRONG_LENGTH)
    }
}

/// The card as a script transport (tests, benchmarks): APDUs go to [`Card::transmit_bytes`],
/// `reset` is a warm reset; nothing is saved (a [`DurableCard`](crate::store::DurableCard)
/// saves before each response).
impl vusim_apdu::script::Transport for Card {
    type Error = std::convert::Infallible;

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Self::Error> {
        Ok(self.transmit_bytes(apdu))
    }

    fn reset(&mut self) -> Result<Vec<u8>, Self::Error> {
        Ok(Card::reset(self))
    }
}

impl Card {
    /// Cold or warm reset: clears selections, logical channels, security status and pending
    /// T=0 data; returns the ATR.
    pub fn reset(&mut self) -> Vec<u8> {
        // Every selected application is deselected on its channel first, so transient applet
        // state (a card challenge, a session) ends with the session, as on Java Card.
        for ch in 0..CHANNELS {
            let app = self
                .channels
                .get_mut(ch)
                .and_then(Option::take)
                .and_then(|c| c.app);
            if let Ok(n) = u8::try_from(ch) {
                self.leave_app(app, n);
            }
        }
        self.channels = [None; CHANNELS];
        self.channels[0] = Some(Channel::fresh());
        self.security.reset();
        self.t0.reset();
        self.atr.encode()
    }

    /// Power on (cold reset); returns the ATR.
    pub fn power_on(&mut self) -> Vec<u8> {
        self.reset()
    }

    /// The ATR.
    pub fn atr(&self) -> &Atr {
        &self.atr
    }

    /// Choose direct (in process / T=1) or T=0 response behaviour.
    pub fn set_transport(&mut self, transport: Transport) {
        self.transport = transport;
        self.t0.reset();
    }

    /// The file system (read-only view for tests, traces and the state store).
    pub fn fs(&self) -> &FileTree {
        &self.fs
    }

    /// The security state (read-only).
    pub fn security(&self) -> &Security {
        &self.security
    }

    /// The state of a logical channel, if open.
    pub fn channel(&self, n: u8) -> Option<&Channel> {
        self.channels.get(usize::from(n)).and_then(Option::as_ref)
    }

    /// The terminal profile last received.
    pub fn terminal_profile(&self) -> &[u8] {
        &self.terminal_profile
    }

    /// Exchange raw bytes: parse, process, adapt to the transport. Never panics.
    pub fn transmit_bytes(&mut self, apdu: &[u8]) -> Vec<u8> {
        match Command::parse(apdu) {
            Ok(cmd) => self.transmit(&cmd).encode(),
            Err(e) => {
                self.t0.reset();
                e.status_word().to_bytes().to_vec()
            }
        }
    }

    /// Exchange one command with the transport's behaviour (T=0 adaptation when asked for).
    pub fn transmit(&mut self, cmd: &Command) -> Response {
        match self.transport {
            Transport::Direct => self.process(cmd),
            Transport::T0 => {
                let mut t0 = std::mem::take(&mut self.t0);
                let r = t0.transmit(cmd, |c| self.process(c));
                self.t0 = t0;
                r
            }
        }
    }

    /// Process one complete command (no transport adaptation).
    pub fn process(&mut self, cmd: &Command) -> Response {
        match self.dispatch(cmd) {
            Ok(r) => r,
            Err(sw) => Response::status(sw),
        }
    }

    fn dispatch(&mut self, cmd: &Command) -> Result<Response, StatusWord> {
        let cla = cmd.cla();
        if !cla.is_valid() {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        if cla.secure_messaging() != vusim_apdu::class::SecureMessaging::None {
            return Err(StatusWord::SM_NOT_SUPPORTED);
        }
        if cla.is_chained() {
            return Err(StatusWord::CHAINING_NOT_SUPPORTED);
        }
        // The GSM class A0: the SIM application (TS 51.011 §9).
        if cla.0 == ins::CLA_GSM {
            return self.gsm_dispatch(cmd);
        }
        // Other proprietary classes a UICC does not define.
        if cla.is_proprietary() && cla.0 & 0xB0 != 0x80 {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        let ch = cla.channel().ok_or(StatusWord::CLA_NOT_SUPPORTED)?;
        let mut state = *self.channel(ch).ok_or(StatusWord::CHANNEL_NOT_SUPPORTED)?;
        let ins = cmd.ins();
        // INS values that are T=0 procedure bytes are invalid (ISO/IEC 7816-3 §10.3.3).
        if ins & 0xF0 == 0x60 || ins & 0xF0 == 0x90 {
            return Err(StatusWord::INS_NOT_SUPPORTED);
        }
        let standalone = state
            .app
            .and_then(|a| self.apps.get(a))
            .is_some_and(|a| a.adf.is_none());
        let runtime = ins::lookup(ins).filter(|spec| {
            !standalone
                || matches!(
                    spec.instruction,
                    Ins::Select | Ins::ManageChannel | Ins::GetResponse
                )
        });
        let Some(spec) = runtime else {
            return self.forward_to_applet(ch, &state, cmd);
        };
        let family_ok = match spec.family {
            ClaFamily::Iso => !cla.is_proprietary(),
            ClaFamily::Uicc => cla.is_proprietary(),
            ClaFamily::Both => true,
        };
        if !family_ok {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        let r = match spec.instruction {
            Ins::Select => self.select(ch, &mut state, cmd),
            Ins::Status => self.status(&state, cmd),
            Ins::ReadBinary => self.read_binary(&mut state, cmd),
            Ins::UpdateBinary => self.update_binary(&mut state, cmd),
            Ins::ReadRecord => self.read_record(&mut state, cmd),
            Ins::UpdateRecord => self.update_record(&mut state, cmd),
            Ins::SearchRecord => self.search_record(&mut state, cmd),
            Ins::Increase => self.increase(&mut state, cmd),
            Ins::VerifyPin
            | Ins::ChangePin
            | Ins::DisablePin
            | Ins::EnablePin
            | Ins::UnblockPin => self.pin_command(&state, spec.instruction, cmd),
            Ins::DeactivateFile | Ins::ActivateFile => self.activation(&mut state, cmd),
            Ins::GetChallenge => self.get_challenge(cmd),
            Ins::ManageChannel => return self.manage_channel(ch, &state, cmd),
            // Under T=0 the adapter serves GET RESPONSE; here nothing is ever pending.
            Ins::GetResponse => Err(StatusWord::CONDITIONS_NOT_SATISFIED),
            Ins::TerminalProfile => {
                if cmd.p1() != 0 || cmd.p2() != 0 {
                    return Err(StatusWord::INCORRECT_P1P2);
                }
                self.terminal_profile = cmd.data().to_vec();
                Ok(Response::ok(Vec::new()))
            }
            Ins::TerminalCapability => {
                if cmd.p1() != 0 || cmd.p2() != 0 {
                    return Err(StatusWord::INCORRECT_P1P2);
                }
                self.terminal_capability = cmd.data().to_vec();
                Ok(Response::ok(Vec::new()))
            }
            // The rest of the table belongs to the selected application (AUTHENTICATE, GET
            // IDENTITY …) or to no one here (ENVELOPE, FETCH …: INS not supported).
            Ins::RetrieveData
            | Ins::SetData
            | Ins::Authenticate
            | Ins::AuthenticateOdd
            | Ins::ManageSecureChannel
            | Ins::TransactData
            | Ins::SuspendUicc
            | Ins::GetIdentity
            | Ins::ExchangeCapabilities
            | Ins::Envelope
            | Ins::Fetch
            | Ins::TerminalResponse => return self.forward_to_applet(ch, &state, cmd),
        }?;
        // Commit the channel state only after success (failed commands leave selection as it was).
        if let Some(slot) = self.channels.get_mut(usize::from(ch)) {
            if slot.is_some() {
                *slot = Some(state);
            }
        }
        Ok(r)
    }

    fn forward_to_applet(
        &mut self,
        ch: u8,
        state: &Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let Some(idx) = state.app else {
            return Err(StatusWord::INS_NOT_SUPPORTED);
        };
        let Some(entry) = self.apps.get_mut(idx) else {
            return Err(StatusWord::INS_NOT_SUPPORTED);
        };
        let mut ctx = Context {
            fs: &mut self.fs,
            security: &mut self.security,
            adf: entry.adf,
            channel: ch,
            rng: &mut self.rng,
            dirty: &mut self.dirty,
            keys: &mut self.keys,
            now: self.clock.now(),
            aid: &entry.aid,
        };
        // One transaction per APDU: a command that ends in an error leaves the card's keys
        // as they were (Java Card aborts the transaction of an uncaught ISOException).
        ctx.keys.begin();
        let result = entry.applet.process(&mut ctx, cmd);
        if result.is_err() {
            ctx.keys.rollback();
        } else {
            ctx.keys.commit();
        }
        result
    }

    /// MANAGE CHANNEL (TS 102 221 §11.1.18).
    fn manage_channel(
        &mut self,
        ch: u8,
        state: &Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        match (cmd.p1(), cmd.p2()) {
            (0x00, requested) => {
                let expect_data = requested == 0;
                if !cmd.data().is_empty() || (!expect_data && !case1_form(cmd)) {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                // Under T=0 a case-2 P3 other than the one byte to return is answered 6C01
                // before anything happens (TS 102 221 §7.3.1.1.2): no channel is opened, the
                // terminal resends with P3 = 01.
                if expect_data
                    && self.transport == Transport::T0
                    && cmd.le().is_some_and(|ne| ne != 1)
                {
                    return Err(StatusWord::wrong_le(1));
                }
                let n = if requested == 0 {
                    (1..CHANNELS)
                        .find(|i| self.channels.get(*i).is_some_and(Option::is_none))
                        .ok_or(StatusWord::CHANNEL_NOT_SUPPORTED)?
                } else {
                    let n = usize::from(requested);
                    if n >= CHANNELS {
                        return Err(StatusWord::INCORRECT_P1P2);
                    }
                    if self.channels.get(n).is_some_and(Option::is_some) {
                        return Err(StatusWord::INCORRECT_P1P2);
                    }
                    n
                };
                // Opened from the basic channel: MF current. From another channel: inherit its
                // current DF and application (ISO/IEC 7816-4 §7.1.2).
                let new = if ch == 0 {
                    Channel::fresh()
                } else {
                    Channel {
                        df: state.df,
                        ef: None,
                        record: None,
                        app: state.app,
                    }
                };
                if let Some(slot) = self.channels.get_mut(n) {
                    *slot = Some(new);
                }
                let nb = u8::try_from(n).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
                Ok(Response::ok(if expect_data {
                    vec![nb]
                } else {
                    Vec::new()
                }))
            }
            (0x80, n) => {
                if !cmd.data().is_empty() || !case1_form(cmd) {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let n = usize::from(n);
                if n == 0 || n >= CHANNELS {
                    return Err(StatusWord::INCORRECT_P1P2);
                }
                let closed = self
                    .channels
                    .get_mut(n)
                    .and_then(Option::take)
                    .ok_or(StatusWord::CHANNEL_NOT_SUPPORTED)?;
                let nb = u8::try_from(n).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
                self.leave_app(closed.app, nb);
                Ok(Response::ok(Vec::new()))
            }
            _ => Err(StatusWord::INCORRECT_P1P2),
        }
    }

    /// An application stopped being selected on `channel`: deselect it there, and end its local
    /// security status when no channel has it selected any more (TS 102 221 §9.4).
    fn leave_app(&mut self, app: Option<usize>, channel: u8) {
        let Some(idx) = app else { return };
        let still = self.channels.iter().flatten().any(|c| c.app == Some(idx));
        if let Some(entry) = self.apps.get_mut(idx) {
            let mut ctx = Context {
                fs: &mut self.fs,
                security: &mut self.security,
                adf: entry.adf,
                channel,
                rng: &mut self.rng,
                dirty: &mut self.dirty,
                keys: &mut self.keys,
                now: self.clock.now(),
                aid: &entry.aid,
            };
            entry.applet.deselect(&mut ctx);
            if !still {
                if let Some(adf) = entry.adf {
                    self.security.end_application(adf);
                }
            }
        }
    }

    /// GET CHALLENGE (TS 102 221 §11.1.17): case 2, no data field.
    fn get_challenge(&mut self, cmd: &Command) -> Result<Response, StatusWord> {
        if cmd.p1() != 0 || cmd.p2() != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        body_fits(cmd, Ins::GetChallenge)?;
        let n = cmd.le().ok_or(StatusWord::WRONG_LENGTH)?.min(256);
        let mut v = vec![0u8; n];
        self.rng.fill_bytes(&mut v);
        Ok(Response::ok(v))
    }

    fn pin_command(
        &mut self,
        state: &Channel,
        ins: Ins,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let p1 = cmd.p1();
        let ok_p1 = match ins {
            Ins::DisablePin => p1 == 0x00 || p1 == 0x80,
            _ => p1 == 0x00,
        };
        if !ok_p1 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let key = cmd.p2();
        if self.security.pin(key).is_none() {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        let adf = state.app.and_then(|a| self.apps.get(a)).and_then(|a| a.adf);
        let data = cmd.data();
        let r = match ins {
            Ins::VerifyPin => self.security.verify(key, data, adf),
            Ins::ChangePin => self.security.change(key, data, adf),
            Ins::DisablePin => self.security.disable(key, data, adf),
            Ins::EnablePin => self.security.enable(key, data, adf),
            _ => self.security.unblock(key, data, adf),
        };
        // Counters move on failures too: every presentation is durable.
        if !data.is_empty() {
            self.dirty = true;
        }
        r.map(|()| Response::ok(Vec::new()))
    }

    /// The service of the application selected on a channel (for tests and traces).
    pub fn selected_app_label(&self, ch: u8) -> Option<&str> {
        let idx = self.channel(ch)?.app?;
        Some(self.apps.get(idx)?.applet.label())
    }

    /// Where channel `ch` stands, as `vusim shell`'s prompt shows it: the application's label
    /// and the current EF (else DF), `USIM:EF.IMSI`, or the file alone; `None` for a closed
    /// channel.
    pub fn selection_label(&self, ch: u8) -> Option<String> {
        let channel = self.channel(ch)?;
        let file = self.fs.node(channel.ef.unwrap_or(channel.df))?.name;
        Some(match self.selected_app_label(ch) {
            Some(app) => format!("{app}:{file}"),
            None => file.to_string(),
        })
    }

    /// The contents a successful READ BINARY or READ RECORD returned, decoded by the EF's
    /// decoder (`fs::decode`): the EF's name and the lines, or `None` (another command, an
    /// error, or an EF without a decoder).
    pub fn decode_read(&self, command: &[u8], response: &[u8]) -> Option<(&str, Vec<String>)> {
        let (cmd, resp) = (
            Command::parse(command).ok()?,
            Response::parse(response).ok()?,
        );
        let read = matches!(
            Ins::from_byte(cmd.ins()),
            Some(Ins::ReadBinary | Ins::ReadRecord)
        );
        if resp.sw != StatusWord::SUCCESS || !read {
            return None;
        }
        let ef = self.channel(cmd.channel()?)?.ef?;
        let name = self.fs.node(ef)?.name;
        Some((name, crate::fs::decode::decode_ef(name, &resp.data)?))
    }

    /// The card-internal key store (read-only: for tests that prove keys stay inside).
    pub fn keys(&self) -> &keystore::KeyStore {
        &self.keys
    }

    /// True if durable state changed since the last [`Card::take_dirty`].
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// The card clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Fix the card clock at `secs` since the epoch (`None`: wall time).
    pub fn set_time(&mut self, secs: Option<u64>) {
        self.clock.fixed = secs;
        self.clock.offset = 0;
    }

    /// Move the card clock forward (or back) by `secs`.
    pub fn advance_time(&mut self, secs: i64) {
        self.clock.offset = self.clock.offset.saturating_add(secs);
    }

    /// Draw random bytes from the card's generator.
    pub fn random(&mut self, out: &mut [u8]) {
        self.rng.fill_bytes(out);
    }

    /// Class byte for a channel, interindustry family.
    pub fn cla_for(channel: u8) -> Option<Class> {
        Class::ISO.with_channel(channel)
    }
}
