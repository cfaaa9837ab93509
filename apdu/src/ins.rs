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
    /// Depends on P1/P2 (e.g. SELECT with or without FCP, VERIFY with or without a PIN,
    /// DEACTIVATE FILE of the current EF or of a FID/path in the data field).
    Varies,
}

impl IsoCase {
    /// Whether a command body with (`true`) or without a data field fits this case: cases 1
    /// and 2 carry no data field, cases 3 and 4 one (ISO/IEC 7816-3 §12.1.2). A body that
    /// does not fit is a wrong length, `6700` (ISO/IEC 7816-4 §5.6).
    pub fn admits_data(self, has_data: bool) -> bool {
        match self {
            IsoCase::Case1 | IsoCase::Case2 => !has_data,
            IsoCase::Case3 | IsoCase::Case4 => has_data,
            IsoCase::Varies => true,
        }
    }
}

/// One row of the command table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// The instruction, typed.
    pub instruction: Ins,
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
    ($( $variant:ident $ins:literal $family:ident $case:ident $name:literal $clause:literal; )*) => {
        /// The instructions of the command table, one per row (the dispatcher matches on these,
        /// never on raw INS bytes).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Ins {
            $( #[doc = concat!($name, " (", $clause, ").")] $variant, )*
        }

        impl Ins {
            /// The instruction of an INS byte, if the table has it.
            pub const fn from_byte(ins: u8) -> Option<Ins> {
                match ins {
                    $( $ins => Some(Ins::$variant), )*
                    _ => None,
                }
            }

            /// The INS byte.
            pub const fn byte(self) -> u8 {
                match self {
                    $( Ins::$variant => $ins, )*
                }
            }

            /// The table row.
            pub const fn spec(self) -> &'static CommandSpec {
                match self {
                    $( Ins::$variant => &CommandSpec { instruction: Ins::$variant, ins: $ins, name: $name, family: ClaFamily::$family, case: IsoCase::$case, clause: $clause }, )*
                }
            }
        }

        /// Every command a UICC with a USIM and an ISIM understands.
        pub const COMMANDS: &[CommandSpec] = &[
            $( *Ins::$variant.spec(), )*
        ];
    };
}

commands! {
    Select 0xA4 Iso Varies "SELECT" "TS 102 221 §11.1.1";
    Status 0xF2 Uicc Case2 "STATUS" "TS 102 221 §11.1.2";
    ReadBinary 0xB0 Iso Case2 "READ BINARY" "TS 102 221 §11.1.3";
    UpdateBinary 0xD6 Iso Case3 "UPDATE BINARY" "TS 102 221 §11.1.4";
    ReadRecord 0xB2 Iso Case2 "READ RECORD" "TS 102 221 §11.1.5";
    UpdateRecord 0xDC Iso Case3 "UPDATE RECORD" "TS 102 221 §11.1.6";
    SearchRecord 0xA2 Iso Case4 "SEARCH RECORD" "TS 102 221 §11.1.7";
    Increase 0x32 Uicc Case4 "INCREASE" "TS 102 221 §11.1.8";
    RetrieveData 0xCB Uicc Varies "RETRIEVE DATA" "TS 102 221 §11.3.1";
    SetData 0xDB Uicc Case3 "SET DATA" "TS 102 221 §11.3.2";
    VerifyPin 0x20 Iso Varies "VERIFY PIN" "TS 102 221 §11.1.9";
    ChangePin 0x24 Iso Case3 "CHANGE PIN" "TS 102 221 §11.1.10";
    DisablePin 0x26 Iso Varies "DISABLE PIN" "TS 102 221 §11.1.11";
    EnablePin 0x28 Iso Case3 "ENABLE PIN" "TS 102 221 §11.1.12";
    UnblockPin 0x2C Iso Varies "UNBLOCK PIN" "TS 102 221 §11.1.13";
    DeactivateFile 0x04 Iso Varies "DEACTIVATE FILE" "TS 102 221 §11.1.14";
    ActivateFile 0x44 Iso Varies "ACTIVATE FILE" "TS 102 221 §11.1.15";
    Authenticate 0x88 Iso Case4 "AUTHENTICATE" "TS 102 221 §11.1.16, TS 31.102 §7.1";
    AuthenticateOdd 0x89 Iso Case4 "AUTHENTICATE (odd)" "TS 102 221 §11.1.16, TS 31.102 §7.1";
    GetChallenge 0x84 Iso Case2 "GET CHALLENGE" "TS 102 221 §11.1.17";
    TerminalCapability 0xAA Uicc Case3 "TERMINAL CAPABILITY" "TS 102 221 §11.1.19";
    ManageSecureChannel 0x73 Iso Case4 "MANAGE SECURE CHANNEL" "TS 102 221 §11.1.20";
    TransactData 0x75 Iso Case4 "TRANSACT DATA" "TS 102 221 §11.1.21";
    SuspendUicc 0x76 Uicc Case4 "SUSPEND UICC" "TS 102 221 §11.1.22";
    GetIdentity 0x78 Uicc Case4 "GET IDENTITY" "TS 102 221 §11.1.23";
    ExchangeCapabilities 0x7A Uicc Case4 "EXCHANGE CAPABILITIES" "TS 102 221 §11.1.24";
    TerminalProfile 0x10 Uicc Case3 "TERMINAL PROFILE" "TS 102 221 §11.2.1";
    Envelope 0xC2 Uicc Case4 "ENVELOPE" "TS 102 221 §11.2.2";
    Fetch 0x12 Uicc Case2 "FETCH" "TS 102 221 §11.2.3";
    TerminalResponse 0x14 Uicc Case3 "TERMINAL RESPONSE" "TS 102 221 §11.2.4";
    ManageChannel 0x70 Iso Varies "MANAGE CHANNEL" "TS 102 221 §11.1.18";
    GetResponse 0xC0 Both Case2 "GET RESPONSE" "TS 102 221 §12.1.1";
}

/// The class byte of the GSM SIM application (TS 51.011 §9.1).
pub const CLA_GSM: u8 = 0xA0;

/// One row of the GSM command table.
#[derive(Debug, Clone, Copy)]
pub struct GsmCommandSpec {
    /// The instruction, typed.
    pub instruction: GsmIns,
    /// Instruction byte.
    pub ins: u8,
    /// Specification name.
    pub name: &'static str,
    /// Defining clause.
    pub clause: &'static str,
}

macro_rules! gsm_commands {
    ($( $variant:ident $ins:literal $name:literal $clause:literal; )*) => {
        /// The instructions of the SIM application's command table, one per row.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum GsmIns {
            $( #[doc = concat!($name, " (", $clause, ").")] $variant, )*
        }

        impl GsmIns {
            /// The instruction of an INS byte, if the table has it.
            pub const fn from_byte(ins: u8) -> Option<GsmIns> {
                match ins {
                    $( $ins => Some(GsmIns::$variant), )*
                    _ => None,
                }
            }

            /// The INS byte.
            pub const fn byte(self) -> u8 {
                match self {
                    $( GsmIns::$variant => $ins, )*
                }
            }

            /// The table row.
            pub const fn spec(self) -> &'static GsmCommandSpec {
                match self {
                    $( GsmIns::$variant => &GsmCommandSpec { instruction: GsmIns::$variant, ins: $ins, name: $name, clause: $clause }, )*
                }
            }
        }

        /// The commands of the SIM application, class `A0` (3GPP TS 51.011 Rel-4 §9.2, INS table §9.2).
        pub const GSM_COMMANDS: &[GsmCommandSpec] = &[
            $( *GsmIns::$variant.spec(), )*
        ];
    };
}

gsm_commands! {
    Select 0xA4 "SELECT" "TS 51.011 §9.2.1";
    Status 0xF2 "STATUS" "TS 51.011 §9.2.2";
    ReadBinary 0xB0 "READ BINARY" "TS 51.011 §9.2.3";
    UpdateBinary 0xD6 "UPDATE BINARY" "TS 51.011 §9.2.4";
    ReadRecord 0xB2 "READ RECORD" "TS 51.011 §9.2.5";
    UpdateRecord 0xDC "UPDATE RECORD" "TS 51.011 §9.2.6";
    Seek 0xA2 "SEEK" "TS 51.011 §9.2.7";
    Increase 0x32 "INCREASE" "TS 51.011 §9.2.8";
    VerifyChv 0x20 "VERIFY CHV" "TS 51.011 §9.2.9";
    ChangeChv 0x24 "CHANGE CHV" "TS 51.011 §9.2.10";
    DisableChv 0x26 "DISABLE CHV" "TS 51.011 §9.2.11";
    EnableChv 0x28 "ENABLE CHV" "TS 51.011 §9.2.12";
    UnblockChv 0x2C "UNBLOCK CHV" "TS 51.011 §9.2.13";
    Invalidate 0x04 "INVALIDATE" "TS 51.011 §9.2.14";
    Rehabilitate 0x44 "REHABILITATE" "TS 51.011 §9.2.15";
    RunGsmAlgorithm 0x88 "RUN GSM ALGORITHM" "TS 51.011 §9.2.16";
    Sleep 0xFA "SLEEP" "TS 51.011 §9.2.17";
    GetResponse 0xC0 "GET RESPONSE" "TS 51.011 §9.2.18";
    TerminalProfile 0x10 "TERMINAL PROFILE" "TS 51.011 §9.2.19";
    Envelope 0xC2 "ENVELOPE" "TS 51.011 §9.2.20";
    Fetch 0x12 "FETCH" "TS 51.011 §9.2.21";
    TerminalResponse 0x14 "TERMINAL RESPONSE" "TS 51.011 §9.2.22";
}

/// Look a GSM (class `A0`) command up by INS.
pub fn lookup_gsm(ins: u8) -> Option<&'static GsmCommandSpec> {
    GsmIns::from_byte(ins).map(GsmIns::spec)
}

/// Look a command up by INS.
pub fn lookup(ins: u8) -> Option<&'static CommandSpec> {
    Ins::from_byte(ins).map(Ins::spec)
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

    #[test]
    fn typed_instructions_round_trip_through_the_table() {
        for c in COMMANDS {
            assert_eq!(Ins::from_byte(c.ins), Some(c.instruction), "{}", c.name);
            assert_eq!(c.instruction.byte(), c.ins);
            assert_eq!(lookup(c.ins).map(|l| l.name), Some(c.name));
        }
        for c in GSM_COMMANDS {
            assert_eq!(GsmIns::from_byte(c.ins), Some(c.instruction), "{}", c.name);
            assert_eq!(c.instruction.byte(), c.ins);
        }
        assert_eq!(Ins::from_byte(0x99), None);
        assert_eq!(Ins::ReadBinary.byte(), 0xB0);
        assert_eq!(GsmIns::Sleep.byte(), 0xFA);
        // The case column (TS 102 221 §10.1.2 Table 10.5): READ BINARY carries no data field,
        // UPDATE BINARY one; DEACTIVATE FILE takes a FID or path or nothing (§11.1.14).
        assert!(!Ins::ReadBinary.spec().case.admits_data(true));
        assert!(Ins::ReadBinary.spec().case.admits_data(false));
        assert!(!Ins::UpdateBinary.spec().case.admits_data(false));
        assert!(Ins::DeactivateFile.spec().case.admits_data(true));
        assert!(Ins::DeactivateFile.spec().case.admits_data(false));
    }
}
