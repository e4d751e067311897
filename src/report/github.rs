//! `--format github`: one GitHub Actions workflow command per finding, which the runner turns into
//! an annotation on the pull request.
//!
//! Escaping is exactly the Actions toolkit's (`packages/core/src/command.ts`): in the message `%`,
//! `\r`, `\n` become `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A`, `%2C`
//! (`%` first, so nothing is escaped twice). The runner reverses it. So every finding is one line
//! that starts with `::`, and no text from a scanned file can end that line or start another one:
//! nothing in a file can become a command of its own (`::add-mask::`, `::stop-commands::`, ...).
//! Text from files first goes through [`escape_text`] like every other format, so control and bidi
//! characters are shown as `\u{..}` in the annotation.

use super::json::Positions;
use super::{escape_text, Report};
use crate::base::diagnostic::{Diagnostic, Label, Severity, Sources};
use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;

/// The files a change touched (`--changed-files`). A finding links places in several files (an ORB
/// setting and the policy that lacks a permission): a pull request that changed only one of them
/// should see the annotation there, since GitHub shows annotations on a pull request's own files.
#[derive(Clone, Debug, Default)]
pub struct ChangedFiles(HashSet<String>);

impl ChangedFiles {
    /// Paths relative to the current folder (the repository root in a workflow), one per line, or
    /// NUL-terminated as `git diff --name-only -z` prints them (any NUL in `list` selects that form,
    /// so a name with a line break can be given). A leading `./` is dropped; empty entries are skipped.
    pub fn parse(list: &[u8]) -> ChangedFiles {
        let nul_terminated = list.contains(&0);
        let separator = if nul_terminated { b'\0' } else { b'\n' };
        let paths = list
            .split(|&b| b == separator)
            .map(|entry| match entry {
                [rest @ .., b'\r'] if !nul_terminated => rest,
                _ => entry,
            })
            .map(|entry| {
                String::from_utf8_lossy(entry.strip_prefix(b"./").unwrap_or(entry)).into_owned()
            })
            .filter(|path| !path.is_empty())
            .collect();
        ChangedFiles(paths)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The label to annotate instead of `d`'s own place: the first one in a changed file, when `d`'s
    /// own file is unchanged. `None` keeps the annotation where the finding is.
    fn moved_to<'d>(&self, d: &'d Diagnostic) -> Option<&'d Label> {
        if self.0.is_empty() || self.0.contains(d.file.as_ref()) {
            return None;
        }
        d.labels.iter().find(|l| self.0.contains(l.file.as_ref()))
    }
}

/// The findings, then what each deployment was checked against as plain lines of the log (each
/// starts with `orb-scan: `, so none is a command).
pub fn render(report: &Report, changed: &ChangedFiles, out: &mut dyn Write) -> std::io::Result<()> {
    emit(&report.diagnostics, &report.sources, changed, out)?;
    for line in super::scope_lines(&report.scopes, true) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The diagnostics as workflow commands; also used for settings errors, which have no rule code.
/// Each is annotated at its own place, or at the first label in a changed file (see [`ChangedFiles`]);
/// the message names every other place, the finding's own first.
pub fn emit(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    changed: &ChangedFiles,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut positions = Positions::new(sources);
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let moved_to = changed.moved_to(d);
        let (file, span) = match moved_to {
            Some(label) => (&label.file, positions.span(&label.file, label.span)),
            None => (&d.file, positions.span(&d.file, d.span)),
        };
        let (start, end) = (span.start, span.end);
        let title = match crate::registry::lookup(d.code) {
            Some(rule) => format!("{} {}", rule.code, rule.name),
            None => "orb-scan configuration".to_string(),
        };
        // The toolkit's order; columns only on one-line spans, as the runner requires.
        let mut properties = vec![
            ("title", title),
            ("file", escape_text(file)),
            ("line", start.line.to_string()),
            ("endLine", end.line.to_string()),
        ];
        if start.line == end.line {
            properties.push(("col", start.column.to_string()));
            properties.push(("endColumn", end.column.to_string()));
        }
        let mut message = vec![escape_text(&d.message)];
        let own_place = moved_to.map(|_| (&d.file, d.span, &d.primary_label));
        let other_labels = d
            .labels
            .iter()
            .filter(|l| !moved_to.is_some_and(|to| std::ptr::eq(*l, to)))
            .map(|l| (&l.file, l.span, &l.message));
        for (file, span, text) in own_place.into_iter().chain(other_labels) {
            let at = positions.span(file, span).start;
            let place = format!("{}:{}:{}", escape_text(file), at.line, at.column);
            message.push(match text.is_empty() {
                true => place,
                false => format!("{place}: {}", escape_text(text)),
            });
        }
        message.extend(d.notes.iter().map(|n| format!("note: {}", escape_text(n))));
        message.extend(d.help.iter().map(|h| format!("help: {}", escape_text(h))));
        let properties = properties
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| format!("{key}={}", escape_property(value)))
            .collect::<Vec<_>>()
            .join(",");
        writeln!(
            out,
            "::{command} {properties}::{}",
            escape_data(&message.join("\n"))
        )?;
    }
    Ok(())
}

/// The toolkit's `escapeData`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The toolkit's `escapeProperty`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A fresh unguessable token for `::stop-commands::`, so that output the runner should not
/// interpret (human or JSON findings that quote scanned files) cannot name it to resume commands.
/// `RandomState` is seeded from the operating system's random source.
pub fn stop_commands_token() -> String {
    let state = std::collections::hash_map::RandomState::new();
    let mut token = String::new();
    for part in 0..2u64 {
        let mut hasher = state.build_hasher();
        hasher.write_u64(part);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.write_u32(std::process::id());
        token.push_str(&format!("{:016x}", hasher.finish()));
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_toolkit() {
        assert_eq!(escape_data("100%\r\n::x"), "100%25%0D%0A::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // `%` first: an already-escaped sequence stays literal.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn changed_file_lists() {
        let lines = ChangedFiles::parse(b"./a.json\r\n\nb/c.yaml\n");
        assert_eq!(lines.len(), 2);
        assert!(lines.0.contains("a.json") && lines.0.contains("b/c.yaml"));
        let nul = ChangedFiles::parse(b"x\ny.json\0z.json\r\0");
        assert!(nul.0.contains("x\ny.json") && nul.0.contains("z.json\r"));
        assert!(ChangedFiles::parse(b"\n\n").is_empty());
    }

    #[test]
    fn tokens_differ() {
        let a = stop_commands_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, stop_commands_token());
    }
}
