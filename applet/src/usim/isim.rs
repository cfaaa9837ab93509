//! The ISIM application (TS 31.103): its ADF and files; IMS AKA is not implemented.

use vusim_apdu::{Command, Response, StatusWord};

use super::ISIM_AID;
use crate::card::applet::{Applet, Context};
use crate::fs::spec::DfSpec;
use crate::fs::tables;

/// The ISIM application (TS 31.103): its files; IMS AKA is not implemented.
#[derive(Debug, Clone)]
pub struct Isim {
    aid: Vec<u8>,
}

impl Isim {
    /// An ISIM with this AID.
    pub fn new(aid: &[u8]) -> Isim {
        Isim { aid: aid.to_vec() }
    }
}

impl Default for Isim {
    fn default() -> Self {
        Isim::new(&ISIM_AID)
    }
}

impl Applet for Isim {
    fn label(&self) -> &str {
        "ISIM"
    }
    fn aid(&self) -> &[u8] {
        &self.aid
    }
    fn adf(&self) -> Option<&'static DfSpec> {
        Some(&tables::ADF_ISIM)
    }
    fn service_table_fid(&self) -> Option<u16> {
        Some(crate::fs::tables::fid::EF_IST)
    }
    fn process(&mut self, _ctx: &mut Context<'_>, _cmd: &Command) -> Result<Response, StatusWord> {
        Err(StatusWord::INS_NOT_SUPPORTED)
    }
}
