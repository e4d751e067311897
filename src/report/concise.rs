//! One line per diagnostic: `path:line:col: severity[CODE] message`.

use super::{escape_text, Report};
use crate::span::LineIndex;
use std::collections::BTreeMap;
use std::io::Write;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
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
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            escape_text(&d.file),
            p.line,
            p.column,
            d.severity.as_str(),
            d.code,
            escape_text(&d.message)
        )?;
    }
    for line in super::scope_lines(&report.scopes, true) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
