//! The C-V2X certificate-provisioning card applet (the V2X use case of the CT6 study TR 31.822,
//! after GSMA FS.48's enrolment over GBA): an applet on the UICC that authenticates mutually with
//! the enrolment CA over Ks_int_NAF, opens a protected channel bound to both challenges, and
//! receives and keeps the enrolment credentials — built on the GBA_U key service and allowed by
//! EF_GBAUAPI to use the CA's (NAF's) key.
//!
//! # ⚠ vusim's own coding (applet v0.1)
//!
//! Neither the study nor FS.48 defines these APDUs: the AID, INS codes, data objects and purpose
//! labels are this project's (docs/api/card-applets.md §3). The CA side is `vusim naf`:
//! `auth-card`/`auth-server` with purpose `v2x-enrol` (server: `v2x-enrol` ‖ RS) and `encrypt`
//! with purpose `v2x-session` ‖ RC ‖ RS.

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Command, Response, StatusWord};

use super::apdu::{sw, tag, CommandRow, KeyAddress};
use super::card_applet::{self, NafLink, Session};
use super::gba_u_service::GbaUService;
use super::ops;
use super::toolkit::{common_value_ok, decode, Decoded};
use crate::card::applet::{Applet, Context};

/// AID: RID `F0` (proprietary), ASCII `VUSIM-V2X`, version `00 01`.
pub const AID: [u8; 12] = [
    0xF0, b'V', b'U', b'S', b'I', b'M', b'-', b'V', b'2', b'X', 0x00, 0x01,
];

/// The enrolment CA's NAF FQDN on the default card.
pub const DEFAULT_NAF_FQDN: &str = "v2x.example.org";

/// Instruction codes (class `80`–`83`, `C0`–`CF`; clear of the TS 102 221 and GBA_U API codes).
pub mod ins {
    /// GET INFO: version, the CA key's B-TID and lifetime, the credentials kept.
    pub const GET_INFO: u8 = 0x52;
    /// AUTHENTICATE CA: the card's proof on the CA's challenge RS, and the card's RC.
    pub const AUTHENTICATE: u8 = 0x54;
    /// VERIFY CA: the CA's proof on RC (bound to RS): the protected channel is open.
    pub const VERIFY_CA: u8 = 0x56;
    /// PROVISION: enrolment credentials, encrypted on the protected channel; kept in the card.
    pub const PROVISION: u8 = 0x58;
}

/// Purpose label of both proofs (the server's is bound to RS too).
pub const PURPOSE_ENROL: &[u8] = b"v2x-enrol";
/// Purpose label prefix of the protected channel (‖ RC ‖ RS).
pub const PURPOSE_SESSION: &[u8] = b"v2x-session";
/// Purpose label prefix of the receipt MAC (‖ RC ‖ RS).
pub const PURPOSE_RECEIPT: &[u8] = b"v2x-receipt";
/// Name under which the enrolment credentials are kept.
pub const CREDENTIALS: &[u8] = b"enrolment";

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
        clause: "docs/api/card-applets.md §3.1",
    },
    CommandRow {
        name: "AUTHENTICATE CA",
        ins: ins::AUTHENTICATE,
        p1: 0x00,
        op: None,
        required: &[t::CHALLENGE],
        optional: &[],
        key: KeyAddress::None,
        returns_data: true,
        clause: "docs/api/card-applets.md §3.2",
    },
    CommandRow {
        name: "VERIFY CA",
        ins: ins::VERIFY_CA,
        p1: 0x00,
        op: None,
        required: &[t::PROOF],
        optional: &[],
        key: KeyAddress::None,
        returns_data: false,
        clause: "docs/api/card-applets.md §3.3",
    },
    CommandRow {
        name: "PROVISION",
        ins: ins::PROVISION,
        p1: 0x00,
        op: None,
        required: &[t::IV, t::DATA, t::MAC],
        optional: &[],
        key: KeyAddress::None,
        returns_data: true,
        clause: "docs/api/card-applets.md §3.4",
    },
];

/// The V2X provisioning applet.
#[derive(Debug)]
pub struct V2xProvisioning {
    /// The NAF, per-channel sessions and the challenge generator.
    link: NafLink,
}

impl V2xProvisioning {
    /// The applet for a profile: `[api] seed` seeds its challenges (label `V2X`).
    pub fn from_profile(
        p: &crate::profile::Profile,
        file: &str,
        naf_id: Vec<u8>,
    ) -> Result<V2xProvisioning, crate::profile::ProfileError> {
        Ok(V2xProvisioning {
            link: NafLink::from_profile(p, file, naf_id, b"V2X")?,
        })
    }

    /// The applet for the enrolment CA `naf_id` (FQDN ‖ Ua security protocol id).
    pub fn new(naf_id: Vec<u8>) -> V2xProvisioning {
        V2xProvisioning {
            link: NafLink::new(naf_id),
        }
    }

    /// AUTHENTICATE CA: `97` the card's proof on RS, `96` a fresh RC (kept with RS).
    fn authenticate(&mut self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
        let rs = d.need(tag::CHALLENGE)?.to_vec();
        let proof = GbaUService::for_caller(ctx)
            .card_proof(&self.link.naf_id, ops::ALG_HMAC_SHA256, PURPOSE_ENROL, &rs)
            .map_err(card_applet::service_sw)?;
        let rc = self.link.challenge(ctx)?;
        self.link.session(ctx.channel)?.rs = rs;
        let mut out = Tlv::new(tag::PROOF, proof.to_vec()).encode();
        out.extend_from_slice(&rc.data);
        Ok(Response::ok(out))
    }

    /// PROVISION: open the credentials on the protected channel, keep them, answer `93` a
    /// receipt MAC over the ciphertext (so the CA knows they arrived). The session ends.
    fn provision(&mut self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
        let slot = self.link.session(ctx.channel)?;
        let rc = slot.verified_rc().ok_or(sw::CALLER_REFUSED)?;
        let bound = [&rc[..], &slot.rs].concat();
        *slot = Session::default();
        let session = [PURPOSE_SESSION, &bound].concat();
        let receipt = [PURPOSE_RECEIPT, &bound].concat();
        let ciphertext = d.need(tag::DATA)?;
        let mut svc = GbaUService::for_caller(ctx);
        let credentials = svc
            .decrypt(
                &self.link.naf_id,
                ops::ALG_AES128_CTR_HMAC_SHA256,
                &session,
                d.need(tag::IV)?,
                &[],
                ciphertext,
                d.need(tag::MAC)?,
            )
            .map_err(card_applet::service_sw)?;
        let mac = svc
            .mac(
                &self.link.naf_id,
                ops::ALG_HMAC_SHA256,
                &receipt,
                ciphertext,
                32,
            )
            .map_err(card_applet::service_sw)?;
        card_applet::store_secret(ctx, &self.link.naf_id, CREDENTIALS, credentials)?;
        Ok(Response::ok(Tlv::new(tag::MAC, mac).encode()))
    }
}

impl Applet for V2xProvisioning {
    fn label(&self) -> &str {
        "V2X-PROVISIONING"
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
        let d = decode(cmd, COMMANDS, &[], common_value_ok)?;
        match d.row.ins {
            ins::GET_INFO => card_applet::info(ctx, &self.link.naf_id),
            ins::AUTHENTICATE => self.authenticate(ctx, &d),
            ins::VERIFY_CA => self
                .link
                .verify_server(ctx, PURPOSE_ENROL, d.need(tag::PROOF)?),
            ins::PROVISION => self.provision(ctx, &d),
            _ => Err(sw::BAD_INS),
        }
    }
}
