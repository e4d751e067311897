//! What every stage speaks: byte spans, diagnostics, file paths as shown, name suggestions, and the
//! hash map for keys an attacker chooses. Imports nothing else of the crate.

pub mod diagnostic;
pub mod span;
pub mod suggest;

/// A hash map for lookups, most of them keyed by text from scanned files, which an attacker
/// chooses: a fast hasher seeded afresh in every run, so keys cannot be prepared offline to
/// collide and every lookup stays constant time. Nothing iterates these maps, so output never
/// depends on the seed.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
