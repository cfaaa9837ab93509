//! A script run (docs/script.md) as a sequence diagram: every APDU an arrow from the ME to the
//! UICC, named from the one command table (`vusim_apdu::ins`, the SIM application's for class
//! `A0`) or — for an applet selected by AID on that channel — from the applet's own command
//! table; every `net` step the messages of its network function (HSS/AuC, BSF, NAF). vusim's own
//! drawing of a run, with the guarantees of [`super`]: names only, never a value from the run.

use vusim_apdu::authenticate::AuthContext;
use vusim_apdu::ins;
use vusim_apdu::script::{Event as ScriptEvent, Observer};
use vusim_apdu::{Command, Response};
use vusim_applet::api::apdu::CommandRow;
use vusim_applet::usim::{ISIM_AID, USIM_AID};

use super::{Diagram, Msg, Party};

/// Logical channels a class byte can address (0–19).
const CHANNELS: usize = 20;

/// The AUTHENTICATE context of P2 (TS 31.102 §7.1.2).
fn context_name(p2: u8) -> &'static str {
    match AuthContext::from_p2(p2) {
        Some(AuthContext::Gsm) => "GSM context",
        Some(AuthContext::ThreeG) => "3G/EPS/5G context",
        Some(AuthContext::Gba) => "GBA context",
        Some(AuthContext::Vusim5gAkma) => {
            "P2 '87', RFU in TS 31.102: vusim's proposed AKMA context"
        }
        None => "other context",
    }
}

/// A 3GPP application by its AID's RID and application code (TS 101 220 Annex E).
fn app_name(aid: &[u8]) -> Option<&'static str> {
    let code = aid.get(..7)?;
    if code == USIM_AID.get(..7)? {
        Some("USIM")
    } else if code == ISIM_AID.get(..7)? {
        Some("ISIM")
    } else {
        None
    }
}

/// Records a script run's events as a [`Diagram`].
pub struct ScriptDiagram {
    diagram: Diagram,
    /// The command table of the applet selected by AID on each channel, if vusim knows it.
    apps: [Option<(&'static str, &'static [CommandRow])>; CHANNELS],
}

impl Default for ScriptDiagram {
    fn default() -> Self {
        ScriptDiagram {
            diagram: Diagram::new("vusim run"),
            apps: [None; CHANNELS],
        }
    }
}

impl ScriptDiagram {
    /// An empty record.
    pub fn new() -> ScriptDiagram {
        ScriptDiagram::default()
    }

    /// The diagram so far.
    pub fn diagram(&self) -> &Diagram {
        &self.diagram
    }

    fn apdu(&mut self, command: &[u8], response: &[u8]) {
        let Ok(cmd) = Command::parse(command) else {
            self.diagram
                .send(Party::Me, Party::Uicc, Msg::new("malformed APDU"));
            return;
        };
        let cla = command.first().copied().unwrap_or_default();
        let ch = cmd.channel().unwrap_or(0);
        let slot = usize::from(ch);
        let app = self.apps.get(slot).copied().flatten();
        let mut msg = if cla == ins::CLA_GSM {
            Msg::new(ins::lookup_gsm(cmd.ins()).map_or("GSM command", |c| c.name))
        } else if let (true, Some((label, table))) = (cla & 0x80 != 0, app) {
            let name = table
                .iter()
                .find(|r| r.ins == cmd.ins() && r.p1 == cmd.p1())
                .or_else(|| table.iter().find(|r| r.ins == cmd.ins()))
                .map_or("proprietary command", |r| r.name);
            Msg::new(name).p(label)
        } else {
            Msg::new(ins::lookup(cmd.ins()).map_or("command", |c| c.name))
        };
        let iso = (cla & 0x80 == 0)
            .then(|| ins::lookup(cmd.ins()).map(|c| c.name))
            .flatten();
        if iso == Some("AUTHENTICATE") {
            msg = Msg::new("AUTHENTICATE").p(context_name(cmd.p2()));
        }
        if iso == Some("SELECT") && cmd.p1() == 0x04 {
            let known = vusim_applet::api::command_table(cmd.data());
            let name = known.map(|(l, _)| l).or_else(|| app_name(cmd.data()));
            msg = Msg::new("SELECT by AID").p(name.unwrap_or("application"));
            if let Some(a) = self.apps.get_mut(slot) {
                *a = known;
            }
        }
        if ch != 0 {
            msg = msg.channel(ch);
        }
        self.diagram.send(Party::Me, Party::Uicc, msg);
        if let Ok(r) = Response::parse(response) {
            self.diagram.card_answer(Party::Me, Msg::new(""), r.sw);
        }
    }

    fn net(&mut self, source: &str) {
        let op = source.split_whitespace().nth(1).unwrap_or_default();
        let d = &mut self.diagram;
        match op {
            "gba-av" => {
                d.send(Party::Bsf, Party::Hss, Msg::new("Zh: AV request").p("IMPI"));
                d.reply(
                    Party::Hss,
                    Party::Bsf,
                    Msg::new("Zh: AV").ps(&["RAND", "AUTN*", "XRES", "CK", "IK"]),
                );
                d.send(
                    Party::Bsf,
                    Party::Me,
                    Msg::new("Ub: 401 challenge").ps(&["RAND", "AUTN*"]),
                );
            }
            "gba-bootstrap" => {
                d.send(Party::Me, Party::Bsf, Msg::new("Ub: response").p("RES"));
                d.note(Party::Bsf, Msg::new("RES = XRES; Ks = CK ‖ IK"));
                d.reply(
                    Party::Bsf,
                    Party::Me,
                    Msg::new("Ub: 200 OK").ps(&["B-TID", "lifetime"]),
                );
            }
            "naf" => {
                d.send(Party::Me, Party::Naf, Msg::new("Ua: request").p("B-TID"));
                d.send(
                    Party::Naf,
                    Party::Bsf,
                    Msg::new("Zn: key request").ps(&["B-TID", "NAF_ID"]),
                );
                d.reply(
                    Party::Bsf,
                    Party::Naf,
                    Msg::new("Zn: keys").ps(&["Ks_ext_NAF", "Ks_int_NAF", "lifetime"]),
                );
            }
            "naf-mac" => d.note(Party::Naf, Msg::new("MAC").p("Ks_int_NAF")),
            "naf-card-proof" => d.note(Party::Naf, Msg::new("card proof on RS").p("Ks_int_NAF")),
            "naf-wrap" => d.send(
                Party::Naf,
                Party::Me,
                Msg::new("wrapped secret").ps(&["IV", "ciphertext", "tag"]),
            ),
            "naf-encrypt" => d.send(
                Party::Naf,
                Party::Me,
                Msg::new("sealed data").ps(&["IV", "ciphertext", "tag"]),
            ),
            "naf-server-proof" => {
                d.send(Party::Me, Party::Naf, Msg::new("card challenge").p("RC"));
                d.reply(
                    Party::Naf,
                    Party::Me,
                    Msg::new("server proof").p("Ks_int_NAF"),
                );
            }
            _ => d.note(Party::Other("network"), Msg::new("net step")),
        }
    }
}

impl Observer for ScriptDiagram {
    fn event(&mut self, event: &ScriptEvent<'_>) {
        match *event {
            ScriptEvent::Apdu {
                command, response, ..
            } => self.apdu(command, response),
            ScriptEvent::Reset { .. } => {
                self.apps = [None; CHANNELS];
                self.diagram.send(Party::Me, Party::Uicc, Msg::new("reset"));
                self.diagram.reply(Party::Uicc, Party::Me, Msg::new("ATR"));
            }
            ScriptEvent::Net { source, .. } => self.net(source),
            _ => {}
        }
    }
}
