//! The file tables of TS 102 221 §13 (MF), TS 51.011 §10 (DF.GSM, DF.TELECOM with DF.PHONEBOOK,
//! DF.GRAPHICS, DF.MULTIMEDIA, DF.MCS, DF.V2X), TS 31.102 Rel-18 §4 (ADF.USIM and its DFs) and
//! TS 31.103 §4 (ADF.ISIM): one data module per spec area.
//!
//! One row per EF: spec name, FID, SFI exactly as the spec assigns it (`None` where it assigns
//! none), structure and size, access rule, service gate, defining clause and the default content
//! of the embedded test card: PLMN 001/01, IMSI 001010123456789, IMS domain
//! `ims.mnc001.mcc001.3gppnetwork.org`. Sizes are the spec's where it fixes one and typical
//! real-card (SAIP template) sizes otherwise. EF.ARR and EF.DIR stay erased: the runtime writes
//! them from the access rules and the applet registry. `vectors/file_ids.json` is the reference
//! the rows are checked against (`applet/tests/file_table.rs`): FID, SFI, structure, size rule,
//! service gate and clause of every file.
//!
//! The rows written on one line (`ef!`) came with issue 17, from osmocom pySim's file model and
//! the spec text: their FIDs, SFIs, structures and gates follow pySim and the clauses read;
//! their access conditions follow each clause family (READ PIN and UPDATE ADM for operator
//! data, UPDATE PIN for user data, PIN2 for FDN/BDN-type files) and were not each checked
//! against the clause's table. Files whose FIDs EF.PBR assigns (ADN, IAP, … in DF.PHONEBOOK)
//! and DF.MexE, DF.ACDC, DF.TV (not modelled by pySim) are not in the tables.
//!
//! A file is present exactly when its gate opens for the application's service table: a DF's gate
//! first, then each EF's. Default service tables: UST enables n°12 SMSP, 19 SPN, 20/42/43 PLMN
//! selectors with AcT, 21 MSISDN, 27 GSM access, 33 PS domain (shall be set), 34 EST, 38 GSM
//! security context, 68 GBA, 71 EHPLMN, 85 EPS MM information, 122 5GS MM information, 123 5G
//! security parameters, 124 SUCI privacy (ME-side calculation: n°125 is off), 126 UAC access
//! identities and 129 5GS operator PLMN list. IST enables n°2 GBA.

use super::spec::Structure;

/// A transparent EF of `size` bytes.
const fn transparent(size: u16) -> Structure {
    Structure::Transparent { size }
}

/// A linear fixed EF of `records` records of `record_len` bytes.
const fn linear(record_len: u8, records: u8) -> Structure {
    Structure::LinearFixed {
        record_len,
        records,
    }
}

/// Kc of a SIM that holds no key: Kc all `FF`, CKSN `07` "no key available" (TS 51.011 §10.3.3).
const NO_KC: &str = "FFFFFFFFFFFFFFFF07";

/// `FFFFFF0000`: an unused PLMN-with-access-technology entry (TS 31.102 Annex E).
macro_rules! unused_plmn_act {
    () => {
        "FFFFFF0000"
    };
}

/// HPLMN 001/01 with UTRAN, E-UTRAN (WB-S1 and NB-S1), NG-RAN and GSM (TS 31.102 §4.2.5).
macro_rules! hplmn_all_act {
    () => {
        concat!("00F110", "C880")
    };
}

/// A cyclic EF of `records` records of `record_len` bytes.
const fn cyclic(record_len: u8, records: u8) -> Structure {
    Structure::Cyclic {
        record_len,
        records,
    }
}

/// A BER-TLV structured EF with room for `max` bytes.
const fn ber_tlv(max: u16) -> Structure {
    Structure::BerTlv { max }
}

/// One EF row on one line: name, FID, SFI, structure, access (an [`Access`] constant), gate,
/// clause, default content.
macro_rules! ef {
    ($name:literal, $fid:expr, $sfi:expr, $structure:expr, $access:ident, $gate:expr, $clause:literal, $default:expr) => {
        $crate::fs::spec::EfSpec {
            name: $name,
            fid: $fid,
            sfi: $sfi,
            structure: $structure,
            access: $crate::fs::spec::Access::$access,
            gate: $gate,
            clause: $clause,
            default: $default,
        }
    };
}

pub mod fid;
mod gsm;
mod isim;
mod mf;
mod telecom;
mod usim;
mod usim_dfs;

pub use gsm::DF_GSM;
pub use isim::{ADF_ISIM, ISIM_AID};
pub use mf::MF;
pub use telecom::{DF_GRAPHICS, DF_MCS, DF_MULTIMEDIA, DF_PHONEBOOK, DF_TELECOM, DF_V2X};
pub use usim::{ADF_USIM, USIM_AID};
pub use usim_dfs::{
    DF_5GS, DF_5G_PROSE, DF_5MBS_UE_CONFIG, DF_GSM_ACCESS, DF_HNB, DF_PROSE, DF_SAIP, DF_SNPN,
    DF_USIM_PHONEBOOK, DF_WLAN,
};
