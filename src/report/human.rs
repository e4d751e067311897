//! rustc-like output with codespan-reporting: labels across files, notes and help.

use super::excerpt::{Excerpt, Source};
use super::{escape_text, neutralize_source, Report};
use crate::diagnostic::{Diagnostic, FilePath, Severity};
use crate::span::Span;
use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label, LabelStyle, Severity as CsSeverity,
};
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
    // Every labelled file once, neutralized, and each diagnostic's spans as (file, span).
    let mut ids: BTreeMap<&FilePath, usize> = BTreeMap::new();
    let mut texts: Vec<(String, std::borrow::Cow<str>)> = Vec::new();
    let spans: Vec<Vec<(usize, Span)>> = diagnostics
        .iter()
        .map(|d| {
            let labels = d.labels.iter().map(|l| (&l.file, l.span));
            std::iter::once((&d.file, d.span))
                .chain(labels)
                .map(|(path, span)| {
                    let id = *ids.entry(path).or_insert_with(|| {
                        let text = sources.get(path).map(|t| neutralize_source(t));
                        texts.push((escape_text(path), text.unwrap_or_default()));
                        texts.len() - 1
                    });
                    (id, span)
                })
                .collect()
        })
        .collect();
    let files: Vec<Source> = texts
        .iter()
        .map(|(name, text)| Source::new(name, text))
        .collect();
    let config = Config::default();
    for (d, spans) in diagnostics.iter().zip(&spans) {
        let (excerpt, ranges) = Excerpt::new(&files, spans, &config);
        let messages = std::iter::once(&d.primary_label).chain(d.labels.iter().map(|l| &l.message));
        let labels = spans
            .iter()
            .zip(ranges)
            .zip(messages)
            .enumerate()
            .map(|(i, ((&(id, _), range), message))| {
                let style = if i == 0 {
                    LabelStyle::Primary
                } else {
                    LabelStyle::Secondary
                };
                Label::new(style, id, range).with_message(escape_text(message))
            })
            .collect();
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
        // The excerpt clamps spans to their file, so no lookup fails; if one did, the report goes on.
        if term::emit_to_write_style(out, &config, &excerpt, &shown).is_err() {
            writeln!(out, "{}: {}", d.code, shown.message)?;
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
