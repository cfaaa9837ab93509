//! A private `pcscd` whose only readers are vpcd slots on chosen ports, for tests and benchmarks.
//!
//! pcscd's client socket (`/run/pcscd/pcscd.comm`) is machine-wide, so only one pcscd can run
//! at a time: callers share one [`PrivatePcscd`] and run their PC/SC work serially. It is
//! started as `pcscd -f -c DIR` where `DIR` holds the reader.conf entries written by
//! [`reader_conf`]. Dropping it stops the daemon (SIGTERM, then SIGKILL), also when a test fails.
//!
//! How many slots (measured with pcsc-lite 1.9.9 and vsmartcard-vpcd 3.3, Debian 12):
//! - one reader.conf entry (`FRIENDLYNAME`, `CHANNELID PORT`) gives **two** slots, `NAME 00 00`
//!   on `PORT` and `NAME 00 01` on `PORT + 1`: the driver's `vicc_max_slots` is 2, fixed when
//!   vpcd is built;
//! - a second entry with the same `LIBPATH` does not work: pcscd loads the driver once and the
//!   driver keeps its connections in one static array indexed by the slot number only, so the
//!   second entry's readers reach the first entry's cards (or nothing). Each further entry
//!   needs its own copy of the driver file (a separate `dlopen` instance) and its own
//!   `FRIENDLYNAME` (readers with one name all come out as `NAME 00 0x`);
//! - pcscd serves at most [`MAX_SLOTS`] readers (`PCSCLITE_MAX_READERS_CONTEXTS` = 16, every
//!   slot counts as one); further entries are silently not started.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The machine-wide pcscd client socket.
pub const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
/// Where Debian installs the vpcd driver.
pub const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// Slots of one vpcd reader entry (the driver's `vicc_max_slots` in Debian's build).
pub const SLOTS_PER_ENTRY: u8 = 2;
/// The most readers one pcscd serves (pcsc-lite's `PCSCLITE_MAX_READERS_CONTEXTS`).
pub const MAX_SLOTS: u8 = 16;

/// A private pcscd could not be started or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PcscdError {
    /// pcscd or the vpcd driver is not installed.
    #[error("{what} not found ({path}); install it with: apt-get install pcscd vsmartcard-vpcd")]
    Missing {
        /// What is missing.
        what: &'static str,
        /// Where it was looked for.
        path: String,
    },
    /// Another pcscd holds the machine-wide socket.
    #[error("another pcscd is running (pid {pid}); stop it first: only one pcscd can run per machine ({PCSCD_SOCKET})")]
    AlreadyRunning {
        /// Its process id.
        pid: u32,
    },
    /// An I/O error (config directory, spawning).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: io::Error,
    },
    /// More slots asked for than pcscd serves.
    #[error("{slots} slots asked for: pcscd serves at most {MAX_SLOTS} readers (PCSCLITE_MAX_READERS_CONTEXTS), every vpcd slot is one")]
    TooManySlots {
        /// The number asked for.
        slots: u8,
    },
    /// The daemon did not open its vpcd ports in time.
    #[error("pcscd did not start listening on vpcd port {port} within {secs}s; its log: {log}")]
    NotReady {
        /// The port waited for.
        port: u16,
        /// Seconds waited.
        secs: u64,
        /// The daemon's log file.
        log: String,
    },
}

/// A running private pcscd with vpcd slots only.
#[derive(Debug)]
pub struct PrivatePcscd {
    child: Option<Child>,
    dir: PathBuf,
    name: String,
    port: u16,
    slots: u8,
    pcscd: PathBuf,
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> PcscdError {
    let what = what.into();
    move |source| PcscdError::Io { what, source }
}

/// The pid of a running pcscd, from `/proc` (none if no process named pcscd runs).
pub fn running_pcscd() -> Option<u32> {
    let entries = fs::read_dir("/proc").ok()?;
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Ok(comm) = fs::read_to_string(e.path().join("comm")) {
            if comm.trim() == "pcscd" {
                // Zombies (exited, not yet reaped) do not count.
                let state = fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                let zombie = state
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
                if !zombie {
                    return Some(pid);
                }
            }
        }
    }
    None
}

/// True if something listens on TCP `port` (any address), from `/proc/net/tcp{,6}`. Used
/// instead of a probe connection, which vpcd would take for a card.
pub fn port_listening(port: u16) -> bool {
    let want = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|f| {
        fs::read_to_string(f).is_ok_and(|text| {
            text.lines().skip(1).any(|l| {
                let mut cols = l.split_whitespace();
                let local = cols.nth(1).unwrap_or_default();
                let state = cols.nth(1).unwrap_or_default();
                local.ends_with(&want) && state == "0A"
            })
        })
    })
}

/// The reader name of vpcd slot `slot` in a configuration written by [`reader_conf`]: entry
/// `slot / 2` is named `NAME` (entry 0) or `NAME E`, and pcscd appends `00 0S`.
pub fn reader_name(name: &str, slot: u8) -> String {
    let entry = slot / SLOTS_PER_ENTRY;
    let s = slot % SLOTS_PER_ENTRY;
    if entry == 0 {
        format!("{name} 00 {s:02X}")
    } else {
        format!("{name} {entry} 00 {s:02X}")
    }
}

/// Write a reader.conf file `conf_dir/vpcd` for `slots` vpcd slots on ports `port` …
/// `port + slots - 1` (rounded up to whole entries of two), and the driver copies the entries
/// after the first need (`driver_dir/libifdvpcd-E.so`; see the module documentation).
pub fn reader_conf(
    conf_dir: &Path,
    driver_dir: &Path,
    name: &str,
    port: u16,
    slots: u8,
) -> Result<(), PcscdError> {
    if slots > MAX_SLOTS {
        return Err(PcscdError::TooManySlots { slots });
    }
    fs::create_dir_all(conf_dir).map_err(io_err(format!("creating {}", conf_dir.display())))?;
    let mut text = String::new();
    for entry in 0..slots.div_ceil(SLOTS_PER_ENTRY).max(1) {
        let (friendly, lib) = if entry == 0 {
            (name.to_string(), PathBuf::from(VPCD_DRIVER))
        } else {
            fs::create_dir_all(driver_dir)
                .map_err(io_err(format!("creating {}", driver_dir.display())))?;
            let copy = driver_dir.join(format!("libifdvpcd-{entry}.so"));
            fs::copy(VPCD_DRIVER, &copy).map_err(io_err(format!(
                "copying {VPCD_DRIVER} to {}",
                copy.display()
            )))?;
            (format!("{name} {entry}"), copy)
        };
        let p = port.saturating_add(u16::from(entry) * u16::from(SLOTS_PER_ENTRY));
        text.push_str(&format!(
            "FRIENDLYNAME \"{friendly}\"\nDEVICENAME /dev/null:0x{p:04X}\nLIBPATH {}\nCHANNELID 0x{p:04X}\n\n",
            lib.display()
        ));
    }
    let file = conf_dir.join("vpcd");
    fs::write(&file, text).map_err(io_err(format!("writing {}", file.display())))
}

impl PrivatePcscd {
    /// Start `pcscd -f -c DIR/reader.conf.d` with readers `NAME 00 00` (vpcd on `port`) and
    /// `NAME 00 01` (`port + 1`), and wait until both ports listen. `dir` is created.
    pub fn start(dir: &Path, name: &str, port: u16) -> Result<PrivatePcscd, PcscdError> {
        PrivatePcscd::start_slots(dir, name, port, SLOTS_PER_ENTRY)
    }

    /// Like [`PrivatePcscd::start`] with `slots` slots (up to [`MAX_SLOTS`]) on ports `port` …
    /// `port + slots - 1`, named as [`reader_name`] says.
    pub fn start_slots(
        dir: &Path,
        name: &str,
        port: u16,
        slots: u8,
    ) -> Result<PrivatePcscd, PcscdError> {
        let pcscd = ["/usr/sbin/pcscd", "/usr/bin/pcscd", "/sbin/pcscd"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or(PcscdError::Missing {
                what: "pcscd",
                path: "/usr/sbin/pcscd".into(),
            })?;
        if !Path::new(VPCD_DRIVER).exists() {
            return Err(PcscdError::Missing {
                what: "the vpcd driver",
                path: VPCD_DRIVER.into(),
            });
        }
        let slots = slots.max(SLOTS_PER_ENTRY);
        reader_conf(
            &dir.join("reader.conf.d"),
            &dir.join("drivers"),
            name,
            port,
            slots,
        )?;
        let mut p = PrivatePcscd {
            child: None,
            dir: dir.to_path_buf(),
            name: name.to_string(),
            port,
            slots,
            pcscd,
        };
        p.launch()?;
        Ok(p)
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("pcscd.log")
    }

    fn launch(&mut self) -> Result<(), PcscdError> {
        if let Some(pid) = running_pcscd() {
            return Err(PcscdError::AlreadyRunning { pid });
        }
        let log_path = self.log_path();
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_err(format!("opening {}", log_path.display())))?;
        let log2 = log
            .try_clone()
            .map_err(io_err("duplicating the log file"))?;
        let child = Command::new(&self.pcscd)
            .arg("-f")
            .arg("-c")
            .arg(self.dir.join("reader.conf.d"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(io_err(format!("starting {}", self.pcscd.display())))?;
        self.child = Some(child);
        let secs = 10;
        let deadline = Instant::now() + Duration::from_secs(secs);
        let ports: Vec<u16> = (0..self.slots).map(|s| self.port(s)).collect();
        while !ports.iter().all(|p| port_listening(*p)) {
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
                .is_some();
            if exited || Instant::now() > deadline {
                self.stop();
                return Err(PcscdError::NotReady {
                    port: self.port,
                    secs,
                    log: log_path.display().to_string(),
                });
            }
            thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// The reader name of slot `slot`: `NAME 00 0<slot>` for slots 0 and 1 (see
    /// [`reader_name`]).
    pub fn reader(&self, slot: u8) -> String {
        reader_name(&self.name, slot)
    }

    /// The number of slots.
    pub fn slots(&self) -> u8 {
        self.slots
    }

    /// vpcd's port for slot `slot`.
    pub fn port(&self, slot: u8) -> u16 {
        self.port.saturating_add(u16::from(slot))
    }

    /// The daemon's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The daemon's log file (stdout and stderr).
    pub fn log(&self) -> PathBuf {
        self.log_path()
    }

    /// Stop the daemon: SIGTERM (via `kill`), then SIGKILL after 3 s.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if matches!(child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(3);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stop and start again (as a system update or an idle exit would).
    pub fn restart(&mut self) -> Result<(), PcscdError> {
        self.stop();
        self.launch()
    }
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        self.stop();
    }
}
