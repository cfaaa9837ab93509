//! Durable cards: a profile file that is also the card's state, saved atomically (temp file, fsync, rename, fsync of the directory) before a response that depends on the change leaves the card.
//!
//! A card file is held by one process at a time ([`holder`]): [`DurableCard::open`] takes the
//! hold for as long as the `DurableCard` lives, so two processes never both work on copies of one
//! card (lost PIN-counter or SQN updates); [`DurableCard::read_unlocked`] reads without it and
//! never saves.

pub mod holder;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::card::Card;
use crate::profile::{Profile, ProfileError};
use holder::{HoldError, Holder};

/// A problem loading or saving a card file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file could not be read or written.
    #[error("{path}: {what}: {source}")]
    Io {
        /// The card file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file does not describe a valid card (never silently replaced by defaults).
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A saved card file whose digest line does not match its contents.
    #[error("{path}: {problem}")]
    Corrupt {
        /// The card file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// Another process holds the card, or the hold could not be taken.
    #[error(transparent)]
    Hold(#[from] HoldError),
    /// The state could not be serialised.
    #[error("{path}: cannot serialise the card state: {problem}")]
    Serialise {
        /// The card file.
        path: PathBuf,
        /// What went wrong.
        problem: String,
    },
}

/// Write `text` to `path` atomically with mode 0600: a crash leaves the old or the new file.
pub fn save_atomic(path: &Path, text: &str) -> Result<(), StoreError> {
    let io = |what: &'static str| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, what, source }
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp).map_err(io("creating the temporary file"))?;
        f.write_all(text.as_bytes())
            .map_err(io("writing the temporary file"))?;
        f.sync_all().map_err(io("syncing the temporary file"))?;
        drop(f);
        fs::rename(&tmp, path).map_err(io("renaming the temporary file over the card file"))?;
        if let Ok(d) = File::open(&dir) {
            d.sync_all().map_err(io("syncing the directory"))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// First-line marker of a card file written by vusim: `# vusim-state sha256=<hex>` over the rest
/// of the file. A file that carries it must match it, so a truncated or altered saved card is an
/// error instead of a card that silently lost (part of) its state. Hand-written profiles have no
/// marker; remove the line to accept hand edits to a saved card.
pub const DIGEST_MARKER: &str = "# vusim-state sha256=";

fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Prefix `body` with the digest line.
pub fn with_digest(body: &str) -> String {
    format!("{DIGEST_MARKER}{}\n{body}", sha256_hex(body))
}

/// Check and strip the digest line, if the file has one.
fn verify_digest<'a>(path: &Path, text: &'a str) -> Result<&'a str, StoreError> {
    let bad = |problem: &str| StoreError::Corrupt {
        path: path.to_path_buf(),
        problem: problem.to_string(),
    };
    if !text.starts_with("# vusim-state") {
        return Ok(text);
    }
    let (first, body) = text
        .split_once('\n')
        .ok_or_else(|| bad("truncated in its first line"))?;
    let digest = first
        .strip_prefix(DIGEST_MARKER)
        .ok_or_else(|| bad("malformed `# vusim-state` line"))?;
    if digest.len() != 64 || digest != sha256_hex(body) {
        return Err(bad(
            "contents do not match the saved state digest (truncated or altered; \
             to accept hand edits, delete the first line)",
        ));
    }
    Ok(body)
}

/// Remove `.NAME.tmp.<pid>` files that a process killed during a save left next to the card file
/// (full copies of the card, keys included). Files of processes still alive are kept: they may
/// be mid-save.
fn remove_stale_temporaries(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.tmp.");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if cfg!(target_os = "linux") && !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Read and check a card file: its profile and the card it describes.
fn load(path: &Path) -> Result<(Profile, Card), StoreError> {
    let text = fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        what: "reading the card file",
        source,
    })?;
    let name = path.display().to_string();
    let body = verify_digest(path, &text)?;
    let profile = Profile::from_toml(body, &name)?;
    let card = profile.build_card(&name)?;
    Ok((profile, card))
}

/// A card backed by a profile file (`--card FILE`), or by the embedded default (in memory).
pub struct DurableCard {
    card: Card,
    profile: Profile,
    /// The card file and the hold on it; `None` for the embedded card and for read-only views.
    file: Option<(PathBuf, Holder)>,
    /// The card file a read-only view came from (never saved to).
    read_from: Option<PathBuf>,
}

impl DurableCard {
    /// The embedded default card, in memory only.
    pub fn embedded() -> Result<DurableCard, StoreError> {
        let profile = Profile::embedded_default();
        let card = profile.build_card("<embedded default>")?;
        Ok(DurableCard {
            card,
            profile,
            file: None,
            read_from: None,
        })
    }

    /// Hold and load a card file: its profile and saved state. Fails at once if another process
    /// holds the card ([`DurableCard::open_waiting`] waits). Errors name the file and never fall
    /// back to defaults.
    pub fn open(path: &Path) -> Result<DurableCard, StoreError> {
        Self::open_waiting(path, Duration::ZERO)
    }

    /// Hold and load a card file, waiting up to `wait` for another holder to let go. The hold
    /// lasts as long as the returned card.
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<DurableCard, StoreError> {
        let holder = Holder::acquire(path, "card", wait)?;
        remove_stale_temporaries(path);
        let (profile, card) = load(path)?;
        Ok(DurableCard {
            card,
            profile,
            file: Some((path.to_path_buf(), holder)),
            read_from: None,
        })
    }

    /// Load a card file without holding it, for reading only (`vusim card show`): the atomic
    /// save means the file read is a whole saved state, old or new. Nothing is ever saved.
    pub fn read_unlocked(path: &Path) -> Result<DurableCard, StoreError> {
        let (profile, card) = load(path)?;
        Ok(DurableCard {
            card,
            profile,
            file: None,
            read_from: Some(path.to_path_buf()),
        })
    }

    /// Hold and open `path` if given (waiting up to `wait`), else the embedded default.
    pub fn open_or_default(path: Option<&Path>, wait: Duration) -> Result<DurableCard, StoreError> {
        match path {
            Some(p) => Self::open_waiting(p, wait),
            None => Self::embedded(),
        }
    }

    /// The card.
    pub fn card(&self) -> &Card {
        &self.card
    }

    /// The card, mutably (changes made this way are saved by the next [`DurableCard::commit`]).
    pub fn card_mut(&mut self) -> &mut Card {
        &mut self.card
    }

    /// The profile (with the state last saved).
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The card file, if any (held, or read without a hold).
    pub fn path(&self) -> Option<&Path> {
        self.file
            .as_ref()
            .map(|(p, _)| p.as_path())
            .or(self.read_from.as_deref())
    }

    /// Save the card's state if it changed. On failure the card is rolled back to the last saved
    /// state, so memory and file agree.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        if !self.card.take_dirty() {
            return Ok(());
        }
        let Some(path) = self.file.as_ref().map(|(p, _)| p.clone()) else {
            return Ok(());
        };
        let mut next = self.profile.clone();
        next.state = Some(self.card.image());
        let saved = next
            .to_toml()
            .map_err(|problem| StoreError::Serialise {
                path: path.clone(),
                problem,
            })
            .and_then(|text| save_atomic(&path, &with_digest(&text)));
        match saved {
            Ok(()) => {
                self.profile = next;
                Ok(())
            }
            Err(e) => {
                if let Ok(card) = self.profile.build_card(&path.display().to_string()) {
                    self.card = card;
                }
                Err(e)
            }
        }
    }

    /// Replace the profile (e.g. with an applet added), keeping the card's current state: the
    /// card is rebuilt from `profile` with that state (install steps of new applets run) and
    /// saved. On an error nothing changes.
    pub fn rebuild(&mut self, mut profile: Profile) -> Result<(), StoreError> {
        let name = self.path().map_or_else(
            || "<embedded default>".to_string(),
            |p| p.display().to_string(),
        );
        let before = profile.state.take();
        profile.state = Some(self.card.image());
        let mut card = profile.build_card(&name)?;
        profile.state = before;
        card.mark_dirty();
        let (old_card, old_profile) = (
            std::mem::replace(&mut self.card, card),
            std::mem::replace(&mut self.profile, profile),
        );
        if let Err(e) = self.commit() {
            self.card = old_card;
            self.profile = old_profile;
            return Err(e);
        }
        Ok(())
    }

    /// One exchange: the card processes the APDU, durable changes are saved, then the response
    /// is returned. A failed save returns the error instead of the response.
    pub fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, StoreError> {
        let r = self.card.transmit_bytes(apdu);
        self.commit()?;
        Ok(r)
    }
}

/// The in-process card as a script transport (the ME driver and the script runner): every
/// response leaves after the state it depends on is saved.
impl vusim_apdu::script::Transport for DurableCard {
    type Error = StoreError;

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, StoreError> {
        DurableCard::transmit(self, apdu)
    }

    fn reset(&mut self) -> Result<Vec<u8>, StoreError> {
        Ok(self.card.reset())
    }
}
