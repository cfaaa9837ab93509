//! Applet installation and the registry's read-only views (the Java Card 3 runtime's `install` step and applet registry): run each applet's install once the card's state is restored; list the applications and summarise the card; name an applet's instructions for the annotator ([`CardNames`]).

use vusim_apdu::annotate::{FileName, FileNames};

use super::applet::Context;
use super::Card;
use crate::fs::names::TABLE_NAMES;
use crate::fs::services;
use crate::fs::tables::fid;

impl Card {
    /// Run every applet's install step ([`Applet::install`](super::applet::Applet::install));
    /// the first error names the application.
    pub fn install_applets(&mut self) -> Result<(), String> {
        let now = self.clock.now();
        for entry in &mut self.apps {
            let mut ctx = Context {
                fs: &mut self.fs,
                security: &mut self.security,
                adf: entry.adf,
                channel: 0,
                rng: &mut self.rng,
                dirty: &mut self.dirty,
                keys: &mut self.keys,
                now,
                aid: &entry.aid,
            };
            entry
                .applet
                .install(&mut ctx)
                .map_err(|e| format!("application {}: {e}", entry.applet.label()))?;
        }
        Ok(())
    }

    /// Mark the durable state changed (saved by the next commit).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// The registered applications in EF.DIR order: AID and label.
    pub fn applications(&self) -> impl Iterator<Item = (&[u8], &str)> {
        self.apps
            .iter()
            .map(|a| (a.aid.as_slice(), a.applet.label()))
    }

    /// A decoded summary for `vusim card show`, one line each: every PIN's retry counters and
    /// state (TS 102 221 §9), then the services EF.UST switches on with their names
    /// (TS 31.102 §4.2.8).
    pub fn summary(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .security()
            .pins()
            .iter()
            .map(|p| {
                format!(
                    "PIN {:02X}: {} retries left, {}, unblock retries {}",
                    p.key_ref,
                    p.retries,
                    if p.enabled { "enabled" } else { "disabled" },
                    p.unblock_retries
                )
            })
            .collect();
        let fs = self.fs();
        let ust = fs
            .iter()
            .find(|(_, n)| n.fid == fid::EF_UST && n.adf.is_some() && n.name == "EF.UST")
            .and_then(|(id, _)| fs.data(id));
        if let Some(ust) = ust {
            let names: Vec<String> = services::list(ust)
                .into_iter()
                .map(|n| match services::ust_name(n) {
                    Some(name) => format!("{n} ({name})"),
                    None => n.to_string(),
                })
                .collect();
            lines.push(format!("UST services: {}", names.join(", ")));
        }
        lines
    }

    /// Every (AID, INS, name) the card's applets declare.
    pub fn instruction_names(&self) -> Vec<(Vec<u8>, u8, String)> {
        let mut out = Vec::new();
        for a in &self.apps {
            for ins in 0..=u8::MAX {
                if let Some(n) = a.applet.ins_name(ins) {
                    out.push((a.aid.clone(), ins, n.to_string()));
                }
            }
        }
        out
    }

    /// The name the applet selected on `channel` gives instruction `ins`, if it declares one.
    pub fn applet_ins_name(&self, channel: u8, ins: u8) -> Option<&str> {
        let idx = self.channel(channel)?.app?;
        self.apps.get(idx)?.applet.ins_name(ins)
    }
}

/// [`TABLE_NAMES`](crate::fs::names::TABLE_NAMES) plus the instruction names a card's applets declare (a loadable applet's
/// metadata, docs/applets.md §1.2): what the annotator and the shell use for one card.
#[derive(Debug, Clone, Default)]
pub struct CardNames {
    /// (AID, INS, name).
    pub instructions: Vec<(Vec<u8>, u8, String)>,
}

impl CardNames {
    /// The names `card`'s applets declare.
    pub fn of(card: &Card) -> CardNames {
        CardNames {
            instructions: card.instruction_names(),
        }
    }
}

impl FileNames for CardNames {
    fn child(&self, adf: Option<&[u8]>, df: &[u16], fid: u16) -> Option<FileName<'_>> {
        TABLE_NAMES.child(adf, df, fid)
    }

    fn anywhere(&self, fid: u16) -> Option<FileName<'_>> {
        TABLE_NAMES.anywhere(fid)
    }

    fn instruction(&self, aid: &[u8], ins: u8) -> Option<String> {
        self.instructions
            .iter()
            .find(|(a, i, _)| {
                *i == ins && aid.len() >= 5 && (a.starts_with(aid) || aid.starts_with(a))
            })
            .map(|(_, _, n)| n.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::profile::Profile;

    #[test]
    fn the_summary_has_the_pins_then_the_named_ust_services() {
        let card = Profile::embedded_default()
            .build_card("<embedded default>")
            .expect("the default card builds");
        let lines = card.summary();
        // PIN1 (key reference 01) of the default profile: enabled, 3 tries, 10 for its PUK.
        assert_eq!(
            lines.first().map(String::as_str),
            Some("PIN 01: 3 retries left, enabled, unblock retries 10")
        );
        let ust = lines.last().expect("a UST line");
        // Service n°19 of TS 31.102 §4.2.8 is the Service Provider Name.
        assert!(
            ust.starts_with("UST services: ") && ust.contains(" 19 (spn),"),
            "{ust}"
        );
    }
}
