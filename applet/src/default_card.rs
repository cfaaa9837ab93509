//! The embedded default card: the embedded default profile (test PLMN 001/01, TS 35.208 test set 1 keys, test PINs).

use crate::card::Card;
use crate::profile::{Profile, ProfileError};

/// Default PIN1.
pub const PIN1: &[u8] = b"1234";
/// Default PUK1.
pub const PUK1: &[u8] = b"12345678";
/// Default PIN2.
pub const PIN2: &[u8] = b"5678";
/// Default ADM1 (8 bytes).
pub const ADM1: &[u8] = b"88888888";

/// The default card, powered on.
pub fn default_card() -> Result<Card, ProfileError> {
    Profile::embedded_default().build_card("<embedded default>")
}
