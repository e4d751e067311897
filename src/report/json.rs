//! `--format json`, schema version 1 (DESIGN.md §5): additions allowed, no renames.

use super::{Report, Summary};
use crate::base::diagnostic::Sources;
use crate::base::span::{LineIndex, Position, Span};
use crate::model::deploy::Scope;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: &'a Summary,
    /// What each deployment was checked against (an addition to schema version 1).
    deployments: &'a [Scope],
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    pub catalog_date: &'static str,
}

pub fn tool() -> Tool {
    Tool {
        name: "orb-scan",
        version: env!("CARGO_PKG_VERSION"),
        catalog_date: crate::iam::catalog::DATE,
    }
}

#[derive(Serialize)]
pub struct JsonSpan {
    pub start: Position,
    pub end: Position,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    span: JsonSpan,
    labels: Vec<JsonLabel<'a>>,
    actions: &'a [String],
    notes: &'a [String],
    help: Option<&'a str>,
}

/// Positions for spans, with one line index per file.
pub struct Positions<'a> {
    sources: &'a Sources,
    indexes: BTreeMap<&'a str, LineIndex<'a>>,
}

impl<'a> Positions<'a> {
    pub fn new(sources: &'a Sources) -> Positions<'a> {
        Positions {
            sources,
            indexes: BTreeMap::new(),
        }
    }

    pub fn span(&mut self, file: &'a str, span: Span) -> JsonSpan {
        let sources = self.sources;
        let idx = self
            .indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(sources.get(file).map(|t| t.as_str()).unwrap_or("")));
        JsonSpan {
            start: idx.position(span.start as usize),
            end: idx.position(span.end as usize),
        }
    }
}

pub fn render(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut positions = Positions::new(&report.sources);
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            name: crate::registry::lookup(d.code)
                .map(|r| r.name)
                .unwrap_or(""),
            severity: d.severity.as_str(),
            message: &d.message,
            file: &d.file,
            span: positions.span(&d.file, d.span),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    file: &l.file,
                    span: positions.span(&l.file, l.span),
                    message: &l.message,
                })
                .collect(),
            actions: &d.actions,
            notes: &d.notes,
            help: d.help.as_deref(),
        })
        .collect();
    let output = Output {
        version: 1,
        tool: tool(),
        diagnostics,
        summary: &report.summary,
        deployments: &report.scopes,
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
