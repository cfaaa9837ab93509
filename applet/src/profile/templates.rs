//! Card templates for `vusim card new --template`: vusim's default card, `full` (every service
//! the file tables gate a file on), and two conformance-test cards, the TS 34.108 §8 test USIM
//! and the TS 31.121 §4.1.1 default UICC. The test cards' values, each with its clause or its
//! UNVERIFIED mark, are in `templates/ts34108.toml` and `templates/ts31121.toml`. [`NewCard`]
//! is a new card's profile from a template and the options of `vusim card new`.

use std::collections::BTreeSet;

use rand::RngCore;

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
    /// The command line's names and one-line help of the templates (`vusim card new
    /// --template`).
    pub const CHOICES: &'static [(Template, &'static str, &'static str)] = &[
        (
            Template::Default,
            "default",
            "The embedded default card (docs: the default service tables in `fs/tables`)",
        ),
        (
            Template::Full,
            "full",
            "Every service the file tables gate a file on switched on in EF.UST and EF.IST, so every file of the tables is present (TS 31.102 Rel-18, TS 31.103)",
        ),
        (
            Template::Ts34108,
            "ts34108",
            "The TS 34.108 §8 test USIM: XOR test algorithm with its public K (docs/files.md#templates)",
        ),
        (
            Template::Ts31121,
            "ts31121",
            "The TS 31.121 §4.1.1 default UICC (docs/files.md#templates)",
        ),
    ];

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

/// The authentication algorithm of a new card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// MILENAGE (TS 35.206).
    Milenage,
    /// TUAK (TS 35.231).
    Tuak,
    /// The XOR test algorithm (TS 34.108 §8.1.2).
    Xor,
}

impl Algorithm {
    /// The command line's names (a profile's `[auth] algorithm` names) and one-line help
    /// (`vusim card new --algorithm`).
    pub const CHOICES: &'static [(Algorithm, &'static str, &'static str)] = &[
        (Algorithm::Milenage, "milenage", "MILENAGE (TS 35.206)"),
        (Algorithm::Tuak, "tuak", "TUAK (TS 35.231)"),
        (Algorithm::Xor, "xor", "XOR test algorithm (TS 34.108)"),
    ];

    /// Its name in a profile's `[auth] algorithm`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Milenage => "milenage",
            Algorithm::Tuak => "tuak",
            Algorithm::Xor => "xor",
        }
    }
}

/// A new card: a template and what the caller chooses (`vusim card new`). Keys not given are
/// random: K (16 bytes) and OPc (16 bytes; TOPc 32 for TUAK) unless OP is given; XOR has no
/// OP/OPc. The TS 34.108 test USIM keeps its public K and algorithm unless another K or a
/// non-XOR algorithm is asked for.
#[derive(Debug, Clone, Default)]
pub struct NewCard {
    /// The starting point.
    pub template: Template,
    /// The algorithm (`None`: the template's; MILENAGE when the keys are chosen here).
    pub algorithm: Option<Algorithm>,
    /// K, hex.
    pub k: Option<String>,
    /// OP (MILENAGE) / TOP (TUAK), hex.
    pub op: Option<String>,
    /// OPc (MILENAGE) / TOPc (TUAK), hex.
    pub opc: Option<String>,
    /// IMSI digits.
    pub imsi: Option<String>,
    /// ICCID digits.
    pub iccid: Option<String>,
    /// Leave out `[applets]` (the built-in card applets), keeping their EF_GBAUAPI grants.
    pub no_card_applets: bool,
}

impl NewCard {
    /// The profile, without checking that it builds (`Profile::build_card` does; the checked
    /// form is `NewCard::profile` in `assemble`). Random keys come from `rng`.
    pub fn profile_unchecked(&self, rng: &mut impl RngCore) -> Profile {
        let mut p = self.template.profile();
        if self.no_card_applets {
            p.applets = None;
        }
        let keep_keys = self.template.fixed_keys()
            && self.k.is_none()
            && matches!(self.algorithm, None | Some(Algorithm::Xor));
        if !keep_keys {
            let mut random = |n: usize| {
                let mut b = vec![0u8; n];
                rng.fill_bytes(&mut b);
                hex::encode_upper(b)
            };
            let algorithm = self.algorithm.unwrap_or(Algorithm::Milenage);
            p.auth.algorithm = algorithm.name().to_string();
            p.auth.k = self.k.clone().unwrap_or_else(|| random(16));
            p.auth.op = self.op.clone();
            p.auth.opc = match (&self.op, &self.opc, algorithm) {
                (_, _, Algorithm::Xor) | (Some(_), _, _) => None,
                (None, Some(opc), _) => Some(opc.clone()),
                (None, None, Algorithm::Tuak) => Some(random(32)),
                (None, None, _) => Some(random(16)),
            };
            if algorithm == Algorithm::Xor {
                p.auth.op = None;
            }
        }
        if let Some(imsi) = &self.imsi {
            p.usim.imsi = Some(imsi.clone());
        }
        if let Some(iccid) = &self.iccid {
            p.card.iccid = Some(iccid.clone());
        }
        p
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

    fn new_card(template: Template, algorithm: Option<Algorithm>) -> NewCard {
        NewCard {
            template,
            algorithm,
            ..NewCard::default()
        }
    }

    #[test]
    fn a_new_card_gets_random_keys_of_its_algorithm() {
        let mut rng = rand::rngs::mock::StepRng::new(0x0102_0304_0506_0708, 1);
        let p = new_card(Template::Default, None).profile_unchecked(&mut rng);
        assert_eq!(p.auth.algorithm, "milenage");
        assert_eq!((p.auth.k.len(), p.auth.op.clone()), (32, None));
        assert_eq!(p.auth.opc.as_ref().map(String::len), Some(32));
        assert_ne!(Some(&p.auth.k), p.auth.opc.as_ref());
        let p = new_card(Template::Full, Some(Algorithm::Tuak)).profile_unchecked(&mut rng);
        assert_eq!(p.auth.algorithm, "tuak");
        assert_eq!(p.auth.opc.as_ref().map(String::len), Some(64));
        let p = NewCard {
            op: Some("CDC202D5123E20F62B6D676AC72CB318".into()),
            opc: None,
            ..new_card(Template::Default, None)
        }
        .profile_unchecked(&mut rng);
        assert_eq!(
            (p.auth.op.as_deref(), p.auth.opc),
            (Some("CDC202D5123E20F62B6D676AC72CB318"), None)
        );
        let p = NewCard {
            op: Some("CDC202D5123E20F62B6D676AC72CB318".into()),
            ..new_card(Template::Default, Some(Algorithm::Xor))
        }
        .profile_unchecked(&mut rng);
        assert_eq!(
            (p.auth.algorithm.as_str(), p.auth.op, p.auth.opc),
            ("xor", None, None)
        );
    }

    #[test]
    fn the_test_usim_keeps_its_public_k_unless_asked_otherwise() {
        let mut rng = rand::rngs::mock::StepRng::new(7, 1);
        let fixed = Template::Ts34108.profile().auth;
        for algorithm in [None, Some(Algorithm::Xor)] {
            let p = new_card(Template::Ts34108, algorithm).profile_unchecked(&mut rng);
            assert_eq!((&p.auth.algorithm, &p.auth.k), (&fixed.algorithm, &fixed.k));
        }
        let p = new_card(Template::Ts34108, Some(Algorithm::Milenage)).profile_unchecked(&mut rng);
        assert_eq!(p.auth.algorithm, "milenage");
        assert_ne!(p.auth.k, fixed.k);
        let p = NewCard {
            k: Some("00112233445566778899AABBCCDDEEFF".into()),
            imsi: Some("001010000000001".into()),
            iccid: Some("8901000000000000001".into()),
            no_card_applets: true,
            ..new_card(Template::Ts34108, None)
        }
        .profile_unchecked(&mut rng);
        assert_eq!(p.auth.k, "00112233445566778899AABBCCDDEEFF");
        assert_eq!(p.auth.algorithm, "milenage");
        assert_eq!(p.usim.imsi.as_deref(), Some("001010000000001"));
        assert_eq!(p.card.iccid.as_deref(), Some("8901000000000000001"));
        assert!(p.applets.is_none());
    }

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
