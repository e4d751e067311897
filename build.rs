//! Lays `data/iam-catalog.txt` out as static Rust data (services, actions, API calls and an
//! open-addressing table of exact actions), so the catalog costs nothing to load: parsing it at run
//! time was a third of a scan of an empty folder. The TOML tables of `data/` (reviewed as TOML) are
//! handed to the program as JSON, which it reads in a fraction of the time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "src/iam/catalog_key.rs"]
mod catalog_key;

struct Service<'a> {
    prefix: &'a str,
    actions: Vec<&'a str>,
    api_calls: Vec<(&'a str, Vec<&'a str>)>,
}

fn main() {
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    catalog(&dest);
    for table in TOML_TABLES {
        toml_as_json(&dest, table);
    }
}

/// The tables under `data/` read at run time (`src/orb/requirements.rs`, `src/cfn/properties.rs`,
/// `src/iam/trust.rs`). The toml crate took 1.4 M instructions to read them, a tenth of a scan of
/// a small deployment repository.
const TOML_TABLES: [&str; 3] = [
    "orb-requirements",
    "cfn-policy-properties",
    "confused-deputy-services",
];

fn toml_as_json(dest: &Path, name: &str) {
    let source = format!("data/{name}.toml");
    println!("cargo::rerun-if-changed={source}");
    let text = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
    let json = serde_json::to_string(&value).expect("TOML values are JSON values");
    std::fs::write(dest.join(format!("{name}.json")), json).expect("OUT_DIR is writable");
}

fn catalog(dest: &Path) {
    let source = "data/iam-catalog.txt";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed=src/iam/catalog_key.rs");
    let text = std::fs::read_to_string(source).expect("data/iam-catalog.txt is readable");
    let mut date = None;
    let mut services: Vec<Service> = Vec::new();
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("@date ") {
            date = Some(value);
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        if let Some(prefix) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            services.push(Service {
                prefix,
                actions: Vec::new(),
                api_calls: Vec::new(),
            });
            continue;
        }
        let service = services
            .last_mut()
            .expect("an action before the first [service]");
        match line.split_once(" = ") {
            Some((operation, actions)) => service
                .api_calls
                .push((operation, actions.split(' ').collect())),
            None => service.actions.push(line),
        }
    }
    let date = date.expect("the catalog header has @date");

    let mut out = String::new();
    writeln!(out, "pub const DATE: &str = {date:?};").unwrap();
    writeln!(out, "static SERVICES: &[Service] = &[").unwrap();
    for s in &services {
        write!(out, "Service {{ prefix: {:?}, actions: &[", s.prefix).unwrap();
        for a in &s.actions {
            write!(out, "{a:?},").unwrap();
        }
        write!(out, "], api_calls: &[").unwrap();
        for (operation, actions) in &s.api_calls {
            write!(out, "({operation:?}, &{actions:?}),").unwrap();
        }
        writeln!(out, "] }},").unwrap();
    }
    writeln!(out, "];").unwrap();

    // Slot → (service index + 1) << 16 | action index; 0 is an empty slot. Linear probing.
    let mut slots = vec![0u32; catalog_key::SLOTS];
    let count: usize = services.iter().map(|s| s.actions.len()).sum();
    assert!(
        count * 2 <= slots.len() && services.len() < u16::MAX as usize,
        "the IAM catalog outgrew catalog_key::SLOTS"
    );
    for (si, s) in services.iter().enumerate() {
        assert!(s.actions.len() <= u16::MAX as usize);
        for (ai, a) in s.actions.iter().enumerate() {
            let key = format!("{}:{a}", s.prefix);
            let mut slot = catalog_key::key_hash(key.as_bytes()) as usize % slots.len();
            while slots[slot] != 0 {
                slot = (slot + 1) % slots.len();
            }
            slots[slot] = ((si as u32 + 1) << 16) | ai as u32;
        }
    }
    writeln!(out, "static EXACT: [u32; {}] = [", slots.len()).unwrap();
    for chunk in slots.chunks(32) {
        for v in chunk {
            write!(out, "{v},").unwrap();
        }
        out.push('\n');
    }
    writeln!(out, "];").unwrap();

    std::fs::write(dest.join("iam_catalog.rs"), out).expect("OUT_DIR is writable");
}
