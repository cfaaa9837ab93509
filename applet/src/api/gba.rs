//! The GBA_U API applet (3GPP CT6 study on USIM APIs for GBA_U; docs/api/gba-api.md): terminal applications use Ks_int_NAF (TS 33.220 Annex G) inside the card for MACs, authenticated encryption, mutual authentication, secure storage and a third-party combined key, under a per-NAF policy and the key lifetime.
//!
//! # ⚠ Experimental (API v0.1)
//!
//! A study prototype behind the `experimental-api` feature. Its AID, APDU coding, key
//! derivations and status words are this project's proposal ([`super::apdu`], [`super::ops`]);
//! no specification or real card defines them, and they will change.
//!
//! A standalone applet (no ADF), selectable on any logical channel. Keys come from the card's
//! [`KeyStore`](crate::card::keystore::KeyStore): the USIM puts Ks_int_NAF there at each GBA NAF
//! derivation (id = NAF_Id, reference = B-TID, expiry = the Ks lifetime in EF_GBABP); this
//! applet adds stored keys ([`KeyKind::Stored`]) and combined keys ([`KeyKind::E2e`]), each
//! bound to its NAF (id = `80 NAF_Id 84|85 name`) and expiring with the Ks_int_NAF it came from.
//! No command returns key bytes.
//!
//! Each command is decoded first (any input error answers its status word before anything is
//! looked up or changed), then gated (policy: caller, then operation; then the key exists; then
//! its lifetime), then executed.

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Command, Response, StatusWord};
use zeroize::Zeroizing;

use super::apdu::{self, kind, sw, tag, CommandRow, KeyAddress};
use super::gba_u_service::{self, GbaUError};
use super::ops;
use super::policy::{fqdn_of, ApiSection, Op, Policy};
use super::toolkit::{
    self, common_value_ok, decode, len_in, op_sw, refusal, split_sub_id, sub_id, ApiRng,
    Challenges, Decoded, DEFAULT_MAX_STORED,
};
use crate::card::applet::{Applet, Context};
use crate::card::keystore::{KeyEntry, KeyKind};
use crate::profile::{Profile, ProfileError};

pub use super::toolkit::{
    CARD_CHALLENGE_LEN, CHALLENGE_TTL, NAME_LEN, PURPOSE_MAX, SECRET_LEN, SERVER_CHALLENGE_LEN,
};

/// Lengths of Ka.
pub const KA_LEN: std::ops::RangeInclusive<usize> = 1..=64;

/// The objects that may name a sub-key of a NAF's Ks_int_NAF: a stored key, an e2e_key.
const SUB_TAGS: &[u32] = &[tag::STORED_NAME, tag::E2E_NAME];

/// The sub-key tag of a key kind.
fn sub_tag(kind: KeyKind) -> u32 {
    if kind == KeyKind::E2e {
        tag::E2E_NAME
    } else {
        tag::STORED_NAME
    }
}

/// The key a command addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyRef {
    naf_id: Vec<u8>,
    /// A stored key (`84`) or e2e_key (`85`) of that NAF, by name.
    sub: Option<(KeyKind, Vec<u8>)>,
}

impl KeyRef {
    /// The key address of a decoded command (`None` for GET INFO, LIST KEYS).
    fn of(d: &Decoded) -> Result<Option<KeyRef>, StatusWord> {
        if d.row.key == KeyAddress::None {
            return Ok(None);
        }
        let sub = match d.row.key {
            KeyAddress::BaseOnly => None,
            _ => d.sub_key(SUB_TAGS).map(|(t, name)| {
                let kind = if t == tag::E2E_NAME {
                    KeyKind::E2e
                } else {
                    KeyKind::Stored
                };
                (kind, name.to_vec())
            }),
        };
        Ok(Some(KeyRef {
            naf_id: d.key_id()?.to_vec(),
            sub,
        }))
    }

    fn kind(&self) -> KeyKind {
        self.sub.as_ref().map_or(KeyKind::KsIntNaf, |(k, _)| *k)
    }

    fn store_id(&self) -> Vec<u8> {
        match &self.sub {
            None => self.naf_id.clone(),
            Some((k, name)) => sub_id(&self.naf_id, sub_tag(*k), name),
        }
    }
}

/// The GBA_U API's value checks: the shared ones, and Ka.
fn value_ok(row: &CommandRow, tg: u32, v: &[u8]) -> Result<(), StatusWord> {
    match tg {
        tag::KA => len_in(v, KA_LEN),
        _ => common_value_ok(row, tg, v),
    }
}

/// The key a gated command may use.
struct Usable {
    key: Zeroizing<Vec<u8>>,
    reference: Vec<u8>,
    expires: Option<u64>,
}

/// The GBA_U API applet.
pub struct GbaApi {
    aid: Vec<u8>,
    policy: Policy,
    max_stored: u8,
    rng: ApiRng,
    challenges: Challenges,
}

impl std::fmt::Debug for GbaApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GbaApi")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl GbaApi {
    /// An applet with this policy, drawing randomness from the card.
    pub fn new(policy: Policy) -> GbaApi {
        GbaApi {
            aid: apdu::AID.to_vec(),
            policy,
            max_stored: DEFAULT_MAX_STORED,
            rng: ApiRng::Card,
            challenges: Challenges::default(),
        }
    }

    /// From a profile's `[api]` section (`seed` keys the generator from the subscriber key K).
    pub fn from_profile(p: &Profile, file: &str) -> Result<GbaApi, ProfileError> {
        let s: &ApiSection = &p.api;
        let mut a = GbaApi::new(Policy::from_section(s, file)?);
        a.max_stored = s.max_stored.unwrap_or(DEFAULT_MAX_STORED);
        // The GBA_U API draws its sequence with an empty label (AKMA and IoT add theirs).
        a.rng = ApiRng::for_profile(p, file, b"")?;
        Ok(a)
    }

    /// Policy (caller, operation), existence, lifetime.
    fn gate(&self, ctx: &Context<'_>, key: &KeyRef, d: &Decoded) -> Result<Usable, StatusWord> {
        let op = match (d.row.op, key.kind()) {
            (Some(op), _) => op,
            // DELETE KEY needs the operation that made the key.
            (None, KeyKind::E2e) => Op::E2e,
            (None, _) => Op::Store,
        };
        self.policy
            .rule_for(fqdn_of(&key.naf_id))
            .check(op, ctx.channel, d.client.as_deref())
            .map_err(refusal)?;
        // Ks_int_NAF itself through the GBA_U key service's lookup (the same presence and
        // lifetime rules as the card applets'; this applet's policy stands in for EF_GBAUAPI).
        if key.sub.is_none() {
            let (k, info) =
                gba_u_service::usable_ks_int_naf(ctx, &key.naf_id).map_err(|e| match e {
                    GbaUError::Expired => sw::EXPIRED,
                    _ => sw::NO_SUCH_KEY,
                })?;
            return Ok(Usable {
                key: k,
                reference: info.reference,
                expires: Some(info.expires),
            });
        }
        let entry = ctx
            .keys
            .get(key.kind(), &key.store_id())
            .ok_or(sw::NO_SUCH_KEY)?;
        match entry.expires {
            Some(t) if ctx.now < t => {}
            _ => return Err(sw::EXPIRED),
        }
        Ok(Usable {
            key: entry.key.clone(),
            reference: entry.reference.clone(),
            expires: entry.expires,
        })
    }

    fn list(&self, ctx: &Context<'_>, d: &Decoded) -> Response {
        let mut out = Vec::new();
        for (k, code) in [
            (KeyKind::KsIntNaf, kind::KS_INT_NAF),
            (KeyKind::Stored, kind::STORED),
            (KeyKind::E2e, kind::E2E),
        ] {
            for e in ctx.keys.of_kind(k) {
                let (naf_id, name) = if k == KeyKind::KsIntNaf {
                    (e.id.clone(), None)
                } else {
                    match split_sub_id(&e.id, sub_tag(k)) {
                        Some((n, name)) => (n, Some(name)),
                        None => continue,
                    }
                };
                let rule = self.policy.rule_for(fqdn_of(&naf_id));
                if !rule.caller_allowed(ctx.channel, d.client.as_deref()) {
                    continue;
                }
                let state = toolkit::state_of(e.expires, ctx.now, 0x02);
                let mut items = vec![
                    Tlv::new(tag::KIND, vec![code]),
                    Tlv::new(tag::NAF_ID, naf_id),
                ];
                if let Some(name) = name {
                    items.push(Tlv::new(sub_tag(k), name));
                }
                items.push(Tlv::new(tag::B_TID, e.reference.clone()));
                if let Some(t) = e.expires {
                    items.push(Tlv::new(tag::EXPIRES, t.to_be_bytes().to_vec()));
                }
                items.push(Tlv::new(tag::STATE, vec![state]));
                items.push(Tlv::new(tag::OPS, vec![rule.ops]));
                Tlv::constructed(tag::KEY_ENTRY, &items).encode_into(&mut out);
            }
        }
        Response::ok(out)
    }

    /// Room for one more key of `kind` (unless `id` replaces one).
    fn room_for(&self, ctx: &Context<'_>, kind: KeyKind, id: &[u8]) -> Result<(), StatusWord> {
        let existing = ctx.keys.of_kind(kind);
        let replaces = existing.iter().any(|e| e.id == id);
        let ours = existing
            .iter()
            .filter(|e| split_sub_id(&e.id, sub_tag(kind)).is_some())
            .count();
        if !replaces && ours >= usize::from(self.max_stored) {
            return Err(sw::FULL);
        }
        Ok(())
    }

    fn store(
        &self,
        ctx: &mut Context<'_>,
        key: &KeyRef,
        d: &Decoded,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let name = d.need(tag::STORED_NAME)?;
        let id = sub_id(&key.naf_id, tag::STORED_NAME, name);
        let secret = ops::unwrap_secret(
            &k.key,
            d.alg()?,
            name,
            d.need(tag::IV)?,
            d.need(tag::DATA)?,
            d.need(tag::MAC)?,
        )
        .map_err(op_sw)?;
        self.room_for(ctx, KeyKind::Stored, &id)?;
        ctx.keys.put(
            KeyEntry {
                kind: KeyKind::Stored,
                id,
                reference: k.reference.clone(),
                key: secret,
                expires: k.expires,
                slot: 0,
                last_used: 0,
            },
            None,
        );
        *ctx.dirty = true;
        Ok(Response::ok(Vec::new()))
    }

    fn derive_e2e(
        &self,
        ctx: &mut Context<'_>,
        key: &KeyRef,
        d: &Decoded,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let name = d.need(tag::E2E_NAME)?;
        let id = sub_id(&key.naf_id, tag::E2E_NAME, name);
        self.room_for(ctx, KeyKind::E2e, &id)?;
        let e2e = ops::e2e(&k.key, d.need(tag::KA)?).map_err(op_sw)?;
        ctx.keys.put(
            KeyEntry {
                kind: KeyKind::E2e,
                id,
                reference: k.reference.clone(),
                key: Zeroizing::new(e2e.as_bytes().to_vec()),
                expires: k.expires,
                slot: 0,
                last_used: 0,
            },
            None,
        );
        *ctx.dirty = true;
        Ok(Response::ok(Vec::new()))
    }
}

impl Applet for GbaApi {
    fn label(&self) -> &str {
        "GBA-API"
    }

    fn aid(&self) -> &[u8] {
        &self.aid
    }

    fn select(&mut self, ctx: &mut Context<'_>) -> Result<(), StatusWord> {
        // A fresh selection starts without an outstanding challenge on its channel.
        self.challenges.clear(ctx.channel);
        Ok(())
    }

    /// Transient state ends with the selection (a new selection, MANAGE CHANNEL close, reset).
    fn deselect(&mut self, ctx: &mut Context<'_>) {
        self.challenges.clear(ctx.channel);
    }

    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        let d = decode(cmd, apdu::COMMANDS, SUB_TAGS, value_ok)?;
        let key = match (d.row.ins, KeyRef::of(&d)?) {
            (apdu::ins::GET_INFO, _) => return Ok(toolkit::get_info(apdu::VERSION)),
            (apdu::ins::LIST_KEYS, _) => return Ok(self.list(ctx, &d)),
            (_, Some(key)) => key,
            (_, None) => return Err(sw::BAD_DATA),
        };
        let k = self.gate(ctx, &key, &d)?;
        match d.row.ins {
            apdu::ins::MAC => toolkit::mac(&d, &k.key),
            apdu::ins::CIPHER => toolkit::cipher(&mut self.rng, ctx, &d, &k.key),
            apdu::ins::AUTHENTICATE => self.challenges.authenticate(
                &mut self.rng,
                ctx,
                &d,
                (key.kind(), &key.store_id()),
                &k.key,
            ),
            apdu::ins::STORE => self.store(ctx, &key, &d, &k),
            apdu::ins::DERIVE_E2E => self.derive_e2e(ctx, &key, &d, &k),
            apdu::ins::DELETE => {
                let (kind, id) = (key.kind(), key.store_id());
                ctx.keys.remove_where(|e| e.kind == kind && e.id == id);
                *ctx.dirty = true;
                Ok(Response::ok(Vec::new()))
            }
            _ => Err(sw::BAD_INS),
        }
    }

    fn save_state(&self) -> Option<toml::Table> {
        self.rng.save()
    }

    fn restore_state(&mut self, state: &toml::Table) -> Result<(), String> {
        self.rng.restore(state)
    }
}
