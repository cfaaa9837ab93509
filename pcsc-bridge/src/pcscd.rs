//! A private `pcscd` whose only readers are vpcd slots on chosen ports, for tests and benchmarks.
//!
//! pcscd's client socket (`/run/pcscd/pcscd.comm`) is machine-wide, so only one pcscd can run
//! at a time: callers share one [`PrivatePcscd`] and run their PC/SC work serially. It is
//! started as `pcscd -f -c DIR` where `DIR` holds one reader.conf entry (`FRIENDLYNAME NAME`,
//! `CHANNELID PORT`), which gives two readers, `NAME 00 00` on `PORT` and `NAME 00 01` on
//! `PORT + 1`. Dropping it stops the daemon (SIGTERM, then SIGKILL), also when a test fails.

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

/// A running private pcscd with one vpcd reader entry (two slots).
#[derive(Debug)]
pub struct PrivatePcscd {
    child: Option<Child>,
    dir: PathBuf,
    name: String,
    port: u16,
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

impl PrivatePcscd {
    /// Start `pcscd -f -c DIR/reader.conf.d` with readers `NAME 00 00` (vpcd on `port`) and
    /// `NAME 00 01` (`port + 1`), and wait until both ports listen. `dir` is created.
    pub fn start(dir: &Path, name: &str, port: u16) -> Result<PrivatePcscd, PcscdError> {
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
        let conf = dir.join("reader.conf.d");
        fs::create_dir_all(&conf).map_err(io_err(format!("creating {}", conf.display())))?;
        let entry = format!(
            "FRIENDLYNAME \"{name}\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:04X}\n"
        );
        let file = conf.join("vpcd");
        fs::write(&file, entry).map_err(io_err(format!("writing {}", file.display())))?;
        let mut p = PrivatePcscd {
            child: None,
            dir: dir.to_path_buf(),
            name: name.to_string(),
            port,
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
        while !(port_listening(self.port) && port_listening(self.port.saturating_add(1))) {
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

    /// The reader name of slot `slot` (0 or 1): `NAME 00 0<slot>`.
    pub fn reader(&self, slot: u8) -> String {
        format!("{} 00 {slot:02X}", self.name)
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
