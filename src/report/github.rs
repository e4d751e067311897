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
use crate::diagnostic::{Diagnostic, Severity, Sources};
use std::hash::{BuildHasher, Hasher};
use std::io::Write;

/// The findings, then what each deployment was checked against as plain lines of the log (each
/// starts with `orb-scan: `, so none is a command).
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    emit(&report.diagnostics, &report.sources, out)?;
    for line in super::scope_lines(&report.scopes, true) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The diagnostics as workflow commands; also used for settings errors, which have no rule code.
pub fn emit(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut positions = Positions::new(sources);
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let span = positions.span(&d.file, d.span);
        let (start, end) = (span.start, span.end);
        let title = match crate::rules::lookup(d.code) {
            Some(rule) => format!("{} {}", rule.code, rule.name),
            None => "orb-scan configuration".to_string(),
        };
        // The toolkit's order; columns only on one-line spans, as the runner requires.
        let mut properties = vec![
            ("title", title),
            ("file", escape_text(&d.file)),
            ("line", start.line.to_string()),
            ("endLine", end.line.to_string()),
        ];
        if start.line == end.line {
            properties.push(("col", start.column.to_string()));
            properties.push(("endColumn", end.column.to_string()));
        }
        let mut message = vec![escape_text(&d.message)];
        for label in &d.labels {
            let at = positions.span(&label.file, label.span).start;
            message.push(format!(
                "{}:{}:{}: {}",
                escape_text(&label.file),
                at.line,
                at.column,
                escape_text(&label.message)
            ));
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
    fn tokens_differ() {
        let a = stop_commands_token();
        assert_eq!(a.len(), 32);
        assert_ne!(a, stop_commands_token());
    }
}
