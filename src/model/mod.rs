//! The model: one file's documents from its tree (`extract`), the workspace of every document and
//! its deployments linked to the policies they run under (`deploy`), and the least-privilege policy
//! they need (`generate`). Above the readers and the IAM, ORB, CloudFormation and Terraform
//! documents; below the rules.

pub mod deploy;
pub mod extract;
pub mod generate;
