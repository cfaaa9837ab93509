//! The `[api]` profile section and the per-key access policy of the experimental APIs (docs/api/gba-api.md §6): which operations each NAF's keys allow, on which logical channels, for which client applications.
//!
//! ```toml
//! [api]
//! gba = true                                  # register the GBA_U API applet (default true)
//! default_ops = ["mac", "encrypt", "auth"]    # NAFs without a policy entry (default: every op)
//!
//! [[api.policy]]
//! naf = "lock.example.org"                    # NAF FQDN (NAF_Id without the Ua protocol id)
//! ops = ["mac", "store"]                      # mac, encrypt, auth, store, e2e
//! channels = [0, 1]                           # logical channels (default: all)
//! clients = ["F0010203040506"]                # client AIDs announced in DO 4F (default: any)
//! ```

pub use crate::profile::sections::{ApiSection, PolicyEntry};
use crate::profile::{err, ProfileError};

/// An operation the policy allows or refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// MAC compute and verify.
    Mac,
    /// Authenticated encryption and decryption.
    Encrypt,
    /// Mutual authentication (both directions).
    Auth,
    /// Secure storage: unwrap a blob into the card, delete it.
    Store,
    /// Derive (and delete) a third-party combined key e2e_key.
    E2e,
}

impl Op {
    /// Every operation, in bit order.
    pub const ALL: [Op; 5] = [Op::Mac, Op::Encrypt, Op::Auth, Op::Store, Op::E2e];

    /// The profile name.
    pub fn name(self) -> &'static str {
        match self {
            Op::Mac => "mac",
            Op::Encrypt => "encrypt",
            Op::Auth => "auth",
            Op::Store => "store",
            Op::E2e => "e2e",
        }
    }

    /// The bit in an operation set (and in DO `88` of LIST KEYS).
    pub fn bit(self) -> u8 {
        match self {
            Op::Mac => 0x01,
            Op::Encrypt => 0x02,
            Op::Auth => 0x04,
            Op::Store => 0x08,
            Op::E2e => 0x10,
        }
    }

    fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// Why the policy refused a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller (logical channel or client AID) may not use this NAF's keys.
    Caller,
    /// The operation is not allowed for this NAF's keys.
    Operation,
}

/// The rule for one NAF (or the default rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Allowed operations, a set of [`Op::bit`]s.
    pub ops: u8,
    /// Allowed channels as a bit set (bit n = channel n); `None`: all.
    pub channels: Option<u32>,
    /// Allowed client AIDs; `None`: any.
    pub clients: Option<Vec<Vec<u8>>>,
}

impl Rule {
    /// Every operation, every channel, any client.
    pub fn open() -> Rule {
        Rule {
            ops: Op::ALL.iter().fold(0, |a, o| a | o.bit()),
            channels: None,
            clients: None,
        }
    }

    /// May the caller on `channel`, announcing `client` (DO 4F), use keys under this rule?
    pub fn caller_allowed(&self, channel: u8, client: Option<&[u8]>) -> bool {
        let channel_ok = self
            .channels
            .is_none_or(|set| channel < 32 && set & (1u32 << channel) != 0);
        let client_ok = match &self.clients {
            None => true,
            Some(list) => client.is_some_and(|c| list.iter().any(|a| a.as_slice() == c)),
        };
        channel_ok && client_ok
    }

    /// Check the caller, then the operation.
    pub fn check(&self, op: Op, channel: u8, client: Option<&[u8]>) -> Result<(), Refusal> {
        if !self.caller_allowed(channel, client) {
            return Err(Refusal::Caller);
        }
        if self.ops & op.bit() == 0 {
            return Err(Refusal::Operation);
        }
        Ok(())
    }
}

/// The compiled policy: one rule per NAF FQDN, and the default rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    default: Rule,
    rules: Vec<(String, Rule)>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            default: Rule::open(),
            rules: Vec::new(),
        }
    }
}

fn ops_from(file: &str, key: &str, names: &[String]) -> Result<u8, ProfileError> {
    names.iter().try_fold(0u8, |acc, n| {
        Op::from_name(n).map(|o| acc | o.bit()).ok_or_else(|| {
            err(
                file,
                key,
                format!("unknown operation {n:?} (mac, encrypt, auth, store or e2e)"),
            )
        })
    })
}

impl Policy {
    /// Compile and check an `[api]` section.
    pub fn from_section(s: &ApiSection, file: &str) -> Result<Policy, ProfileError> {
        let default = Rule {
            ops: match &s.default_ops {
                Some(names) => ops_from(file, "api.default_ops", names)?,
                None => Rule::open().ops,
            },
            channels: None,
            clients: None,
        };
        let mut rules: Vec<(String, Rule)> = Vec::new();
        for (i, e) in s.policy.iter().enumerate() {
            let at = |k: &str| format!("api.policy[{i}].{k}");
            let naf = e.naf.trim().to_ascii_lowercase();
            if naf.is_empty() {
                return Err(err(file, &at("naf"), "empty NAF FQDN"));
            }
            if rules.iter().any(|(n, _)| *n == naf) {
                return Err(err(
                    file,
                    &at("naf"),
                    format!("{naf:?} has an earlier entry"),
                ));
            }
            let ops = ops_from(file, &at("ops"), &e.ops)?;
            let channels = match &e.channels {
                None => None,
                Some(list) => Some(list.iter().try_fold(0u32, |acc, c| {
                    if usize::from(*c) >= crate::card::CHANNELS {
                        Err(err(
                            file,
                            &at("channels"),
                            format!("channel {c} does not exist (0 to 19)"),
                        ))
                    } else {
                        Ok(acc | (1u32 << c))
                    }
                })?),
            };
            let clients = match &e.clients {
                None => None,
                Some(list) => Some(
                    list.iter()
                        .map(|h| {
                            let b = hex::decode(h.trim())
                                .map_err(|_| err(file, &at("clients"), "not hex"))?;
                            if (5..=16).contains(&b.len()) {
                                Ok(b)
                            } else {
                                Err(err(
                                    file,
                                    &at("clients"),
                                    format!("an AID is 5 to 16 bytes, got {}", b.len()),
                                ))
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            rules.push((
                naf,
                Rule {
                    ops,
                    channels,
                    clients,
                },
            ));
        }
        if s.max_stored == Some(0) {
            return Err(err(file, "api.max_stored", "must be at least 1"));
        }
        Ok(Policy { default, rules })
    }

    /// The rule for a NAF FQDN (ASCII case-insensitive), else the default rule.
    pub fn rule_for(&self, fqdn: &[u8]) -> &Rule {
        self.rules
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(fqdn))
            .map_or(&self.default, |(_, r)| r)
    }
}

/// The FQDN part of a NAF_Id (or AF_ID): everything before the 5-octet Ua security protocol
/// identifier (TS 33.220 Annex H.3).
pub fn fqdn_of(naf_id: &[u8]) -> &[u8] {
    naf_id
        .get(..naf_id.len().saturating_sub(5))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn section(text: &str) -> ApiSection {
        #[derive(Deserialize)]
        struct W {
            api: ApiSection,
        }
        toml::from_str::<W>(text).map(|w| w.api).expect("toml")
    }

    #[test]
    fn rules_and_defaults() {
        let s = section(
            "[api]\ndefault_ops = []\n[[api.policy]]\nnaf = \"Lock.Example.org\"\nops = [\"mac\"]\nchannels = [1]\nclients = [\"F001020304\"]\n",
        );
        let p = Policy::from_section(&s, "t").expect("policy");
        let lock = p.rule_for(b"lock.example.ORG");
        assert_eq!(lock.check(Op::Mac, 1, Some(&[0xF0, 1, 2, 3, 4])), Ok(()));
        assert_eq!(
            lock.check(Op::Mac, 0, Some(&[0xF0, 1, 2, 3, 4])),
            Err(Refusal::Caller)
        );
        assert_eq!(lock.check(Op::Mac, 1, None), Err(Refusal::Caller));
        assert_eq!(
            lock.check(Op::Encrypt, 1, Some(&[0xF0, 1, 2, 3, 4])),
            Err(Refusal::Operation)
        );
        assert_eq!(
            p.rule_for(b"other.example.org").check(Op::Mac, 0, None),
            Err(Refusal::Operation)
        );
        assert_eq!(fqdn_of(b"a.b\x01\x00\x00\x00\x02"), b"a.b");
        assert_eq!(fqdn_of(b"ab"), b"");
    }

    #[test]
    fn errors_name_the_key() {
        let bad = |t: &str| {
            Policy::from_section(&section(t), "p.toml")
                .expect_err("error")
                .to_string()
        };
        assert_eq!(
            bad("[api]\n[[api.policy]]\nnaf = \"x\"\nops = [\"sign\"]\n"),
            "p.toml: api.policy[0].ops: unknown operation \"sign\" (mac, encrypt, auth, store or e2e)"
        );
        assert_eq!(
            bad("[api]\n[[api.policy]]\nnaf = \"x\"\nops = []\nchannels = [20]\n"),
            "p.toml: api.policy[0].channels: channel 20 does not exist (0 to 19)"
        );
        assert_eq!(
            bad("[api]\n[[api.policy]]\nnaf = \"x\"\nops = []\nclients = [\"F0\"]\n"),
            "p.toml: api.policy[0].clients: an AID is 5 to 16 bytes, got 1"
        );
        assert!(bad(
            "[api]\n[[api.policy]]\nnaf = \"x\"\nops = []\n[[api.policy]]\nnaf = \"X\"\nops = []\n"
        )
        .contains("earlier entry"));
    }
}
