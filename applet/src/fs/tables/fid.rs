//! The file identifiers the runtime, the applets and the profile name outside the table rows
//! (TS 102 221 §8.2–§8.4, §13; TS 31.102 §4; TS 31.103 §4): each is the FID of its row in these
//! tables, which use these constants, so a FID is written once. EF FIDs are unique only within
//! their DF (EF.IST of ADF.ISIM and EF.IMSI of ADF.USIM are both `6F07`).

pub use vusim_apdu::annotate::{CURRENT_ADF_FID as CURRENT_ADF, MF_FID as MF};

// Under the MF (TS 102 221 §13).
/// EF.DIR (§13.1).
pub const EF_DIR: u16 = 0x2F00;
/// EF.ICCID (§13.2).
pub const EF_ICCID: u16 = 0x2FE2;
/// EF.ARR under the MF (§13.4).
pub const EF_ARR_MF: u16 = 0x2F06;

// In an ADF (ADF.USIM, TS 31.102 §4.2; ADF.ISIM, TS 31.103 §4.2).
/// EF.ARR of an application (TS 31.102 §4.2.36, TS 31.103 §4.2.8).
pub const EF_ARR: u16 = 0x6F06;
/// EF_GBAUAPI (TS 31.102 §4.2.116, TS 31.103 §4.2.22).
pub const EF_GBAUAPI: u16 = 0x6F0A;
/// EF.AD (TS 31.102 §4.2.18, TS 31.103 §4.2.5).
pub const EF_AD: u16 = 0x6FAD;

// ADF.USIM (TS 31.102 §4.2).
/// EF.IMSI (§4.2.2).
pub const EF_IMSI: u16 = 0x6F07;
/// EF.UST (§4.2.8).
pub const EF_UST: u16 = 0x6F38;
/// EF.MSISDN (§4.2.26).
pub const EF_MSISDN: u16 = 0x6F40;
/// EF.SPN (§4.2.12).
pub const EF_SPN: u16 = 0x6F46;
/// EF.EST (§4.2.47).
pub const EF_EST: u16 = 0x6F56;
/// EF_GBABP of the USIM (§4.2.79; the ISIM's is `6FD5`).
pub const EF_GBABP: u16 = 0x6FD6;
/// EF_GBANL of the USIM (§4.2.83; the ISIM's is `6FD7`).
pub const EF_GBANL: u16 = 0x6FDA;
/// DF.5GS (§4.4.11).
pub const DF_5GS: u16 = 0x5FC0;
/// EF.5GAUTHKEYS in DF.5GS (§4.4.11.6): K_AUSF and K_SEAF.
pub const EF_5GAUTHKEYS: u16 = 0x4F05;
/// EF.SUCI_Calc_Info in DF.5GS (§4.4.11.8).
pub const EF_SUCI_CALC_INFO: u16 = 0x4F07;
/// EF.Routing_Indicator in DF.5GS (§4.4.11.11).
pub const EF_ROUTING_INDICATOR: u16 = 0x4F0A;

// ADF.ISIM (TS 31.103 §4.2).
/// EF.IMPI (§4.2.2).
pub const EF_IMPI: u16 = 0x6F02;
/// EF.DOMAIN (§4.2.3).
pub const EF_DOMAIN: u16 = 0x6F03;
/// EF.IMPU (§4.2.4).
pub const EF_IMPU: u16 = 0x6F04;
/// EF.IST (§4.2.7).
pub const EF_IST: u16 = 0x6F07;

// DF.GSM (TS 51.011 §10.3), under the MF.
/// DF.GSM (§10.1).
pub const DF_GSM: u16 = 0x7F20;
/// EF.IMSI of DF.GSM (§10.3.2; the same FID as the USIM's).
pub const EF_IMSI_GSM: u16 = 0x6F07;
/// EF.AD of DF.GSM (§10.3.18; the same FID as the USIM's).
pub const EF_AD_GSM: u16 = 0x6FAD;
