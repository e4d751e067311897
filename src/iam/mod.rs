//! IAM: policy documents as the model sees them, the action catalog, glob patterns, policy
//! grammars and the grants evaluator.

pub mod catalog;
mod catalog_key;
pub mod grammar;
pub mod grants;
mod key_type;
pub mod pattern;
pub mod policy;
pub mod role;
pub mod trust;
