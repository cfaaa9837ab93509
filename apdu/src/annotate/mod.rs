//! Human-readable names for command APDUs and status words, for traces, the shell and `vusim decode` (TS 102 221 §10–11, TS 31.102 §7).

use std::fmt::Write as _;

use crate::command::Command;
use crate::ins::Ins;
use crate::response::Response;
use crate::status::StatusWord;
use crate::tlv::Node;

mod fcp;
mod files;
pub mod reading;

pub use fcp::describe_fcp;
use fcp::{describe_fcp_named, outline};

use files::Context;
pub use files::{reserved_name, FileName, FileNames, CURRENT_ADF_FID, MF_FID};

/// Well-known application identifier prefixes (ETSI TS 101 220 Annex E).
pub const WELL_KNOWN_AIDS: &[(&[u8], &str)] = &[
    (&[0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02], "USIM"),
    (&[0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04], "ISIM"),
    (&[0xA0, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01], "UICC"),
];

/// The application a (possibly right-truncated) AID names.
pub fn aid_name(aid: &[u8]) -> Option<&'static str> {
    WELL_KNOWN_AIDS
        .iter()
        .find(|(prefix, _)| aid.len() >= 5 && (aid.starts_with(prefix) || prefix.starts_with(aid)))
        .map(|(_, n)| *n)
}

fn fid_text(fid: u16, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{fid:04X} ({n})"),
        None => format!("{fid:04X}"),
    }
}

/// The FIDs of a SELECT with the names the context gave them, `/`-separated.
fn names_text(data: &[u8], names: &[(u16, Option<String>)]) -> String {
    if !data.len().is_multiple_of(2) || names.is_empty() {
        return hex::encode_upper(data);
    }
    let parts: Vec<String> = names
        .iter()
        .map(|(fid, n)| fid_text(*fid, n.as_deref()))
        .collect();
    parts.join("/")
}

/// PIN key reference names (TS 102 221 §9.5.1 Table 9.3).
pub fn key_reference_name(p2: u8) -> String {
    match p2 {
        0x01..=0x08 => format!("PIN{} (application PIN, key ref {p2:02X})", p2),
        0x0A..=0x0E => format!("ADM{} (key ref {p2:02X})", p2 - 0x09),
        0x11 => "Universal PIN (key ref 11)".to_string(),
        0x81..=0x88 => format!(
            "PIN2 (second application PIN {}, key ref {p2:02X})",
            p2 - 0x80
        ),
        0x8A..=0x8E => format!("ADM{} (key ref {p2:02X})", p2 - 0x84),
        _ => format!("key ref {p2:02X}"),
    }
}

fn select(cmd: &Command, ctx: &mut Context<'_>) -> String {
    let data = cmd.data();
    let channel = usize::from(cmd.channel().unwrap_or(0));
    let names = ctx.select(channel, cmd.p1(), data);
    let target = match cmd.p1() {
        0x00 if data.is_empty() => "MF".to_string(),
        0x00 => format!("by FID {}", names_text(data, &names)),
        0x01 => format!("child DF {}", names_text(data, &names)),
        0x03 => "parent DF".to_string(),
        0x04 => {
            let aid = hex::encode_upper(data);
            match aid_name(data) {
                Some(n) => format!("by DF name (AID) {aid} ({n})"),
                None => format!("by DF name (AID) {aid}"),
            }
        }
        0x08 => format!("by path from MF {}", names_text(data, &names)),
        0x09 => format!("by path from current DF {}", names_text(data, &names)),
        p1 => format!("with P1 {p1:02X}"),
    };
    let p2 = cmd.p2();
    let ret = match p2 & 0x1C {
        0x04 => ", return FCP",
        0x0C => ", no data returned",
        0x00 => ", return FCI",
        0x08 => ", return FMD",
        _ => ", unknown return option",
    };
    let occ = match p2 & 0x03 {
        0 => "",
        1 => ", last occurrence",
        2 => ", next occurrence",
        _ => ", previous occurrence",
    };
    let term = if p2 & 0x40 != 0 { ", termination" } else { "" };
    format!("SELECT {target}{ret}{occ}{term}")
}

fn sfi_or_current(sfi: u8) -> String {
    if sfi == 0 {
        "current EF".to_string()
    } else {
        format!("SFI {sfi:02X}")
    }
}

/// READ/UPDATE BINARY appended to `out` without formatting machinery: it is the most frequent
/// command in a trace.
fn binary(out: &mut String, name: &str, cmd: &Command) {
    out.push_str(name);
    let offset = if cmd.p1() & 0x80 != 0 {
        out.push_str(" SFI ");
        crate::hexstr::push_hex(out, &[cmd.p1() & 0x1F]);
        usize::from(cmd.p2())
    } else {
        out.push_str(" current EF");
        (usize::from(cmd.p1() & 0x7F) << 8) | usize::from(cmd.p2())
    };
    out.push_str(" at offset ");
    crate::hexstr::push_decimal(out, offset);
    let len = if cmd.ins() == Ins::ReadBinary.byte() {
        cmd.le()
    } else {
        Some(cmd.data().len())
    };
    if let Some(n) = len {
        out.push_str(", ");
        crate::hexstr::push_decimal(out, n);
        out.push_str(" bytes");
    }
}

fn record(name: &str, cmd: &Command) -> String {
    let sfi = cmd.p2() >> 3;
    let mode = match cmd.p2() & 0x07 {
        0x02 => "next record".to_string(),
        0x03 => "previous record".to_string(),
        0x04 if cmd.p1() == 0 => "current record".to_string(),
        0x04 => format!("record {}", cmd.p1()),
        m => format!("mode {m}"),
    };
    format!("{name} {mode} of {}", sfi_or_current(sfi))
}

fn pin(name: &str, ins: Ins, cmd: &Command) -> String {
    let what = key_reference_name(cmd.p2());
    match (ins, cmd.data().is_empty()) {
        (Ins::VerifyPin, true) => format!("{name} {what}: retry counter query"),
        (Ins::UnblockPin, true) => format!("{name} {what}: unblock counter query"),
        _ => format!("{name} {what}"),
    }
}

fn authenticate(cmd: &Command) -> String {
    let context = match cmd.p2() & 0x07 {
        0 => "GSM context",
        1 => "3G/EPS/5G context",
        2 => "VGCS/VBS context",
        4 => match cmd.data().first() {
            Some(0xDD) => "GBA context, bootstrapping mode",
            Some(0xDE) => "GBA context, NAF derivation mode",
            _ => "GBA context",
        },
        5 => "MBMS context",
        6 => "local key establishment",
        _ => "reserved context",
    };
    let specific = if cmd.p2() & 0x80 != 0 {
        ""
    } else {
        ", global reference data"
    };
    format!("AUTHENTICATE {context}{specific}")
}

/// Describe a command APDU without file names beyond MF and the current ADF:
/// "SELECT by FID 3F00 (MF), return FCP". [`Annotator`] names every file from the card's table.
pub fn describe_command(cmd: &Command) -> String {
    Annotator::plain().describe_command(cmd)
}

/// Annotates a session: names files in the DF context each SELECT leaves (per logical channel),
/// from the [`FileNames`] table it was given.
pub struct Annotator<'n> {
    ctx: Context<'n>,
}

impl<'n> Annotator<'n> {
    /// An annotator naming files from `names`.
    pub fn new(names: &'n dyn FileNames) -> Annotator<'n> {
        Annotator {
            ctx: Context::new(Some(names)),
        }
    }

    /// An annotator with no file table: only MF and the current ADF are named.
    pub fn plain() -> Annotator<'static> {
        Annotator {
            ctx: Context::new(None),
        }
    }

    /// A card reset: every channel is back at the MF (TS 102 221 §8.4.1).
    pub fn reset(&mut self) {
        self.ctx = Context::new(self.ctx.names());
    }

    /// Describe a command APDU, following its SELECT (if it is one).
    pub fn describe_command(&mut self, cmd: &Command) -> String {
        let mut out = String::new();
        describe(&mut out, cmd, &mut self.ctx);
        out
    }

    /// [`Annotator::describe_command`] appended to `out` (the printers' hot path).
    pub fn write_command(&mut self, out: &mut String, cmd: &Command) {
        describe(out, cmd, &mut self.ctx);
    }

    /// Take note of the status word answering the last command (a refused SELECT is undone).
    pub fn observe_status(&mut self, sw: StatusWord) {
        self.ctx.status(sw.sw1());
    }

    /// [`write_response`] with the FCP's file identifier named in the session's context.
    pub fn write_response(
        &mut self,
        out: &mut String,
        indent: &str,
        resp: &Response,
        ins: Option<u8>,
    ) {
        self.observe_status(resp.sw);
        let ctx = &self.ctx;
        write_response_named(out, indent, &resp.data, resp.sw, ins, &|fid| {
            ctx.fcp_name(fid)
        });
    }

    /// [`Annotator::write_response`] for response bytes `data ‖ SW1 SW2` as they came (no copy
    /// of the data); too short a response is described as the error it is.
    pub fn write_response_bytes(
        &mut self,
        out: &mut String,
        indent: &str,
        response: &[u8],
        ins: Option<u8>,
    ) {
        match response {
            [data @ .., sw1, sw2] => {
                let sw = StatusWord::from_bytes(*sw1, *sw2);
                self.observe_status(sw);
                let ctx = &self.ctx;
                write_response_named(out, indent, data, sw, ins, &|fid| ctx.fcp_name(fid));
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{indent}{}",
                    crate::response::ResponseTooShort(response.len())
                );
            }
        }
    }

    /// [`describe_response`] in the session's context.
    pub fn describe_response(&mut self, resp: &Response, ins: Option<u8>) -> Vec<String> {
        let mut text = String::new();
        self.write_response(&mut text, "", resp, ins);
        text.lines().map(str::to_string).collect()
    }
}

fn describe(out: &mut String, cmd: &Command, ctx: &mut Context<'_>) {
    let ins = Ins::from_byte(cmd.ins());
    if ins != Some(Ins::Select) {
        ctx.other_command();
    }
    if cmd.cla().0 == crate::ins::CLA_GSM {
        out.push_str(&gsm_command(cmd, ctx));
        return;
    }
    // An applet's own instruction: everything but SELECT, MANAGE CHANNEL and GET RESPONSE goes
    // to the applet selected on the channel.
    let declared = match ins {
        Some(Ins::Select | Ins::ManageChannel | Ins::GetResponse) => None,
        _ => cmd
            .channel()
            .and_then(|ch| ctx.instruction(usize::from(ch), cmd.ins())),
    };
    match (declared, ins) {
        (Some(name), _) => out.push_str(&name),
        (None, Some(Ins::ReadBinary)) => binary(out, "READ BINARY", cmd),
        (None, Some(Ins::UpdateBinary)) => binary(out, "UPDATE BINARY", cmd),
        (None, Some(ins)) => out.push_str(&other_command(cmd, ins, ctx)),
        (None, None) => out.push_str(&crate::ins::name(cmd.ins())),
    }
    match cmd.channel() {
        Some(0) => {}
        Some(n) => {
            let _ = write!(out, " (channel {n})");
        }
        None => {
            let _ = write!(out, " (invalid class {})", cmd.cla());
        }
    }
}

/// The description of a command other than READ/UPDATE BINARY, without the channel.
fn other_command(cmd: &Command, ins: Ins, ctx: &mut Context<'_>) -> String {
    match ins {
        Ins::Select => select(cmd, ctx),
        Ins::Status => {
            let p2 = match cmd.p2() {
                0x00 => "return FCP of the current DF/ADF",
                0x01 => "return DF name (AID) of the current application",
                0x0C => "no data returned",
                _ => "unknown P2",
            };
            let p1 = match cmd.p1() {
                0x01 => ", application initialised",
                0x02 => ", terminal will terminate the application",
                _ => "",
            };
            format!("STATUS, {p2}{p1}")
        }
        Ins::ReadRecord => record("READ RECORD", cmd),
        Ins::UpdateRecord => record("UPDATE RECORD", cmd),
        Ins::SearchRecord => format!("SEARCH RECORD in {}", sfi_or_current(cmd.p2() >> 3)),
        Ins::VerifyPin => pin("VERIFY", ins, cmd),
        Ins::ChangePin => pin("CHANGE PIN", ins, cmd),
        Ins::DisablePin => pin("DISABLE PIN", ins, cmd),
        Ins::EnablePin => pin("ENABLE PIN", ins, cmd),
        Ins::UnblockPin => pin("UNBLOCK PIN", ins, cmd),
        Ins::Authenticate | Ins::AuthenticateOdd => authenticate(cmd),
        Ins::ManageChannel => match (cmd.p1(), cmd.p2()) {
            (0x00, 0x00) => "MANAGE CHANNEL open, card assigns the channel".to_string(),
            (0x00, n) => format!("MANAGE CHANNEL open channel {n}"),
            (0x80, n) => format!("MANAGE CHANNEL close channel {n}"),
            _ => "MANAGE CHANNEL with unknown P1".to_string(),
        },
        Ins::GetResponse => format!("GET RESPONSE, {} bytes", cmd.le().unwrap_or(256)),
        Ins::GetChallenge => format!("GET CHALLENGE, {} bytes", cmd.le().unwrap_or(0)),
        ins => ins.spec().name.to_string(),
    }
}

/// A class `A0` command of the SIM application (TS 51.011 §9.2), with the parameters that
/// say what it does.
fn gsm_command(cmd: &Command, ctx: &mut Context<'_>) -> String {
    let Some(spec) = crate::ins::lookup_gsm(cmd.ins()) else {
        return format!("GSM INS {:02X}", cmd.ins());
    };
    let (p1, p2, data) = (cmd.p1(), cmd.p2(), cmd.data());
    use crate::ins::GsmIns as G;
    let detail = match spec.instruction {
        G::Select => match data {
            [_, _] => {
                let names = ctx.select(0, 0x00, data);
                format!(" {}", names_text(data, &names))
            }
            _ => String::new(),
        },
        G::ReadBinary | G::UpdateBinary => {
            format!(" at offset {}", (usize::from(p1) << 8) | usize::from(p2))
        }
        G::ReadRecord | G::UpdateRecord => match p2 {
            0x02 => " next record".to_string(),
            0x03 => " previous record".to_string(),
            0x04 if p1 == 0 => " current record".to_string(),
            0x04 => format!(" record {p1}"),
            _ => " with unknown mode".to_string(),
        },
        G::Seek => format!(
            " type {}, mode {}",
            if p2 & 0xF0 == 0x10 { 2 } else { 1 },
            p2 & 0x0F
        ),
        G::VerifyChv | G::ChangeChv => match p2 {
            0x01 => " CHV1".to_string(),
            0x02 => " CHV2".to_string(),
            n => format!(" key {n:02X}"),
        },
        G::UnblockChv => match p2 {
            0x00 => " CHV1".to_string(),
            0x02 => " CHV2".to_string(),
            n => format!(" key {n:02X}"),
        },
        G::GetResponse => format!(", {} bytes", cmd.le().unwrap_or(256)),
        _ => String::new(),
    };
    format!("GSM {}{detail}", spec.name)
}

/// Describe a status word, with the meaning in answer to `ins` when known.
pub fn describe_status(sw: StatusWord, ins: Option<u8>) -> String {
    let meaning = match ins {
        Some(i) => sw.meaning_for(i),
        None => sw.meaning(),
    };
    format!("{sw} {meaning}")
}

/// Describe a response: its status word, and a BER-TLV outline of the data when it is one
/// (FCP templates and other TLV responses).
pub fn describe_response(resp: &Response, ins: Option<u8>) -> Vec<String> {
    let mut text = String::new();
    write_response(&mut text, "", resp, ins);
    text.lines().map(str::to_string).collect()
}

/// [`describe_response`] appended to `out`, each line prefixed by `indent` and ended by `\n`:
/// the printers' hot path (no string per line).
pub fn write_response(out: &mut String, indent: &str, resp: &Response, ins: Option<u8>) {
    write_response_named(out, indent, &resp.data, resp.sw, ins, &|fid| {
        reserved_name(fid).map(str::to_string)
    });
}

fn write_response_named(
    out: &mut String,
    indent: &str,
    data: &[u8],
    sw: StatusWord,
    ins: Option<u8>,
    name: &dyn Fn(u16) -> Option<String>,
) {
    out.push_str(indent);
    crate::hexstr::push_hex(out, &sw.to_bytes());
    out.push(' ');
    match sw.fixed_meaning(ins) {
        Some(m) => out.push_str(m),
        None => out.push_str(&match ins {
            Some(i) => sw.meaning_for(i),
            None => sw.meaning(),
        }),
    }
    out.push('\n');
    if data.is_empty() {
        return;
    }
    out.push_str(indent);
    out.push_str("data (");
    crate::hexstr::push_decimal(out, data.len());
    out.push_str(" bytes) ");
    crate::hexstr::push_hex(out, data);
    out.push('\n');
    let mut more = Vec::new();
    if let Some(fcp) = describe_fcp_named(data, name) {
        more.extend(fcp.into_iter().map(|l| format!("  {l}")));
    } else if matches!(data.first(), Some(0x6F | 0x61 | 0x73)) {
        if let Ok(tree) = Node::parse_tree(data) {
            outline(&tree, 1, &mut more);
        }
    }
    for l in more {
        let _ = writeln!(out, "{indent}{l}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(h: &str) -> String {
        describe_command(&Command::parse(&hex::decode(h).unwrap()).unwrap())
    }

    /// A stand-in for the card's table: ADF.USIM with EF.IMSI and DF.5GS/EF.5GAUTHKEYS, the
    /// MF with DF.GSM/EF.IMSI (FIDs of TS 31.102 §4.2.2, §4.4.11.6, TS 51.011 §10.3.2).
    struct Table;

    impl FileNames for Table {
        fn child(&self, adf: Option<&[u8]>, df: &[u16], fid: u16) -> Option<FileName<'_>> {
            let usim = adf.is_some_and(|a| a.starts_with(&[0xA0, 0, 0, 0, 0x87, 0x10, 0x02]));
            let (name, is_df) = match (df, fid) {
                ([], 0x7F20) => ("DF.GSM", true),
                ([0x7F20], 0x6F07) => ("EF.IMSI", false),
                ([], 0x7FFF) if usim => ("ADF.USIM", true),
                ([0x7FFF], 0x6F07) if usim => ("EF.IMSI", false),
                ([0x7FFF], 0x5FC0) if usim => ("DF.5GS", true),
                ([0x7FFF, 0x5FC0], 0x4F05) if usim => ("EF.5GAUTHKEYS", false),
                _ => return None,
            };
            Some(FileName { name, is_df })
        }

        fn anywhere(&self, fid: u16) -> Option<FileName<'_>> {
            (fid == 0x6F07).then_some(FileName {
                name: "EF.IMSI",
                is_df: false,
            })
        }
    }

    fn session(a: &mut Annotator<'_>, h: &str, sw: u16) -> String {
        let text = a.describe_command(&Command::parse(&hex::decode(h).unwrap()).unwrap());
        a.observe_status(StatusWord(sw));
        text
    }

    #[test]
    fn files_are_named_in_their_df_context() {
        let table = Table;
        let mut a = Annotator::new(&table);
        // 4F05 means nothing at the MF.
        assert_eq!(
            session(&mut a, "00A4000C024F05", 0x6A82),
            "SELECT by FID 4F05, no data returned"
        );
        assert_eq!(
            session(&mut a, "00A4040C07A0000000871002", 0x9000),
            "SELECT by DF name (AID) A0000000871002 (USIM), no data returned"
        );
        assert_eq!(
            session(&mut a, "00A4000C025FC0", 0x9000),
            "SELECT by FID 5FC0 (DF.5GS), no data returned"
        );
        assert_eq!(
            session(&mut a, "00A4000C024F05", 0x9000),
            "SELECT by FID 4F05 (EF.5GAUTHKEYS), no data returned"
        );
        // The EF's parent stays the current DF; a sibling EF of the ADF is found from there.
        assert_eq!(
            session(&mut a, "00A4000C026F07", 0x9000),
            "SELECT by FID 6F07 (EF.IMSI), no data returned"
        );
        assert_eq!(
            session(&mut a, "00A4080C047FFF6F07", 0x9000),
            "SELECT by path from MF 7FFF (ADF.USIM)/6F07 (EF.IMSI), no data returned"
        );
        // Channel 1 starts at the MF: DF.GSM there, while channel 0 stays in ADF.USIM.
        assert_eq!(
            session(&mut a, "01A4000C027F20", 0x9000),
            "SELECT by FID 7F20 (DF.GSM), no data returned (channel 1)"
        );
        assert_eq!(
            session(&mut a, "01A4000C026F07", 0x9000),
            "SELECT by FID 6F07 (EF.IMSI), no data returned (channel 1)"
        );
        assert_eq!(
            session(&mut a, "00A4000C025FC0", 0x9000),
            "SELECT by FID 5FC0 (DF.5GS), no data returned"
        );
        // A refused SELECT leaves the DF as it was.
        assert_eq!(
            session(&mut a, "00A4000C021234", 0x6A82),
            "SELECT by FID 1234, no data returned"
        );
        assert_eq!(
            session(&mut a, "00A4000C024F05", 0x9000),
            "SELECT by FID 4F05 (EF.5GAUTHKEYS), no data returned"
        );
        // The FCP answering a SELECT names its file identifier.
        a.describe_command(&Command::parse(&hex::decode("00A40004024F0500").unwrap()).unwrap());
        let fcp = hex::decode("620F8202412183024F058A01058002006E").unwrap();
        let lines = a.describe_response(&Response::ok(fcp), Some(0xA4));
        assert_eq!(lines[3], "  file identifier 4F05 (EF.5GAUTHKEYS)");
    }

    #[test]
    fn without_context_the_table_guesses() {
        let table = Table;
        let mut a = Annotator::new(&table);
        // Known context: a FID the table does not hold there is not guessed.
        assert_eq!(session(&mut a, "A0A40000026F07", 0x9F0F), "GSM SELECT 6F07");
        // A DF the table does not know, accepted by the card: the context is lost, so guess.
        assert_eq!(session(&mut a, "A0A40000027F99", 0x9F17), "GSM SELECT 7F99");
        assert_eq!(
            session(&mut a, "A0A40000026F07", 0x9F0F),
            "GSM SELECT 6F07 (EF.IMSI)"
        );
    }

    #[test]
    fn gsm_class_commands_are_named() {
        assert_eq!(d("A0A40000023F00"), "GSM SELECT 3F00 (MF)");
        assert_eq!(d("A0C000000F"), "GSM GET RESPONSE, 15 bytes");
        assert_eq!(d("A0B0000009"), "GSM READ BINARY at offset 0");
        assert_eq!(d("A0B201041A"), "GSM READ RECORD record 1");
        assert_eq!(d("A02000010831323334FFFFFFFF"), "GSM VERIFY CHV CHV1");
        assert_eq!(
            d("A02C00001031323334FFFFFFFF31323334FFFFFFFF"),
            "GSM UNBLOCK CHV CHV1"
        );
        assert_eq!(
            d("A08800001000112233445566778899AABBCCDDEEFF"),
            "GSM RUN GSM ALGORITHM"
        );
        assert_eq!(d("A0FA000000"), "GSM SLEEP");
        assert_eq!(d("A0EE000000"), "GSM INS EE");
    }

    #[test]
    fn commands() {
        assert_eq!(d("00A40004023F0000"), "SELECT by FID 3F00 (MF), return FCP");
        assert_eq!(d("00A4000C026F07"), "SELECT by FID 6F07, no data returned");
        assert_eq!(
            d("00A4040410A0000000871002FF49FF0589000001FF"),
            "SELECT by DF name (AID) A0000000871002FF49FF0589000001FF (USIM), return FCP"
        );
        assert_eq!(
            d("00A4080C047FFF6F07"),
            "SELECT by path from MF 7FFF (current ADF)/6F07, no data returned"
        );
        assert_eq!(
            d("80F20000000168"),
            "STATUS, return FCP of the current DF/ADF"
        );
        assert_eq!(d("00B0870009"), "READ BINARY SFI 07 at offset 0, 9 bytes");
        assert_eq!(
            d("00B0010204"),
            "READ BINARY current EF at offset 258, 4 bytes"
        );
        assert_eq!(d("00B201041C"), "READ RECORD record 1 of current EF");
        assert_eq!(d("00B2000C00"), "READ RECORD current record of SFI 01");
        assert_eq!(
            d("002000010831323334FFFFFFFF"),
            "VERIFY PIN1 (application PIN, key ref 01)"
        );
        assert_eq!(
            d("00200081"),
            "VERIFY PIN2 (second application PIN 1, key ref 81): retry counter query"
        );
        assert_eq!(d("0088008423DD10000102030405060708090A0B0C0D0E0F10000102030405060708090A0B0C0D0E0F00"), "AUTHENTICATE GBA context, bootstrapping mode");
        assert_eq!(
            d("0070000001"),
            "MANAGE CHANNEL open, card assigns the channel"
        );
        assert_eq!(
            d("01B0000000"),
            "READ BINARY current EF at offset 0, 256 bytes (channel 1)"
        );
        assert_eq!(d("8010000003FFFFFF"), "TERMINAL PROFILE");
        assert_eq!(d("00990000"), "INS 99");
    }

    #[test]
    fn responses() {
        assert_eq!(
            describe_status(StatusWord(0x6A82), None),
            "6A82 file or application not found"
        );
        assert_eq!(
            describe_status(StatusWord(0x9862), Some(0x88)),
            "9862 authentication error, incorrect MAC"
        );
        let fcp = hex::decode("62178202412183026f078a01058b036f060a80020009880138").unwrap();
        let lines = describe_response(&Response::ok(fcp), Some(0xA4));
        assert_eq!(lines[0], "9000 normal ending of the command");
        assert_eq!(
            &lines[2..],
            [
                "  file descriptor 4121: working EF, transparent, shareable",
                "  file identifier 6F07",
                "  life cycle status 05: operational, activated",
                "  security attributes: EF.ARR 6F06 record 10",
                "  file size 9 bytes",
                "  short file identifier 07",
            ]
        );
        let adf = hex::decode("623d8202782183027fd0840ca0000000871002ff49ff0589a50c80017183040003a7388701018a01058b032f0601c60f90017083010183018183010a83010b").unwrap();
        let l = describe_fcp(&adf).unwrap();
        assert_eq!(l[2], "DF name (AID) A0000000871002FF49FF0589 (USIM)");
        assert_eq!(l[3], "proprietary: UICC characteristics 71, available memory 239416 bytes, supported commands 01");
        assert_eq!(
            l[6],
            "PIN status: PIN1 disabled, PIN2 enabled, ADM1 enabled, ADM2 enabled"
        );
    }
}
