//! The ME's client side of the experimental API applets (docs/api/gba-api.md §4, akma.md,
//! iot.md): commands by name from an applet's command table on a logical channel, each
//! addressing one key, and the data objects of the answers.

use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::akma::command_apdu;
use vusim_applet::api::apdu::CommandRow;

use crate::diagram::{Msg, Party};
use crate::error::Result;
use crate::me::Me;

/// The diagram name of an API data object (docs/api/gba-api.md §4; names, never values).
fn do_name(tag: u32) -> &'static str {
    use vusim_applet::api::apdu::tag;
    match tag {
        tag::CLIENT_AID => "client AID",
        tag::NAF_ID => "NAF_ID/AF_ID",
        tag::B_TID => "B-TID/A-KID",
        tag::KIND => "kind",
        tag::STORED_NAME => "stored name",
        tag::E2E_NAME => "e2e name",
        tag::EXPIRES => "expiry",
        tag::STATE => "state",
        tag::OPS => "operations",
        tag::ALG => "alg",
        tag::PURPOSE => "purpose",
        tag::DATA => "data",
        tag::MAC => "MAC",
        tag::IV => "IV",
        tag::AAD => "AAD",
        tag::CHALLENGE => "challenge",
        tag::PROOF => "proof",
        tag::KA => "Ka",
        tag::MAC_LEN => "MAC length",
        _ => "DO",
    }
}

fn names(dos: &[Tlv]) -> Vec<&'static str> {
    dos.iter().map(|d| do_name(d.tag.0)).collect()
}

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
        // The diagram shows the table's own name of the command (a fixed string).
        let label = self
            .table
            .iter()
            .find(|r| r.name == name)
            .map_or("API command", |r| r.name);
        let msg = Msg::new(label).ps(&names(&all)).channel(self.channel);
        let resp = me.send_as(&command_apdu(self.table, self.channel, name, &all), msg)?;
        let answer = Tlv::parse_all(&resp.data).unwrap_or_default();
        me.diagram()
            .card_answer(Party::Me, Msg::new("").ps(&names(&answer)), resp.sw);
        Ok((resp.sw, answer))
    }
}

/// A data object's value in an answer (empty when absent).
pub fn get(dos: &[Tlv], t: u32) -> Vec<u8> {
    dos.iter()
        .find(|d| d.tag.0 == t)
        .map(|d| d.value.clone())
        .unwrap_or_default()
}
