//! File and application names for `select` in scripts (`EF.IMSI`, `ADF.USIM`,
//! `DF.5GS/EF.SUCI_Calc_Info`), from the card's file tables (TS 102 221 §13, TS 31.102 §4,
//! TS 31.103 §4).
//!
//! A name selects the first file that carries it, searching the MF's own EFs, then ADF.USIM
//! (with DF.5GS and DF.GSM-ACCESS), then ADF.ISIM, then DF.TELECOM and DF.GSM; qualify it with
//! its parents (`ADF.ISIM/EF.AD`, `DF.GSM/EF.IMSI`, `MF/EF.ARR`) to pick another. ADFs are
//! selected by AID; other files by path from the MF, where `7FFF` stands for the current
//! application (select the ADF first). Matching ignores case and treats `.`, `_` and `-` alike.

use vusim_apdu::script::{Resolver, SelectTarget};

use crate::fs::spec::DfSpec;
use crate::fs::tables::{ADF_ISIM, ADF_USIM, ISIM_AID, MF, USIM_AID};

struct Entry {
    names: Vec<&'static str>,
    target: SelectTarget,
}

/// Names from the embedded file tables.
pub struct TableResolver {
    entries: Vec<Entry>,
}

impl Default for TableResolver {
    fn default() -> Self {
        TableResolver::new()
    }
}

fn norm(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '.' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Add `df`'s EFs, then each child DF and its contents.
fn walk(df: &DfSpec, names: &[&'static str], path: &[u16], out: &mut Vec<Entry>) {
    for ef in df.efs {
        out.push(Entry {
            names: [names, &[ef.name]].concat(),
            target: SelectTarget::Path([path, &[ef.fid]].concat()),
        });
    }
    for child in df.dfs {
        let child_names = [names, &[child.name]].concat();
        let child_path = [path, &[child.fid]].concat();
        out.push(Entry {
            names: child_names.clone(),
            target: SelectTarget::Path(child_path.clone()),
        });
        walk(child, &child_names, &child_path, out);
    }
}

impl TableResolver {
    /// The resolver for the built-in tables and default AIDs.
    pub fn new() -> TableResolver {
        let mut entries = vec![Entry {
            names: vec![MF.name],
            target: SelectTarget::Fid(MF.fid),
        }];
        for ef in MF.efs {
            entries.push(Entry {
                names: vec![MF.name, ef.name],
                target: SelectTarget::Path(vec![ef.fid]),
            });
        }
        for (adf, aid) in [(&ADF_USIM, &USIM_AID), (&ADF_ISIM, &ISIM_AID)] {
            entries.push(Entry {
                names: vec![adf.name],
                target: SelectTarget::Aid(aid.to_vec()),
            });
            walk(adf, &[adf.name], &[adf.fid], &mut entries);
        }
        let mf_dfs_only = DfSpec { efs: &[], ..MF };
        walk(&mf_dfs_only, &[MF.name], &[], &mut entries);
        TableResolver { entries }
    }

    /// Every name `select` accepts, short (`EF.IMSI`) and qualified (`DF.5GS/EF.SUCI_Calc_Info`),
    /// for completion.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for e in &self.entries {
            if let Some(last) = e.names.last() {
                v.push((*last).to_string());
            }
            if e.names.len() > 2 {
                v.push(e.names.get(1..).unwrap_or_default().join("/"));
            }
        }
        v.sort();
        v.dedup();
        v
    }
}

impl Resolver for TableResolver {
    fn resolve(&self, name: &str) -> Result<SelectTarget, String> {
        let mut query: Vec<String> = name.split('/').map(norm).collect();
        if query.first().is_some_and(|q| q == "MF")
            && query.get(1).is_some_and(|q| q.starts_with("ADF_"))
        {
            query.remove(0);
        }
        let found = self.entries.iter().find(|e| {
            e.names.len() >= query.len()
                && e.names
                    .iter()
                    .rev()
                    .zip(query.iter().rev())
                    .all(|(n, q)| norm(n) == *q)
        });
        if let Some(e) = found {
            return Ok(e.target.clone());
        }
        let last = query.last().cloned().unwrap_or_default();
        let stem = last
            .trim_start_matches("EF_")
            .trim_start_matches("DF_")
            .trim_start_matches("ADF_")
            .to_string();
        let mut similar: Vec<String> = self
            .entries
            .iter()
            .filter(|e| {
                e.names.last().is_some_and(|n| {
                    let n = norm(n);
                    let n_stem = n
                        .trim_start_matches("EF_")
                        .trim_start_matches("DF_")
                        .trim_start_matches("ADF_");
                    !stem.is_empty()
                        && (n_stem.contains(&stem)
                            || stem.contains(n_stem)
                            || edit_distance(n_stem, &stem) <= 2)
                })
            })
            .map(|e| e.names.join("/"))
            .take(6)
            .collect();
        similar.dedup();
        let hint = if similar.is_empty() {
            "names are spelled as in the specs, e.g. EF.IMSI, DF.5GS/EF.SUCI_Calc_Info, ADF.USIM"
                .to_string()
        } else {
            format!("did you mean {}?", similar.join(", "))
        };
        Err(format!(
            "unknown file `{name}` ({hint}); a FID (6F07), a path from the MF (7FFF/6F07) or an AID also works"
        ))
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev + usize::from(ca != *cb);
            let del = row
                .get(j + 1)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = row.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            prev = row.get(j + 1).copied().unwrap_or(0);
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = sub.min(del).min(ins);
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_in_preference_order() {
        let r = TableResolver::new();
        let path = |v: &[u16]| Ok(SelectTarget::Path(v.to_vec()));
        assert_eq!(r.resolve("MF"), Ok(SelectTarget::Fid(0x3F00)));
        assert_eq!(r.resolve("EF.ICCID"), path(&[0x2FE2]));
        assert_eq!(r.resolve("ef_iccid"), path(&[0x2FE2]));
        assert_eq!(r.resolve("EF.IMSI"), path(&[0x7FFF, 0x6F07]));
        assert_eq!(r.resolve("EF.ARR"), path(&[0x2F06]));
        assert_eq!(r.resolve("ADF.USIM/EF.ARR"), path(&[0x7FFF, 0x6F06]));
        assert_eq!(r.resolve("MF/ADF.USIM/EF.ARR"), path(&[0x7FFF, 0x6F06]));
        assert_eq!(r.resolve("DF.TELECOM/EF.ARR"), path(&[0x7F10, 0x6F06]));
        assert_eq!(
            r.resolve("DF.5GS/EF.SUCI_Calc_Info"),
            path(&[0x7FFF, 0x5FC0, 0x4F07])
        );
        assert_eq!(
            r.resolve("ADF.USIM"),
            Ok(SelectTarget::Aid(USIM_AID.to_vec()))
        );
        assert_eq!(
            r.resolve("ADF.ISIM"),
            Ok(SelectTarget::Aid(ISIM_AID.to_vec()))
        );
        let e = r.resolve("EF.IMS").expect_err("unknown");
        assert!(e.contains("did you mean") && e.contains("EF.IMSI"), "{e}");
        let e = r.resolve("EF.IMSSI").expect_err("unknown");
        assert!(e.contains("did you mean ADF.USIM/EF.IMSI"), "{e}");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
