//! One spanned tree type for JSON, YAML and TOML documents.

pub mod comments;
pub mod hcl;
pub mod json;
pub mod yaml;

use crate::base::span::Span;

/// Limits every reader enforces so hostile input cannot exhaust the stack or memory.
pub const MAX_DEPTH: usize = 128;

/// Text read from a document. Keys, actions and most values are short: up to 24 bytes are stored
/// inline, so the tree of a policy holds few heap allocations.
pub type Text = compact_str::CompactString;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's source text: policies compare numbers as strings.
    Number(Text),
    String(Text),
    Array(Vec<Node>),
    Object(Vec<Entry>),
    /// A YAML tag or a CloudFormation intrinsic (`!Sub`, `Fn::Sub`, `Ref`): opaque to the model.
    /// Tagged `COMPUTED`: a value only known when deployed (a Terraform reference), its string the
    /// glob that stands for it.
    Tagged(Text, Box<Node>),
}

/// How a policy document is written inside its file when not in the file's own syntax (a Terraform
/// file's `jsonencode` object, JSON in a heredoc, an `aws_iam_policy_document`): `--fix` writes
/// in that syntax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Embedding {
    #[default]
    Native,
    /// HCL object syntax (`jsonencode({...})`).
    Hcl,
    /// JSON text inside a Terraform template or heredoc, where `${` is written `$${`.
    JsonInTemplate,
    /// `data "aws_iam_policy_document"` blocks.
    DataSource,
}

/// The tag of a value known only when deployed, around the glob standing for it (`arn:*:s3:::*`).
pub const COMPUTED: &str = "Computed";

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Text,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A reader's failure: where, and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// A problem that does not stop the reader (duplicate keys).
#[derive(Clone, Debug, PartialEq)]
pub struct ParseWarning {
    pub span: Span,
    pub message: String,
    pub first: Span,
}

#[derive(Debug, PartialEq)]
pub struct Parsed {
    pub root: Node,
    pub warnings: Vec<ParseWarning>,
}

impl Entry {
    /// The whole entry, key through value.
    pub fn span(&self) -> Span {
        Span {
            start: self.key_span.start,
            end: self.value.span.end,
        }
    }
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// As `get`, to move values out of the tree.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Object(entries) => entries.iter_mut().rev().find(|e| e.key == key),
            _ => None,
        }
        .map(|e| &mut e.value)
    }

    /// The last entry with that key: JSON readers and ORB keep the last duplicate.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Object(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The first present key among aliases, in priority order.
    pub fn get_any<'a>(&'a self, keys: &[&str]) -> Option<&'a Entry> {
        keys.iter().find_map(|k| self.entry(k))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// `None`, `[]`, `{}` and `""` count as unset, as ORB's template merge does.
    pub fn is_unset(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        }
    }

    /// As `strings`, to move values out of the tree.
    pub fn strings_mut(&mut self) -> &mut [Node] {
        match self.value {
            Value::Array(ref mut items) => items,
            _ => std::slice::from_mut(self),
        }
    }

    /// A string, or each string of an array of strings: IAM's "one or many" fields.
    pub fn strings(&self) -> &[Node] {
        match &self.value {
            Value::Array(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Tagged(..) => "an intrinsic function",
        }
    }
}

impl Node {
    /// A CloudFormation intrinsic in either form: a YAML short-form tag (readers store it under its
    /// long name, `Fn::Sub`, `Ref`, `Condition`) or a one-key JSON object `{"Fn::Sub": ...}`/`{"Ref": ...}`.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match &self.value {
            Value::Tagged(tag, inner) => Some((tag.as_str(), inner)),
            Value::Object(entries) if entries.len() == 1 => {
                let e = &entries[0];
                (e.key == "Ref" || e.key == "Condition" || e.key.starts_with("Fn::"))
                    .then_some((e.key.as_str(), &e.value))
            }
            _ => None,
        }
    }

    /// A string value, or a glob standing for what an intrinsic will produce: `${...}` parts of a
    /// `Fn::Sub` and whole `Ref`/`Fn::GetAtt`/`Fn::Join` results become `*`. `None` for non-strings.
    pub fn pattern_text(&self) -> Option<(Text, bool)> {
        if let Value::String(s) = &self.value {
            return Some((s.clone(), false));
        }
        let (name, inner) = self.intrinsic()?;
        match name {
            COMPUTED => Some((inner.as_str().unwrap_or("*").into(), true)),
            "Fn::Sub" => {
                let template = match &inner.value {
                    Value::String(s) => s.as_str(),
                    Value::Array(items) => items.first()?.as_str()?,
                    _ => return Some(("*".into(), true)),
                };
                Some((substitute_unknowns(template).into(), true))
            }
            "Fn::Join" => {
                let items = inner.as_array()?;
                let sep = items.first()?.as_str().unwrap_or("");
                let parts = items.get(1)?.as_array();
                let joined = match parts {
                    Some(parts) => parts
                        .iter()
                        .map(|p| {
                            p.pattern_text()
                                .map(|(t, _)| t)
                                .unwrap_or_else(|| "*".into())
                        })
                        .collect::<Vec<_>>()
                        .join(sep),
                    None => "*".into(),
                };
                Some((joined.into(), true))
            }
            _ => Some(("*".into(), true)),
        }
    }
}

/// `arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}` → `arn:*:iam::*:role/*`; `${!Literal}` stays.
fn substitute_unknowns(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(lit) = after.strip_prefix('!') {
            out.push_str("${");
            rest = lit;
            continue;
        }
        match after.find('}') {
            Some(j) => {
                out.push('*');
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `get_mut` finds what `get` finds: the last of duplicate keys, nothing in a non-object.
    #[test]
    fn get_mut_finds_the_last_duplicate() {
        let mut root = json::parse(r#"{"a": 1, "b": 2, "a": [3]}"#)
            .expect("parses")
            .root;
        let span = root.get("a").map(|n| n.span);
        assert_eq!(root.get_mut("a").map(|n| n.span), span);
        assert!(root.get_mut("a").is_some_and(|n| n.as_array().is_some()));
        assert!(root.get_mut("c").is_none());
        let mut list = json::parse("[1]").expect("parses").root;
        assert!(list.get_mut("a").is_none());
    }

    #[test]
    fn sub_patterns() {
        assert_eq!(
            substitute_unknowns("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${R}"),
            "arn:*:iam::*:role/*"
        );
        assert_eq!(substitute_unknowns("a${!Literal}b"), "a${Literal}b");
        assert_eq!(substitute_unknowns("x${unclosed"), "x${unclosed");
    }
}
