//! What the card applets on the GBA_U key service share (the door lock, V2X provisioning;
//! docs/api/card-applets.md): a per-channel session with the NAF (card challenge, verified
//! server), secrets kept in the card under the applet's own AID, the service's refusals as
//! status words, and GET INFO.
//!
//! ⚠ vusim's own coding (card applets v0.1), on top of the standard EF_GBAUAPI access control.

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Response, StatusWord};
use zeroize::Zeroizing;

use super::apdu::{sw, tag};
use super::gba_u_service::{GbaUError, GbaUService};
use super::ops::{self, OpError};
use super::toolkit::{split_sub_id, sub_id, ApiRng, CHALLENGE_TTL};
use crate::card::applet::Context;
use crate::card::keystore::{KeyEntry, KeyKind};

/// Version of the card applets' coding, in GET INFO (DO `C0`).
pub const VERSION: [u8; 2] = [0x00, 0x01];
/// Length of a card challenge RC.
pub const RC_LEN: usize = 16;
/// Secrets one applet keeps at most.
pub const MAX_SECRETS: usize = 16;

/// The service's refusal as the applet's status word.
pub fn service_sw(e: GbaUError) -> StatusWord {
    match e {
        GbaUError::NotGranted => sw::OP_REFUSED,
        GbaUError::NoKey => sw::NO_SUCH_KEY,
        GbaUError::Expired => sw::EXPIRED,
        GbaUError::Full => sw::FULL,
        GbaUError::Operation(OpError::Verify) => sw::VERIFY_FAILED,
        GbaUError::Operation(OpError::Algorithm(_)) => sw::BAD_ALGORITHM,
        GbaUError::Operation(_) => sw::WRONG_LENGTH,
    }
}

/// A channel's session with the NAF: transient, cleared on selection, deselection and reset.
#[derive(Debug, Clone, Default)]
pub struct Session {
    rc: Option<[u8; RC_LEN]>,
    issued: u64,
    verified: bool,
    /// The NAF's challenge RS, for applets that bind a session to both challenges.
    pub rs: Vec<u8>,
}

impl Session {
    /// The RC of a session whose server proved itself, consumed.
    pub fn take_verified(&mut self) -> Option<[u8; RC_LEN]> {
        let rc = if self.verified { self.rc } else { None };
        if rc.is_some() {
            *self = Session::default();
        }
        rc
    }

    /// The RC of a verified session, left in place.
    pub fn verified_rc(&self) -> Option<[u8; RC_LEN]> {
        if self.verified {
            self.rc
        } else {
            None
        }
    }
}

/// What every card applet on the GBA_U key service keeps: its NAF, a session per logical channel
/// (transient: cleared on selection, deselection and reset) and the generator of its card
/// challenges (the card's, or seeded by `[api] seed`, its position durable).
pub struct NafLink {
    /// NAF_ID: FQDN ‖ Ua security protocol id.
    pub naf_id: Vec<u8>,
    sessions: Vec<Session>,
    rng: ApiRng,
}

impl std::fmt::Debug for NafLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NafLink")
            .field("naf_id", &String::from_utf8_lossy(&self.naf_id))
            .finish_non_exhaustive()
    }
}

impl NafLink {
    /// A link to `naf_id`, challenges from the card's generator.
    pub fn new(naf_id: Vec<u8>) -> NafLink {
        NafLink {
            naf_id,
            sessions: vec![Session::default(); crate::card::CHANNELS],
            rng: ApiRng::Card,
        }
    }

    /// A link for a profile: `[api] seed` seeds the challenges, with `label` in the purpose.
    pub fn from_profile(
        p: &crate::profile::Profile,
        file: &str,
        naf_id: Vec<u8>,
        label: &[u8],
    ) -> Result<NafLink, crate::profile::ProfileError> {
        let mut link = NafLink::new(naf_id);
        link.rng = ApiRng::for_profile(p, file, label)?;
        Ok(link)
    }

    /// End the session of `channel` (select, deselect).
    pub fn end_session(&mut self, channel: u8) {
        clear(&mut self.sessions, channel);
    }

    /// The session of `channel`.
    pub fn session(&mut self, channel: u8) -> Result<&mut Session, StatusWord> {
        self.sessions
            .get_mut(usize::from(channel))
            .ok_or(sw::NO_CHALLENGE)
    }

    /// A new card challenge RC on this channel (DO `96`); the key must be usable.
    pub fn challenge(&mut self, ctx: &mut Context<'_>) -> Result<Response, StatusWord> {
        challenge(ctx, &mut self.rng, &mut self.sessions, &self.naf_id)
    }

    /// The NAF's proof on this channel's RC: the session is verified; a wrong or late proof
    /// ends it.
    pub fn verify_server(
        &mut self,
        ctx: &mut Context<'_>,
        purpose: &[u8],
        proof: &[u8],
    ) -> Result<Response, StatusWord> {
        verify_server(ctx, &mut self.sessions, &self.naf_id, purpose, proof)
    }

    /// The generator's saved position.
    pub fn save(&self) -> Option<toml::Table> {
        self.rng.save()
    }

    /// Restore the generator's position.
    pub fn restore(&mut self, state: &toml::Table) -> Result<(), String> {
        self.rng.restore(state)
    }
}

/// Forget the session of `channel`.
fn clear(sessions: &mut [Session], channel: u8) {
    if let Some(s) = sessions.get_mut(usize::from(channel)) {
        *s = Session::default();
    }
}

/// A new card challenge RC on this channel (DO `96`); the key must be usable.
fn challenge(
    ctx: &mut Context<'_>,
    rng: &mut ApiRng,
    sessions: &mut [Session],
    naf_id: &[u8],
) -> Result<Response, StatusWord> {
    GbaUService::for_caller(ctx)
        .key_info(naf_id)
        .map_err(service_sw)?;
    let mut rc = [0u8; RC_LEN];
    rng.fill(ctx, &mut rc)?;
    let slot = sessions
        .get_mut(usize::from(ctx.channel))
        .ok_or(sw::NO_CHALLENGE)?;
    *slot = Session {
        rc: Some(rc),
        issued: ctx.now,
        verified: false,
        rs: Vec::new(),
    };
    Ok(Response::ok(Tlv::new(tag::CHALLENGE, rc.to_vec()).encode()))
}

/// The NAF's proof on this channel's RC (HMAC-SHA-256, `purpose`): the session is verified;
/// a wrong proof, or one after the challenge's lifetime, ends it.
fn verify_server(
    ctx: &mut Context<'_>,
    sessions: &mut [Session],
    naf_id: &[u8],
    purpose: &[u8],
    proof: &[u8],
) -> Result<Response, StatusWord> {
    let slot = sessions
        .get_mut(usize::from(ctx.channel))
        .ok_or(sw::NO_CHALLENGE)?;
    let rc = match (slot.rc, slot.verified) {
        (Some(rc), false) => rc,
        _ => return Err(sw::NO_CHALLENGE),
    };
    let fresh = slot.issued <= ctx.now && ctx.now - slot.issued < CHALLENGE_TTL;
    let checked = if fresh {
        let bound = [purpose, &slot.rs].concat();
        GbaUService::for_caller(ctx)
            .verify_server_proof(naf_id, ops::ALG_HMAC_SHA256, &bound, &rc, proof)
            .map_err(service_sw)
    } else {
        Err(sw::NO_CHALLENGE)
    };
    match checked {
        Ok(()) => {
            slot.verified = true;
            Ok(Response::ok(Vec::new()))
        }
        Err(e) => {
            *slot = Session::default();
            Err(e)
        }
    }
}

/// Key-store id of an applet's secret: `4F AID ‖ 80 NAF_ID ‖ 84 name` (no API command reaches
/// it: the GBA_U API's ids have no `4F`).
fn secret_id(aid: &[u8], naf_id: &[u8], name: &[u8]) -> Vec<u8> {
    let mut id = Tlv::new(tag::CLIENT_AID, aid.to_vec()).encode();
    id.extend_from_slice(&sub_id(naf_id, tag::STORED_NAME, name));
    id
}

/// The names of the secrets the calling applet keeps for `naf_id`.
pub fn secret_names(ctx: &Context<'_>, naf_id: &[u8]) -> Vec<Vec<u8>> {
    let prefix = Tlv::new(tag::CLIENT_AID, ctx.aid.to_vec()).encode();
    ctx.keys
        .of_kind(KeyKind::Stored)
        .into_iter()
        .filter_map(|e| e.id.strip_prefix(prefix.as_slice()))
        .filter_map(|rest| split_sub_id(rest, tag::STORED_NAME))
        .filter(|(naf, _)| naf == naf_id)
        .map(|(_, name)| name)
        .collect()
}

/// Keep a secret for the calling applet (replacing one of the same name), durable.
pub fn store_secret(
    ctx: &mut Context<'_>,
    naf_id: &[u8],
    name: &[u8],
    secret: Zeroizing<Vec<u8>>,
) -> Result<(), StatusWord> {
    let id = secret_id(ctx.aid, naf_id, name);
    let exists = ctx.keys.get(KeyKind::Stored, &id).is_some();
    let prefix = Tlv::new(tag::CLIENT_AID, ctx.aid.to_vec()).encode();
    let ours = ctx
        .keys
        .of_kind(KeyKind::Stored)
        .iter()
        .filter(|e| e.id.starts_with(&prefix))
        .count();
    if !exists && ours >= MAX_SECRETS {
        return Err(sw::FULL);
    }
    ctx.keys.put(
        KeyEntry {
            kind: KeyKind::Stored,
            id,
            reference: ctx.aid.to_vec(),
            key: secret,
            expires: None,
            slot: 0,
            last_used: 0,
        },
        None,
    );
    *ctx.dirty = true;
    Ok(())
}

/// A secret the calling applet keeps.
pub fn stored_secret(ctx: &Context<'_>, naf_id: &[u8], name: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    ctx.keys
        .get(KeyKind::Stored, &secret_id(ctx.aid, naf_id, name))
        .map(|e| e.key.clone())
}

/// GET INFO: version `C0`, the NAF_ID `80`, the B-TID and expiry of its usable Ks_int_NAF (the
/// GBA_U API's tags), then the names (`84`) of the secrets the applet keeps for this NAF.
pub fn info(ctx: &mut Context<'_>, naf_id: &[u8]) -> Result<Response, StatusWord> {
    let key = GbaUService::for_caller(ctx)
        .key_info(naf_id)
        .map_err(service_sw)?;
    let mut out = Tlv::new(tag::VERSION, VERSION.to_vec()).encode();
    Tlv::new(tag::NAF_ID, naf_id.to_vec()).encode_into(&mut out);
    Tlv::new(tag::B_TID, key.reference).encode_into(&mut out);
    Tlv::new(tag::EXPIRES, key.expires.to_be_bytes().to_vec()).encode_into(&mut out);
    for name in secret_names(ctx, naf_id) {
        Tlv::new(tag::STORED_NAME, name).encode_into(&mut out);
    }
    Ok(Response::ok(out))
}
