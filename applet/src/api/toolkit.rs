//! The toolkit the experimental API applets (GBA_U, AKMA, IoT) are built from: command decoding
//! against a command table (docs/api/gba-api.md §7.2), value checks, the seeded generator
//! (§7.6), MAC / authenticated-encryption / mutual-authentication commands over a base key,
//! key-store ids of sub-keys, and policy refusals as status words.
//!
//! ⚠ Experimental (vusim's own coding, no standard): see [`super`]. Each applet keeps only its
//! command table, its key addressing and what is really its own (DERIVE K_AF, IOT KEY, e2e_key).

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Command, Response, StatusWord};
use zeroize::Zeroizing;

use super::apdu::{ins, p1, sw, tag, CommandRow, KeyAddress};
use super::ops::{self, OpError, IV_LEN};
use super::policy::Refusal;
use crate::card::applet::Context;
use crate::card::keystore::KeyKind;
use crate::card::CHANNELS;
use crate::crypto::kdf::hmac_sha256;
use crate::profile::{err, Profile, ProfileError};

/// Longest purpose label (`91`).
pub const PURPOSE_MAX: usize = 64;
/// Lengths of a server challenge RS.
pub const SERVER_CHALLENGE_LEN: std::ops::RangeInclusive<usize> = 8..=64;
/// Length of the card challenge RC.
pub const CARD_CHALLENGE_LEN: usize = 16;
/// How long a card challenge stays usable, seconds of card time.
pub const CHALLENGE_TTL: u64 = 300;
/// Lengths of a stored secret's (or e2e_key's) name.
pub const NAME_LEN: std::ops::RangeInclusive<usize> = 1..=32;
/// Lengths of a secret STORE KEY accepts.
pub const SECRET_LEN: std::ops::RangeInclusive<usize> = 1..=128;
/// Default number of stored secrets an applet keeps.
pub const DEFAULT_MAX_STORED: u8 = 16;

/// A decoded command of an API applet.
pub(crate) struct Decoded {
    /// The command-table row.
    pub row: &'static CommandRow,
    /// The data objects, in order.
    pub dos: Vec<Tlv>,
    /// The announced client AID (`4F`).
    pub client: Option<Vec<u8>>,
}

impl Decoded {
    /// A data object's value.
    pub fn get(&self, t: u32) -> Option<&[u8]> {
        self.dos
            .iter()
            .find(|d| d.tag.0 == t)
            .map(|d| d.value.as_slice())
    }

    /// A data object the table made mandatory.
    pub fn need(&self, t: u32) -> Result<&[u8], StatusWord> {
        self.get(t).ok_or(sw::BAD_DATA)
    }

    /// The algorithm identifier (`90`), already checked for this command.
    pub fn alg(&self) -> Result<u8, StatusWord> {
        self.need(tag::ALG)?
            .first()
            .copied()
            .ok_or(sw::WRONG_LENGTH)
    }

    /// The purpose label (`91`, absent = empty).
    pub fn purpose(&self) -> &[u8] {
        self.get(tag::PURPOSE).unwrap_or_default()
    }

    /// The key reference (`80`: NAF_Id, AF_ID).
    pub fn key_id(&self) -> Result<&[u8], StatusWord> {
        self.need(tag::NAF_ID)
    }

    /// The sub-key the command names (one of the `sub_tags` given to [`decode`]), with its tag.
    pub fn sub_key(&self, sub_tags: &[u32]) -> Option<(u32, &[u8])> {
        sub_tags.iter().find_map(|t| self.get(*t).map(|v| (*t, v)))
    }
}

/// `Err(6700)` unless `v.len()` is in `r`.
pub(crate) fn len_in(v: &[u8], r: std::ops::RangeInclusive<usize>) -> Result<(), StatusWord> {
    if r.contains(&v.len()) {
        Ok(())
    } else {
        Err(sw::WRONG_LENGTH)
    }
}

/// The status word of an operation error.
pub(crate) fn op_sw(e: OpError) -> StatusWord {
    match e {
        OpError::Algorithm(_) => sw::BAD_ALGORITHM,
        OpError::Length { .. } | OpError::Crypto(_) => sw::WRONG_LENGTH,
        OpError::Verify => sw::VERIFY_FAILED,
    }
}

/// Policy refusal → status word.
pub(crate) fn refusal(r: Refusal) -> StatusWord {
    match r {
        Refusal::Caller => sw::CALLER_REFUSED,
        Refusal::Operation => sw::OP_REFUSED,
    }
}

/// The row of `table` for an (INS, P1) pair: `Err(6D00)` for an unknown INS, `Err(6A86)` for an
/// unknown P1.
pub fn lookup(
    table: &'static [CommandRow],
    ins: u8,
    p1: u8,
) -> Result<&'static CommandRow, StatusWord> {
    let mut any = false;
    for row in table {
        if row.ins == ins {
            any = true;
            if row.p1 == p1 {
                return Ok(row);
            }
        }
    }
    Err(if any { sw::BAD_P1P2 } else { sw::BAD_INS })
}

/// Checks one data object's value for a command: `Err(sw)` for a bad length or algorithm.
pub(crate) type ValueCheck = fn(&CommandRow, u32, &[u8]) -> Result<(), StatusWord>;

/// Decode a command against a table (docs/api/gba-api.md §7.2): class, INS, P1-P2, the BER-TLV
/// structure, which objects are present (`sub_tags`: the objects that may accompany `80` in a
/// key address, at most one of them), the key address, then each value through `value_ok`
/// (lengths, algorithm identifiers) — every input error before anything is looked up.
pub(crate) fn decode(
    cmd: &Command,
    table: &'static [CommandRow],
    sub_tags: &[u32],
    value_ok: ValueCheck,
) -> Result<Decoded, StatusWord> {
    let row = match lookup(table, cmd.ins(), cmd.p1()) {
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
    let may_sub = matches!(row.key, KeyAddress::Any | KeyAddress::SubOnly);
    let needs_data = row.key != KeyAddress::None || !row.required.is_empty();
    if needs_data && data.is_empty() {
        return Err(sw::WRONG_LENGTH);
    }
    let dos = Tlv::parse_all(data).map_err(|_| sw::BAD_DATA)?;
    let mut seen: Vec<u32> = Vec::new();
    for d in &dos {
        let tg = d.tag.0;
        let key_tag = (row.key != KeyAddress::None && tg == tag::NAF_ID)
            || (may_sub && sub_tags.contains(&tg));
        let allowed = tg == tag::CLIENT_AID
            || key_tag
            || row.required.contains(&tg)
            || row.optional.contains(&tg);
        if !allowed || seen.contains(&tg) {
            return Err(sw::BAD_DATA);
        }
        seen.push(tg);
    }
    if row.required.iter().any(|tg| !seen.contains(tg)) {
        return Err(sw::BAD_DATA);
    }
    // The key address: `80`, then at most one sub-key object (exactly one for SubOnly).
    if row.key != KeyAddress::None {
        let naf_id = dos
            .iter()
            .find(|d| d.tag.0 == tag::NAF_ID)
            .ok_or(sw::BAD_DATA)?;
        len_in(&naf_id.value, 1..=255)?;
        let subs = sub_tags.iter().filter(|s| seen.contains(s)).count();
        if subs > 1 || (row.key == KeyAddress::SubOnly && subs == 0) {
            return Err(sw::BAD_DATA);
        }
    }
    for d in &dos {
        let v = d.value.as_slice();
        match d.tag.0 {
            tag::CLIENT_AID => len_in(v, 5..=16)?,
            tag::NAF_ID => {}
            tg => value_ok(row, tg, v)?,
        }
    }
    let client = dos
        .iter()
        .find(|d| d.tag.0 == tag::CLIENT_AID)
        .map(|d| d.value.clone());
    Ok(Decoded { row, dos, client })
}

/// An algorithm identifier (`90`): one byte, an authenticated-encryption algorithm when `ae`,
/// else a MAC algorithm.
pub(crate) fn alg_ok(v: &[u8], ae: bool) -> Result<(), StatusWord> {
    let [alg] = v else {
        return Err(sw::WRONG_LENGTH);
    };
    let check = if ae {
        ops::ae_alg(*alg)
    } else {
        ops::mac_alg(*alg)
    };
    check.map(|_| ()).map_err(op_sw)
}

/// The value checks shared by the MAC, AE, authentication and storage commands.
pub(crate) fn common_value_ok(row: &CommandRow, tg: u32, v: &[u8]) -> Result<(), StatusWord> {
    match tg {
        tag::ALG => alg_ok(v, matches!(row.ins, ins::CIPHER | ins::STORE)),
        tag::PURPOSE => len_in(v, 0..=PURPOSE_MAX),
        tag::MAC_LEN => match v {
            [n] if ops::MAC_LEN_RANGE.contains(&usize::from(*n)) => Ok(()),
            _ => Err(sw::WRONG_LENGTH),
        },
        tag::MAC if row.ins == ins::MAC => len_in(v, ops::MAC_LEN_RANGE),
        tag::MAC => len_in(v, ops::AE_TAG_LEN..=ops::AE_TAG_LEN),
        tag::IV => len_in(v, IV_LEN..=IV_LEN),
        tag::CHALLENGE => len_in(v, SERVER_CHALLENGE_LEN),
        tag::PROOF => len_in(v, ops::PROOF_LEN..=ops::PROOF_LEN),
        tag::STORED_NAME | tag::E2E_NAME => len_in(v, NAME_LEN),
        tag::DATA if row.ins == ins::STORE => len_in(v, SECRET_LEN),
        tag::EXPIRES => len_in(v, 8..=8),
        _ => Ok(()),
    }
}

/// Key-store id of a sub-key (a stored secret `84`, an e2e_key `85`) of a base key:
/// `80 base_id ‖ sub_tag name`.
pub fn sub_id(base_id: &[u8], sub_tag: u32, name: &[u8]) -> Vec<u8> {
    let mut v = Tlv::new(tag::NAF_ID, base_id.to_vec()).encode();
    Tlv::new(sub_tag, name.to_vec()).encode_into(&mut v);
    v
}

/// The base id and name in a sub-key id with `sub_tag`, if it is one.
pub fn split_sub_id(id: &[u8], sub_tag: u32) -> Option<(Vec<u8>, Vec<u8>)> {
    let list = Tlv::parse_all(id).ok()?;
    match list.as_slice() {
        [a, b] if a.tag.0 == tag::NAF_ID && b.tag.0 == sub_tag => {
            Some((a.value.clone(), b.value.clone()))
        }
        _ => None,
    }
}

/// Where challenges and IVs come from (docs/api/gba-api.md §7.6).
pub(crate) enum ApiRng {
    /// The card's generator.
    Card,
    /// HMAC-SHA-256(key, counter), the counter saved with the card state.
    Seeded {
        /// Generator key.
        key: Zeroizing<[u8; 32]>,
        /// Position.
        counter: u64,
    },
}

impl ApiRng {
    /// The generator for a profile: seeded from K and `[api] seed` with `label` before the seed
    /// in the purpose (so each applet draws its own sequence), else the card's.
    pub fn for_profile(p: &Profile, file: &str, label: &[u8]) -> Result<ApiRng, ProfileError> {
        let Some(seed) = p.api.seed else {
            return Ok(ApiRng::Card);
        };
        let k = Zeroizing::new(
            hex::decode(p.auth.k.trim()).map_err(|_| err(file, "auth.k", "not hex"))?,
        );
        let purpose = [label, &seed.to_be_bytes()].concat();
        let d = ops::derive(&k, ops::Usage::Drbg, 0, &purpose)
            .map_err(|e| err(file, "api.seed", e.to_string()))?;
        Ok(ApiRng::Seeded {
            key: Zeroizing::new(*d.expose()),
            counter: 0,
        })
    }

    /// Fill `out`. A seeded generator's position is durable: a saved card never repeats a value.
    pub fn fill(&mut self, ctx: &mut Context<'_>, out: &mut [u8]) -> Result<(), StatusWord> {
        if self.fill_from(ctx.rng, out)? {
            *ctx.dirty = true;
        }
        Ok(())
    }

    /// Fill `out`, from `card` when not seeded. True when the seeded position moved (durable
    /// state changed).
    pub fn fill_from(
        &mut self,
        card: &mut dyn rand::RngCore,
        out: &mut [u8],
    ) -> Result<bool, StatusWord> {
        match self {
            ApiRng::Card => {
                card.fill_bytes(out);
                Ok(false)
            }
            ApiRng::Seeded { key, counter } => {
                for chunk in out.chunks_mut(32) {
                    *counter = counter.wrapping_add(1);
                    let block = hmac_sha256(key.as_slice(), &[&counter.to_be_bytes()])
                        .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
                    for (o, b) in chunk.iter_mut().zip(block.iter()) {
                        *o = *b;
                    }
                }
                Ok(true)
            }
        }
    }

    /// Saved position.
    pub fn save(&self) -> Option<toml::Table> {
        match self {
            ApiRng::Seeded { counter, .. } if *counter > 0 => {
                let mut tb = toml::Table::new();
                tb.insert(
                    "drbg_counter".into(),
                    toml::Value::Integer(i64::try_from(*counter).unwrap_or(i64::MAX)),
                );
                Some(tb)
            }
            _ => None,
        }
    }

    /// Restore the saved position.
    pub fn restore(&mut self, state: &toml::Table) -> Result<(), String> {
        if let Some(v) = state.get("drbg_counter") {
            let n = v
                .as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or("drbg_counter: not a non-negative integer")?;
            if let ApiRng::Seeded { counter, .. } = self {
                *counter = n;
            }
        }
        Ok(())
    }
}

/// MAC COMPUTE (P1 `00`) and MAC VERIFY (P1 `01`) with `key` as the base key.
pub(crate) fn mac(d: &Decoded, key: &[u8]) -> Result<Response, StatusWord> {
    let alg = d.alg()?;
    let msg = d.need(tag::DATA)?;
    if d.row.p1 == p1::MAC_VERIFY {
        ops::mac_verify(key, alg, d.purpose(), msg, d.need(tag::MAC)?).map_err(op_sw)?;
        return Ok(Response::ok(Vec::new()));
    }
    let len = d
        .get(tag::MAC_LEN)
        .and_then(|v| v.first())
        .map_or(32, |n| usize::from(*n));
    let tag_bytes = ops::mac(key, alg, d.purpose(), msg, len).map_err(op_sw)?;
    Ok(Response::ok(Tlv::new(tag::MAC, tag_bytes).encode()))
}

/// ENCRYPT (P1 `00`, fresh IV from `rng`) and DECRYPT (P1 `01`) with `key` as the base key.
pub(crate) fn cipher(
    rng: &mut ApiRng,
    ctx: &mut Context<'_>,
    d: &Decoded,
    key: &[u8],
) -> Result<Response, StatusWord> {
    let alg = d.alg()?;
    let aad = d.get(tag::AAD).unwrap_or_default();
    let data = d.need(tag::DATA)?;
    if d.row.p1 == p1::DECRYPT {
        let pt = ops::open(
            key,
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
    rng.fill(ctx, &mut iv)?;
    let s = ops::seal(key, alg, d.purpose(), iv, aad, data).map_err(op_sw)?;
    let mut out = Tlv::new(tag::IV, s.iv.to_vec()).encode();
    Tlv::new(tag::DATA, s.ciphertext).encode_into(&mut out);
    Tlv::new(tag::MAC, s.tag.to_vec()).encode_into(&mut out);
    Ok(Response::ok(out))
}

/// A card challenge waiting for the server's proof.
#[derive(Clone)]
struct Pending {
    kind: KeyKind,
    id: Vec<u8>,
    rc: [u8; CARD_CHALLENGE_LEN],
    issued: u64,
}

/// The card challenges outstanding, one per logical channel (transient: cleared on selection).
pub(crate) struct Challenges(Vec<Option<Pending>>);

impl Default for Challenges {
    fn default() -> Self {
        Challenges(vec![None; CHANNELS])
    }
}

impl Challenges {
    /// Forget the challenge of `channel` (a new selection, a deselection, a reset).
    pub fn clear(&mut self, channel: u8) {
        if let Some(slot) = self.0.get_mut(usize::from(channel)) {
            *slot = None;
        }
    }

    /// AUTHENTICATE (docs/api/gba-api.md §4.6) with the key `(kind, id)` whose bytes are `key`:
    /// P1 `00` the card's proof on a server challenge RS, `01` a fresh card challenge RC kept
    /// for this channel, `02` the server's proof on RC (consumed whatever the outcome).
    pub fn authenticate(
        &mut self,
        rng: &mut ApiRng,
        ctx: &mut Context<'_>,
        d: &Decoded,
        (kind, id): (KeyKind, &[u8]),
        key: &[u8],
    ) -> Result<Response, StatusWord> {
        let ch = usize::from(ctx.channel);
        match d.row.p1 {
            p1::CARD_CHALLENGE => {
                let mut rc = [0u8; CARD_CHALLENGE_LEN];
                rng.fill(ctx, &mut rc)?;
                if let Some(slot) = self.0.get_mut(ch) {
                    *slot = Some(Pending {
                        kind,
                        id: id.to_vec(),
                        rc,
                        issued: ctx.now,
                    });
                }
                Ok(Response::ok(Tlv::new(tag::CHALLENGE, rc.to_vec()).encode()))
            }
            p1::SERVER_PROOF => {
                let alg = d.alg()?;
                let proof = d.need(tag::PROOF)?;
                let slot = self.0.get_mut(ch).ok_or(sw::NO_CHALLENGE)?;
                let pending = match slot.take() {
                    Some(p) if p.kind == kind && p.id == id => p,
                    other => {
                        // A challenge for another key stays outstanding.
                        *slot = other;
                        return Err(sw::NO_CHALLENGE);
                    }
                };
                let fresh = pending.issued <= ctx.now && ctx.now - pending.issued < CHALLENGE_TTL;
                if !fresh {
                    return Err(sw::NO_CHALLENGE);
                }
                ops::verify_server_proof(key, alg, d.purpose(), &pending.rc, proof)
                    .map_err(op_sw)?;
                Ok(Response::ok(Vec::new()))
            }
            _ => {
                let alg = d.alg()?;
                let rs = d.need(tag::CHALLENGE)?;
                let proof = ops::card_proof(key, alg, d.purpose(), rs).map_err(op_sw)?;
                Ok(Response::ok(Tlv::new(tag::PROOF, proof.to_vec()).encode()))
            }
        }
    }
}

/// GET INFO of an API applet: version `C0`, algorithms `C1`, FC `C2` of its derivations.
pub(crate) fn get_info(version: [u8; 2]) -> Response {
    let mut out = Tlv::new(tag::VERSION, version.to_vec()).encode();
    Tlv::new(
        tag::ALGORITHMS,
        vec![ops::ALG_HMAC_SHA256, ops::ALG_AES128_CTR_HMAC_SHA256],
    )
    .encode_into(&mut out);
    Tlv::new(tag::FC, vec![0xFF, 0xE8]).encode_into(&mut out);
    Response::ok(out)
}

/// `DO 87` state of a key in LIST KEYS: `00` usable, `01` expired, `none` without a lifetime.
pub(crate) fn state_of(expires: Option<u64>, now: u64, none: u8) -> u8 {
    match expires {
        Some(t) if now < t => 0x00,
        Some(_) => 0x01,
        None => none,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_ids_round_trip() {
        let id = sub_id(b"naf\x01\x00\x00\x00\x02", tag::STORED_NAME, b"pw");
        assert_eq!(
            split_sub_id(&id, tag::STORED_NAME),
            Some((b"naf\x01\x00\x00\x00\x02".to_vec(), b"pw".to_vec()))
        );
        assert_eq!(split_sub_id(&id, tag::E2E_NAME), None);
        assert_eq!(split_sub_id(b"naf", tag::STORED_NAME), None);
    }
}
