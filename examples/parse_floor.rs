//! The benchmarks' floor reference (bench/bench.py, corpus section): what any tool must pay before it
//! can judge a policy. It walks like `rg` (the same `ignore` crate and defaults, one thread per CPU),
//! reads every file, and parses every `.json` file with serde_json into a `Value`, then drops it. YAML
//! files are read but not parsed, so the floor is, if anything, lower than the real one. It uses
//! orb-scan's allocator, so the comparison is of work, not of allocators (with the system allocator
//! it takes a sixth longer on the shared corpus).
//!
//! `cargo run --release --example parse_floor -- FOLDER` prints how many files it read and parsed.

use std::sync::atomic::{AtomicUsize, Ordering};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let (read, parsed, invalid) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    ignore::WalkBuilder::new(&root).build_parallel().run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else {
                return ignore::WalkState::Continue;
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return ignore::WalkState::Continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else {
                return ignore::WalkState::Continue;
            };
            read.fetch_add(1, Ordering::Relaxed);
            if entry.path().extension().is_some_and(|e| e == "json") {
                match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(value) => {
                        parsed.fetch_add(1, Ordering::Relaxed);
                        drop(value);
                    }
                    Err(_) => {
                        invalid.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    println!(
        "{} files read, {} JSON files parsed, {} not valid JSON",
        read.into_inner(),
        parsed.into_inner(),
        invalid.into_inner()
    );
}
