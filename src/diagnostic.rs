//! What every stage reports: a coded, spanned finding with labels in any file.

use crate::span::Span;
use serde::Serialize;
use std::sync::Arc;

/// Paths are relative to the scan root with `/` separators; shared cheaply between labels.
pub type FilePath = Arc<str>;

/// The text of scanned files by path, for renderers: the workspace and the report share each text
/// instead of copying it.
pub type Sources = std::collections::BTreeMap<FilePath, Arc<String>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FilePath,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: FilePath,
    pub span: Span,
    /// The message shown under the primary span.
    pub primary_label: String,
    pub labels: Vec<Label>,
    pub actions: Vec<String>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        severity: Severity,
        file: &FilePath,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            file: file.clone(),
            span,
            primary_label: String::new(),
            labels: Vec::new(),
            actions: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn label_here(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary_label = message.into();
        self
    }

    pub fn with_label(
        mut self,
        file: &FilePath,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.labels.push(Label {
            file: file.clone(),
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The order every renderer prints in: file, offset, code, then the rest for full determinism.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.file,
            self.span.start,
            self.code,
            self.span.end,
            &self.message,
        )
    }
}

/// Sorts and removes exact duplicates, so output is the same bytes whatever the thread count.
pub fn normalize(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}
