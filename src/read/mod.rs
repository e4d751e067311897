//! Files to spanned trees: which files are read (`walk`), the JSON, YAML, TOML and HCL readers and
//! comments (`syntax`). Knows nothing of IAM or ORB.

pub mod syntax;
pub mod walk;
