//! Terraform's JSON syntax (`.tf.json`, what CDK for Terraform writes): the blocks and attributes of
//! a `.tf` file written as JSON objects, read with orb-scan's JSON reader into the HCL reader's tree,
//! so the module links as any other. JSON does not say which keys are nested blocks: as Terraform
//! does with the provider's schema, the keys IAM needs (`statement`, `principals`, `condition`,
//! `inline_policy`, `dynamic`, `content`) are blocks, and every other key is an attribute. A string
//! is a template, as in Terraform: `"${data.aws_iam_policy_document.orb.json}"` is a reference, and
//! each of its spans points at its text in the file, escapes or not.

use crate::base::span::Span;
use crate::read::syntax::hcl::{self, Attribute, Block, Body, Expr, ExprKind, Key, Label, Part};
use crate::read::syntax::{json, Node, ParseError, Text, Value};

/// Top-level block types and how many labels each has.
const TOP_LEVEL: &[(&str, usize)] = &[
    ("resource", 2),
    ("data", 2),
    ("variable", 1),
    ("module", 1),
    ("output", 1),
];

/// The nested blocks of a block's body, by the block's type.
fn nested_blocks(kind: &str) -> &'static [&'static str] {
    match kind {
        "resource" | "data" => &["inline_policy", "statement", "dynamic"],
        "statement" => &["principals", "not_principals", "condition", "dynamic"],
        _ => &[],
    }
}

/// Reads a `.tf.json` file.
pub fn parse(text: &str) -> Result<Body, ParseError> {
    let root = json::parse(text)?.root;
    let mut body = Body::default();
    let Value::Object(entries) = &root.value else {
        return Err(ParseError {
            span: root.span,
            message: "a Terraform JSON file is an object of block types".into(),
        });
    };
    for e in entries {
        let Some(&(kind, labels)) = TOP_LEVEL.iter().find(|(k, _)| *k == e.key.as_str()) else {
            continue;
        };
        let mut seen = Vec::new();
        blocks(
            text,
            kind,
            e.key_span,
            &e.value,
            labels,
            kind,
            &mut seen,
            &mut body.blocks,
        );
    }
    Ok(body)
}

/// The blocks of `kind` under `node`: `labels` more levels of objects keyed by label, then a body
/// (an object, or a list of them for blocks that repeat) whose nested blocks are `context`'s.
#[allow(clippy::too_many_arguments)]
fn blocks(
    text: &str,
    kind: &str,
    kind_span: Span,
    node: &Node,
    labels: usize,
    context: &str,
    seen: &mut Vec<Label>,
    out: &mut Vec<Block>,
) {
    if labels > 0 {
        for e in node.as_object().unwrap_or(&[]) {
            if e.key == "//" {
                continue;
            }
            seen.push(Label {
                text: e.key.clone(),
                span: e.key_span,
            });
            let context = if kind == "dynamic" {
                e.key.as_str()
            } else {
                context
            };
            blocks(
                text,
                kind,
                kind_span,
                &e.value,
                labels - 1,
                context,
                seen,
                out,
            );
            seen.pop();
        }
        return;
    }
    for body in node.strings().iter().filter(|b| b.is_object()) {
        out.push(Block {
            kind: kind.into(),
            kind_span,
            labels: seen.clone(),
            body: body_of(text, kind, context, body),
            span: body.span,
        });
    }
}

/// A block's body: `kind` is its type, `context` whose nested blocks it holds (a `dynamic`
/// block's label for the `dynamic` block and its `content`).
fn body_of(text: &str, kind: &str, context: &str, node: &Node) -> Body {
    let nested: &[&str] = match kind {
        "dynamic" => &["content"],
        _ => nested_blocks(context),
    };
    let mut body = Body::default();
    for e in node.as_object().unwrap_or(&[]) {
        if e.key == "//" {
            continue;
        }
        if !nested.contains(&e.key.as_str()) {
            body.attributes.push(Attribute {
                key: e.key.clone(),
                key_span: e.key_span,
                value: expr(text, &e.value),
            });
            continue;
        }
        // `"dynamic": {"statement": {"for_each": ..., "content": {...}}}` has a label.
        let labels = usize::from(e.key == "dynamic");
        let context = if e.key == "content" {
            context
        } else {
            e.key.as_str()
        };
        let mut found = Vec::new();
        blocks(
            text,
            &e.key,
            e.key_span,
            &e.value,
            labels,
            context,
            &mut Vec::new(),
            &mut found,
        );
        body.blocks.extend(found);
    }
    body
}

/// A JSON value as the expression Terraform reads it as: strings are templates.
fn expr(text: &str, node: &Node) -> Expr {
    let span = node.span;
    let kind = match &node.value {
        Value::Null => ExprKind::Null,
        Value::Bool(b) => ExprKind::Bool(*b),
        Value::Number(n) => ExprKind::Number(n.clone()),
        Value::Array(items) => ExprKind::Array(items.iter().map(|i| expr(text, i)).collect()),
        Value::Object(entries) => ExprKind::Object(
            entries
                .iter()
                .filter(|e| e.key != "//")
                .map(|e| {
                    let computed = e.key.contains("${");
                    let key = Key {
                        text: (!computed).then(|| e.key.clone()),
                        span: e.key_span,
                    };
                    (key, expr(text, &e.value))
                })
                .collect(),
        ),
        Value::String(s) => return string(text, s, span),
        Value::Tagged(..) => ExprKind::Other,
    };
    Expr { kind, span }
}

/// A JSON string as a template: its literal text, or its interpolations and directives with each
/// span moved onto the bytes that wrote it.
fn string(text: &str, value: &Text, span: Span) -> Expr {
    if !value.contains("${") && !value.contains("%{") {
        return Expr {
            kind: ExprKind::String(value.clone()),
            span,
        };
    }
    let inner = Span::new(
        span.start as usize + 1,
        (span.end as usize)
            .saturating_sub(1)
            .max(span.start as usize + 1),
    );
    let Ok(mut template) = hcl::parse_template(value) else {
        return Expr {
            kind: ExprKind::Other,
            span,
        };
    };
    // Where each decoded byte was written; everything at the string when that cannot be told.
    let raw = text.get(inner.range()).unwrap_or("");
    let at = match decoded_offsets(raw) {
        Some((decoded, offsets)) if decoded == value.as_str() => offsets,
        _ => vec![0; value.len() + 1],
    };
    let exact = at.len() == value.len() + 1 && at.last() == Some(&(raw.len() as u32));
    template.map_spans(&|s: Span| {
        if exact {
            let to = |o: u32| inner.start + at.get(o as usize).copied().unwrap_or(0);
            Span {
                start: to(s.start),
                end: to(s.end),
            }
        } else {
            span
        }
    });
    template.body = inner;
    template.heredoc = false;
    if let [Part::Literal(s, _)] = template.parts.as_slice() {
        return Expr {
            kind: ExprKind::String(s.clone()),
            span,
        };
    }
    Expr {
        kind: ExprKind::Template(template),
        span,
    }
}

/// A JSON string's text (between its quotes) decoded, with the offset in it of each decoded byte,
/// and of the end; `None` when it is not well formed (the JSON reader has accepted it, so never).
fn decoded_offsets(raw: &str) -> Option<(String, Vec<u32>)> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut offsets = Vec::with_capacity(raw.len() + 1);
    let mut i = 0;
    let hex = |at: usize| -> Option<u32> {
        u32::from_str_radix(std::str::from_utf8(bytes.get(at..at + 4)?).ok()?, 16).ok()
    };
    while i < bytes.len() {
        let start = i;
        let c = if bytes[i] == b'\\' {
            let (c, used) = match *bytes.get(i + 1)? {
                b'"' => ('"', 2),
                b'\\' => ('\\', 2),
                b'/' => ('/', 2),
                b'b' => ('\u{8}', 2),
                b'f' => ('\u{c}', 2),
                b'n' => ('\n', 2),
                b'r' => ('\r', 2),
                b't' => ('\t', 2),
                b'u' => {
                    let hi = hex(i + 2)?;
                    if (0xD800..0xDC00).contains(&hi) && bytes.get(i + 6..i + 8) == Some(b"\\u") {
                        let lo = hex(i + 8)?;
                        (
                            char::from_u32(
                                0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?),
                            )?,
                            12,
                        )
                    } else {
                        (char::from_u32(hi)?, 6)
                    }
                }
                _ => return None,
            };
            i += used;
            c
        } else {
            let c = raw[i..].chars().next()?;
            i += c.len_utf8();
            c
        };
        out.push(c);
        offsets.extend(std::iter::repeat_n(start as u32, c.len_utf8()));
    }
    offsets.push(bytes.len() as u32);
    Some((out, offsets))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{
  "//": "written by cdktf",
  "resource": {
    "aws_iam_role": {
      "orb": {
        "name": "orb-controller",
        "assume_role_policy": "${jsonencode({\"Statement\" = [{\"Action\" = \"sts:AssumeRole\"}]})}",
        "inline_policy": [{"name": "a", "policy": "${data.aws_iam_policy_document.orb.json}"}]
      }
    }
  },
  "data": {
    "aws_iam_policy_document": {
      "orb": {
        "statement": [
          {"actions": ["ec2:CreateFleet"], "resources": ["arn:${var.p}:ec2:*:*:fleet/*"],
           "principals": {"type": "Service", "identifiers": ["ec2.amazonaws.com"]}}
        ],
        "dynamic": {"statement": {"for_each": "${var.extra}", "content": {"actions": ["s3:GetObject"],
          "condition": [{"test": "StringEquals", "variable": "aws:username", "values": ["$${aws:username}"]}]}}}
      }
    }
  },
  "variable": {"p": {"default": "aws"}},
  "locals": {"x": 1}
}"#;

    fn at(span: Span) -> &'static str {
        &TEXT[span.range()]
    }

    #[test]
    fn blocks_attributes_and_templates_keep_their_spans() {
        let body = parse(TEXT).unwrap();
        let kinds: Vec<(&str, Vec<&str>)> = body
            .blocks
            .iter()
            .map(|b| {
                (
                    b.kind.as_str(),
                    b.labels.iter().map(|l| l.text.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("resource", vec!["aws_iam_role", "orb"]),
                ("data", vec!["aws_iam_policy_document", "orb"]),
                ("variable", vec!["p"]),
            ]
        );
        let role = &body.blocks[0];
        assert_eq!(
            role.body.attribute("name").unwrap().value.as_str(),
            Some("orb-controller")
        );
        let ExprKind::Template(t) = &role
            .body
            .attribute("assume_role_policy")
            .unwrap()
            .value
            .kind
        else {
            panic!("a template")
        };
        let Part::Interpolation(call, s) = &t.parts[0] else {
            panic!("an interpolation")
        };
        assert!(at(*s).starts_with("${jsonencode({\\\"Statement\\\""));
        let ExprKind::Call { args, .. } = &call.kind else {
            panic!("a call")
        };
        let ExprKind::Object(entries) = &args[0].kind else {
            panic!("an object")
        };
        // Spans behind escapes are the escaped text.
        assert_eq!(at(entries[0].0.span), "\\\"Statement\\\"");
        let inline = role.body.blocks("inline_policy").next().unwrap();
        let ExprKind::Template(t) = &inline.body.attribute("policy").unwrap().value.kind else {
            panic!("a template")
        };
        let Part::Interpolation(reference, _) = &t.parts[0] else {
            panic!("an interpolation")
        };
        assert_eq!(at(reference.span), "data.aws_iam_policy_document.orb.json");

        let data = &body.blocks[1];
        let statement = data.body.blocks("statement").next().unwrap();
        assert_eq!(statement.body.blocks("principals").count(), 1);
        let dynamic = data.body.blocks("dynamic").next().unwrap();
        assert_eq!(dynamic.label(0), Some("statement"));
        let content = dynamic.body.blocks("content").next().unwrap();
        let condition = content.body.blocks("condition").next().unwrap();
        let values = &condition.body.attribute("values").unwrap().value;
        let ExprKind::Array(items) = &values.kind else {
            panic!("a list")
        };
        assert_eq!(items[0].as_str(), Some("${aws:username}"));
        let mut spans = Vec::new();
        body.spans(&mut spans);
        assert!(spans.iter().all(|s| TEXT.get(s.range()).is_some()));
    }

    #[test]
    fn escapes_map_back_to_their_bytes() {
        let (decoded, offsets) = decoded_offsets(r#"a\"b\u00e9\ud83d\ude00c"#).unwrap();
        assert_eq!(decoded, "a\"bé😀c");
        assert_eq!(offsets, [0, 1, 3, 4, 4, 10, 10, 10, 10, 22, 23]);
        assert!(parse("[1]").is_err());
        assert!(parse("{\"resource\": ").is_err());
    }
}
