//! The card's durable state as one serialisable image: changed EF contents, deactivated files, PIN states and applet states.

use std::collections::BTreeMap;

use super::security::PinState;
use super::Card;
use crate::fs::tree::{NodeId, MF};

/// Everything about a card that commands can change and that must survive a restart.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardImage {
    /// EF contents that differ from the profile's, keyed `SCOPE:FID/FID…` (e.g. `USIM:6F07`,
    /// `MF:2F05`, `USIM:5FC0/4F01`), as hex.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Files in the deactivated state, same keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deactivated: Vec<String>,
    /// PIN values and counters.
    #[serde(default)]
    pub pins: Vec<PinState>,
    /// Applet states by label (`USIM` …).
    #[serde(default)]
    pub apps: BTreeMap<String, toml::Table>,
    /// The card-internal key store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<super::keystore::SavedKey>,
}

impl Card {
    /// The key naming a file in an image.
    fn file_key(&self, id: NodeId) -> String {
        let node = self.fs.node(id);
        let scope = node
            .and_then(|n| n.adf)
            .and_then(|adf| self.apps.iter().find(|a| a.adf == Some(adf)))
            .map_or("MF", |a| a.applet.label());
        let path: Vec<String> = self
            .fs
            .path(id)
            .into_iter()
            .filter(|fid| *fid != crate::fs::tables::fid::CURRENT_ADF)
            .map(|f| format!("{f:04X}"))
            .collect();
        format!("{scope}:{}", path.join("/"))
    }

    /// The current durable state.
    pub fn image(&self) -> CardImage {
        let mut img = CardImage::default();
        for (id, node) in self.fs.iter() {
            if id == MF {
                continue;
            }
            if let Some(data) = self.fs.data(id) {
                if self.baseline.get(id).and_then(Option::as_deref) != Some(data) {
                    img.files.insert(self.file_key(id), hex::encode_upper(data));
                }
            }
            if !node.active {
                img.deactivated.push(self.file_key(id));
            }
        }
        img.pins = self.security.snapshot();
        img.keys = self.keys.save();
        for a in &self.apps {
            if let Some(t) = a.applet.save_state() {
                img.apps.insert(a.applet.label().to_string(), t);
            }
        }
        img
    }

    /// Apply a saved image on top of the card as built from its profile.
    pub fn restore_image(&mut self, img: &CardImage) -> Result<(), String> {
        let keys: BTreeMap<String, NodeId> = self
            .fs
            .iter()
            .map(|(id, _)| (self.file_key(id), id))
            .collect();
        for (key, hexdata) in &img.files {
            let id = *keys
                .get(key)
                .ok_or_else(|| format!("state file {key}: no such file on this card"))?;
            let bytes = hex::decode(hexdata)
                .map_err(|_| format!("state file {key}: contents are not hex"))?;
            let data = self
                .fs
                .data_mut(id)
                .ok_or_else(|| format!("state file {key}: not an elementary file"))?;
            if bytes.len() != data.len() {
                return Err(format!(
                    "state file {key}: {} bytes, the file has {}",
                    bytes.len(),
                    data.len()
                ));
            }
            *data = bytes;
        }
        for key in &img.deactivated {
            let id = *keys
                .get(key)
                .ok_or_else(|| format!("deactivated {key}: no such file on this card"))?;
            if let Some(n) = self.fs.node_mut(id) {
                n.active = false;
            }
        }
        self.security.restore(&img.pins)?;
        self.keys.restore(&img.keys)?;
        for (label, table) in &img.apps {
            let app = self
                .apps
                .iter_mut()
                .find(|a| a.applet.label() == label)
                .ok_or_else(|| format!("state of application {label}: not on this card"))?;
            app.applet
                .restore_state(table)
                .map_err(|e| format!("state of application {label}: {e}"))?;
        }
        Ok(())
    }
}
