//! The host side of one loadable-applet instance: the state its imports see (the Java Card firewall's context of one applet: its own memory, its own store, the command it is processing) and the checked access to its linear memory.

use rand::rngs::StdRng;
use vusim_apdu::Command;
use wasmi::{Caller, Extern, StoreLimits};

use super::persist::Persistent;
use crate::api::toolkit::ApiRng;
use crate::card::applet::Context;
use crate::card::keystore::KeyStore;
use crate::card::security::Security;
use crate::crypto::keys::DerivedKey;
use crate::fs::tree::{FileTree, NodeId};

/// What the runtime lends an instance for one call: the parts of its [`Context`] the card's
/// services need (moved in, moved back after the call).
pub struct Lent {
    /// The file system (EF_GBAUAPI is read by the services).
    pub fs: FileTree,
    /// PINs and security status.
    pub security: Security,
    /// The card's key store.
    pub keys: KeyStore,
    /// The applet's ADF (none for a loadable applet).
    pub adf: Option<NodeId>,
    /// The channel of the call.
    pub channel: u8,
    /// Card clock.
    pub now: u64,
    /// Set when a service changed durable card state (a K_AF kept).
    pub dirty: bool,
}

impl Lent {
    /// Borrow the card's parts out of `ctx`, leaving stand-ins.
    pub fn take(ctx: &mut Context<'_>) -> Lent {
        Lent {
            fs: std::mem::replace(ctx.fs, FileTree::placeholder()),
            security: std::mem::take(ctx.security),
            keys: std::mem::take(ctx.keys),
            adf: ctx.adf,
            channel: ctx.channel,
            now: ctx.now,
            dirty: false,
        }
    }

    /// Give the parts back to `ctx`.
    pub fn give_back(self, ctx: &mut Context<'_>) {
        *ctx.fs = self.fs;
        *ctx.security = self.security;
        *ctx.keys = self.keys;
        if self.dirty {
            *ctx.dirty = true;
        }
    }
}

/// Why a call ended without returning (a host error inside wasmi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    /// `throw(sw)`: the ISOException analogue.
    Throw(u16),
    /// The applet broke the ABI (a bad pointer or length): a trap.
    Fault(&'static str),
}

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Abort::Throw(sw) => write!(f, "throw {sw:04X}"),
            Abort::Fault(what) => write!(f, "{what}"),
        }
    }
}

impl wasmi::errors::HostError for Abort {}

/// The command being processed.
#[derive(Debug, Clone)]
pub struct Apdu {
    /// CLA INS P1 P2.
    pub header: [u8; 4],
    /// Command data.
    pub data: Vec<u8>,
    /// Ne, if the command has an Le field.
    pub le: Option<usize>,
}

impl Apdu {
    /// The parts of a parsed command.
    pub fn of(cmd: &Command) -> Apdu {
        Apdu {
            header: [cmd.cla().0, cmd.ins(), cmd.p1(), cmd.p2()],
            data: cmd.data().to_vec(),
            le: cmd.le(),
        }
    }
}

/// What one instance's imports work on.
pub struct Host {
    /// The registered AID (the caller identity of the services).
    pub aid: Vec<u8>,
    /// Install parameters.
    pub params: Vec<u8>,
    /// The persistent store (moved here while the instance lives).
    pub persist: Persistent,
    /// The applet's generator (seeded by `[api] seed`, else the card's via `rng`).
    pub api_rng: ApiRng,
    /// This instance's generator, seeded from the card's at instantiation.
    pub rng: StdRng,
    /// The command, during `process`.
    pub apdu: Option<Apdu>,
    /// Response data appended so far.
    pub response: Vec<u8>,
    /// The card's parts, lent for one call.
    pub lent: Option<Lent>,
    /// Card clock for this call.
    pub now: u64,
    /// Derived keys by handle (transient).
    pub handles: Vec<Option<DerivedKey>>,
    /// Durable state changed in this call (the store, the seeded generator's position).
    pub dirty: bool,
    /// Memory cap.
    pub limits: StoreLimits,
    /// The instance's exported memory (set once it is instantiated).
    pub memory: Option<wasmi::Memory>,
    /// The persistent store as it was before the call's first change (the transaction's undo).
    pub undo: Option<Persistent>,
}

impl Host {
    /// The host state of a fresh instance: no command, nothing lent, memory capped at
    /// [`MAX_PAGES`](super::abi::MAX_PAGES).
    pub fn new(
        aid: Vec<u8>,
        params: Vec<u8>,
        persist: Persistent,
        api_rng: ApiRng,
        rng: StdRng,
    ) -> Host {
        Host {
            aid,
            params,
            persist,
            api_rng,
            rng,
            apdu: None,
            response: Vec::new(),
            lent: None,
            now: 0,
            handles: Vec::new(),
            dirty: false,
            limits: wasmi::StoreLimitsBuilder::new()
                .memory_size(super::abi::MAX_PAGES * 0x1_0000)
                .memories(1)
                .tables(4)
                .instances(1)
                .build(),
            memory: None,
            undo: None,
        }
    }

    /// The persistent store, for a change: its state before the call is kept for a rollback.
    pub fn persist_mut(&mut self) -> &mut Persistent {
        if self.undo.is_none() {
            self.undo = Some(self.persist.clone());
        }
        &mut self.persist
    }
}

/// Run `f` with the [`Context`] the lent parts make up (the caller is the registered AID);
/// `None` outside a call.
pub fn with_context<R>(host: &mut Host, f: impl FnOnce(&mut Context<'_>) -> R) -> Option<R> {
    let Host { lent, rng, aid, .. } = host;
    let l = lent.as_mut()?;
    let mut ctx = Context {
        fs: &mut l.fs,
        security: &mut l.security,
        adf: l.adf,
        channel: l.channel,
        rng,
        dirty: &mut l.dirty,
        keys: &mut l.keys,
        now: l.now,
        aid,
    };
    Some(f(&mut ctx))
}

/// A pointer/length pair from the applet, as a range of its memory.
fn range(ptr: i32, len: i32) -> Result<std::ops::Range<usize>, wasmi::Error> {
    let start =
        u32::try_from(ptr).map_err(|_| wasmi::Error::host(Abort::Fault("negative pointer")))?;
    let len =
        u32::try_from(len).map_err(|_| wasmi::Error::host(Abort::Fault("negative length")))?;
    let start = usize::try_from(start).map_err(|_| wasmi::Error::host(Abort::Fault("pointer")))?;
    let len = usize::try_from(len).map_err(|_| wasmi::Error::host(Abort::Fault("length")))?;
    Ok(start..start.saturating_add(len))
}

fn memory(caller: &Caller<'_, Host>) -> Result<wasmi::Memory, wasmi::Error> {
    if let Some(m) = caller.data().memory {
        return Ok(m);
    }
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| wasmi::Error::host(Abort::Fault("no exported memory")))
}

/// Copy `len` bytes at `ptr` out of the applet's memory (outside it: a trap).
pub fn read(caller: &Caller<'_, Host>, ptr: i32, len: i32) -> Result<Vec<u8>, wasmi::Error> {
    let r = range(ptr, len)?;
    memory(caller)?
        .data(caller)
        .get(r)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| wasmi::Error::host(Abort::Fault("read outside the applet's memory")))
}

/// Write `bytes` at `ptr` in the applet's memory (outside it: a trap).
pub fn write(caller: &mut Caller<'_, Host>, ptr: i32, bytes: &[u8]) -> Result<(), wasmi::Error> {
    let len = i32::try_from(bytes.len()).map_err(|_| wasmi::Error::host(Abort::Fault("length")))?;
    let r = range(ptr, len)?;
    memory(caller)?
        .data_mut(caller)
        .get_mut(r)
        .ok_or_else(|| wasmi::Error::host(Abort::Fault("write outside the applet's memory")))?
        .copy_from_slice(bytes);
    Ok(())
}

/// Write `bytes` into the buffer `(out, cap)` and return their length, or [`E::Space`]
/// (nothing written) when they do not fit. The whole buffer must lie in memory.
///
/// [`E::Space`]: super::abi::E::Space
pub fn give(
    caller: &mut Caller<'_, Host>,
    out: i32,
    cap: i32,
    bytes: &[u8],
) -> Result<i32, wasmi::Error> {
    range(out, cap)?;
    let n = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    if n > cap {
        return Ok(super::abi::E::Space as i32);
    }
    write(caller, out, bytes)?;
    Ok(n)
}
