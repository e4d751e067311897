//! The hash of the catalog's exact-action table, shared by `build.rs` (which lays the table out)
//! and `catalog.rs` (which probes it), so both agree by construction.

/// FNV-1a over the ASCII-lowercased bytes of `service:Action`: IAM compares actions case-insensitively.
pub fn key_hash(key: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        hash ^= u64::from(b.to_ascii_lowercase());
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Slots in the exact-action table: a power of two, at least twice the catalog's 20,455 actions,
/// so a probe sequence is short (`build.rs` fails the build if the catalog outgrows it).
pub const SLOTS: usize = 1 << 16;
