//! orb-scan's readers against the fastest JSON and YAML parsers in Rust, for the benchmarks' readers
//! section (bench/bench.py): is parsing at its floor?
//!
//! Every `.json`, `.yaml` and `.yml` file under FOLDER is read into memory first; then each reader
//! parses every file of its format and drops the result, on one thread, in rounds that alternate
//! the readers' order (forward, then backward), so a drift in the machine's load falls on all of
//! them alike. Reported: each reader's median over the rounds, its throughput, and its time over
//! orb-scan's reader of the same format. All use orb-scan's allocator.
//!
//! JSON: orb-scan's reader (a spanned tree, duplicate keys found, errors placed) against serde_json
//! into a `Value`, and simd-json (AVX2 or SSE4.2 picked at run time) into an owned value and into a
//! borrowed, zero-copy one. simd-json parses in place: its input copies are made before the clock
//! starts. None of the three others keeps a position, which every orb-scan diagnostic needs.
//! YAML: orb-scan's reader (its fast path, falling back to saphyr-parser where it must), the
//! saphyr path alone, and saphyr-parser's bare event stream, which builds no tree at all.
//!
//! `cargo run --release --example readers -- ../shared/corpus [--rounds N] [--json]`

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A reader: parses every file of its format and says how many it read without error.
struct Reader {
    name: &'static str,
    format: Format,
    parse: fn(&mut Inputs) -> usize,
    /// It parses in place (simd-json): fresh copies of the input are made before the clock starts.
    in_place: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Yaml,
}

struct Inputs {
    json: Vec<String>,
    yaml: Vec<String>,
    /// Copies of `json` for a reader that parses in place, remade before each of its runs.
    copies: Vec<Vec<u8>>,
}

const READERS: &[Reader] = &[
    Reader {
        name: "orb-scan JSON reader",
        format: Format::Json,
        parse: |i| count(&i.json, |t| orb_scan::read::syntax::json::parse(t).is_ok()),
        in_place: false,
    },
    Reader {
        name: "serde_json into a Value",
        format: Format::Json,
        parse: |i| {
            count(&i.json, |t| {
                serde_json::from_str::<serde_json::Value>(t).is_ok()
            })
        },
        in_place: false,
    },
    Reader {
        name: "simd-json into an owned value",
        format: Format::Json,
        parse: |i| count_in_place(&mut i.copies, |b| simd_json::to_owned_value(b).is_ok()),
        in_place: true,
    },
    Reader {
        name: "simd-json into a borrowed value (zero-copy)",
        format: Format::Json,
        parse: |i| count_in_place(&mut i.copies, |b| simd_json::to_borrowed_value(b).is_ok()),
        in_place: true,
    },
    Reader {
        name: "orb-scan YAML reader",
        format: Format::Yaml,
        parse: |i| count(&i.yaml, |t| orb_scan::read::syntax::yaml::parse(t).is_ok()),
        in_place: false,
    },
    Reader {
        name: "orb-scan YAML reader, saphyr path only",
        format: Format::Yaml,
        parse: |i| {
            count(&i.yaml, |t| {
                orb_scan::read::syntax::yaml::parse_with_saphyr(t).is_ok()
            })
        },
        in_place: false,
    },
    Reader {
        name: "saphyr-parser events, no tree",
        format: Format::Yaml,
        parse: |i| {
            count(&i.yaml, |t| {
                saphyr_parser::Parser::new_from_str(t).all(|event| event.is_ok())
            })
        },
        in_place: false,
    },
];

fn count(texts: &[String], ok: impl Fn(&str) -> bool) -> usize {
    texts.iter().filter(|t| ok(t)).count()
}

fn count_in_place(buffers: &mut [Vec<u8>], ok: impl Fn(&mut [u8]) -> bool) -> usize {
    buffers
        .iter_mut()
        .map(|b| ok(b))
        .filter(|&read| read)
        .count()
}

fn main() {
    let mut folder = None;
    let mut rounds = 15;
    let mut json_out = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            "--json" => json_out = true,
            _ => folder = Some(PathBuf::from(arg)),
        }
    }
    let Some(folder) = folder else {
        eprintln!("usage: readers FOLDER [--rounds N] [--json]");
        std::process::exit(2);
    };
    let mut inputs = load(&folder);
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); READERS.len()];
    let mut read_ok = vec![0; READERS.len()];
    // One untimed warm-up round, then the timed ones.
    for round in 0..=rounds {
        let order: Vec<usize> = if round % 2 == 0 {
            (0..READERS.len()).collect()
        } else {
            (0..READERS.len()).rev().collect()
        };
        for k in order {
            let reader = &READERS[k];
            if reader.in_place {
                inputs.copies = inputs.json.iter().map(|t| t.as_bytes().to_vec()).collect();
            }
            let start = Instant::now();
            read_ok[k] = std::hint::black_box((reader.parse)(&mut inputs));
            if round > 0 {
                times[k].push(start.elapsed());
            }
        }
    }
    let medians: Vec<Duration> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    let bytes = |format| -> usize {
        match format {
            Format::Json => inputs.json.iter().map(String::len).sum(),
            Format::Yaml => inputs.yaml.iter().map(String::len).sum(),
        }
    };
    let files = |format| match format {
        Format::Json => inputs.json.len(),
        Format::Yaml => inputs.yaml.len(),
    };
    let baseline = |format| {
        let k = READERS
            .iter()
            .position(|r| r.format == format)
            .expect("each format has orb-scan's reader first");
        medians[k]
    };
    if json_out {
        let rows: Vec<serde_json::Value> = READERS
            .iter()
            .enumerate()
            .map(|(k, r)| {
                serde_json::json!({
                    "reader": r.name,
                    "format": if r.format == Format::Json { "json" } else { "yaml" },
                    "files": files(r.format),
                    "read": read_ok[k],
                    "bytes": bytes(r.format),
                    "median_s": medians[k].as_secs_f64(),
                    "over_orb_scan": medians[k].as_secs_f64() / baseline(r.format).as_secs_f64(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({ "rounds": rounds, "readers": rows })
        );
        return;
    }
    println!("| reader | files read | median | MB/s | × orb-scan's reader |");
    println!("|---|---|---|---|---|");
    for (k, r) in READERS.iter().enumerate() {
        let seconds = medians[k].as_secs_f64();
        println!(
            "| {} | {} of {} | {:.2} ms | {:.0} | {:.2} |",
            r.name,
            read_ok[k],
            files(r.format),
            seconds * 1e3,
            bytes(r.format) as f64 / seconds / 1e6,
            seconds / baseline(r.format).as_secs_f64()
        );
    }
}

/// Every JSON and YAML file under `folder`, as `ignore` walks it (the files orb-scan would see).
fn load(folder: &std::path::Path) -> Inputs {
    let mut json = Vec::new();
    let mut yaml = Vec::new();
    for entry in ignore::Walk::new(folder).flatten() {
        let path = entry.path();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let list = match extension {
            "json" => &mut json,
            "yaml" | "yml" => &mut yaml,
            _ => continue,
        };
        if let Ok(text) = std::fs::read_to_string(path) {
            list.push(text);
        }
    }
    Inputs {
        json,
        yaml,
        copies: Vec::new(),
    }
}
