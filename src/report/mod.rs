//! Render: sorted diagnostics as human (codespan-reporting), concise, JSON, SARIF or GitHub workflow
//! commands. Renderers only format; every decision was made upstream.

pub mod concise;
mod excerpt;
pub mod github;
pub mod human;
pub mod inventory;
pub mod json;
pub mod needs;
pub mod policy;
pub(crate) mod rich;
pub mod rule_docs;
pub mod sarif;
pub mod write;
pub mod yaml;

use crate::base::diagnostic::{Diagnostic, FilePath, Severity, Sources};
use crate::model::deploy::{Basis, Choice, Reach, Scope, ScopeCandidate};
use serde::Serialize;
use std::path::{Component, Path};

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct DocumentCounts {
    pub policies: usize,
    pub cfn_templates: usize,
    /// Terraform module folders that define principals or instance profiles.
    #[serde(skip_serializing_if = "is_zero")]
    pub terraform_modules: usize,
    pub orb_configs: usize,
    pub orb_template_files: usize,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Files walked (schema version 1's name; `files_walked` says it plainly).
    pub files_scanned: usize,
    /// Files the walk visited, those it read (candidate names within the size limit), those parsed
    /// (they hold a key an IAM policy, a CloudFormation template or an ORB file needs), and those
    /// checked (they held one).
    pub files_walked: usize,
    pub files_read: usize,
    pub files_parsed: usize,
    pub files_checked: usize,
    pub documents: DocumentCounts,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Findings removed by suppressions (comments, resource metadata, `[[suppress]]`).
    pub suppressed: usize,
}

/// The result of a scan: what every renderer needs and nothing more.
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// What each deployment was checked against, and how that was chosen.
    pub scopes: Vec<Scope>,
    pub sources: Sources,
    pub summary: Summary,
}

impl Report {
    pub fn count(&mut self) {
        let n = |s| self.diagnostics.iter().filter(|d| d.severity == s).count();
        self.summary.errors = n(Severity::Error);
        self.summary.warnings = n(Severity::Warning);
        self.summary.notes = n(Severity::Note);
    }

    pub fn worst(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }

    /// The same report with every path put under `root`, the scan root as the command line named
    /// it: every format shows paths from the current folder, where the user ran orb-scan, so each
    /// one opens from there (`orb-scan sub/dir` prints `sub/dir/config/config.json`, `orb-scan
    /// ../other` prints `../other/...`, an absolute root absolute paths; `orb-scan .`, files and
    /// standard input print them as they are). GitHub resolves annotation files and SARIF
    /// `%SRCROOT%` URIs against the repository root, where a workflow runs, which is the same rule.
    pub fn under(mut self, root: &Path) -> Report {
        let prefix = crate::base::diagnostic::file_path(
            root.components()
                .filter(|c| !matches!(c, Component::CurDir))
                .map(|c| match c {
                    Component::RootDir => std::ffi::OsStr::new(""),
                    other => other.as_os_str(),
                }),
        );
        if prefix.is_empty() {
            return self;
        }
        let join = |path: &FilePath| -> FilePath { joined(&prefix, path) };
        // Diagnostics point into few files, each named once here and shared.
        let mut shown: crate::base::FastMap<FilePath, FilePath> = crate::base::FastMap::default();
        self.sources = self
            .sources
            .into_iter()
            .map(|(path, text)| {
                let new = join(&path);
                shown.insert(path, new.clone());
                (new, text)
            })
            .collect();
        let mut show = |path: &FilePath| -> FilePath {
            shown
                .entry(path.clone())
                .or_insert_with(|| join(path))
                .clone()
        };
        for d in &mut self.diagnostics {
            d.file = show(&d.file);
            for label in &mut d.labels {
                label.file = show(&label.file);
            }
        }
        // The deployments list the same policies again and again.
        let mut named: crate::base::FastMap<String, String> = crate::base::FastMap::default();
        self.scopes = self
            .scopes
            .into_iter()
            .map(|s| {
                s.shown(|path| {
                    named
                        .entry(path.to_string())
                        .or_insert_with(|| show(&FilePath::from(path)).to_string())
                        .clone()
                })
            })
            .collect();
        self
    }
}

/// `path` (relative to the scan root) under `prefix` (the scan root from the current folder), the
/// `..` that starts a path above the root (an orb-scan.toml found there) taken off the prefix:
/// `sub/dir` and `../../orb-scan.toml` give `orb-scan.toml`.
fn joined(prefix: &str, path: &str) -> FilePath {
    // Nearly every path lies under the root.
    if !path.starts_with("../") {
        return format!("{prefix}/{path}").into();
    }
    let mut base: Vec<&str> = prefix.split('/').collect();
    let mut rest = path;
    while let Some(up) = rest.strip_prefix("../") {
        match base.last() {
            Some(&last) if !last.is_empty() && last != ".." => {
                base.pop();
                rest = up;
            }
            _ => break,
        }
    }
    match base.as_slice() {
        [] => rest.into(),
        _ => format!("{}/{rest}", base.join("/")).into(),
    }
}

/// What each deployment was checked against, one line each, then how to pin the policies: the
/// `[[deployment]]` table when orb-scan made a choice the user may not share (it passed a
/// candidate over, took a folder's files as one principal, or could not choose), else a line
/// saying where. A deployment checked against nothing has no line: ORB100 says so, and a user who
/// turned ORB100 off asked not to hear it. `compact` keeps the table on one line (concise, github).
pub fn scope_lines(scopes: &[Scope], compact: bool) -> Vec<String> {
    let mut lines: Vec<String> = scopes
        .iter()
        .filter(|s| !s.checked.is_empty())
        .map(scope_line)
        .collect();
    let assumed = |s: &&Scope| {
        matches!(s.choice, Choice::Outranked | Choice::Ambiguous)
            || s.checked.iter().any(|c| c.basis == Basis::Folder)
    };
    let pin = scopes
        .iter()
        .filter(assumed)
        .chain(scopes.iter())
        .find_map(|s| s.pin.as_deref());
    match pin {
        Some(table) if scopes.iter().any(|s| assumed(&s)) => {
            if compact {
                let mut rows = table.lines();
                let head = rows.next().unwrap_or_default();
                let rest: Vec<&str> = rows.collect();
                lines.push(format!(
                    "to choose the policies yourself, pin them in orb-scan.toml: {head} {}",
                    rest.join(", ")
                ));
            } else {
                lines.push("to choose the policies yourself, pin them in orb-scan.toml:".into());
                lines.extend(table.lines().map(|row| format!("  {row}")));
            }
        }
        Some(_) => lines
            .push("to choose other policies, pin them with [[deployment]] in orb-scan.toml".into()),
        None => {}
    }
    lines
        .iter()
        .map(|l| match l.strip_prefix("  ") {
            Some(row) => format!("  {}", escape_text(row)),
            None => format!("orb-scan: {}", escape_text(l)),
        })
        .collect()
}

/// One deployment's scope as a sentence.
pub(crate) fn scope_line(s: &Scope) -> String {
    let names = |list: &[ScopeCandidate]| -> String {
        let shown: Vec<&str> = list.iter().take(3).map(|c| c.name.as_str()).collect();
        match list.len() {
            n if n > 3 => format!("{} and {} more", shown.join("; "), n - 3),
            _ => shown.join("; "),
        }
    };
    // How a candidate reaches ORB's actions, after "which" (`one`: a single policy or principal).
    let reach = |c: &ScopeCandidate, one: bool| {
        let (named, pattern, wildcard, denies) = if one {
            ("names", "reaches", "reaches", "denies")
        } else {
            ("name", "reach", "reach", "deny")
        };
        match c.reach {
            Some(Reach::Named) => format!("{named} ORB's actions"),
            Some(Reach::Pattern) => format!("{pattern} ORB's actions through action patterns"),
            Some(Reach::Wildcard) => {
                format!("{wildcard} ORB's actions only through service wildcards")
            }
            Some(Reach::Denies) => format!("only {denies} ORB's actions"),
            None => format!(
                "{} not reach ORB's actions",
                if one { "does" } else { "do" }
            ),
        }
    };
    let chosen = |c: &ScopeCandidate| match c.basis {
        Basis::Folder => format!(
            "{}, one folder's policies taken as one principal's, which {}",
            c.name,
            reach(c, false)
        ),
        Basis::Principal => format!(
            "{} with all of its policies, which {}",
            c.name,
            reach(c, true)
        ),
        _ => format!("{}, which {}", c.name, reach(c, true)),
    };
    // A candidate passed over lies nearer to another deployment, or reaches ORB's actions less
    // surely than the one checked, or as surely from farther away.
    let why = |c: &ScopeCandidate| match (&c.nearer_to, s.checked.first()) {
        (Some(other), _) => format!("which lies nearer to {other}"),
        (None, Some(k)) if k.reach == c.reach => {
            format!("which {} but lies farther from it", reach(c, true))
        }
        _ => format!("which {}", reach(c, true)),
    };
    let passed_over = match s.passed_over.as_slice() {
        [] => String::new(),
        [one] => format!("; passed over {}, {}", one.name, why(one)),
        many => {
            let elsewhere = many.iter().filter(|c| c.nearer_to.is_some()).count();
            let reasons = match (elsewhere, many.len() - elsewhere) {
                (_, 0) => "lie nearer to other deployments",
                (0, _) => "reach ORB's actions less surely or lie farther from it",
                _ => "reach ORB's actions less surely, lie farther from it or nearer to other deployments",
            };
            format!("; passed over {}, which {reasons}", names(many))
        }
    };
    let dep = &s.deployment;
    match (s.choice, s.checked.as_slice()) {
        (_, []) => format!("{dep}: no policy found that reaches ORB's actions (ORB100)"),
        (Choice::Pinned, [c, ..]) => format!("{dep}: checked against {} (pinned in orb-scan.toml)", c.name),
        (Choice::Ambiguous, all) => format!(
            "{dep}: ORB's principal is ambiguous: checked against each of {} candidates on its own, as each {}: {}{passed_over}",
            all.len(),
            reach(&all[0], true),
            names(all)
        ),
        (_, [c, ..]) if s.passed_over.is_empty() => {
            format!("{dep}: checked against {} (the only candidate)", chosen(c))
        }
        (_, [c, ..]) => format!("{dep}: checked against {}{passed_over}", chosen(c)),
    }
}

/// Replaces control and bidi characters with look-alikes of the same UTF-8 length, so byte spans stay
/// valid and no escape sequence from a scanned file reaches a terminal.
pub fn neutralize_source(text: &str) -> std::borrow::Cow<'_, str> {
    // Nearly every file is printable ASCII, and nearly every other one has nothing to replace: a
    // pass over the bytes (folded without an early exit, so it vectorises) or the characters, and
    // no copy.
    let printable = |ok: bool, &b: &u8| ok & matches!(b, b' '..=b'~' | b'\n' | b'\t' | b'\r');
    let ascii = text
        .as_bytes()
        .chunks(4096)
        .all(|c| c.iter().fold(true, printable));
    if ascii || !text.chars().any(|c| look_alike(c).is_some()) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars().map(|c| look_alike(c).unwrap_or(c)).collect()
}

/// The same-length stand-in for a character a terminal could act on.
fn look_alike(c: char) -> Option<char> {
    match c {
        '\n' | '\t' | '\r' => None,
        c if (c as u32) < 0x20 || c == '\u{7f}' => Some('?'),
        c if ('\u{80}'..='\u{9f}').contains(&c) => Some('\u{bf}'),
        c if is_bidi_or_invisible(c) => Some('\u{fffd}'),
        _ => None,
    }
}

/// Bidi controls, invisible characters, and the line and paragraph separators (U+2028, U+2029),
/// which end a line in editors, viewers and JavaScript though not in a terminal.
fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Escapes control characters in text from scanned files that appears in messages and paths: the
/// one way every output channel shows a file's name (`diagnostic::file_path`) or a scanned string,
/// so none of it can end a line, start one, or steer a terminal.
pub fn escape_text(text: &str) -> String {
    let escaped = |c: char| c.is_control() || is_bidi_or_invisible(c);
    // Nearly every message and path is printable ASCII, which one pass over the bytes clears.
    let printable_ascii = text.bytes().all(|b| (b' '..=b'~').contains(&b));
    if printable_ascii || !text.chars().any(escaped) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths are shown from the current folder: under the scan root as named, a path above the
    /// root (orb-scan.toml found there) folded into it.
    #[test]
    fn paths_are_joined_under_the_scan_root() {
        assert_eq!(
            &*joined("sub/dir", "config/c.json"),
            "sub/dir/config/c.json"
        );
        assert_eq!(&*joined("sub/dir", "../../orb-scan.toml"), "orb-scan.toml");
        assert_eq!(&*joined("sub/dir", "../orb-scan.toml"), "sub/orb-scan.toml");
        assert_eq!(&*joined("../other", "x.json"), "../other/x.json");
        assert_eq!(&*joined("../other", "../orb-scan.toml"), "../orb-scan.toml");
        assert_eq!(&*joined("/abs/dir", "../x.json"), "/abs/x.json");
        assert_eq!(&*joined("/abs", "../../x.json"), "/../x.json");
    }

    #[test]
    fn neutralizing_keeps_byte_offsets() {
        let hostile = "a\u{1b}[31mb\u{9b}c\u{202e}d\n";
        let clean = neutralize_source(hostile);
        assert_eq!(clean.len(), hostile.len());
        assert!(
            !clean.contains('\u{1b}') && !clean.contains('\u{9b}') && !clean.contains('\u{202e}')
        );
        assert_eq!(escape_text("x\u{1b}y\nz"), "x\\u{1b}y\\u{a}z");
        // Printable ASCII and printable characters beyond it stay; DEL, tabs and bidi controls don't.
        assert_eq!(escape_text(" ec2:Run* ~"), " ec2:Run* ~");
        assert_eq!(escape_text("r\u{e9}le"), "r\u{e9}le");
        assert_eq!(escape_text("a\u{7f}b"), "a\\u{7f}b");
        assert_eq!(escape_text("a\tb\u{202e}"), "a\\u{9}b\\u{202e}");
        // Line and paragraph separators, and NEL, end lines in some readers.
        assert_eq!(
            escape_text("a\u{2028}b\u{2029}c\u{85}"),
            "a\\u{2028}b\\u{2029}c\\u{85}"
        );
        assert_eq!(neutralize_source("a\u{2028}b").len(), "a\u{2028}b".len());
        assert!(!neutralize_source("a\u{2028}b").contains('\u{2028}'));
        // Printable ASCII is shown as it is, without a copy; DEL is not printable.
        let plain = "{\"Action\": \"ec2:*\"}\r\n\t~";
        assert!(matches!(neutralize_source(plain), std::borrow::Cow::Borrowed(t) if t == plain));
        assert_eq!(neutralize_source("a\u{7f}b"), "a?b");
    }
}
