#![forbid(unsafe_code)]
//! orb-scan: walk → parse → extract → model → rules → render (DESIGN.md §1).

pub mod deploy;
pub mod diagnostic;
pub mod extract;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
pub mod iam;
pub mod orb;
pub mod report;
pub mod rules;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod walk;

use diagnostic::{normalize, FilePath};
use extract::Extracted;
use std::path::PathBuf;
use std::sync::Mutex;

/// The date of the IAM action catalog embedded in this build.
pub const CATALOG_DATE: &str = iam::catalog::DATE;

/// `--version`: the crate version and the date of the embedded IAM catalog.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| format!("{} (IAM catalog {CATALOG_DATE})", env!("CARGO_PKG_VERSION")))
}

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    /// Paths are shown relative to this folder.
    pub root: PathBuf,
    pub walk: walk::WalkOptions,
    /// Read one file from standard input, shown under this name.
    pub stdin_name: Option<String>,
}

/// Walk, parse and extract every candidate: the documents of the whole tree, sorted.
pub fn collect(opts: &ScanOptions) -> deploy::Workspace {
    let found: Mutex<Vec<(FilePath, String, Extracted)>> = Mutex::new(Vec::new());
    let keep = |candidate: walk::Candidate| {
        let extracted = extract::extract(&candidate);
        let text = if extracted.is_empty() {
            String::new()
        } else {
            candidate.text
        };
        found
            .lock()
            .unwrap()
            .push((candidate.path, text, extracted));
    };
    let mut ws = deploy::Workspace::default();
    if let Some(name) = &opts.stdin_name {
        let path: FilePath = name.as_str().into();
        match walk::read_stdin(path.clone(), opts.walk.max_filesize) {
            Ok(c) => keep(c),
            Err(e) => ws.diagnostics.push(diagnostic::Diagnostic::new(
                "ORB902",
                diagnostic::Severity::Warning,
                &path,
                span::Span::default(),
                format!("skipped: {e}"),
            )),
        }
        ws.files_scanned = 1;
    } else {
        let (walked, skipped) = walk::walk(&opts.paths, &opts.root, &opts.walk, keep);
        ws.files_scanned = walked.files_seen;
        ws.diagnostics = skipped;
    }
    let mut all = Extracted::default();
    for (path, text, extracted) in found.into_inner().unwrap() {
        if !extracted.is_empty() {
            ws.sources.insert(path, text);
        }
        all.append(extracted);
    }
    ws.policies = all.policies;
    ws.roles = all.roles;
    ws.configs = all.configs;
    ws.template_files = all.template_files;
    ws.diagnostics.append(&mut all.diagnostics);
    ws.sort();
    ws
}

/// Does a `--select`/`--ignore` entry (a code or a prefix such as `ORB1`) cover `code`?
pub fn code_matches(pattern: &str, code: &str) -> bool {
    let p = pattern.trim().to_ascii_uppercase();
    p == "ALL" || code.starts_with(&p)
}

/// Runs the model and the rules over a workspace and returns the sorted report.
pub fn check(ws: &deploy::Workspace, select: &[String], ignore: &[String]) -> report::Report {
    let model = deploy::build(ws);
    let mut diagnostics = ws.diagnostics.clone();
    diagnostics.extend(rules::run(&model));
    diagnostics.retain(|d| {
        (select.is_empty() || select.iter().any(|s| code_matches(s, d.code)))
            && !ignore.iter().any(|s| code_matches(s, d.code))
    });
    normalize(&mut diagnostics);
    let mut report = report::Report {
        diagnostics,
        sources: ws.sources.clone(),
        summary: report::Summary {
            files_scanned: ws.files_scanned,
            documents: report::DocumentCounts {
                policies: ws.policies.len(),
                cfn_templates: 0,
                orb_configs: ws.configs.len(),
                orb_template_files: ws.template_files.len(),
            },
            ..Default::default()
        },
    };
    report.count();
    report
}
