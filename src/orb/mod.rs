//! ORB: its files as documents, template resolution as ORB 1.8.5 does it, and the permissions a
//! deployment needs, from the requirements table in `data/orb-requirements.toml`.

pub mod files;
pub mod needs;
pub mod requirements;
pub mod resolve;
