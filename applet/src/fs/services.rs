//! Service numbers and names of the USIM (TS 31.102 §4.2.8), ISIM (TS 31.103 §4.2.7) and EST tables, as a profile writes them.

use serde::{Deserialize, Serialize};

/// A service given by number (`68`) or name (`"gba"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ServiceRef {
    /// Service number.
    Number(u16),
    /// Service name from [`UST_NAMES`] / [`IST_NAMES`].
    Name(String),
}

/// USIM service names (TS 31.102 §4.2.8), the ones vusim's files and commands depend on.
pub const UST_NAMES: &[(&str, u16)] = &[
    ("local-phonebook", 1),
    ("fdn", 2),
    ("sdn", 4),
    ("sms", 10),
    ("smsp", 12),
    ("gid1", 17),
    ("gid2", 18),
    ("spn", 19),
    ("plmnwact", 20),
    ("msisdn", 21),
    ("gsm-access", 27),
    ("est", 34),
    ("acl", 35),
    ("gsm-security-context", 38),
    ("oplmnwact", 42),
    ("hplmnwact", 43),
    ("gba", 68),
    ("mbms-security", 69),
    ("ehplmn", 71),
    ("gba-local-key", 76),
    ("eps-mm-info", 85),
    ("5gs-mm-info", 122),
    ("5g-security-parameters", 123),
    ("suci-privacy", 124),
    ("suci-by-usim", 125),
    ("uac-access-identities", 126),
    ("5gs-operator-plmn-list", 129),
    ("supi-nai", 130),
];

/// ISIM service names (TS 31.103 §4.2.7).
pub const IST_NAMES: &[(&str, u16)] = &[
    ("pcscf-address", 1),
    ("gba", 2),
    ("http-digest", 3),
    ("gba-local-key", 4),
    ("pcscf-discovery", 5),
    ("sms", 6),
    ("smsr", 7),
    ("sm-over-ip", 8),
];

/// Resolve a list of services to numbers against a name table; the error names the bad entry.
pub fn resolve(list: &[ServiceRef], names: &[(&str, u16)], max: u16) -> Result<Vec<u16>, String> {
    list.iter()
        .map(|s| match s {
            ServiceRef::Number(n) if (1..=max).contains(n) => Ok(*n),
            ServiceRef::Number(n) => Err(format!("service number {n} out of range 1..={max}")),
            ServiceRef::Name(name) => names
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, n)| *n)
                .ok_or_else(|| {
                    let known: Vec<&str> = names.iter().map(|(k, _)| *k).collect();
                    format!(
                        "unknown service name {name:?} (known: {})",
                        known.join(", ")
                    )
                }),
        })
        .collect()
}

/// A service table with these services set (bit n-1), `len` bytes.
pub fn table(services: &[u16], len: usize) -> Vec<u8> {
    let mut t = vec![0u8; len];
    for n in services {
        let bit = usize::from(n.saturating_sub(1));
        if let Some(b) = t.get_mut(bit / 8) {
            *b |= 1 << (bit % 8);
        }
    }
    t
}

/// The services set in a table.
pub fn list(table: &[u8]) -> Vec<u16> {
    let mut v = Vec::new();
    for (i, b) in table.iter().enumerate() {
        for bit in 0..8 {
            if b & (1 << bit) != 0 {
                v.push(u16::try_from(i * 8 + bit + 1).unwrap_or(u16::MAX));
            }
        }
    }
    v
}

/// The name of a USIM service, if it has one here.
pub fn ust_name(n: u16) -> Option<&'static str> {
    UST_NAMES
        .iter()
        .find(|(_, k)| *k == n)
        .map(|(name, _)| *name)
}
