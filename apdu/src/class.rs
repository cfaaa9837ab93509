//! The class byte CLA (ISO/IEC 7816-4 §5.4.1; ETSI TS 102 221 §10.1.1 Table 10.3).

use std::fmt;

/// Which coding the class byte uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassKind {
    /// `000x xxxx`: first interindustry class, logical channels 0–3.
    InterindustryFirst,
    /// `01xx xxxx`: further interindustry class, logical channels 4–19.
    InterindustryFurther,
    /// `001x xxxx`: reserved for future use by ISO/IEC 7816-4.
    Reserved,
    /// `1xxx xxxx` except `FF`: proprietary. TS 102 221 structures `8X` like `0X` and `CX`/`EX` like
    /// `4X`/`6X`; `A0` is the GSM (TS 51.011) class.
    Proprietary,
    /// `FF`: invalid (reserved for PPS, ISO/IEC 7816-3).
    Invalid,
}

/// Secure-messaging indication carried by the class byte (ISO/IEC 7816-4 Table 2 and 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecureMessaging {
    /// No secure messaging, or no indication.
    None,
    /// Proprietary secure messaging format (first interindustry class only).
    Proprietary,
    /// ISO secure messaging, command header not processed (not authenticated).
    HeaderNotAuthenticated,
    /// ISO secure messaging, command header authenticated (first interindustry class only).
    HeaderAuthenticated,
}

/// The class byte of a command APDU.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Class(pub u8);

/// Highest logical channel number a class byte can address (ISO/IEC 7816-4: 0–19).
pub const MAX_CHANNEL: u8 = 19;

impl Class {
    /// `00`: interindustry class, channel 0, no SM, no chaining.
    pub const ISO: Class = Class(0x00);
    /// `80`: the TS 102 221 proprietary class (STATUS, TERMINAL PROFILE, ENVELOPE, FETCH …), channel 0.
    pub const UICC: Class = Class(0x80);
    /// `A0`: the GSM SIM class of TS 51.011.
    pub const GSM: Class = Class(0xA0);

    /// How this class byte is coded.
    pub const fn kind(self) -> ClassKind {
        match self.0 {
            0xFF => ClassKind::Invalid,
            0x00..=0x1F => ClassKind::InterindustryFirst,
            0x20..=0x3F => ClassKind::Reserved,
            0x40..=0x7F => ClassKind::InterindustryFurther,
            _ => ClassKind::Proprietary,
        }
    }

    /// True if channel, SM and chaining follow the further-class layout (`4X`–`7X`, `CX`–`FX`).
    const fn further_layout(self) -> bool {
        self.0 & 0x40 != 0
    }

    /// True for the interindustry classes (`0X`, `1X`, `4X`–`7X`).
    pub const fn is_interindustry(self) -> bool {
        matches!(
            self.kind(),
            ClassKind::InterindustryFirst | ClassKind::InterindustryFurther
        )
    }

    /// True for a proprietary class (`8X`–`FE`), which TS 102 221 uses for its own commands.
    pub const fn is_proprietary(self) -> bool {
        matches!(self.kind(), ClassKind::Proprietary)
    }

    /// True for a class byte a UICC accepts at all (not `2X`/`3X` and not `FF`).
    pub const fn is_valid(self) -> bool {
        !matches!(self.kind(), ClassKind::Reserved | ClassKind::Invalid)
    }

    /// Logical channel number 0–19 encoded in the class byte; `None` for reserved/invalid classes.
    pub const fn channel(self) -> Option<u8> {
        if !self.is_valid() {
            return None;
        }
        if self.further_layout() {
            Some((self.0 & 0x0F) + 4)
        } else {
            Some(self.0 & 0x03)
        }
    }

    /// True if the command-chaining bit (b5) is set: more commands of the chain follow.
    pub const fn is_chained(self) -> bool {
        self.is_valid() && self.0 & 0x10 != 0
    }

    /// The secure-messaging indication.
    pub const fn secure_messaging(self) -> SecureMessaging {
        if !self.is_valid() {
            return SecureMessaging::None;
        }
        if self.further_layout() {
            if self.0 & 0x20 != 0 {
                SecureMessaging::HeaderNotAuthenticated
            } else {
                SecureMessaging::None
            }
        } else {
            match (self.0 >> 2) & 0x03 {
                0 => SecureMessaging::None,
                1 => SecureMessaging::Proprietary,
                2 => SecureMessaging::HeaderNotAuthenticated,
                _ => SecureMessaging::HeaderAuthenticated,
            }
        }
    }

    /// The same class family (interindustry or proprietary) and chaining bit, addressing `channel`.
    ///
    /// Secure-messaging indications are kept where the target layout can express them. Returns
    /// `None` for a channel above 19 or a reserved/invalid class.
    pub const fn with_channel(self, channel: u8) -> Option<Class> {
        if channel > MAX_CHANNEL || !self.is_valid() {
            return None;
        }
        let proprietary = self.0 & 0x80;
        let chaining = self.0 & 0x10;
        let sm = self.secure_messaging();
        if channel < 4 {
            let sm_bits = match sm {
                SecureMessaging::None => 0,
                SecureMessaging::Proprietary => 0x04,
                SecureMessaging::HeaderNotAuthenticated => 0x08,
                SecureMessaging::HeaderAuthenticated => 0x0C,
            };
            Some(Class(proprietary | chaining | sm_bits | channel))
        } else {
            let sm_bit = match sm {
                SecureMessaging::None => 0,
                _ => 0x20,
            };
            Some(Class(
                proprietary | 0x40 | sm_bit | chaining | (channel - 4),
            ))
        }
    }

    /// The class byte with the command-chaining bit cleared.
    pub const fn without_chaining(self) -> Class {
        Class(self.0 & !0x10)
    }
}

impl fmt::Debug for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Class({:02X})", self.0)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}", self.0)
    }
}

impl From<u8> for Class {
    fn from(b: u8) -> Self {
        Class(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_of_every_family() {
        for ch in 0..=MAX_CHANNEL {
            for base in [Class::ISO, Class::UICC] {
                let cla = base.with_channel(ch).expect("channel in range");
                assert_eq!(cla.channel(), Some(ch), "{cla}");
                assert_eq!(cla.is_proprietary(), base.is_proprietary());
            }
        }
        assert_eq!(Class(0x01).channel(), Some(1));
        assert_eq!(Class(0x43).channel(), Some(7));
        assert_eq!(Class(0x4F).channel(), Some(19));
        assert_eq!(Class(0x6F).channel(), Some(19));
        assert_eq!(Class(0x83).channel(), Some(3));
        assert_eq!(Class(0xC0).channel(), Some(4));
        assert_eq!(Class(0xE5).channel(), Some(9));
        assert_eq!(Class::UICC.with_channel(5), Some(Class(0xC1)));
        assert_eq!(Class::ISO.with_channel(20), None);
    }

    #[test]
    fn reserved_and_invalid() {
        assert_eq!(Class(0x20).kind(), ClassKind::Reserved);
        assert_eq!(Class(0xFF).kind(), ClassKind::Invalid);
        assert_eq!(Class(0xFF).channel(), None);
        assert!(!Class(0x3F).is_valid());
    }

    #[test]
    fn sm_and_chaining() {
        assert!(Class(0x10).is_chained());
        assert!(Class(0x50).is_chained());
        assert_eq!(
            Class(0x0C).secure_messaging(),
            SecureMessaging::HeaderAuthenticated
        );
        assert_eq!(
            Class(0x08).secure_messaging(),
            SecureMessaging::HeaderNotAuthenticated
        );
        assert_eq!(
            Class(0x60).secure_messaging(),
            SecureMessaging::HeaderNotAuthenticated
        );
        assert_eq!(Class(0x0C).with_channel(5), Some(Class(0x61)));
        assert_eq!(Class(0x61).with_channel(1), Some(Class(0x09)));
        assert_eq!(Class(0x13).without_chaining(), Class(0x03));
    }
}
