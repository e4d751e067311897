//! IAM: policy documents as the model sees them, glob patterns, and the grants evaluator.

pub mod grants;
pub mod pattern;
pub mod policy;
