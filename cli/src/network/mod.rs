//! Network-side peers used by the end-to-end flows: the AuC/HSS and the BSF/NAF (TS 33.102 §6.3, TS 33.220 §4.5).

pub mod aanf;
pub mod auc;
pub mod bsf;
pub mod iot;
