//! `data "aws_iam_policy_document"`: its `statement` blocks as the IAM JSON the provider writes, with
//! `source_json`/`source_policy_documents` under them and `override_policy_documents`/
//! `override_json` over them, merged as the provider merges them: a statement with a Sid replaces the
//! earlier one with the same Sid, any other is added. A `dynamic` block's content counts as present,
//! its iterator's values computed.

use super::eval::{PolicyValue, Scope};
use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::iam::policy::Unread;
use crate::read::syntax::hcl::{Block, Body, Expr, ExprKind};
use crate::read::syntax::{Embedding, Entry, Node, Value};

/// A statement and the document it is written in.
struct Statement {
    file: FilePath,
    node: Node,
    /// The document's span and anchor (what "checked this policy" points at).
    document: Span,
    anchor: Span,
    form: Embedding,
}

impl Statement {
    fn sid(&self) -> Option<&str> {
        self.node
            .get("Sid")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
    }
}

/// What a data source could not read of the documents it merges, and the file it is written in.
struct UnreadIn {
    file: FilePath,
    unread: Unread,
}

/// The data source's document, one piece per file its statements are written in.
pub fn pieces(scope: &Scope, block: &Block) -> Vec<super::eval::Piece> {
    let scope = scope.in_data_source();
    let body = &block.body;
    let mut merged: Vec<Statement> = Vec::new();
    let mut unread: Vec<UnreadIn> = Vec::new();
    for key in ["source_json", "source_policy_documents"] {
        if let Some(a) = body.attribute(key) {
            merge(&mut merged, documents(&scope, &a.value, &mut unread));
        }
    }
    let header = Span {
        start: block.kind_span.start,
        end: block
            .labels
            .last()
            .map_or(block.kind_span.end, |l| l.span.end),
    };
    let own = nested(&scope, body, "statement")
        .into_iter()
        .map(|s| Statement {
            file: scope.file.path.clone(),
            node: statement(&scope, &s),
            document: block.span,
            anchor: header,
            form: Embedding::DataSource,
        })
        .collect();
    merge(&mut merged, own);
    for key in ["override_policy_documents", "override_json"] {
        if let Some(a) = body.attribute(key) {
            merge(&mut merged, documents(&scope, &a.value, &mut unread));
        }
    }
    let version = body
        .attribute("version")
        .map(|a| scope.node(&a.value))
        .unwrap_or(Node {
            value: Value::String("2012-10-17".into()),
            span: header,
        });
    // The data source's own file first, then each other file in the order it first contributes.
    let mut files: Vec<(FilePath, Span, Span, Embedding)> = vec![(
        scope.file.path.clone(),
        block.span,
        header,
        Embedding::DataSource,
    )];
    for s in &merged {
        if !files.iter().any(|(f, ..)| *f == s.file) {
            files.push((s.file.clone(), s.document, s.anchor, s.form));
        }
    }
    let mut out = Vec::new();
    for (file, span, anchor, form) in files {
        let statements: Vec<Node> = merged
            .iter()
            .filter(|s| s.file == file)
            .map(|s| s.node.clone())
            .collect();
        if statements.is_empty() && file != scope.file.path {
            continue;
        }
        let mut here = Vec::new();
        unread.retain(|u| {
            let mine = u.file == file;
            if mine {
                here.push(u.unread.clone());
            }
            !mine
        });
        let mut entries = vec![entry("Version", anchor, version.clone())];
        if let Some(id) = body.attribute("policy_id") {
            entries.push(entry("Id", id.key_span, scope.node(&id.value)));
        }
        entries.push(entry(
            "Statement",
            anchor,
            Node {
                value: Value::Array(statements),
                span,
            },
        ));
        out.push(super::eval::Piece {
            file,
            node: Node {
                value: Value::Object(entries),
                span,
            },
            form,
            unread: here,
        });
    }
    // Unread parts of documents in files that add no statement: the data source's own piece
    // holds them, at the value that names them.
    if let Some(own) = out.first_mut() {
        own.unread.extend(unread.into_iter().map(|u| u.unread));
    }
    out
}

fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: key.into(),
        key_span,
        value,
    }
}

/// A statement with a Sid replaces the earlier one with the same Sid; any other is added.
fn merge(into: &mut Vec<Statement>, new: Vec<Statement>) {
    for s in new {
        let same = s
            .sid()
            .and_then(|sid| into.iter().position(|t| t.sid() == Some(sid)));
        match same {
            Some(at) => into[at] = s,
            None => into.push(s),
        }
    }
}

/// The statements of the documents a `source_*`/`override_*` value holds (one document or a list);
/// what cannot be read goes to `unread`.
fn documents(scope: &Scope, value: &Expr, unread: &mut Vec<UnreadIn>) -> Vec<Statement> {
    let items: Vec<&Expr> = match &value.kind {
        crate::read::syntax::hcl::ExprKind::Array(items) => items.iter().collect(),
        _ => vec![value],
    };
    let mut out = Vec::new();
    for item in items {
        let pieces = match scope.policy(item) {
            PolicyValue::Read(pieces) => pieces,
            PolicyValue::Unread(why) => {
                unread.push(UnreadIn {
                    file: scope.file.path.clone(),
                    unread: Unread {
                        span: item.span,
                        why,
                    },
                });
                continue;
            }
        };
        for piece in pieces {
            unread.extend(piece.unread.iter().map(|u| UnreadIn {
                file: piece.file.clone(),
                unread: u.clone(),
            }));
            let anchor = piece
                .node
                .entry("Statement")
                .map_or(piece.node.span, |e| e.key_span);
            let statements = piece.node.get("Statement").map_or(&[][..], Node::strings);
            for s in statements.iter().filter(|s| s.intrinsic().is_some()) {
                unread.push(UnreadIn {
                    file: piece.file.clone(),
                    unread: Unread {
                        span: s.span,
                        why: "the statement is known only when Terraform runs".into(),
                    },
                });
            }
            for s in statements
                .iter()
                .filter(|s| s.is_object() && s.intrinsic().is_none())
            {
                out.push(Statement {
                    file: piece.file.clone(),
                    node: s.clone(),
                    document: piece.node.span,
                    anchor,
                    form: piece.form,
                });
            }
        }
    }
    out
}

/// A nested block (`statement`, `principals`, `condition`), or the `content` of a `dynamic` block
/// of that kind, and whether it is there.
struct Nested<'b> {
    block: &'b Block,
    /// A `dynamic` block whose `for_each` only Terraform knows (its span): there or not. A literal
    /// `for_each` writes the content once or more (one, to IAM), or not at all.
    maybe: Option<Span>,
}

fn nested<'b>(scope: &Scope, body: &'b Body, kind: &str) -> Vec<Nested<'b>> {
    body.blocks
        .iter()
        .filter_map(|b| {
            if b.kind == kind {
                return Some(Nested {
                    block: b,
                    maybe: None,
                });
            }
            if b.kind != "dynamic" || b.label(0) != Some(kind) {
                return None;
            }
            let block = b.body.blocks("content").next()?;
            let for_each = b.body.attribute("for_each");
            // Written empty, the block is not there; empty from a variable's default, it is there
            // when a caller sets the variable.
            let written = for_each.is_some_and(|a| is_literal(&a.value));
            let maybe = match for_each.map(|a| scope.node(&a.value).value) {
                Some(Value::Array(items)) if items.is_empty() && written => return None,
                Some(Value::Object(entries)) if entries.is_empty() && written => return None,
                Some(Value::Array(items)) if !items.is_empty() => None,
                Some(Value::Object(entries)) if !entries.is_empty() => None,
                _ => Some(for_each.map_or(b.span, |a| a.value.span)),
            };
            Some(Nested { block, maybe })
        })
        .collect()
}

/// A value written out: literals, lists and objects of them, and `toset`/`tolist` of one.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) => true,
        ExprKind::Array(items) => items.iter().all(is_literal),
        ExprKind::Object(entries) => entries.iter().all(|(_, v)| is_literal(v)),
        ExprKind::Call { name, args, .. } => {
            matches!(name.as_str(), "toset" | "tolist" | "tomap") && args.iter().all(is_literal)
        }
        _ => false,
    }
}

/// A value Terraform may find null: wholly computed, or a conditional with a null branch. The
/// provider leaves a null attribute out.
fn may_be_null(node: &Node) -> bool {
    match node.intrinsic() {
        Some((crate::read::syntax::COMPUTED, inner)) => inner.as_str() == Some("*"),
        Some(("Fn::If", args)) => args.as_array().is_some_and(|a| {
            a.iter()
                .skip(1)
                .any(|b| b.value == Value::Null || may_be_null(b))
        }),
        _ => false,
    }
}

/// Of a field and its negation both written, the one that may be null gives way: Terraform
/// modules write both from one object (`actions = s.actions`, `not_actions = s.not_actions`), and
/// only one is set.
fn one_of(entries: &mut Vec<Entry>, positive: &str, negative: &str) {
    let at = |entries: &[Entry], key: &str| entries.iter().position(|e| e.key == key);
    let (Some(p), Some(n)) = (at(entries, positive), at(entries, negative)) else {
        return;
    };
    if may_be_null(&entries[n].value) {
        entries.remove(n);
    } else if may_be_null(&entries[p].value) {
        entries.remove(p);
    }
}

/// A value only known when Terraform runs, spanning `span`.
fn unknown(span: Span) -> Node {
    let star = Node {
        value: Value::String("*".into()),
        span,
    };
    Node {
        value: Value::Tagged(crate::read::syntax::COMPUTED.into(), Box::new(star)),
        span,
    }
}

/// One `statement` block as IAM JSON. A statement a `dynamic` block may or may not write holds
/// only under a condition orb-scan cannot decide: its `for_each`.
fn statement(scope: &Scope, s: &Nested) -> Node {
    let block = s.block;
    let body = &block.body;
    let mut entries = Vec::new();
    let fields = [
        ("sid", "Sid"),
        ("effect", "Effect"),
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ];
    for (attribute, key) in fields {
        match body.attribute(attribute) {
            Some(a) if a.value.kind != ExprKind::Null => {
                entries.push(entry(key, a.key_span, scope.node(&a.value)))
            }
            _ if key == "Effect" => {
                // The provider's default.
                let word = Node {
                    value: Value::String("Allow".into()),
                    span: block.kind_span,
                };
                entries.push(entry(key, block.kind_span, word));
            }
            _ => {}
        }
    }
    for (kind, key) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(p) = principals(scope, body, kind) {
            entries.push(p.with_key(key));
        }
    }
    one_of(&mut entries, "Action", "NotAction");
    one_of(&mut entries, "Resource", "NotResource");
    one_of(&mut entries, "Principal", "NotPrincipal");
    match (s.maybe, conditions(scope, body)) {
        (Some(for_each), c) => entries.push(entry(
            "Condition",
            c.map_or(for_each, |c| c.key_span),
            unknown(for_each),
        )),
        (None, Some(c)) => entries.push(c),
        (None, None) => {}
    }
    Node {
        value: Value::Object(entries),
        span: block.span,
    }
}

trait WithKey {
    fn with_key(self, key: &str) -> Entry;
}

impl WithKey for Entry {
    fn with_key(mut self, key: &str) -> Entry {
        self.key = key.into();
        self
    }
}

/// `principals { type = "Service" identifiers = [...] }` blocks as `{"Service": [...]}`; a lone
/// `type = "*"` with `identifiers = ["*"]` is `"*"`, as the provider writes it.
fn principals(scope: &Scope, body: &Body, kind: &str) -> Option<Entry> {
    let found = nested(scope, body, kind);
    let first = found.first()?.block;
    let span = Span {
        start: first.span.start,
        end: found.last().map_or(first.span.end, |b| b.block.span.end),
    };
    // Principals that may not be there, or of a type only Terraform knows: only known when it runs.
    let known_type = |b: &Block| {
        b.body
            .attribute("type")
            .and_then(|t| scope.pattern(&t.value))
            .is_some_and(|(_, computed)| !computed)
    };
    if found
        .iter()
        .any(|n| n.maybe.is_some() || !known_type(n.block))
    {
        return Some(entry(kind, first.kind_span, unknown(span)));
    }
    let blocks: Vec<&Block> = found.iter().map(|n| n.block).collect();
    let mut by_type: Vec<Entry> = Vec::new();
    for b in &blocks {
        let Some(ty) = b.body.attribute("type") else {
            continue;
        };
        let ty_text = scope.pattern_or_any(&ty.value).0;
        let identifiers = b
            .body
            .attribute("identifiers")
            .map(|a| scope.node(&a.value))
            .unwrap_or(Node {
                value: Value::Array(Vec::new()),
                span: b.span,
            });
        if blocks.len() == 1 && ty_text == "*" {
            let is_any = identifiers
                .strings()
                .iter()
                .all(|n| n.as_str() == Some("*"));
            if is_any {
                let node = identifiers
                    .strings()
                    .first()
                    .cloned()
                    .unwrap_or(identifiers);
                return Some(entry(kind, first.kind_span, node));
            }
        }
        match by_type.iter_mut().find(|e| e.key == ty_text.as_str()) {
            Some(e) => append(&mut e.value, identifiers),
            None => by_type.push(entry(&ty_text, ty.value.span, identifiers)),
        }
    }
    Some(entry(
        kind,
        first.kind_span,
        Node {
            value: Value::Object(by_type),
            span,
        },
    ))
}

/// Adds `more`'s items to `list`, making it a list.
fn append(list: &mut Node, more: Node) {
    let mut items = match std::mem::replace(&mut list.value, Value::Null) {
        Value::Array(items) => items,
        other => vec![Node {
            value: other,
            span: list.span,
        }],
    };
    match more.value {
        Value::Array(more) => items.extend(more),
        other => items.push(Node {
            value: other,
            span: more.span,
        }),
    }
    list.value = Value::Array(items);
}

/// `condition { test variable values }` blocks as `{"StringEquals": {"key": [...]}}`.
fn conditions(scope: &Scope, body: &Body) -> Option<Entry> {
    let found = nested(scope, body, "condition");
    let first = found.first()?.block;
    let span = Span {
        start: first.span.start,
        end: found.last().map_or(first.span.end, |b| b.block.span.end),
    };
    // Conditions that may not be there, or whose operator or key only Terraform knows.
    let known = |b: &Block, key: &str| {
        b.body
            .attribute(key)
            .and_then(|t| scope.pattern(&t.value))
            .is_some_and(|(_, computed)| !computed)
    };
    if found
        .iter()
        .any(|n| n.maybe.is_some() || !known(n.block, "test") || !known(n.block, "variable"))
    {
        return Some(entry("Condition", first.kind_span, unknown(span)));
    }
    let blocks: Vec<&Block> = found.iter().map(|n| n.block).collect();
    let mut tests: Vec<Entry> = Vec::new();
    for b in &blocks {
        let (Some(test), Some(variable)) = (b.body.attribute("test"), b.body.attribute("variable"))
        else {
            continue;
        };
        let values = b
            .body
            .attribute("values")
            .map(|a| scope.node(&a.value))
            .unwrap_or(Node {
                value: Value::Array(Vec::new()),
                span: b.span,
            });
        let test_text = scope.pattern_or_any(&test.value).0;
        let variable_text = scope.pattern_or_any(&variable.value).0;
        let at = match tests.iter().position(|e| e.key == test_text.as_str()) {
            Some(at) => at,
            None => {
                tests.push(entry(
                    &test_text,
                    test.value.span,
                    Node {
                        value: Value::Object(Vec::new()),
                        span: b.span,
                    },
                ));
                tests.len() - 1
            }
        };
        let Value::Object(keys) = &mut tests[at].value.value else {
            continue;
        };
        match keys.iter_mut().find(|e| e.key == variable_text.as_str()) {
            Some(e) => append(&mut e.value, values),
            None => keys.push(entry(&variable_text, variable.value.span, values)),
        }
    }
    Some(entry(
        "Condition",
        first.kind_span,
        Node {
            value: Value::Object(tests),
            span,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terraform::{eval::Scope, module::Module, read};

    /// The data source `d` of `text` as the IAM JSON it writes.
    fn document(text: &str) -> Node {
        let file = read(&"m/main.tf".into(), text).unwrap().unwrap();
        let module = Module::single(&file);
        let scope = Scope::new(&module, &file);
        let block = module.data_document("d").unwrap().1;
        pieces(&scope, block).remove(0).node
    }

    fn statements(doc: &Node) -> Vec<Vec<(&str, String)>> {
        doc.get("Statement")
            .unwrap()
            .strings()
            .iter()
            .map(|s| {
                s.as_object()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let value = match e.value.pattern_text() {
                            Some((t, true)) => format!("computed {t}"),
                            Some((t, false)) => t.to_string(),
                            None => e.value.type_name().to_string(),
                        };
                        (e.key.as_str(), value)
                    })
                    .collect()
            })
            .collect()
    }

    /// A `dynamic` block written with a literal `for_each` is there (or not, when empty); one
    /// whose `for_each` only Terraform knows holds under a condition orb-scan cannot decide; of
    /// `actions` and `not_actions` both set from an object, the one that may be null gives way.
    #[test]
    fn dynamic_statements_are_there_or_possibly_there() {
        let text = r#"
variable "statements" { default = {} }
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = toset(["a"])
    content {
      actions   = ["s3:GetObject"]
      resources = ["*"]
    }
  }
  dynamic "statement" {
    for_each = []
    content {
      actions = ["s3:PutObject"]
    }
  }
  dynamic "statement" {
    for_each = var.statements
    content {
      actions     = ["s3:ListBucket"]
      not_actions = try(statement.value.not_actions, null)
      resources   = ["*"]
      not_resources = null
    }
  }
}
"#;
        let doc = document(text);
        assert_eq!(
            statements(&doc),
            [
                vec![
                    ("Effect", "Allow".to_string()),
                    ("Action", "an array".into()),
                    ("Resource", "an array".into()),
                ],
                vec![
                    ("Effect", "Allow".to_string()),
                    ("Action", "an array".into()),
                    ("Resource", "an array".into()),
                    ("Condition", "computed *".into()),
                ],
            ]
        );
        let condition = doc.get("Statement").unwrap().strings()[1]
            .get("Condition")
            .unwrap();
        assert_eq!(&text[condition.span.range()], "var.statements");
    }

    /// Principals or conditions a `dynamic` block may write, or whose type, operator or key only
    /// Terraform knows, are computed as a whole: never a principal type or operator named `*`.
    #[test]
    fn computed_principals_and_conditions_are_computed_whole() {
        let text = r#"
data "aws_iam_policy_document" "d" {
  statement {
    actions = ["sqs:SendMessage"]
    dynamic "principals" {
      for_each = var.principals
      content {
        type        = principals.value.type
        identifiers = principals.value.identifiers
      }
    }
    condition {
      test     = var.test
      variable = "aws:SourceArn"
      values   = ["x"]
    }
  }
}
"#;
        assert_eq!(
            statements(&document(text)),
            [vec![
                ("Effect", "Allow".to_string()),
                ("Action", "an array".into()),
                ("Principal", "computed *".into()),
                ("Condition", "computed *".into()),
            ]]
        );
    }
}
