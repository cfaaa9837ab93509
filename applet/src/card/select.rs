//! SELECT (TS 102 221 §11.1.1, selection rules §8.4.1) and STATUS (§11.1.2).

use vusim_apdu::{Command, Response, StatusWord};

use super::applet::Context;
use super::{body_fits, fcp, Card, Channel};
use crate::fs::tables::fid;
use crate::fs::tree::{NodeId, MF};
use vusim_apdu::ins::Ins;

/// P2 response options (b5–b3 after masking 1C).
const P2_FCP: u8 = 0x04;
const P2_NO_DATA: u8 = 0x0C;

impl Card {
    /// The ADF of the application selected on a channel.
    fn channel_adf(&self, state: &Channel) -> Option<NodeId> {
        state.app.and_then(|a| self.apps.get(a)).and_then(|a| a.adf)
    }

    /// Resolve a FID from the current DF by the TS 102 221 §8.4.1 rules: the MF; the current
    /// application's ADF (`7FFF`); a child of the current DF; the current DF; its parent; a DF
    /// sibling of the current DF.
    pub(super) fn resolve_fid(&self, state: &Channel, fid: u16) -> Option<NodeId> {
        if fid == fid::MF {
            return Some(MF);
        }
        if fid == fid::CURRENT_ADF {
            return self.channel_adf(state);
        }
        let df = state.df;
        if let Some(c) = self.fs.child(df, fid) {
            return Some(c);
        }
        if self.fs.node(df).is_some_and(|n| n.fid == fid) && df != MF {
            return Some(df);
        }
        let parent = self.fs.parent_df(df)?;
        if self.fs.node(parent).is_some_and(|n| n.fid == fid) {
            return Some(parent);
        }
        self.fs
            .child(parent, fid)
            .filter(|s| self.fs.node(*s).is_some_and(|n| n.is_df()))
    }

    /// Follow a path of FIDs from `start`; `7FFF` as the first element means the current ADF.
    fn resolve_path(&self, state: &Channel, start: NodeId, path: &[u8]) -> Option<NodeId> {
        if path.is_empty() || !path.len().is_multiple_of(2) {
            return None;
        }
        let mut cur = start;
        for (i, pair) in path.chunks_exact(2).enumerate() {
            let fid = pair.iter().fold(0u16, |a, b| (a << 8) | u16::from(*b));
            cur = if i == 0 && fid == fid::CURRENT_ADF {
                self.channel_adf(state)?
            } else if i == 0 && fid == fid::MF && start == MF {
                MF
            } else {
                if !self.fs.node(cur)?.is_df() {
                    return None;
                }
                self.fs.child(cur, fid)?
            };
        }
        Some(cur)
    }

    /// Make `id` current on the channel; returns its FCP.
    pub(super) fn make_current(&self, state: &mut Channel, id: NodeId) {
        let is_df = self.fs.node(id).is_some_and(|n| n.is_df());
        if is_df {
            state.df = id;
            state.ef = None;
        } else {
            state.df = self.fs.parent_df(id).unwrap_or(MF);
            state.ef = Some(id);
        }
        state.record = None;
    }

    fn select_response(&self, id: NodeId, p2: u8) -> Response {
        let inactive = self.fs.node(id).is_some_and(|n| !n.active);
        let data = if p2 & 0x1C == P2_FCP {
            fcp::fcp(&self.fs, &self.arr, &self.security, id)
        } else {
            Vec::new()
        };
        let sw = if inactive {
            StatusWord::FILE_INVALIDATED
        } else {
            StatusWord::SUCCESS
        };
        Response::new(data, sw)
    }

    /// SELECT.
    pub(super) fn select(
        &mut self,
        ch: u8,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let (p1, p2) = (cmd.p1(), cmd.p2());
        let ret = p2 & 0x1C;
        if ret != P2_FCP && ret != P2_NO_DATA {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        if p1 != 0x04 && p2 & 0x03 != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let data = cmd.data();
        let target = match p1 {
            0x00 => match data.len() {
                0 => MF,
                2 => {
                    let fid = u16::from_be_bytes([
                        data.first().copied().unwrap_or(0),
                        data.get(1).copied().unwrap_or(0),
                    ]);
                    self.resolve_fid(state, fid)
                        .ok_or(StatusWord::FILE_NOT_FOUND)?
                }
                _ => return Err(StatusWord::WRONG_LENGTH),
            },
            0x01 => {
                let [hi, lo] = <[u8; 2]>::try_from(data).map_err(|_| StatusWord::WRONG_LENGTH)?;
                self.fs
                    .child(state.df, u16::from_be_bytes([hi, lo]))
                    .filter(|c| self.fs.node(*c).is_some_and(|n| n.is_df()))
                    .ok_or(StatusWord::FILE_NOT_FOUND)?
            }
            0x03 => {
                if !data.is_empty() {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                self.fs
                    .parent_df(state.df)
                    .ok_or(StatusWord::FILE_NOT_FOUND)?
            }
            0x04 => return self.select_aid(ch, state, cmd),
            0x08 | 0x09 => {
                if data.is_empty() || !data.len().is_multiple_of(2) {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let start = if p1 == 0x08 { MF } else { state.df };
                self.resolve_path(state, start, data)
                    .ok_or(StatusWord::FILE_NOT_FOUND)?
            }
            _ => return Err(StatusWord::INCORRECT_P1P2),
        };
        self.make_current(state, target);
        Ok(self.select_response(target, p2))
    }

    /// SELECT by DF name (AID), full or right-truncated, first/last/next/previous occurrence.
    fn select_aid(
        &mut self,
        ch: u8,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let aid = cmd.data();
        if aid.is_empty() || aid.len() > 16 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let p2 = cmd.p2();
        let matches: Vec<usize> = self
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.applet.aid().starts_with(aid))
            .map(|(i, _)| i)
            .collect();
        // Termination of the current application (P2 b7-b6 = 10).
        if p2 & 0x60 == 0x40 {
            let current = state.app.ok_or(StatusWord::FILE_NOT_FOUND)?;
            if !matches.contains(&current) {
                return Err(StatusWord::FILE_NOT_FOUND);
            }
            state.app = None;
            state.df = MF;
            state.ef = None;
            state.record = None;
            self.commit_channel(ch, *state);
            self.leave_app(Some(current), ch);
            return Ok(Response::ok(Vec::new()));
        }
        let pos = state
            .app
            .and_then(|cur| matches.iter().position(|m| *m == cur));
        let chosen = match p2 & 0x03 {
            0 => matches.first(),
            1 => matches.last(),
            2 => match pos {
                Some(p) => matches.get(p + 1),
                None => matches.first(),
            },
            _ => match pos {
                Some(p) => p.checked_sub(1).and_then(|q| matches.get(q)),
                None => matches.last(),
            },
        }
        .copied()
        .ok_or(StatusWord::FILE_NOT_FOUND)?;
        let previous = state.app;
        let adf = self.apps.get(chosen).and_then(|a| a.adf);
        if previous != Some(chosen) {
            // As on Java Card, the current application is deselected before the new one is
            // selected; if the new one refuses, the channel is left with the MF selected.
            state.app = None;
            state.df = MF;
            state.ef = None;
            state.record = None;
            self.commit_channel(ch, *state);
            self.leave_app(previous, ch);
        }
        if let Some(entry) = self.apps.get_mut(chosen) {
            let mut ctx = Context {
                fs: &mut self.fs,
                security: &mut self.security,
                adf: entry.adf,
                channel: ch,
                rng: &mut self.rng,
                dirty: &mut self.dirty,
                keys: &mut self.keys,
                now: self.clock.now(),
                aid: &entry.aid,
            };
            entry.applet.select(&mut ctx)?;
        }
        state.app = Some(chosen);
        state.df = adf.unwrap_or(MF);
        state.ef = None;
        state.record = None;
        self.commit_channel(ch, *state);
        let data = match (p2 & 0x1C, adf) {
            (P2_FCP, Some(id)) => fcp::fcp(&self.fs, &self.arr, &self.security, id),
            (P2_FCP, None) => {
                let aid = self
                    .apps
                    .get(chosen)
                    .map(|a| a.applet.aid().to_vec())
                    .unwrap_or_default();
                vusim_apdu::tlv::Tlv::constructed(
                    0x62u32,
                    &[vusim_apdu::tlv::Tlv::new(0x84u32, aid)],
                )
                .encode()
            }
            _ => Vec::new(),
        };
        Ok(Response::ok(data))
    }

    pub(super) fn commit_channel(&mut self, ch: u8, state: Channel) {
        if let Some(slot) = self.channels.get_mut(usize::from(ch)) {
            if slot.is_some() {
                *slot = Some(state);
            }
        }
    }

    /// STATUS.
    pub(super) fn status(&self, state: &Channel, cmd: &Command) -> Result<Response, StatusWord> {
        if cmd.p1() > 0x02 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        body_fits(cmd, Ins::Status)?;
        match cmd.p2() {
            0x00 => Ok(Response::ok(fcp::fcp(
                &self.fs,
                &self.arr,
                &self.security,
                state.df,
            ))),
            0x01 => {
                let aid = state
                    .app
                    .and_then(|a| self.apps.get(a))
                    .map(|a| a.applet.aid().to_vec())
                    .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
                Ok(Response::ok(
                    vusim_apdu::tlv::Tlv::new(0x84u32, aid).encode(),
                ))
            }
            0x0C => Ok(Response::ok(Vec::new())),
            _ => Err(StatusWord::INCORRECT_P1P2),
        }
    }
}
