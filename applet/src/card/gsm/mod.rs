//! The GSM SIM application (3GPP TS 51.011 Rel-4 §9): the class `A0` command set on the UICC's
//! own file system, as 2G terminals, GSM 11.11 modems and pySim-read speak it.
//!
//! One file system, one set of secrets: SELECT works on the same tree (MF, DF.TELECOM, DF.GSM …)
//! with the selection state of the basic channel; access conditions come from the one file table
//! ([`response`] renders them in the GSM coding); CHV1, CHV2 and ADM are the UICC's PIN1, PIN2
//! (of the USIM) and ADM1 (`chv.rs`); RUN GSM ALGORITHM asks the USIM for SRES ‖ Kc
//! ([`crate::card::applet::Applet::gsm_algorithm`]). Commands follow T=0 P3 semantics (§9.1):
//! P3 is the exact length, response data is announced with `9Fxx` and fetched with GET RESPONSE
//! (the T=0 adapter does that part). Status words are the §9.4 ones (`94xx`, `98xx`, `67xx`,
//! `6B00`, `6D00`, `6F00`), rows of the one status-word table.

mod chv;
mod files;
pub mod response;

use vusim_apdu::ins::GsmIns;
use vusim_apdu::{Command, Response, StatusWord};

use super::{Card, Channel};
use crate::fs::tree::NodeId;

impl Card {
    /// A class `A0` command (TS 51.011 §9.2). Runs on the basic channel's selection.
    pub(super) fn gsm_dispatch(&mut self, cmd: &Command) -> Result<Response, StatusWord> {
        let mut state = *self.channel(0).ok_or(StatusWord::TECHNICAL_PROBLEM)?;
        let Some(ins) = GsmIns::from_byte(cmd.ins()) else {
            return Err(StatusWord::INS_NOT_SUPPORTED);
        };
        let r = match ins {
            GsmIns::Select => self.gsm_select(&mut state, cmd),
            GsmIns::Status => self.gsm_status(&state, cmd),
            GsmIns::ReadBinary => self.gsm_read_binary(&state, cmd),
            GsmIns::UpdateBinary => self.gsm_update_binary(&state, cmd),
            GsmIns::ReadRecord => self.gsm_read_record(&mut state, cmd),
            GsmIns::UpdateRecord => self.gsm_update_record(&mut state, cmd),
            GsmIns::Seek => self.gsm_seek(&mut state, cmd),
            GsmIns::Increase => self.gsm_increase(&mut state, cmd),
            GsmIns::Invalidate | GsmIns::Rehabilitate => self.gsm_invalidation(&state, ins, cmd),
            GsmIns::VerifyChv
            | GsmIns::ChangeChv
            | GsmIns::DisableChv
            | GsmIns::EnableChv
            | GsmIns::UnblockChv => self.gsm_chv(ins, cmd),
            GsmIns::RunGsmAlgorithm => self.gsm_run_algorithm(&state, cmd),
            // SLEEP (§9.2.17): kept for old terminals, does nothing.
            GsmIns::Sleep => {
                params(cmd, 0, 0)?;
                Ok(Response::ok(Vec::new()))
            }
            // GET RESPONSE is served by the T=0 adapter; here nothing is ever pending.
            GsmIns::GetResponse => Err(StatusWord::TECHNICAL_PROBLEM),
            // The SIM Application Toolkit commands: no toolkit on this card.
            GsmIns::TerminalProfile
            | GsmIns::Envelope
            | GsmIns::Fetch
            | GsmIns::TerminalResponse => Err(StatusWord::INS_NOT_SUPPORTED),
        }?;
        self.commit_channel(0, state);
        Ok(r)
    }

    /// SELECT (§9.2.1): a FID from the current directory by the §6.5 rules (the MF, a child,
    /// the current DF, its parent, a sibling DF); the response is the MF/DF or EF data of
    /// [`response`].
    fn gsm_select(&mut self, state: &mut Channel, cmd: &Command) -> Result<Response, StatusWord> {
        params(cmd, 0, 0)?;
        let [hi, lo] = <[u8; 2]>::try_from(cmd.data()).map_err(|_| StatusWord::WRONG_LENGTH)?;
        let fid = u16::from_be_bytes([hi, lo]);
        // 7FFF names the current ADF, which the SIM application does not know.
        let target = (fid != crate::fs::tables::fid::CURRENT_ADF)
            .then(|| self.resolve_fid(state, fid))
            .flatten()
            .ok_or(StatusWord::GSM_NOT_FOUND)?;
        self.make_current(state, target);
        Ok(Response::ok(self.gsm_response(target)))
    }

    /// STATUS (§9.2.2): the SELECT response of the current directory, P3 bytes of it.
    fn gsm_status(&self, state: &Channel, cmd: &Command) -> Result<Response, StatusWord> {
        params(cmd, 0, 0)?;
        let mut data = self.gsm_response(state.df);
        if let Some(ne) = cmd.le() {
            data.truncate(ne);
        }
        Ok(Response::ok(data))
    }

    /// The SELECT response data of a file.
    fn gsm_response(&self, id: NodeId) -> Vec<u8> {
        response::select_response(&self.fs, &self.security, id)
    }

    /// The ADF whose local PIN2 is CHV2: the application that runs the GSM algorithm (the USIM).
    fn gsm_adf(&self) -> Option<NodeId> {
        self.apps
            .iter()
            .find(|a| a.applet.runs_gsm_algorithm())
            .and_then(|a| a.adf)
    }

    /// RUN GSM ALGORITHM (§9.2.16): RAND (16 bytes) → SRES (4) ‖ Kc (8). DF.GSM must be the
    /// current directory (§8.16) and CHV1 fulfilled.
    fn gsm_run_algorithm(
        &mut self,
        state: &Channel,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        params(cmd, 0, 0)?;
        let rand: [u8; 16] = cmd
            .data()
            .try_into()
            .map_err(|_| StatusWord::WRONG_LENGTH)?;
        if self.fs.node(state.df).map(|n| n.fid) != Some(crate::fs::tables::DF_GSM.fid) {
            return Err(StatusWord::GSM_FILE_INCONSISTENT);
        }
        let adf = self.gsm_adf();
        if !self.security.satisfied(crate::fs::spec::Rule::Pin1, adf) {
            return Err(StatusWord::GSM_ACCESS_NOT_FULFILLED);
        }
        let entry = self
            .apps
            .iter_mut()
            .find(|a| a.applet.runs_gsm_algorithm())
            .ok_or(StatusWord::TECHNICAL_PROBLEM)?;
        let out = entry
            .applet
            .gsm_algorithm(&rand)
            .ok_or(StatusWord::TECHNICAL_PROBLEM)??;
        Ok(Response::ok(out))
    }
}

/// P1 and P2 must be these values, else 6B00 (§9.4.6).
fn params(cmd: &Command, p1: u8, p2: u8) -> Result<(), StatusWord> {
    if cmd.p1() == p1 && cmd.p2() == p2 {
        Ok(())
    } else {
        Err(StatusWord::WRONG_P1P2)
    }
}

/// P3 of a command that sends data must equal the data length; of one that expects data, the
/// length asked for (`00` = 256). GSM P3 is exact (§9.1).
fn p3(cmd: &Command) -> usize {
    if cmd.data().is_empty() {
        cmd.le().unwrap_or(0)
    } else {
        cmd.data().len()
    }
}
