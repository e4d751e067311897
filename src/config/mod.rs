//! Configuration as plain data: orb-scan.toml (`settings`), suppressions and how they apply
//! (`suppress`), path patterns (`globs`). Below the readers and the model; it validates rule codes
//! against the registry's metadata, never the rules themselves.

pub mod globs;
pub mod settings;
pub mod suppress;
