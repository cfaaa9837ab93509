//! Card templates for `vusim card new --template`: vusim's default card, `full` (every service
//! the file tables gate a file on), and two conformance-test cards, the TS 34.108 §8 test USIM
//! and the TS 31.121 §4.1.1 default UICC. The test cards' values, each with its clause or its
//! UNVERIFIED mark, are in `templates/ts34108.toml` and `templates/ts31121.toml`.

use std::collections::BTreeSet;

use super::services::{self, ServiceRef};
use super::Profile;
use crate::fs::spec::{DfSpec, Gate};
use crate::fs::tables::{fid, ADF_ISIM, ADF_USIM};
use crate::fs::tree::default_contents;

/// The TS 34.108 §8 test USIM (XOR test algorithm, fixed public K).
pub const TS34108: &str = include_str!("templates/ts34108.toml");
/// The TS 31.121 §4.1.1 default UICC (keys left to the caller).
pub const TS31121: &str = include_str!("templates/ts31121.toml");

/// What a new card starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Template {
    /// The embedded default card.
    #[default]
    Default,
    /// The default card with every service the file tables gate a file on switched on in
    /// EF.UST and EF.IST, so every file of the tables is present (TS 31.102 Rel-18, TS 31.103).
    Full,
    /// The TS 34.108 §8 test USIM.
    Ts34108,
    /// The TS 31.121 §4.1.1 default UICC.
    Ts31121,
}

impl Template {
    /// The template's profile, without state. Its K and OPc are the template's own when
    /// [`Template::fixed_keys`] says so; otherwise the caller chooses them.
    pub fn profile(self) -> Profile {
        let mut p = match self {
            Template::Default | Template::Full => Profile::embedded_default(),
            // The embedded templates are tested to parse.
            Template::Ts34108 => {
                Profile::from_toml(TS34108, "<template ts34108>").unwrap_or_default()
            }
            Template::Ts31121 => {
                Profile::from_toml(TS31121, "<template ts31121>").unwrap_or_default()
            }
        };
        p.state = None;
        if self == Template::Full {
            p.services.ust = Some(full_services(&ADF_USIM, fid::EF_UST));
            p.services.ist = Some(full_services(&ADF_ISIM, fid::EF_IST));
        }
        p
    }

    /// True when the template's K (and algorithm) are part of what it defines: the TS 34.108
    /// test USIM's public K for the XOR algorithm.
    pub fn fixed_keys(self) -> bool {
        self == Template::Ts34108
    }
}

/// Every service number a gate below `df` names.
fn gated_services(df: &DfSpec, out: &mut BTreeSet<u16>) {
    let gates = df.efs.iter().map(|e| e.gate).chain([df.gate]);
    for gate in gates {
        match gate {
            Gate::None => {}
            Gate::Service(n) => {
                out.insert(n);
            }
            Gate::All(list) | Gate::Any(list) => out.extend(list.iter().copied()),
        }
    }
    for child in df.dfs {
        gated_services(child, out);
    }
}

/// The default service table (bit n-1 set) of `adf`'s service-table EF `fid` plus every
/// service a gate below `adf` names.
fn full_services(adf: &DfSpec, fid: u16) -> Vec<ServiceRef> {
    let mut all: BTreeSet<u16> = adf
        .efs
        .iter()
        .find(|e| e.fid == fid)
        .and_then(|e| default_contents(e).ok())
        .map(|t| services::list(&t))
        .unwrap_or_default()
        .into_iter()
        .collect();
    gated_services(adf, &mut all);
    all.into_iter().map(ServiceRef::Number).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_templates_parse_and_build() {
        for (text, name) in [(TS34108, "ts34108"), (TS31121, "ts31121")] {
            let p = Profile::from_toml(text, name).expect("template parses");
            let mut p = p;
            if p.auth.k.is_empty() {
                p.auth.k = "00112233445566778899AABBCCDDEEFF".into();
                p.auth.opc = Some("00112233445566778899AABBCCDDEEFF".into());
            }
            p.build_card(name).expect("template builds");
        }
    }
}
