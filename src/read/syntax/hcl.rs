//! HCL (Terraform `.tf`) read with `hcl-edit` into a small spanned tree of its own: blocks,
//! attributes and expressions, each with the byte range it came from. Values stay as written:
//! references, function calls and templates are kept for the Terraform layer to resolve, and what
//! it never resolves (`for` expressions, operators) is `Expr::Other`. hcl-edit limits nesting to 64
//! levels, so converting its tree cannot exhaust the stack.

use super::{ParseError, Text};
use crate::base::span::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Element, Template as HclTemplate};
use hcl_edit::Span as _;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub key: Text,
    pub key_span: Span,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// `resource`, `data`, `statement`, `dynamic`, ...
    pub kind: Text,
    pub kind_span: Span,
    pub labels: Vec<Label>,
    pub body: Body,
    /// The whole block, header through its closing brace.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: Text,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    /// The number as written.
    Number(Text),
    /// A string without interpolations, escapes decoded (`$${` is `${`).
    String(Text),
    Array(Vec<Expr>),
    Object(Vec<(Key, Expr)>),
    /// A quoted string with interpolations or directives, or a heredoc.
    Template(Template),
    /// `var.name`, `aws_iam_role.orb[0].arn`, `data.x.y.*.json`: a name and the steps after it.
    Reference(Text, Vec<Step>),
    Call {
        name: Text,
        args: Vec<Expr>,
        /// The last argument is expanded (`f(list...)`).
        expand_final: bool,
    },
    /// `cond ? then : else`.
    Conditional(Box<[Expr; 3]>),
    /// Anything else (`for` expressions, operators): only known when Terraform runs.
    Other,
}

/// An object key: an identifier or a string (`text`), or an expression (`None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub text: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Attr(Text),
    Index(Expr),
    /// `[*]` or `.*`.
    Splat,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub heredoc: bool,
    /// The template's text as written: inside the quotes, or a heredoc's lines (without its
    /// `<<EOT` header and closing delimiter).
    pub body: Span,
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Text, escapes decoded, with the bytes it was written in.
    Literal(Text, Span),
    /// `${expr}`, spanning `${` through `}`.
    Interpolation(Expr, Span),
    /// `%{if ...}` ... `%{endif}`: the directive's whole extent.
    Directive(Span),
}

/// Reads a `.tf` file.
pub fn parse(text: &str) -> Result<Body, ParseError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| error(text, &e))?;
    let whole = Span::new(0, text.len());
    Ok(convert_body(&body, whole))
}

/// Reads a Terraform template file (`templatefile()`): its text with `${}` and `%{}` sequences.
pub fn parse_template(text: &str) -> Result<Template, ParseError> {
    let template = hcl_edit::parser::parse_template(text).map_err(|e| error(text, &e))?;
    let whole = Span::new(0, text.len());
    Ok(Template {
        heredoc: true,
        body: whole,
        parts: parts(&template, whole),
    })
}

fn error(text: &str, e: &hcl_edit::parser::Error) -> ParseError {
    let at = crate::base::span::floor_char_boundary(text, e.location().offset().min(text.len()));
    ParseError {
        span: Span::new(at, at),
        message: e.message().to_string(),
    }
}

fn span_of(range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    range.map_or(fallback, |r| Span::new(r.start, r.end))
}

fn convert_body(body: &hcl_edit::structure::Body, parent: Span) -> Body {
    let mut out = Body::default();
    for structure in body.iter() {
        if let Some(a) = structure.as_attribute() {
            out.attributes.push(Attribute {
                key: a.key.as_str().into(),
                key_span: span_of(a.key.span(), parent),
                value: expr(&a.value, span_of(a.span(), parent)),
            });
        } else if let Some(b) = structure.as_block() {
            let span = span_of(b.span(), parent);
            out.blocks.push(Block {
                kind: b.ident.as_str().into(),
                kind_span: span_of(b.ident.span(), span),
                labels: b
                    .labels
                    .iter()
                    .map(|l| Label {
                        text: l.as_str().into(),
                        span: span_of(l.span(), span),
                    })
                    .collect(),
                body: convert_body(&b.body, span),
                span,
            });
        }
    }
    out
}

fn expr(e: &Expression, parent: Span) -> Expr {
    let span = span_of(e.span(), parent);
    let kind = match e {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(*b.value()),
        Expression::Number(n) => ExprKind::Number(n.value().to_string().into()),
        Expression::String(s) => ExprKind::String(s.value().as_str().into()),
        Expression::Array(items) => ExprKind::Array(items.iter().map(|i| expr(i, span)).collect()),
        Expression::Object(object) => ExprKind::Object(
            object
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => Key {
                            text: Some(i.as_str().into()),
                            span: span_of(i.span(), span),
                        },
                        ObjectKey::Expression(k) => Key {
                            text: match k {
                                Expression::String(s) => Some(s.value().as_str().into()),
                                // `(name) = ...`, `"${x}" = ...`: computed.
                                _ => None,
                            },
                            span: span_of(k.span(), span),
                        },
                    };
                    (key, expr(v.expr(), span))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => {
            let body = Span::new(span.start as usize + 1, (span.end as usize).max(1) - 1);
            ExprKind::Template(Template {
                heredoc: false,
                body: if body.start <= body.end { body } else { span },
                parts: parts(t, span),
            })
        }
        Expression::HeredocTemplate(h) => {
            let body = span_of(
                h.template.span(),
                Span::new(span.end as usize, span.end as usize),
            );
            ExprKind::Template(Template {
                heredoc: true,
                body,
                parts: parts(&h.template, body),
            })
        }
        Expression::Parenthesis(p) => return expr(p.inner(), span),
        Expression::Variable(v) => ExprKind::Reference(v.as_str().into(), Vec::new()),
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(root) => ExprKind::Reference(
                root.as_str().into(),
                t.operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::GetAttr(name) => Step::Attr(name.as_str().into()),
                        TraversalOperator::Index(i) => Step::Index(expr(i, span)),
                        TraversalOperator::LegacyIndex(i) => Step::Index(Expr {
                            kind: ExprKind::Number(i.value().to_string().into()),
                            span: span_of(op.span(), span),
                        }),
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                            Step::Splat
                        }
                    })
                    .collect(),
            ),
            _ => ExprKind::Other,
        },
        Expression::FuncCall(call) => ExprKind::Call {
            name: call.name.name.as_str().into(),
            args: call.args.iter().map(|a| expr(a, span)).collect(),
            expand_final: call.args.expand_final(),
        },
        Expression::Conditional(c) => ExprKind::Conditional(Box::new([
            expr(&c.cond_expr, span),
            expr(&c.true_expr, span),
            expr(&c.false_expr, span),
        ])),
        Expression::UnaryOp(_) | Expression::BinaryOp(_) | Expression::ForExpr(_) => {
            ExprKind::Other
        }
    };
    Expr { kind, span }
}

fn parts(template: &HclTemplate, parent: Span) -> Vec<Part> {
    template
        .iter()
        .map(|element| match element {
            Element::Literal(l) => {
                Part::Literal(l.value().as_str().into(), span_of(l.span(), parent))
            }
            Element::Interpolation(i) => {
                let span = span_of(i.span(), parent);
                Part::Interpolation(expr(&i.expr, span), span)
            }
            Element::Directive(d) => Part::Directive(span_of(d.span(), parent)),
        })
        .collect()
}

impl Body {
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.key == key)
    }

    pub fn blocks<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

impl Block {
    pub fn label(&self, i: usize) -> Option<&str> {
        self.labels.get(i).map(|l| l.text.as_str())
    }
}

impl Expr {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// Every span in this expression, for checks that they lie within the input.
    pub fn spans(&self, out: &mut Vec<Span>) {
        out.push(self.span);
        match &self.kind {
            ExprKind::Array(items) => items.iter().for_each(|i| i.spans(out)),
            ExprKind::Object(entries) => {
                for (k, v) in entries {
                    out.push(k.span);
                    v.spans(out);
                }
            }
            ExprKind::Template(t) => t.spans(out),
            ExprKind::Reference(_, steps) => {
                for s in steps {
                    if let Step::Index(i) = s {
                        i.spans(out);
                    }
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.spans(out)),
            ExprKind::Conditional(c) => c.iter().for_each(|e| e.spans(out)),
            _ => {}
        }
    }
}

impl Expr {
    /// Moves every span of this expression with `f` (text read from a decoded string, back onto
    /// the bytes that wrote it).
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.kind {
            ExprKind::Array(items) => items.iter_mut().for_each(|i| i.map_spans(f)),
            ExprKind::Object(entries) => {
                for (k, v) in entries {
                    k.span = f(k.span);
                    v.map_spans(f);
                }
            }
            ExprKind::Template(t) => t.map_spans(f),
            ExprKind::Reference(_, steps) => {
                for s in steps {
                    if let Step::Index(i) = s {
                        i.map_spans(f);
                    }
                }
            }
            ExprKind::Call { args, .. } => args.iter_mut().for_each(|a| a.map_spans(f)),
            ExprKind::Conditional(c) => c.iter_mut().for_each(|e| e.map_spans(f)),
            _ => {}
        }
    }
}

impl Template {
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        self.body = f(self.body);
        for p in &mut self.parts {
            match p {
                Part::Literal(_, s) | Part::Directive(s) => *s = f(*s),
                Part::Interpolation(e, s) => {
                    *s = f(*s);
                    e.map_spans(f);
                }
            }
        }
    }

    pub fn spans(&self, out: &mut Vec<Span>) {
        out.push(self.body);
        for p in &self.parts {
            match p {
                Part::Literal(_, s) | Part::Directive(s) => out.push(*s),
                Part::Interpolation(e, s) => {
                    out.push(*s);
                    e.spans(out);
                }
            }
        }
    }
}

impl Body {
    /// Every span in this body, for checks that they lie within the input.
    pub fn spans(&self, out: &mut Vec<Span>) {
        for a in &self.attributes {
            out.push(a.key_span);
            a.value.spans(out);
        }
        for b in &self.blocks {
            out.push(b.span);
            out.push(b.kind_span);
            out.extend(b.labels.iter().map(|l| l.span));
            b.body.spans(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"resource "aws_iam_role" "orb" {
  name = "a\u0062c$${aws:username}" # comment
  policy = jsonencode({ Statement = [{ Action = ["ec2:A", var.x], "R" = "arn:${var.a}:x" }] })
  doc = <<-EOT
    {"a": "${aws_iam_role.x.arn}"}
    EOT
  pick = var.a ? "x" : null
  ref = data.aws_iam_policy_document.x[0].json
  dynamic "statement" {
    content {
      a = (1)
    }
  }
}
"#;

    fn at(span: Span) -> &'static str {
        &TEXT[span.range()]
    }

    #[test]
    fn values_keep_their_spans() {
        let body = parse(TEXT).unwrap();
        let role = &body.blocks[0];
        assert_eq!(role.kind, "resource");
        assert_eq!(role.label(0), Some("aws_iam_role"));
        assert_eq!(at(role.labels[1].span), "\"orb\"");
        let name = role.body.attribute("name").unwrap();
        assert_eq!(name.value.as_str(), Some("abc${aws:username}"));
        assert_eq!(at(name.value.span), r#""a\u0062c$${aws:username}""#);
        let ExprKind::Call { name, args, .. } = &role.body.attribute("policy").unwrap().value.kind
        else {
            panic!("a call")
        };
        assert_eq!(name, "jsonencode");
        let ExprKind::Object(entries) = &args[0].kind else {
            panic!("an object")
        };
        assert_eq!(at(entries[0].0.span), "Statement");
        let ExprKind::Template(doc) = &role.body.attribute("doc").unwrap().value.kind else {
            panic!("a heredoc")
        };
        assert!(doc.heredoc);
        assert_eq!(at(doc.body), "    {\"a\": \"${aws_iam_role.x.arn}\"}\n");
        assert!(
            matches!(&doc.parts[1], Part::Interpolation(_, s) if at(*s) == "${aws_iam_role.x.arn}")
        );
        assert!(matches!(
            role.body.attribute("pick").unwrap().value.kind,
            ExprKind::Conditional(_)
        ));
        let ExprKind::Reference(root, steps) = &role.body.attribute("ref").unwrap().value.kind
        else {
            panic!("a reference")
        };
        assert_eq!(root, "data");
        assert_eq!(steps.len(), 4);
        let dynamic = role.body.blocks("dynamic").next().unwrap();
        assert_eq!(dynamic.label(0), Some("statement"));
        let mut spans = Vec::new();
        body.spans(&mut spans);
        assert!(spans.iter().all(|s| TEXT.get(s.range()).is_some()));
    }

    #[test]
    fn errors_point_into_the_text() {
        for text in ["resource \"a\" {", "x = <<EOT\nno end", "a = \"é", "= 1"] {
            let e = parse(text).unwrap_err();
            assert!(text.get(e.span.range()).is_some(), "{text:?}");
        }
        let deep = format!("a = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep).is_err());
    }
}
