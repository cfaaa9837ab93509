//! The live file tree: DFs, ADFs and EFs instantiated from the file table, with their contents and life-cycle state (TS 102 221 §8.1–8.3).

use super::spec::{Content, DfSpec, EfSpec, Structure};

/// Index of a node in the tree.
pub type NodeId = usize;

/// What a node is.
#[derive(Debug, Clone)]
pub enum Kind {
    /// The MF, a DF, or an ADF (with its AID).
    Df {
        /// AID for an ADF.
        aid: Option<Vec<u8>>,
    },
    /// An elementary file and its contents (records concatenated, record 1 first).
    Ef {
        /// The table row.
        spec: &'static EfSpec,
        /// Contents.
        data: Vec<u8>,
    },
}

/// One file.
#[derive(Debug, Clone)]
pub struct Node {
    /// File identifier.
    pub fid: u16,
    /// Spec name.
    pub name: &'static str,
    /// Parent DF (`None` for the MF and for ADFs, whose parent is the MF by convention).
    pub parent: Option<NodeId>,
    /// Children in table order.
    pub children: Vec<NodeId>,
    /// DF or EF.
    pub kind: Kind,
    /// Life-cycle status: activated (`true`) or deactivated.
    pub active: bool,
    /// The application root (ADF) this file belongs to, if any.
    pub adf: Option<NodeId>,
}

impl Node {
    /// True for the MF, DFs and ADFs.
    pub fn is_df(&self) -> bool {
        matches!(self.kind, Kind::Df { .. })
    }

    /// The EF table row, for an EF.
    pub fn ef_spec(&self) -> Option<&'static EfSpec> {
        match &self.kind {
            Kind::Ef { spec, .. } => Some(spec),
            Kind::Df { .. } => None,
        }
    }

    /// The AID, for an ADF.
    pub fn aid(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Df { aid } => aid.as_deref(),
            Kind::Ef { .. } => None,
        }
    }
}

/// Why a table cannot be instantiated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A default content is not valid hex.
    #[error("{file}: default content is not hex")]
    BadHex {
        /// File name.
        file: &'static str,
    },
    /// A default content does not fit the file.
    #[error("{file}: default content of {len} bytes does not fit {what}")]
    TooLong {
        /// File name.
        file: &'static str,
        /// Content length.
        len: usize,
        /// The limit.
        what: String,
    },
}

/// Build an EF's initial contents from its table default.
pub fn default_contents(spec: &'static EfSpec) -> Result<Vec<u8>, BuildError> {
    let size = spec.structure.size();
    let mut data = vec![0xFF; size];
    let decode = |h: &str| hex::decode(h).map_err(|_| BuildError::BadHex { file: spec.name });
    match (spec.default, spec.structure) {
        (Content::Erased, _) => {}
        (Content::Hex(h), Structure::Transparent { .. } | Structure::BerTlv { .. }) => {
            let bytes = decode(h)?;
            let dst = data
                .get_mut(..bytes.len())
                .ok_or_else(|| BuildError::TooLong {
                    file: spec.name,
                    len: bytes.len(),
                    what: format!("{size} bytes"),
                })?;
            dst.copy_from_slice(&bytes);
        }
        (
            Content::Hex(h),
            Structure::LinearFixed { record_len, .. } | Structure::Cyclic { record_len, .. },
        ) => {
            let bytes = decode(h)?;
            for rec in data.chunks_mut(usize::from(record_len)) {
                let dst = rec
                    .get_mut(..bytes.len())
                    .ok_or_else(|| BuildError::TooLong {
                        file: spec.name,
                        len: bytes.len(),
                        what: format!("record length {record_len}"),
                    })?;
                dst.copy_from_slice(&bytes);
            }
        }
        (
            Content::Records(list),
            Structure::LinearFixed { record_len, .. } | Structure::Cyclic { record_len, .. },
        ) => {
            let rl = usize::from(record_len);
            for (i, h) in list.iter().enumerate() {
                let bytes = decode(h)?;
                let rec =
                    data.get_mut(i * rl..(i + 1) * rl)
                        .ok_or_else(|| BuildError::TooLong {
                            file: spec.name,
                            len: list.len(),
                            what: "the number of records".to_string(),
                        })?;
                let dst = rec
                    .get_mut(..bytes.len())
                    .ok_or_else(|| BuildError::TooLong {
                        file: spec.name,
                        len: bytes.len(),
                        what: format!("record length {record_len}"),
                    })?;
                dst.copy_from_slice(&bytes);
            }
        }
        (Content::Records(_), _) => {
            return Err(BuildError::TooLong {
                file: spec.name,
                len: 0,
                what: "a transparent file (records given)".to_string(),
            })
        }
    }
    Ok(data)
}

/// The file tree of one card.
#[derive(Debug, Clone)]
pub struct FileTree {
    nodes: Vec<Node>,
}

/// Index of the MF.
pub const MF: NodeId = 0;

impl FileTree {
    /// A tree with no file: a stand-in while the card's tree is lent elsewhere (a loadable
    /// applet's call, `crate::wasm`). Nothing should be looked up in it.
    #[cfg(feature = "wasm-applets")]
    pub(crate) fn placeholder() -> FileTree {
        FileTree { nodes: Vec::new() }
    }

    /// A tree holding the MF table. ADFs are added with [`FileTree::add_adf`].
    pub fn new(mf: &'static DfSpec) -> Result<FileTree, BuildError> {
        let mut t = FileTree { nodes: Vec::new() };
        t.nodes.push(Node {
            fid: mf.fid,
            name: mf.name,
            parent: None,
            children: Vec::new(),
            kind: Kind::Df { aid: None },
            active: true,
            adf: None,
        });
        t.add_children(MF, mf, None, &|_| true)?;
        Ok(t)
    }

    /// Add an ADF with `aid`; files whose service gate is closed for `service` are left out.
    pub fn add_adf(
        &mut self,
        spec: &'static DfSpec,
        aid: &[u8],
        service: &dyn Fn(u16) -> bool,
    ) -> Result<NodeId, BuildError> {
        let id = self.nodes.len();
        self.nodes.push(Node {
            fid: spec.fid,
            name: spec.name,
            parent: None,
            children: Vec::new(),
            kind: Kind::Df {
                aid: Some(aid.to_vec()),
            },
            active: true,
            adf: Some(id),
        });
        self.add_children(id, spec, Some(id), service)?;
        Ok(id)
    }

    fn add_children(
        &mut self,
        parent: NodeId,
        spec: &'static DfSpec,
        adf: Option<NodeId>,
        service: &dyn Fn(u16) -> bool,
    ) -> Result<(), BuildError> {
        for ef in spec.efs.iter().filter(|e| e.gate.open(service)) {
            let data = default_contents(ef)?;
            let id = self.push(parent, ef.fid, ef.name, Kind::Ef { spec: ef, data }, adf);
            let _ = id;
        }
        for df in spec.dfs.iter().filter(|d| d.gate.open(service)) {
            let id = self.push(parent, df.fid, df.name, Kind::Df { aid: None }, adf);
            self.add_children(id, df, adf, service)?;
        }
        Ok(())
    }

    fn push(
        &mut self,
        parent: NodeId,
        fid: u16,
        name: &'static str,
        kind: Kind,
        adf: Option<NodeId>,
    ) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node {
            fid,
            name,
            parent: Some(parent),
            children: Vec::new(),
            kind,
            active: true,
            adf,
        });
        if let Some(p) = self.nodes.get_mut(parent) {
            p.children.push(id);
        }
        id
    }

    /// A node.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// A node, mutably.
    pub fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        self.nodes.get_mut(id)
    }

    /// Every node with its id.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes.iter().enumerate()
    }

    /// The parent directory of a node; for an ADF, the MF.
    pub fn parent_df(&self, id: NodeId) -> Option<NodeId> {
        let n = self.node(id)?;
        match n.parent {
            Some(p) => Some(p),
            None if id == MF => None,
            None => Some(MF),
        }
    }

    /// Give back the spare capacity the tree grew while it was built (a card lives long).
    pub fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        for n in &mut self.nodes {
            n.children.shrink_to_fit();
            if let Kind::Ef { data, .. } = &mut n.kind {
                data.shrink_to_fit();
            }
        }
    }

    /// The child of `df` with `fid`.
    pub fn child(&self, df: NodeId, fid: u16) -> Option<NodeId> {
        self.node(df)?
            .children
            .iter()
            .copied()
            .find(|c| self.node(*c).is_some_and(|n| n.fid == fid))
    }

    /// The EF of `df` with short file identifier `sfi`.
    pub fn by_sfi(&self, df: NodeId, sfi: u8) -> Option<NodeId> {
        self.node(df)?.children.iter().copied().find(|c| {
            self.node(*c)
                .and_then(Node::ef_spec)
                .is_some_and(|s| s.sfi == Some(sfi))
        })
    }

    /// The ADF with this exact AID.
    pub fn adf_by_aid(&self, aid: &[u8]) -> Option<NodeId> {
        self.iter()
            .find(|(_, n)| n.aid() == Some(aid))
            .map(|(id, _)| id)
    }

    /// An EF's contents.
    pub fn data(&self, id: NodeId) -> Option<&[u8]> {
        match &self.node(id)?.kind {
            Kind::Ef { data, .. } => Some(data),
            Kind::Df { .. } => None,
        }
    }

    /// An EF's contents, mutably.
    pub fn data_mut(&mut self, id: NodeId) -> Option<&mut Vec<u8>> {
        match &mut self.node_mut(id)?.kind {
            Kind::Ef { data, .. } => Some(data),
            Kind::Df { .. } => None,
        }
    }

    /// Find a file by name (`EF.IMSI`) below `root` (depth first).
    pub fn find_by_name(&self, root: NodeId, name: &str) -> Option<NodeId> {
        let n = self.node(root)?;
        if n.name.eq_ignore_ascii_case(name) {
            return Some(root);
        }
        n.children.iter().find_map(|c| self.find_by_name(*c, name))
    }

    /// The path of FIDs from the MF (exclusive) to `id`, `7FFF` standing for an ADF.
    pub fn path(&self, id: NodeId) -> Vec<u16> {
        let mut v = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            if c == MF {
                break;
            }
            if let Some(n) = self.node(c) {
                v.push(n.fid);
            }
            cur = self.parent_df(c);
        }
        v.reverse();
        v
    }

    /// Check the tree's structural invariants: every EF's contents have the size its structure
    /// says, parent/child links agree, no duplicate FID or SFI under one DF.
    pub fn check_consistency(&self) -> Result<(), String> {
        for (id, n) in self.iter() {
            if let Kind::Ef { spec, data } = &n.kind {
                if data.len() != spec.structure.size() {
                    return Err(format!(
                        "{}: {} bytes, structure says {}",
                        n.name,
                        data.len(),
                        spec.structure.size()
                    ));
                }
            }
            for c in &n.children {
                let child = self
                    .node(*c)
                    .ok_or_else(|| format!("{}: dangling child", n.name))?;
                if child.parent != Some(id) {
                    return Err(format!("{}: parent link broken", child.name));
                }
            }
            let mut fids: Vec<u16> = n
                .children
                .iter()
                .filter_map(|c| self.node(*c))
                .map(|c| c.fid)
                .collect();
            fids.sort_unstable();
            if fids.windows(2).any(|w| w.first() == w.get(1)) {
                return Err(format!("{}: duplicate FID", n.name));
            }
            let mut sfis: Vec<u8> = n
                .children
                .iter()
                .filter_map(|c| self.node(*c).and_then(Node::ef_spec).and_then(|s| s.sfi))
                .collect();
            sfis.sort_unstable();
            if sfis.windows(2).any(|w| w.first() == w.get(1)) {
                return Err(format!("{}: duplicate SFI", n.name));
            }
        }
        Ok(())
    }
}
