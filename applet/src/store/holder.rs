//! One card, one holder: a card file (or another file a session writes, such as a pcap trace) is
//! held by one process for its whole session, like a physical card that sits in one reader.
//!
//! The lock is an exclusive `flock` on a sibling lock file `.NAME.lock` in the same directory.
//! The card file itself cannot carry the lock: every atomic save renames a new file over it, and a
//! lock on the replaced inode would protect nothing. The operating system releases the lock when
//! the holder exits or dies (SIGKILL included), so a crashed holder never strands the card. The
//! lock file stays behind (removing it would race with a process about to lock it); it holds the
//! holder's pid and subcommand, for the message a second process prints. vusim's own choice; no
//! specification covers host-side card ownership.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a file could not be held.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HoldError {
    /// Another process holds the file.
    #[error("{kind} {} is in use by {holder}{}", path.display(), waited_text(*.waited))]
    InUse {
        /// What the file is: `card`, `trace file`.
        kind: &'static str,
        /// The held file.
        path: PathBuf,
        /// Who holds it: `pid P (vusim serve …)`, as the holder recorded it.
        holder: String,
        /// How long this process waited before giving up.
        waited: Duration,
    },
    /// The lock file could not be created, locked or written.
    #[error("{}: {what}: {source}", lock.display())]
    Io {
        /// The lock file.
        lock: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

fn waited_text(waited: Duration) -> String {
    if waited.is_zero() {
        String::new()
    } else {
        format!(
            " (waited {:.1} s; --wait SECS to wait longer)",
            waited.as_secs_f64()
        )
    }
}

/// The lock file of `path`: `.NAME.lock` beside it.
pub fn lock_path(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.lock"))
}

/// What the holder writes into the lock file: its pid and the program and subcommand it runs
/// (never the rest of the command line, which may carry PINs or keys).
fn holder_text() -> String {
    let mut args = std::env::args_os();
    let program = args
        .next()
        .map(|a| {
            Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let sub = args.next().map(|a| a.to_string_lossy().into_owned());
    let more = if args.next().is_some() { " …" } else { "" };
    let what = match sub {
        Some(sub) => format!("{program} {sub}{more}"),
        None => program,
    };
    format!("pid {} ({what})", std::process::id())
}

/// Size of the holder record at the start of the lock file.
const RECORD_LEN: usize = 128;

/// [`holder_text`] padded with spaces to [`RECORD_LEN`] bytes (cut at a character boundary if
/// longer), ending in a newline.
fn holder_record() -> Vec<u8> {
    let mut text = holder_text();
    while text.len() > RECORD_LEN - 1 {
        text.pop();
    }
    let mut record = format!("{text:<width$}", width = RECORD_LEN - 1).into_bytes();
    record.push(b'\n');
    record
}

/// An exclusive hold on a file, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Holder {
    lock: File,
    lock_path: PathBuf,
}

impl Holder {
    /// Hold `path` (a `kind` of file, named so in the refusal: `card`, `trace file`), waiting
    /// up to `wait` for another holder to let go (zero: fail at once).
    pub fn acquire(path: &Path, kind: &'static str, wait: Duration) -> Result<Holder, HoldError> {
        let lock_path = lock_path(path);
        let io = |what: &'static str| {
            let lock = lock_path.clone();
            move |source| HoldError::Io { lock, what, source }
        };
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let lock = opts.open(&lock_path).map_err(io("opening the lock file"))?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let waited = started.elapsed();
                    if waited >= wait {
                        return Err(HoldError::InUse {
                            kind,
                            path: path.to_path_buf(),
                            holder: read_holder(&lock),
                            waited: wait,
                        });
                    }
                    std::thread::sleep(pause.min(wait.saturating_sub(waited)));
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(TryLockError::Error(e)) => return Err(io("locking the lock file")(e)),
            }
        }
        // Who holds it, for the message a waiting process prints: one fixed-size record written
        // in place (no truncation, so no metadata change on the hot path of every --card
        // command). Best effort: on a full disk the hold stands and the message says "another
        // process".
        let _ = lock.write_all_at(&holder_record(), 0);
        Ok(Holder { lock, lock_path })
    }

    /// The lock file.
    pub fn lock_path(&self) -> &Path {
        &self.lock_path
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes the order explicit.
        let _ = self.lock.unlock();
    }
}

/// The holder as recorded in the lock file, or a neutral phrase while it is still being written.
fn read_holder(lock: &File) -> String {
    let mut record = [0u8; RECORD_LEN];
    let text = match lock.read_at(&mut record, 0) {
        Ok(n) => String::from_utf8_lossy(record.get(..n).unwrap_or_default()).into_owned(),
        Err(_) => String::new(),
    };
    match text.trim() {
        "" => "another process".to_string(),
        t => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_is_a_hidden_sibling() {
        assert_eq!(
            lock_path(Path::new("/tmp/cards/my.toml")),
            PathBuf::from("/tmp/cards/.my.toml.lock")
        );
        assert_eq!(
            lock_path(Path::new("card.toml")),
            PathBuf::from("./.card.toml.lock")
        );
    }

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = std::env::temp_dir().join(format!("vusim-holder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let card = dir.join("card.toml");
        let first = Holder::acquire(&card, "card", Duration::ZERO).expect("first holder");
        let e = Holder::acquire(&card, "card", Duration::from_millis(30)).expect_err("held");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "card {} is in use by pid {} (",
                card.display(),
                std::process::id()
            )),
            "{text}"
        );
        assert!(text.contains("waited 0.0 s"), "{text}");
        drop(first);
        let again = Holder::acquire(&card, "card", Duration::ZERO).expect("free again");
        assert_eq!(again.lock_path(), lock_path(&card));
        drop(again);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
