//! Walk: find candidate files without following links or opening anything but regular files, read each
//! once within a size limit, and hand the bytes that pass a cheap prefilter to the parser.
//!
//! Two stages in a pipeline: the walker's threads walk, read and prefilter; a pool of as many workers
//! decodes and visits (parses) what passed, as it arrives. Parsing inside the walker's threads would
//! serialise a large folder, since the walker hands all of a folder's files to the thread that listed
//! it (the shared corpus keeps 1,567 policies in one folder), and parsing after the walk would leave
//! a core idle while one thread reads. Files cross in batches (a wake-up per file cost more than the
//! parse of a small one) through a bounded queue.

use crate::base::diagnostic::{file_path, Diagnostic, FilePath, Severity};
use crate::base::span::Span;
use crate::config::settings::PathPatterns;
use aho_corasick::AhoCorasick;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub const DEFAULT_MAX_FILESIZE: u64 = 4 * 1024 * 1024;

const CANDIDATE_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template", "toml", "tf"];

/// Keys an IAM policy, a CloudFormation template or an ORB file must contain; a file with none of
/// them, as bytes or behind escapes ([`passes_prefilter`]), is never parsed, and so never reported.
pub const PREFILTER_NEEDLES: &[&str] = &[
    "Statement",
    "PolicyDocument",
    "AWSTemplateFormatVersion",
    "Resources",
    "providers",
    "provider_defaults",
    "selection_policy",
    "template_id",
    "templateId",
];

/// What a Terraform (`.tf`) file must contain to be read, as bytes or behind escapes (a quoted label
/// `"\u0061ws_iam_role"`, as [`passes_prefilter`] decodes them): a resource type or data source that
/// holds or relates IAM (every type of `data/terraform-policy-attributes.toml`, a unit test checks).
pub const TERRAFORM_NEEDLES: &[&str] = &[
    "aws_iam_",
    "aws_s3_bucket_policy",
    "aws_s3control_bucket_policy",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_kms_key_policy",
    "aws_ecr_repository_policy",
    "aws_ecr_registry_policy",
    "aws_ecrpublic_repository_policy",
    "aws_secretsmanager_secret_policy",
    "aws_backup_vault_policy",
    "aws_efs_file_system_policy",
    "aws_api_gateway_rest_api_policy",
    "aws_cloudwatch_event_bus_policy",
    "aws_glue_resource_policy",
    "aws_opensearch_domain_policy",
    "aws_elasticsearch_domain_policy",
    "aws_cloudwatch_log_resource_policy",
    "_permissions_policy",
];

/// Resource types that hold a resource policy as one attribute among many: a `.tf` file that names
/// one is read only when it also holds `polic` (`policy`, `access_policies`), so the buckets, queues
/// and keys of a module library that have none cost the walk nothing.
pub const TERRAFORM_EMBEDDED_NEEDLES: &[&str] = &[
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_secretsmanager_secret",
    "aws_s3_bucket",
    "aws_s3_access_point",
    "aws_api_gateway_rest_api",
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_glacier_vault",
];

#[derive(Clone, Debug)]
pub struct WalkOptions {
    pub max_filesize: u64,
    pub threads: usize,
    /// `exclude` globs from orb-scan.toml: matching files and folders are not walked.
    pub exclude: Option<Arc<PathPatterns>>,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            max_filesize: DEFAULT_MAX_FILESIZE,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            exclude: None,
        }
    }
}

/// One file that passed the walk and the prefilter, with its text.
pub struct Candidate {
    pub path: FilePath,
    pub text: String,
    /// Set when the bytes were not UTF-8: the offset of the first bad byte.
    pub invalid_utf8_at: Option<usize>,
    /// Where the file can be read again, so its text need not be kept (`None`: standard input).
    pub origin: Option<PathBuf>,
}

/// A file whose text the workspace let go: where it is, and the length and hash of that text,
/// which tell whether it still holds it. The workspace keeps the text of a file only when a reader
/// reported on it; a diagnostic that quotes any other file reads it again.
#[derive(Clone, Debug)]
pub struct FileStamp {
    path: PathBuf,
    len: usize,
    hash: u64,
}

impl FileStamp {
    pub fn new(path: PathBuf, text: &str) -> FileStamp {
        FileStamp {
            path,
            len: text.len(),
            hash: text_hash(text),
        }
    }

    /// The text the walk read, read again the same way; `None` when the file is gone, changed or
    /// no longer a regular file. (Decoding never shortens a file, so its text's length bounds the
    /// bytes to read.)
    pub fn reread(&self) -> Option<String> {
        let bytes = read_candidate(&self.path, self.len as u64).ok()??;
        let (text, _) = decode(bytes);
        (text.len() == self.len && text_hash(&text) == self.hash).then_some(text)
    }
}

fn text_hash(text: &str) -> u64 {
    // Seeded afresh in each run: contents chosen to collide cannot be prepared in advance.
    static SEED: OnceLock<foldhash::quality::RandomState> = OnceLock::new();
    std::hash::BuildHasher::hash_one(SEED.get_or_init(Default::default), text.as_bytes())
}

/// What the walk saw.
pub struct Walked {
    pub files_seen: usize,
    /// Files read in full: candidates by name (or named on the command line) that are regular
    /// files within the size limit.
    pub files_read: usize,
}

fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(PREFILTER_NEEDLES).expect("static patterns"))
}

/// Does a file hold one of [`PREFILTER_NEEDLES`], as its bytes or as the text its escapes decode
/// to? A reader decodes `"Statem\u0065nt"` (JSON) or `"Statem\x65nt"` (YAML) to the key
/// `Statement`, so a file that hides a needle behind escapes must be parsed like any other.
pub fn passes_prefilter(bytes: &[u8]) -> bool {
    prefilter().is_match(bytes)
        || (memchr::memchr(b'\\', bytes).is_some() && prefilter().is_match(&unescaped(bytes)))
}

/// The bytes with every backslash escape of JSON and YAML double-quoted scalars decoded, wherever
/// it is (a superset of what a reader decodes, so no needle a reader would see is missed):
/// `\uXXXX` (with surrogate pairs), `\xXX`, `\UXXXXXXXX`, one-letter escapes, and an escaped line
/// break, which joins the lines with no space.
fn unescaped(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + 1..];
        let hex = |digits: &[u8]| -> Option<u32> {
            let text = std::str::from_utf8(digits).ok()?;
            u32::from_str_radix(text, 16).ok()
        };
        let (decoded, used) = match rest.first() {
            Some(b'u') if rest.len() >= 5 => match hex(&rest[1..5]) {
                Some(hi @ 0xD800..=0xDBFF) if rest.get(5..7) == Some(b"\\u".as_slice()) => {
                    match rest.get(7..11).and_then(hex) {
                        Some(lo @ 0xDC00..=0xDFFF) => (
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                            11,
                        ),
                        _ => (None, 5),
                    }
                }
                code => (code.and_then(char::from_u32), 5),
            },
            Some(b'x') if rest.len() >= 3 => (hex(&rest[1..3]).and_then(char::from_u32), 3),
            Some(b'U') if rest.len() >= 9 => (hex(&rest[1..9]).and_then(char::from_u32), 9),
            Some(b'\r' | b'\n') => {
                let blank = rest
                    .iter()
                    .position(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
                    .unwrap_or(rest.len());
                rest = &rest[blank..];
                continue;
            }
            Some(&c) if c.is_ascii() => (Some(c as char), 1),
            _ => (None, 0),
        };
        if let Some(c) = decoded {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        rest = &rest[used..];
    }
    out.extend_from_slice(rest);
    out
}

/// What a `.tf` file's resource types name: (an IAM or resource-policy type, a type that may
/// embed a policy). Every type starts `aws_`: each `aws_` is found by `memmem` and the type
/// written there compared with the needles. Terraform writes `aws_` everywhere, so a multi-needle
/// search stops at nearly every one anyway (aho-corasick's rare-byte prefilter took 37
/// instructions a byte on 1,167 terraform-aws-modules files, its DFA about 7 for each search).
fn terraform_types(bytes: &[u8]) -> (bool, bool) {
    static AWS: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
    let finder = AWS.get_or_init(|| memchr::memmem::Finder::new(b"aws_"));
    let mut embedded = false;
    for at in finder.find_iter(bytes) {
        let rest = &bytes[at..];
        let ty = &rest[..rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(rest.len())];
        let names = |n: &&str| match n.strip_prefix("aws_") {
            Some(_) => rest.starts_with(n.as_bytes()),
            None => memchr::memmem::find(ty, n.as_bytes()).is_some(),
        };
        if TERRAFORM_NEEDLES.iter().any(names) {
            return (true, embedded);
        }
        embedded = embedded || TERRAFORM_EMBEDDED_NEEDLES.iter().any(names);
    }
    (false, embedded)
}

/// A `.tf` file names an IAM or resource-policy type, or a resource that may hold a policy and a
/// policy attribute, or calls a module folder of the repository and names a policy (it may pass
/// one as the module's input), as its bytes or as the text its escapes decode to.
fn passes_terraform_prefilter(bytes: &[u8]) -> bool {
    let has = |bytes: &[u8], needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    let names = |bytes: &[u8]| {
        let (named, embedded) = terraform_types(bytes);
        named
            || (has(bytes, b"polic")
                && (embedded
                    || (has(bytes, b"module") && (has(bytes, b"\"./") || has(bytes, b"\"../")))))
    };
    names(bytes) || (memchr::memchr(b'\\', bytes).is_some() && names(&unescaped(bytes)))
}

/// Is this a `.tf` file, or one in Terraform's JSON syntax (`.tf.json`)?
pub fn is_terraform(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("tf"))
        || is_terraform_json(path)
}

/// Is this a `.tf.json` file?
pub fn is_terraform_json(path: &str) -> bool {
    let n = path.len();
    n >= 8 && path.is_char_boundary(n - 8) && path[n - 8..].eq_ignore_ascii_case(".tf.json")
}

fn is_terraform_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_terraform)
}

/// Does a candidate's content pass its format's prefilter?
pub fn passes_prefilter_of(path: &Path, bytes: &[u8]) -> bool {
    if is_terraform_name(path) {
        passes_terraform_prefilter(bytes)
    } else {
        passes_prefilter(bytes)
    }
}

pub fn is_candidate_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        CANDIDATE_EXTENSIONS
            .iter()
            .any(|c| e.eq_ignore_ascii_case(c))
    })
}

/// The path shown to users: relative to the scan root, `/`-separated, one to one with the name's
/// bytes (`diagnostic::file_path`).
pub fn display_path(path: &Path, root: &Path) -> FilePath {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    if rel.as_os_str().is_empty() {
        return file_path([path.as_os_str()]);
    }
    file_path(rel.components().map(|c| c.as_os_str()))
}

/// Walks `paths` in parallel and calls `visit` for every candidate, on `opts.threads` worker
/// threads, each with its own state `S`; returns the states, and ORB902 for files that look like
/// candidates but cannot be read safely.
pub fn walk<S, F>(
    paths: &[PathBuf],
    root: &Path,
    opts: &WalkOptions,
    visit: F,
) -> (Walked, Vec<S>, Vec<Diagnostic>)
where
    S: Default + Send,
    F: Fn(&mut S, Candidate) + Sync,
{
    let Some((first, rest)) = paths.split_first() else {
        return (
            Walked {
                files_seen: 0,
                files_read: 0,
            },
            Vec::new(),
            Vec::new(),
        );
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    builder
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .threads(opts.threads)
        .filter_entry({
            let exclude = opts.exclude.clone();
            move |e| {
                e.file_name() != ".git"
                    && !exclude.as_ref().is_some_and(|x| {
                        x.excludes(e.path(), e.file_type().is_some_and(|t| t.is_dir()))
                    })
            }
        });
    let explicit: Vec<&PathBuf> = paths.iter().filter(|p| !p.is_dir()).collect();
    let (passed, arrivals) = std::sync::mpsc::sync_channel(QUEUE_PER_THREAD * opts.threads);
    let arrivals = Mutex::new(arrivals);
    let next = || arrivals.lock().unwrap().recv().ok();
    std::thread::scope(|s| {
        // Each worker gathers into its own state: nothing is shared while files arrive.
        let workers: Vec<_> = (0..opts.threads)
            .map(|_| {
                s.spawn(|| {
                    let mut state = S::default();
                    while let Some(batch) = next() {
                        for (shown, bytes, path) in batch {
                            let candidate = Candidate {
                                origin: Some(path),
                                ..to_candidate(shown, bytes)
                            };
                            visit(&mut state, candidate);
                        }
                    }
                    state
                })
            })
            .collect();
        let (walked, skipped) = walk_and_read(builder, root, opts, &explicit, passed);
        let states = workers
            .into_iter()
            .map(|w| w.join().expect("a scan worker panicked"))
            .collect();
        (walked, states, skipped)
    })
}

/// Batches of files that passed the prefilter and wait for a worker, per worker.
const QUEUE_PER_THREAD: usize = 4;

/// A walker thread's files on their way to the workers: sent when full, and when the thread ends.
struct Batch {
    files: Vec<ReadFile>,
    bytes: usize,
    to: std::sync::mpsc::SyncSender<Vec<ReadFile>>,
}

/// A file the walker read: its name as shown, its bytes, and its path.
type ReadFile = (FilePath, Vec<u8>, PathBuf);

impl Batch {
    const FILES: usize = 16;
    const BYTES: usize = 1 << 20;

    fn push(&mut self, file: ReadFile) {
        self.bytes += file.1.len();
        self.files.push(file);
        if self.files.len() >= Self::FILES || self.bytes >= Self::BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        if !self.files.is_empty() {
            self.bytes = 0;
            // Fails only if every worker is gone, which the scope rules out.
            let _ = self.to.send(std::mem::take(&mut self.files));
        }
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.send();
    }
}

/// The walker's side: sends every readable candidate that passes the prefilter to `passed`.
fn walk_and_read(
    builder: ignore::WalkBuilder,
    root: &Path,
    opts: &WalkOptions,
    explicit: &[&PathBuf],
    passed: std::sync::mpsc::SyncSender<Vec<ReadFile>>,
) -> (Walked, Vec<Diagnostic>) {
    let skipped = Mutex::new(Vec::new());
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let read = std::sync::atomic::AtomicUsize::new(0);
    builder.build_parallel().run(|| {
        let mut batch = Batch {
            files: Vec::new(),
            bytes: 0,
            to: passed.clone(),
        };
        let skipped = &skipped;
        let seen = &seen;
        let read = &read;
        let explicit = &explicit;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    // A folder that cannot be listed hides everything under it: say so.
                    if let Some((path, reason)) = unreadable(&e) {
                        let shown = display_path(path, root);
                        let reason = format!(
                            "cannot read this folder: {reason}; nothing under it was scanned"
                        );
                        skipped.lock().unwrap().push(skip(&shown, &reason));
                    }
                    return ignore::WalkState::Continue;
                }
            };
            let path = entry.path();
            let is_explicit = entry.depth() == 0 && explicit.iter().any(|p| p.as_path() == path);
            let Some(ft) = entry.file_type() else {
                return ignore::WalkState::Continue;
            };
            if ft.is_dir() {
                return ignore::WalkState::Continue;
            }
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if !is_explicit && !is_candidate_name(path) {
                return ignore::WalkState::Continue;
            }
            // The name shown is written only for a file that is kept or skipped with a reason:
            // most candidates by name fail the prefilter.
            let shown = || display_path(path, root);
            if !ft.is_file() && !is_explicit {
                // Links are never followed and devices, FIFOs and sockets never opened.
                if !ft.is_symlink() {
                    skipped
                        .lock()
                        .unwrap()
                        .push(skip(&shown(), "not a regular file"));
                }
                return ignore::WalkState::Continue;
            }
            let bytes = read_candidate(path, opts.max_filesize);
            if matches!(bytes, Ok(Some(_))) {
                read.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            match bytes {
                Ok(Some(bytes)) => {
                    if is_explicit || passes_prefilter_of(path, &bytes) {
                        batch.push((shown(), bytes, path.to_path_buf()));
                    }
                }
                Ok(None) => {}
                Err(reason) => skipped.lock().unwrap().push(skip(&shown(), &reason)),
            }
            ignore::WalkState::Continue
        })
    });
    (
        Walked {
            files_seen: seen.into_inner(),
            files_read: read.into_inner(),
        },
        skipped.into_inner().unwrap(),
    )
}

/// The path the walker could not read and why, from its error.
fn unreadable(error: &ignore::Error) -> Option<(&Path, String)> {
    match error {
        ignore::Error::WithPath { path, err } => match &**err {
            ignore::Error::Io(e) => Some((path, io_reason(e))),
            other => Some((path, other.to_string())),
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            unreadable(err)
        }
        ignore::Error::Partial(errors) => errors.iter().find_map(unreadable),
        _ => None,
    }
}

fn skip(path: &FilePath, reason: &str) -> Diagnostic {
    Diagnostic::new(
        "ORB902",
        Severity::Warning,
        path,
        Span::default(),
        format!("skipped: {reason}"),
    )
}

/// A candidate read from somewhere that cannot be read again (`origin: None`).
pub fn to_candidate(path: FilePath, bytes: Vec<u8>) -> Candidate {
    let (text, invalid_utf8_at) = decode(bytes);
    Candidate {
        path,
        text,
        invalid_utf8_at,
        origin: None,
    }
}

/// The text of a file's bytes, invalid UTF-8 replaced, with the offset of the first bad byte.
fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

#[cfg(unix)]
pub(crate) fn open_unfollowed(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(unix)]
fn is_symlink_refusal(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

/// Windows: a symlink or junction is opened as itself (its metadata then says symlink), not followed.
#[cfg(windows)]
pub(crate) fn open_unfollowed(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)
}

#[cfg(windows)]
fn is_symlink_refusal(_: &std::io::Error) -> bool {
    false
}

/// Opens without following a final symlink and without blocking on a FIFO swapped in after the walk
/// looked, then checks it is a regular file within the limit. `Ok(None)` means "nothing to scan".
fn read_candidate(path: &Path, max: u64) -> Result<Option<Vec<u8>>, String> {
    let file = match open_unfollowed(path) {
        Ok(f) => f,
        Err(e) if is_symlink_refusal(&e) => return Ok(None),
        Err(e) => return Err(format!("cannot open: {}", io_reason(&e))),
    };
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot stat: {}", io_reason(&e)))?;
    // Windows opens a link as itself rather than refusing it.
    if meta.file_type().is_symlink() {
        return Ok(None);
    }
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > max {
        return Err(format!(
            "{} bytes is over the size limit of {max} bytes (--max-filesize)",
            meta.len()
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {}", io_reason(&e)))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "grew past the size limit of {max} bytes while being read"
        ));
    }
    Ok(Some(bytes))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "not found".into(),
        _ => e.to_string(),
    }
}

/// Reads a file named by a path as shown (relative to `root`, `/`-separated), as the walk reads a
/// candidate: no link followed anywhere on the way, only a regular file, within `max` bytes, UTF-8.
pub fn read_shown(root: &Path, shown: &str, max: u64) -> Result<String, String> {
    let mut path = root.to_path_buf();
    for part in shown.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err(format!("{shown}: not a path inside the repository"));
        }
        path.push(part);
        let meta =
            std::fs::symlink_metadata(&path).map_err(|e| format!("{shown}: {}", io_reason(&e)))?;
        if meta.file_type().is_symlink() {
            return Err(format!("{shown}: a link, which orb-scan does not follow"));
        }
    }
    let bytes = read_candidate(&path, max)?
        .ok_or_else(|| format!("{shown}: a link, which orb-scan does not follow"))?;
    String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8"))
}

/// The `.tf` files of a folder shown as `folder` (relative to `root`), as shown; none when the
/// folder cannot be listed. Links are not listed.
pub fn terraform_files(root: &Path, folder: &str) -> Vec<String> {
    let dir = folder
        .split('/')
        .filter(|p| !p.is_empty())
        .fold(root.to_path_buf(), |p, part| p.join(part));
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| is_terraform_name(&e.path()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some(if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            })
        })
        .collect();
    out.sort();
    out
}

/// Reads standard input as one candidate (editor integrations).
pub fn read_stdin(name: FilePath, max: u64) -> Result<Candidate, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "standard input is over the size limit of {max} bytes"
        ));
    }
    Ok(to_candidate(name, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A needle spelled with escapes passes, as the readers would decode it; text with no needle
    /// behind its escapes does not.
    #[test]
    fn escapes_cannot_hide_a_needle() {
        for hidden in [
            r#"{"Statem\u0065nt": []}"#,
            r#"{"\u0053\u0074atement": []}"#,
            "\"Statem\\x65nt\": []",
            "\"Statem\\U00000065nt\": []",
            "\"State\\\n   ment\": []",
            "\"State\\\r\n\tment\": []",
            r#"{"\ud83d\ude00Res\u006furces": 1}"#,
        ] {
            assert!(!prefilter().is_match(hidden.as_bytes()), "{hidden}");
            assert!(passes_prefilter(hidden.as_bytes()), "{hidden}");
        }
        for plain in [
            r#"{"a": "\u0041\n"}"#,
            "x: \"\\\"",
            "\\u12",
            r#"\ud800\u0041"#,
        ] {
            assert!(!passes_prefilter(plain.as_bytes()), "{plain}");
        }
    }

    /// `terraform_types` finds what a search for every needle anywhere in the text finds, on each
    /// `.tf` fixture of the repository and on types written at the edges of the text.
    #[test]
    fn types_are_found_as_a_search_for_every_needle_finds_them() {
        let anywhere = |text: &[u8], needles: &[&str]| {
            needles
                .iter()
                .any(|n| memchr::memmem::find(text, n.as_bytes()).is_some())
        };
        let mut texts: Vec<Vec<u8>> = [
            "aws_iam_role",
            "x aws_iam",
            "resource \"aws_kms_key\" \"k\" {}",
            "aws_kms_key_policy",
            "aws_ssoadmin_customer_permissions_policy_attachment",
            "aws_s3_bucket",
            "aws_",
            "",
            "aws_aws_iam_",
        ]
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect();
        let mut folders =
            vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata")];
        while let Some(dir) = folders.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "tf") {
                    texts.push(std::fs::read(path).unwrap());
                }
            }
        }
        assert!(texts.len() > 20, "{}", texts.len());
        for text in &texts {
            let (named, embedded) = terraform_types(text);
            assert_eq!(named, anywhere(text, TERRAFORM_NEEDLES));
            if !named {
                assert_eq!(embedded, anywhere(text, TERRAFORM_EMBEDDED_NEEDLES));
            }
        }
    }

    /// A root that passes a policy to a module folder of the repository is read (the module's
    /// input is the policy); one that calls a registry module, or passes no policy, is not.
    #[test]
    fn a_call_passing_a_policy_to_a_local_module_is_read() {
        let call = |source: &str, argument: &str| {
            format!(
                "module \"orb\" {{\n  source = \"{source}\"\n  {argument} = jsonencode({{}})\n}}\n"
            )
        };
        assert!(passes_terraform_prefilter(
            call("./modules/orb", "policy").as_bytes()
        ));
        assert!(passes_terraform_prefilter(
            call("../orb", "extra_policies").as_bytes()
        ));
        assert!(!passes_terraform_prefilter(
            call("./modules/orb", "tags").as_bytes()
        ));
        assert!(!passes_terraform_prefilter(
            call("terraform-aws-modules/iam/aws", "policy").as_bytes()
        ));
    }
}
