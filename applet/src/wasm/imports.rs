//! The loadable-applet imports other than the key service (docs/applets.md §4.1, §4.2, §4.5, §4.6): install parameters and identity, the command APDU and the response with the ISOException analogue (Java Card's `APDU` and `ISOException`), randomness, the card clock and the persistent store.

use wasmi::{Caller, Linker};

use super::abi::{E, IMPORT_MODULE, MAX_RANDOM, MAX_RESPONSE};
use super::host::{give, read, write, Abort, Host};

type Res = Result<i32, wasmi::Error>;

/// Register every import of ABI version 1 on `l`.
pub fn link(l: &mut Linker<Host>) -> Result<(), wasmi::errors::LinkerError> {
    let m = IMPORT_MODULE;
    l.func_wrap(
        m,
        "params",
        |mut c: Caller<'_, Host>, out: i32, cap: i32| -> Res {
            let p = c.data().params.clone();
            give(&mut c, out, cap, &p)
        },
    )?;
    l.func_wrap(
        m,
        "aid",
        |mut c: Caller<'_, Host>, out: i32, cap: i32| -> Res {
            let a = c.data().aid.clone();
            give(&mut c, out, cap, &a)
        },
    )?;
    l.func_wrap(
        m,
        "apdu_header",
        |mut c: Caller<'_, Host>, out: i32| -> Res {
            let Some(h) = c.data().apdu.as_ref().map(|a| a.header) else {
                return Ok(E::State as i32);
            };
            write(&mut c, out, &h)?;
            Ok(4)
        },
    )?;
    l.func_wrap(
        m,
        "apdu_data",
        |mut c: Caller<'_, Host>, out: i32, cap: i32| -> Res {
            let Some(d) = c.data().apdu.as_ref().map(|a| a.data.clone()) else {
                return Ok(E::State as i32);
            };
            give(&mut c, out, cap, &d)
        },
    )?;
    l.func_wrap(m, "apdu_le", |c: Caller<'_, Host>| -> i32 {
        match c.data().apdu.as_ref() {
            None => E::State as i32,
            Some(a) => a.le.map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX)),
        }
    })?;
    l.func_wrap(
        m,
        "response",
        |mut c: Caller<'_, Host>, ptr: i32, len: i32| -> Res {
            let bytes = read(&c, ptr, len)?;
            let h = c.data_mut();
            if h.apdu.is_none() {
                return Ok(E::State as i32);
            }
            if h.response.len() + bytes.len() > MAX_RESPONSE {
                return Ok(E::Space as i32);
            }
            h.response.extend_from_slice(&bytes);
            Ok(0)
        },
    )?;
    l.func_wrap(
        m,
        "throw",
        |_c: Caller<'_, Host>, sw: i32| -> Result<(), wasmi::Error> {
            Err(wasmi::Error::host(Abort::Throw(
                u16::try_from(sw).unwrap_or(0),
            )))
        },
    )?;
    l.func_wrap(
        m,
        "random",
        |mut c: Caller<'_, Host>, out: i32, len: i32| -> Res {
            let n = usize::try_from(len).unwrap_or(usize::MAX);
            if n > MAX_RANDOM {
                return Ok(E::Length as i32);
            }
            let mut buf = vec![0u8; n];
            let h = c.data_mut();
            match h.api_rng.fill_from(&mut h.rng, &mut buf) {
                Ok(moved) => h.dirty |= moved,
                Err(_) => return Err(wasmi::Error::host(Abort::Fault("generator"))),
            }
            write(&mut c, out, &buf)?;
            Ok(len)
        },
    )?;
    l.func_wrap(m, "now", |c: Caller<'_, Host>| -> i64 {
        i64::try_from(c.data().now).unwrap_or(i64::MAX)
    })?;
    l.func_wrap(
        m,
        "store_get",
        |mut c: Caller<'_, Host>, k: i32, kl: i32, out: i32, cap: i32| -> Res {
            let key = read(&c, k, kl)?;
            let Some(v) = c.data().persist.get(&key).map(<[u8]>::to_vec) else {
                return Ok(E::NotFound as i32);
            };
            give(&mut c, out, cap, &v)
        },
    )?;
    l.func_wrap(
        m,
        "store_put",
        |mut c: Caller<'_, Host>, k: i32, kl: i32, v: i32, vl: i32| -> Res {
            let key = read(&c, k, kl)?;
            let value = read(&c, v, vl)?;
            let h = c.data_mut();
            Ok(match h.persist_mut().put(&key, &value) {
                Ok(()) => {
                    h.dirty = true;
                    0
                }
                Err(e) => e as i32,
            })
        },
    )?;
    l.func_wrap(
        m,
        "store_delete",
        |mut c: Caller<'_, Host>, k: i32, kl: i32| -> Res {
            let key = read(&c, k, kl)?;
            let h = c.data_mut();
            Ok(match h.persist_mut().delete(&key) {
                Ok(()) => {
                    h.dirty = true;
                    0
                }
                Err(e) => e as i32,
            })
        },
    )?;
    l.func_wrap(
        m,
        "store_key",
        |mut c: Caller<'_, Host>, index: i32, out: i32, cap: i32| -> Res {
            let key = usize::try_from(index)
                .ok()
                .and_then(|i| c.data().persist.key_at(i))
                .map(<[u8]>::to_vec);
            match key {
                Some(k) => give(&mut c, out, cap, &k),
                None => Ok(E::NotFound as i32),
            }
        },
    )?;
    super::gba::link(l)
}
