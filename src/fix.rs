//! `--fix`: add the actions a deployment lacks to the policy that was checked, as text edits that keep
//! the file's formatting. Missing actions with a plain `*` resource go into the statement that already
//! grants that service's actions on `*`; anything scoped (PassRole, SSM parameters, service-linked roles)
//! becomes a new statement, as `orb-scan policy` would write it. Denied and conditional findings need a
//! person and are left alone.

use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::iam::grants::Verdict;
use crate::iam::policy::{Effect, PolicyDocument, Statement};
use crate::model::deploy::{Choice, Model};
use crate::model::generate::{draft, DraftStatement};
use crate::orb::needs::Need;
use crate::read::syntax::{Embedding, Node, Value};
use std::collections::BTreeMap;

/// Replace `start..end` of a file with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Default)]
pub struct Plan {
    pub edits: BTreeMap<FilePath, Vec<Edit>>,
    /// Files whose policies need actions that `--fix` cannot add, with why and what they lack: what
    /// `--fix` and `--diff` say.
    pub skipped: BTreeMap<FilePath, Vec<String>>,
    /// Deployments whose principal is ambiguous: `--fix` does not choose which candidate to widen.
    pub ambiguous: Vec<FilePath>,
}

/// Actions one policy lacks, with the need that asks for each.
type Missing<'m> = Vec<(&'m Need, &'static str)>;

pub fn plan(model: &Model) -> Plan {
    let mut plan = Plan::default();
    let mut by_policy: BTreeMap<(FilePath, u32), (&PolicyDocument, Missing)> = BTreeMap::new();
    for d in &model.deployments {
        if d.choice == Choice::Ambiguous {
            plan.ambiguous.push(d.file().clone());
        }
    }
    for (d, check) in model
        .deployments
        .iter()
        .filter(|d| d.choice != Choice::Ambiguous)
        .flat_map(|d| d.checks.iter().map(move |c| (d, c)))
    {
        for f in check
            .findings
            .iter()
            // A grant the permissions boundary keeps out of reach is the boundary's to change.
            .filter(|f| f.verdict == Verdict::NotGranted && f.outside_boundary.is_none())
        {
            let Some(policy) = check.policy_for(&[f.action]) else {
                continue;
            };
            let entry = by_policy
                .entry((policy.file.clone(), policy.span.start))
                .or_insert((policy, Vec::new()));
            let need = d.need_of(f);
            let known = entry.1.iter().any(|(n, a)| {
                *a == f.action && n.resource == need.resource && n.context == need.context
            });
            if !known {
                entry.1.push((need, f.action));
            }
        }
    }
    for (policy, missing) in by_policy.into_values() {
        let Some(text) = model.workspace.sources.get(&policy.file) else {
            continue;
        };
        let layout = match policy.origin.embedding {
            Embedding::Hcl => Layout::Hcl,
            Embedding::JsonInTemplate => Layout::JsonInTemplate,
            Embedding::DataSource => Layout::DataSource,
            Embedding::Native if is_json(text) => Layout::Json,
            Embedding::Native => Layout::Yaml,
        };
        // One action can be missing on several resources, not always next to each other.
        let mut lacks: Vec<&str> = Vec::new();
        for (_, action) in &missing {
            if !lacks.contains(action) {
                lacks.push(action);
            }
        }
        let mut skip = |why: &str| {
            let place = match &policy.origin.resource {
                Some(_) => format!(" ({})", policy.origin.path),
                None => String::new(),
            };
            let lacks: Vec<String> = lacks.iter().map(|a| format!("`{a}`")).collect();
            plan.skipped
                .entry(policy.file.clone())
                .or_default()
                .push(format!(
                    "--fix cannot edit the policy{place}: {why}; add {} by hand",
                    lacks.join(", ")
                ));
        };
        let edits = if has_intrinsics(policy, text) {
            skip("it is written with CloudFormation intrinsic functions (Fn::If, Fn::Sub, Ref, ...), whose text does not map one to one onto the statements orb-scan read");
            None
        } else if crate::read::walk::is_terraform_json(&policy.file) {
            skip("it is in Terraform's JSON syntax (.tf.json), whose strings hold HCL templates --fix does not splice into");
            None
        } else {
            let edits = document_node(policy, text)
                .and_then(|node| policy_edits(policy, &node, &missing, text, layout));
            if edits.is_none() {
                skip(if layout == Layout::Yaml {
                    "its YAML `Statement` is a single mapping or an empty list, a layout --fix does not rewrite"
                } else {
                    "its statements are written in a layout --fix does not rewrite (computed when Terraform runs, or not a list)"
                });
            }
            edits
        };
        if let Some(mut edits) = edits {
            // In a Terraform template, `${` starts an interpolation.
            if layout == Layout::JsonInTemplate {
                for e in &mut edits {
                    e.text = e.text.replace("${", "$${").replace("%{", "%%{");
                }
            }
            let newline = line_ending(text);
            plan.edits
                .entry(policy.file.clone())
                .or_default()
                .extend(edits.into_iter().map(|e| with_line_ending(e, newline)));
        }
    }
    plan
}

/// A template's policy with intrinsics was read through them (`Fn::If` branches spliced into lists),
/// so its tree no longer mirrors the text an edit must fit into.
fn has_intrinsics(policy: &PolicyDocument, text: &str) -> bool {
    let markers = ["\"Fn::", "\"Ref\"", "Fn::", "Ref:", "!"];
    policy.origin.resource.is_some()
        && policy.origin.module.is_none()
        && text
            .get(policy.span.range())
            .is_some_and(|t| markers.iter().any(|m| t.contains(m)))
}

/// How the policy's file is written: edits follow its syntax.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Json,
    Yaml,
    /// `jsonencode({...})` in a `.tf` file: HCL object syntax.
    Hcl,
    /// JSON in a Terraform heredoc or template: JSON, with `${` written `$${`.
    JsonInTemplate,
    /// `data "aws_iam_policy_document"`: `statement` blocks.
    DataSource,
}

/// A YAML block list starts with its first `- `; flow lists and JSON with `[`.
fn is_block_list(list: &Node, text: &str) -> bool {
    text[list.span.range()].starts_with('-')
}

/// Where a new line goes after the node ending at `offset`: the end of its line, after any comment
/// and before its line break (`\r\n` too).
fn end_of_line(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// The line break a file uses: `\r\n` when its first line ends so, else `\n`.
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// An edit whose line breaks are the file's: the planner writes `\n`, and copies gaps from the file
/// that may already hold `\r\n`.
fn with_line_ending(mut edit: Edit, newline: &str) -> Edit {
    if newline != "\n" && edit.text.contains('\n') {
        edit.text = edit.text.replace("\r\n", "\n").replace('\n', newline);
    }
    edit
}

fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '['])
}

/// The policy's tree, read again from the text the scan kept, as extraction read it: the model
/// keeps spans, not trees, and only the few policies `--fix` edits need one.
fn document_node(policy: &PolicyDocument, text: &str) -> Option<Node> {
    if policy.origin.embedding != Embedding::Native {
        return crate::terraform::document_tree(
            &policy.file,
            text,
            policy.span,
            policy.origin.embedding,
        );
    }
    let parsed = crate::model::extract::tree_of(&policy.file, text)?.ok()?;
    node_at(parsed.root, policy.span)
}

/// The outermost node spanning exactly `span`.
fn node_at(node: Node, span: Span) -> Option<Node> {
    if node.span == span {
        return Some(node);
    }
    let contains = |n: &Node| n.span.start <= span.start && span.end <= n.span.end;
    match node.value {
        Value::Array(items) => items
            .into_iter()
            .find(contains)
            .and_then(|n| node_at(n, span)),
        Value::Object(entries) => entries
            .into_iter()
            .map(|e| e.value)
            .find(contains)
            .and_then(|n| node_at(n, span)),
        Value::Tagged(_, inner) => node_at(*inner, span),
        _ => None,
    }
}

/// The edits for one policy; `None` when its layout is one `--fix` does not edit (a lone YAML statement).
fn policy_edits(
    policy: &PolicyDocument,
    document: &Node,
    missing: &Missing,
    text: &str,
    layout: Layout,
) -> Option<Vec<Edit>> {
    let mut into_existing: BTreeMap<u32, (&Statement, Vec<&str>)> = BTreeMap::new();
    let mut new_items: Vec<(&Need, Vec<&str>)> = Vec::new();
    for (need, action) in missing {
        let plain = need.resource == "*"
            && need.context.passed_to_service.is_none()
            && need.context.service_name.is_none();
        match plain.then(|| host_statement(policy, action)).flatten() {
            Some(host) => push_action(
                &mut into_existing
                    .entry(host.span.start)
                    .or_insert((host, Vec::new()))
                    .1,
                action,
            ),
            None => match new_items.iter_mut().find(|(n, _)| std::ptr::eq(*n, *need)) {
                Some((_, actions)) => push_action(actions, action),
                None => new_items.push((need, vec![action])),
            },
        }
    }
    let mut edits: Vec<Edit> = into_existing
        .into_values()
        .filter_map(|(statement, actions)| {
            let node = statement_node(document, statement)?;
            append_actions(node.get("Action")?, &actions, text, layout)
        })
        .collect();
    let mut statements = draft(new_items);
    for s in &mut statements {
        s.sid = unique_sid(policy, &s.sid);
    }
    edits.extend(append_statements(document, &statements, text, layout)?);
    Some(edits)
}

fn push_action<'a>(list: &mut Vec<&'a str>, action: &'a str) {
    if !list.contains(&action) {
        list.push(action);
    }
}

/// An unconditioned Allow on `*` with a positive `Action` list that already names an action of the
/// same service.
fn host_statement<'p>(policy: &'p PolicyDocument, action: &str) -> Option<&'p Statement> {
    let prefix = format!("{}:", action.split(':').next()?.to_ascii_lowercase());
    policy.statements.iter().find(|s| {
        s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow)
            && s.conditions.is_empty()
            && !s.actions.negated
            && !s.resources.negated
            && s.resources.items.iter().any(|r| r.value == "*")
            && s.actions
                .items
                .iter()
                .any(|a| a.value.to_ascii_lowercase().starts_with(&prefix))
    })
}

fn statement_node<'d>(document: &'d Node, statement: &Statement) -> Option<&'d Node> {
    let list = document.get("Statement")?;
    match &list.value {
        Value::Array(items) => items.iter().find(|n| n.span == statement.span),
        Value::Object(_) => Some(list),
        _ => None,
    }
}

/// The whitespace that starts the line `offset` is on.
fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[line_start..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Adds actions after the last item of an `Action` list in its own layout, or turns a single string
/// into a list.
fn append_actions(action: &Node, actions: &[&str], text: &str, layout: Layout) -> Option<Edit> {
    let added: Vec<String> = actions.iter().map(|a| quoted(a)).collect();
    if layout == Layout::Yaml && action.as_array().is_some() && is_block_list(action, text) {
        let last = action.as_array()?.last()?;
        let dash = line_indent(text, last.span.start as usize);
        let insertion: String = actions
            .iter()
            .map(|a| {
                format!(
                    "\n{dash}- {}",
                    crate::report::yaml::scalar(&serde_json::Value::String(a.to_string()))
                )
            })
            .collect();
        let at = end_of_line(text, last.span.end as usize);
        return Some(Edit {
            start: at,
            end: at,
            text: insertion,
        });
    }
    match &action.value {
        Value::String(_) => {
            let original = &text[action.span.range()];
            Some(Edit {
                start: action.span.start as usize,
                end: action.span.end as usize,
                text: format!("[{original}, {}]", added.join(", ")),
            })
        }
        Value::Array(items) => {
            let last = items.last()?;
            let separator = match items.len() {
                1 => {
                    let before = &text[action.span.start as usize..last.span.start as usize];
                    if before.contains('\n') {
                        format!(",\n{}", line_indent(text, last.span.start as usize))
                    } else {
                        ", ".to_string()
                    }
                }
                n => {
                    let gap = &text[items[n - 2].span.end as usize..last.span.start as usize];
                    gap.to_string()
                }
            };
            let insertion: String = added.iter().map(|a| format!("{separator}{a}")).collect();
            let at = last.span.end as usize;
            Some(Edit {
                start: at,
                end: at,
                text: insertion,
            })
        }
        _ => None,
    }
}

/// Adds statements after the last one, laid out like it; a lone statement object becomes a list by
/// two insertions around it, so edits inside it stay valid.
fn append_statements(
    doc: &Node,
    statements: &[DraftStatement],
    text: &str,
    layout: Layout,
) -> Option<Vec<Edit>> {
    if statements.is_empty() {
        return Some(Vec::new());
    }
    let Some(list) = doc.get("Statement") else {
        return Some(Vec::new());
    };
    if layout == Layout::Yaml {
        return append_yaml_statements(list, statements, text);
    }
    if layout == Layout::DataSource {
        // After the last `statement` block, laid out as `orb-scan policy --format terraform` writes.
        let last = list.as_array()?.last()?;
        let indent = line_indent(text, last.span.start as usize);
        let blocks: String = statements
            .iter()
            .map(|s| {
                format!(
                    "\n\n{}",
                    crate::report::policy::terraform_statement(s, indent).join("\n")
                )
            })
            .collect();
        let at = last.span.end as usize;
        return Some(vec![Edit {
            start: at,
            end: at,
            text: blocks,
        }]);
    }
    let insert = |at: usize, text: String| Edit {
        start: at,
        end: at,
        text,
    };
    let (last, lone) = match &list.value {
        Value::Array(items) => match items.last() {
            Some(last) => (last, false),
            None => {
                let all: Vec<String> = statements.iter().map(|s| s.to_json().to_string()).collect();
                let (start, end) = (list.span.start as usize, list.span.end as usize);
                return Some(vec![Edit {
                    start,
                    end,
                    text: format!("[{}]", all.join(", ")),
                }]);
            }
        },
        Value::Object(_) => (list, true),
        _ => return Some(Vec::new()),
    };
    let last_text = &text[last.span.range()];
    let indent = line_indent(text, last.span.start as usize);
    let multiline = last_text.contains('\n');
    // The file's own gap between statements, else a new line when the list spans lines.
    let separator = match list.as_array() {
        Some([.., before, last]) => {
            text[before.span.end as usize..last.span.start as usize].to_string()
        }
        _ if text[list.span.range()].contains('\n') => format!(",\n{indent}"),
        _ => ", ".to_string(),
    };
    let unit = inner_indent_unit(last_text, indent);
    let rendered: String = statements
        .iter()
        .map(|s| {
            let body = if layout == Layout::Hcl {
                hcl_value(&s.to_json())
            } else if multiline {
                reindent(
                    &serde_json::to_string_pretty(&s.to_json()).expect("json"),
                    indent,
                    &unit,
                )
            } else {
                s.to_json().to_string()
            };
            format!("{separator}{body}")
        })
        .collect();
    let end = last.span.end as usize;
    Some(if lone {
        vec![
            insert(list.span.start as usize, "[".into()),
            insert(end, format!("{rendered}]")),
        ]
    } else {
        vec![insert(end, rendered)]
    })
}

/// YAML statements: a block list gets new `- Sid: ...` items indented like its last one, a flow list
/// gets JSON (valid YAML flow) items; a lone statement mapping is left to a person.
fn append_yaml_statements(
    list: &Node,
    statements: &[DraftStatement],
    text: &str,
) -> Option<Vec<Edit>> {
    let last = list.as_array()?.last()?;
    if !is_block_list(list, text) {
        let added: String = statements
            .iter()
            .map(|s| format!(", {}", s.to_json()))
            .collect();
        let at = last.span.end as usize;
        return Some(vec![Edit {
            start: at,
            end: at,
            text: added,
        }]);
    }
    let dash = line_indent(text, last.span.start as usize).len();
    let items = serde_json::Value::Array(statements.iter().map(DraftStatement::to_json).collect());
    let insertion: String = crate::report::yaml::lines(&items, dash)
        .iter()
        .map(|l| format!("\n{l}"))
        .collect();
    let at = end_of_line(text, last.span.end as usize);
    Some(vec![Edit {
        start: at,
        end: at,
        text: insertion,
    }])
}

/// A JSON value in HCL syntax, on one line: `{ Sid = "X", Action = ["a"] }`, keys quoted where
/// they are not identifiers.
fn hcl_value(value: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match value {
        J::String(s) => crate::report::policy::hcl_string(s),
        J::Array(items) => {
            let items: Vec<String> = items.iter().map(hcl_value).collect();
            format!("[{}]", items.join(", "))
        }
        J::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    let identifier = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    let key = if identifier {
                        k.clone()
                    } else {
                        crate::report::policy::hcl_string(k)
                    };
                    format!("{key} = {}", hcl_value(v))
                })
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// How much deeper than the statement its keys are indented (two spaces when it cannot tell).
fn inner_indent_unit(statement_text: &str, statement_indent: &str) -> String {
    statement_text
        .lines()
        .nth(1)
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .and_then(|inner| inner.strip_prefix(statement_indent))
        .filter(|u| !u.is_empty())
        .unwrap_or("  ")
        .to_string()
}

/// Re-indents serde_json's pretty output (two spaces a level) to `unit` a level under `base`.
fn reindent(pretty: &str, base: &str, unit: &str) -> String {
    pretty
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let trimmed = line.trim_start_matches(' ');
            let depth = (line.len() - trimmed.len()) / 2;
            let prefix = if i == 0 {
                String::new()
            } else {
                format!("{base}{}", unit.repeat(depth))
            };
            format!("{prefix}{trimmed}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn unique_sid(policy: &PolicyDocument, sid: &str) -> String {
    let taken = |s: &str| {
        policy
            .statements
            .iter()
            .any(|st| st.sid.as_ref().is_some_and(|x| x.value == s))
    };
    if !taken(sid) {
        return sid.to_string();
    }
    let base = format!("OrbScan{sid}");
    (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}{n}")
            }
        })
        .find(|s| !taken(s))
        .expect("unbounded")
}

/// Applies non-overlapping edits to one file's text.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(e.start..e.end, &e.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindents_to_the_files_unit() {
        let pretty = "{\n  \"Sid\": \"X\",\n  \"Action\": [\n    \"a\"\n  ]\n}";
        assert_eq!(
            reindent(pretty, "\t", "\t"),
            "{\n\t\t\"Sid\": \"X\",\n\t\t\"Action\": [\n\t\t\t\"a\"\n\t\t]\n\t}"
        );
        assert_eq!(line_indent("a\n    b", 6), "    ");
    }

    /// Inserted lines end as the file's lines do, and go before a line's `\r\n`, not inside it.
    #[test]
    fn crlf_files_keep_crlf() {
        let text = "a: 1\r\nb: 2\r\n";
        assert_eq!(line_ending(text), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(end_of_line(text, 2), 4);
        let edit = Edit {
            start: 4,
            end: 4,
            text: "\n- x,\r\n  y".into(),
        };
        let edit = with_line_ending(edit, "\r\n");
        assert_eq!(apply(text, &[edit]), "a: 1\r\n- x,\r\n  y\r\nb: 2\r\n");
    }

    #[test]
    fn apply_keeps_everything_else() {
        let edits = [
            Edit {
                start: 1,
                end: 1,
                text: "X".into(),
            },
            Edit {
                start: 3,
                end: 4,
                text: "YZ".into(),
            },
        ];
        assert_eq!(apply("abcd", &edits), "aXbcYZ");
    }
}
