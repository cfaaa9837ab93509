//! The AUSF, AAnF, AF and key-management-server commands of `vusim akma` (TS 33.535 §6.1–§6.2;
//! the AF operations and the KMS are vusim's experimental proposal, docs/api/akma.md): their
//! inputs as the command line gives them, the checks on them and the report of each.

use rand::RngCore;
use vusim_apdu::hexstr::{hex_any, hex_fixed};
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma as api;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::ops::{self, Secret, IV_LEN};
use vusim_crypto::keys::ct_eq;

use super::{aanf_from_k_ausf, aanf_report, ausf_report, home_av, kms_report, AfRequest};
use crate::aanf::{AanfContext, HomeAv, Subscriber};
use crate::af::{self, CardTarget, Operation};
use crate::auc::Auc;
use crate::error::{NetworkError, Result};
use crate::inputs::{self, AvInput, CardInput, NafIdInput};
use crate::report::Report;

impl AvInput<'_> {
    /// The HE AV for `--card --rand --sqn --snn`; with `fresh`, RAND is drawn from it and the
    /// AuC's next SQN taken when absent (else both are required).
    pub fn home_av(
        &self,
        fresh: Option<&mut dyn RngCore>,
    ) -> Result<(HomeAv, Subscriber, Option<Auc>)> {
        let p = self.profile()?;
        let fresh_sqn = fresh.is_some();
        let sqn = || self.sqn.map(inputs::sqn).transpose();
        let (rand, sqn) = match (self.rand, fresh) {
            (Some(r), _) => (hex_fixed("--rand", r)?, sqn()?),
            (None, Some(rng)) => {
                let mut rand = [0u8; 16];
                rng.fill_bytes(&mut rand);
                (rand, sqn()?)
            }
            (None, None) => {
                return Err(NetworkError::input(
                    "give --rand and --sqn (or --k-ausf, or --k-af)",
                ))
            }
        };
        if !fresh_sqn && sqn.is_none() {
            return Err(NetworkError::input(
                "give --sqn with --rand (the SQN of the AUTHENTICATE the card accepted)",
            ));
        }
        home_av(&p, self.card, self.rid, self.snn, rand, sqn)
    }

    /// The AAnF context for `--k-ausf`, else for `--card --rand --sqn`.
    pub fn aanf_context(&self, k_ausf: Option<&str>) -> Result<AanfContext> {
        match k_ausf {
            Some(h) => {
                let p = self.profile()?;
                aanf_from_k_ausf(&p, self.rid, hex_fixed("--k-ausf", h)?)
            }
            None => {
                let (v, sub, _) = self.home_av(None)?;
                AanfContext::new(v.k_ausf(), &sub)
            }
        }
    }
}

/// The AF's key (`vusim akma af | kms`): K_AF given (`--k-af`) or from the AAnF (`--k-ausf` or
/// `--card --rand --sqn`, and the AF_ID), or a secret delivered under it (`--key --name`).
#[derive(Debug, Clone, Copy)]
pub struct AfKeyInput<'a> {
    /// The AKA the AAnF context comes from.
    pub av: AvInput<'a>,
    /// K_AUSF (hex, 32 bytes).
    pub k_ausf: Option<&'a str>,
    /// K_AF (hex, 32 bytes).
    pub k_af: Option<&'a str>,
    /// The AF_ID.
    pub af: NafIdInput<'a>,
    /// A secret stored in the card by STORE KEY, as the base key (hex).
    pub key: Option<&'a str>,
    /// The name of the stored secret.
    pub name: Option<&'a str>,
    /// The card APDU options.
    pub card: CardInput<'a>,
}

/// A resolved AF key: the base key, the AAnF context it came from, the card's key address.
pub struct AfKey {
    /// The base key (K_AF or the stored secret).
    pub base: Secret,
    /// The AAnF context, when K_AF came from it.
    pub ctx: Option<AanfContext>,
    /// The card's key address, when the AF_ID is known.
    pub target: Option<CardTarget>,
    /// Whether the base key is a stored secret (`--key`) rather than K_AF.
    pub stored: bool,
}

impl AfKeyInput<'_> {
    /// The base key and the card target.
    pub fn resolve(&self) -> Result<AfKey> {
        let id = self.af.resolve()?;
        let (k_af, ctx) = match self.k_af {
            Some(h) => (ops::secret(hex_fixed::<32>("--k-af", h)?.to_vec()), None),
            None if self.key.is_some() && self.k_ausf.is_none() && self.av.rand.is_none() => {
                (ops::secret(Vec::new()), None)
            }
            None => {
                let ctx = self.av.aanf_context(self.k_ausf)?;
                let Some(id) = &id else {
                    return Err(NetworkError::input(
                        "give --af-fqdn (or --af-id): K_AF is per AF",
                    ));
                };
                (ops::secret(ctx.k_af(id)?.as_bytes().to_vec()), Some(ctx))
            }
        };
        let mut base = k_af;
        let mut key_dos = Vec::new();
        if let Some(id) = &id {
            key_dos.push(Tlv::new(tag::NAF_ID, id.clone()));
        }
        if let Some(secret) = self.key {
            base = ops::secret(hex_any("--key", secret)?);
            if base.is_empty() {
                return Err(NetworkError::input("--key: expected at least 1 byte"));
            }
            if let Some(n) = self.name {
                key_dos.push(Tlv::new(tag::STORED_NAME, n.as_bytes().to_vec()));
            }
        }
        let target = match id {
            Some(_) => Some(CardTarget {
                table: api::COMMANDS,
                key: key_dos,
                channel: self.card.channel,
                client: self.card.client()?,
            }),
            None => None,
        };
        Ok(AfKey {
            base,
            ctx,
            target,
            stored: self.key.is_some(),
        })
    }
}

impl AfKey {
    /// `vusim akma af`: the A-KID (when the AAnF context is known), K_AF with `reveal` (not for a
    /// stored secret), then the operation and its card APDU.
    pub fn report(&self, op: &Operation, reveal: bool) -> Result<Report> {
        let mut r = Report::new();
        if let Some(c) = &self.ctx {
            r.text("a_kid", c.a_kid.clone());
        }
        if reveal && !self.stored {
            r.hex("k_af", &self.base);
        }
        r.merge(af::run_operation(op, &self.base, self.target.as_ref())?);
        Ok(r)
    }
}

/// `vusim akma ausf`: the HE AV (a fresh RAND and the AuC's next SQN unless given; the AuC's
/// state is saved when it advanced), the RES* check, A-TID and A-KID.
pub fn ausf(
    av: &AvInput<'_>,
    res_star: Option<&str>,
    reveal: bool,
    rng: &mut dyn RngCore,
) -> Result<Report> {
    let (v, sub, auc) = av.home_av(Some(rng))?;
    if let Some(auc) = auc {
        auc.save()?;
    }
    let res = res_star.map(|h| hex_any("--res-star", h)).transpose()?;
    ausf_report(&v, &sub, res.as_deref(), reveal)
}

/// What `vusim akma aanf` serves: the AAnF context (`--k-ausf`, else `--card --rand --sqn`) and
/// optionally an AF with the K_AF expiry (`expires`, else `now + lifetime`).
#[derive(Debug, Clone, Copy)]
pub struct AanfInput<'a> {
    /// The AKA the AAnF context comes from.
    pub av: AvInput<'a>,
    /// K_AUSF (hex, 32 bytes).
    pub k_ausf: Option<&'a str>,
    /// The AF_ID.
    pub af: NafIdInput<'a>,
    /// The card APDU options.
    pub card: CardInput<'a>,
    /// K_AF expiry, seconds since 1970.
    pub expires: Option<u64>,
    /// K_AF lifetime in seconds from `now`, without `expires`.
    pub lifetime: u64,
}

/// `vusim akma aanf`: K_AKMA, A-TID, A-KID; for an AF, K_AF's expiry and the card's DERIVE
/// K_AF APDU.
pub fn aanf(a: &AanfInput<'_>, now: u64, reveal: bool) -> Result<Report> {
    let ctx = a.av.aanf_context(a.k_ausf)?;
    let af = match a.af.resolve()? {
        Some(af_id) => Some(AfRequest {
            af_id,
            expires: a.expires.unwrap_or_else(|| now.saturating_add(a.lifetime)),
            channel: a.card.channel,
            client: a.card.client()?,
        }),
        None => None,
    };
    aanf_report(&ctx, af.as_ref(), reveal)
}

/// What `vusim akma kms` delivers: an AppKey (hex; 16 random bytes when absent) wrapped under
/// K_AF as `store_as` with an IV (hex; random when absent), and the A-KID the UE presented.
#[derive(Debug, Clone, Copy)]
pub struct KmsInput<'a> {
    /// The AF's key.
    pub key: AfKeyInput<'a>,
    /// The AppKey.
    pub app_key: Option<&'a str>,
    /// The name the card stores it under.
    pub store_as: &'a str,
    /// The IV of the wrapping.
    pub iv: Option<&'a str>,
    /// The A-KID to check against the AAnF's.
    pub a_kid: Option<&'a str>,
}

/// `vusim akma kms`: the key-management server (shared bike).
pub fn kms(k: &KmsInput<'_>, reveal: bool, rng: &mut dyn RngCore) -> Result<Report> {
    if k.key.key.is_some() {
        return Err(NetworkError::input(
            "kms wraps under K_AF itself (no --key)",
        ));
    }
    let key = k.key.resolve()?;
    let mut r = Report::new();
    if let Some(c) = &key.ctx {
        r.text("a_kid", c.a_kid.clone());
        if let Some(given) = k.a_kid {
            r.check(
                "a_kid_verified",
                ct_eq(given.as_bytes(), c.a_kid.as_bytes()),
            );
        }
    } else if k.a_kid.is_some() {
        return Err(NetworkError::input(
            "--a-kid needs the AAnF context (--rand/--sqn or --k-ausf, not --k-af)",
        ));
    }
    if reveal {
        r.hex("k_af", &key.base);
    }
    let mut random16 = || {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        b
    };
    let app_key = ops::secret(match k.app_key {
        Some(h) => hex_any("--app-key", h)?,
        None => random16().to_vec(),
    });
    let iv: [u8; IV_LEN] = match k.iv {
        Some(h) => hex_fixed("--iv", h)?,
        None => random16(),
    };
    r.merge(kms_report(
        &key.base,
        k.store_as,
        &app_key,
        iv,
        key.target.as_ref(),
    )?);
    Ok(r)
}
