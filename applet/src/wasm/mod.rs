//! Loadable applets: sandboxed WebAssembly modules installed into a card at run time — the Java Card 3 applet model (install / select / deselect / process, AIDs in EF.DIR, the applet firewall, one transaction per APDU) for modules instead of CAP files. The ABI is vusim's own (version [`abi::VERSION`], docs/applets.md).
//!
//! The interpreter is [wasmi]: pure Rust (no JIT, no C toolchain in the build), deterministic
//! **fuel** metering (a runaway loop ends at the same instruction on every machine), a resource
//! limiter for the memory cap, validation of untrusted modules, lazy translation (a 64 KiB
//! module instantiates well under a millisecond) and active maintenance.
//!
//! * [`abi`]: the version, exports, error codes, limits and the install-time checks.
//! * [`meta`]: the module's metadata (default AID and label, instruction names).
//! * [`persist`]: the persistent store, saved with the card image.
//! * `host` and the imports (`imports`, `gba`): what an instance can reach — its own memory,
//!   its store, the command, the GBA_U key service checked against EF_GBAUAPI for its AID.
//! * [`applet`]: [`WasmApplet`], the module as a card [`Applet`](crate::card::applet::Applet).

pub mod abi;
pub mod applet;
mod gba;
mod host;
mod imports;
pub mod install;
pub mod meta;
pub mod persist;

use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::SeedableRng;
use wasmi::{Config, Engine, Linker, Module, Store};

pub use abi::ModuleError;
pub use applet::WasmApplet;
use host::Host;
pub use install::{install, list, loadable, InstallError, Listed, Request};
use meta::Meta;

/// The one engine (configuration: fuel metering on, lazy translation).
pub(crate) fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut c = Config::default();
        c.consume_fuel(true);
        Engine::new(&c)
    })
}

/// The imports of ABI version 1, linked once.
pub(crate) fn linker() -> &'static Linker<Host> {
    static LINKER: OnceLock<Linker<Host>> = OnceLock::new();
    LINKER.get_or_init(|| {
        let mut l = Linker::new(engine());
        // The import names are distinct constants: registering them cannot clash.
        let _ = imports::link(&mut l);
        l
    })
}

/// A module checked against the ABI: compiled, its exports and imports right, its ABI version
/// this runtime's, its metadata read.
pub struct Checked {
    /// The compiled module.
    pub module: Module,
    /// Its metadata (empty when it declares none).
    pub meta: Meta,
}

/// Check a module's bytes (`file` names it in errors): size, validity, exports, imports, ABI
/// version, metadata. Refused modules are errors naming the file and the export or import.
pub fn check(file: &str, bytes: &[u8]) -> Result<Checked, ModuleError> {
    let invalid = |problem: String| ModuleError::Invalid {
        file: file.to_string(),
        problem,
    };
    if bytes.len() > abi::MAX_MODULE {
        return Err(invalid(format!(
            "{} bytes, at most {} allowed",
            bytes.len(),
            abi::MAX_MODULE
        )));
    }
    let module = Module::new(engine(), bytes).map_err(|e| invalid(e.to_string()))?;
    abi::check_exports(file, &module)?;
    let mut store = Store::new(
        engine(),
        Host::new(
            Vec::new(),
            Vec::new(),
            persist::Persistent::default(),
            crate::api::toolkit::ApiRng::Card,
            StdRng::from_seed([0; 32]),
        ),
    );
    abi::check_imports(file, &module)?;
    store.limiter(|h| &mut h.limits);
    let install = |problem: String| ModuleError::Install {
        file: file.to_string(),
        problem,
    };
    store
        .set_fuel(abi::FUEL_PER_CALL)
        .map_err(|e| install(e.to_string()))?;
    let instance = linker()
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| install(format!("instantiation: {e}")))?;
    let version = instance
        .get_typed_func::<(), i32>(&store, "vusim_abi_version")
        .and_then(|f| f.call(&mut store, ()))
        .map_err(|e| install(format!("vusim_abi_version: {e}")))?;
    if version != abi::VERSION {
        return Err(ModuleError::Version {
            file: file.to_string(),
            found: version,
        });
    }
    let meta = match abi::section_meta(file, &module)? {
        Some(m) => m,
        None => exported_meta(file, &instance, &mut store)?,
    };
    Ok(Checked { module, meta })
}

/// Metadata from the `vusim_meta` export: a NUL-terminated text in memory.
fn exported_meta(
    file: &str,
    instance: &wasmi::Instance,
    store: &mut Store<Host>,
) -> Result<Meta, ModuleError> {
    let Ok(f) = instance.get_typed_func::<(), i32>(&*store, "vusim_meta") else {
        return Ok(Meta::default());
    };
    let bad = |problem: String| ModuleError::Meta {
        file: file.to_string(),
        problem,
    };
    let ptr = f
        .call(&mut *store, ())
        .map_err(|e| bad(format!("vusim_meta: {e}")))?;
    let start = usize::try_from(ptr).map_err(|_| bad("vusim_meta: negative address".into()))?;
    let data = instance
        .get_memory(&*store, "memory")
        .map(|m| m.data(&*store).get(start..).unwrap_or_default().to_vec())
        .unwrap_or_default();
    let text: Vec<u8> = data.into_iter().take(meta::MAX_TEXT).collect();
    if !text.contains(&0) {
        return Err(bad(format!(
            "vusim_meta: no NUL-terminated text of at most {} bytes at {start}",
            meta::MAX_TEXT
        )));
    }
    Meta::parse(&text).map_err(bad)
}
