//! PINs, ADM keys, retry and unblock counters, and the security status (TS 102 221 §9).

use std::collections::{BTreeMap, BTreeSet};

use subtle::ConstantTimeEq;
use vusim_apdu::StatusWord;
use zeroize::Zeroizing;

use crate::fs::spec::Rule;
use crate::fs::tree::NodeId;

/// Key reference of PIN1, the application PIN (TS 102 221 §9.5.1).
pub const KEY_PIN1: u8 = 0x01;
/// Key reference of the Universal PIN.
pub const KEY_UNIVERSAL_PIN: u8 = 0x11;
/// Key reference of PIN2, the second application PIN (local).
pub const KEY_PIN2: u8 = 0x81;
/// Key reference of ADM1.
pub const KEY_ADM1: u8 = 0x0A;

/// True for a local key reference (`8X`): its verification belongs to one application.
pub const fn is_local(key_ref: u8) -> bool {
    key_ref & 0x80 != 0
}

/// One PIN or ADM key with its counters.
#[derive(Clone)]
pub struct Pin {
    /// Key reference.
    pub key_ref: u8,
    value: Zeroizing<[u8; 8]>,
    /// Maximum retries.
    pub max_retries: u8,
    /// Retries left (0 = blocked).
    pub retries: u8,
    /// Whether verification is required (PIN enabled).
    pub enabled: bool,
    /// Whether DISABLE PIN is allowed for it.
    pub can_disable: bool,
    unblock: Option<Zeroizing<[u8; 8]>>,
    /// Maximum unblock retries.
    pub unblock_max: u8,
    /// Unblock retries left (0 = permanently blocked).
    pub unblock_retries: u8,
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pin")
            .field("key_ref", &format_args!("{:02X}", self.key_ref))
            .field("retries", &self.retries)
            .field("enabled", &self.enabled)
            .field("unblock_retries", &self.unblock_retries)
            .finish_non_exhaustive()
    }
}

/// PIN text as sent in VERIFY: ASCII digits padded with `FF` to 8 bytes (TS 102 221 §9.5.4.2).
pub fn pad_pin(pin: &[u8]) -> Option<[u8; 8]> {
    if pin.len() > 8 {
        return None;
    }
    let mut out = [0xFF; 8];
    out.get_mut(..pin.len())?.copy_from_slice(pin);
    Some(out)
}

/// A PIN block is 4–8 ASCII digits then `FF` padding.
fn pin_format_ok(block: &[u8; 8]) -> bool {
    let digits = block.iter().take_while(|b| b.is_ascii_digit()).count();
    digits >= 4 && block.iter().skip(digits).all(|b| *b == 0xFF)
}

impl Pin {
    /// A PIN with an optional unblock key (PUK).
    pub fn new(
        key_ref: u8,
        value: [u8; 8],
        max_retries: u8,
        unblock: Option<([u8; 8], u8)>,
    ) -> Pin {
        Pin {
            key_ref,
            value: Zeroizing::new(value),
            max_retries,
            retries: max_retries,
            enabled: true,
            can_disable: key_ref == KEY_PIN1 || key_ref == KEY_UNIVERSAL_PIN,
            unblock_max: unblock.map_or(0, |(_, n)| n),
            unblock_retries: unblock.map_or(0, |(_, n)| n),
            unblock: unblock.map(|(v, _)| Zeroizing::new(v)),
        }
    }

    /// Compare in constant time.
    fn matches(&self, candidate: &[u8]) -> bool {
        bool::from(self.value.as_slice().ct_eq(candidate))
    }

    fn unblock_matches(&self, candidate: &[u8]) -> bool {
        self.unblock
            .as_ref()
            .is_some_and(|u| bool::from(u.as_slice().ct_eq(candidate)))
    }

    /// The stored value (for the state store only).
    pub fn value(&self) -> &[u8; 8] {
        &self.value
    }

    /// The stored unblock key (for the state store only).
    pub fn unblock_value(&self) -> Option<&[u8; 8]> {
        self.unblock.as_deref()
    }

    /// True when no retries are left.
    pub fn blocked(&self) -> bool {
        self.retries == 0
    }
}

/// All PINs of the card and which ones are verified.
#[derive(Debug, Clone, Default)]
pub struct Security {
    pins: Vec<Pin>,
    verified_global: BTreeSet<u8>,
    verified_local: BTreeMap<NodeId, BTreeSet<u8>>,
}

/// Split a 16-byte CHANGE/UNBLOCK data field.
fn halves(data: &[u8]) -> Option<(&[u8], &[u8])> {
    (data.len() == 16).then(|| data.split_at(8))
}

impl Security {
    /// A security state holding these PINs, none verified.
    pub fn new(pins: Vec<Pin>) -> Security {
        Security {
            pins,
            ..Default::default()
        }
    }

    /// The PINs.
    pub fn pins(&self) -> &[Pin] {
        &self.pins
    }

    /// A PIN by key reference.
    pub fn pin(&self, key_ref: u8) -> Option<&Pin> {
        self.pins.iter().find(|p| p.key_ref == key_ref)
    }

    fn pin_mut(&mut self, key_ref: u8) -> Result<&mut Pin, StatusWord> {
        self.pins
            .iter_mut()
            .find(|p| p.key_ref == key_ref)
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)
    }

    /// Forget every verification (reset).
    pub fn reset(&mut self) {
        self.verified_global.clear();
        self.verified_local.clear();
    }

    /// Forget the local verifications of an application no channel has selected any more.
    pub fn end_application(&mut self, adf: NodeId) {
        self.verified_local.remove(&adf);
    }

    /// Whether `key_ref` is verified for the application `adf`.
    pub fn is_verified(&self, key_ref: u8, adf: Option<NodeId>) -> bool {
        if is_local(key_ref) {
            adf.and_then(|a| self.verified_local.get(&a))
                .is_some_and(|s| s.contains(&key_ref))
        } else {
            self.verified_global.contains(&key_ref)
        }
    }

    fn set_verified(&mut self, key_ref: u8, adf: Option<NodeId>, yes: bool) {
        let set = if is_local(key_ref) {
            match adf {
                Some(a) => self.verified_local.entry(a).or_default(),
                None => return,
            }
        } else {
            &mut self.verified_global
        };
        if yes {
            set.insert(key_ref);
        } else {
            set.remove(&key_ref);
        }
    }

    /// Whether an access rule is satisfied for the application `adf`.
    pub fn satisfied(&self, rule: Rule, adf: Option<NodeId>) -> bool {
        let pin_ok = |key: u8| match self.pin(key) {
            Some(p) => !p.enabled || self.is_verified(key, adf),
            None => false,
        };
        match rule {
            Rule::Always => true,
            Rule::Never => false,
            Rule::Pin1 => pin_ok(KEY_PIN1) || self.is_verified(KEY_UNIVERSAL_PIN, adf),
            Rule::Pin2 => pin_ok(KEY_PIN2),
            Rule::Adm => self.is_verified(KEY_ADM1, adf),
        }
    }

    /// `63Cx` with the retries left.
    fn retries_sw(p: &Pin) -> StatusWord {
        StatusWord::retries_left(p.retries)
    }

    /// Check `candidate` against the PIN, updating the counter. `Ok` on a match.
    fn check(p: &mut Pin, candidate: &[u8]) -> Result<(), StatusWord> {
        if p.blocked() {
            return Err(StatusWord::PIN_BLOCKED);
        }
        if p.matches(candidate) {
            p.retries = p.max_retries;
            Ok(())
        } else {
            p.retries = p.retries.saturating_sub(1);
            Err(Self::retries_sw(p))
        }
    }

    /// VERIFY PIN (TS 102 221 §11.1.9): data empty asks for the retry counter.
    pub fn verify(
        &mut self,
        key_ref: u8,
        data: &[u8],
        adf: Option<NodeId>,
    ) -> Result<(), StatusWord> {
        let verified = self.is_verified(key_ref, adf);
        let p = self.pin_mut(key_ref)?;
        if data.is_empty() {
            if p.blocked() {
                return Err(StatusWord::PIN_BLOCKED);
            }
            return if verified {
                Ok(())
            } else {
                Err(Self::retries_sw(p))
            };
        }
        if data.len() != 8 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let r = Self::check(p, data);
        self.set_verified(key_ref, adf, r.is_ok());
        r
    }

    /// CHANGE PIN (TS 102 221 §11.1.10): old ‖ new, 8 bytes each.
    pub fn change(
        &mut self,
        key_ref: u8,
        data: &[u8],
        adf: Option<NodeId>,
    ) -> Result<(), StatusWord> {
        let (old, new) = halves(data).ok_or(StatusWord::WRONG_LENGTH)?;
        let new: [u8; 8] = new.try_into().map_err(|_| StatusWord::WRONG_LENGTH)?;
        let p = self.pin_mut(key_ref)?;
        if !p.enabled {
            return Err(StatusWord::REFERENCED_DATA_INVALIDATED);
        }
        if !pin_format_ok(&new) && key_ref != KEY_ADM1 {
            return Err(StatusWord::INCORRECT_DATA);
        }
        Self::check(p, old)?;
        p.value = Zeroizing::new(new);
        self.set_verified(key_ref, adf, true);
        Ok(())
    }

    /// DISABLE PIN (TS 102 221 §11.1.11).
    pub fn disable(
        &mut self,
        key_ref: u8,
        data: &[u8],
        adf: Option<NodeId>,
    ) -> Result<(), StatusWord> {
        if data.len() != 8 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let p = self.pin_mut(key_ref)?;
        if !p.can_disable || !p.enabled {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let r = Self::check(p, data);
        if r.is_ok() {
            p.enabled = false;
        }
        self.set_verified(key_ref, adf, r.is_ok());
        r
    }

    /// ENABLE PIN (TS 102 221 §11.1.12).
    pub fn enable(
        &mut self,
        key_ref: u8,
        data: &[u8],
        adf: Option<NodeId>,
    ) -> Result<(), StatusWord> {
        if data.len() != 8 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let p = self.pin_mut(key_ref)?;
        if p.enabled {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let r = Self::check(p, data);
        if r.is_ok() {
            p.enabled = true;
        }
        self.set_verified(key_ref, adf, r.is_ok());
        r
    }

    /// UNBLOCK PIN (TS 102 221 §11.1.13): data empty asks for the unblock counter, else unblock
    /// key ‖ new PIN.
    pub fn unblock(
        &mut self,
        key_ref: u8,
        data: &[u8],
        adf: Option<NodeId>,
    ) -> Result<(), StatusWord> {
        let p = self.pin_mut(key_ref)?;
        if p.unblock.is_none() {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        if data.is_empty() {
            return if p.unblock_retries == 0 {
                Err(StatusWord::PIN_BLOCKED)
            } else {
                Err(StatusWord::retries_left(p.unblock_retries))
            };
        }
        let (puk, new) = halves(data).ok_or(StatusWord::WRONG_LENGTH)?;
        let new: [u8; 8] = new.try_into().map_err(|_| StatusWord::WRONG_LENGTH)?;
        if p.unblock_retries == 0 {
            return Err(StatusWord::PIN_BLOCKED);
        }
        if !pin_format_ok(&new) {
            return Err(StatusWord::INCORRECT_DATA);
        }
        if !p.unblock_matches(puk) {
            p.unblock_retries = p.unblock_retries.saturating_sub(1);
            return Err(StatusWord::retries_left(p.unblock_retries));
        }
        p.unblock_retries = p.unblock_max;
        p.value = Zeroizing::new(new);
        p.retries = p.max_retries;
        p.enabled = true;
        self.set_verified(key_ref, adf, true);
        Ok(())
    }

    /// The PIN status template DO (tag C6) for the key references listed (TS 102 221 §9.5.2).
    pub fn pin_status_template(&self, refs: &[u8]) -> Vec<u8> {
        let mut ps = 0u8;
        let mut body = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            if self.pin(*r).is_some_and(|p| p.enabled) {
                ps |= 0x80 >> i;
            }
            body.extend_from_slice(&[0x83, 0x01, *r]);
        }
        let mut out = vec![0x90, 0x01, ps];
        out.extend_from_slice(&body);
        out
    }
}

/// The durable part of one PIN: value, counters and enabled flag.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinState {
    /// Key reference (hex, e.g. `01`).
    pub key_ref: String,
    /// PIN block, hex (8 bytes).
    pub value: String,
    /// Retries left.
    pub retries: u8,
    /// Whether the PIN is enabled.
    pub enabled: bool,
    /// Unblock key, hex, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unblock: Option<String>,
    /// Unblock retries left.
    pub unblock_retries: u8,
}

impl Security {
    /// The durable state of every PIN.
    pub fn snapshot(&self) -> Vec<PinState> {
        self.pins
            .iter()
            .map(|p| PinState {
                key_ref: format!("{:02X}", p.key_ref),
                value: hex::encode_upper(p.value.as_slice()),
                retries: p.retries,
                enabled: p.enabled,
                unblock: p.unblock.as_ref().map(|u| hex::encode_upper(u.as_slice())),
                unblock_retries: p.unblock_retries,
            })
            .collect()
    }

    /// Restore saved PIN states onto the PINs the profile defines.
    pub fn restore(&mut self, saved: &[PinState]) -> Result<(), String> {
        for s in saved {
            let key = u8::from_str_radix(&s.key_ref, 16)
                .map_err(|_| format!("pin key_ref {:?} is not hex", s.key_ref))?;
            let p = self
                .pins
                .iter_mut()
                .find(|p| p.key_ref == key)
                .ok_or_else(|| format!("pin {key:02X} is not defined by the profile"))?;
            let value: [u8; 8] = hex::decode(&s.value)
                .ok()
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| format!("pin {key:02X}: value must be 8 bytes of hex"))?;
            if s.retries > p.max_retries || s.unblock_retries > p.unblock_max {
                return Err(format!("pin {key:02X}: counter above its maximum"));
            }
            p.value = Zeroizing::new(value);
            p.retries = s.retries;
            p.enabled = s.enabled;
            p.unblock_retries = s.unblock_retries;
            if let Some(u) = &s.unblock {
                let u: [u8; 8] = hex::decode(u)
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .ok_or_else(|| {
                        format!("pin {key:02X}: unblock value must be 8 bytes of hex")
                    })?;
                p.unblock = Some(Zeroizing::new(u));
            }
        }
        Ok(())
    }
}
