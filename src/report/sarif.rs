//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (DESIGN.md §5).
//!
//! - `tool.driver.rules` lists every rule of the registry (so `ruleIndex` is stable), with its
//!   summary, the first paragraph of its documentation, the full page as help, its default level
//!   and a `security-severity` score;
//! - artifact URIs are relative to `%SRCROOT%` (the scan root, given in `originalUriBaseIds`),
//!   percent-encoded;
//! - regions carry start and end lines and columns (Unicode code points: `columnKind`) and bytes;
//! - labels become `relatedLocations`;
//! - the run's `properties.deployments` say what each deployment was checked against;
//! - `partialFingerprints` hash the rule, the file and the text under the span (not its line), so a
//!   finding keeps its identity when lines are inserted above it.

use super::json::Positions;
use super::rule_docs::{description, page};
use super::{escape_text, Report};
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::model::deploy::Scope;
use crate::registry::{Rule, RULES};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

// Typed rather than a `serde_json::Value` tree: with a map per object, a report of 200,000
// findings took 1.6 GB and 8 s, nearly all of it allocating and freeing the tree.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    original_uri_base_ids: BaseIds,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

/// The run's property bag: what each deployment was checked against (as `--format json` has it).
#[derive(Serialize)]
struct RunProperties<'a> {
    deployments: &'a [Scope],
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    version: &'static str,
    rules: Vec<Value>,
}

#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    src_root: Uri,
}

#[derive(Serialize)]
struct Uri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

/// orb-scan's own fingerprint; GitHub computes `primaryLocationLineHash` itself.
#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "orbScanSpanHash/v1")]
    span_hash: String,
}

#[derive(Serialize)]
struct Properties<'a> {
    actions: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    /// A label's number and message, for `relatedLocations`.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    byte_length: usize,
}

/// `root` is the absolute scan root: the base of every relative artifact URI.
pub fn render(report: &Report, root: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let mut positions = Positions::new(&report.sources);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    for d in &report.diagnostics {
        let Some(index) = RULES.iter().position(|r| r.code == d.code) else {
            continue;
        };
        let primary = location(&mut positions, &d.file, d.span);
        let related = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| Location {
                id: Some(i + 1),
                message: Some(Text {
                    text: escape_text(&l.message),
                }),
                ..location(&mut positions, &l.file, l.span)
            })
            .collect();
        let hash = span_hash(d, report.sources.get(&d.file).map_or("", |t| t.as_str()));
        let occurrence = seen.entry(hash.clone()).or_insert(0);
        *occurrence += 1;
        results.push(SarifResult {
            rule_id: d.code,
            rule_index: index,
            level: level(d.severity),
            message: Text {
                text: message_text(d),
            },
            locations: [primary],
            partial_fingerprints: Fingerprints {
                span_hash: format!("{hash}:{occurrence}"),
            },
            related_locations: related,
            properties: (!d.actions.is_empty()).then_some(Properties {
                actions: &d.actions,
            }),
        });
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "orb-scan",
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    version: env!("CARGO_PKG_VERSION"),
                    rules: RULES.iter().copied().map(descriptor).collect(),
                },
            },
            original_uri_base_ids: BaseIds {
                src_root: Uri {
                    uri: root_uri(root),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                deployments: &report.scopes,
            },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn location<'a>(positions: &mut Positions<'a>, file: &'a str, span: Span) -> Location {
    let s = positions.span(file, span);
    Location {
        physical_location: PhysicalLocation {
            artifact_location: artifact(file),
            region: Region {
                start_line: s.start.line,
                start_column: s.start.column,
                end_line: s.end.line,
                end_column: s.end.column,
                byte_offset: s.start.offset,
                byte_length: s.end.offset - s.start.offset,
            },
        },
        id: None,
        message: None,
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The message, then its notes and help: code scanning shows `message.text` only.
fn message_text(d: &Diagnostic) -> String {
    let mut text = escape_text(&d.message);
    for note in &d.notes {
        text.push_str(&format!("\nnote: {}", escape_text(note)));
    }
    if let Some(help) = &d.help {
        text.push_str(&format!("\nhelp: {}", escape_text(help)));
    }
    text
}

fn descriptor(rule: &Rule) -> Value {
    let doc = page(rule);
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": description(rule) },
        "help": { "text": doc, "markdown": doc },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["security", family(rule.code)],
            "security-severity": security_severity(rule),
        },
    })
}

/// GitHub ranks code-scanning alerts tagged `security` by this score (critical ≥ 9, high ≥ 7,
/// medium ≥ 4, low otherwise). Every orb-scan finding is about IAM, so all rules carry the tag and a
/// score: rules about exposure get their own; the others follow their default level, a missing
/// permission (which breaks the deployment, not the account) ranking medium at most.
fn security_severity(rule: &Rule) -> &'static str {
    match rule.code {
        // Committed access keys.
        "ORB204" => "8.5",
        // `iam:PassRole` on any role: a privilege escalation path.
        "ORB304" => "7.5",
        // A service trust without source conditions: confused deputy.
        "ORB401" => "6.0",
        "ORB402" => "5.0",
        _ => match rule.severity {
            Severity::Error => "5.0",
            Severity::Warning => "3.5",
            Severity::Note => "1.0",
        },
    }
}

fn family(code: &str) -> &'static str {
    match code.as_bytes().get(3) {
        Some(b'1') => "orb-permissions",
        Some(b'2') => "orb-config",
        Some(b'3') => "iam-policy",
        Some(b'4') => "iam-trust",
        _ => "scan",
    }
}

/// A file's URI names its real bytes (`diagnostic::path_of`), percent-encoded.
fn artifact(file: &str) -> Artifact {
    let file = &crate::base::diagnostic::path_of(file);
    if file.starts_with("/") {
        Artifact {
            uri: format!("file://{}", encode_path(file)),
            uri_base_id: None,
        }
    } else {
        Artifact {
            uri: encode_path(file),
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

fn root_uri(root: &Path) -> String {
    let mut path = encode_path(root);
    if !path.ends_with('/') {
        path.push('/');
    }
    format!("file://{path}")
}

/// Percent-encodes everything but unreserved characters, `/` and the sub-delimiters RFC 3986
/// allows in a path. `:` is encoded too: in a relative reference's first segment it would read as
/// a scheme.
fn encode_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// FNV-1a over the rule, the file, the text under the primary span with whitespace collapsed, and
/// the actions: stable across runs, platforms and line shifts.
fn span_hash(d: &Diagnostic, source: &str) -> String {
    let snippet = source
        .get(d.span.range())
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [d.code, &*d.file, &snippet, &d.actions.join(",")] {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode_path(Path::new("a b/c:d%#?é.json")),
            "a%20b/c%3Ad%25%23%3F%C3%A9.json"
        );
        // A name that is not UTF-8 is encoded as its bytes, a backslash as itself.
        assert_eq!(artifact("p\\xff\\\\.json").uri, "p%FF%5C.json");
        assert_eq!(root_uri(Path::new("/w/my repo")), "file:///w/my%20repo/");
        assert_eq!(artifact("/abs/x.json").uri, "file:///abs/x.json");
    }

    #[test]
    fn span_hash_ignores_position_but_not_content() {
        let file = crate::base::diagnostic::FilePath::from("p.json");
        let at = |start: usize, end: usize| {
            Diagnostic::new(
                "ORB304",
                Severity::Warning,
                &file,
                Span::new(start, end),
                "m",
            )
        };
        let a = span_hash(&at(0, 5), "\"*\"  \n x");
        let b = span_hash(&at(3, 8), "\n\n\n\"*\"  x");
        assert_eq!(a, b);
        assert_ne!(a, span_hash(&at(0, 5), "\"a\" x"));
    }
}
