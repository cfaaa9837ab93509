//! The AKMA API applet (docs/api/akma.md), built from the API toolkit.
//!
//! ⚠ Experimental: see [`super`].

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Command, Response, StatusWord};
use zeroize::Zeroizing;

use super::super::apdu::{sw, tag, KeyAddress};
use super::super::ops;
use super::super::policy::{fqdn_of, Op, Policy, Rule};
use super::super::toolkit::{
    self, common_value_ok, decode, op_sw, refusal, split_sub_id, sub_id, ApiRng, Challenges,
    Decoded, DEFAULT_MAX_STORED,
};
use super::coding::{ins, kind, state, AID, COMMANDS, VERSION};
use super::{AkmaSection, DEFAULT_MAX_AF};
use crate::card::applet::{Applet, Context};
use crate::card::keystore::{KeyEntry, KeyKind};
use crate::crypto::akma as akma_kdf;
use crate::crypto::keys::Kakma;
use crate::profile::{Profile, ProfileError};

pub use super::super::toolkit::{
    CARD_CHALLENGE_LEN, CHALLENGE_TTL, NAME_LEN, PURPOSE_MAX, SECRET_LEN, SERVER_CHALLENGE_LEN,
};

/// Key-store id of a secret stored under an AF's K_AF: `80 AF_ID 84 name`.
pub fn stored_id(af_id: &[u8], name: &[u8]) -> Vec<u8> {
    sub_id(af_id, tag::STORED_NAME, name)
}

fn split_stored_id(id: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    split_sub_id(id, tag::STORED_NAME)
}

/// The key a command addresses: (kind, store id, AF_ID).
struct Address {
    kind: KeyKind,
    id: Vec<u8>,
    af_id: Vec<u8>,
}

fn address(d: &Decoded) -> Result<Address, StatusWord> {
    let af_id = d.key_id()?.to_vec();
    Ok(match d.get(tag::STORED_NAME) {
        Some(name) if d.row.key == KeyAddress::Any => Address {
            kind: KeyKind::AkmaStored,
            id: stored_id(&af_id, name),
            af_id,
        },
        _ => Address {
            kind: KeyKind::KAf,
            id: af_id.clone(),
            af_id,
        },
    })
}

/// The key a gated command may use.
struct Usable {
    key: Zeroizing<Vec<u8>>,
    reference: Vec<u8>,
    expires: Option<u64>,
}

/// The AKMA API applet.
pub struct AkmaApi {
    aid: Vec<u8>,
    policy: Policy,
    max_af: u8,
    max_stored: u8,
    rng: ApiRng,
    challenges: Challenges,
}

impl std::fmt::Debug for AkmaApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AkmaApi")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl AkmaApi {
    /// An applet with this policy, drawing randomness from the card.
    pub fn new(policy: Policy) -> AkmaApi {
        AkmaApi {
            aid: AID.to_vec(),
            policy,
            max_af: DEFAULT_MAX_AF,
            max_stored: DEFAULT_MAX_STORED,
            rng: ApiRng::Card,
            challenges: Challenges::default(),
        }
    }

    /// From a profile's `[akma]` section (and `[api] seed` for reproducible challenges/IVs).
    pub fn from_profile(p: &Profile, s: &AkmaSection, file: &str) -> Result<AkmaApi, ProfileError> {
        let mut a = AkmaApi::new(s.policy(file)?);
        a.max_af = s.max_af.unwrap_or(DEFAULT_MAX_AF);
        a.max_stored = s.max_stored.unwrap_or(DEFAULT_MAX_STORED);
        a.rng = ApiRng::for_profile(p, file, b"AKMA")?;
        Ok(a)
    }

    fn rule(&self, af_id: &[u8]) -> &Rule {
        self.policy.rule_for(fqdn_of(af_id))
    }

    /// Policy (caller, then operation), existence, lifetime.
    fn gate(&self, ctx: &Context<'_>, d: &Decoded) -> Result<(Address, Usable), StatusWord> {
        let a = address(d)?;
        let rule = self.rule(&a.af_id);
        match d.row.op {
            Some(op) => rule
                .check(op, ctx.channel, d.client.as_deref())
                .map_err(refusal)?,
            // DELETE KEY: of a stored secret needs `store`; of a K_AF, the caller only.
            None if a.kind == KeyKind::AkmaStored => rule
                .check(Op::Store, ctx.channel, d.client.as_deref())
                .map_err(refusal)?,
            None => {
                if !rule.caller_allowed(ctx.channel, d.client.as_deref()) {
                    return Err(sw::CALLER_REFUSED);
                }
            }
        }
        let entry = ctx.keys.get(a.kind, &a.id).ok_or(sw::NO_SUCH_KEY)?;
        let usable = Usable {
            key: entry.key.clone(),
            reference: entry.reference.clone(),
            expires: entry.expires,
        };
        // Deleting an expired key is fine; using one is not.
        if d.row.ins != ins::DELETE {
            match entry.expires {
                Some(tm) if ctx.now < tm => {}
                _ => return Err(sw::EXPIRED),
            }
        }
        Ok((a, usable))
    }

    fn list(&self, ctx: &Context<'_>, d: &Decoded) -> Response {
        let mut out = Vec::new();
        for e in ctx.keys.of_kind(KeyKind::KAkma) {
            let mut items = vec![
                Tlv::new(tag::KIND, vec![kind::K_AKMA]),
                Tlv::new(tag::B_TID, e.reference.clone()),
            ];
            if let Some(tm) = e.expires {
                items.push(Tlv::new(tag::EXPIRES, tm.to_be_bytes().to_vec()));
            }
            items.push(Tlv::new(
                tag::STATE,
                vec![toolkit::state_of(e.expires, ctx.now, state::UNTIL_NEXT_AKA)],
            ));
            Tlv::constructed(tag::KEY_ENTRY, &items).encode_into(&mut out);
        }
        for (k, code) in [
            (KeyKind::KAf, kind::K_AF),
            (KeyKind::AkmaStored, kind::STORED),
        ] {
            for e in ctx.keys.of_kind(k) {
                let (af_id, name) = if k == KeyKind::KAf {
                    (e.id.clone(), None)
                } else {
                    match split_stored_id(&e.id) {
                        Some((a, n)) => (a, Some(n)),
                        None => continue,
                    }
                };
                let rule = self.rule(&af_id);
                if !rule.caller_allowed(ctx.channel, d.client.as_deref()) {
                    continue;
                }
                let mut items = vec![
                    Tlv::new(tag::KIND, vec![code]),
                    Tlv::new(tag::NAF_ID, af_id),
                ];
                if let Some(n) = name {
                    items.push(Tlv::new(tag::STORED_NAME, n));
                }
                items.push(Tlv::new(tag::B_TID, e.reference.clone()));
                if let Some(tm) = e.expires {
                    items.push(Tlv::new(tag::EXPIRES, tm.to_be_bytes().to_vec()));
                }
                items.push(Tlv::new(
                    tag::STATE,
                    vec![toolkit::state_of(e.expires, ctx.now, state::NO_LIFETIME)],
                ));
                items.push(Tlv::new(tag::OPS, vec![rule.ops]));
                Tlv::constructed(tag::KEY_ENTRY, &items).encode_into(&mut out);
            }
        }
        Response::ok(out)
    }

    /// DERIVE K_AF: K_AF = KDF(K_AKMA, 0x82, AF_ID), kept with the A-KID until the expiry
    /// the ME gives (capped by K_AKMA's own).
    fn derive(&self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
        let af_id = d.key_id()?.to_vec();
        if !self
            .rule(&af_id)
            .caller_allowed(ctx.channel, d.client.as_deref())
        {
            return Err(sw::CALLER_REFUSED);
        }
        let raw: [u8; 8] = d
            .need(tag::EXPIRES)?
            .try_into()
            .map_err(|_| sw::WRONG_LENGTH)?;
        let wanted = u64::from_be_bytes(raw);
        let akma = ctx
            .keys
            .of_kind(KeyKind::KAkma)
            .first()
            .map(|e| (e.key.clone(), e.reference.clone(), e.expires))
            .ok_or(sw::NO_SUCH_KEY)?;
        let (k_akma, a_kid, akma_expires) = akma;
        if akma_expires.is_some_and(|tm| ctx.now >= tm) {
            return Err(sw::EXPIRED);
        }
        if wanted <= ctx.now {
            return Err(sw::BAD_DATA);
        }
        let expires = akma_expires.map_or(wanted, |tm| tm.min(wanted));
        let existing = ctx.keys.of_kind(KeyKind::KAf);
        if !existing.iter().any(|e| e.id == af_id) && existing.len() >= usize::from(self.max_af) {
            return Err(sw::FULL);
        }
        let k_akma = Kakma::from_slice(&k_akma).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        let k_af = akma_kdf::k_af(&k_akma, &af_id).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        ctx.keys.put(
            KeyEntry {
                kind: KeyKind::KAf,
                id: af_id,
                reference: a_kid.clone(),
                key: Zeroizing::new(k_af.as_bytes().to_vec()),
                expires: Some(expires),
                slot: 0,
                last_used: 0,
            },
            None,
        );
        *ctx.dirty = true;
        let mut out = Tlv::new(tag::B_TID, a_kid).encode();
        Tlv::new(tag::EXPIRES, expires.to_be_bytes().to_vec()).encode_into(&mut out);
        Ok(Response::ok(out))
    }

    fn store(
        &self,
        ctx: &mut Context<'_>,
        d: &Decoded,
        a: &Address,
        k: &Usable,
    ) -> Result<Response, StatusWord> {
        let name = d.need(tag::STORED_NAME)?;
        let id = stored_id(&a.af_id, name);
        let secret = ops::unwrap_secret(
            &k.key,
            d.alg()?,
            name,
            d.need(tag::IV)?,
            d.need(tag::DATA)?,
            d.need(tag::MAC)?,
        )
        .map_err(op_sw)?;
        let existing = ctx.keys.of_kind(KeyKind::AkmaStored);
        if !existing.iter().any(|e| e.id == id) && existing.len() >= usize::from(self.max_stored) {
            return Err(sw::FULL);
        }
        ctx.keys.put(
            KeyEntry {
                kind: KeyKind::AkmaStored,
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

    fn delete(ctx: &mut Context<'_>, a: &Address) -> Response {
        let (kind, id) = (a.kind, a.id.clone());
        ctx.keys.remove_where(|e| e.kind == kind && e.id == id);
        if kind == KeyKind::KAf {
            // The AF's stored secrets go with its K_AF.
            let af = a.af_id.clone();
            ctx.keys.remove_where(|e| {
                e.kind == KeyKind::AkmaStored
                    && split_stored_id(&e.id).is_some_and(|(x, _)| x == af)
            });
        }
        *ctx.dirty = true;
        Response::ok(Vec::new())
    }
}

impl Applet for AkmaApi {
    fn label(&self) -> &str {
        "AKMA-API"
    }

    fn aid(&self) -> &[u8] {
        &self.aid
    }

    fn select(&mut self, ctx: &mut Context<'_>) -> Result<(), StatusWord> {
        self.challenges.clear(ctx.channel);
        Ok(())
    }

    /// Transient state ends with the selection (a new selection, MANAGE CHANNEL close, reset).
    fn deselect(&mut self, ctx: &mut Context<'_>) {
        self.challenges.clear(ctx.channel);
    }

    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        let d = decode(cmd, COMMANDS, &[tag::STORED_NAME], common_value_ok)?;
        match d.row.ins {
            ins::GET_INFO => return Ok(toolkit::get_info(VERSION)),
            ins::LIST_KEYS => return Ok(self.list(ctx, &d)),
            ins::DERIVE_K_AF => return self.derive(ctx, &d),
            _ => {}
        }
        let (a, k) = self.gate(ctx, &d)?;
        match d.row.ins {
            ins::MAC => toolkit::mac(&d, &k.key),
            ins::CIPHER => toolkit::cipher(&mut self.rng, ctx, &d, &k.key),
            ins::AUTHENTICATE => {
                self.challenges
                    .authenticate(&mut self.rng, ctx, &d, (a.kind, &a.id), &k.key)
            }
            ins::STORE => self.store(ctx, &d, &a, &k),
            ins::DELETE => Ok(Self::delete(ctx, &a)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert_eq!(
                toolkit::lookup(COMMANDS, a.ins, a.p1).map(|r| r.name),
                Ok(a.name)
            );
            for b in COMMANDS.iter().skip(i + 1) {
                assert!(a.name != b.name && (a.ins, a.p1) != (b.ins, b.p1));
            }
            assert!(a.ins & 0xF0 != 0x60 && a.ins & 0xF0 != 0x90 && a.ins & 1 == 0);
        }
        let id = stored_id(b"af\x01\x00\x00\x00\x02", b"k");
        assert_eq!(
            split_stored_id(&id),
            Some((b"af\x01\x00\x00\x00\x02".to_vec(), b"k".to_vec()))
        );
        assert_eq!(
            hex::encode_upper(super::super::coding::apdu(0, "GET INFO", &[])),
            "8040000000"
        );
    }
}
