//! A loadable applet as a card [`Applet`] (the Java Card 3 applet life cycle — install, select, deselect, process — and its firewall, for a sandboxed WebAssembly module; docs/applets.md §2–§3): lazy instantiation on selection, a fuel budget per call, one transaction per APDU over the persistent store, and a trap answered `6F00` with the state rolled back.

use rand::rngs::StdRng;
use rand::SeedableRng;
use vusim_apdu::{Command, Response, StatusWord};
use wasmi::{Module, Store, TypedFunc};

use super::abi::{ModuleError, FUEL_PER_CALL};
use super::host::{Abort, Apdu, Host, Lent};
use super::meta::Meta;
use super::persist::Persistent;
use crate::api::toolkit::ApiRng;
use crate::card::applet::{Applet, Context};

/// A live instance: its store (memory, globals, host state) and the entry points.
struct Live {
    store: Store<Host>,
    install: TypedFunc<(), i32>,
    select: TypedFunc<i32, i32>,
    deselect: TypedFunc<i32, ()>,
    process: TypedFunc<i32, i32>,
}

/// How a call ended.
enum Ended<R> {
    /// Returned.
    Returned(R),
    /// `throw(sw)`.
    Thrown(u16),
    /// A trap, fuel or memory exhausted, a bad pointer: the instance is gone.
    Trapped,
}

/// What a returned or thrown status word means (docs/applets.md §3).
enum Verdict {
    /// `9000` or a warning: data and state kept.
    Success(StatusWord),
    /// An error word: no data, state rolled back.
    Error(StatusWord),
}

fn verdict(sw: i64) -> Verdict {
    let Ok(v) = u16::try_from(sw) else {
        return Verdict::Error(StatusWord::TECHNICAL_PROBLEM);
    };
    let sw = StatusWord(v);
    if sw == StatusWord::SUCCESS || sw.is_warning() {
        return Verdict::Success(sw);
    }
    match sw.sw1() {
        0x6C => Verdict::Error(StatusWord::TECHNICAL_PROBLEM),
        0x64..=0x6F | 0x98 => Verdict::Error(sw),
        _ => Verdict::Error(StatusWord::TECHNICAL_PROBLEM),
    }
}

/// A loadable applet on a card.
pub struct WasmApplet {
    file: String,
    aid: Vec<u8>,
    label: String,
    module: Module,
    meta: Meta,
    params: Vec<u8>,
    /// The persistent store while no instance lives (else in the instance's host state).
    persist: Persistent,
    /// The seeded generator while no instance lives.
    api_rng: ApiRng,
    installed: bool,
    live: Option<Live>,
    /// Channels the applet is selected on (bit n: channel n).
    selected: u32,
}

impl std::fmt::Debug for WasmApplet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmApplet")
            .field("file", &self.file)
            .field("label", &self.label)
            .field("live", &self.live.is_some())
            .finish_non_exhaustive()
    }
}

impl WasmApplet {
    /// An applet of a checked module (see [`super::load`]).
    pub(crate) fn new(
        file: String,
        module: Module,
        meta: Meta,
        aid: Vec<u8>,
        label: String,
        params: Vec<u8>,
        api_rng: ApiRng,
    ) -> WasmApplet {
        WasmApplet {
            file,
            aid,
            label,
            module,
            meta,
            params,
            persist: Persistent::default(),
            api_rng,
            installed: false,
            live: None,
            selected: 0,
        }
    }

    /// The module's metadata.
    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Whether an instance is live (transient memory held).
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// The persistent store.
    pub fn persistent(&self) -> &Persistent {
        match &self.live {
            Some(l) => &l.store.data().persist,
            None => &self.persist,
        }
    }

    /// A fresh instance; its host state takes the persistent store and the generator.
    fn instantiate(&mut self, ctx: &mut Context<'_>) -> Result<(), String> {
        let mut seed = [0u8; 32];
        ctx.rng.fill_bytes(&mut seed);
        let mut host = Host::new(
            self.aid.clone(),
            self.params.clone(),
            std::mem::take(&mut self.persist),
            std::mem::replace(&mut self.api_rng, ApiRng::Card),
            StdRng::from_seed(seed),
        );
        host.now = ctx.now;
        let mut store = Store::new(super::engine(), host);
        store.limiter(|h| &mut h.limits);
        let made = (|| {
            store.set_fuel(FUEL_PER_CALL).map_err(|e| e.to_string())?;
            let instance = super::linker()
                .instantiate_and_start(&mut store, &self.module)
                .map_err(|e| e.to_string())?;
            store.data_mut().memory = instance.get_memory(&store, "memory");
            let f = |name: &str| format!("export {name:?}");
            Ok::<_, String>((
                instance
                    .get_typed_func::<(), i32>(&store, "install")
                    .map_err(|_| f("install"))?,
                instance
                    .get_typed_func::<i32, i32>(&store, "select")
                    .map_err(|_| f("select"))?,
                instance
                    .get_typed_func::<i32, ()>(&store, "deselect")
                    .map_err(|_| f("deselect"))?,
                instance
                    .get_typed_func::<i32, i32>(&store, "process")
                    .map_err(|_| f("process"))?,
            ))
        })();
        match made {
            Ok((install, select, deselect, process)) => {
                self.live = Some(Live {
                    store,
                    install,
                    select,
                    deselect,
                    process,
                });
                Ok(())
            }
            Err(e) => {
                let host = store.into_data();
                self.persist = host.persist;
                self.api_rng = host.api_rng;
                Err(e)
            }
        }
    }

    /// Drop the instance (transient memory and key handles), keeping the durable parts.
    fn drop_instance(&mut self) {
        if let Some(live) = self.live.take() {
            let host = live.store.into_data();
            self.persist = host.persist;
            self.api_rng = host.api_rng;
        }
        self.selected = 0;
    }

    /// Run one export with the card lent to the host state. The persistent store is rolled
    /// back unless `keep` accepts the result; a trap drops the instance.
    fn call<R: Copy>(
        &mut self,
        ctx: &mut Context<'_>,
        apdu: Option<Apdu>,
        run: impl FnOnce(&mut Live) -> Result<R, wasmi::Error>,
        keep: impl FnOnce(&Ended<R>) -> bool,
    ) -> Result<(Ended<R>, Vec<u8>), String> {
        if self.live.is_none() {
            self.instantiate(ctx)?;
        }
        let Some(live) = self.live.as_mut() else {
            return Err("no instance".into());
        };
        {
            let h = live.store.data_mut();
            h.lent = Some(Lent::take(ctx));
            h.now = ctx.now;
            h.apdu = apdu;
            h.response.clear();
            h.dirty = false;
            h.undo = None;
        }
        let fueled = live.store.set_fuel(FUEL_PER_CALL);
        let outcome = fueled.and_then(|()| run(live));
        let ended = match outcome {
            Ok(r) => Ended::Returned(r),
            Err(e) => match e.downcast_ref::<Abort>() {
                Some(Abort::Throw(sw)) => Ended::Thrown(*sw),
                _ => Ended::Trapped,
            },
        };
        let h = live.store.data_mut();
        if let Some(lent) = h.lent.take() {
            lent.give_back(ctx);
        }
        h.apdu = None;
        if h.dirty {
            *ctx.dirty = true;
        }
        if let Some(before) = h.undo.take() {
            if !keep(&ended) {
                h.persist = before;
            }
        }
        let response = std::mem::take(&mut h.response);
        if matches!(ended, Ended::Trapped) {
            self.drop_instance();
        }
        Ok((ended, response))
    }

    /// Install: a fresh instance runs `install()`, which must answer `9000`; the instance is
    /// then dropped (its memory is transient), the store kept.
    pub(crate) fn run_install(&mut self, ctx: &mut Context<'_>) -> Result<(), ModuleError> {
        let file = self.file.clone();
        let fail = |problem: String| ModuleError::Install { file, problem };
        self.drop_instance();
        let (ended, _) = self
            .call(
                ctx,
                None,
                |l| l.install.call(&mut l.store, ()),
                |e| matches!(e, Ended::Returned(sw) if *sw == i32::from(StatusWord::SUCCESS.0)),
            )
            .map_err(fail.clone())?;
        self.drop_instance();
        match ended {
            Ended::Returned(sw) if sw == i32::from(StatusWord::SUCCESS.0) => {
                self.installed = true;
                *ctx.dirty = true;
                Ok(())
            }
            Ended::Returned(sw) => Err(fail(format!("returned {sw:04X}, not 9000"))),
            Ended::Thrown(sw) => Err(fail(format!("threw {sw:04X}"))),
            Ended::Trapped => Err(fail("trapped (or ran out of fuel or memory)".into())),
        }
    }

    fn bit(channel: u8) -> u32 {
        1u32.checked_shl(u32::from(channel)).unwrap_or(0)
    }
}

fn accepted(e: &Ended<i32>) -> bool {
    matches!(e, Ended::Returned(sw) if matches!(verdict(i64::from(*sw)), Verdict::Success(_)))
}

impl Applet for WasmApplet {
    fn label(&self) -> &str {
        &self.label
    }

    fn aid(&self) -> &[u8] {
        &self.aid
    }

    fn select(&mut self, ctx: &mut Context<'_>) -> Result<(), StatusWord> {
        let ch = ctx.channel;
        let (ended, _) = self
            .call(
                ctx,
                None,
                |l| l.select.call(&mut l.store, i32::from(ch)),
                accepted,
            )
            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        let result = match ended {
            Ended::Returned(sw) => match verdict(i64::from(sw)) {
                Verdict::Success(_) => Ok(()),
                Verdict::Error(sw) => Err(sw),
            },
            Ended::Thrown(sw) => match verdict(i64::from(sw)) {
                Verdict::Error(sw) => Err(sw),
                Verdict::Success(_) => Err(StatusWord::TECHNICAL_PROBLEM),
            },
            Ended::Trapped => Err(StatusWord::TECHNICAL_PROBLEM),
        };
        match result {
            Ok(()) => self.selected |= Self::bit(ch),
            Err(_) if self.selected == 0 => self.drop_instance(),
            Err(_) => {}
        }
        result
    }

    fn deselect(&mut self, ctx: &mut Context<'_>) {
        let ch = ctx.channel;
        if self.live.is_some() {
            // Whatever deselect() returns, its persistent changes stand unless it trapped.
            let _ = self.call(
                ctx,
                None,
                |l| l.deselect.call(&mut l.store, i32::from(ch)),
                |e| !matches!(e, Ended::Trapped),
            );
        }
        self.selected &= !Self::bit(ch);
        if self.selected == 0 {
            self.drop_instance();
        }
    }

    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        let ch = ctx.channel;
        let (ended, data) = self
            .call(
                ctx,
                Some(Apdu::of(cmd)),
                |l| l.process.call(&mut l.store, i32::from(ch)),
                accepted,
            )
            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        if self.live.is_some() {
            self.selected |= Self::bit(ch);
        }
        match ended {
            Ended::Returned(sw) => match verdict(i64::from(sw)) {
                Verdict::Success(sw) => Ok(Response::new(data, sw)),
                Verdict::Error(sw) => Err(sw),
            },
            Ended::Thrown(sw) => match verdict(i64::from(sw)) {
                Verdict::Error(sw) => Err(sw),
                Verdict::Success(_) => Err(StatusWord::TECHNICAL_PROBLEM),
            },
            Ended::Trapped => Err(StatusWord::TECHNICAL_PROBLEM),
        }
    }

    fn install(&mut self, ctx: &mut Context<'_>) -> Result<(), String> {
        if self.installed {
            return Ok(());
        }
        self.run_install(ctx).map_err(|e| e.to_string())
    }

    fn ins_name(&self, ins: u8) -> Option<&str> {
        self.meta.ins.get(&ins).map(String::as_str)
    }

    fn save_state(&self) -> Option<toml::Table> {
        let mut t = match &self.live {
            Some(l) => l.store.data().api_rng.save(),
            None => self.api_rng.save(),
        }
        .unwrap_or_default();
        t.insert("installed".into(), toml::Value::Boolean(self.installed));
        t.insert("store".into(), toml::Value::Table(self.persistent().save()));
        Some(t)
    }

    fn restore_state(&mut self, state: &toml::Table) -> Result<(), String> {
        self.drop_instance();
        self.installed = state
            .get("installed")
            .map(|v| v.as_bool().ok_or("installed: not a boolean"))
            .transpose()?
            .unwrap_or(false);
        self.persist = match state.get("store") {
            Some(toml::Value::Table(t)) => Persistent::restore(t)?,
            Some(_) => return Err("store: not a table".into()),
            None => Persistent::default(),
        };
        self.api_rng.restore(state)
    }
}
