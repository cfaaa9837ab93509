//! VERIFY, CHANGE, DISABLE, ENABLE and UNBLOCK CHV (3GPP TS 51.011 Rel-4 §9.2.9–§9.2.13) on the
//! UICC's own secrets: CHV1 is PIN1 (key 01), CHV2 the USIM's PIN2 (key 81), their UNBLOCK CHVs
//! the PUKs; a presentation through either interface counts for both.
//!
//! P2 codes (§9.2.9–13): `01` CHV1 and `02` CHV2 for VERIFY and CHANGE; `01` for DISABLE and
//! ENABLE (CHV1 only); `00` CHV1 and `02` CHV2 for UNBLOCK. vusim also takes VERIFY CHV with P2
//! `0A` for ADM1, as administrative tools (pySim) send it to GSM cards; ADM codes are left to
//! the administrator by §9.3.
//!
//! Status words (§9.4.5): wrong CHV with attempts left → 9804; the last attempt failed, or the
//! CHV/UNBLOCK CHV is blocked → 9840; DISABLE when disabled or not allowed, ENABLE when enabled,
//! CHANGE while disabled → 9808. A new CHV that is not 4–8 digits padded with FF is refused with
//! 6B00 (vusim's choice: TS 51.011 has no word for it).

use vusim_apdu::ins::GsmIns;
use vusim_apdu::{Command, Response, StatusWord};

use super::params;
use crate::card::security::{KEY_ADM1, KEY_PIN1, KEY_PIN2};
use crate::card::Card;

impl Card {
    /// The CHV commands.
    pub(super) fn gsm_chv(&mut self, ins: GsmIns, cmd: &Command) -> Result<Response, StatusWord> {
        use GsmIns::{ChangeChv, DisableChv, EnableChv, UnblockChv, VerifyChv};
        let key = match (ins, cmd.p2()) {
            (VerifyChv | ChangeChv, 0x01) | (DisableChv | EnableChv, 0x01) | (UnblockChv, 0x00) => {
                KEY_PIN1
            }
            (VerifyChv | ChangeChv, 0x02) | (UnblockChv, 0x02) => KEY_PIN2,
            (VerifyChv, KEY_ADM1) => KEY_ADM1,
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        params(cmd, 0, cmd.p2())?;
        let data = cmd.data();
        let expected = if matches!(ins, ChangeChv | UnblockChv) {
            16
        } else {
            8
        };
        if data.len() != expected {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if self.security.pin(key).is_none() {
            return Err(StatusWord::GSM_NO_CHV_INITIALISED);
        }
        let adf = if key == KEY_PIN2 {
            self.gsm_adf()
        } else {
            None
        };
        let r = match ins {
            VerifyChv => self.security.verify(key, data, adf),
            ChangeChv => self.security.change(key, data, adf),
            DisableChv => self.security.disable(key, data, adf),
            EnableChv => self.security.enable(key, data, adf),
            _ => self.security.unblock(key, data, adf),
        };
        // Every presentation moves a counter: durable.
        self.dirty = true;
        r.map(|()| Response::ok(Vec::new())).map_err(gsm_sw)
    }
}

/// The §9.4.5 word for what the UICC PIN logic answered.
fn gsm_sw(sw: StatusWord) -> StatusWord {
    match sw {
        StatusWord::PIN_BLOCKED => StatusWord::GSM_CHV_BLOCKED,
        StatusWord::CONDITIONS_NOT_SATISFIED | StatusWord::REFERENCED_DATA_INVALIDATED => {
            StatusWord::GSM_CHV_STATUS_CONTRADICTION
        }
        StatusWord::INCORRECT_DATA => StatusWord::WRONG_P1P2,
        StatusWord::WRONG_LENGTH => StatusWord::WRONG_LENGTH,
        sw => match sw.retries() {
            Some(0) => StatusWord::GSM_CHV_BLOCKED,
            Some(_) => StatusWord::GSM_ACCESS_NOT_FULFILLED,
            None => StatusWord::TECHNICAL_PROBLEM,
        },
    }
}
