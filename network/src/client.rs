//! The ME's client side of the experimental API applets (docs/api/gba-api.md §4, akma.md,
//! iot.md): commands by name from an applet's command table on a logical channel, each
//! addressing one key, and the data objects of the answers.

use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::akma::command_apdu;
use vusim_applet::api::apdu::CommandRow;

use crate::error::Result;
use crate::me::Me;

/// An API applet on a logical channel: each call addresses one key (DO 80 first).
pub struct ApiChannel {
    /// The applet's command table.
    pub table: &'static [CommandRow],
    /// The channel.
    pub channel: u8,
    /// The key address.
    pub key: Tlv,
}

impl ApiChannel {
    /// Send a command of the table by name; the status word and the answer's data objects.
    pub fn call<T: Transport>(
        &self,
        me: &mut Me<T>,
        name: &str,
        dos: Vec<Tlv>,
    ) -> Result<(StatusWord, Vec<Tlv>)> {
        let mut all = vec![self.key.clone()];
        all.extend(dos);
        let resp = me.send(&command_apdu(self.table, self.channel, name, &all))?;
        Ok((resp.sw, Tlv::parse_all(&resp.data).unwrap_or_default()))
    }
}

/// A data object's value in an answer (empty when absent).
pub fn get(dos: &[Tlv], t: u32) -> Vec<u8> {
    dos.iter()
        .find(|d| d.tag.0 == t)
        .map(|d| d.value.clone())
        .unwrap_or_default()
}
