//! The UICC command set as one table: name, INS, class family and case (ETSI TS 102 221 §10.1.2 Table 10.5, TS 31.102 §7).

/// Which class bytes a command is defined for (TS 102 221 §10.1.1 Table 10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaFamily {
    /// Interindustry: `0X`, `4X`, `6X`.
    Iso,
    /// TS 102 221 proprietary: `8X`, `CX`, `EX`.
    Uicc,
    /// Either family (e.g. GET RESPONSE, which TS 102 221 allows in both).
    Both,
}

/// The ISO case a command uses on a UICC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsoCase {
    /// No data, no response data.
    Case1,
    /// Response data only.
    Case2,
    /// Command data only.
    Case3,
    /// Command data and response data.
    Case4,
    /// Depends on P1/P2 (e.g. SELECT with or without FCP, VERIFY with or without a PIN).
    Varies,
}

/// One row of the command table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Instruction byte.
    pub ins: u8,
    /// Specification name.
    pub name: &'static str,
    /// Class family.
    pub family: ClaFamily,
    /// ISO case.
    pub case: IsoCase,
    /// Defining clause.
    pub clause: &'static str,
}

macro_rules! commands {
    ($( $ins:literal $family:ident $case:ident $name:literal $clause:literal; )*) => {
        /// Every command a UICC with a USIM and an ISIM understands.
        pub const COMMANDS: &[CommandSpec] = &[
            $( CommandSpec { ins: $ins, name: $name, family: ClaFamily::$family, case: IsoCase::$case, clause: $clause }, )*
        ];
    };
}

commands! {
    0xA4 Iso Varies "SELECT" "TS 102 221 §11.1.1";
    0xF2 Uicc Case2 "STATUS" "TS 102 221 §11.1.2";
    0xB0 Iso Case2 "READ BINARY" "TS 102 221 §11.1.3";
    0xD6 Iso Case3 "UPDATE BINARY" "TS 102 221 §11.1.4";
    0xB2 Iso Case2 "READ RECORD" "TS 102 221 §11.1.5";
    0xDC Iso Case3 "UPDATE RECORD" "TS 102 221 §11.1.6";
    0xA2 Iso Case4 "SEARCH RECORD" "TS 102 221 §11.1.7";
    0x32 Uicc Case4 "INCREASE" "TS 102 221 §11.1.8";
    0xCB Uicc Varies "RETRIEVE DATA" "TS 102 221 §11.3.1";
    0xDB Uicc Case3 "SET DATA" "TS 102 221 §11.3.2";
    0x20 Iso Varies "VERIFY PIN" "TS 102 221 §11.1.9";
    0x24 Iso Case3 "CHANGE PIN" "TS 102 221 §11.1.10";
    0x26 Iso Varies "DISABLE PIN" "TS 102 221 §11.1.11";
    0x28 Iso Case3 "ENABLE PIN" "TS 102 221 §11.1.12";
    0x2C Iso Varies "UNBLOCK PIN" "TS 102 221 §11.1.13";
    0x04 Iso Case1 "DEACTIVATE FILE" "TS 102 221 §11.1.14";
    0x44 Iso Case1 "ACTIVATE FILE" "TS 102 221 §11.1.15";
    0x88 Iso Case4 "AUTHENTICATE" "TS 102 221 §11.1.16, TS 31.102 §7.1";
    0x89 Iso Case4 "AUTHENTICATE (odd)" "TS 102 221 §11.1.16, TS 31.102 §7.1";
    0x84 Iso Case2 "GET CHALLENGE" "TS 102 221 §11.1.17";
    0xAA Uicc Case3 "TERMINAL CAPABILITY" "TS 102 221 §11.1.19";
    0x73 Iso Case4 "MANAGE SECURE CHANNEL" "TS 102 221 §11.1.20";
    0x75 Iso Case4 "TRANSACT DATA" "TS 102 221 §11.1.21";
    0x76 Uicc Case4 "SUSPEND UICC" "TS 102 221 §11.1.22";
    0x78 Uicc Case4 "GET IDENTITY" "TS 102 221 §11.1.23";
    0x7A Uicc Case4 "EXCHANGE CAPABILITIES" "TS 102 221 §11.1.24";
    0x10 Uicc Case3 "TERMINAL PROFILE" "TS 102 221 §11.2.1";
    0xC2 Uicc Case4 "ENVELOPE" "TS 102 221 §11.2.2";
    0x12 Uicc Case2 "FETCH" "TS 102 221 §11.2.3";
    0x14 Uicc Case3 "TERMINAL RESPONSE" "TS 102 221 §11.2.4";
    0x70 Iso Varies "MANAGE CHANNEL" "TS 102 221 §11.1.18";
    0xC0 Both Case2 "GET RESPONSE" "TS 102 221 §12.1.1";
}

/// The class byte of the GSM SIM application (TS 51.011 §9.1).
pub const CLA_GSM: u8 = 0xA0;

/// One row of the GSM command table.
#[derive(Debug, Clone, Copy)]
pub struct GsmCommandSpec {
    /// Instruction byte.
    pub ins: u8,
    /// Specification name.
    pub name: &'static str,
    /// Defining clause.
    pub clause: &'static str,
}

macro_rules! gsm_commands {
    ($( $ins:literal $name:literal $clause:literal; )*) => {
        /// The commands of the SIM application, class `A0` (3GPP TS 51.011 Rel-4 §9.2, INS table §9.2).
        pub const GSM_COMMANDS: &[GsmCommandSpec] = &[
            $( GsmCommandSpec { ins: $ins, name: $name, clause: $clause }, )*
        ];
    };
}

gsm_commands! {
    0xA4 "SELECT" "TS 51.011 §9.2.1";
    0xF2 "STATUS" "TS 51.011 §9.2.2";
    0xB0 "READ BINARY" "TS 51.011 §9.2.3";
    0xD6 "UPDATE BINARY" "TS 51.011 §9.2.4";
    0xB2 "READ RECORD" "TS 51.011 §9.2.5";
    0xDC "UPDATE RECORD" "TS 51.011 §9.2.6";
    0xA2 "SEEK" "TS 51.011 §9.2.7";
    0x32 "INCREASE" "TS 51.011 §9.2.8";
    0x20 "VERIFY CHV" "TS 51.011 §9.2.9";
    0x24 "CHANGE CHV" "TS 51.011 §9.2.10";
    0x26 "DISABLE CHV" "TS 51.011 §9.2.11";
    0x28 "ENABLE CHV" "TS 51.011 §9.2.12";
    0x2C "UNBLOCK CHV" "TS 51.011 §9.2.13";
    0x04 "INVALIDATE" "TS 51.011 §9.2.14";
    0x44 "REHABILITATE" "TS 51.011 §9.2.15";
    0x88 "RUN GSM ALGORITHM" "TS 51.011 §9.2.16";
    0xFA "SLEEP" "TS 51.011 §9.2.17";
    0xC0 "GET RESPONSE" "TS 51.011 §9.2.18";
    0x10 "TERMINAL PROFILE" "TS 51.011 §9.2.19";
    0xC2 "ENVELOPE" "TS 51.011 §9.2.20";
    0x12 "FETCH" "TS 51.011 §9.2.21";
    0x14 "TERMINAL RESPONSE" "TS 51.011 §9.2.22";
}

/// Look a GSM (class `A0`) command up by INS.
pub fn lookup_gsm(ins: u8) -> Option<&'static GsmCommandSpec> {
    GSM_COMMANDS.iter().find(|c| c.ins == ins)
}

/// Look a command up by INS.
pub fn lookup(ins: u8) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.ins == ins)
}

/// The command name for an INS, or `INS xx`.
pub fn name(ins: u8) -> String {
    lookup(ins).map_or_else(|| format!("INS {ins:02X}"), |c| c.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ins() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS.iter().skip(i + 1).all(|b| b.ins != a.ins),
                "{}",
                a.name
            );
        }
        assert_eq!(name(0xA4), "SELECT");
        assert_eq!(name(0x99), "INS 99");
        for (i, a) in GSM_COMMANDS.iter().enumerate() {
            assert!(GSM_COMMANDS.iter().skip(i + 1).all(|b| b.ins != a.ins));
        }
        assert_eq!(lookup_gsm(0x88).map(|c| c.name), Some("RUN GSM ALGORITHM"));
    }
}
