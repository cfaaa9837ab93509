//! READ/UPDATE BINARY, READ/UPDATE RECORD, SEARCH RECORD, INCREASE, DEACTIVATE/ACTIVATE FILE (TS 102 221 §11.1.3–§11.1.8, §11.1.14–§11.1.15).

use vusim_apdu::{Command, Response, StatusWord};

use vusim_apdu::ins::Ins;

use super::{body_fits, Card, Channel};
use crate::fs::spec::{Rule, Structure};
use crate::fs::tree::NodeId;

/// Which operation an access check is for.
#[derive(Clone, Copy)]
enum Op {
    Read,
    Update,
    Increase,
    Deactivate,
    Activate,
}

impl Card {
    /// Check the access rule of `op` on EF `id` for the channel's application.
    fn check_access(&self, state: &Channel, id: NodeId, op: Op) -> Result<(), StatusWord> {
        let node = self.fs.node(id).ok_or(StatusWord::FILE_NOT_FOUND)?;
        let spec = node.ef_spec().ok_or(StatusWord::NO_EF_SELECTED)?;
        let rule: Rule = match op {
            Op::Read => spec.access.read,
            Op::Update => spec.access.update,
            Op::Increase => spec.access.increase,
            Op::Deactivate => spec.access.deactivate,
            Op::Activate => spec.access.activate,
        };
        let adf = node.adf.or_else(|| self.channel_adf_of(state));
        if !self.security.satisfied(rule, adf) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        if !node.active && !matches!(op, Op::Activate | Op::Deactivate) {
            return Err(StatusWord::REFERENCED_DATA_INVALIDATED);
        }
        Ok(())
    }

    fn channel_adf_of(&self, state: &Channel) -> Option<NodeId> {
        state.app.and_then(|a| self.apps.get(a)).and_then(|a| a.adf)
    }

    /// The EF addressed by an SFI (selecting it) or the current EF.
    fn ef_by_sfi_or_current(&self, state: &mut Channel, sfi: u8) -> Result<NodeId, StatusWord> {
        if sfi == 0 {
            return state.ef.ok_or(StatusWord::NO_EF_SELECTED);
        }
        let id = self
            .fs
            .by_sfi(state.df, sfi)
            .ok_or(StatusWord::FILE_NOT_FOUND)?;
        if state.ef != Some(id) {
            state.ef = Some(id);
            state.record = None;
        }
        Ok(id)
    }

    /// READ/UPDATE BINARY addressing: P1 b8 = 1 means SFI in b5–b1 and offset P2; else a 15-bit
    /// offset.
    fn binary_target(
        &self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<(NodeId, usize), StatusWord> {
        let (p1, p2) = (cmd.p1(), cmd.p2());
        let (id, offset) = if p1 & 0x80 != 0 {
            if p1 & 0x60 != 0 {
                return Err(StatusWord::INCORRECT_P1P2);
            }
            (
                self.ef_by_sfi_or_current(state, p1 & 0x1F)?,
                usize::from(p2),
            )
        } else {
            (
                state.ef.ok_or(StatusWord::NO_EF_SELECTED)?,
                (usize::from(p1) << 8) | usize::from(p2),
            )
        };
        let spec = self
            .fs
            .node(id)
            .and_then(|n| n.ef_spec())
            .ok_or(StatusWord::NO_EF_SELECTED)?;
        if !matches!(spec.structure, Structure::Transparent { .. }) {
            return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE);
        }
        Ok((id, offset))
    }

    /// READ BINARY.
    pub(super) fn read_binary(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        body_fits(cmd, Ins::ReadBinary)?;
        let (id, offset) = self.binary_target(state, cmd)?;
        self.check_access(state, id, Op::Read)?;
        let data = self.fs.data(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        if offset >= data.len() {
            return Err(StatusWord::WRONG_P1P2);
        }
        let ne = cmd.le().ok_or(StatusWord::WRONG_LENGTH)?;
        let rest = data.get(offset..).unwrap_or_default();
        // Le = 00 (short) or 0000 (extended): everything up to the end of the file.
        let all = ne == 256 && !cmd.is_extended() || ne == 65_536;
        if all || ne <= rest.len() {
            Ok(Response::ok(
                rest.get(..ne.min(rest.len())).unwrap_or_default().to_vec(),
            ))
        } else {
            Ok(Response::new(rest.to_vec(), StatusWord::END_OF_FILE))
        }
    }

    /// UPDATE BINARY.
    pub(super) fn update_binary(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let (id, offset) = self.binary_target(state, cmd)?;
        self.check_access(state, id, Op::Update)?;
        body_fits(cmd, Ins::UpdateBinary)?;
        let new = cmd.data();
        let data = self.fs.data_mut(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        if offset >= data.len() {
            return Err(StatusWord::WRONG_P1P2);
        }
        let dst = data
            .get_mut(offset..offset + new.len())
            .ok_or(StatusWord::WRONG_LENGTH)?;
        dst.copy_from_slice(new);
        self.dirty = true;
        Ok(Response::ok(Vec::new()))
    }

    /// The record file addressed by P2 b8–b4 (SFI) or the current EF, with its geometry.
    fn record_target(
        &self,
        state: &mut Channel,
        sfi: u8,
    ) -> Result<(NodeId, usize, u8, bool), StatusWord> {
        let id = self.ef_by_sfi_or_current(state, sfi)?;
        let spec = self
            .fs
            .node(id)
            .and_then(|n| n.ef_spec())
            .ok_or(StatusWord::NO_EF_SELECTED)?;
        match spec.structure {
            Structure::LinearFixed {
                record_len,
                records,
            } => Ok((id, usize::from(record_len), records, false)),
            Structure::Cyclic {
                record_len,
                records,
            } => Ok((id, usize::from(record_len), records, true)),
            _ => Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
        }
    }

    /// The record number a READ/UPDATE RECORD mode addresses, and whether it moves the pointer.
    pub(super) fn record_number(
        state: &Channel,
        p1: u8,
        mode: u8,
        count: u8,
        cyclic: bool,
    ) -> Result<(u8, bool), StatusWord> {
        match mode {
            0x04 if p1 == 0 => state
                .record
                .map(|r| (r, false))
                .ok_or(StatusWord::RECORD_NOT_FOUND),
            0x04 => {
                if p1 > count {
                    Err(StatusWord::RECORD_NOT_FOUND)
                } else {
                    Ok((p1, false))
                }
            }
            0x02 => match state.record {
                None => Ok((1, true)),
                Some(r) if r < count => Ok((r + 1, true)),
                Some(_) if cyclic => Ok((1, true)),
                Some(_) => Err(StatusWord::RECORD_NOT_FOUND),
            },
            0x03 => match state.record {
                None => Ok((count, true)),
                Some(r) if r > 1 => Ok((r - 1, true)),
                Some(_) if cyclic => Ok((count, true)),
                Some(_) => Err(StatusWord::RECORD_NOT_FOUND),
            },
            _ => Err(StatusWord::INCORRECT_P1P2),
        }
    }

    /// READ RECORD.
    pub(super) fn read_record(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        body_fits(cmd, Ins::ReadRecord)?;
        let (p1, p2) = (cmd.p1(), cmd.p2());
        let (id, rl, count, cyclic) = self.record_target(state, p2 >> 3)?;
        self.check_access(state, id, Op::Read)?;
        let (n, moves) = Self::record_number(state, p1, p2 & 0x07, count, cyclic)?;
        let data = self.fs.data(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        let start = usize::from(n.saturating_sub(1)) * rl;
        let rec = data
            .get(start..start + rl)
            .ok_or(StatusWord::RECORD_NOT_FOUND)?
            .to_vec();
        if moves {
            state.record = Some(n);
        }
        Ok(Response::ok(rec))
    }

    /// UPDATE RECORD: linear fixed in any mode; cyclic only in PREVIOUS mode, which writes the
    /// oldest record and makes it record 1.
    pub(super) fn update_record(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let (p1, p2) = (cmd.p1(), cmd.p2());
        let (id, rl, count, cyclic) = self.record_target(state, p2 >> 3)?;
        self.check_access(state, id, Op::Update)?;
        let new = cmd.data();
        if new.len() != rl {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if cyclic {
            if p2 & 0x07 != 0x03 {
                return Err(StatusWord::INCORRECT_P1P2);
            }
            self.push_cyclic(id, rl, count, new)?;
            state.record = Some(1);
            return Ok(Response::ok(Vec::new()));
        }
        let (n, moves) = Self::record_number(state, p1, p2 & 0x07, count, false)?;
        let data = self.fs.data_mut(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        let start = usize::from(n.saturating_sub(1)) * rl;
        data.get_mut(start..start + rl)
            .ok_or(StatusWord::RECORD_NOT_FOUND)?
            .copy_from_slice(new);
        self.dirty = true;
        if moves {
            state.record = Some(n);
        }
        Ok(Response::ok(Vec::new()))
    }

    /// SEARCH RECORD, simple search forward (P2 mode 04) or backward (05) from record P1
    /// (00 = the current record, or the first/last when none): the numbers of the records
    /// containing the pattern. The record pointer moves to the first one found.
    pub(super) fn search_record(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let (p1, p2) = (cmd.p1(), cmd.p2());
        body_fits(cmd, Ins::SearchRecord)?;
        let pattern = cmd.data();
        let (id, rl, count, _) = self.record_target(state, p2 >> 3)?;
        self.check_access(state, id, Op::Read)?;
        if pattern.len() > rl {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if p1 > count {
            return Err(StatusWord::RECORD_NOT_FOUND);
        }
        let order: Vec<u8> = match p2 & 0x07 {
            0x04 => {
                let from = if p1 == 0 {
                    state.record.unwrap_or(1)
                } else {
                    p1
                };
                (from..=count).collect()
            }
            0x05 => {
                let from = if p1 == 0 {
                    state.record.unwrap_or(count)
                } else {
                    p1
                };
                (1..=from).rev().collect()
            }
            _ => return Err(StatusWord::INCORRECT_P1P2),
        };
        let data = self.fs.data(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        let found: Vec<u8> = order
            .into_iter()
            .filter(|n| {
                let start = usize::from(n.saturating_sub(1)) * rl;
                data.get(start..start + rl)
                    .is_some_and(|rec| rec.windows(pattern.len()).any(|w| w == pattern))
            })
            .collect();
        if let Some(first) = found.first() {
            state.record = Some(*first);
        }
        Ok(Response::ok(found))
    }

    /// Store `record` as the new record 1 of a cyclic file, dropping the oldest (TS 102 221 §8.2.3).
    pub(super) fn push_cyclic(
        &mut self,
        id: NodeId,
        rl: usize,
        count: u8,
        record: &[u8],
    ) -> Result<(), StatusWord> {
        let data = self.fs.data_mut(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        data.truncate(rl * usize::from(count).saturating_sub(1));
        let mut rotated = record.to_vec();
        rotated.append(data);
        *data = rotated;
        self.dirty = true;
        Ok(())
    }

    /// INCREASE (cyclic files): add the value to record 1 and store the sum as the new record 1;
    /// respond with the new value and the value added (TS 102 221 §11.1.8).
    pub(super) fn increase(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if cmd.p1() != 0 || cmd.p2() & 0x07 != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let (id, rl, count, cyclic) = self.record_target(state, cmd.p2() >> 3)?;
        if !cyclic {
            return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE);
        }
        self.check_access(state, id, Op::Increase)?;
        body_fits(cmd, Ins::Increase)?;
        let add = cmd.data();
        if add.len() > rl {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let data = self.fs.data(id).ok_or(StatusWord::NO_EF_SELECTED)?;
        let current = data.get(..rl).ok_or(StatusWord::RECORD_NOT_FOUND)?.to_vec();
        // Big-endian addition, value right-aligned in the record.
        let mut sum = current.clone();
        let mut carry = 0u16;
        for i in 0..rl {
            let si = rl - 1 - i;
            let a = add
                .len()
                .checked_sub(1 + i)
                .and_then(|j| add.get(j))
                .copied()
                .unwrap_or(0);
            let s = u16::from(current.get(si).copied().unwrap_or(0)) + u16::from(a) + carry;
            if let Some(b) = sum.get_mut(si) {
                *b = (s & 0xFF) as u8;
            }
            carry = s >> 8;
        }
        if carry != 0 {
            return Err(StatusWord::INCREASE_MAX_REACHED);
        }
        self.push_cyclic(id, rl, count, &sum)?;
        state.record = Some(1);
        let mut out = sum;
        out.extend_from_slice(add);
        Ok(Response::ok(out))
    }

    /// DEACTIVATE FILE / ACTIVATE FILE: the current EF (no data), or a FID (P1 00) or path
    /// (P1 08/09) given in the data.
    pub(super) fn activation(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if cmd.p2() != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let data = cmd.data();
        let id = match (cmd.p1(), data.len()) {
            (0x00, 0) => state.ef.ok_or(StatusWord::NO_EF_SELECTED)?,
            (0x00 | 0x08 | 0x09, _) => {
                let mut probe = *state;
                let sel = Command::build(cmd.cla(), 0xA4, cmd.p1(), 0x0C, data, None)
                    .map_err(|_| StatusWord::WRONG_LENGTH)?;
                self.select(0, &mut probe, &sel)?;
                let id = probe.ef.ok_or(StatusWord::FILE_NOT_FOUND)?;
                *state = probe;
                id
            }
            _ => return Err(StatusWord::INCORRECT_P1P2),
        };
        let activate = cmd.ins() == Ins::ActivateFile.byte();
        self.check_access(
            state,
            id,
            if activate {
                Op::Activate
            } else {
                Op::Deactivate
            },
        )?;
        if let Some(n) = self.fs.node_mut(id) {
            n.active = activate;
        }
        self.dirty = true;
        Ok(Response::ok(Vec::new()))
    }
}
