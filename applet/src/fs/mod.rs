//! The UICC file system (TS 102 221 §8): the declarative file table and the live file tree.

pub mod decode;
pub mod gbauapi;
pub mod names;
pub mod resolve;
pub mod services;
pub mod spec;
pub mod tables;
pub mod tree;
