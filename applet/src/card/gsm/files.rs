//! READ/UPDATE BINARY, READ/UPDATE RECORD, SEEK, INCREASE, INVALIDATE and REHABILITATE of the
//! SIM application (3GPP TS 51.011 Rel-4 §9.2.3–§9.2.8, §9.2.14–§9.2.15), on the current EF of
//! the basic channel, with the §9.4 status words.

use vusim_apdu::ins::GsmIns;
use vusim_apdu::{Command, Response, StatusWord};

use super::{p3, params};
use crate::card::{Card, Channel};
use crate::fs::spec::{Rule, Structure};
use crate::fs::tree::NodeId;

/// What a file operation needs to know of the current EF.
struct Ef {
    id: NodeId,
    structure: Structure,
}

impl Card {
    /// The current EF, with its access condition for `rule_of` checked (9804) and its
    /// invalidation status (9810) unless `invalidated_ok`.
    fn gsm_ef(
        &self,
        state: &Channel,
        rule_of: impl Fn(&crate::fs::spec::Access) -> Rule,
        invalidated_ok: bool,
    ) -> Result<Ef, StatusWord> {
        let id = state.ef.ok_or(StatusWord::GSM_NO_EF_SELECTED)?;
        let node = self.fs.node(id).ok_or(StatusWord::GSM_NO_EF_SELECTED)?;
        let spec = node.ef_spec().ok_or(StatusWord::GSM_NO_EF_SELECTED)?;
        let adf = node.adf.or_else(|| self.gsm_adf());
        if !self.security.satisfied(rule_of(&spec.access), adf) {
            return Err(StatusWord::GSM_ACCESS_NOT_FULFILLED);
        }
        if !node.active && !invalidated_ok {
            return Err(StatusWord::GSM_INVALIDATION_CONTRADICTION);
        }
        Ok(Ef {
            id,
            structure: spec.structure,
        })
    }

    /// The offset in P1‖P2 and the P3 bytes it addresses, within a transparent EF of `size`.
    fn gsm_binary_range(
        ef: &Ef,
        cmd: &Command,
        size: usize,
    ) -> Result<std::ops::Range<usize>, StatusWord> {
        if !matches!(
            ef.structure,
            Structure::Transparent { .. } | Structure::BerTlv { .. }
        ) {
            return Err(StatusWord::GSM_FILE_INCONSISTENT);
        }
        let offset = (usize::from(cmd.p1()) << 8) | usize::from(cmd.p2());
        let end = offset + p3(cmd);
        if cmd.p1() & 0x80 != 0 || end > size {
            return Err(StatusWord::GSM_OUT_OF_RANGE);
        }
        Ok(offset..end)
    }

    /// READ BINARY (§9.2.3): P3 bytes from offset P1‖P2.
    pub(super) fn gsm_read_binary(
        &self,
        state: &Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if !cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let ef = self.gsm_ef(state, |a| a.read, false)?;
        let data = self.fs.data(ef.id).ok_or(StatusWord::TECHNICAL_PROBLEM)?;
        let range = Self::gsm_binary_range(&ef, cmd, data.len())?;
        let out = data.get(range).ok_or(StatusWord::GSM_OUT_OF_RANGE)?;
        Ok(Response::ok(out.to_vec()))
    }

    /// UPDATE BINARY (§9.2.4): P3 bytes of data at offset P1‖P2.
    pub(super) fn gsm_update_binary(
        &mut self,
        state: &Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let ef = self.gsm_ef(state, |a| a.update, false)?;
        let size = self.fs.data(ef.id).map_or(0, <[u8]>::len);
        let range = Self::gsm_binary_range(&ef, cmd, size)?;
        let data = self
            .fs
            .data_mut(ef.id)
            .ok_or(StatusWord::TECHNICAL_PROBLEM)?;
        data.get_mut(range)
            .ok_or(StatusWord::GSM_OUT_OF_RANGE)?
            .copy_from_slice(cmd.data());
        self.dirty = true;
        Ok(Response::ok(Vec::new()))
    }

    /// Record length and count of a record EF, else 9408.
    fn gsm_records(ef: &Ef) -> Result<(usize, u8, bool), StatusWord> {
        match ef.structure {
            Structure::LinearFixed {
                record_len,
                records,
            } => Ok((usize::from(record_len), records, false)),
            Structure::Cyclic {
                record_len,
                records,
            } => Ok((usize::from(record_len), records, true)),
            _ => Err(StatusWord::GSM_FILE_INCONSISTENT),
        }
    }

    /// The record a READ/UPDATE RECORD mode (P2 02 next, 03 previous, 04 absolute or current)
    /// addresses; a record that does not exist is out of range (9402).
    fn gsm_record_number(
        state: &Channel,
        cmd: &Command,
        count: u8,
        cyclic: bool,
    ) -> Result<(u8, bool), StatusWord> {
        if !matches!(cmd.p2(), 0x02..=0x04) || (cmd.p2() != 0x04 && cmd.p1() != 0) {
            return Err(StatusWord::WRONG_P1P2);
        }
        Card::record_number(state, cmd.p1(), cmd.p2(), count, cyclic).map_err(|sw| {
            if sw == StatusWord::INCORRECT_P1P2 {
                StatusWord::WRONG_P1P2
            } else {
                StatusWord::GSM_OUT_OF_RANGE
            }
        })
    }

    /// READ RECORD (§9.2.5): P3 must be the record length.
    pub(super) fn gsm_read_record(
        &self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if !cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let ef = self.gsm_ef(state, |a| a.read, false)?;
        let (rl, count, cyclic) = Self::gsm_records(&ef)?;
        if p3(cmd) != rl {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let (n, moves) = Self::gsm_record_number(state, cmd, count, cyclic)?;
        let start = usize::from(n.saturating_sub(1)) * rl;
        let rec = self
            .fs
            .data(ef.id)
            .and_then(|d| d.get(start..start + rl))
            .ok_or(StatusWord::GSM_OUT_OF_RANGE)?
            .to_vec();
        if moves {
            state.record = Some(n);
        }
        Ok(Response::ok(rec))
    }

    /// UPDATE RECORD (§9.2.6): linear fixed in any mode; cyclic only PREVIOUS, which writes the
    /// oldest record and makes it record 1.
    pub(super) fn gsm_update_record(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let ef = self.gsm_ef(state, |a| a.update, false)?;
        let (rl, count, cyclic) = Self::gsm_records(&ef)?;
        let new = cmd.data();
        if new.len() != rl {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if cyclic {
            params(cmd, 0, 0x03)?;
            self.push_cyclic(ef.id, rl, count, new)?;
            state.record = Some(1);
            return Ok(Response::ok(Vec::new()));
        }
        let (n, moves) = Self::gsm_record_number(state, cmd, count, false)?;
        let start = usize::from(n.saturating_sub(1)) * rl;
        self.fs
            .data_mut(ef.id)
            .and_then(|d| d.get_mut(start..start + rl))
            .ok_or(StatusWord::GSM_OUT_OF_RANGE)?
            .copy_from_slice(new);
        self.dirty = true;
        if moves {
            state.record = Some(n);
        }
        Ok(Response::ok(Vec::new()))
    }

    /// SEEK (§9.2.7) in a linear fixed EF: the pattern is compared with the start of each
    /// record. P2 = type (b8–b5: 0 type 1, 1 type 2) and mode (b4–b1: 0 from the beginning
    /// forward, 1 from the end backward, 2 from the next record forward, 3 from the previous
    /// record backward). The record pointer moves to the record found; type 2 also returns its
    /// number. Not found → 9404, pointer unchanged.
    pub(super) fn gsm_seek(
        &self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        let (kind, mode) = (cmd.p2() >> 4, cmd.p2() & 0x0F);
        if cmd.p1() != 0 || kind > 1 || mode > 3 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let ef = self.gsm_ef(state, |a| a.read, false)?;
        let (rl, count, cyclic) = Self::gsm_records(&ef)?;
        if cyclic {
            return Err(StatusWord::GSM_FILE_INCONSISTENT);
        }
        let pattern = cmd.data();
        if pattern.is_empty() || pattern.len() > rl {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let order: Vec<u8> = match (mode, state.record) {
            (0, _) | (2, None) => (1..=count).collect(),
            (2, Some(r)) => (r.saturating_add(1)..=count).collect(),
            (3, Some(r)) => (1..r).rev().collect(),
            // Mode 1, or mode 3 with no current record: from the end backward.
            _ => (1..=count).rev().collect(),
        };
        let data = self.fs.data(ef.id).ok_or(StatusWord::TECHNICAL_PROBLEM)?;
        let found = order
            .into_iter()
            .find(|n| {
                let start = usize::from(n.saturating_sub(1)) * rl;
                data.get(start..start + pattern.len()) == Some(pattern)
            })
            .ok_or(StatusWord::GSM_NOT_FOUND)?;
        state.record = Some(found);
        Ok(Response::ok(if kind == 1 {
            vec![found]
        } else {
            Vec::new()
        }))
    }

    /// INCREASE (§9.2.8): add the 3-byte value to record 1 of a cyclic EF and store the sum as
    /// the new record 1; respond new value ‖ value added. Overflow → 9850.
    pub(super) fn gsm_increase(
        &mut self,
        state: &mut Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        params(cmd, 0, 0)?;
        if cmd.data().len() != 3 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let ef = self.gsm_ef(state, |a| a.increase, false)?;
        let (_, _, cyclic) = Self::gsm_records(&ef)?;
        if !cyclic {
            return Err(StatusWord::GSM_FILE_INCONSISTENT);
        }
        let uicc = Command::build(0x80, 0x32, 0, 0, cmd.data(), None)
            .map_err(|_| StatusWord::WRONG_LENGTH)?;
        self.increase(state, &uicc).map_err(|sw| match sw {
            StatusWord::INCREASE_MAX_REACHED => sw,
            StatusWord::WRONG_LENGTH => sw,
            _ => StatusWord::TECHNICAL_PROBLEM,
        })
    }

    /// INVALIDATE (§9.2.14) and REHABILITATE (§9.2.15) of the current EF; their access
    /// conditions are the table's deactivate/activate rules.
    pub(super) fn gsm_invalidation(
        &mut self,
        state: &Channel,
        ins: GsmIns,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        params(cmd, 0, 0)?;
        if !cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let rehabilitate = ins == GsmIns::Rehabilitate;
        let ef = self.gsm_ef(
            state,
            |a| {
                if rehabilitate {
                    a.activate
                } else {
                    a.deactivate
                }
            },
            true,
        )?;
        if let Some(n) = self.fs.node_mut(ef.id) {
            n.active = rehabilitate;
        }
        self.dirty = true;
        Ok(Response::ok(Vec::new()))
    }
}
