//! APDU traces as GSMTAP: pcap files and live UDP, as Wireshark's GSM SIM dissector reads them.
//!
//! Each APDU exchange is one GSMTAP version 2 frame of type `GSMTAP_TYPE_SIM` (0x04), sub-type
//! APDU (0), whose payload is the command APDU ‖ the response (data ‖ SW1 SW2), as osmocom's
//! SIMtrace sends them. The frame goes in UDP to port 4729 ([`GSMTAP_PORT`]): live with
//! [`GsmtapSender`], or in a pcap file ([`PcapWriter`]) inside IPv4/UDP with an Ethernet header
//! ([`LinkType::Ethernet`]) or as raw IP ([`LinkType::RawIp`]). [`Tracer`] writes to either or
//! both; `tshark -r FILE` or Wireshark shows the APDUs as "GSM SIM".
//!
//! One file can hold several cards: the GSMTAP timeslot field carries the slot (reader) number,
//! and in pcap files slot `n` sends from 127.0.0.`n+1` (Wireshark 4.0 hides the GSMTAP header of
//! SIM frames, so filter with `ip.src == 127.0.0.2` for slot 1).
//!
//! Traces hold every byte, PINs and AUTHENTICATE responses included: they are for test cards.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use vusim_applet::store::holder::Holder;

/// The IANA-assigned GSMTAP UDP port.
pub const GSMTAP_PORT: u16 = 4729;
/// GSMTAP version written.
pub const GSMTAP_VERSION: u8 = 2;
/// `GSMTAP_TYPE_SIM`: ISO 7816 / TS 102 221 APDUs.
pub const GSMTAP_TYPE_SIM: u8 = 0x04;
/// `GSMTAP_SIM_APDU`: a command APDU followed by its response.
pub const GSMTAP_SIM_APDU: u8 = 0x00;
/// Length of the GSMTAP v2 header.
pub const GSMTAP_HEADER_LEN: usize = 16;

/// Largest GSMTAP frame that fits one IPv4/UDP datagram.
const MAX_GSMTAP: usize = 65_535 - 20 - 8;

/// A trace could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The pcap file could not be created or written.
    #[error("{path}: {what}: {source}")]
    Pcap {
        /// The file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// Another process is writing the same trace file.
    #[error(transparent)]
    InUse(#[from] vusim_applet::store::holder::HoldError),
    /// The GSMTAP destination is not `HOST[:PORT]` or does not resolve.
    #[error("GSMTAP destination {addr:?}: {problem}")]
    Address {
        /// The destination given.
        addr: String,
        /// What is wrong.
        problem: String,
    },
    /// A live GSMTAP datagram could not be sent.
    #[error("GSMTAP to {addr}: {source}")]
    Send {
        /// The destination.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
}

/// One GSMTAP SIM frame: the 16-byte v2 header ‖ command ‖ response. `slot` goes in the
/// timeslot field. Frames longer than a UDP datagram are cut to fit.
pub fn gsmtap_sim(slot: u8, command: &[u8], response: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(GSMTAP_HEADER_LEN + command.len() + response.len());
    f.extend_from_slice(&[
        GSMTAP_VERSION,
        (GSMTAP_HEADER_LEN / 4) as u8, // header length in 32-bit words
        GSMTAP_TYPE_SIM,
        slot, // timeslot
        0,
        0, // ARFCN
        0, // signal dBm
        0, // SNR dB
        0,
        0,
        0,
        0, // frame number
        GSMTAP_SIM_APDU,
        0, // antenna
        0, // sub-slot
        0, // reserved
    ]);
    f.extend_from_slice(command);
    f.extend_from_slice(response);
    f.truncate(MAX_GSMTAP);
    f
}

/// The pcap link-layer type of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkType {
    /// `LINKTYPE_ETHERNET` (1): Ethernet II ‖ IPv4 ‖ UDP ‖ GSMTAP.
    #[default]
    Ethernet,
    /// `LINKTYPE_RAW` (101): IPv4 ‖ UDP ‖ GSMTAP.
    RawIp,
}

impl LinkType {
    fn code(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::RawIp => 101,
        }
    }
}

/// IPv4 ‖ UDP (127.0.0.`slot+1`:4729 → 127.0.0.1:4729, no UDP checksum) around `payload`.
fn ipv4_udp(payload: &[u8], ident: u16, slot: u8) -> Vec<u8> {
    let udp_len = 8 + payload.len();
    let total = 20 + udp_len;
    let mut p = Vec::with_capacity(total);
    let total16 = u16::try_from(total).unwrap_or(u16::MAX);
    let udp16 = u16::try_from(udp_len).unwrap_or(u16::MAX);
    p.extend_from_slice(&[0x45, 0x00]);
    p.extend_from_slice(&total16.to_be_bytes());
    p.extend_from_slice(&ident.to_be_bytes());
    p.extend_from_slice(&[0x40, 0x00, 64, 17, 0, 0]); // DF, TTL 64, UDP, checksum below
    p.extend_from_slice(&[127, 0, 0, slot.saturating_add(1), 127, 0, 0, 1]);
    let sum = ipv4_checksum(&p);
    if let Some(c) = p.get_mut(10..12) {
        c.copy_from_slice(&sum.to_be_bytes());
    }
    p.extend_from_slice(&GSMTAP_PORT.to_be_bytes());
    p.extend_from_slice(&GSMTAP_PORT.to_be_bytes());
    p.extend_from_slice(&udp16.to_be_bytes());
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(payload);
    p
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|c| match c {
            [a, b] => u32::from(u16::from_be_bytes([*a, *b])),
            [a] => u32::from(*a) << 8,
            _ => 0,
        })
        .sum();
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    !(sum as u16)
}

/// A pcap (libpcap 2.4, microsecond timestamps) writer of GSMTAP frames.
pub struct PcapWriter<W: Write> {
    out: W,
    link: LinkType,
    ident: u16,
}

impl<W: Write> PcapWriter<W> {
    /// Write the pcap file header to `out`.
    pub fn new(mut out: W, link: LinkType) -> io::Result<PcapWriter<W>> {
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        h.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        h.extend_from_slice(&65_535u32.to_le_bytes()); // snaplen
        h.extend_from_slice(&link.code().to_le_bytes());
        out.write_all(&h)?;
        Ok(PcapWriter {
            out,
            link,
            ident: 0,
        })
    }

    /// Append one GSMTAP frame (as from [`gsmtap_sim`]) captured at `when`, and flush. It is
    /// sent from 127.0.0.`ts+1` (`ts`: the frame's timeslot, the slot) to 127.0.0.1:4729.
    pub fn write_gsmtap(&mut self, when: SystemTime, gsmtap: &[u8]) -> io::Result<()> {
        self.ident = self.ident.wrapping_add(1);
        let gsmtap = gsmtap.get(..MAX_GSMTAP).unwrap_or(gsmtap);
        let mut pkt = Vec::with_capacity(14 + 28 + gsmtap.len());
        if self.link == LinkType::Ethernet {
            pkt.extend_from_slice(&[0; 12]); // destination and source MAC
            pkt.extend_from_slice(&0x0800u16.to_be_bytes());
        }
        let slot = gsmtap.get(3).copied().unwrap_or(0);
        pkt.extend_from_slice(&ipv4_udp(gsmtap, self.ident, slot));
        let since = when.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = u32::try_from(since.as_secs()).unwrap_or(u32::MAX);
        let len = u32::try_from(pkt.len()).unwrap_or(u32::MAX);
        let mut rec = Vec::with_capacity(16 + pkt.len());
        rec.extend_from_slice(&secs.to_le_bytes());
        rec.extend_from_slice(&since.subsec_micros().to_le_bytes());
        rec.extend_from_slice(&len.to_le_bytes());
        rec.extend_from_slice(&len.to_le_bytes());
        rec.extend_from_slice(&pkt);
        self.out.write_all(&rec)?;
        self.out.flush()
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Live GSMTAP over UDP (e.g. to a Wireshark listening on the loopback interface).
#[derive(Debug)]
pub struct GsmtapSender {
    socket: UdpSocket,
    dest: SocketAddr,
}

impl GsmtapSender {
    /// Send to `addr`: `HOST:PORT`, or `HOST` for port 4729.
    pub fn new(addr: &str) -> Result<GsmtapSender, TraceError> {
        let bad = |problem: String| TraceError::Address {
            addr: addr.to_string(),
            problem,
        };
        let with_port = if addr.parse::<std::net::IpAddr>().is_ok() || !addr.contains(':') {
            // A bare IPv4/IPv6 address or host name.
            match addr.parse::<std::net::Ipv6Addr>() {
                Ok(_) => format!("[{addr}]:{GSMTAP_PORT}"),
                Err(_) => format!("{addr}:{GSMTAP_PORT}"),
            }
        } else {
            addr.to_string()
        };
        let dest = with_port
            .to_socket_addrs()
            .map_err(|e| bad(e.to_string()))?
            .next()
            .ok_or_else(|| bad("resolves to no address".into()))?;
        let local: SocketAddr = match (dest.is_ipv4(), dest.ip().is_loopback()) {
            (true, true) => ([127, 0, 0, 1], 0).into(),
            (true, false) => ([0, 0, 0, 0], 0).into(),
            (false, true) => (std::net::Ipv6Addr::LOCALHOST, 0).into(),
            (false, false) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local).map_err(|e| bad(e.to_string()))?;
        Ok(GsmtapSender { socket, dest })
    }

    /// The destination.
    pub fn dest(&self) -> SocketAddr {
        self.dest
    }

    /// Send one GSMTAP frame.
    pub fn send(&self, gsmtap: &[u8]) -> Result<(), TraceError> {
        self.socket
            .send_to(gsmtap, self.dest)
            .map(|_| ())
            .map_err(|source| TraceError::Send {
                addr: self.dest,
                source,
            })
    }
}

/// Where APDU exchanges are traced: a pcap file, live GSMTAP, both, or nowhere.
#[derive(Default)]
pub struct Tracer {
    pcap: Option<(PathBuf, PcapWriter<BufWriter<File>>)>,
    pcap_hold: Option<Holder>,
    live: Option<GsmtapSender>,
}

impl std::fmt::Debug for Tracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracer")
            .field("pcap", &self.pcap.as_ref().map(|(p, _)| p))
            .field("live", &self.live)
            .finish()
    }
}

impl Tracer {
    /// A tracer that writes nothing.
    pub fn new() -> Tracer {
        Tracer::default()
    }

    /// Also write a pcap file (created or truncated; Ethernet link type). The file is held for
    /// the tracer's life like a card file: a second process tracing to it is refused.
    pub fn with_pcap(mut self, path: &Path) -> Result<Tracer, TraceError> {
        let err = |what: &'static str| {
            let path = path.to_path_buf();
            move |source| TraceError::Pcap { path, what, source }
        };
        self.pcap_hold = Some(Holder::acquire(path, "trace file", Duration::ZERO)?);
        let file = File::create(path).map_err(err("creating the pcap file"))?;
        let w = PcapWriter::new(BufWriter::new(file), LinkType::Ethernet)
            .map_err(err("writing the pcap header"))?;
        self.pcap = Some((path.to_path_buf(), w));
        Ok(self)
    }

    /// Also send live GSMTAP to `addr` (`HOST:PORT` or `HOST`, port 4729).
    pub fn with_gsmtap(mut self, addr: &str) -> Result<Tracer, TraceError> {
        self.live = Some(GsmtapSender::new(addr)?);
        Ok(self)
    }

    /// True if anything is written.
    pub fn is_active(&self) -> bool {
        self.pcap.is_some() || self.live.is_some()
    }

    /// Trace one exchange (command ‖ response) of slot `slot`, now. Writes to every
    /// destination even if one fails; the first error is returned.
    pub fn exchange(
        &mut self,
        slot: u8,
        command: &[u8],
        response: &[u8],
    ) -> Result<(), TraceError> {
        if !self.is_active() {
            return Ok(());
        }
        let frame = gsmtap_sim(slot, command, response);
        let mut result = Ok(());
        if let Some((path, w)) = &mut self.pcap {
            if let Err(source) = w.write_gsmtap(SystemTime::now(), &frame) {
                result = Err(TraceError::Pcap {
                    path: path.clone(),
                    what: "writing a packet",
                    source,
                });
            }
        }
        if let Some(live) = &self.live {
            let r = live.send(&frame);
            if result.is_ok() {
                result = r;
            }
        }
        result
    }
}

/// A [`Tracer`] shared between slots or threads (one per slot in `vusim serve`), cheap to clone;
/// a no-op when it writes nowhere. A failed write never fails an exchange: the first one is
/// handed to the `warn` function given at creation, later ones are dropped.
#[derive(Clone, Default)]
pub struct SharedTracer {
    inner: Option<Arc<Shared>>,
}

struct Shared {
    tracer: Mutex<Tracer>,
    failed: AtomicBool,
    warn: fn(&TraceError),
}

impl SharedTracer {
    /// Share `tracer`; `warn` receives the first write error.
    pub fn new(tracer: Tracer, warn: fn(&TraceError)) -> SharedTracer {
        SharedTracer {
            inner: tracer.is_active().then(|| {
                Arc::new(Shared {
                    tracer: Mutex::new(tracer),
                    failed: AtomicBool::new(false),
                    warn,
                })
            }),
        }
    }

    /// True if exchanges are written somewhere.
    pub fn is_active(&self) -> bool {
        self.inner.is_some()
    }

    /// Trace one exchange of slot (reader) `slot`.
    pub fn exchange(&self, slot: u8, command: &[u8], response: &[u8]) {
        let Some(inner) = &self.inner else {
            return;
        };
        let r = inner
            .tracer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .exchange(slot, command, response);
        if let Err(e) = r {
            if !inner.failed.swap(true, Ordering::Relaxed) {
                (inner.warn)(&e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsmtap_header() {
        let f = gsmtap_sim(
            1,
            &[0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00],
            &[0x61, 0x1C],
        );
        assert_eq!(
            hex::encode_upper(&f),
            "0204040100000000000000000000000000A40004023F00611C"
        );
    }

    #[test]
    fn pcap_layout() {
        let mut w = PcapWriter::new(Vec::new(), LinkType::Ethernet).unwrap();
        let frame = gsmtap_sim(
            1,
            &[0x00, 0xB0, 0x00, 0x00, 0x02],
            &[0x12, 0x34, 0x90, 0x00],
        );
        let t = UNIX_EPOCH + std::time::Duration::from_micros(1_700_000_000_123_456);
        w.write_gsmtap(t, &frame).unwrap();
        let out = w.into_inner();
        assert_eq!(&out[..4], &[0xD4, 0xC3, 0xB2, 0xA1]);
        assert_eq!(&out[20..24], &1u32.to_le_bytes());
        let rec = &out[24..];
        assert_eq!(&rec[0..4], &1_700_000_000u32.to_le_bytes());
        assert_eq!(&rec[4..8], &123_456u32.to_le_bytes());
        let len = 14 + 20 + 8 + frame.len();
        assert_eq!(&rec[8..12], &(len as u32).to_le_bytes());
        let pkt = &rec[16..];
        assert_eq!(pkt.len(), len);
        assert_eq!(&pkt[12..14], &[0x08, 0x00]);
        let ip = &pkt[14..34];
        assert_eq!(ipv4_checksum(ip), 0, "header checksum verifies");
        assert_eq!(
            &ip[12..20],
            &[127, 0, 0, 2, 127, 0, 0, 1],
            "slot 1 sends from .2"
        );
        assert_eq!(&pkt[36..38], &GSMTAP_PORT.to_be_bytes());
        assert_eq!(&pkt[42..], frame.as_slice());
    }

    #[test]
    fn live_gsmtap() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = rx.local_addr().unwrap().port();
        let mut t = Tracer::new()
            .with_gsmtap(&format!("127.0.0.1:{port}"))
            .unwrap();
        t.exchange(0, &[0x00, 0x70, 0x00, 0x00, 0x01], &[0x01, 0x90, 0x00])
            .unwrap();
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(n, GSMTAP_HEADER_LEN + 8);
        assert_eq!(buf[2], GSMTAP_TYPE_SIM);
        assert!(GsmtapSender::new("localhost").unwrap().dest().port() == GSMTAP_PORT);
        assert!(GsmtapSender::new("::1").unwrap().dest().is_ipv6());
    }
}
