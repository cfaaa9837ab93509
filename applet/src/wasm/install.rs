//! Installing loadable applets (the Java Card 3 installer's role, for modules carried in the card file): `[[loadable]]` profile entries into applets, `vusim card install` (check the module, resolve its AID and label, refuse duplicates, rebuild the card with the applet and save it) and `vusim card applets` (the list).

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::abi::ModuleError;
use super::applet::WasmApplet;
use super::meta::{aid_ok, label_ok};
use crate::api::toolkit::ApiRng;
use crate::card::applet::Applet;
use crate::profile::sections::LoadableEntry;
use crate::profile::{err, Profile, ProfileError};
use crate::store::{DurableCard, StoreError};

/// Why `card install` refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The module was refused.
    #[error(transparent)]
    Module(#[from] ModuleError),
    /// A bad AID, label or parameter, or a clash with an application on the card.
    #[error("{0}")]
    Request(String),
    /// The card with the applet does not build (EF.DIR full …) or could not be saved.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The card with the applet does not build.
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

/// What `card install` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The module file's name (messages, `card applets`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// AID (else the module's).
    pub aid: Option<Vec<u8>>,
    /// Label (else the module's, else `WASM-` and the AID's last four bytes).
    pub label: Option<String>,
    /// Install parameters.
    pub params: Vec<u8>,
}

/// One loadable applet as `card applets` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// AID.
    pub aid: Vec<u8>,
    /// Label.
    pub label: String,
    /// Module file name when installed.
    pub name: String,
    /// Module size.
    pub size: usize,
    /// SHA-256 of the module, hex.
    pub sha256: String,
    /// Declared instruction names.
    pub ins: Vec<(u8, String)>,
}

/// `AID  label  module (N bytes, sha256 …)`, then `    INS xx name` for each declared
/// instruction (`vusim card install` and `vusim card applets`).
impl std::fmt::Display for Listed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}  {}  {} ({} bytes, sha256 {})",
            hex::encode_upper(&self.aid),
            self.label,
            self.name,
            self.size,
            self.sha256
        )?;
        for (ins, name) in &self.ins {
            write!(f, "\n    INS {ins:02X} {name}")?;
        }
        Ok(())
    }
}

fn default_label(aid: &[u8]) -> String {
    let tail = aid.get(aid.len().saturating_sub(4)..).unwrap_or_default();
    format!("WASM-{}", hex::encode_upper(tail))
}

/// An entry's module bytes, checked, with its AID and label resolved.
struct Resolved {
    checked: super::Checked,
    aid: Vec<u8>,
    label: String,
    params: Vec<u8>,
    bytes_len: usize,
    sha256: String,
}

fn resolve(file: &str, key: &str, e: &LoadableEntry) -> Result<Resolved, ProfileError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(e.module.trim())
        .map_err(|_| err(file, key, "module: not base64"))?;
    let name = e.name.clone().unwrap_or_else(|| format!("{file} {key}"));
    let checked = super::check(&name, &bytes).map_err(|m| err(file, key, m.to_string()))?;
    let aid = match &e.aid {
        Some(h) => hex::decode(h)
            .ok()
            .filter(|a| aid_ok(a))
            .ok_or_else(|| err(file, key, "aid: expected 5 to 16 bytes of hex"))?,
        None => checked
            .meta
            .aid
            .clone()
            .ok_or_else(|| err(file, key, "no aid, and the module declares none"))?,
    };
    let label = match &e.label {
        Some(l) if label_ok(l) => l.clone(),
        Some(_) => return Err(err(file, key, "label: 1 to 32 printable ASCII characters")),
        None => checked
            .meta
            .label
            .clone()
            .unwrap_or_else(|| default_label(&aid)),
    };
    let params = match &e.params {
        Some(h) => hex::decode(h).map_err(|_| err(file, key, "params: not hex"))?,
        None => Vec::new(),
    };
    Ok(Resolved {
        sha256: hex::encode(Sha256::digest(&bytes)),
        bytes_len: bytes.len(),
        checked,
        aid,
        label,
        params,
    })
}

/// The applets of a profile's `[[loadable]]` entries, in order. Errors name `loadable[i]`.
pub fn loadable(p: &Profile, file: &str) -> Result<Vec<Box<dyn Applet>>, ProfileError> {
    let mut out: Vec<Box<dyn Applet>> = Vec::new();
    for (i, e) in p.loadable.iter().enumerate() {
        let key = format!("loadable[{i}]");
        let r = resolve(file, &key, e)?;
        let seed_label = r
            .checked
            .meta
            .seed_label
            .clone()
            .unwrap_or_else(|| r.label.clone());
        let rng = ApiRng::for_profile(p, file, seed_label.as_bytes())?;
        let name = e.name.clone().unwrap_or_else(|| key.clone());
        out.push(Box::new(WasmApplet::new(
            name,
            r.checked.module,
            r.checked.meta,
            r.aid,
            r.label,
            r.params,
            rng,
        )));
    }
    Ok(out)
}

/// The loadable applets of a profile, for `card applets`.
pub fn list(p: &Profile, file: &str) -> Result<Vec<Listed>, ProfileError> {
    p.loadable
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let key = format!("loadable[{i}]");
            let r = resolve(file, &key, e)?;
            Ok(Listed {
                aid: r.aid,
                label: r.label,
                name: e.name.clone().unwrap_or(key),
                size: r.bytes_len,
                sha256: r.sha256,
                ins: r.checked.meta.ins.into_iter().collect(),
            })
        })
        .collect()
}

/// Install a module into a held card: check it, resolve its AID and label, refuse a clash with
/// an application already on the card, rebuild the card with the applet (its `install` runs)
/// and save it. Returns the applet as listed.
pub fn install(card: &mut DurableCard, req: &Request) -> Result<Listed, InstallError> {
    let checked = super::check(&req.name, &req.bytes)?;
    let aid = match &req.aid {
        Some(a) if aid_ok(a) => a.clone(),
        Some(a) => {
            return Err(InstallError::Request(format!(
                "--aid: an AID is 5 to 16 bytes, got {}",
                a.len()
            )))
        }
        None => checked.meta.aid.clone().ok_or_else(|| {
            InstallError::Request(format!(
                "{}: the module declares no AID; give --aid",
                req.name
            ))
        })?,
    };
    let label = req
        .label
        .clone()
        .or_else(|| checked.meta.label.clone())
        .unwrap_or_else(|| default_label(&aid));
    if !label_ok(&label) {
        return Err(InstallError::Request(
            "--label: 1 to 32 printable ASCII characters".into(),
        ));
    }
    for (a, l) in card.card().applications() {
        if a == aid.as_slice() {
            return Err(InstallError::Request(format!(
                "AID {} is already on this card ({l})",
                hex::encode_upper(&aid)
            )));
        }
        if l == label {
            return Err(InstallError::Request(format!(
                "label {label} is already on this card"
            )));
        }
    }
    let entry = LoadableEntry {
        module: base64::engine::general_purpose::STANDARD.encode(&req.bytes),
        name: Some(req.name.clone()),
        aid: Some(hex::encode_upper(&aid)),
        label: Some(label.clone()),
        params: (!req.params.is_empty()).then(|| hex::encode_upper(&req.params)),
    };
    let mut next = card.profile().clone();
    next.loadable.push(entry);
    card.rebuild(next)?;
    Ok(Listed {
        aid,
        label,
        name: req.name.clone(),
        size: req.bytes.len(),
        sha256: hex::encode(Sha256::digest(&req.bytes)),
        ins: checked.meta.ins.into_iter().collect(),
    })
}
