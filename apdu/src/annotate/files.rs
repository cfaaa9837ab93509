//! File names in the DF context a SELECT is made from (TS 102 221 §8.4.1, §11.1.1.2): the
//! annotator tracks the current DF and application of each logical channel and asks a
//! [`FileNames`] table for the name of each FID there.
//!
//! The file table lives above this crate (vusim-applet's `fs/tables`), so the binary passes its
//! lookup in; without one only the reserved identifiers '3F00' (MF) and '7FFF' (current ADF)
//! are named. The tracking follows the commands as sent and undoes a SELECT that the card
//! refused, so `4F05` after `SELECT 5FC0` in ADF.USIM is EF.5GAUTHKEYS.

use super::aid_name;

/// A file the table knows: its spec name and whether it is a DF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileName<'a> {
    /// Spec name (`EF.5GAUTHKEYS`, `DF.5GS`, `ADF.USIM`).
    pub name: &'a str,
    /// A DF or ADF (selecting it makes it the current directory).
    pub is_df: bool,
}

/// The card's file table as the annotator needs it (shared by the threads serving slots).
pub trait FileNames: Sync {
    /// The file `fid` directly under the DF at `df`: FIDs from the MF, an ADF written `7FFF`
    /// and identified by `adf`, the (possibly right-truncated) AID it was selected with.
    /// `child(adf, &[], 0x7FFF)` names the ADF itself.
    fn child(&self, adf: Option<&[u8]>, df: &[u16], fid: u16) -> Option<FileName<'_>>;

    /// The file a FID most likely means when the DF context is unknown (a lone command in
    /// `vusim decode`).
    fn anywhere(&self, fid: u16) -> Option<FileName<'_>> {
        let _ = fid;
        None
    }

    /// The name the application `aid` (as selected, possibly right-truncated) gives
    /// instruction `ins`, when the card knows it (a loadable applet's declared instructions).
    fn instruction(&self, aid: &[u8], ins: u8) -> Option<String> {
        let _ = (aid, ins);
        None
    }
}

/// The reserved identifiers of TS 102 221 §8.4.1 / §8.3.
pub fn reserved_name(fid: u16) -> Option<&'static str> {
    match fid {
        0x3F00 => Some("MF"),
        0x7FFF => Some("current ADF"),
        _ => None,
    }
}

/// The current directory of one logical channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Current {
    /// AID of the selected application, if one was selected by AID.
    adf: Option<Vec<u8>>,
    /// FID path of the current DF from the MF (`7FFF` first inside an ADF).
    path: Vec<u16>,
    /// Whether the path is known (false after a SELECT the tracker could not follow).
    known: bool,
}

impl Current {
    fn mf() -> Current {
        Current {
            adf: None,
            path: Vec::new(),
            known: true,
        }
    }
}

/// The DF context of every logical channel, with the name lookup.
pub(super) struct Context<'n> {
    names: Option<&'n dyn FileNames>,
    channels: Vec<Current>,
    /// The channel and state before the last SELECT, restored if the card refuses it.
    undo: Option<(usize, Current)>,
    /// FID and name of the last SELECT's target, for the FCP that answers it.
    selected: Option<(u16, String)>,
}

impl<'n> Context<'n> {
    pub(super) fn new(names: Option<&'n dyn FileNames>) -> Context<'n> {
        Context {
            names,
            channels: Vec::new(),
            undo: None,
            selected: None,
        }
    }

    pub(super) fn names(&self) -> Option<&'n dyn FileNames> {
        self.names
    }

    fn current(&self, channel: usize) -> Current {
        self.channels
            .get(channel)
            .cloned()
            .unwrap_or_else(Current::mf)
    }

    fn set(&mut self, channel: usize, cur: Current) {
        if self.channels.len() <= channel {
            self.channels.resize_with(channel + 1, Current::mf);
        }
        if let Some(slot) = self.channels.get_mut(channel) {
            *slot = cur;
        }
    }

    /// The name of `fid` as a child of `df` (or the ADF / MF for the reserved FIDs).
    fn child(&self, adf: Option<&[u8]>, df: &[u16], fid: u16) -> Option<(String, bool)> {
        if fid == 0x3F00 {
            return Some(("MF".to_string(), true));
        }
        let found = self.names.and_then(|n| n.child(adf, df, fid));
        if let Some(f) = found {
            return Some((f.name.to_string(), f.is_df));
        }
        if fid == 0x7FFF {
            let name = match adf.and_then(aid_name) {
                Some(app) => format!("current ADF, {app}"),
                None => "current ADF".to_string(),
            };
            return Some((name, true));
        }
        None
    }

    /// Resolve a FID selected from `cur` (TS 102 221 §8.4.1: a child of the current DF, the
    /// current DF's parent or the DF itself, a sibling, the MF's children, the current ADF).
    /// Returns the name and the new current state.
    fn resolve(&self, cur: &Current, fid: u16) -> (Option<String>, Current) {
        let adf = cur.adf.as_deref();
        if fid == 0x3F00 {
            return (Some("MF".to_string()), Current::mf());
        }
        if fid == 0x7FFF {
            let name = self.child(adf, &[], fid).map(|(n, _)| n);
            let next = Current {
                adf: cur.adf.clone(),
                path: vec![0x7FFF],
                known: cur.adf.is_some(),
            };
            return (name, next);
        }
        if cur.known {
            let parent = cur.path.split_last().map_or(&[][..], |(_, p)| p);
            let mut contexts: Vec<&[u16]> = vec![&cur.path];
            if !cur.path.is_empty() {
                contexts.push(parent);
            }
            contexts.push(&[]);
            if cur.path.last() == Some(&fid) {
                if let Some((name, _)) = self.child(adf, parent, fid) {
                    return (Some(name), cur.clone());
                }
            }
            for df in contexts {
                if let Some((name, is_df)) = self.child(adf, df, fid) {
                    let mut path = df.to_vec();
                    if is_df {
                        path.push(fid);
                    }
                    let next = Current {
                        adf: cur.adf.clone(),
                        path,
                        known: true,
                    };
                    return (Some(name), next);
                }
            }
        }
        // In a known context the table does not hold the file; without one, guess.
        let guess = if cur.known {
            None
        } else {
            self.names
                .and_then(|n| n.anywhere(fid))
                .map(|f| f.name.to_string())
        };
        let next = Current {
            adf: cur.adf.clone(),
            path: cur.path.clone(),
            known: false,
        };
        (guess, next)
    }

    /// Follow a SELECT on `channel` and name its target: one name per FID of `fids` (one FID
    /// for P1 00/01, the path for P1 08/09), `None` for a FID the table does not know.
    pub(super) fn select(
        &mut self,
        channel: usize,
        p1: u8,
        data: &[u8],
    ) -> Vec<(u16, Option<String>)> {
        let before = self.current(channel);
        let fids: Vec<u16> = data
            .chunks(2)
            .map(|c| match c {
                [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                _ => 0,
            })
            .collect();
        let mut names = Vec::with_capacity(fids.len());
        let after = match p1 {
            0x00 | 0x01 if data.is_empty() => Current::mf(),
            0x00 | 0x01 => {
                let fid = fids.first().copied().unwrap_or(0);
                let (name, next) = self.resolve(&before, fid);
                names.push((fid, name));
                next
            }
            0x03 => {
                let mut next = before.clone();
                next.path.pop();
                next
            }
            0x04 => Current {
                adf: Some(data.to_vec()),
                path: vec![0x7FFF],
                known: true,
            },
            0x08 | 0x09 => {
                let mut cur = if p1 == 0x08 {
                    Current {
                        adf: before.adf.clone(),
                        path: Vec::new(),
                        known: true,
                    }
                } else {
                    before.clone()
                };
                for fid in &fids {
                    let adf = cur.adf.clone();
                    let found = if cur.known {
                        self.child(adf.as_deref(), &cur.path, *fid)
                    } else {
                        None
                    };
                    match found {
                        Some((name, is_df)) => {
                            if is_df {
                                cur.path.push(*fid);
                            }
                            names.push((*fid, Some(name)));
                        }
                        None => {
                            cur.known = false;
                            names.push((*fid, reserved_name(*fid).map(str::to_string)));
                        }
                    }
                }
                cur
            }
            _ => before.clone(),
        };
        self.selected = names
            .last()
            .and_then(|(fid, n)| n.clone().map(|n| (*fid, n)));
        self.undo = Some((channel, before));
        self.set(channel, after);
        names
    }

    /// A command other than SELECT: nothing to undo.
    /// The name of `ins` for the application selected on `channel`, if the table knows one.
    pub(super) fn instruction(&self, channel: usize, ins: u8) -> Option<String> {
        let aid = self.channels.get(channel)?.adf.as_deref()?;
        self.names?.instruction(aid, ins)
    }

    pub(super) fn other_command(&mut self) {
        self.undo = None;
    }

    /// The card's status word for the last command: a refused SELECT leaves the DF as it was.
    pub(super) fn status(&mut self, sw1: u8) {
        if let Some((channel, before)) = self.undo.take() {
            let ok = matches!(sw1, 0x90 | 0x91 | 0x61 | 0x62 | 0x63 | 0x9F);
            if !ok {
                self.set(channel, before);
                self.selected = None;
            }
        }
    }

    /// The name of a FID in an FCP just returned: the SELECT's target, else the table's guess.
    pub(super) fn fcp_name(&self, fid: u16) -> Option<String> {
        if let Some((f, name)) = &self.selected {
            if *f == fid {
                return Some(name.clone());
            }
        }
        reserved_name(fid).map(str::to_string).or_else(|| {
            self.names
                .and_then(|n| n.anywhere(fid))
                .map(|f| f.name.to_string())
        })
    }
}
