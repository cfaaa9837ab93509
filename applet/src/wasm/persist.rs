//! A loadable applet's persistent store (docs/applets.md §4.6): the analogue of a Java Card applet's persistent objects, as explicit key/value entries with a quota (vusim's own design), saved with the card image.

use std::collections::BTreeMap;

use super::abi::E;

/// Longest key.
pub const MAX_KEY: usize = 32;
/// Longest value.
pub const MAX_VALUE: usize = 1024;
/// Most entries.
pub const MAX_ENTRIES: usize = 32;
/// Most bytes of keys and values together.
pub const MAX_BYTES: usize = 8192;

/// The entries, in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Persistent {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Persistent {
    /// The value of `key`.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// Insert or replace, within the quota.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> Result<(), E> {
        if key.is_empty() || key.len() > MAX_KEY || value.len() > MAX_VALUE {
            return Err(E::Length);
        }
        let old = self.entries.get(key).map_or(0, |v| key.len() + v.len());
        let fresh = !self.entries.contains_key(key);
        if fresh && self.entries.len() >= MAX_ENTRIES {
            return Err(E::Full);
        }
        if self.bytes() - old + key.len() + value.len() > MAX_BYTES {
            return Err(E::Full);
        }
        self.entries.insert(key.to_vec(), value.to_vec());
        Ok(())
    }

    /// Remove `key`.
    pub fn delete(&mut self, key: &[u8]) -> Result<(), E> {
        self.entries.remove(key).map(|_| ()).ok_or(E::NotFound)
    }

    /// The `index`-th key in byte order.
    pub fn key_at(&self, index: usize) -> Option<&[u8]> {
        self.entries.keys().nth(index).map(Vec::as_slice)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn bytes(&self) -> usize {
        self.entries.iter().map(|(k, v)| k.len() + v.len()).sum()
    }

    /// Saved form: hex key = hex value.
    pub fn save(&self) -> toml::Table {
        self.entries
            .iter()
            .map(|(k, v)| {
                (
                    hex::encode_upper(k),
                    toml::Value::String(hex::encode_upper(v)),
                )
            })
            .collect()
    }

    /// Restore the saved form, checking the limits.
    pub fn restore(table: &toml::Table) -> Result<Persistent, String> {
        let mut p = Persistent::default();
        for (k, v) in table {
            let key = hex::decode(k).map_err(|_| format!("store key {k:?}: not hex"))?;
            let value = v
                .as_str()
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| format!("store entry {k}: value is not a hex string"))?;
            p.put(&key, &value)
                .map_err(|_| format!("store entry {k}: beyond the store's limits"))?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_and_round_trip() {
        let mut p = Persistent::default();
        assert_eq!(p.put(b"", b"x"), Err(E::Length));
        assert_eq!(p.put(&[1; 33], b"x"), Err(E::Length));
        assert_eq!(p.put(b"k", &[0; 1025]), Err(E::Length));
        for i in 0..7u8 {
            assert_eq!(p.put(&[i], &[0; 1024]), Ok(()));
        }
        // 7 × 1025 = 7175 bytes; another 1025 would pass 8192.
        assert_eq!(p.put(&[7], &[0; 1024]), Err(E::Full));
        // Replacing an entry counts its old size out.
        assert_eq!(p.put(&[6], &[1; 1024]), Ok(()));
        assert_eq!(p.key_at(0), Some(&[0u8][..]));
        assert_eq!(p.key_at(7), None);
        let back = Persistent::restore(&p.save()).expect("restores");
        assert_eq!(back, p);
        assert_eq!(p.delete(&[9]), Err(E::NotFound));
        let mut many = Persistent::default();
        for i in 0..32u8 {
            assert_eq!(many.put(&[i], b""), Ok(()));
        }
        assert_eq!(many.put(&[40], b""), Err(E::Full));
    }
}
