//! Building a [`Card`] from its parts: the MF table, the applets in EF.DIR order (TS 102 221
//! §13.1), the PINs, content overrides, EF.ARR from the access rules; then power-up.

use rand::rngs::StdRng;
use rand::SeedableRng;
use vusim_apdu::atr::Atr;
use vusim_apdu::t0::T0Adapter;

use super::applet::{service_available, Applet};
use super::fcp::ArrTable;
use super::security::Security;
use super::{default_atr, keystore, AppEntry, Card, Clock, Transport, CHANNELS};
use crate::fs::spec::DfSpec;
use crate::fs::tree::{BuildError, FileTree, MF};

/// Builds a [`Card`]: the MF table, the applets (in EF.DIR order) and the PINs.
pub struct CardBuilder {
    mf: &'static DfSpec,
    apps: Vec<Box<dyn Applet>>,
    security: Security,
    atr: Atr,
    seed: Option<u64>,
    overrides: Vec<(String, Vec<u16>, Vec<u8>)>,
}

/// Why a card could not be built from its parts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardBuildError {
    /// The file table is inconsistent.
    #[error(transparent)]
    Table(#[from] BuildError),
    /// EF.DIR has no record (or too short a record) for an application.
    #[error("EF.DIR has no room for application {application} ({records} records)")]
    EfDirFull {
        /// The application's label.
        application: String,
        /// EF.DIR's number of records.
        records: usize,
    },
    /// A content override names a file the card does not have.
    #[error(
        "{scope}:{path}: no such file on this card (absent, or gated off by the service table)"
    )]
    NoSuchFile {
        /// `MF` or an application label.
        scope: String,
        /// FID path.
        path: String,
    },
    /// A content override has the wrong size.
    #[error("{scope}:{path}: {got} bytes given, the file holds {size} (records: a multiple of the record length up to the file size)")]
    BadSize {
        /// `MF` or an application label.
        scope: String,
        /// FID path.
        path: String,
        /// Bytes given.
        got: usize,
        /// File size.
        size: usize,
    },
}

fn path_text(path: &[u16]) -> String {
    path.iter()
        .map(|f| format!("{f:04X}"))
        .collect::<Vec<_>>()
        .join("/")
}

impl CardBuilder {
    /// A card with this MF table.
    pub fn new(mf: &'static DfSpec) -> CardBuilder {
        CardBuilder {
            mf,
            apps: Vec::new(),
            security: Security::default(),
            atr: default_atr(),
            seed: None,
            overrides: Vec::new(),
        }
    }

    /// Replace the initial contents of a file: `scope` is `MF` or an application label, `path`
    /// the FIDs below it. Shorter contents are padded with `FF`.
    pub fn file(mut self, scope: &str, path: &[u16], contents: Vec<u8>) -> CardBuilder {
        self.overrides
            .push((scope.to_string(), path.to_vec(), contents));
        self
    }

    /// Register an application (one line per prototype applet).
    pub fn applet(mut self, applet: Box<dyn Applet>) -> CardBuilder {
        self.apps.push(applet);
        self
    }

    /// The PINs and ADM keys.
    pub fn security(mut self, security: Security) -> CardBuilder {
        self.security = security;
        self
    }

    /// Seed the card's random generator (reproducible GET CHALLENGE and tests).
    pub fn seed(mut self, seed: u64) -> CardBuilder {
        self.seed = Some(seed);
        self
    }

    /// Another ATR.
    pub fn atr(mut self, atr: Atr) -> CardBuilder {
        self.atr = atr;
        self
    }

    /// Instantiate the file system, EF.DIR and EF.ARR, and power the card up.
    pub fn build(self) -> Result<Card, CardBuildError> {
        let mut fs = FileTree::new(self.mf)?;
        let mut apps = Vec::new();
        for applet in self.apps {
            let adf = match applet.adf() {
                Some(spec) => {
                    // Service gating reads the service table: the override if any, else the default.
                    let fid = applet.service_table_fid();
                    let overridden = self
                        .overrides
                        .iter()
                        .find(|(scope, path, _)| {
                            scope == applet.label() && fid.is_some_and(|f| path.as_slice() == [f])
                        })
                        .map(|(_, _, v)| v.clone());
                    let table = match overridden {
                        Some(v) => v,
                        None => fid
                            .and_then(|fid| spec.efs.iter().find(|e| e.fid == fid))
                            .map(crate::fs::tree::default_contents)
                            .transpose()?
                            .unwrap_or_default(),
                    };
                    let has_table = applet.service_table_fid().is_some();
                    let gate = move |n: u16| !has_table || service_available(&table, n);
                    Some(fs.add_adf(spec, applet.aid(), &gate)?)
                }
                None => None,
            };
            apps.push(AppEntry {
                aid: applet.aid().to_vec(),
                applet,
                adf,
            });
        }
        for (scope, path, contents) in &self.overrides {
            let root = if scope == "MF" {
                Some(MF)
            } else {
                apps.iter()
                    .find(|a| a.applet.label() == scope)
                    .and_then(|a| a.adf)
            };
            let id = root
                .and_then(|r| path.iter().try_fold(r, |cur, fid| fs.child(cur, *fid)))
                .ok_or_else(|| CardBuildError::NoSuchFile {
                    scope: scope.clone(),
                    path: path_text(path),
                })?;
            let data = fs.data_mut(id).ok_or_else(|| CardBuildError::NoSuchFile {
                scope: scope.clone(),
                path: path_text(path),
            })?;
            if contents.len() > data.len() {
                return Err(CardBuildError::BadSize {
                    scope: scope.clone(),
                    path: path_text(path),
                    got: contents.len(),
                    size: data.len(),
                });
            }
            let mut padded = contents.clone();
            padded.resize(data.len(), 0xFF);
            *data = padded;
        }
        write_ef_dir(&mut fs, &apps)?;
        fs.shrink_to_fit();
        let arr = ArrTable::build(&fs);
        arr.write_records(&mut fs);
        let rng = match self.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let mut card = Card {
            fs,
            arr,
            apps,
            security: self.security,
            channels: [None; CHANNELS],
            transport: Transport::Direct,
            t0: T0Adapter::new(),
            atr: self.atr,
            rng,
            terminal_profile: Vec::new(),
            terminal_capability: Vec::new(),
            dirty: false,
            clock: Clock::default(),
            baseline: Vec::new(),
            keys: keystore::KeyStore::default(),
        };
        card.baseline = card
            .fs
            .iter()
            .map(|(id, _)| card.fs.data(id).map(<[u8]>::to_vec))
            .collect();
        card.reset();
        Ok(card)
    }
}

/// EF.DIR records: `61 L 4F L AID 50 L label` per application (TS 102 221 §13.1). Every
/// registered application must get its record: too few or too short records are an error.
fn write_ef_dir(fs: &mut FileTree, apps: &[AppEntry]) -> Result<(), CardBuildError> {
    let Some(ef) = fs.child(MF, crate::fs::tables::fid::EF_DIR) else {
        return Ok(());
    };
    let Some(rl) = fs
        .node(ef)
        .and_then(|n| n.ef_spec())
        .and_then(|s| match s.structure {
            crate::fs::spec::Structure::LinearFixed { record_len, .. } => {
                Some(usize::from(record_len))
            }
            _ => None,
        })
    else {
        return Ok(());
    };
    let Some(data) = fs.data_mut(ef) else {
        return Ok(());
    };
    for (i, app) in apps.iter().enumerate() {
        let label = app.applet.label().as_bytes();
        let inner = vusim_apdu::tlv::Tlv::constructed(
            0x61u32,
            &[
                vusim_apdu::tlv::Tlv::new(0x4Fu32, app.applet.aid().to_vec()),
                vusim_apdu::tlv::Tlv::new(0x50u32, label.to_vec()),
            ],
        )
        .encode();
        let records = data.len() / rl.max(1);
        let dst = (inner.len() <= rl)
            .then(|| data.get_mut(i * rl..i * rl + inner.len()))
            .flatten()
            .ok_or_else(|| CardBuildError::EfDirFull {
                application: app.applet.label().to_string(),
                records,
            })?;
        dst.copy_from_slice(&inner);
    }
    Ok(())
}
