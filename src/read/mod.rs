//! Files to spanned trees: which files are read (`walk`), the JSON, YAML, TOML and HCL readers and
//! comments (`syntax`), suppressions written in scanned files (`suppressions`). Knows nothing of IAM
//! or ORB.

pub mod suppressions;
pub mod syntax;
pub mod walk;
