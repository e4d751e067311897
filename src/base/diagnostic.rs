//! What every stage reports: a coded, spanned finding with labels in any file.

use crate::base::span::Span;
use serde::Serialize;
use std::sync::Arc;

/// Paths are relative to the scan root with `/` separators; shared cheaply between labels. Made by
/// [`file_path`] from the name's bytes, so two different names are never one `FilePath`.
pub type FilePath = Arc<str>;

/// The one way a file's name becomes text: its components joined with `/`, each component's bytes
/// kept where they are UTF-8, a byte that is not written `\xHH` and a backslash doubled. No two
/// names give the same text (a file named `\xff` and one named with the byte 0xff stay apart) and
/// [`path_of`] gives the bytes back. Renderers show it through `report::escape_text`.
pub fn file_path<'a>(components: impl IntoIterator<Item = &'a std::ffi::OsStr>) -> FilePath {
    let mut text = String::new();
    for (i, component) in components.into_iter().enumerate() {
        if i > 0 {
            text.push('/');
        }
        // Unix names are bytes; Windows names come as WTF-8, an unpaired surrogate as bytes that
        // are not UTF-8.
        for chunk in component.as_encoded_bytes().utf8_chunks() {
            // A backslash is doubled, so that `\x` below stands only for a byte.
            for (i, piece) in chunk.valid().split('\\').enumerate() {
                if i > 0 {
                    text.push_str("\\\\");
                }
                text.push_str(piece);
            }
            for byte in chunk.invalid() {
                text.push_str(&format!("\\x{byte:02x}"));
            }
        }
    }
    text.into()
}

/// The bytes of the name [`file_path`] wrote as `file` (on Windows, a name that was not UTF-16 comes
/// back with U+FFFD in place of its unpaired surrogates).
pub fn path_of(file: &str) -> std::path::PathBuf {
    let mut bytes = Vec::with_capacity(file.len());
    let mut rest = file.as_bytes();
    while let Some((&b, after)) = rest.split_first() {
        rest = after;
        if b == b'\\' {
            match rest {
                [b'\\', after @ ..] => {
                    bytes.push(b'\\');
                    rest = after;
                    continue;
                }
                [b'x', hi, lo, after @ ..] => {
                    let hex = |d: u8| (d as char).to_digit(16);
                    if let (Some(hi), Some(lo)) = (hex(*hi), hex(*lo)) {
                        bytes.push((hi * 16 + lo) as u8);
                        rest = after;
                        continue;
                    }
                }
                _ => {}
            }
        }
        bytes.push(b);
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        std::ffi::OsString::from_vec(bytes).into()
    }
    #[cfg(not(unix))]
    {
        String::from_utf8_lossy(&bytes).into_owned().into()
    }
}

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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    /// Distinct names stay distinct, and each comes back as its bytes.
    #[test]
    fn file_paths_are_one_to_one() {
        let names: [&[u8]; 6] = [
            b"p\xff.json",
            b"p\\xff.json",
            b"p\\\\xff.json",
            b"p\xef\xbf\xbd.json",
            b"plain.json",
            b"a\\",
        ];
        let shown: Vec<FilePath> = names
            .iter()
            .map(|n| file_path([OsStr::new("dir"), OsStr::from_bytes(n)]))
            .collect();
        for (i, a) in shown.iter().enumerate() {
            for b in &shown[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(&*shown[0], "dir/p\\xff.json");
        assert_eq!(&*shown[1], "dir/p\\\\xff.json");
        assert_eq!(&*shown[3], "dir/p\u{fffd}.json");
        for (name, file) in names.iter().zip(&shown) {
            assert_eq!(
                path_of(file).as_os_str().as_bytes(),
                [b"dir/".as_slice(), name].concat()
            );
        }
    }
}
