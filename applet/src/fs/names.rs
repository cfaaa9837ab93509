//! File names for the annotator, from the file tables (TS 102 221 §8.4.1 DF context): the one
//! source of file names for traces, `vusim decode`, `send`, `run` and the shell.

use vusim_apdu::annotate::{FileName, FileNames};

use super::spec::DfSpec;
use super::tables::{ADF_ISIM, ADF_USIM, MF};

/// The applications whose tables this crate holds: AID prefix (RID and application code,
/// ETSI TS 101 220 Annex E) and ADF table.
const APPLICATIONS: [(&[u8], &DfSpec); 2] = [
    (&[0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02], &ADF_USIM),
    (&[0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04], &ADF_ISIM),
];

/// The embedded file tables as a [`FileNames`] lookup.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableNames;

/// The one lookup the binary's annotators share.
pub static TABLE_NAMES: TableNames = TableNames;

fn application(aid: Option<&[u8]>) -> Option<&'static DfSpec> {
    let aid = aid?;
    APPLICATIONS
        .iter()
        .find(|(prefix, _)| aid.len() >= prefix.len() && aid.starts_with(prefix))
        .map(|(_, adf)| *adf)
}

/// The DF at `path` below `root`.
fn df_at(root: &'static DfSpec, path: &[u16]) -> Option<&'static DfSpec> {
    path.iter()
        .try_fold(root, |df, fid| df.dfs.iter().find(|d| d.fid == *fid))
}

fn child_of(df: &'static DfSpec, fid: u16) -> Option<FileName<'static>> {
    if let Some(ef) = df.efs.iter().find(|e| e.fid == fid) {
        return Some(FileName {
            name: ef.name,
            is_df: false,
        });
    }
    df.dfs.iter().find(|d| d.fid == fid).map(|d| FileName {
        name: d.name,
        is_df: true,
    })
}

/// Depth first: the DF's own files, then each child DF's.
fn search(df: &'static DfSpec, fid: u16) -> Option<FileName<'static>> {
    child_of(df, fid).or_else(|| df.dfs.iter().find_map(|d| search(d, fid)))
}

impl FileNames for TableNames {
    fn child(&self, adf: Option<&[u8]>, df: &[u16], fid: u16) -> Option<FileName<'_>> {
        match df.split_first() {
            None if fid == 0x7FFF => application(adf).map(|a| FileName {
                name: a.name,
                is_df: true,
            }),
            Some((0x7FFF, rest)) => child_of(df_at(application(adf)?, rest)?, fid),
            _ => child_of(df_at(&MF, df)?, fid),
        }
    }

    fn anywhere(&self, fid: u16) -> Option<FileName<'_>> {
        search(&MF, fid)
            .or_else(|| search(&ADF_USIM, fid))
            .or_else(|| search(&ADF_ISIM, fid))
    }
}
