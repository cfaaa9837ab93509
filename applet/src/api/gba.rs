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
use super::ops::{self, OpError, IV_LEN};
use super::policy::{fqdn_of, ApiSection, Op, Policy, Refusal};
use crate::card::applet::{Applet, Context};
use crate::card::keystore::{KeyEntry, KeyKind};
use crate::card::CHANNELS;
use crate::crypto::kdf::hmac_sha256;
use crate::profile::{err, Profile, ProfileError};

/// Length of the card challenge RC.
pub const CARD_CHALLENGE_LEN: usize = 16;
/// How long a card challenge stays usable, in seconds of card time.
pub const CHALLENGE_TTL: u64 = 300;
/// Lengths a server challenge RS may have.
pub const SERVER_CHALLENGE_LEN: std::ops::RangeInclusive<usize> = 8..=64;
/// Lengths of a stored key's or e2e_key's name.
pub const NAME_LEN: std::ops::RangeInclusive<usize> = 1..=32;
/// Lengths of a secret STORE KEY accepts.
pub const SECRET_LEN: std::ops::RangeInclusive<usize> = 1..=128;
/// Lengths of Ka.
pub const KA_LEN: std::ops::RangeInclusive<usize> = 1..=64;
/// Longest purpose label.
pub const PURPOSE_MAX: usize = 64;
/// Default number of stored keys (and, separately, of e2e_keys) the applet keeps.
pub const DEFAULT_MAX_STORED: u8 = 16;

/// Where challenges and IVs come from.
enum ApiRng {
    /// The card's generator.
    Card,
    /// HMAC-SHA-256(key, counter): reproducible for a card and seed (`[api] seed`).
    Seeded {
        key: Zeroizing<[u8; 32]>,
        counter: u64,
    },
}

/// A card challenge waiting for the server's proof.
#[derive(Clone)]
struct Pending {
    kind: KeyKind,
    id: Vec<u8>,
    rc: [u8; CARD_CHALLENGE_LEN],
    issued: u64,
}

/// The key a command addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyRef {
    naf_id: Vec<u8>,
    /// A stored key (`84`) or e2e_key (`85`) of that NAF, by name.
    sub: Option<(KeyKind, Vec<u8>)>,
}

impl KeyRef {
    fn kind(&self) -> KeyKind {
        self.sub.as_ref().map_or(KeyKind::KsIntNaf, |(k, _)| *k)
    }

    fn store_id(&self) -> Vec<u8> {
        match &self.sub {
            None => self.naf_id.clone(),
            Some((k, name)) => sub_id(&self.naf_id, *k, name),
        }
    }
}

/// Key-store id of a stored key or e2e_key: `80 NAF_Id 84|85 name`.
fn sub_id(naf_id: &[u8], kind: KeyKind, name: &[u8]) -> Vec<u8> {
    let t = if kind == KeyKind::E2e {
        tag::E2E_NAME
    } else {
        tag::STORED_NAME
    };
    let mut v = Tlv::new(tag::NAF_ID, naf_id.to_vec()).encode();
    Tlv::new(t, name.to_vec()).encode_into(&mut v);
    v
}

/// The NAF_Id and name in a sub-key id, if it is one of ours.
fn split_sub_id(id: &[u8], kind: KeyKind) -> Option<(Vec<u8>, Vec<u8>)> {
    let list = Tlv::parse_all(id).ok()?;
    let want = if kind == KeyKind::E2e {
        tag::E2E_NAME
    } else {
        tag::STORED_NAME
    };
    match list.as_slice() {
        [a, b] if a.tag.0 == tag::NAF_ID && b.tag.0 == want => {
            Some((a.value.clone(), b.value.clone()))
        }
        _ => None,
    }
}

/// A decoded command.
struct Decoded {
    row: &'static CommandRow,
    dos: Vec<Tlv>,
    client: Option<Vec<u8>>,
    key: Option<KeyRef>,
}

impl Decoded {
    fn get(&self, t: u32) -> Option<&[u8]> {
        self.dos
            .iter()
            .find(|d| d.tag.0 == t)
            .map(|d| d.value.as_slice())
    }

    /// A data object the command table made mandatory (present after decoding).
    fn need(&self, t: u32) -> Result<&[u8], StatusWord> {
        self.get(t).ok_or(sw::BAD_DATA)
    }

    fn alg(&self) -> Result<u8, StatusWord> {
        self.need(tag::ALG)?
            .first()
            .copied()
            .ok_or(sw::WRONG_LENGTH)
    }

    fn purpose(&self) -> &[u8] {
        self.get(tag::PURPOSE).unwrap_or_default()
    }
}

fn len_in(v: &[u8], r: std::ops::RangeInclusive<usize>) -> Result<(), StatusWord> {
    if r.contains(&v.len()) {
        Ok(())
    } else {
        Err(sw::WRONG_LENGTH)
    }
}

fn op_sw(e: OpError) -> StatusWord {
    match e {
        OpError::Algorithm(_) => sw::BAD_ALGORITHM,
        OpError::Length { .. } => sw::WRONG_LENGTH,
        OpError::Verify => sw::VERIFY_FAILED,
        OpError::Crypto(_) => sw::WRONG_LENGTH,
    }
}

/// Decode: INS, class, P1-P2, the data objects and every value's length and algorithm.
fn decode(cmd: &Command) -> Result<Decoded, StatusWord> {
    let row = match apdu::lookup(cmd.ins(), cmd.p1()) {
        Ok(row) => row,
        Err(e) if e == sw::BAD_INS => return Err(e),
        Err(e) => {
            if !cmd.cla().is_proprietary() {
                return Err(sw::BAD_CLA);
            }
            return Err(e);
        }
    };
    if !cmd.cla().is_proprietary() {
        return Err(sw::BAD_CLA);
    }
    if cmd.p2() != 0x00 {
        return Err(sw::BAD_P1P2);
    }
    let data = cmd.data();
    let key_tags: &[u32] = match row.key {
        KeyAddress::None => &[],
        KeyAddress::BaseOnly => &[tag::NAF_ID],
        KeyAddress::Any | KeyAddress::SubOnly => &[tag::NAF_ID, tag::STORED_NAME, tag::E2E_NAME],
    };
    let needs_data = row.key != KeyAddress::None || !row.required.is_empty();
    if needs_data && data.is_empty() {
        return Err(sw::WRONG_LENGTH);
    }
    let dos = Tlv::parse_all(data).map_err(|_| sw::BAD_DATA)?;
    let mut seen: Vec<u32> = Vec::new();
    for d in &dos {
        let t = d.tag.0;
        let allowed = t == tag::CLIENT_AID
            || key_tags.contains(&t)
            || row.required.contains(&t)
            || row.optional.contains(&t);
        if !allowed || seen.contains(&t) {
            return Err(sw::BAD_DATA);
        }
        seen.push(t);
    }
    if row.required.iter().any(|t| !seen.contains(t)) {
        return Err(sw::BAD_DATA);
    }
    let value = |t: u32| {
        dos.iter()
            .find(|d| d.tag.0 == t)
            .map(|d| d.value.as_slice())
    };
    // The key reference.
    let key = match row.key {
        KeyAddress::None => None,
        _ => {
            let naf_id = value(tag::NAF_ID).ok_or(sw::BAD_DATA)?;
            len_in(naf_id, 1..=255)?;
            let sub = match (row.key, value(tag::STORED_NAME), value(tag::E2E_NAME)) {
                (KeyAddress::BaseOnly, _, _) => None,
                (_, Some(_), Some(_)) => return Err(sw::BAD_DATA),
                (_, Some(n), None) => Some((KeyKind::Stored, n.to_vec())),
                (_, None, Some(n)) => Some((KeyKind::E2e, n.to_vec())),
                (KeyAddress::SubOnly, None, None) => return Err(sw::BAD_DATA),
                (_, None, None) => None,
            };
            Some(KeyRef {
                naf_id: naf_id.to_vec(),
                sub,
            })
        }
    };
    // Every value's length, and the algorithm for this command.
    for d in &dos {
        let v = d.value.as_slice();
        match d.tag.0 {
            tag::CLIENT_AID => len_in(v, 5..=16)?,
            tag::STORED_NAME | tag::E2E_NAME => len_in(v, NAME_LEN)?,
            tag::ALG => {
                let [alg] = v else {
                    return Err(sw::WRONG_LENGTH);
                };
                let check = match row.ins {
                    apdu::ins::CIPHER | apdu::ins::STORE => ops::ae_alg(*alg),
                    _ => ops::mac_alg(*alg),
                };
                check.map_err(op_sw)?;
            }
            tag::PURPOSE => len_in(v, 0..=PURPOSE_MAX)?,
            tag::MAC_LEN => match v {
                [n] if ops::MAC_LEN_RANGE.contains(&usize::from(*n)) => {}
                _ => return Err(sw::WRONG_LENGTH),
            },
            tag::MAC => {
                if row.ins == apdu::ins::MAC {
                    len_in(v, ops::MAC_LEN_RANGE)?;
                } else {
                    len_in(v, ops::AE_TAG_LEN..=ops::AE_TAG_LEN)?;
                }
            }
            tag::IV => len_in(v, IV_LEN..=IV_LEN)?,
            tag::CHALLENGE => len_in(v, SERVER_CHALLENGE_LEN)?,
            tag::PROOF => len_in(v, ops::PROOF_LEN..=ops::PROOF_LEN)?,
            tag::KA => len_in(v, KA_LEN)?,
            tag::DATA if row.ins == apdu::ins::STORE => len_in(v, SECRET_LEN)?,
            _ => {}
        }
    }
    let client = value(tag::CLIENT_AID).map(<[u8]>::to_vec);
    Ok(Decoded {
        row,
        dos,
        client,
        key,
    })
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
    challenges: Vec<Option<Pending>>,
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
            challenges: vec![None; CHANNELS],
        }
    }

    /// From a profile's `[api]` section (`seed` keys the generator from the subscriber key K).
    pub fn from_profile(p: &Profile, file: &str) -> Result<GbaApi, ProfileError> {
        let s: &ApiSection = &p.api;
        let mut a = GbaApi::new(Policy::from_section(s, file)?);
        a.max_stored = s.max_stored.unwrap_or(DEFAULT_MAX_STORED);
        if let Some(seed) = s.seed {
            let k = Zeroizing::new(
                hex::decode(p.auth.k.trim()).map_err(|_| err(file, "auth.k", "not hex"))?,
            );
            let d = ops::derive(&k, ops::Usage::Drbg, 0, &seed.to_be_bytes())
                .map_err(|e| err(file, "api.seed", e.to_string()))?;
            a.rng = ApiRng::Seeded {
                key: Zeroizing::new(*d.expose()),
                counter: 0,
            };
        }
        Ok(a)
    }

    fn fill(&mut self, ctx: &mut Context<'_>, out: &mut [u8]) -> Result<(), StatusWord> {
        match &mut self.rng {
            ApiRng::Card => ctx.rng.fill_bytes(out),
            ApiRng::Seeded { key, counter } => {
                for chunk in out.chunks_mut(32) {
                    *counter = counter.wrapping_add(1);
                    let block = hmac_sha256(key.as_slice(), &[&counter.to_be_bytes()])
                        .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
                    for (o, b) in chunk.iter_mut().zip(block.iter()) {
                        *o = *b;
                    }
                }
                // The position is durable: a saved card never repeats a value.
                *ctx.dirty = true;
            }
        }
        Ok(())
    }

    fn refusal(r: Refusal) -> StatusWord {
        match r {
            Refusal::Caller => sw::CALLER_REFUSED,
            Refusal::Operation => sw::OP_REFUSED,
        }
    }

    /// Policy (caller, operation), existence, lifetime.
    fn gate(&self, ctx: &Context<'_>, d: &Decoded) -> Result<Usable, StatusWord> {
        let key = d.key.as_ref().ok_or(sw::BAD_DATA)?;
        let op = match (d.row.op, key.kind()) {
            (Some(op), _) => op,
            // DELETE KEY needs the operation that made the key.
            (None, KeyKind::E2e) => Op::E2e,
            (None, _) => Op::Store,
        };
        self.policy
            .rule_for(fqdn_of(&key.naf_id))
            .check(op, ctx.channel, d.client.as_deref())
            .map_err(Self::refusal)?;
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

    fn get_info() -> Response {
        let mut out = Tlv::new(tag::VERSION, apdu::VERSION.to_vec()).encode();
        Tlv::new(
            tag::ALGORITHMS,
            vec![ops::ALG_HMAC_SHA256, ops::ALG_AES128_CTR_HMAC_SHA256],
        )
        .encode_into(&mut out);
        Tlv::new(tag::FC, vec![0xFF, 0xE8]).encode_into(&mut out);
        Response::ok(out)
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
                    match split_sub_id(&e.id, k) {
                        Some((n, name)) => (n, Some(name)),
                        None => continue,
                    }
                };
                let rule = self.policy.rule_for(fqdn_of(&naf_id));
                if !rule.caller_allowed(ctx.channel, d.client.as_deref()) {
                    continue;
                }
                let state = match e.expires {
                    Some(t) if ctx.now < t => 0x00,
                    Some(_) => 0x01,
                    None => 0x02,
                };
                let mut items = vec![
                    Tlv::new(tag::KIND, vec![code]),
                    Tlv::new(tag::NAF_ID, naf_id),
                ];
                if let Some(name) = name {
                    let t = if k == KeyKind::E2e {
                        tag::E2E_NAME
                    } else {
                        tag::STORED_NAME
                    };
                    items.push(Tlv::new(t, name));
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

    fn mac(d: &Decoded, k: &Usable) -> Result<Response, StatusWord> {
        let alg = d.alg()?;
        let msg = d.need(tag::DATA)?;
        if d.row.p1 == apdu::p1::MAC_VERIFY {
            ops::mac_verify(&k.key, alg, d.purpose(), msg, d.need(tag::MAC)?).map_err(op_sw)?;
            return Ok(Response::ok(Vec::new()));
        }
        let len = d
            .get(tag::MAC_LEN)
            .and_then(|v| v.first())
            .map_or(32, |n| usize::from(*n));
        let tag_bytes = ops::mac(&k.key, alg, d.purpose(), msg, len).map_err(op_sw)?;
        Ok(Response::ok(Tlv::new(tag::MAC, tag_bytes).encode()))
    }

    fn cipher(
        &mut self,
        ctx: &mut Context<'_>,
        d: &Decoded,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let alg = d.alg()?;
        let aad = d.get(tag::AAD).unwrap_or_default();
        let data = d.need(tag::DATA)?;
        if d.row.p1 == apdu::p1::DECRYPT {
            let pt = ops::open(
                &k.key,
                alg,
                d.purpose(),
                d.need(tag::IV)?,
                aad,
                data,
                d.need(tag::MAC)?,
            )
            .map_err(op_sw)?;
            return Ok(Response::ok(Tlv::new(tag::DATA, pt.to_vec()).encode()));
        }
        let mut iv = [0u8; IV_LEN];
        self.fill(ctx, &mut iv)?;
        let s = ops::seal(&k.key, alg, d.purpose(), iv, aad, data).map_err(op_sw)?;
        let mut out = Tlv::new(tag::IV, s.iv.to_vec()).encode();
        Tlv::new(tag::DATA, s.ciphertext).encode_into(&mut out);
        Tlv::new(tag::MAC, s.tag.to_vec()).encode_into(&mut out);
        Ok(Response::ok(out))
    }

    fn authenticate(
        &mut self,
        ctx: &mut Context<'_>,
        d: &Decoded,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let key = d.key.as_ref().ok_or(sw::BAD_DATA)?;
        let ch = usize::from(ctx.channel);
        match d.row.p1 {
            apdu::p1::CARD_CHALLENGE => {
                let mut rc = [0u8; CARD_CHALLENGE_LEN];
                self.fill(ctx, &mut rc)?;
                if let Some(slot) = self.challenges.get_mut(ch) {
                    *slot = Some(Pending {
                        kind: key.kind(),
                        id: key.store_id(),
                        rc,
                        issued: ctx.now,
                    });
                }
                Ok(Response::ok(Tlv::new(tag::CHALLENGE, rc.to_vec()).encode()))
            }
            apdu::p1::SERVER_PROOF => {
                let alg = d.alg()?;
                let proof = d.need(tag::PROOF)?;
                let slot = self.challenges.get_mut(ch).ok_or(sw::NO_CHALLENGE)?;
                let pending = match slot {
                    Some(p) if p.kind == key.kind() && p.id == key.store_id() => p.clone(),
                    _ => return Err(sw::NO_CHALLENGE),
                };
                // Consumed on use: whatever the proof, this challenge is gone.
                *slot = None;
                let fresh = pending.issued <= ctx.now && ctx.now - pending.issued < CHALLENGE_TTL;
                if !fresh {
                    return Err(sw::NO_CHALLENGE);
                }
                ops::verify_server_proof(&k.key, alg, d.purpose(), &pending.rc, proof)
                    .map_err(op_sw)?;
                Ok(Response::ok(Vec::new()))
            }
            _ => {
                let alg = d.alg()?;
                let rs = d.need(tag::CHALLENGE)?;
                let proof = ops::card_proof(&k.key, alg, d.purpose(), rs).map_err(op_sw)?;
                Ok(Response::ok(Tlv::new(tag::PROOF, proof.to_vec()).encode()))
            }
        }
    }

    /// Room for one more key of `kind` (unless `id` replaces one).
    fn room_for(&self, ctx: &Context<'_>, kind: KeyKind, id: &[u8]) -> Result<(), StatusWord> {
        let existing = ctx.keys.of_kind(kind);
        let replaces = existing.iter().any(|e| e.id == id);
        let ours = existing
            .iter()
            .filter(|e| split_sub_id(&e.id, kind).is_some())
            .count();
        if !replaces && ours >= usize::from(self.max_stored) {
            return Err(sw::FULL);
        }
        Ok(())
    }

    fn store(
        &self,
        ctx: &mut Context<'_>,
        d: &Decoded,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let key = d.key.as_ref().ok_or(sw::BAD_DATA)?;
        let name = d.need(tag::STORED_NAME)?;
        let id = sub_id(&key.naf_id, KeyKind::Stored, name);
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
        d: &Decoded,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let key = d.key.as_ref().ok_or(sw::BAD_DATA)?;
        let name = d.need(tag::E2E_NAME)?;
        let id = sub_id(&key.naf_id, KeyKind::E2e, name);
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
        if let Some(slot) = self.challenges.get_mut(usize::from(ctx.channel)) {
            *slot = None;
        }
        Ok(())
    }

    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        let d = decode(cmd)?;
        match d.row.ins {
            apdu::ins::GET_INFO => return Ok(Self::get_info()),
            apdu::ins::LIST_KEYS => return Ok(self.list(ctx, &d)),
            _ => {}
        }
        let k = self.gate(ctx, &d)?;
        match d.row.ins {
            apdu::ins::MAC => Self::mac(&d, &k),
            apdu::ins::CIPHER => self.cipher(ctx, &d, &k),
            apdu::ins::AUTHENTICATE => self.authenticate(ctx, &d, &k),
            apdu::ins::STORE => self.store(ctx, &d, &k),
            apdu::ins::DERIVE_E2E => self.derive_e2e(ctx, &d, &k),
            apdu::ins::DELETE => {
                let key = d.key.as_ref().ok_or(sw::BAD_DATA)?;
                let (kind, id) = (key.kind(), key.store_id());
                ctx.keys.remove_where(|e| e.kind == kind && e.id == id);
                *ctx.dirty = true;
                Ok(Response::ok(Vec::new()))
            }
            _ => Err(sw::BAD_INS),
        }
    }

    fn save_state(&self) -> Option<toml::Table> {
        match &self.rng {
            ApiRng::Seeded { counter, .. } if *counter > 0 => {
                let mut t = toml::Table::new();
                t.insert(
                    "drbg_counter".into(),
                    toml::Value::Integer(i64::try_from(*counter).unwrap_or(i64::MAX)),
                );
                Some(t)
            }
            _ => None,
        }
    }

    fn restore_state(&mut self, state: &toml::Table) -> Result<(), String> {
        if let Some(v) = state.get("drbg_counter") {
            let n = v
                .as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or("drbg_counter: not a non-negative integer")?;
            if let ApiRng::Seeded { counter, .. } = &mut self.rng {
                *counter = n;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_ids_round_trip() {
        let id = sub_id(b"naf\x01\x00\x00\x00\x02", KeyKind::Stored, b"pw");
        assert_eq!(
            split_sub_id(&id, KeyKind::Stored),
            Some((b"naf\x01\x00\x00\x00\x02".to_vec(), b"pw".to_vec()))
        );
        assert_eq!(split_sub_id(&id, KeyKind::E2e), None);
        assert_eq!(split_sub_id(b"plain", KeyKind::Stored), None);
    }
}
