//! orb-scan cut short, for the benchmarks' corpus section (bench/bench.py): where a scan's time goes.
//!
//! `stages parse FOLDER` walks, reads and parses every candidate with orb-scan's own readers and
//! drops each tree: orb-scan's floor, the work no judgment can skip. `stages collect FOLDER` goes on
//! to extract the documents (DESIGN.md §1, walk → extract): what orb-scan pays before it checks
//! anything. `stages check FOLDER` goes on through the
//! model and the rules to the sorted report, and stops before rendering it. Both run as `orb-scan
//! FOLDER` does (same allocator, one thread per CPU, no orb-scan.toml) and print a one-line summary.
//!
//! `cargo run --release --example stages -- check ../shared/corpus`

use orb_scan::read::walk::WalkOptions;
use orb_scan::ScanOptions;
use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(stage), Some(folder)) = (args.next(), args.next()) else {
        eprintln!("usage: stages parse|collect|check FOLDER");
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
    if stage == "parse" {
        println!("{}", parse_only(&opts));
        std::process::exit(0);
    }
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
            eprintln!("stages: unknown stage `{stage}` (parse, collect or check)");
            std::process::exit(2);
        }
    };
    println!("{summary}");
    // As orb-scan does: the OS takes the workspace back at exit, at once.
    std::process::exit(0);
}

/// The walk and the readers of `orb_scan::collect`, without extraction: each tree is dropped.
fn parse_only(opts: &ScanOptions) -> String {
    let (walked, parsed, _) = orb_scan::read::walk::walk(
        &opts.paths,
        &opts.root,
        &opts.walk,
        |parsed: &mut [usize; 2], candidate| match orb_scan::model::extract::tree_of(
            &candidate.path,
            &candidate.text,
        ) {
            Some(Ok(_)) => parsed[0] += 1,
            Some(Err(_)) => parsed[1] += 1,
            None => {}
        },
    );
    let (trees, failed) = parsed.iter().fold((0, 0), |(t, f), p| (t + p[0], f + p[1]));
    format!(
        "{} files, {trees} trees parsed, {failed} files not parsed",
        walked.files_seen
    )
}
