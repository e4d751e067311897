//! `data "aws_iam_policy_document"`: its `statement` blocks as the IAM JSON the provider writes, with
//! `source_json`/`source_policy_documents` under them and `override_policy_documents`/
//! `override_json` over them, merged as the provider merges them: a statement with a Sid replaces the
//! earlier one with the same Sid, any other is added. A `dynamic` block's content counts as present,
//! its iterator's values computed.

use super::eval::{PolicyValue, Scope};
use crate::diagnostic::FilePath;
use crate::iam::policy::Unread;
use crate::span::Span;
use crate::syntax::hcl::{Block, Body, Expr};
use crate::syntax::{Embedding, Entry, Node, Value};

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
    let own = statement_blocks(body)
        .map(|s| Statement {
            file: scope.file.path.clone(),
            node: statement(&scope, s),
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
        crate::syntax::hcl::ExprKind::Array(items) => items.iter().collect(),
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

/// `statement` blocks, and the `content` of `dynamic "statement"` blocks.
fn statement_blocks(body: &Body) -> impl Iterator<Item = &Block> {
    nested(body, "statement")
}

/// Blocks of a kind, with the content of `dynamic` blocks of that kind (present once or more).
fn nested<'b>(body: &'b Body, kind: &'b str) -> impl Iterator<Item = &'b Block> {
    body.blocks.iter().filter_map(move |b| {
        if b.kind == kind {
            Some(b)
        } else if b.kind == "dynamic" && b.label(0) == Some(kind) {
            b.body.blocks("content").next()
        } else {
            None
        }
    })
}

/// One `statement` block as IAM JSON.
fn statement(scope: &Scope, block: &Block) -> Node {
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
        if let Some(a) = body.attribute(attribute) {
            entries.push(entry(key, a.key_span, scope.node(&a.value)));
        } else if key == "Effect" {
            // The provider's default.
            let word = Node {
                value: Value::String("Allow".into()),
                span: block.kind_span,
            };
            entries.push(entry(key, block.kind_span, word));
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
    if let Some(c) = conditions(scope, body) {
        entries.push(c);
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
    let blocks: Vec<&Block> = nested(body, kind).collect();
    let first = blocks.first()?;
    let span = Span {
        start: first.span.start,
        end: blocks.last().map_or(first.span.end, |b| b.span.end),
    };
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
    let blocks: Vec<&Block> = nested(body, "condition").collect();
    let first = blocks.first()?;
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
    let span = Span {
        start: first.span.start,
        end: blocks.last().map_or(first.span.end, |b| b.span.end),
    };
    Some(entry(
        "Condition",
        first.kind_span,
        Node {
            value: Value::Object(tests),
            span,
        },
    ))
}
