//! The declarative file table: FID, SFI, structure, size, access rules and service gate of every file (TS 102 221 §8, §9.5; TS 31.102 §4; TS 31.103 §4).
//!
//! FCPs, SFI lookup, EF.ARR contents and access checks are all derived from these rows.

/// EF structure and size (TS 102 221 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// Transparent EF of `size` bytes.
    Transparent {
        /// File size in bytes.
        size: u16,
    },
    /// Linear fixed EF: `records` records of `record_len` bytes.
    LinearFixed {
        /// Record length.
        record_len: u8,
        /// Number of records.
        records: u8,
    },
    /// Cyclic EF: `records` records of `record_len` bytes, record 1 the most recent.
    Cyclic {
        /// Record length.
        record_len: u8,
        /// Number of records.
        records: u8,
    },
    /// BER-TLV structured EF with room for `max` bytes of data objects.
    BerTlv {
        /// Reserved size in bytes.
        max: u16,
    },
}

impl Structure {
    /// Total bytes the file occupies.
    pub const fn size(self) -> usize {
        match self {
            Structure::Transparent { size } | Structure::BerTlv { max: size } => size as usize,
            Structure::LinearFixed {
                record_len,
                records,
            }
            | Structure::Cyclic {
                record_len,
                records,
            } => record_len as usize * records as usize,
        }
    }

    /// True for linear fixed and cyclic files.
    pub const fn is_record(self) -> bool {
        matches!(
            self,
            Structure::LinearFixed { .. } | Structure::Cyclic { .. }
        )
    }
}

/// Who may perform an operation (TS 102 221 §9.5, referenced by EF.ARR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Always allowed.
    Always,
    /// After PIN1, the application PIN (key reference 01), or the Universal PIN when it replaces it.
    Pin1,
    /// After PIN2, the second application PIN (key reference 81).
    Pin2,
    /// After ADM1 (key reference 0A).
    Adm,
    /// Never allowed.
    Never,
}

/// Access conditions of one EF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Access {
    /// READ BINARY / READ RECORD / SEARCH RECORD.
    pub read: Rule,
    /// UPDATE BINARY / UPDATE RECORD.
    pub update: Rule,
    /// INCREASE (cyclic files).
    pub increase: Rule,
    /// DEACTIVATE FILE.
    pub deactivate: Rule,
    /// ACTIVATE FILE.
    pub activate: Rule,
}

impl Access {
    /// Read and update as given; INCREASE as update; (de)activation by ADM.
    pub const fn rw(read: Rule, update: Rule) -> Access {
        Access {
            read,
            update,
            increase: update,
            deactivate: Rule::Adm,
            activate: Rule::Adm,
        }
    }

    /// Readable always, updatable by ADM (identities, service tables).
    pub const ALWAYS_ADM: Access = Access::rw(Rule::Always, Rule::Adm);
    /// Readable after PIN1, updatable by ADM.
    pub const PIN_ADM: Access = Access::rw(Rule::Pin1, Rule::Adm);
    /// Readable and updatable after PIN1.
    pub const PIN_PIN: Access = Access::rw(Rule::Pin1, Rule::Pin1);
    /// Readable after PIN1, updatable after PIN2 (FDN-style).
    pub const PIN_PIN2: Access = Access::rw(Rule::Pin1, Rule::Pin2);
    /// Readable always, updatable after PIN1.
    pub const ALWAYS_PIN: Access = Access::rw(Rule::Always, Rule::Pin1);
    /// Readable and updatable by ADM only (operator-managed internal files such as EF.eAKA).
    pub const ADM_ADM: Access = Access::rw(Rule::Adm, Rule::Adm);
    /// Neither readable nor updatable from outside (card-internal files).
    pub const NEVER: Access = Access::rw(Rule::Never, Rule::Never);
    /// Readable always, never updatable.
    pub const ALWAYS_NEVER: Access = Access::rw(Rule::Always, Rule::Never);
}

/// The service(s) of the application's service table (UST/IST) that make a file present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Always present.
    None,
    /// Present when this service is available.
    Service(u16),
    /// Present when all of these services are available.
    All(&'static [u16]),
    /// Present when any of these services is available.
    Any(&'static [u16]),
}

impl Gate {
    /// Whether the gate opens for a service table in which `available(n)` tells service n.
    pub fn open(self, available: impl Fn(u16) -> bool) -> bool {
        match self {
            Gate::None => true,
            Gate::Service(n) => available(n),
            Gate::All(list) => list.iter().all(|n| available(*n)),
            Gate::Any(list) => list.iter().any(|n| available(*n)),
        }
    }
}

/// Default content of an EF before the profile fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// All bytes `FF`.
    Erased,
    /// This hex for a transparent file (padded with `FF`), or for every record of a record file.
    Hex(&'static str),
    /// One hex string per record, from record 1 (missing records `FF`).
    Records(&'static [&'static str]),
}

/// One elementary file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EfSpec {
    /// Spec name, `EF.IMSI` style.
    pub name: &'static str,
    /// File identifier.
    pub fid: u16,
    /// Short file identifier (1–30), if the spec assigns one.
    pub sfi: Option<u8>,
    /// Structure and size.
    pub structure: Structure,
    /// Access conditions.
    pub access: Access,
    /// Service gate.
    pub gate: Gate,
    /// Defining clause.
    pub clause: &'static str,
    /// Default content.
    pub default: Content,
}

/// A DF or ADF with its EFs and child DFs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DfSpec {
    /// Spec name, `DF.TELECOM` / `ADF.USIM` style.
    pub name: &'static str,
    /// File identifier (`7FFF` for an ADF, which is selected by AID).
    pub fid: u16,
    /// Service gate (for DFs inside an ADF, e.g. DF.5GS).
    pub gate: Gate,
    /// Defining clause.
    pub clause: &'static str,
    /// Elementary files directly under this DF.
    pub efs: &'static [EfSpec],
    /// Child DFs.
    pub dfs: &'static [DfSpec],
}
