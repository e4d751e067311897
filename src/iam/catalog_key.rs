//! The hash of the catalog's exact-action table, shared by `build.rs` (which lays the table out)
//! and `catalog.rs` (which probes it), so both agree by construction.

/// A word-at-a-time hash (FxHash's step) of the ASCII-lowercased bytes of `service:Action`: IAM
/// compares actions case-insensitively.
pub fn key_hash(key: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut hash: u64 = key.len() as u64;
    let mut chunks = key.chunks_exact(8);
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let tail = (!chunks.remainder().is_empty()).then_some(&last[..]);
    for chunk in chunks.by_ref().chain(tail) {
        let word: [u8; 8] = chunk.try_into().expect("eight bytes");
        // Lowercase ASCII letters in all eight bytes at once: bit 5 set where a byte is `A`..=`Z`.
        // The sums are taken over the low seven bits, so no byte carries into the next.
        let w = u64::from_le_bytes(word);
        let ascii = !w & 0x8080_8080_8080_8080;
        let low = w & 0x7f7f_7f7f_7f7f_7f7f;
        let above_at = (low + 0x3f3f_3f3f_3f3f_3f3f) & ascii; // byte > b'@'
        let above_z = (low + 0x2525_2525_2525_2525) & ascii; // byte > b'Z'
        let upper = above_at & !above_z;
        let lowered = w | (upper >> 2);
        hash = (hash.rotate_left(5) ^ lowered).wrapping_mul(K);
    }
    hash ^ (hash >> 32)
}

/// Slots in the exact-action table: a power of two, at least twice the catalog's 22,321 actions,
/// so a probe sequence is short (`build.rs` fails the build if the catalog outgrows it).
pub const SLOTS: usize = 1 << 16;

#[cfg(test)]
mod tests {
    use super::key_hash;

    #[test]
    fn any_case_of_a_key_hashes_alike() {
        for a in 0u8..=255 {
            for b in 0u8..=255 {
                let key = [b'x', a, b, b'y', a, b'z', b, a, b];
                let lower = key.map(|c| c.to_ascii_lowercase());
                assert_eq!(key_hash(&key), key_hash(&lower), "{key:?}");
            }
        }
        assert_eq!(
            key_hash(b"EC2:DescribeInstances"),
            key_hash(b"ec2:describeinstances")
        );
        assert_ne!(
            key_hash(b"ec2:describeinstances"),
            key_hash(b"ec2:describeinstance")
        );
    }
}
