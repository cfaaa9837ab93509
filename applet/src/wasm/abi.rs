//! The loadable-applet ABI, version 1 (docs/applets.md; vusim's own): its version, the exports the runtime calls, the import error codes, the firewall's limits, and the install-time checks that refuse a module naming the file and the export.

use wasmi::{ExternType, Module, ValType};

use super::meta::{self, Meta};

/// The ABI version this runtime implements (`vusim_abi_version`).
pub const VERSION: i32 = 1;
/// The module every import comes from.
pub const IMPORT_MODULE: &str = "vusim";
/// Fuel per call of an export (about one unit per instruction).
pub const FUEL_PER_CALL: u64 = 10_000_000;
/// Most pages (64 KiB each) of linear memory.
pub const MAX_PAGES: usize = 4;
/// Largest module.
pub const MAX_MODULE: usize = 1 << 20;
/// Most response data `process` may append.
pub const MAX_RESPONSE: usize = 4096;
/// Most random bytes per `random` call.
pub const MAX_RANDOM: usize = 4096;
/// Most live key handles.
pub const MAX_HANDLES: usize = 8;

/// The error codes imports return (negative `i32`, docs/applets.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum E {
    /// EF_GBAUAPI does not grant the key.
    NotGranted = -1,
    /// No key for this NAF_ID.
    NoKey = -2,
    /// Key lifetime over.
    Expired = -3,
    /// A MAC, tag or proof did not verify.
    Verify = -4,
    /// Unknown or reserved algorithm.
    Algorithm = -5,
    /// Wrong length for the operation.
    Length = -6,
    /// No such entry.
    NotFound = -7,
    /// Output buffer too small.
    Space = -8,
    /// Store quota or handle table full.
    Full = -9,
    /// Not a live handle.
    Handle = -10,
    /// Not available in this call.
    State = -11,
}

/// Why a module is refused (at install or when a card file is loaded).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleError {
    /// Not a valid WebAssembly module, or too large.
    #[error("{file}: not a usable WebAssembly module: {problem}")]
    Invalid {
        /// The module file.
        file: String,
        /// What is wrong.
        problem: String,
    },
    /// A required export is missing or has another type.
    #[error("{file}: export {export:?}: expected {expected}, found {found}")]
    Export {
        /// The module file.
        file: String,
        /// The export's name.
        export: String,
        /// Its type in the ABI.
        expected: String,
        /// What the module has.
        found: String,
    },
    /// An import the runtime does not provide (or of another type).
    #[error("{file}: import {module:?}.{name:?}: {problem}")]
    Import {
        /// The module file.
        file: String,
        /// Import module.
        module: String,
        /// Import name.
        name: String,
        /// What is wrong.
        problem: String,
    },
    /// The module was built for another ABI version.
    #[error("{file}: export \"vusim_abi_version\" returned {found}; this vusim implements ABI version {VERSION}")]
    Version {
        /// The module file.
        file: String,
        /// The version it declares.
        found: i32,
    },
    /// Metadata that does not parse.
    #[error("{file}: {problem}")]
    Meta {
        /// The module file.
        file: String,
        /// What is wrong.
        problem: String,
    },
    /// `install` (or instantiation) failed.
    #[error("{file}: install: {problem}")]
    Install {
        /// The module file.
        file: String,
        /// What happened.
        problem: String,
    },
}

/// One required function export: name, parameters, results.
pub struct ExportRow {
    /// Export name.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
}

/// The exports every applet has (besides `memory`).
pub const EXPORTS: &[ExportRow] = &[
    ExportRow {
        name: "vusim_abi_version",
        params: &[],
        results: &[ValType::I32],
    },
    ExportRow {
        name: "install",
        params: &[],
        results: &[ValType::I32],
    },
    ExportRow {
        name: "select",
        params: &[ValType::I32],
        results: &[ValType::I32],
    },
    ExportRow {
        name: "deselect",
        params: &[ValType::I32],
        results: &[],
    },
    ExportRow {
        name: "process",
        params: &[ValType::I32],
        results: &[ValType::I32],
    },
];

/// One import: name, number of `i32` parameters, result.
pub struct ImportRow {
    /// Import name (module [`IMPORT_MODULE`]).
    pub name: &'static str,
    /// Number of parameters, all `i32`.
    pub params: usize,
    /// Result type.
    pub result: Option<ValType>,
}

const fn import(name: &'static str, params: usize, result: Option<ValType>) -> ImportRow {
    ImportRow {
        name,
        params,
        result,
    }
}

const I32: Option<ValType> = Some(ValType::I32);

/// Every import of ABI version 1 (docs/applets.md §4), in the order of the document.
pub const IMPORTS: &[ImportRow] = &[
    import("params", 2, I32),
    import("aid", 2, I32),
    import("apdu_header", 1, I32),
    import("apdu_data", 2, I32),
    import("apdu_le", 0, I32),
    import("response", 2, I32),
    import("throw", 1, None),
    import("gba_key_info", 5, I32),
    import("gba_mac", 9, I32),
    import("gba_verify_mac", 9, I32),
    import("gba_encrypt", 11, I32),
    import("gba_decrypt", 11, I32),
    import("gba_unwrap", 9, I32),
    import("gba_card_proof", 8, I32),
    import("gba_verify_server_proof", 9, I32),
    import("gba_derive", 4, I32),
    import("akma_key_info", 5, I32),
    import("akma_mac", 9, I32),
    import("akma_verify_mac", 9, I32),
    import("akma_encrypt", 11, I32),
    import("akma_decrypt", 11, I32),
    import("akma_unwrap", 9, I32),
    import("akma_card_proof", 8, I32),
    import("akma_verify_server_proof", 9, I32),
    import("akma_derive", 4, I32),
    import("key_mac", 8, I32),
    import("key_verify_mac", 8, I32),
    import("key_encrypt", 10, I32),
    import("key_decrypt", 10, I32),
    import("key_release", 1, I32),
    import("random", 2, I32),
    import("now", 0, Some(ValType::I64)),
    import("store_get", 4, I32),
    import("store_put", 4, I32),
    import("store_delete", 2, I32),
    import("store_key", 3, I32),
];

/// Check every import against [`IMPORTS`].
pub fn check_imports(file: &str, module: &Module) -> Result<(), ModuleError> {
    for imp in module.imports() {
        let bad = |problem: String| ModuleError::Import {
            file: file.to_string(),
            module: imp.module().to_string(),
            name: imp.name().to_string(),
            problem,
        };
        if imp.module() != IMPORT_MODULE {
            return Err(bad(format!("only module {IMPORT_MODULE:?} is provided")));
        }
        let row = IMPORTS
            .iter()
            .find(|r| r.name == imp.name())
            .ok_or_else(|| bad("no such import in ABI version 1".into()))?;
        let params = vec![ValType::I32; row.params];
        let results: Vec<ValType> = row.result.into_iter().collect();
        match imp.ty() {
            ExternType::Func(f) if f.params() == params && f.results() == results => {}
            other => {
                return Err(bad(format!(
                    "expected function {}, found {}",
                    signature(&params, &results),
                    describe(other)
                )))
            }
        }
    }
    Ok(())
}

fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| {
        v.iter()
            .map(|t| format!("{t:?}").to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => format!("function {}", signature(f.params(), f.results())),
        ExternType::Memory(_) => "a memory".into(),
        ExternType::Global(_) => "a global".into(),
        ExternType::Table(_) => "a table".into(),
    }
}

/// Check the exports against [`EXPORTS`] and the memory export.
pub fn check_exports(file: &str, module: &Module) -> Result<(), ModuleError> {
    for row in EXPORTS {
        let expected = format!("function {}", signature(row.params, row.results));
        let bad = |found: String| ModuleError::Export {
            file: file.to_string(),
            export: row.name.to_string(),
            expected: expected.clone(),
            found,
        };
        match module.get_export(row.name) {
            Some(ExternType::Func(f)) if f.params() == row.params && f.results() == row.results => {
            }
            Some(other) => return Err(bad(describe(&other))),
            None => return Err(bad("nothing (missing)".into())),
        }
    }
    match module.get_export("memory") {
        Some(ExternType::Memory(_)) => Ok(()),
        other => Err(ModuleError::Export {
            file: file.to_string(),
            export: "memory".into(),
            expected: "a memory".into(),
            found: other.map_or("nothing (missing)".into(), |t| describe(&t)),
        }),
    }
}

/// The metadata in the custom section, if the module has one.
pub fn section_meta(file: &str, module: &Module) -> Result<Option<Meta>, ModuleError> {
    module
        .custom_sections()
        .find(|s| s.name() == meta::SECTION)
        .map(|s| {
            Meta::parse(s.data()).map_err(|problem| ModuleError::Meta {
                file: file.to_string(),
                problem,
            })
        })
        .transpose()
}
