//! Render: sorted diagnostics as human (codespan-reporting), concise, JSON, SARIF or GitHub workflow
//! commands. Renderers only format; every decision was made upstream.

pub mod concise;
mod excerpt;
pub mod github;
pub mod human;
pub mod inventory;
pub mod json;
pub mod policy;
pub(crate) mod rich;
pub mod rule_docs;
pub mod sarif;
pub mod yaml;

use crate::diagnostic::{Diagnostic, FilePath, Severity, Sources};
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
    pub files_scanned: usize,
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

    /// The same report with every path put under `root`, the scan root as given from the current
    /// folder. GitHub resolves annotation files and SARIF `%SRCROOT%` URIs against the repository
    /// root, where a workflow runs, not against the folder that was scanned.
    pub fn under(mut self, root: &Path) -> Report {
        let prefix = crate::diagnostic::file_path(
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
        let join = |path: &FilePath| -> FilePath { format!("{prefix}/{path}").into() };
        for d in &mut self.diagnostics {
            d.file = join(&d.file);
            for label in &mut d.labels {
                label.file = join(&label.file);
            }
        }
        self.sources = self
            .sources
            .into_iter()
            .map(|(path, text)| (join(&path), text))
            .collect();
        self
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
