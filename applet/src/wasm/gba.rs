//! The GBA_U key service as loadable-applet imports (docs/applets.md §4.3–§4.4): vusim's model of the TS 31.130 GBA_U API, every call checked against EF_GBAUAPI (TS 31.102 Rel-18) for the applet's registered AID by the same check native applets use; keys usable, never readable — a derived key is a handle.

use wasmi::{Caller, Linker};
use zeroize::Zeroizing;

use super::abi::{E, IMPORT_MODULE, MAX_HANDLES};
use super::host::{give, read, write, Host};
use crate::api::gba_u_service::{usable_key, GbaUError};
use crate::api::ops::{self, OpError, Usage, AE_TAG_LEN, IV_LEN, PROOF_LEN};

type Res = Result<i32, wasmi::Error>;
type Key = Result<Zeroizing<Vec<u8>>, E>;

fn op_code(e: &OpError) -> E {
    match e {
        OpError::Verify => E::Verify,
        OpError::Algorithm(_) => E::Algorithm,
        _ => E::Length,
    }
}

fn service_code(e: &GbaUError) -> E {
    match e {
        GbaUError::NotGranted => E::NotGranted,
        GbaUError::NoKey => E::NoKey,
        GbaUError::Expired => E::Expired,
        GbaUError::Operation(op) => op_code(op),
    }
}

/// Ks_int_NAF of the NAF_ID at `(naf, len)`, through the service's one check.
fn naf_key(caller: &Caller<'_, Host>, naf: i32, len: i32) -> Result<Key, wasmi::Error> {
    let naf_id = read(caller, naf, len)?;
    let h = caller.data();
    let records = h.gbauapi.as_ref().map(|(d, rl)| (d.as_slice(), *rl));
    Ok(usable_key(records, &h.keys, &h.aid, &naf_id, h.now)
        .map(|(k, _)| k)
        .map_err(|e| service_code(&e)))
}

/// The key of handle `h`.
fn handle_key(caller: &Caller<'_, Host>, h: i32) -> Key {
    usize::try_from(h)
        .ok()
        .and_then(|i| caller.data().handles.get(i))
        .and_then(Option::as_ref)
        .map(|k| Zeroizing::new(k.as_bytes().to_vec()))
        .ok_or(E::Handle)
}

fn alg_of(alg: i32) -> u8 {
    u8::try_from(alg).unwrap_or(0xFF)
}

fn len_of(n: i32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// `(ptr, len)` pairs in argument order.
type Buf = (i32, i32);

fn mac(
    caller: &mut Caller<'_, Host>,
    key: Key,
    alg: i32,
    purpose: Buf,
    msg: Buf,
    out: i32,
    mac_len: i32,
) -> Res {
    let purpose = read(caller, purpose.0, purpose.1)?;
    let msg = read(caller, msg.0, msg.1)?;
    let k = match key {
        Ok(k) => k,
        Err(e) => return Ok(e as i32),
    };
    match ops::mac(&k, alg_of(alg), &purpose, &msg, len_of(mac_len)) {
        Ok(tag) => {
            write(caller, out, &tag)?;
            Ok(mac_len)
        }
        Err(e) => Ok(op_code(&e) as i32),
    }
}

fn verify_mac(
    caller: &mut Caller<'_, Host>,
    key: Key,
    alg: i32,
    purpose: Buf,
    msg: Buf,
    tag: Buf,
) -> Res {
    let purpose = read(caller, purpose.0, purpose.1)?;
    let msg = read(caller, msg.0, msg.1)?;
    let tag = read(caller, tag.0, tag.1)?;
    let k = match key {
        Ok(k) => k,
        Err(e) => return Ok(e as i32),
    };
    Ok(
        match ops::mac_verify(&k, alg_of(alg), &purpose, &msg, &tag) {
            Ok(()) => 0,
            Err(e) => op_code(&e) as i32,
        },
    )
}

#[allow(clippy::too_many_arguments, reason = "the fields of one AE message")]
fn encrypt(
    caller: &mut Caller<'_, Host>,
    key: Key,
    alg: i32,
    purpose: Buf,
    aad: Buf,
    pt: Buf,
    out: i32,
    cap: i32,
) -> Res {
    let purpose = read(caller, purpose.0, purpose.1)?;
    let aad = read(caller, aad.0, aad.1)?;
    let pt = Zeroizing::new(read(caller, pt.0, pt.1)?);
    let k = match key {
        Ok(k) => k,
        Err(e) => return Ok(e as i32),
    };
    let mut iv = [0u8; IV_LEN];
    rand::RngCore::fill_bytes(&mut caller.data_mut().rng, &mut iv);
    match ops::seal(&k, alg_of(alg), &purpose, iv, &aad, &pt) {
        Ok(s) => {
            let sealed = [&s.iv[..], &s.ciphertext, &s.tag[..]].concat();
            give(caller, out, cap, &sealed)
        }
        Err(e) => Ok(op_code(&e) as i32),
    }
}

/// IV ‖ ciphertext ‖ tag, split.
fn split_sealed(sealed: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (iv, rest) = sealed.split_at_checked(IV_LEN)?;
    let (ct, tag) = rest.split_at_checked(rest.len().checked_sub(AE_TAG_LEN)?)?;
    Some((iv, ct, tag))
}

#[allow(clippy::too_many_arguments, reason = "the fields of one AE message")]
fn decrypt(
    caller: &mut Caller<'_, Host>,
    key: Key,
    alg: i32,
    purpose: Buf,
    aad: Buf,
    sealed: Buf,
    out: i32,
    cap: i32,
) -> Res {
    let purpose = read(caller, purpose.0, purpose.1)?;
    let aad = read(caller, aad.0, aad.1)?;
    let sealed = read(caller, sealed.0, sealed.1)?;
    let k = match key {
        Ok(k) => k,
        Err(e) => return Ok(e as i32),
    };
    let Some((iv, ct, tag)) = split_sealed(&sealed) else {
        return Ok(E::Length as i32);
    };
    match ops::open(&k, alg_of(alg), &purpose, iv, &aad, ct, tag) {
        Ok(pt) => give(caller, out, cap, &pt),
        Err(e) => Ok(op_code(&e) as i32),
    }
}

fn new_handle(caller: &mut Caller<'_, Host>, key: Key, label: Buf) -> Res {
    let label = read(caller, label.0, label.1)?;
    let k = match key {
        Ok(k) => k,
        Err(e) => return Ok(e as i32),
    };
    let derived = match ops::derive(&k, Usage::Drbg, 0, &label) {
        Ok(d) => d,
        Err(e) => return Ok(op_code(&e) as i32),
    };
    let handles = &mut caller.data_mut().handles;
    let slot = match handles.iter().position(Option::is_none) {
        Some(i) => i,
        None if handles.len() < MAX_HANDLES => {
            handles.push(None);
            handles.len() - 1
        }
        None => return Ok(E::Full as i32),
    };
    if let Some(s) = handles.get_mut(slot) {
        *s = Some(derived);
    }
    Ok(i32::try_from(slot).unwrap_or(E::Full as i32))
}

/// Register the `gba_*` and `key_*` imports.
pub fn link(l: &mut Linker<Host>) -> Result<(), wasmi::errors::LinkerError> {
    let m = IMPORT_MODULE;
    l.func_wrap(
        m,
        "gba_key_info",
        |mut c: Caller<'_, Host>, naf: i32, nl: i32, bt: i32, cap: i32, exp: i32| -> Res {
            let naf_id = read(&c, naf, nl)?;
            let h = c.data();
            let records = h.gbauapi.as_ref().map(|(d, rl)| (d.as_slice(), *rl));
            match usable_key(records, &h.keys, &h.aid, &naf_id, h.now) {
                Ok((_, info)) => {
                    write(&mut c, exp, &info.expires.to_le_bytes())?;
                    give(&mut c, bt, cap, &info.b_tid)
                }
                Err(e) => Ok(service_code(&e) as i32),
            }
        },
    )?;
    l.func_wrap(
        m,
        "gba_mac",
        |mut c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         out: i32,
         len: i32|
         -> Res {
            let k = naf_key(&c, naf, nl)?;
            mac(&mut c, k, alg, (p, pl), (msg, ml), out, len)
        },
    )?;
    l.func_wrap(
        m,
        "gba_verify_mac",
        |mut c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         t: i32,
         tl: i32|
         -> Res {
            let k = naf_key(&c, naf, nl)?;
            verify_mac(&mut c, k, alg, (p, pl), (msg, ml), (t, tl))
        },
    )?;
    l.func_wrap(
        m,
        "gba_encrypt",
        |mut c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
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
            let k = naf_key(&c, naf, nl)?;
            encrypt(&mut c, k, alg, (p, pl), (a, al), (pt, ptl), out, cap)
        },
    )?;
    l.func_wrap(
        m,
        "gba_decrypt",
        |mut c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
         alg: i32,
         p: i32,
         pl: i32,
         a: i32,
         al: i32,
         s: i32,
         sl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let k = naf_key(&c, naf, nl)?;
            decrypt(&mut c, k, alg, (p, pl), (a, al), (s, sl), out, cap)
        },
    )?;
    l.func_wrap(
        m,
        "gba_unwrap",
        |mut c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
         alg: i32,
         n: i32,
         nlen: i32,
         s: i32,
         sl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let k = naf_key(&c, naf, nl)?;
            let name = read(&c, n, nlen)?;
            let sealed = read(&c, s, sl)?;
            let k = match k {
                Ok(k) => k,
                Err(e) => return Ok(e as i32),
            };
            let Some((iv, ct, tag)) = split_sealed(&sealed) else {
                return Ok(E::Length as i32);
            };
            match ops::unwrap_secret(&k, alg_of(alg), &name, iv, ct, tag) {
                Ok(secret) => give(&mut c, out, cap, &secret),
                Err(e) => Ok(op_code(&e) as i32),
            }
        },
    )?;
    l.func_wrap(
        m,
        "gba_card_proof",
        |mut c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
         alg: i32,
         p: i32,
         pl: i32,
         rs: i32,
         rsl: i32,
         out: i32|
         -> Res {
            let k = naf_key(&c, naf, nl)?;
            let purpose = read(&c, p, pl)?;
            let rs = read(&c, rs, rsl)?;
            let k = match k {
                Ok(k) => k,
                Err(e) => return Ok(e as i32),
            };
            match ops::card_proof(&k, alg_of(alg), &purpose, &rs) {
                Ok(proof) => {
                    write(&mut c, out, &proof)?;
                    Ok(i32::try_from(PROOF_LEN).unwrap_or(0))
                }
                Err(e) => Ok(op_code(&e) as i32),
            }
        },
    )?;
    l.func_wrap(
        m,
        "gba_verify_server_proof",
        |c: Caller<'_, Host>,
         naf: i32,
         nl: i32,
         alg: i32,
         p: i32,
         pl: i32,
         rc: i32,
         rcl: i32,
         pr: i32,
         prl: i32|
         -> Res {
            let k = naf_key(&c, naf, nl)?;
            let purpose = read(&c, p, pl)?;
            let rc = read(&c, rc, rcl)?;
            let proof = read(&c, pr, prl)?;
            let k = match k {
                Ok(k) => k,
                Err(e) => return Ok(e as i32),
            };
            Ok(
                match ops::verify_server_proof(&k, alg_of(alg), &purpose, &rc, &proof) {
                    Ok(()) => 0,
                    Err(e) => op_code(&e) as i32,
                },
            )
        },
    )?;
    l.func_wrap(
        m,
        "gba_derive",
        |mut c: Caller<'_, Host>, naf: i32, nl: i32, lab: i32, ll: i32| -> Res {
            let k = naf_key(&c, naf, nl)?;
            new_handle(&mut c, k, (lab, ll))
        },
    )?;
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
            let k = handle_key(&c, h);
            mac(&mut c, k, alg, (p, pl), (msg, ml), out, len)
        },
    )?;
    l.func_wrap(
        m,
        "key_verify_mac",
        |mut c: Caller<'_, Host>,
         h: i32,
         alg: i32,
         p: i32,
         pl: i32,
         msg: i32,
         ml: i32,
         t: i32,
         tl: i32|
         -> Res {
            let k = handle_key(&c, h);
            verify_mac(&mut c, k, alg, (p, pl), (msg, ml), (t, tl))
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
            let k = handle_key(&c, h);
            encrypt(&mut c, k, alg, (p, pl), (a, al), (pt, ptl), out, cap)
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
         s: i32,
         sl: i32,
         out: i32,
         cap: i32|
         -> Res {
            let k = handle_key(&c, h);
            decrypt(&mut c, k, alg, (p, pl), (a, al), (s, sl), out, cap)
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
