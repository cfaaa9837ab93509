//! The card-internal key store shared by applets (the Java Card "shareable interface" analogue): Ks_int_NAF entries (TS 33.220 Annex G.2), and the keys the experimental API applets derive or store. Key bytes never leave the card.

use zeroize::Zeroizing;

/// What a stored key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyKind {
    /// Ks_int_NAF from a GBA_U NAF derivation (id = NAF_Id, reference = B-TID).
    KsIntNaf,
    /// K_AF from UICC-based AKMA (id = AF_ID, reference = A-KID).
    KAf,
    /// A combined key e2e_key = KDF(Ks_NAF, Ka) (id = key name, reference = the base key id).
    E2e,
    /// A key or data blob unwrapped into the card (id = name, reference = the wrapping key id).
    Stored,
    /// K_AKMA from the 5G AKMA AUTHENTICATE context (id = A-TID, reference = A-KID).
    KAkma,
    /// A secret unwrapped under a K_AF by the AKMA API applet (id = `80 AF_ID 84 name`,
    /// reference = A-KID). A kind of its own, so no GBA_U API command can reach it.
    AkmaStored,
    /// The IoT Ks of TR 33.863 solution #11 (id empty, reference = RAND of the AKA).
    IotKs,
    /// An IoT K_app (id = AS_ID, reference = RAND_AS).
    IotKapp,
}

/// One key in the store.
#[derive(Clone)]
pub struct KeyEntry {
    /// Kind.
    pub kind: KeyKind,
    /// Identifier (NAF_Id, AF_ID, name).
    pub id: Vec<u8>,
    /// Reference the outside world uses (B-TID, A-KID …).
    pub reference: Vec<u8>,
    /// The key or blob.
    pub key: Zeroizing<Vec<u8>>,
    /// Card time after which it is unusable.
    pub expires: Option<u64>,
    /// A slot the owner uses (EF_GBANL record for Ks_int_NAF).
    pub slot: u8,
    /// Recency: higher is more recently derived or used.
    pub last_used: u64,
}

impl KeyEntry {
    /// Usable at card time `now`.
    pub fn valid_at(&self, now: u64) -> bool {
        self.expires.is_none_or(|t| now < t)
    }
}

/// Saved form of one entry (hex strings).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedKey {
    /// Kind.
    pub kind: KeyKind,
    /// Identifier, hex.
    pub id: String,
    /// Reference, hex.
    pub reference: String,
    /// Key bytes, hex.
    pub key: String,
    /// Expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<u64>,
    /// Slot.
    pub slot: u8,
    /// Recency.
    pub last_used: u64,
}

/// The key store.
#[derive(Clone, Default)]
pub struct KeyStore {
    entries: Vec<KeyEntry>,
    counter: u64,
    /// The open transaction (one per APDU an applet processes), if any.
    tx: Option<Transaction>,
}

/// One APDU's transaction: the recency counter as it was, and an undo log of the changes
/// (removed entries are moved into the log, never copied; most commands change nothing).
#[derive(Clone)]
struct Transaction {
    counter: u64,
    undo: Vec<Undo>,
}

/// One change, as its undoing needs it.
#[derive(Clone)]
enum Undo {
    /// An entry was appended.
    Pushed,
    /// The entry at this index was removed.
    Removed(usize, KeyEntry),
    /// The entry at this index had this recency.
    Touched(usize, u64),
    /// The whole store was replaced (restore from a saved image).
    Replaced(Vec<KeyEntry>),
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyStore {{ {} entries }}", self.entries.len())
    }
}

impl KeyStore {
    /// Open a transaction: until [`KeyStore::commit`] or [`KeyStore::rollback`], the first
    /// change keeps a copy of the store as it was (Java Card's transaction around an applet's
    /// `process`).
    pub fn begin(&mut self) {
        self.tx = Some(Transaction {
            counter: self.counter,
            undo: Vec::new(),
        });
    }

    /// Keep the changes of the open transaction.
    pub fn commit(&mut self) {
        self.tx = None;
    }

    /// Undo the changes of the open transaction.
    pub fn rollback(&mut self) {
        let Some(tx) = self.tx.take() else {
            return;
        };
        for undo in tx.undo.into_iter().rev() {
            match undo {
                Undo::Pushed => {
                    self.entries.pop();
                }
                Undo::Removed(i, entry) => self.entries.insert(i.min(self.entries.len()), entry),
                Undo::Touched(i, last_used) => {
                    if let Some(e) = self.entries.get_mut(i) {
                        e.last_used = last_used;
                    }
                }
                Undo::Replaced(entries) => self.entries = entries,
            }
        }
        self.counter = tx.counter;
    }

    /// Note a change for the open transaction, if any.
    fn log(&mut self, undo: Undo) {
        if let Some(tx) = &mut self.tx {
            tx.undo.push(undo);
        }
    }

    /// Remove the entry at `i` (moved into the undo log): its slot.
    fn remove_at(&mut self, i: usize) -> Option<u8> {
        if i >= self.entries.len() {
            return None;
        }
        let old = self.entries.remove(i);
        let slot = old.slot;
        self.log(Undo::Removed(i, old));
        Some(slot)
    }

    /// Entries of a kind, most recently used first.
    pub fn of_kind(&self, kind: KeyKind) -> Vec<&KeyEntry> {
        let mut v: Vec<&KeyEntry> = self.entries.iter().filter(|e| e.kind == kind).collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.last_used));
        v
    }

    /// The entry of a kind with this id.
    pub fn get(&self, kind: KeyKind, id: &[u8]) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.kind == kind && e.id == id)
    }

    /// Mark an entry used (moves it to the front of the recency list).
    pub fn touch(&mut self, kind: KeyKind, id: &[u8]) {
        self.counter += 1;
        let c = self.counter;
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.kind == kind && e.id == id)
        {
            if let Some(e) = self.entries.get_mut(i) {
                let before = std::mem::replace(&mut e.last_used, c);
                self.log(Undo::Touched(i, before));
            }
        }
    }

    /// Insert or replace by (kind, id), as the most recent entry. With `capacity`, a full set of
    /// that kind loses its least recently used entry first (TS 33.220 Annex G.2); the slot of the
    /// replaced or evicted entry is reused, else the lowest free slot in 1..=capacity.
    /// Returns the slot.
    pub fn put(&mut self, mut entry: KeyEntry, capacity: Option<u8>) -> u8 {
        self.counter += 1;
        entry.last_used = self.counter;
        let kind = entry.kind;
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.kind == kind && e.id == entry.id)
        {
            if let Some(slot) = self.remove_at(i) {
                entry.slot = slot;
            }
        } else if let Some(cap) = capacity {
            let used: Vec<u8> = self
                .entries
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| e.slot)
                .collect();
            match (1..=cap).find(|s| !used.contains(s)) {
                Some(free) => entry.slot = free,
                None => {
                    let lru = self
                        .entries
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.kind == kind)
                        .min_by_key(|(_, e)| e.last_used)
                        .map(|(i, e)| (i, e.slot));
                    if let Some((i, slot)) = lru {
                        self.remove_at(i);
                        entry.slot = slot;
                    }
                }
            }
        }
        let slot = entry.slot;
        self.entries.push(entry);
        self.log(Undo::Pushed);
        slot
    }

    /// Remove every entry of a kind whose reference matches (e.g. keys of a replaced bootstrap).
    pub fn remove_where(&mut self, pred: impl Fn(&KeyEntry) -> bool) {
        let mut i = 0;
        while let Some(e) = self.entries.get(i) {
            if pred(e) {
                self.remove_at(i);
            } else {
                i += 1;
            }
        }
    }

    /// Saved form.
    pub fn save(&self) -> Vec<SavedKey> {
        self.entries
            .iter()
            .map(|e| SavedKey {
                kind: e.kind,
                id: hex::encode_upper(&e.id),
                reference: hex::encode_upper(&e.reference),
                key: hex::encode_upper(e.key.as_slice()),
                expires: e.expires,
                slot: e.slot,
                last_used: e.last_used,
            })
            .collect()
    }

    /// Restore the saved form.
    pub fn restore(&mut self, saved: &[SavedKey]) -> Result<(), String> {
        if self.tx.is_some() {
            let before = std::mem::take(&mut self.entries);
            self.log(Undo::Replaced(before));
        }
        let h =
            |s: &str, what: &str| hex::decode(s).map_err(|_| format!("keys: {what} is not hex"));
        self.entries.clear();
        for s in saved {
            self.counter = self.counter.max(s.last_used);
            self.entries.push(KeyEntry {
                kind: s.kind,
                id: h(&s.id, "id")?,
                reference: h(&s.reference, "reference")?,
                key: Zeroizing::new(h(&s.key, "key")?),
                expires: s.expires,
                slot: s.slot,
                last_used: s.last_used,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: KeyKind, id: u8, key: u8) -> KeyEntry {
        KeyEntry {
            kind,
            id: vec![id],
            reference: Vec::new(),
            key: Zeroizing::new(vec![key; 16]),
            expires: None,
            slot: 0,
            last_used: 0,
        }
    }

    fn keys(s: &KeyStore) -> Vec<(u8, u8, u64)> {
        s.save()
            .iter()
            .map(|k| {
                let b = |h: &str| {
                    hex::decode(h)
                        .ok()
                        .and_then(|v| v.first().copied())
                        .unwrap_or(0)
                };
                (b(&k.id), b(&k.key), k.last_used)
            })
            .collect()
    }

    #[test]
    fn a_rolled_back_transaction_leaves_the_store_as_it_was() {
        let mut s = KeyStore::default();
        s.put(entry(KeyKind::Stored, 1, 0xAA), None);
        let before = keys(&s);
        assert_eq!(before, vec![(1, 0xAA, 1)]);
        // Changes of every kind, then a rollback: entries and the recency counter come back.
        s.begin();
        s.put(entry(KeyKind::Stored, 1, 0xBB), None);
        s.put(entry(KeyKind::IotKs, 2, 0xCC), None);
        s.touch(KeyKind::Stored, &[1]);
        s.remove_where(|e| e.kind == KeyKind::IotKs);
        s.rollback();
        assert_eq!(keys(&s), before);
        s.put(entry(KeyKind::Stored, 3, 0xDD), None);
        assert_eq!(keys(&s), vec![(1, 0xAA, 1), (3, 0xDD, 2)]);
        // A committed transaction keeps its changes, and a later rollback has nothing to undo.
        s.begin();
        s.remove_where(|e| e.id == [3]);
        s.commit();
        s.rollback();
        assert_eq!(keys(&s), before);
        // A transaction without changes rolls back to the same store.
        s.begin();
        s.rollback();
        assert_eq!(keys(&s), before);
    }

    #[test]
    fn rollback_restores_order_slots_and_evicted_entries() {
        let mut s = KeyStore::default();
        for id in 1..=3 {
            s.put(entry(KeyKind::KsIntNaf, id, id), Some(3));
        }
        s.put(entry(KeyKind::IotKs, 9, 9), None);
        let before = s.save();
        s.begin();
        // An eviction (capacity 3: the least recently used NAF key goes), a replacement, two
        // non-adjacent removals and a restore from an image.
        s.put(entry(KeyKind::KsIntNaf, 4, 4), Some(3));
        s.put(entry(KeyKind::KsIntNaf, 3, 0x33), Some(3));
        s.remove_where(|e| e.id == [2] || e.kind == KeyKind::IotKs);
        s.touch(KeyKind::KsIntNaf, &[4]);
        assert_ne!(s.save(), before);
        s.rollback();
        assert_eq!(s.save(), before);
        s.begin();
        s.restore(&[]).ok();
        assert!(s.save().is_empty());
        s.rollback();
        assert_eq!(s.save(), before);
    }
}
