//! orb-scan cut short, for the benchmarks' corpus section (bench/bench.py): where a scan's time goes.
//!
//! `stages collect FOLDER` walks, reads, parses and extracts every candidate (DESIGN.md §1, walk →
//! extract): what orb-scan pays before it checks anything. `stages check FOLDER` goes on through the
//! model and the rules to the sorted report, and stops before rendering it. Both run as `orb-scan
//! FOLDER` does (same allocator, one thread per CPU, no orb-scan.toml) and print a one-line summary.
//!
//! `cargo run --release --example stages -- check ../shared/corpus`

use orb_scan::walk::WalkOptions;
use orb_scan::ScanOptions;
use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(stage), Some(folder)) = (args.next(), args.next()) else {
        eprintln!("usage: stages collect|check FOLDER");
        std::process::exit(2);
    };
    let folder = PathBuf::from(folder);
    let opts = ScanOptions {
        paths: vec![folder.clone()],
        root: folder,
        walk: WalkOptions::default(),
        stdin_name: None,
        keep_text: false,
    };
    let ws = orb_scan::collect(&opts);
    let summary = match stage.as_str() {
        "collect" => format!(
            "{} files, {} policies, {} templates, {} ORB configs",
            ws.files_scanned,
            ws.policies.len(),
            ws.cfn_templates.len(),
            ws.configs.len()
        ),
        "check" => format!(
            "{} files, {} diagnostics",
            ws.files_scanned,
            orb_scan::check(&ws, &[], &[]).diagnostics.len()
        ),
        _ => {
            eprintln!("stages: unknown stage `{stage}` (collect or check)");
            std::process::exit(2);
        }
    };
    println!("{summary}");
    // As orb-scan does: the OS takes the workspace back at exit, at once.
    std::process::exit(0);
}
