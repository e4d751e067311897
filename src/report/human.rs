//! rustc-like output with codespan-reporting: labels across files, notes and help.

use super::{escape_text, neutralize_source, Report};
use crate::diagnostic::{Diagnostic, FilePath, Severity};
use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label, LabelStyle, Severity as CsSeverity,
};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use std::collections::BTreeMap;
use termcolor::WriteColor;

pub fn render(report: &Report, out: &mut dyn WriteColor) -> std::io::Result<()> {
    emit(&report.diagnostics, &report.sources, out)?;
    summary(report, out)
}

/// The diagnostics alone, as codespan-reporting draws them; also used for settings errors, which
/// have no rule code.
pub fn emit(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<FilePath, String>,
    out: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids: BTreeMap<FilePath, usize> = BTreeMap::new();
    let mut id_of = |path: &FilePath| -> usize {
        *ids.entry(path.clone()).or_insert_with(|| {
            let text = sources
                .get(path)
                .map(|t| neutralize_source(t))
                .unwrap_or_default();
            files.add(escape_text(path), text)
        })
    };
    let mut prepared = Vec::new();
    for d in diagnostics {
        let primary = id_of(&d.file);
        let mut labels = vec![Label::new(LabelStyle::Primary, primary, d.span.range())
            .with_message(escape_text(&d.primary_label))];
        for l in &d.labels {
            labels.push(
                Label::new(LabelStyle::Secondary, id_of(&l.file), l.span.range())
                    .with_message(escape_text(&l.message)),
            );
        }
        let mut notes: Vec<String> = d.notes.iter().map(|n| escape_text(n)).collect();
        if let Some(h) = &d.help {
            notes.push(format!("help: {}", escape_text(h)));
        }
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Note => CsSeverity::Note,
        };
        let mut shown = CsDiagnostic::new(severity)
            .with_message(escape_text(&d.message))
            .with_labels(labels)
            .with_notes(notes);
        if !d.code.is_empty() {
            shown = shown.with_code(d.code);
        }
        prepared.push(shown);
    }
    let config = Config::default();
    for d in &prepared {
        // A span past the end of a file (never expected) must not abort the report.
        if term::emit_to_write_style(out, &config, &files, d).is_err() {
            writeln!(out, "{}: {}", d.code.as_deref().unwrap_or(""), d.message)?;
        }
    }
    Ok(())
}

fn summary(report: &Report, out: &mut dyn WriteColor) -> std::io::Result<()> {
    let s = &report.summary;
    let suppressed = if s.suppressed > 0 {
        format!(", {} suppressed", s.suppressed)
    } else {
        String::new()
    };
    if report.diagnostics.is_empty() {
        writeln!(
            out,
            "orb-scan: no problems found ({} files scanned{suppressed})",
            s.files_scanned
        )?;
    } else {
        writeln!(
            out,
            "orb-scan: {} error{}, {} warning{}, {} note{} ({} file{} scanned{suppressed})",
            s.errors,
            plural(s.errors),
            s.warnings,
            plural(s.warnings),
            s.notes,
            plural(s.notes),
            s.files_scanned,
            plural(s.files_scanned)
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
