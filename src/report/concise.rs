//! One line per diagnostic: `path:line:col: severity[CODE] message`, in colour when the stream
//! takes it (the path bold, the severity and code as the human format colours its headers).

use super::{escape_text, Report};
use crate::base::diagnostic::Severity;
use crate::base::span::LineIndex;
use codespan_reporting::diagnostic::Severity as CsSeverity;
use codespan_reporting::term::Styles;
use std::collections::BTreeMap;
use termcolor::{ColorSpec, WriteColor};

pub fn render(report: &Report, out: &mut dyn WriteColor) -> std::io::Result<()> {
    let styles = Styles::default();
    let mut path_style = ColorSpec::new();
    path_style.set_bold(true);
    let mut indexes = BTreeMap::new();
    for d in &report.diagnostics {
        let idx = indexes.entry(&d.file).or_insert_with(|| {
            LineIndex::new(
                report
                    .sources
                    .get(&d.file)
                    .map(|t| t.as_str())
                    .unwrap_or(""),
            )
        });
        let p = idx.position(d.span.start as usize);
        out.set_color(&path_style)?;
        write!(out, "{}", escape_text(&d.file))?;
        out.reset()?;
        write!(out, ":{}:{}: ", p.line, p.column)?;
        out.set_color(styles.header(match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Note => CsSeverity::Note,
        }))?;
        write!(out, "{}[{}]", d.severity.as_str(), d.code)?;
        out.reset()?;
        writeln!(out, " {}", escape_text(&d.message))?;
    }
    for line in super::scope_lines(&report.scopes, true) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
