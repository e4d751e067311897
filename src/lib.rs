#![forbid(unsafe_code)]
//! orb-scan: walk → parse → extract → model → rules → render (DESIGN.md §1). The folders are the
//! stages, and imports go one way, down: docs/architecture.md draws the layers.

pub mod base;
pub mod cfn;
pub mod config;
pub mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub mod iam;
pub mod model;
pub mod orb;
pub mod read;
pub mod registry;
pub mod report;
pub mod rules;
pub mod terraform;

use base::diagnostic::{normalize, FilePath, Sources};
use config::settings::Settings;
use model::extract::Extracted;
use registry::code_matches;
use std::path::PathBuf;

/// The date of the IAM action catalog embedded in this build.
pub const CATALOG_DATE: &str = iam::catalog::DATE;

/// `--version`: the crate version, and the date and source of the embedded IAM catalog.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (IAM catalog {CATALOG_DATE}, {})",
            env!("CARGO_PKG_VERSION"),
            iam::catalog::SOURCE
        )
    })
}

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    /// Paths are shown relative to this folder.
    pub root: PathBuf,
    pub walk: read::walk::WalkOptions,
    /// Read one file from standard input, shown under this name.
    pub stdin_name: Option<String>,
    /// Keep the text of every file that produced documents (`inventory` shows where each one is,
    /// `--fix` edits them), not only of those a reader reported on.
    pub keep_text: bool,
}

/// Walk, parse and extract every candidate with default settings (no `orb-scan.toml`).
pub fn collect(opts: &ScanOptions) -> model::deploy::Workspace {
    collect_with(opts, Settings::default())
}

/// Walk, parse and extract every candidate: the documents of the whole tree, sorted, with the
/// settings that steer linking, suppression and severities.
pub fn collect_with(opts: &ScanOptions, settings: Settings) -> model::deploy::Workspace {
    let keep = |found: &mut Found, candidate: read::walk::Candidate| {
        found.parsed += 1;
        let extracted = model::extract::extract(&candidate);
        // Most files draw no diagnostic: their text goes, and one that a rule reports on is read
        // again for its excerpt (`Workspace::text`). A file the report will quote anyway keeps it.
        let kept = match candidate.origin {
            _ if extracted.is_empty() => return,
            Some(path) if !opts.keep_text && !extracted.quoted_on_its_own() => {
                Kept::Stamp(read::walk::FileStamp::new(path, &candidate.text))
            }
            _ => Kept::Text(candidate.text),
        };
        found.files.push((candidate.path, kept));
        found.extracted.append(extracted);
    };
    let mut ws = model::deploy::Workspace::default();
    let mut found = vec![Found::default()];
    if let Some(name) = &opts.stdin_name {
        let path: FilePath = name.as_str().into();
        match read::walk::read_stdin(path.clone(), opts.walk.max_filesize) {
            Ok(c) => keep(&mut found[0], c),
            Err(e) => ws.diagnostics.push(base::diagnostic::Diagnostic::new(
                "ORB902",
                base::diagnostic::Severity::Warning,
                &path,
                base::span::Span::default(),
                format!("skipped: {e}"),
            )),
        }
        ws.files_scanned = 1;
        ws.files_read = found[0].parsed;
    } else {
        let walk_options = read::walk::WalkOptions {
            exclude: settings.exclude.clone(),
            ..opts.walk.clone()
        };
        let (walked, per_worker, skipped) =
            read::walk::walk(&opts.paths, &opts.root, &walk_options, keep);
        found = per_worker;
        ws.files_scanned = walked.files_seen;
        ws.files_read = walked.files_read;
        ws.threads = opts.walk.threads;
        ws.diagnostics = skipped;
    }
    let mut all = Extracted::default();
    let mut texts = Vec::new();
    let mut stamps = Vec::new();
    for worker in found {
        ws.files_parsed += worker.parsed;
        ws.files_checked += worker.files.len();
        for (path, kept) in worker.files {
            match kept {
                Kept::Text(text) => texts.push((path, text.into())),
                Kept::Stamp(stamp) => stamps.push((path, stamp)),
            }
        }
        all.append(worker.extracted);
    }
    let repository = ScanRepository {
        root: &opts.root,
        max_filesize: opts.walk.max_filesize,
    };
    for (path, text) in link_terraform(&mut all, &repository) {
        let known = |p: &FilePath| p == &path;
        if !texts.iter().any(|(p, _)| known(p)) && !stamps.iter().any(|(p, _)| known(p)) {
            texts.push((path, text.into()));
        }
    }
    ws.sources = texts.into_iter().collect();
    ws.unkept = stamps.into_iter().collect();
    ws.policies = all.policies;
    ws.roles = all.roles;
    ws.configs = all.configs;
    ws.template_files = all.template_files;
    ws.cfn_templates = all.cfn_templates;
    ws.diagnostics.append(&mut all.diagnostics);
    ws.suppressions = all.suppressions;
    // A `[[suppress]]` table can only be judged unused when the scan reached everything its paths
    // can name: one folder at or above the one holding orb-scan.toml.
    let whole_scope = opts.stdin_name.is_none()
        && matches!(opts.paths.as_slice(), [one] if one.is_dir())
        && settings.covers_its_folder(&opts.root);
    for s in &settings.suppressions {
        ws.suppressions.push(config::suppress::Suppression {
            report_unused: whole_scope,
            ..s.clone()
        });
    }
    if let (Some(file), false) = (&settings.file, settings.suppressions.is_empty()) {
        ws.sources
            .insert(file.shown.clone(), file.text.clone().into());
    }
    ws.settings = settings;
    ws.root = opts.root.clone();
    ws.sort();
    ws
}

/// Reads what Terraform modules name, inside the scan root, as the walk reads files.
struct ScanRepository<'a> {
    root: &'a std::path::Path,
    max_filesize: u64,
}

impl terraform::Repository for ScanRepository<'_> {
    fn read(&self, shown: &str) -> Result<String, String> {
        read::walk::read_shown(self.root, shown, self.max_filesize)
    }

    fn terraform_files(&self, folder: &str) -> Vec<String> {
        read::walk::terraform_files(self.root, folder)
    }
}

/// Links the Terraform files `extracted` holds, module by module, into its documents and
/// templates; returns the files the modules read beyond the walk (`file()`), with their text. A
/// JSON file a module reads is that module's policy: its standalone reading gives way.
pub fn link_terraform(
    extracted: &mut Extracted,
    repository: &dyn terraform::Repository,
) -> Vec<(FilePath, String)> {
    let files = std::mem::take(&mut extracted.terraform);
    if files.is_empty() {
        return Vec::new();
    }
    let linked = terraform::module::link(&files, repository);
    let read: std::collections::BTreeSet<&FilePath> = linked.read.iter().map(|(p, _)| p).collect();
    extracted
        .policies
        .retain(|p| p.origin.resource.is_some() || !read.contains(&p.file));
    extracted.policies.extend(linked.policies);
    extracted.cfn_templates.extend(linked.templates);
    extracted.roles.extend(linked.roles);
    linked.read
}

/// The text of the files diagnostics point into, and of no other: kept, or read again on the
/// scan's threads.
fn quoted_sources(
    ws: &model::deploy::Workspace,
    diagnostics: &[base::diagnostic::Diagnostic],
) -> Sources {
    let files: std::collections::BTreeSet<&FilePath> = diagnostics
        .iter()
        .flat_map(|d| std::iter::once(&d.file).chain(d.labels.iter().map(|l| &l.file)))
        .filter(|file| ws.sources.contains_key(*file) || ws.unkept.contains_key(*file))
        .collect();
    let files: Vec<&FilePath> = files.into_iter().collect();
    let share = files.len().div_ceil(ws.threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(share)
            .map(|files| {
                scope.spawn(move || {
                    files
                        .iter()
                        .filter_map(|&file| Some((file.clone(), ws.text(file)?)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("reading sources panicked"))
            .collect()
    })
}

/// What one worker found: the files that held documents, and the documents, and how many files it
/// parsed.
#[derive(Default)]
struct Found {
    files: Vec<(FilePath, Kept)>,
    extracted: Extracted,
    parsed: usize,
}

/// What the workspace keeps of a file that held documents.
enum Kept {
    Text(String),
    Stamp(read::walk::FileStamp),
}

/// Runs the model and the rules over a workspace and returns the sorted report. `select` (when
/// not empty) replaces the settings' `select`; `ignore` adds to theirs.
pub fn check(
    ws: &model::deploy::Workspace,
    select: &[String],
    ignore: &[String],
) -> report::Report {
    let model = model::deploy::build(ws);
    let mut diagnostics = ws.diagnostics.clone();
    diagnostics.extend(rules::run(&model, ws.threads));
    let select = match (select, &ws.settings.select) {
        ([], Some(configured)) => configured.as_slice(),
        _ => select,
    };
    let enabled = |code: &str| {
        (select.is_empty() || select.iter().any(|s| code_matches(s, code)))
            && !ignore
                .iter()
                .chain(&ws.settings.ignore)
                .any(|s| code_matches(s, code))
    };
    diagnostics.retain(|d| enabled(d.code));
    let (suppressed, unused) = config::suppress::apply(&mut diagnostics, &ws.suppressions, enabled);
    if enabled(registry::orb903::RULE.code) {
        diagnostics.extend(rules::orb903::report(&unused));
    }
    for d in &mut diagnostics {
        if let Some(severity) = ws.settings.severity.get(d.code) {
            d.severity = *severity;
        }
    }
    let sources = quoted_sources(ws, &diagnostics);
    for d in &mut diagnostics {
        let unread = |file: &FilePath| ws.unkept.contains_key(file) && !sources.contains_key(file);
        if unread(&d.file) || d.labels.iter().any(|l| unread(&l.file)) {
            d.notes.push(
                "a file it quotes changed during the scan: no excerpt, positions unsure".into(),
            );
        }
    }
    normalize(&mut diagnostics);
    let scopes = model::deploy::scopes(&model, ws.settings.paths_in_file(&ws.root));
    let mut report = report::Report {
        diagnostics,
        scopes,
        sources,
        summary: report::Summary {
            files_scanned: ws.files_scanned,
            files_walked: ws.files_scanned,
            files_read: ws.files_read,
            files_parsed: ws.files_parsed,
            files_checked: ws.files_checked,
            documents: report::DocumentCounts {
                policies: ws.policies.len(),
                cfn_templates: ws
                    .cfn_templates
                    .iter()
                    .filter(|t| t.format != "terraform")
                    .count(),
                terraform_modules: ws
                    .cfn_templates
                    .iter()
                    .filter(|t| t.format == "terraform")
                    .count(),
                orb_configs: ws.configs.len(),
                orb_template_files: ws.template_files.len(),
            },
            suppressed,
            ..Default::default()
        },
    };
    report.count();
    report
}
