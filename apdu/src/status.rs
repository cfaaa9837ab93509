//! Status words SW1-SW2 and their meanings (ISO/IEC 7816-4 §5.6, ETSI TS 102 221 §10.2, 3GPP TS 31.102 §7.3).

use std::fmt;

/// A status word SW1-SW2. Total over `u16`: every value converts losslessly.
///
/// Fixed values have associated constants (generated with their meaning from one table);
/// parameterised forms (`61xx`, `6Cxx`, `63Cx`, `91xx`, `920x`, `9Fxx`) have constructors and
/// accessors.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

/// One row of the status-word table.
#[derive(Debug, Clone, Copy)]
pub struct StatusEntry {
    /// The status word.
    pub sw: u16,
    /// Trace name (the associated constant's name).
    pub name: &'static str,
    /// Meaning, worded as in the specification.
    pub meaning: &'static str,
    /// Where it is defined.
    pub clause: &'static str,
}

macro_rules! status_words {
    ($( $name:ident = $value:literal, $meaning:literal, $clause:literal; )*) => {
        impl StatusWord {
            $(
                #[doc = concat!("`", stringify!($value), "`: ", $meaning, " (", $clause, ").")]
                pub const $name: StatusWord = StatusWord($value);
            )*
        }

        /// Every fixed status word this crate knows, generic (TS 102 221 / ISO) meanings.
        pub const STATUS_TABLE: &[StatusEntry] = &[
            $( StatusEntry { sw: $value, name: stringify!($name), meaning: $meaning, clause: $clause }, )*
        ];
    };
}

status_words! {
    SUCCESS = 0x9000, "normal ending of the command", "TS 102 221 §10.2.1.1";
    TOOLKIT_BUSY = 0x9300, "SIM Application Toolkit is busy, command cannot be executed at present", "TS 102 221 §10.2.1.2";
    NO_INFO_UNCHANGED = 0x6200, "warning: no information given, state of non-volatile memory unchanged", "TS 102 221 §10.2.1.3";
    DATA_CORRUPTED = 0x6281, "warning: part of returned data may be corrupted", "TS 102 221 §10.2.1.3";
    END_OF_FILE = 0x6282, "warning: end of file/record reached before reading Le bytes", "TS 102 221 §10.2.1.3";
    FILE_INVALIDATED = 0x6283, "warning: selected file invalidated", "TS 102 221 §10.2.1.3";
    FILE_TERMINATED = 0x6285, "warning: selected file in termination state", "TS 102 221 §10.2.1.3";
    MORE_DATA = 0x62F1, "warning: more data available", "TS 102 221 §10.2.1.3";
    MORE_DATA_PROACTIVE = 0x62F2, "warning: more data available and proactive command pending", "TS 102 221 §10.2.1.3";
    RESPONSE_DATA_AVAILABLE = 0x62F3, "warning: response data available", "TS 102 221 §10.2.1.3";
    MORE_DATA_EXPECTED = 0x63F1, "warning: more data expected", "TS 102 221 §10.2.1.3";
    MORE_DATA_EXPECTED_PROACTIVE = 0x63F2, "warning: more data expected and proactive command pending", "TS 102 221 §10.2.1.3";
    EXEC_NO_INFO_UNCHANGED = 0x6400, "execution error: no information given, state of non-volatile memory unchanged", "TS 102 221 §10.2.1.4";
    EXEC_NO_INFO_CHANGED = 0x6500, "execution error: no information given, state of non-volatile memory changed", "TS 102 221 §10.2.1.4";
    MEMORY_PROBLEM = 0x6581, "execution error: memory problem", "TS 102 221 §10.2.1.4";
    WRONG_LENGTH = 0x6700, "wrong length", "TS 102 221 §10.2.1.5";
    CLA_FUNCTION_NOT_SUPPORTED = 0x6800, "functions in CLA not supported, no information given", "TS 102 221 §10.2.1.5";
    CHANNEL_NOT_SUPPORTED = 0x6881, "logical channel not supported", "TS 102 221 §10.2.1.5";
    SM_NOT_SUPPORTED = 0x6882, "secure messaging not supported", "TS 102 221 §10.2.1.5";
    CHAINING_NOT_SUPPORTED = 0x6884, "command chaining not supported", "ISO/IEC 7816-4 §5.6";
    NOT_ALLOWED = 0x6900, "command not allowed, no information given", "TS 102 221 §10.2.1.5";
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981, "command incompatible with file structure", "TS 102 221 §10.2.1.5";
    SECURITY_STATUS_NOT_SATISFIED = 0x6982, "security status not satisfied", "TS 102 221 §10.2.1.5";
    PIN_BLOCKED = 0x6983, "authentication/PIN method blocked", "TS 102 221 §10.2.1.5";
    REFERENCED_DATA_INVALIDATED = 0x6984, "referenced data invalidated", "TS 102 221 §10.2.1.5";
    CONDITIONS_NOT_SATISFIED = 0x6985, "conditions of use not satisfied", "TS 102 221 §10.2.1.5";
    NO_EF_SELECTED = 0x6986, "command not allowed (no EF selected)", "TS 102 221 §10.2.1.5";
    SECURE_CHANNEL_NOT_SATISFIED = 0x6989, "command not allowed: secure channel, security not satisfied", "TS 102 221 §10.2.1.5";
    INCORRECT_DATA = 0x6A80, "incorrect parameters in the data field", "TS 102 221 §10.2.1.5";
    FUNCTION_NOT_SUPPORTED = 0x6A81, "function not supported", "TS 102 221 §10.2.1.5";
    FILE_NOT_FOUND = 0x6A82, "file or application not found", "TS 102 221 §10.2.1.5";
    RECORD_NOT_FOUND = 0x6A83, "record not found", "TS 102 221 §10.2.1.5";
    NOT_ENOUGH_MEMORY = 0x6A84, "not enough memory space", "TS 102 221 §10.2.1.5";
    INCORRECT_P1P2 = 0x6A86, "incorrect parameters P1 to P2", "TS 102 221 §10.2.1.5";
    LC_INCONSISTENT = 0x6A87, "Lc inconsistent with P1 to P2", "TS 102 221 §10.2.1.5";
    REFERENCED_DATA_NOT_FOUND = 0x6A88, "referenced data not found", "TS 102 221 §10.2.1.5";
    WRONG_P1P2 = 0x6B00, "wrong parameter(s) P1-P2", "TS 102 221 §10.2.1.5";
    INS_NOT_SUPPORTED = 0x6D00, "instruction code not supported or invalid", "TS 102 221 §10.2.1.5";
    CLA_NOT_SUPPORTED = 0x6E00, "class not supported", "TS 102 221 §10.2.1.5";
    TECHNICAL_PROBLEM = 0x6F00, "technical problem, no precise diagnosis", "TS 102 221 §10.2.1.5";
    INCREASE_MAX_REACHED = 0x9850, "INCREASE cannot be performed, max value reached", "TS 102 221 §10.2.1.6";
    AUTH_ERROR_APPLICATION = 0x9862, "authentication error, application specific", "TS 102 221 §10.2.1.6";
    SECURITY_SESSION_EXPIRED = 0x9863, "security session or association expired", "TS 102 221 §10.2.1.6";
    SUSPENSION_TIME_TOO_LONG = 0x9864, "minimum UICC suspension time is too long", "TS 102 221 §10.2.1.6";
    GSM_MEMORY_PROBLEM = 0x9240, "GSM: memory problem", "TS 51.011 §9.4.3";
    GSM_NO_EF_SELECTED = 0x9400, "GSM: no EF selected", "TS 51.011 §9.4.4";
    GSM_OUT_OF_RANGE = 0x9402, "GSM: out of range (invalid address)", "TS 51.011 §9.4.4";
    GSM_NOT_FOUND = 0x9404, "GSM: file ID not found, or pattern not found", "TS 51.011 §9.4.4";
    GSM_FILE_INCONSISTENT = 0x9408, "GSM: file is inconsistent with the command", "TS 51.011 §9.4.4";
    GSM_NO_CHV_INITIALISED = 0x9802, "GSM: no CHV initialized", "TS 51.011 §9.4.5";
    GSM_ACCESS_NOT_FULFILLED = 0x9804, "GSM: access condition not fulfilled, or unsuccessful CHV verification with at least one attempt left, or authentication failed", "TS 51.011 §9.4.5";
    GSM_CHV_STATUS_CONTRADICTION = 0x9808, "GSM: in contradiction with CHV status", "TS 51.011 §9.4.5";
    GSM_INVALIDATION_CONTRADICTION = 0x9810, "GSM: in contradiction with invalidation status", "TS 51.011 §9.4.5";
    GSM_CHV_BLOCKED = 0x9840, "GSM: unsuccessful CHV verification, no attempt left; or unsuccessful UNBLOCK CHV verification, no attempt left; or CHV blocked; or UNBLOCK CHV blocked", "TS 51.011 §9.4.5";
}

/// Meanings of the 98xx words answered to AUTHENTICATE by a USIM (TS 31.102 §7.3).
pub const USIM_AUTHENTICATE_TABLE: &[StatusEntry] = &[
    StatusEntry {
        sw: 0x9862,
        name: "AUTH_INCORRECT_MAC",
        meaning: "authentication error, incorrect MAC",
        clause: "TS 31.102 §7.3",
    },
    StatusEntry {
        sw: 0x9864,
        name: "AUTH_CONTEXT_NOT_SUPPORTED",
        meaning: "authentication error, security context not supported",
        clause: "TS 31.102 §7.3",
    },
    StatusEntry {
        sw: 0x9865,
        name: "KEY_FRESHNESS_FAILURE",
        meaning: "key freshness failure",
        clause: "TS 31.102 §7.3",
    },
    StatusEntry {
        sw: 0x9866,
        name: "AUTH_NO_MEMORY",
        meaning: "authentication error, no memory space available",
        clause: "TS 31.102 §7.3",
    },
    StatusEntry {
        sw: 0x9867,
        name: "AUTH_NO_MEMORY_EF_MUK",
        meaning: "authentication error, no memory space available in EF_MUK",
        clause: "TS 31.102 §7.3",
    },
];

impl StatusWord {
    /// `9862` answered to AUTHENTICATE: incorrect MAC (TS 31.102 §7.3).
    pub const AUTH_INCORRECT_MAC: StatusWord = StatusWord(0x9862);
    /// `9864` answered to AUTHENTICATE: security context not supported (TS 31.102 §7.3).
    pub const AUTH_CONTEXT_NOT_SUPPORTED: StatusWord = StatusWord(0x9864);
    /// `9865` answered to AUTHENTICATE: key freshness failure (TS 31.102 §7.3).
    pub const KEY_FRESHNESS_FAILURE: StatusWord = StatusWord(0x9865);
    /// `9866` answered to AUTHENTICATE: no memory space available (TS 31.102 §7.3).
    pub const AUTH_NO_MEMORY: StatusWord = StatusWord(0x9866);

    /// Build from SW1 and SW2.
    pub const fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord(((sw1 as u16) << 8) | sw2 as u16)
    }

    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub const fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    /// SW1 and SW2 as bytes.
    pub const fn to_bytes(self) -> [u8; 2] {
        [self.sw1(), self.sw2()]
    }

    /// `61xx`: `n` response bytes still available (`6100` when 256 or more, TS 102 221 §10.2.1.1).
    pub const fn bytes_available(n: usize) -> Self {
        let xx = if n >= 256 { 0 } else { n as u8 };
        Self::from_bytes(0x61, xx)
    }

    /// `6Cxx`: wrong Le, the correct Le is `n` (`6C00` for 256).
    pub const fn wrong_le(n: usize) -> Self {
        let xx = if n >= 256 { 0 } else { n as u8 };
        Self::from_bytes(0x6C, xx)
    }

    /// `63Cx`: verification failed, `x` retries left (x ≤ 15).
    pub const fn retries_left(x: u8) -> Self {
        let x = if x > 15 { 15 } else { x };
        Self::from_bytes(0x63, 0xC0 | x)
    }

    /// `91xx`: normal ending with a pending proactive command of `n` bytes.
    pub const fn proactive_pending(n: u8) -> Self {
        Self::from_bytes(0x91, n)
    }

    /// The number of bytes a `61xx` or `9Fxx` announces (256 for `xx` = 00).
    pub const fn available_bytes(self) -> Option<usize> {
        match self.sw1() {
            0x61 | 0x9F => Some(if self.sw2() == 0 {
                256
            } else {
                self.sw2() as usize
            }),
            _ => None,
        }
    }

    /// The Le a `6Cxx` asks for (256 for `xx` = 00).
    pub const fn correct_le(self) -> Option<usize> {
        match self.sw1() {
            0x6C => Some(if self.sw2() == 0 {
                256
            } else {
                self.sw2() as usize
            }),
            _ => None,
        }
    }

    /// The retry count carried by `63Cx`.
    pub const fn retries(self) -> Option<u8> {
        if self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }

    /// Normal processing: `9000`, `61xx`, `91xx`, `92xx`, `9Fxx`.
    pub const fn is_normal(self) -> bool {
        matches!(self.sw1(), 0x90 | 0x61 | 0x91 | 0x92 | 0x9F)
            && (self.sw1() != 0x90 || self.sw2() == 0)
    }

    /// Warning processing: `62xx` and `63xx`.
    pub const fn is_warning(self) -> bool {
        matches!(self.sw1(), 0x62 | 0x63)
    }

    /// Execution or checking error: neither normal nor a warning.
    pub const fn is_error(self) -> bool {
        !self.is_normal() && !self.is_warning()
    }

    fn fixed_entry(self) -> Option<&'static StatusEntry> {
        STATUS_TABLE.iter().find(|e| e.sw == self.0)
    }

    /// The generic meaning (ISO/IEC 7816-4, TS 102 221), parameterised forms included.
    pub fn meaning(self) -> String {
        if let Some(e) = self.fixed_entry() {
            return e.meaning.to_string();
        }
        let (sw1, sw2) = (self.sw1(), self.sw2());
        match sw1 {
            0x61 => match sw2 {
                0 => "response bytes still available: 256 or more (GET RESPONSE)".to_string(),
                n => format!("response bytes still available: {n} (GET RESPONSE)"),
            },
            0x6C => format!(
                "wrong length Le: resend with Le = {} (P3 = {sw2:02X})",
                self.correct_le().unwrap_or(256)
            ),
            0x63 if sw2 & 0xF0 == 0xC0 => {
                format!("verification failed, {} retries left", sw2 & 0x0F)
            }
            0x91 => format!("normal ending, proactive command pending ({sw2} bytes)"),
            0x92 if sw2 & 0xF0 == 0 => format!(
                "command successful after using an internal update retry routine {} times",
                sw2 & 0x0F
            ),
            0x92 if sw2 == 0x40 => "memory problem".to_string(),
            0x9F => match sw2 {
                0 => "GSM: response data available, 256 bytes".to_string(),
                n => format!("GSM: response data available, {n} bytes"),
            },
            0x67 if sw2 != 0 => format!("wrong length (GSM: incorrect parameter P3, {sw2:02X})"),
            0x62 => "warning, state of non-volatile memory unchanged".to_string(),
            0x63 => "warning, state of non-volatile memory changed".to_string(),
            0x64 => "execution error, state of non-volatile memory unchanged".to_string(),
            0x65 => "execution error, state of non-volatile memory changed".to_string(),
            0x67 => "wrong length (command dependent)".to_string(),
            0x68 => "functions in CLA not supported".to_string(),
            0x69 => "command not allowed".to_string(),
            0x6A => "wrong parameters".to_string(),
            0x6F => "technical problem (proprietary diagnosis)".to_string(),
            0x98 => "security management error".to_string(),
            _ => "unknown status word".to_string(),
        }
    }

    /// The meaning of a status word with a fixed row (no parameter in SW2), in answer to `ins`
    /// when given, without allocating: the printers' hot path. `None` for the parameterised
    /// forms (`61xx`, `63Cx` …), which [`StatusWord::meaning_for`] spells out.
    pub fn fixed_meaning(self, ins: Option<u8>) -> Option<&'static str> {
        if ins.is_some_and(is_authenticate) {
            if let Some(e) = USIM_AUTHENTICATE_TABLE.iter().find(|e| e.sw == self.0) {
                return Some(e.meaning);
            }
        }
        self.fixed_entry().map(|e| e.meaning)
    }

    /// The meaning in answer to the command with instruction byte `ins`: AUTHENTICATE (`88`/`89`)
    /// on a USIM gives the TS 31.102 §7.3 meanings of `9862`, `9864`–`9867`.
    pub fn meaning_for(self, ins: u8) -> String {
        if is_authenticate(ins) {
            if let Some(e) = USIM_AUTHENTICATE_TABLE.iter().find(|e| e.sw == self.0) {
                return e.meaning.to_string();
            }
        }
        self.meaning()
    }

    /// Short trace name (`FILE_NOT_FOUND`, `BYTES_AVAILABLE` …).
    pub fn name(self) -> &'static str {
        if let Some(e) = self.fixed_entry() {
            return e.name;
        }
        match self.sw1() {
            0x61 => "BYTES_AVAILABLE",
            0x6C => "WRONG_LE",
            0x63 if self.sw2() & 0xF0 == 0xC0 => "RETRIES_LEFT",
            0x91 => "PROACTIVE_PENDING",
            0x92 => "UPDATE_RETRIED",
            0x9F => "GSM_BYTES_AVAILABLE",
            _ => "UNKNOWN",
        }
    }
}

impl From<u16> for StatusWord {
    fn from(v: u16) -> Self {
        StatusWord(v)
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> u16 {
        sw.0
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X} {})", self.0, self.name())
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// AUTHENTICATE, even or odd INS (TS 102 221 §11.1.16): the commands whose answers have the
/// TS 31.102 §7.3 meanings.
fn is_authenticate(ins: u8) -> bool {
    matches!(
        crate::ins::Ins::from_byte(ins),
        Some(crate::ins::Ins::Authenticate | crate::ins::Ins::AuthenticateOdd)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_unique_values_and_names() {
        for (i, a) in STATUS_TABLE.iter().enumerate() {
            for b in STATUS_TABLE.iter().skip(i + 1) {
                assert_ne!(a.sw, b.sw, "{} and {}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn meanings() {
        assert_eq!(
            StatusWord(0x6A82).meaning(),
            "file or application not found"
        );
        assert_eq!(StatusWord(0x9000).meaning(), "normal ending of the command");
        assert_eq!(
            StatusWord(0x6118).meaning(),
            "response bytes still available: 24 (GET RESPONSE)"
        );
        assert_eq!(
            StatusWord(0x6C10).meaning(),
            "wrong length Le: resend with Le = 16 (P3 = 10)"
        );
        assert_eq!(
            StatusWord(0x63C2).meaning(),
            "verification failed, 2 retries left"
        );
        assert_eq!(
            StatusWord(0x9862).meaning(),
            "authentication error, application specific"
        );
        assert_eq!(
            StatusWord(0x9862).meaning_for(0x88),
            "authentication error, incorrect MAC"
        );
        assert_eq!(
            StatusWord(0x9864).meaning_for(0x88),
            "authentication error, security context not supported"
        );
        assert_eq!(
            StatusWord(0x9865).meaning_for(0x89),
            "key freshness failure"
        );
        assert_eq!(
            StatusWord(0x9864).meaning_for(0xA4),
            "minimum UICC suspension time is too long"
        );
    }

    #[test]
    fn parameterised_forms() {
        assert_eq!(StatusWord::bytes_available(300), StatusWord(0x6100));
        assert_eq!(StatusWord::bytes_available(0x2C), StatusWord(0x612C));
        assert_eq!(StatusWord(0x6100).available_bytes(), Some(256));
        assert_eq!(StatusWord::wrong_le(256), StatusWord(0x6C00));
        assert_eq!(StatusWord(0x6C00).correct_le(), Some(256));
        assert_eq!(StatusWord::retries_left(3), StatusWord(0x63C3));
        assert_eq!(StatusWord(0x63C3).retries(), Some(3));
        assert_eq!(StatusWord(0x63F1).retries(), None);
        assert!(StatusWord(0x9000).is_normal());
        assert!(StatusWord(0x6282).is_warning());
        assert!(StatusWord(0x6A82).is_error());
        assert!(StatusWord(0x9001).is_error());
        assert_eq!(StatusWord::FILE_NOT_FOUND.name(), "FILE_NOT_FOUND");
    }
}
