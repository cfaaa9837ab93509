//! The door-lock card applet of the CT6 study on GBA_U based APIs (TR 31.822, Rel-18): an
//! applet on the UICC, built on the GBA_U key service ([`super::gba_u_service`]) and allowed by
//! EF_GBAUAPI to use Ks_int_NAF of the lock platform's NAF. It receives door passwords that the
//! lock platform encrypted, stores them in the card, verifies the platform (mutual
//! authentication), checks a password typed at the door and MACs the unlock request.
//!
//! # ⚠ vusim's own coding (applet v0.1)
//!
//! The study describes the use case, not an APDU interface: the AID, INS codes, data objects,
//! purpose labels and status words here are this project's (docs/api/card-applets.md). The key
//! derivations are the GBA_U API v0.1's ([`super::ops`]), so `vusim naf` computes the platform
//! side: `wrap --store-as NAME` for STORE PASSWORD, `auth-server --purpose door-platform` for
//! VERIFY PLATFORM, `verify --purpose door-unlock` for the unlock MAC.

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Command, Response, StatusWord};

use super::apdu::{sw, tag, CommandRow, KeyAddress};
use super::card_applet::{self, NafLink};
use super::gba_u_service::GbaUService;
use super::ops;
use super::toolkit::{alg_ok, common_value_ok, decode, len_in, Decoded};
use crate::card::applet::{Applet, Context};

/// AID: RID `F0` (proprietary), ASCII `VUSIM-DOOR`, version `00 01`.
pub const AID: [u8; 13] = [
    0xF0, b'V', b'U', b'S', b'I', b'M', b'-', b'D', b'O', b'O', b'R', 0x00, 0x01,
];

/// The lock platform's NAF FQDN on the default card (the NAF_ID adds the Ua protocol id).
pub const DEFAULT_NAF_FQDN: &str = "lock.example.org";

/// Instruction codes (class `80`–`83`, `C0`–`CF`; clear of the TS 102 221 and GBA_U API codes).
pub mod ins {
    /// GET INFO: version, the platform's B-TID and key lifetime, stored passwords.
    pub const GET_INFO: u8 = 0x52;
    /// STORE PASSWORD: a door password the platform wrapped under Ks_int_NAF.
    pub const STORE_PASSWORD: u8 = 0x54;
    /// GET CHALLENGE: a card challenge RC for the platform (kept for this channel).
    pub const GET_CHALLENGE: u8 = 0x56;
    /// VERIFY PLATFORM: the platform's proof on RC.
    pub const VERIFY_PLATFORM: u8 = 0x58;
    /// UNLOCK: check the typed password, MAC the unlock request bound to RC.
    pub const UNLOCK: u8 = 0x5A;
}

/// Data object of a password typed at the door (vusim's tag).
pub const TAG_PASSWORD: u32 = 0x8F;
/// Purpose label of the platform's proof.
pub const PURPOSE_PLATFORM: &[u8] = b"door-platform";
/// Purpose label of the unlock MAC.
pub const PURPOSE_UNLOCK: &[u8] = b"door-unlock";

use tag as t;

/// The command table.
pub const COMMANDS: &[CommandRow] = &[
    CommandRow {
        name: "GET INFO",
        ins: ins::GET_INFO,
        p1: 0x00,
        op: None,
        required: &[],
        optional: &[],
        key: KeyAddress::None,
        returns_data: true,
        clause: "docs/api/card-applets.md §2.1",
    },
    CommandRow {
        name: "STORE PASSWORD",
        ins: ins::STORE_PASSWORD,
        p1: 0x00,
        op: None,
        required: &[t::STORED_NAME, t::ALG, t::IV, t::DATA, t::MAC],
        optional: &[],
        key: KeyAddress::None,
        returns_data: false,
        clause: "docs/api/card-applets.md §2.2",
    },
    CommandRow {
        name: "GET CHALLENGE",
        ins: ins::GET_CHALLENGE,
        p1: 0x00,
        op: None,
        required: &[],
        optional: &[],
        key: KeyAddress::None,
        returns_data: true,
        clause: "docs/api/card-applets.md §2.3",
    },
    CommandRow {
        name: "VERIFY PLATFORM",
        ins: ins::VERIFY_PLATFORM,
        p1: 0x00,
        op: None,
        required: &[t::PROOF],
        optional: &[],
        key: KeyAddress::None,
        returns_data: false,
        clause: "docs/api/card-applets.md §2.4",
    },
    CommandRow {
        name: "UNLOCK",
        ins: ins::UNLOCK,
        p1: 0x00,
        op: None,
        required: &[t::STORED_NAME, TAG_PASSWORD, t::DATA],
        optional: &[],
        key: KeyAddress::None,
        returns_data: true,
        clause: "docs/api/card-applets.md §2.5",
    },
];

fn value_ok(row: &CommandRow, tg: u32, v: &[u8]) -> Result<(), StatusWord> {
    match tg {
        // The password arrives wrapped with an authenticated-encryption algorithm.
        tag::ALG => alg_ok(v, true),
        TAG_PASSWORD => len_in(v, 1..=64),
        tag::DATA if row.ins == ins::STORE_PASSWORD => len_in(v, 1..=64),
        tag::DATA => len_in(v, 1..=128),
        _ => common_value_ok(row, tg, v),
    }
}

/// The door-lock applet.
#[derive(Debug)]
pub struct DoorLock {
    /// The NAF, per-channel sessions and the challenge generator.
    link: NafLink,
}

impl DoorLock {
    /// The applet for a profile: `[api] seed` seeds its challenges (label `DOOR`).
    pub fn from_profile(
        p: &crate::profile::Profile,
        file: &str,
        naf_id: Vec<u8>,
    ) -> Result<DoorLock, crate::profile::ProfileError> {
        Ok(DoorLock {
            link: NafLink::from_profile(p, file, naf_id, b"DOOR")?,
        })
    }

    /// The applet for the lock platform `naf_id` (FQDN ‖ Ua security protocol id).
    pub fn new(naf_id: Vec<u8>) -> DoorLock {
        DoorLock {
            link: NafLink::new(naf_id),
        }
    }

    fn store(&self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
        let name = d.need(tag::STORED_NAME)?.to_vec();
        let secret = GbaUService::for_caller(ctx)
            .unwrap_secret(
                &self.link.naf_id,
                d.alg()?,
                &name,
                d.need(tag::IV)?,
                d.need(tag::DATA)?,
                d.need(tag::MAC)?,
            )
            .map_err(card_applet::service_sw)?;
        card_applet::store_secret(ctx, &self.link.naf_id, &name, secret)?;
        Ok(Response::ok(Vec::new()))
    }

    fn unlock(&mut self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
        let slot = self.link.session(ctx.channel)?;
        // The RC is used once: a verified platform session opens the door one time.
        let rc = slot.take_verified().ok_or(sw::CALLER_REFUSED)?;
        let name = d.need(tag::STORED_NAME)?;
        let typed = d.need(TAG_PASSWORD)?;
        let stored =
            card_applet::stored_secret(ctx, &self.link.naf_id, name).ok_or(sw::NO_SUCH_KEY)?;
        if !crate::crypto::keys::ct_eq(&stored, typed) {
            return Err(sw::VERIFY_FAILED);
        }
        let request = [d.need(tag::DATA)?, &rc[..]].concat();
        let mac = GbaUService::for_caller(ctx)
            .mac(
                &self.link.naf_id,
                ops::ALG_HMAC_SHA256,
                PURPOSE_UNLOCK,
                &request,
                32,
            )
            .map_err(card_applet::service_sw)?;
        Ok(Response::ok(Tlv::new(tag::MAC, mac).encode()))
    }
}

impl Applet for DoorLock {
    fn label(&self) -> &str {
        "DOOR-LOCK"
    }

    fn aid(&self) -> &[u8] {
        &AID
    }

    fn select(&mut self, ctx: &mut Context<'_>) -> Result<(), StatusWord> {
        self.link.end_session(ctx.channel);
        Ok(())
    }

    fn deselect(&mut self, ctx: &mut Context<'_>) {
        self.link.end_session(ctx.channel);
    }

    fn save_state(&self) -> Option<toml::Table> {
        self.link.save()
    }

    fn restore_state(&mut self, state: &toml::Table) -> Result<(), String> {
        self.link.restore(state)
    }

    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        let d = decode(cmd, COMMANDS, &[], value_ok)?;
        match d.row.ins {
            ins::GET_INFO => card_applet::info(ctx, &self.link.naf_id),
            ins::STORE_PASSWORD => self.store(ctx, &d),
            ins::GET_CHALLENGE => self.link.challenge(ctx),
            ins::VERIFY_PLATFORM => {
                self.link
                    .verify_server(ctx, PURPOSE_PLATFORM, d.need(tag::PROOF)?)
            }
            ins::UNLOCK => self.unlock(ctx, &d),
            _ => Err(sw::BAD_INS),
        }
    }
}
