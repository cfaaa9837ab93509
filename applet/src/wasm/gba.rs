//! The card's key services as loadable-applet imports (docs/applets.md §4.3–§4.4): the GBA_U key service (vusim's model of the TS 31.130 GBA_U API, gated by EF_GBAUAPI, TS 31.102 Rel-18) as `gba_*` and the AKMA key service (K_AF, a study model) as `akma_*` — the same [`KeyService`] native applets use, called with the applet's registered AID; keys usable, never readable: a derived key is a handle.

use wasmi::{Caller, Linker};
use zeroize::Zeroizing;

use super::abi::{E, IMPORT_MODULE, MAX_HANDLES};
use super::host::{give, read, with_context, write, Abort, Host};
use crate::api::akma_service::Akma;
use crate::api::gba_u_service::GbaU;
use crate::api::key_service::{KeyDomain, KeyService, ServiceError};
use crate::api::ops::{self, OpError, AE_TAG_LEN, IV_LEN};
use crate::crypto::keys::DerivedKey;

type Res = Result<i32, wasmi::Error>;

fn op_code(e: &OpError) -> i32 {
    (match e {
        OpError::Verify => E::Verify,
        OpError::Algorithm(_) => E::Algorithm,
        _ => E::Length,
    }) as i32
}

fn service_code(e: &ServiceError) -> i32 {
    match e {
        ServiceError::NotGranted => E::NotGranted as i32,
        ServiceError::NoKey => E::NoKey as i32,
        ServiceError::Expired => E::Expired as i32,
        ServiceError::Full => E::Full as i32,
        ServiceError::Operation(op) => op_code(op),
    }
}

fn alg_of(alg: i32) -> u8 {
    u8::try_from(alg).unwrap_or(0xFF)
}

fn len_of(n: i32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Run a service operation on the key `id` names, for the calling applet.
fn service<D: KeyDomain, R>(
    caller: &mut Caller<'_, Host>,
    op: impl FnOnce(&mut KeyService<'_, '_, D>) -> Result<R, ServiceError>,
) -> Result<Result<R, i32>, wasmi::Error> {
    with_context(caller.data_mut(), |ctx| {
        op(&mut KeyService::<D>::for_caller(ctx)).map_err(|e| service_code(&e))
    })
    .ok_or_else(|| wasmi::Error::host(Abort::Fault("no card lent")))
}

/// IV ‖ ciphertext ‖ tag, split.
fn split_sealed(sealed: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (iv, rest) = sealed.split_at_checked(IV_LEN)?;
    let (ct, tag) = rest.split_at_checked(rest.len().checked_sub(AE_TAG_LEN)?)?;
    Some((iv, ct, tag))
}

/// Keep a derived key; its handle, or `E_FULL`.
fn keep(host: &mut Host, key: DerivedKey) -> i32 {
    let handles = &mut host.handles;
    let slot = match handles.iter().position(Option::is_none) {
        Some(i) => i,
        None if handles.len() < MAX_HANDLES => {
            handles.push(None);
            handles.len() - 1
        }
        None => return E::Full as i32,
    };
    if let Some(s) = handles.get_mut(slot) {
        *s = Some(key);
    }
    i32::try_from(slot).unwrap_or(E::Full as i32)
}

/// The key of handle `h`.
fn handle_key(caller: &Caller<'_, Host>, h: i32) -> Result<Zeroizing<Vec<u8>>, i32> {
    usize::try_from(h)
        .ok()
        .and_then(|i| caller.data().handles.get(i))
        .and_then(Option::as_ref)
        .map(|k| Zeroizing::new(k.as_bytes().to_vec()))
        .ok_or(E::Handle as i32)
}

/// Register `{prefix}key_info`, `_mac`, `_verify_mac`, `_encrypt`, `_decrypt`, `_unwrap`,
/// `_card_proof`, `_verify_server_proof` and `_derive` over key domain `D`.
#[allow(
    clippy::too_many_lines,
    reason = "one registration per import, in the document's order"
)]
fn link_domain<D: KeyDomain + 'static>(
    l: &mut Linker<Host>,
    prefix: &str,
) -> Result<(), wasmi::errors::LinkerError> {
    let m = IMPORT_MODULE;
    let n = |s: &str| format!("{prefix}{s}");
    l.func_wrap(
        m,
        &n("key_info"),
        |mut c: Caller<'_, Host>, id: i32, il: i32, rf: i32, cap: i32, exp: i32| -> Res {
            let id = read(&c, id, il)?;
            match service::<D, _>(&mut c, |s| s.key_info(&id))? {
                Ok(info) => {
                    write(&mut c, exp, &info.expires.to_le_bytes())?;
                    give(&mut c, rf, cap, &info.reference)
                }
                Err(code) => Ok(code),
            }
        },
    )?;
    l.func_wrap(
        m,
        &n("mac"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         out: i32,
         len: i32|
         -> Res {
            let (id, purpose, msg) = (read(&c, id, il)?, read(&c, p, pl)?, read(&c, msg, ml)?);
            match service::<D, _>(&mut c, |s| {
                s.mac(&id, alg_of(alg), &purpose, &msg, len_of(len))
            })? {
                Ok(tag) => {
                    write(&mut c, out, &tag)?;
                    Ok(len)
                }
                Err(code) => Ok(code),
            }
        },
    )?;
    l.func_wrap(
        m,
        &n("verify_mac"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         t: i32,
         tl: i32|
         -> Res {
            let (id, purpose, msg, tag) = (
                read(&c, id, il)?,
                read(&c, p, pl)?,
                read(&c, msg, ml)?,
                read(&c, t, tl)?,
            );
            Ok(service::<D, _>(&mut c, |s| {
                s.verify_mac(&id, alg_of(alg), &purpose, &msg, &tag)
            })?
            .map_or_else(|code| code, |()| 0))
        },
    )?;
    l.func_wrap(
        m,
        &n("encrypt"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         p: i32,
         pl: i32,
         a: i32,
         al: i32,
         pt: i32,
         ptl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let (id, purpose, aad) = (read(&c, id, il)?, read(&c, p, pl)?, read(&c, a, al)?);
            let pt = Zeroizing::new(read(&c, pt, ptl)?);
            match service::<D, _>(&mut c, |s| s.encrypt(&id, alg_of(alg), &purpose, &aad, &pt))? {
                Ok(sealed) => {
                    let bytes = [&sealed.iv[..], &sealed.ciphertext, &sealed.tag[..]].concat();
                    give(&mut c, out, cap, &bytes)
                }
                Err(code) => Ok(code),
            }
        },
    )?;
    l.func_wrap(
        m,
        &n("decrypt"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         p: i32,
         pl: i32,
         a: i32,
         al: i32,
         sd: i32,
         sl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let (id, purpose, aad, sealed) = (
                read(&c, id, il)?,
                read(&c, p, pl)?,
                read(&c, a, al)?,
                read(&c, sd, sl)?,
            );
            let Some((iv, ct, tag)) = split_sealed(&sealed) else {
                return Ok(E::Length as i32);
            };
            match service::<D, _>(&mut c, |s| {
                s.decrypt(&id, alg_of(alg), &purpose, iv, &aad, ct, tag)
            })? {
                Ok(pt) => give(&mut c, out, cap, &pt),
                Err(code) => Ok(code),
            }
        },
    )?;
    l.func_wrap(
        m,
        &n("unwrap"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         nm: i32,
         nl: i32,
         sd: i32,
         sl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let (id, name, sealed) = (read(&c, id, il)?, read(&c, nm, nl)?, read(&c, sd, sl)?);
            let Some((iv, ct, tag)) = split_sealed(&sealed) else {
                return Ok(E::Length as i32);
            };
            match service::<D, _>(&mut c, |s| {
                s.unwrap_secret(&id, alg_of(alg), &name, iv, ct, tag)
            })? {
                Ok(secret) => give(&mut c, out, cap, &secret),
                Err(code) => Ok(code),
            }
        },
    )?;
    l.func_wrap(
        m,
        &n("card_proof"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         p: i32,
         pl: i32,
         rs: i32,
         rsl: i32,
         out: i32|
         -> Res {
            let (id, purpose, rs) = (read(&c, id, il)?, read(&c, p, pl)?, read(&c, rs, rsl)?);
            match service::<D, _>(&mut c, |s| s.card_proof(&id, alg_of(alg), &purpose, &rs))? {
                Ok(proof) => {
                    write(&mut c, out, &proof)?;
                    Ok(i32::try_from(proof.len()).unwrap_or(0))
                }
                Err(code) => Ok(code),
            }
        },
    )?;
    l.func_wrap(
        m,
        &n("verify_server_proof"),
        |mut c: Caller<'_, Host>,
         id: i32,
         il: i32,
         alg: i32,
         p: i32,
         pl: i32,
         rc: i32,
         rcl: i32,
         pr: i32,
         prl: i32|
         -> Res {
            let (id, purpose, rc, proof) = (
                read(&c, id, il)?,
                read(&c, p, pl)?,
                read(&c, rc, rcl)?,
                read(&c, pr, prl)?,
            );
            Ok(service::<D, _>(&mut c, |s| {
                s.verify_server_proof(&id, alg_of(alg), &purpose, &rc, &proof)
            })?
            .map_or_else(|code| code, |()| 0))
        },
    )?;
    l.func_wrap(
        m,
        &n("derive"),
        |mut c: Caller<'_, Host>, id: i32, il: i32, lab: i32, ll: i32| -> Res {
            let (id, label) = (read(&c, id, il)?, read(&c, lab, ll)?);
            match service::<D, _>(&mut c, |s| s.derive(&id, &label))? {
                Ok(key) => Ok(keep(c.data_mut(), key)),
                Err(code) => Ok(code),
            }
        },
    )?;
    Ok(())
}

/// Register the `gba_*`, `akma_*` and `key_*` imports.
pub fn link(l: &mut Linker<Host>) -> Result<(), wasmi::errors::LinkerError> {
    link_domain::<GbaU>(l, "gba_")?;
    link_domain::<Akma>(l, "akma_")?;
    let m = IMPORT_MODULE;
    l.func_wrap(
        m,
        "key_mac",
        |mut c: Caller<'_, Host>,
         h: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         out: i32,
         len: i32|
         -> Res {
            let (purpose, msg) = (read(&c, p, pl)?, read(&c, msg, ml)?);
            let k = match handle_key(&c, h) {
                Ok(k) => k,
                Err(code) => return Ok(code),
            };
            match ops::mac(&k, alg_of(alg), &purpose, &msg, len_of(len)) {
                Ok(tag) => {
                    write(&mut c, out, &tag)?;
                    Ok(len)
                }
                Err(e) => Ok(op_code(&e)),
            }
        },
    )?;
    l.func_wrap(
        m,
        "key_verify_mac",
        |c: Caller<'_, Host>,
         h: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         t: i32,
         tl: i32|
         -> Res {
            let (purpose, msg, tag) = (read(&c, p, pl)?, read(&c, msg, ml)?, read(&c, t, tl)?);
            let k = match handle_key(&c, h) {
                Ok(k) => k,
                Err(code) => return Ok(code),
            };
            Ok(ops::mac_verify(&k, alg_of(alg), &purpose, &msg, &tag)
                .map_or_else(|e| op_code(&e), |()| 0))
        },
    )?;
    l.func_wrap(
        m,
        "key_encrypt",
        |mut c: Caller<'_, Host>,
         h: i32,
         alg: i32,
         p: i32,
         pl: i32,
         a: i32,
         al: i32,
         pt: i32,
         ptl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let (purpose, aad) = (read(&c, p, pl)?, read(&c, a, al)?);
            let pt = Zeroizing::new(read(&c, pt, ptl)?);
            let k = match handle_key(&c, h) {
                Ok(k) => k,
                Err(code) => return Ok(code),
            };
            let mut iv = [0u8; IV_LEN];
            rand::RngCore::fill_bytes(&mut c.data_mut().rng, &mut iv);
            match ops::seal(&k, alg_of(alg), &purpose, iv, &aad, &pt) {
                Ok(s) => {
                    let bytes = [&s.iv[..], &s.ciphertext, &s.tag[..]].concat();
                    give(&mut c, out, cap, &bytes)
                }
                Err(e) => Ok(op_code(&e)),
            }
        },
    )?;
    l.func_wrap(
        m,
        "key_decrypt",
        |mut c: Caller<'_, Host>,
         h: i32,
         alg: i32,
         p: i32,
         pl: i32,
         a: i32,
         al: i32,
         sd: i32,
         sl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let (purpose, aad, sealed) = (read(&c, p, pl)?, read(&c, a, al)?, read(&c, sd, sl)?);
            let k = match handle_key(&c, h) {
                Ok(k) => k,
                Err(code) => return Ok(code),
            };
            let Some((iv, ct, tag)) = split_sealed(&sealed) else {
                return Ok(E::Length as i32);
            };
            match ops::open(&k, alg_of(alg), &purpose, iv, &aad, ct, tag) {
                Ok(pt) => give(&mut c, out, cap, &pt),
                Err(e) => Ok(op_code(&e)),
            }
        },
    )?;
    l.func_wrap(m, "key_release", |mut c: Caller<'_, Host>, h: i32| -> Res {
        let slot = usize::try_from(h)
            .ok()
            .and_then(|i| c.data_mut().handles.get_mut(i))
            .filter(|s| s.is_some());
        Ok(match slot {
            Some(s) => {
                *s = None;
                0
            }
            None => E::Handle as i32,
        })
    })?;
    Ok(())
}
