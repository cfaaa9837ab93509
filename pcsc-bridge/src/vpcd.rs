//! The card side of vpcd, vsmartcard's virtual PCD driver for pcscd (`libifdvpcd`).
//!
//! Wire protocol (the same in both directions): every frame is a `u16` big-endian length ‖
//! payload. From vpcd, a 1-byte payload is a control byte ([`control`]): power off, power on,
//! reset, or "send the ATR" (answered with one frame holding the ATR; the others get no answer).
//! A longer payload is a C-APDU, answered with exactly one frame holding data ‖ SW1 SW2 — never
//! empty, never unsolicited, since vpcd has no timeout and a missing or empty answer hangs or
//! confuses every client of that reader.
//!
//! In the normal mode vpcd listens (Debian's `/etc/reader.conf.d/vpcd`: ports 35963 and 35964,
//! readers `Virtual PCD 00 00` and `00 01`) and the card connects: connected means inserted,
//! closed means removed. Each slot is one connection; if vpcd is absent or goes away (pcscd
//! stopped or restarted) the slot retries with backoff and logs what it waits for. The reversed
//! mode ([`Mode::Listen`]: vpcd connects to the card) is supported but crashes Debian 12's pcscd.
//!
//! Latency: Debian's vpcd writes a frame's length and body in two sends, so Nagle's algorithm on
//! its side and delayed ACKs on ours cost ~40 ms per APDU. The bridge sets `TCP_NODELAY`,
//! re-arms `TCP_QUICKACK` (Linux; the flag is not sticky) before every read and sends each frame
//! in one write.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tracing::{debug, info, warn};

use crate::VirtualCard;

/// vpcd's first port in Debian's configuration (`Virtual PCD 00 00`); slot `i` uses this + `i`.
pub const DEFAULT_PORT: u16 = 35963;

/// The default vpcd address: loopback, [`DEFAULT_PORT`].
pub const DEFAULT_ADDR: &str = "127.0.0.1:35963";

/// Control bytes (1-byte payloads from vpcd).
pub mod control {
    /// Power off.
    pub const POWER_OFF: u8 = 0x00;
    /// Power on (a cold reset).
    pub const POWER_ON: u8 = 0x01;
    /// Warm reset.
    pub const RESET: u8 = 0x02;
    /// Send the ATR (the only control that is answered).
    pub const GET_ATR: u8 = 0x04;
}

/// A bridge problem that stops a slot (connection losses are retried, not reported here).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// The address is not `HOST:PORT` or does not resolve.
    #[error("{slot}: bad vpcd address {addr:?}: {problem}")]
    Address {
        /// The slot.
        slot: String,
        /// The address given.
        addr: String,
        /// What is wrong.
        problem: String,
    },
    /// Reversed mode: the listening socket could not be opened.
    #[error("{slot}: cannot listen on {addr}: {source}")]
    Listen {
        /// The slot.
        slot: String,
        /// The address.
        addr: String,
        /// The OS error.
        source: io::Error,
    },
    /// A slot's thread panicked.
    #[error("{slot}: the slot thread panicked")]
    Panicked {
        /// The slot.
        slot: String,
    },
}

/// Who connects to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Normal mode: vpcd listens, the card connects (and reconnects) to it.
    #[default]
    Connect,
    /// Reversed mode: the card listens, vpcd connects (`DEVICENAME host:port` in reader.conf).
    /// Crashes Debian 12's pcscd (FD_SETSIZE abort); prefer [`Mode::Connect`].
    Listen,
}

/// One slot: where its card meets vpcd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotConfig {
    /// Name used in logs ("slot 0").
    pub name: String,
    /// `HOST:PORT` of vpcd (normal mode) or to listen on (reversed mode).
    pub addr: String,
    /// Normal or reversed mode.
    pub mode: Mode,
    /// Longest wait between connection attempts (normal mode).
    pub max_backoff: Duration,
}

impl SlotConfig {
    /// Normal mode: connect to vpcd at `addr`.
    pub fn connect(name: impl Into<String>, addr: impl Into<String>) -> SlotConfig {
        SlotConfig {
            name: name.into(),
            addr: addr.into(),
            mode: Mode::Connect,
            max_backoff: Duration::from_secs(1),
        }
    }

    /// Reversed mode: listen on `addr` for vpcd.
    pub fn listen(name: impl Into<String>, addr: impl Into<String>) -> SlotConfig {
        SlotConfig {
            mode: Mode::Listen,
            ..SlotConfig::connect(name, addr)
        }
    }
}

/// The address of slot `slot`: `base`'s port plus `slot` (`127.0.0.1:35963`, slot 1 →
/// `127.0.0.1:35964`). IPv6 literals are written `[::1]:35963`.
pub fn slot_address(base: &str, slot: u16) -> Result<String, String> {
    let (host, port) = base
        .rsplit_once(':')
        .ok_or_else(|| format!("expected HOST:PORT, got {base:?}"))?;
    if host.is_empty() {
        return Err(format!("expected HOST:PORT, got {base:?} (no host)"));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| format!("expected HOST:PORT, got {base:?} (bad port)"))?;
    let port = port
        .checked_add(slot)
        .ok_or_else(|| format!("port {port} + slot {slot} is past 65535"))?;
    Ok(format!("{host}:{port}"))
}

/// Stops a running bridge: wakes sleeping slots and shuts their connections down. Clone it to
/// hand it to a signal handler.
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<ShutdownInner>,
}

#[derive(Default)]
struct ShutdownInner {
    stop: AtomicBool,
    sleep: Mutex<()>,
    wake: Condvar,
    streams: Mutex<Vec<(u64, TcpStream)>>,
    next_id: AtomicU64,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shutdown")
            .field("triggered", &self.is_triggered())
            .finish()
    }
}

impl Shutdown {
    /// A shutdown handle not yet triggered.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Stop: every slot finishes the exchange in progress (so state is saved and the answer
    /// sent if it can be), then returns.
    pub fn trigger(&self) {
        self.inner.stop.store(true, Ordering::SeqCst);
        {
            let _g = self
                .inner
                .sleep
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.inner.wake.notify_all();
        }
        let streams = self
            .inner
            .streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (_, s) in streams.iter() {
            let _ = s.shutdown(std::net::Shutdown::Read);
        }
    }

    /// True once [`Shutdown::trigger`] was called.
    pub fn is_triggered(&self) -> bool {
        self.inner.stop.load(Ordering::SeqCst)
    }

    /// Sleep for `d` unless triggered first; true if triggered.
    pub fn sleep(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut g = self
            .inner
            .sleep
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.is_triggered() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            g = self
                .inner
                .wake
                .wait_timeout(g, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Track a connection so that a trigger unblocks its reads; `None` if already triggered.
    fn register(&self, stream: &TcpStream) -> Option<Registration> {
        let clone = stream.try_clone().ok()?;
        let mut streams = self
            .inner
            .streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.is_triggered() {
            return None;
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst);
        streams.push((id, clone));
        Some(Registration {
            shutdown: self.clone(),
            id,
        })
    }
}

struct Registration {
    shutdown: Shutdown,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.shutdown
            .inner
            .streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}

/// Fill `buf` exactly from `r`, calling `arm` before every read (the vpcd session re-arms
/// `TCP_QUICKACK` there). `Ok(false)` on EOF before the first byte.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8], arm: &mut impl FnMut(&R)) -> io::Result<bool> {
    let mut off = 0;
    while let Some(rest) = buf.get_mut(off..).filter(|x| !x.is_empty()) {
        arm(r);
        match r.read(rest) {
            Ok(0) if off == 0 => return Ok(false),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside a frame",
                ))
            }
            Ok(n) => off += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Read one vpcd frame (`u16` big-endian length ‖ payload) from `r` into `buf`, exact lengths;
/// `None` when the peer closed the connection between frames. Used by the session and by the
/// fuzz target.
pub fn read_frame_from<'b, R: Read>(
    r: &mut R,
    buf: &'b mut Vec<u8>,
    mut arm: impl FnMut(&R),
) -> io::Result<Option<&'b [u8]>> {
    let mut len = [0u8; 2];
    if !read_full(r, &mut len, &mut arm)? {
        return Ok(None);
    }
    let n = usize::from(u16::from_be_bytes(len));
    buf.resize(n, 0);
    if n > 0 && !read_full(r, buf, &mut arm)? {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed after a frame length",
        ));
    }
    Ok(Some(buf))
}

/// The card's answer to one vpcd frame: `None` for control bytes that get no reply (power
/// off/on, reset, unknown) and empty frames; the ATR for `GET_ATR`; for a C-APDU exactly one
/// non-empty response (`6F00` if the card's answer cannot be carried).
pub fn answer_frame(card: &mut dyn VirtualCard, name: &str, frame: &[u8]) -> Option<Vec<u8>> {
    match frame {
        [] => {
            warn!("{name}: vpcd sent an empty frame; ignored");
            None
        }
        [control::POWER_OFF] => {
            info!("{name}: power off");
            card.power_off();
            None
        }
        [control::POWER_ON] => {
            info!("{name}: power on (card reset)");
            card.reset();
            None
        }
        [control::RESET] => {
            info!("{name}: reset");
            card.reset();
            None
        }
        [control::GET_ATR] => Some(card.atr()),
        [other] => {
            warn!("{name}: unknown control byte {other:02X} from vpcd; ignored");
            None
        }
        apdu => {
            let answer = card.transmit(apdu);
            if answer.len() < 2 || answer.len() > usize::from(u16::MAX) {
                warn!(
                    "{name}: the card's answer has {} bytes, which vpcd cannot carry; sending 6F00",
                    answer.len()
                );
                Some(vec![0x6F, 0x00])
            } else {
                Some(answer)
            }
        }
    }
}

/// Frame I/O on one vpcd connection, with buffers reused across frames.
struct FrameIo {
    stream: TcpStream,
    rbuf: Vec<u8>,
    wbuf: Vec<u8>,
}

impl FrameIo {
    fn new(stream: TcpStream) -> FrameIo {
        FrameIo {
            stream,
            rbuf: Vec::with_capacity(512),
            wbuf: Vec::with_capacity(512),
        }
    }

    /// The next frame's payload, or `None` when vpcd closed the connection between frames.
    fn read_frame(&mut self) -> io::Result<Option<&[u8]>> {
        let stream = &mut self.stream;
        read_frame_from(stream, &mut self.rbuf, quickack)
    }

    /// Send one frame in one write.
    fn write_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        let len = u16::try_from(payload.len()).map_err(|_| {
            io::Error::new(io::ErrorKind::InvalidInput, "frame longer than 65535 bytes")
        })?;
        self.wbuf.clear();
        self.wbuf.extend_from_slice(&len.to_be_bytes());
        self.wbuf.extend_from_slice(payload);
        self.stream.write_all(&self.wbuf)
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn quickack(stream: &TcpStream) {
    // Best effort: without it each APDU may wait for a delayed ACK, but nothing breaks.
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn quickack(_stream: &TcpStream) {}

/// Why a session ended.
enum End {
    /// vpcd closed the connection.
    Closed,
    /// A read or write failed.
    Failed(io::Error),
    /// The bridge was asked to stop.
    Shutdown,
}

/// Serve one connection until it closes: controls and C-APDUs to the card, answers back.
fn session(stream: TcpStream, card: &mut dyn VirtualCard, name: &str, stop: &Shutdown) -> End {
    if let Err(e) = stream.set_nodelay(true) {
        warn!("{name}: cannot set TCP_NODELAY ({e}); APDUs may be slow");
    }
    let Some(_registration) = stop.register(&stream) else {
        return End::Shutdown;
    };
    let mut io = FrameIo::new(stream);
    loop {
        let frame = match io.read_frame() {
            Ok(Some(f)) => f,
            Ok(None) if stop.is_triggered() => return End::Shutdown,
            Ok(None) => return End::Closed,
            Err(_) if stop.is_triggered() => return End::Shutdown,
            Err(e) => return End::Failed(e),
        };
        let Some(answer) = answer_frame(card, name, frame) else {
            continue;
        };
        if let Err(e) = io.write_frame(&answer) {
            if stop.is_triggered() {
                return End::Shutdown;
            }
            return End::Failed(e);
        }
    }
}

fn resolve(cfg: &SlotConfig) -> Result<Vec<SocketAddr>, BridgeError> {
    let bad = |problem: String| BridgeError::Address {
        slot: cfg.name.clone(),
        addr: cfg.addr.clone(),
        problem,
    };
    let addrs: Vec<SocketAddr> = cfg
        .addr
        .to_socket_addrs()
        .map_err(|e| bad(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(bad("resolves to no address".into()));
    }
    Ok(addrs)
}

const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const STILL_WAITING_EVERY: Duration = Duration::from_secs(30);

/// Run one slot until `stop` is triggered: connect (or listen), serve, and after a lost
/// connection start again. Only configuration problems are errors.
pub fn serve_slot(
    cfg: &SlotConfig,
    card: &mut dyn VirtualCard,
    stop: &Shutdown,
) -> Result<(), BridgeError> {
    match cfg.mode {
        Mode::Connect => serve_connect(cfg, card, stop),
        Mode::Listen => serve_listen(cfg, card, stop),
    }
}

fn connect_any(addrs: &[SocketAddr]) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for a in addrs {
        match TcpStream::connect_timeout(a, Duration::from_secs(2)) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn serve_connect(
    cfg: &SlotConfig,
    card: &mut dyn VirtualCard,
    stop: &Shutdown,
) -> Result<(), BridgeError> {
    let name = &cfg.name;
    let addr = &cfg.addr;
    let addrs = resolve(cfg)?;
    if !addrs.iter().all(|a| a.ip().is_loopback()) {
        info!("{name}: vpcd at {addr} is not on loopback; vpcd itself accepts cards from anyone who reaches its port");
    }
    let mut backoff = FIRST_BACKOFF;
    let mut waiting: Option<(Instant, Instant)> = None; // (since, last message)
    info!("{name}: connecting to vpcd at {addr}");
    loop {
        if stop.is_triggered() {
            return Ok(());
        }
        match connect_any(&addrs) {
            Ok(stream) => {
                match waiting.take() {
                    Some((since, _)) => info!(
                        "{name}: connected to vpcd at {addr} after waiting {:.1}s: card inserted",
                        since.elapsed().as_secs_f64()
                    ),
                    None => info!("{name}: connected to vpcd at {addr}: card inserted"),
                }
                let started = Instant::now();
                let end = session(stream, card, name, stop);
                card.power_off();
                match end {
                    End::Shutdown => return Ok(()),
                    End::Closed => warn!(
                        "{name}: vpcd at {addr} closed the connection (pcscd stopped or restarted?): card removed; reconnecting"
                    ),
                    End::Failed(e) => warn!(
                        "{name}: connection to vpcd at {addr} failed ({e}): card removed; reconnecting"
                    ),
                }
                // A connection that drops at once must not turn into a busy loop.
                backoff = if started.elapsed() < Duration::from_secs(1) {
                    (backoff * 2).min(cfg.max_backoff)
                } else {
                    FIRST_BACKOFF
                };
                if stop.sleep(backoff) {
                    return Ok(());
                }
            }
            Err(e) => {
                let now = Instant::now();
                match &mut waiting {
                    None => {
                        warn!(
                            "{name}: waiting for vpcd at {addr} ({e}): is pcscd running with the vpcd driver (vsmartcard-vpcd) and this port in its reader.conf? retrying every {}s at most",
                            cfg.max_backoff.as_secs_f64()
                        );
                        waiting = Some((now, now));
                    }
                    Some((since, last)) if now.duration_since(*last) >= STILL_WAITING_EVERY => {
                        info!(
                            "{name}: still waiting for vpcd at {addr} ({e}) after {:.0}s",
                            now.duration_since(*since).as_secs_f64()
                        );
                        *last = now;
                    }
                    Some(_) => debug!("{name}: vpcd at {addr}: {e}"),
                }
                if stop.sleep(backoff) {
                    return Ok(());
                }
                backoff = (backoff * 2).min(cfg.max_backoff);
            }
        }
    }
}

fn serve_listen(
    cfg: &SlotConfig,
    card: &mut dyn VirtualCard,
    stop: &Shutdown,
) -> Result<(), BridgeError> {
    let name = &cfg.name;
    let addrs = resolve(cfg)?;
    let listen_err = |source: io::Error| BridgeError::Listen {
        slot: cfg.name.clone(),
        addr: cfg.addr.clone(),
        source,
    };
    let listener = TcpListener::bind(addrs.as_slice()).map_err(listen_err)?;
    listener.set_nonblocking(true).map_err(listen_err)?;
    let local = listener
        .local_addr()
        .map_or_else(|_| cfg.addr.clone(), |a| a.to_string());
    info!("{name}: listening on {local} for vpcd (reversed mode)");
    loop {
        if stop.is_triggered() {
            return Ok(());
        }
        match listener.accept() {
            Ok((stream, peer)) => {
                if let Err(e) = stream.set_nonblocking(false) {
                    warn!("{name}: connection from {peer} unusable ({e})");
                    continue;
                }
                info!("{name}: vpcd connected from {peer}: card inserted");
                let end = session(stream, card, name, stop);
                card.power_off();
                match end {
                    End::Shutdown => return Ok(()),
                    End::Closed => warn!("{name}: vpcd ({peer}) closed the connection: card removed; waiting for vpcd again"),
                    End::Failed(e) => warn!("{name}: connection from vpcd ({peer}) failed ({e}): card removed; waiting for vpcd again"),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if stop.sleep(Duration::from_millis(50)) {
                    return Ok(());
                }
            }
            Err(e) => {
                warn!("{name}: accepting a connection on {local} failed ({e})");
                if stop.sleep(Duration::from_millis(200)) {
                    return Ok(());
                }
            }
        }
    }
}

/// Several slots served from one process, one thread each.
pub struct Bridge {
    threads: Vec<(String, JoinHandle<Result<(), BridgeError>>)>,
    stop: Shutdown,
}

/// A card the bridge can move into a slot's thread.
pub type SlotCard = Box<dyn VirtualCard + Send>;

impl Bridge {
    /// Start one thread per slot. A slot that fails (bad address, listen error) triggers `stop`
    /// for all of them.
    pub fn spawn(slots: Vec<(SlotConfig, SlotCard)>, stop: &Shutdown) -> Bridge {
        let mut threads = Vec::new();
        for (i, (cfg, mut card)) in slots.into_iter().enumerate() {
            let name = cfg.name.clone();
            let thread_stop = stop.clone();
            let spawned = thread::Builder::new()
                .name(format!("vpcd-slot-{i}"))
                .spawn(move || {
                    let r = serve_slot(&cfg, &mut card, &thread_stop);
                    if r.is_err() {
                        thread_stop.trigger();
                    }
                    r
                });
            match spawned {
                Ok(h) => threads.push((name, h)),
                Err(e) => {
                    warn!("{name}: cannot start a thread ({e})");
                    stop.trigger();
                }
            }
        }
        Bridge {
            threads,
            stop: stop.clone(),
        }
    }

    /// The shutdown handle.
    pub fn shutdown_handle(&self) -> &Shutdown {
        &self.stop
    }

    /// Wait for every slot to stop (after [`Shutdown::trigger`], or a slot's fatal error);
    /// the first error, if any.
    pub fn join(self) -> Result<(), BridgeError> {
        let mut first = Ok(());
        for (slot, h) in self.threads {
            let r = h.join().unwrap_or(Err(BridgeError::Panicked { slot }));
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_addresses() {
        assert_eq!(
            slot_address("127.0.0.1:35963", 1).unwrap(),
            "127.0.0.1:35964"
        );
        assert_eq!(slot_address("[::1]:40000", 0).unwrap(), "[::1]:40000");
        assert_eq!(slot_address("localhost:100", 2).unwrap(), "localhost:102");
        assert!(slot_address("35963", 0).is_err());
        assert!(slot_address(":35963", 0).is_err());
        assert!(slot_address("h:65535", 1).is_err());
    }

    #[test]
    fn shutdown_wakes_sleepers() {
        let s = Shutdown::new();
        let s2 = s.clone();
        let t = thread::spawn(move || s2.sleep(Duration::from_secs(30)));
        thread::sleep(Duration::from_millis(20));
        s.trigger();
        assert!(t.join().unwrap());
        assert!(s.sleep(Duration::from_secs(30)));
    }
}
