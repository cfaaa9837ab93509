//! The USIM's subscription configuration from a profile: the authentication algorithm with its
//! secrets (MILENAGE TS 35.206, TUAK TS 35.231, the XOR test algorithm TS 34.108 §8.1.2) and the
//! SQN management policy (TS 33.102 Annex C: IND bits, Δ, age limit L).

use std::fmt;

use zeroize::Zeroizing;

use crate::crypto::aka::AkaAlgorithm;
use crate::crypto::keys::{Key128, Op, Opc, Top, Topc};
use crate::crypto::milenage::{Milenage, MilenageConstants};
use crate::crypto::tuak::{Tuak, TuakKey, TuakParams};
use crate::crypto::xor::Xor3g;
use crate::profile::{err, AuthSection, ProfileError, SqnSection};

/// The subscriber's authentication algorithm with its secrets (K, OPc/TOPc), key schedule expanded.
pub enum AuthConfig {
    /// MILENAGE (TS 35.206).
    Milenage(Box<Milenage>),
    /// TUAK (TS 35.231).
    Tuak(Box<Tuak>),
    /// The XOR test algorithm (TS 34.108 §8.1.2).
    Xor(Box<Xor3g>),
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthConfig::Milenage(_) => "AuthConfig::Milenage { .. }",
            AuthConfig::Tuak(_) => "AuthConfig::Tuak { .. }",
            AuthConfig::Xor(_) => "AuthConfig::Xor { .. }",
        })
    }
}

fn hex_key(
    file: &str,
    key: &str,
    text: &str,
    lens: &[usize],
) -> Result<Zeroizing<Vec<u8>>, ProfileError> {
    let v = Zeroizing::new(hex::decode(text.trim()).map_err(|_| err(file, key, "not hex"))?);
    if !lens.contains(&v.len()) {
        let want: Vec<String> = lens
            .iter()
            .map(|n| format!("{n} bytes ({} hex digits)", 2 * n))
            .collect();
        return Err(err(
            file,
            key,
            format!("expected {}, got {} bytes", want.join(" or "), v.len()),
        ));
    }
    Ok(v)
}

impl AuthConfig {
    /// The algorithm as the generic f1–f5* interface.
    pub fn algorithm(&self) -> &dyn AkaAlgorithm {
        match self {
            AuthConfig::Milenage(m) => m.as_ref(),
            AuthConfig::Tuak(t) => t.as_ref(),
            AuthConfig::Xor(x) => x.as_ref(),
        }
    }

    /// Build from a profile's `[auth]` section.
    pub fn from_profile(a: &AuthSection, file: &str) -> Result<AuthConfig, ProfileError> {
        if a.k.is_empty() {
            return Err(err(file, "auth.k", "missing"));
        }
        match a.algorithm.as_str() {
            "milenage" => {
                let k = Key128::from_slice(&hex_key(file, "auth.k", &a.k, &[16])?)
                    .map_err(|e| err(file, "auth.k", e.to_string()))?;
                let opc = match (&a.op, &a.opc) {
                    (Some(op), None) => {
                        let op = Op::from_slice(&hex_key(file, "auth.op", op, &[16])?)
                            .map_err(|e| err(file, "auth.op", e.to_string()))?;
                        crate::crypto::milenage::compute_opc(&k, &op)
                    }
                    (None, Some(opc)) => Opc::from_slice(&hex_key(file, "auth.opc", opc, &[16])?)
                        .map_err(|e| err(file, "auth.opc", e.to_string()))?,
                    _ => return Err(err(file, "auth.op", "give exactly one of op and opc")),
                };
                let mut consts = MilenageConstants::default();
                if let Some(r) = a.r {
                    consts.r = r;
                }
                if let Some(c) = &a.c {
                    for (i, h) in c.iter().enumerate() {
                        let key = format!("auth.c[{i}]");
                        let v = hex_key(file, &key, h, &[16])?;
                        let arr: [u8; 16] = v
                            .as_slice()
                            .try_into()
                            .map_err(|_| err(file, &key, "16 bytes"))?;
                        if let Some(slot) = consts.c.get_mut(i) {
                            *slot = arr;
                        }
                    }
                }
                Ok(AuthConfig::Milenage(Box::new(Milenage::with_constants(
                    &k, &opc, consts,
                ))))
            }
            "tuak" => {
                let k = TuakKey::from_slice(&hex_key(file, "auth.k", &a.k, &[16, 32])?)
                    .map_err(|e| err(file, "auth.k", e.to_string()))?;
                let params = TuakParams {
                    mac_bits: a.mac_bits.unwrap_or(64),
                    res_bits: a.res_bits.unwrap_or(64),
                    ck_bits: a.ck_bits.unwrap_or(128),
                    ik_bits: a.ik_bits.unwrap_or(128),
                    iterations: a.iterations.unwrap_or(1),
                };
                if params.mac_bits != 64 || params.ck_bits != 128 || params.ik_bits != 128 {
                    return Err(err(
                        file,
                        "auth.mac_bits",
                        "AKA on a USIM needs a 64-bit MAC and 128-bit CK/IK",
                    ));
                }
                let t = match (&a.op, &a.opc) {
                    (Some(top), None) => {
                        let top = Top::from_slice(&hex_key(file, "auth.op", top, &[32])?)
                            .map_err(|e| err(file, "auth.op", e.to_string()))?;
                        Tuak::from_top(k, &top, params)
                    }
                    (None, Some(topc)) => {
                        let topc = Topc::from_slice(&hex_key(file, "auth.opc", topc, &[32])?)
                            .map_err(|e| err(file, "auth.opc", e.to_string()))?;
                        Tuak::new(k, topc, params)
                    }
                    _ => {
                        return Err(err(
                            file,
                            "auth.op",
                            "give exactly one of op (TOP) and opc (TOPc)",
                        ))
                    }
                }
                .map_err(|e| err(file, "auth", e.to_string()))?;
                Ok(AuthConfig::Tuak(Box::new(t)))
            }
            "xor" => {
                let k = Key128::from_slice(&hex_key(file, "auth.k", &a.k, &[16])?)
                    .map_err(|e| err(file, "auth.k", e.to_string()))?;
                let res_len = usize::from(a.res_bits.unwrap_or(64) / 8);
                let x = Xor3g::with_res_len(&k, res_len)
                    .map_err(|e| err(file, "auth.res_bits", e.to_string()))?;
                Ok(AuthConfig::Xor(Box::new(x)))
            }
            other => Err(err(
                file,
                "auth.algorithm",
                format!("unknown algorithm {other:?} (milenage, tuak or xor)"),
            )),
        }
    }
}

/// SQN acceptance parameters (TS 33.102 Annex C.2): IND bits, Δ and L.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqnPolicy {
    /// Bits of IND in SQN.
    pub ind_bits: u8,
    /// Δ (0 = unlimited).
    pub delta: u64,
    /// L, the age limit (0 = unlimited).
    pub age_limit: u64,
}

impl SqnPolicy {
    /// From a profile's `[auth.sqn]`.
    pub fn from_profile(s: &SqnSection, file: &str) -> Result<SqnPolicy, ProfileError> {
        if s.ind_bits > 10 {
            return Err(err(
                file,
                "auth.sqn.ind_bits",
                format!("0 to 10, got {}", s.ind_bits),
            ));
        }
        Ok(SqnPolicy {
            ind_bits: s.ind_bits,
            delta: s.delta,
            age_limit: s.age_limit,
        })
    }
}

impl Default for SqnPolicy {
    fn default() -> Self {
        SqnPolicy {
            ind_bits: 5,
            delta: 1 << 28,
            age_limit: 0,
        }
    }
}
