//! Lays `data/iam-catalog.txt` (and `data/iam-global-keys.txt`) out as static Rust data (services,
//! actions, API calls, an open-addressing table of exact actions, and each action's resource types
//! and condition keys as tables of numbers into one text), so the catalog costs nothing to load:
//! parsing it at run time was a third of a scan of an empty folder. The TOML tables of `data/` (reviewed as TOML) are
//! handed to the program as JSON, which it reads in a fraction of the time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "src/iam/catalog_key.rs"]
mod catalog_key;
// The program's half (`from_number`, `element`) is not used here.
#[allow(dead_code)]
#[path = "src/iam/key_type.rs"]
mod key_type;

use key_type::KeyType;

struct Service<'a> {
    prefix: &'a str,
    name: &'a str,
    actions: Vec<Action<'a>>,
    api_calls: Vec<(&'a str, Vec<&'a str>)>,
    /// `(name, ARN format)`, in the catalog's (case-insensitive) order.
    types: Vec<(&'a str, &'a str)>,
    /// `(key, type)`, in the catalog's (case-insensitive) order.
    keys: Vec<(&'a str, &'a str)>,
}

struct Action<'a> {
    name: &'a str,
    /// `(resource type, always authorized)`.
    resources: Vec<(&'a str, bool)>,
    keys: Vec<&'a str>,
}

/// Strings laid end to end in one text, so the tables that point into it are plain numbers: data
/// with pointers is relocated when the program starts, numbers are read only where a lookup looks.
#[derive(Default)]
struct Text {
    text: String,
    at: std::collections::HashMap<String, u32>,
}

impl Text {
    /// `(offset, length)` of `s`, stored once.
    fn add(&mut self, s: &str) -> (u32, u32) {
        let len = s.len() as u32;
        if let Some(&at) = self.at.get(s) {
            return (at, len);
        }
        let at = self.text.len() as u32;
        self.text.push_str(s);
        self.at.insert(s.to_string(), at);
        (at, len)
    }
}

/// Numbers per resource type in `TYPES`: name offset, ARN offset, name length << 16 | ARN length,
/// pattern offset, pattern length (`catalog::ResourceType::at`).
const TYPE_WORDS: usize = 5;
/// Numbers per condition key in `KEYS` and `GLOBAL_KEYS`: offset, length, and
/// placeholder position << 8 | on some action << 7 | type (`catalog::Key::at`).
const KEY_WORDS: usize = 3;
/// The placeholder position of a key without one.
const NO_PLACEHOLDER: u32 = 0xff_ffff;

fn key_entry(strings: &mut Text, key: &str, kind: &str, on_action: bool) -> [u32; 3] {
    let (k, kl) = strings.add(key);
    let key_type =
        KeyType::named(kind).unwrap_or_else(|| panic!("{key}: unknown condition key type {kind}"));
    // Where a placeholder (`${TagKey}`, `<key>`, secretsmanager's `tag-key`) starts: any text follows.
    let head = key
        .find(['$', '<'])
        .or_else(|| key.strip_suffix("/tag-key").map(|h| h.len() + 1))
        .map_or(NO_PLACEHOLDER, |h| h as u32);
    [
        k,
        kl,
        head << 8 | u32::from(on_action) << 7 | key_type.number(),
    ]
}

/// An ARN format as a pattern: every `${...}` part any text.
fn format_pattern(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(open) = rest.find("${") {
        let close = rest[open..].find('}').expect("placeholders close") + open;
        out.push_str(&rest[..open]);
        out.push('*');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn main() {
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    catalog(&dest);
    for table in TOML_TABLES {
        toml_as_json(&dest, table);
    }
}

/// The tables under `data/` read at run time (`src/orb/requirements.rs`, `src/cfn/properties.rs`,
/// `src/terraform/attributes.rs`, `src/iam/trust.rs`). The toml crate took 1.4 M instructions to
/// read them, a tenth of a scan of a small deployment repository.
const TOML_TABLES: [&str; 4] = [
    "orb-requirements",
    "cfn-policy-properties",
    "terraform-policy-attributes",
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
    let globals = "data/iam-global-keys.txt";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed={globals}");
    println!("cargo::rerun-if-changed=src/iam/catalog_key.rs");
    println!("cargo::rerun-if-changed=src/iam/key_type.rs");
    let text = std::fs::read_to_string(source).expect("data/iam-catalog.txt is readable");
    let global_text =
        std::fs::read_to_string(globals).expect("data/iam-global-keys.txt is readable");
    let mut date = None;
    let mut origin = None;
    let mut services: Vec<Service> = Vec::new();
    let mut retired: Vec<(&str, &str, &str)> = Vec::new();
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("@date ") {
            date = Some(value);
        }
        if let Some(value) = line.strip_prefix("@source ") {
            origin = Some(value);
        }
        if let Some(rest) = line.strip_prefix("!retired ") {
            let (prefix, rest) = rest.split_once(' ').expect("!retired prefix Name | copy");
            let (name, copy) = rest.split_once(" | ").expect("!retired prefix Name | copy");
            retired.push((prefix, name, copy));
            continue;
        }
        if line.is_empty() || line.starts_with('@') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let (prefix, name) = rest.split_once("] ").expect("[prefix] Name");
            services.push(Service {
                prefix,
                name,
                actions: Vec::new(),
                api_calls: Vec::new(),
                types: Vec::new(),
                keys: Vec::new(),
            });
            continue;
        }
        let Some(service) = services.last_mut() else {
            continue; // the header's comments
        };
        if let Some(rest) = line.strip_prefix('#') {
            // Type names may hold spaces (`stream group`); ARN formats start with `arn:`.
            let at = rest.find(" arn:").expect("#type arn");
            service.types.push((&rest[..at], &rest[at + 1..]));
        } else if let Some(rest) = line.strip_prefix('?') {
            service.keys.push(rest.split_once(' ').expect("?key Type"));
        } else if let Some((operation, actions)) = line.split_once(" = ") {
            service
                .api_calls
                .push((operation, actions.split(' ').collect()));
        } else {
            let (head, keys) = line.split_once(" | ").unwrap_or((line, ""));
            let (name, types) = head.split_once(' ').unwrap_or((head, ""));
            let resources = types
                .split(", ")
                .filter(|t| !t.is_empty())
                .map(|w| match w.strip_prefix('+') {
                    Some(t) => (t, true),
                    None => (w, false),
                })
                .collect();
            let keys = keys.split(' ').filter(|k| !k.is_empty()).collect();
            service.actions.push(Action {
                name,
                resources,
                keys,
            });
        }
    }
    let date = date.expect("the catalog header has @date");
    let origin = origin.expect("the catalog header has @source");

    let mut strings = Text::default();
    // Resource types (`TYPE_WORDS` numbers each) and condition keys (`KEY_WORDS`).
    let mut types: Vec<u32> = Vec::new();
    let mut keys: Vec<u32> = Vec::new();
    // Per action: (local type index << 1 | always) and local key indexes; both listed from
    // `spans[2 * action]` (resources) and `spans[2 * action + 1]` (keys) up to the next action's.
    let mut action_resources: Vec<u16> = Vec::new();
    let mut action_keys: Vec<u16> = Vec::new();
    let mut spans: Vec<u32> = Vec::new();
    let mut out = String::new();
    writeln!(out, "pub const DATE: &str = {date:?};").unwrap();
    writeln!(out, "pub const SOURCE: &str = {origin:?};").unwrap();
    writeln!(out, "static SERVICES: &[Service] = &[").unwrap();
    let mut first_action = 0u32;
    for s in &services {
        let type_start = types.len() / TYPE_WORDS;
        for (name, arn) in &s.types {
            let (n, nl) = strings.add(name);
            let (a, al) = strings.add(arn);
            // The formats as patterns, every `${...}` a `*`, ready for matching.
            let patterns: Vec<String> = arn.split(", ").map(format_pattern).collect();
            let (p, pl) = strings.add(&patterns.join(", "));
            types.extend([n, a, nl << 16 | al, p, pl]);
        }
        let key_start = keys.len() / KEY_WORDS;
        for (key, kind) in &s.keys {
            let on_action = s.actions.iter().any(|a| a.keys.contains(key));
            keys.extend(key_entry(&mut strings, key, kind, on_action));
        }
        let local_type = |t: &str| {
            s.types
                .iter()
                .position(|(n, _)| *n == t)
                .unwrap_or_else(|| panic!("{}: no resource type {t}", s.prefix)) as u16
        };
        let local_key = |k: &str| {
            s.keys
                .iter()
                .position(|(n, _)| *n == k)
                .unwrap_or_else(|| panic!("{}: no condition key {k}", s.prefix)) as u16
        };
        for a in &s.actions {
            spans.extend([action_resources.len() as u32, action_keys.len() as u32]);
            action_resources.extend(
                a.resources
                    .iter()
                    .map(|(t, always)| local_type(t) << 1 | u16::from(*always)),
            );
            action_keys.extend(a.keys.iter().map(|k| local_key(k)));
        }
        write!(
            out,
            "Service {{ prefix: {:?}, name: {:?}, first_action: {first_action}, types: {type_start}..{}, keys: {key_start}..{}, actions: &[",
            s.prefix,
            s.name,
            types.len() / TYPE_WORDS,
            keys.len() / KEY_WORDS,
        )
        .unwrap();
        first_action += s.actions.len() as u32;
        for a in &s.actions {
            write!(out, "{:?},", a.name).unwrap();
        }
        write!(out, "], api_calls: &[").unwrap();
        for (operation, actions) in &s.api_calls {
            write!(out, "({operation:?}, &{actions:?}),").unwrap();
        }
        writeln!(out, "] }},").unwrap();
    }
    writeln!(out, "];").unwrap();
    spans.extend([action_resources.len() as u32, action_keys.len() as u32]);

    let mut globals: Vec<u32> = Vec::new();
    for line in global_text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, kind) = line.split_once(' ').expect("key Type");
        globals.extend(key_entry(&mut strings, key, kind, true));
    }
    writeln!(out, "static RETIRED: &[(&str, &str, &str)] = &{retired:?};").unwrap();
    let numbers = |out: &mut String, name: &str, ty: &str, values: &[u32]| {
        writeln!(out, "static {name}: [{ty}; {}] = [", values.len()).unwrap();
        for chunk in values.chunks(32) {
            for v in chunk {
                write!(out, "{v},").unwrap();
            }
            out.push('\n');
        }
        writeln!(out, "];").unwrap();
    };
    numbers(&mut out, "TYPES", "u32", &types);
    numbers(&mut out, "KEYS", "u32", &keys);
    numbers(&mut out, "GLOBAL_KEYS", "u32", &globals);
    numbers(&mut out, "SPANS", "u32", &spans);
    let wide = |v: &[u16]| v.iter().map(|&x| u32::from(x)).collect::<Vec<u32>>();
    numbers(
        &mut out,
        "ACTION_RESOURCES",
        "u16",
        &wide(&action_resources),
    );
    numbers(&mut out, "ACTION_KEYS", "u16", &wide(&action_keys));
    std::fs::write(dest.join("iam_catalog_text.txt"), &strings.text).expect("OUT_DIR is writable");
    writeln!(
        out,
        "static TEXT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/iam_catalog_text.txt\"));"
    )
    .unwrap();

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
            let key = format!("{}:{}", s.prefix, a.name);
            let mut slot = catalog_key::key_hash(key.as_bytes()) as usize % slots.len();
            while slots[slot] != 0 {
                slot = (slot + 1) % slots.len();
            }
            slots[slot] = ((si as u32 + 1) << 16) | ai as u32;
        }
    }
    numbers(&mut out, "EXACT", "u32", &slots);

    std::fs::write(dest.join("iam_catalog.rs"), out).expect("OUT_DIR is writable");
}
