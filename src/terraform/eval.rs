//! Terraform expressions as the policy model reads them, with the machinery CloudFormation's
//! intrinsics use: a value known only when deployed is `syntax::COMPUTED` (a `*` in a pattern, never
//! judged as a literal), `cond ? a : b` is an `Fn::If` that counts as both branches, references to the
//! module's own IAM resources become the ARN or name pattern they will have, and a `var.` with a
//! literal default in the module takes that default. Nothing else is guessed.

use super::module::Module;
use super::File;
use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::read::syntax::hcl::{Expr, ExprKind, Key, Part, Step, Template};
use crate::read::syntax::{json, Embedding, Entry, Node, Text, Value, COMPUTED};

/// References followed through other resources and data sources before giving up (a cycle, or a
/// chain no real module writes).
const MAX_DEPTH: usize = 16;

/// A policy document found in a value, in the file it is written in (a data source may merge
/// statements written in other files of the module).
#[derive(Clone, Debug)]
pub struct Piece {
    pub file: FilePath,
    pub node: Node,
    /// How the document is written, for `--fix`.
    pub form: Embedding,
    /// What it merges that orb-scan could not read (a data source's `source_policy_documents`).
    pub unread: Vec<crate::iam::policy::Unread>,
}

/// What a policy-valued attribute holds.
#[derive(Debug)]
pub enum PolicyValue {
    Read(Vec<Piece>),
    /// Not knowable without running Terraform: why.
    Unread(String),
}

/// Where an expression is evaluated: its module and file, and what its names mean.
#[derive(Clone, Copy)]
pub struct Scope<'m, 'a> {
    pub module: &'m Module<'a>,
    pub file: &'a File,
    /// Every module of the scan: a module's inputs are evaluated where its caller is.
    modules: &'m [Module<'a>],
    depth: usize,
    /// Inside an `aws_iam_policy_document`, where `&{aws:username}` is written for the IAM
    /// variable `${aws:username}`.
    data_source: bool,
}

/// A string value: its text (a glob where parts are computed), and whether any part is computed.
type Pattern = (String, bool);

fn computed(pattern: impl Into<Text>, span: Span) -> Node {
    Node {
        value: Value::Tagged(
            COMPUTED.into(),
            Box::new(Node {
                value: Value::String(pattern.into()),
                span,
            }),
        ),
        span,
    }
}

fn string_node((text, is_computed): Pattern, span: Span) -> Node {
    if is_computed {
        computed(text, span)
    } else {
        Node {
            value: Value::String(text.into()),
            span,
        }
    }
}

impl<'m, 'a> Scope<'m, 'a> {
    pub fn new(module: &'m Module<'a>, file: &'a File) -> Scope<'m, 'a> {
        Scope {
            module,
            file,
            modules: &[],
            depth: 0,
            data_source: false,
        }
    }

    /// The same scope, able to follow a module's inputs to the `module` blocks among `modules`
    /// that call it.
    pub fn within(self, modules: &'m [Module<'a>]) -> Scope<'m, 'a> {
        Scope { modules, ..self }
    }

    /// The same scope inside an `aws_iam_policy_document`.
    pub fn in_data_source(&self) -> Scope<'m, 'a> {
        Scope {
            data_source: true,
            ..*self
        }
    }

    /// The same scope in another file of the module, one reference deeper.
    fn at(&self, file: &'a File) -> Option<Scope<'m, 'a>> {
        self.in_module(self.module, file)
    }

    /// A scope in a file of another module, one reference deeper.
    fn in_module(&self, module: &'m Module<'a>, file: &'a File) -> Option<Scope<'m, 'a>> {
        (self.depth < MAX_DEPTH).then_some(Scope {
            module,
            file,
            modules: self.modules,
            depth: self.depth + 1,
            data_source: false,
        })
    }

    /// What `var.name` is in this module: the argument of the one `module` block that calls it
    /// (evaluated where that block is), else the variable's literal default. A module called from
    /// several places is several instances, whose inputs may differ: none is taken for it.
    fn input(&self, name: &str) -> Result<(Scope<'m, 'a>, &'a Expr), &'static str> {
        let callers = self.module.callers();
        let passed: Vec<_> = callers
            .iter()
            .filter_map(|c| Some((c, c.block.body.attribute(name)?)))
            .collect();
        match passed.as_slice() {
            [] => {}
            [(call, argument)] if callers.len() == 1 => {
                let folder = super::folder(&call.file.path);
                let caller = self
                    .modules
                    .iter()
                    .find(|m| m.folder == folder)
                    .ok_or("a module input whose caller orb-scan did not read")?;
                let scope = self
                    .in_module(caller, call.file)
                    .ok_or("references that go round in a circle")?;
                return Ok((scope, &argument.value));
            }
            _ => return Err("a module input set by several module calls, each its own instance"),
        }
        let (file, default) = self
            .module
            .variable(name)
            .ok_or("a variable without a default (or with a null one) in this module")?;
        Ok((
            self.at(file)
                .ok_or("references that go round in a circle")?,
            default,
        ))
    }

    fn literal(&self, s: &str) -> String {
        if self.data_source {
            s.replace("&{", "${")
        } else {
            s.to_string()
        }
    }

    /// A scalar's text as a pattern; `None` for lists, objects and null.
    pub fn pattern(&self, e: &Expr) -> Option<Pattern> {
        Some(match &e.kind {
            ExprKind::Null | ExprKind::Array(_) | ExprKind::Object(_) => return None,
            ExprKind::Bool(b) => (b.to_string(), false),
            ExprKind::Number(n) => (n.to_string(), false),
            ExprKind::String(s) => (self.literal(s), false),
            ExprKind::Template(t) => self.template_pattern(t),
            ExprKind::Reference(root, steps) => match self.reference(root, steps) {
                Some(node) => node.pattern_text().map(|(t, c)| (t.into(), c))?,
                None => ("*".into(), true),
            },
            ExprKind::Call { name, args, .. } => self.call_pattern(name, args),
            ExprKind::Conditional(_) | ExprKind::Other => ("*".into(), true),
        })
    }

    /// A pattern, `*` when the value is not a scalar.
    pub fn pattern_or_any(&self, e: &Expr) -> Pattern {
        self.pattern(e).unwrap_or(("*".into(), true))
    }

    fn template_pattern(&self, t: &Template) -> Pattern {
        let mut text = String::new();
        let mut any_computed = false;
        for part in &t.parts {
            match part {
                Part::Literal(s, _) => text.push_str(&self.literal(s)),
                Part::Interpolation(e, _) => {
                    let (p, c) = self.pattern_or_any(e);
                    text.push_str(&p);
                    any_computed |= c;
                }
                Part::Directive(_) => {
                    text.push('*');
                    any_computed = true;
                }
            }
        }
        (text, any_computed)
    }

    fn call_pattern(&self, name: &str, args: &[Expr]) -> Pattern {
        match (name, args) {
            ("format", [format, rest @ ..]) => {
                let Some((format, mut any_computed)) = self.pattern(format) else {
                    return ("*".into(), true);
                };
                let mut out = String::new();
                let mut values = rest.iter();
                let mut chars = format.chars().peekable();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    if chars.peek() == Some(&'%') {
                        chars.next();
                        out.push('%');
                        continue;
                    }
                    // A verb: flags and width, then a letter.
                    while chars.peek().is_some_and(|c| !c.is_ascii_alphabetic()) {
                        chars.next();
                    }
                    chars.next();
                    let (p, c) = values
                        .next()
                        .map_or(("*".into(), true), |v| self.pattern_or_any(v));
                    out.push_str(&p);
                    any_computed |= c;
                }
                (out, any_computed)
            }
            ("join", [separator, list]) => {
                let (Some((separator, c1)), Value::Array(items)) =
                    (self.pattern(separator), self.node(list).value)
                else {
                    return ("*".into(), true);
                };
                let mut any_computed = c1;
                let parts: Vec<String> = items
                    .iter()
                    .map(|n| {
                        let (t, c) = n.pattern_text().unwrap_or(("*".into(), true));
                        any_computed |= c;
                        t.into()
                    })
                    .collect();
                (parts.join(&separator), any_computed)
            }
            ("tostring" | "trimspace", [value]) => self.pattern_or_any(value),
            _ => ("*".into(), true),
        }
    }

    /// An expression as the spanned tree `jsonencode` would write: what cannot be known is
    /// computed, a conditional is an `Fn::If` of both branches.
    pub fn node(&self, e: &Expr) -> Node {
        let span = e.span;
        let value = match &e.kind {
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Number(n) => Value::Number(n.clone()),
            ExprKind::String(s) => Value::String(self.literal(s).into()),
            ExprKind::Array(items) => Value::Array(items.iter().map(|i| self.node(i)).collect()),
            ExprKind::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| self.entry(key, value))
                    .collect(),
            ),
            ExprKind::Template(t) => return string_node(self.template_pattern(t), span),
            ExprKind::Reference(root, steps) => {
                return match self.reference(root, steps) {
                    Some(node) => Node { span, ..node },
                    None => computed("*", span),
                }
            }
            ExprKind::Call { name, args, .. } => return self.call(name, args, span),
            ExprKind::Conditional(c) => {
                let [_, then, otherwise] = &**c;
                Value::Tagged(
                    "Fn::If".into(),
                    Box::new(Node {
                        value: Value::Array(vec![
                            computed("*", c[0].span),
                            self.node(then),
                            self.node(otherwise),
                        ]),
                        span,
                    }),
                )
            }
            ExprKind::Other => return computed("*", span),
        };
        Node { value, span }
    }

    fn entry(&self, key: &Key, value: &Expr) -> Entry {
        Entry {
            key: key
                .text
                .as_deref()
                .map_or_else(|| "*".into(), |k| self.literal(k).into()),
            key_span: key.span,
            value: self.node(value),
        }
    }

    /// The collection functions that keep their items' spans; any other call is computed.
    fn call(&self, name: &str, args: &[Expr], span: Span) -> Node {
        if name == "compact" {
            // `compact([c ? "logs:CreateLogGroup" : "", ...])`: empty strings and nulls go, and
            // a conditional item is its other branch.
            let mut list = self.call("concat", args, span);
            if let Value::Array(items) = &mut list.value {
                items.retain_mut(|item| match compacted(item) {
                    Some(kept) => {
                        *item = kept;
                        true
                    }
                    None => false,
                });
            }
            return list;
        }
        match name {
            "concat" | "flatten" | "compact" | "distinct" | "tolist" | "toset" | "sort"
            | "setunion" => {
                let mut items = Vec::new();
                for arg in args {
                    match self.node(arg) {
                        Node {
                            value: Value::Array(inner),
                            ..
                        } if name != "tolist" || args.len() == 1 => items.extend(inner),
                        other => items.push(other),
                    }
                }
                Node {
                    value: Value::Array(items),
                    span,
                }
            }
            "merge" => {
                let mut entries: Vec<Entry> = Vec::new();
                for arg in args {
                    match self.node(arg).value {
                        Value::Object(inner) => {
                            for e in inner {
                                entries.retain(|x| x.key != e.key);
                                entries.push(e);
                            }
                        }
                        _ => return computed("*", span),
                    }
                }
                Node {
                    value: Value::Object(entries),
                    span,
                }
            }
            _ => string_node(self.call_pattern(name, args), span),
        }
    }

    /// What a reference evaluates to, when the module says: a variable's literal default, or the
    /// name or ARN of one of its IAM resources (every `count`/`for_each` instance as one).
    fn reference(&self, root: &str, steps: &[Step]) -> Option<Node> {
        let attrs = attributes(steps);
        match (root, attrs.as_slice()) {
            ("var", [name]) if steps.len() == 1 => {
                let (scope, value) = self.input(name).ok()?;
                Some(scope.node(value))
            }
            ("data" | "var" | "local" | "module" | "each" | "count" | "path" | "self", _) => None,
            (ty, [name, attribute]) => {
                let scope = self.at(self.module.resource(ty, name)?.0)?;
                scope.module.resource_value(&scope, ty, name, attribute)
            }
            _ => None,
        }
    }

    /// The policy documents an attribute's value holds.
    pub fn policy(&self, e: &Expr) -> PolicyValue {
        match &e.kind {
            ExprKind::Call { name, args, .. } => self.policy_call(name, args, e),
            ExprKind::Template(t) => match single_interpolation(t) {
                Some(inner) => self.policy(inner),
                None => match json_in_template(&self.file.text, t, |e| self.node(e)) {
                    Ok(node) => self.piece(node, Embedding::JsonInTemplate),
                    Err(why) => PolicyValue::Unread(why),
                },
            },
            ExprKind::String(s) => match string_json(&self.file.text, s, e.span) {
                Ok(node) => self.piece(node, Embedding::JsonInTemplate),
                Err(why) => PolicyValue::Unread(why),
            },
            ExprKind::Reference(root, steps) => self.policy_reference(root, steps, e),
            ExprKind::Conditional(c) => {
                // Both branches may be the document: each counts.
                let mut pieces = Vec::new();
                let mut unread = Vec::new();
                for branch in &c[1..] {
                    match self.policy(branch) {
                        PolicyValue::Read(p) => pieces.extend(p),
                        PolicyValue::Unread(why) => unread.push(why),
                    }
                }
                match (pieces.is_empty(), unread.into_iter().next()) {
                    (true, Some(why)) => PolicyValue::Unread(why),
                    _ => PolicyValue::Read(pieces),
                }
            }
            ExprKind::Null => PolicyValue::Read(Vec::new()),
            _ => PolicyValue::Unread(format!(
                "`{}` is computed when Terraform runs",
                self.source(e)
            )),
        }
    }

    fn piece(&self, node: Node, form: Embedding) -> PolicyValue {
        PolicyValue::Read(vec![Piece {
            file: self.file.path.clone(),
            node,
            form,
            unread: Vec::new(),
        }])
    }

    /// The expression as written, shortened for a message.
    pub fn source(&self, e: &Expr) -> String {
        let text = self.file.text.get(e.span.range()).unwrap_or("");
        let line = text.lines().next().unwrap_or("");
        if line.len() < text.len() || line.chars().count() > 60 {
            let short: String = line.chars().take(60).collect();
            format!("{short}...")
        } else {
            line.to_string()
        }
    }

    fn policy_call(&self, name: &str, args: &[Expr], e: &Expr) -> PolicyValue {
        match (name, args) {
            ("jsonencode", [value]) => self.piece(self.node(value), Embedding::Hcl),
            ("file" | "templatefile", [path, rest @ ..]) => {
                self.policy_file(name, path, rest.first(), e)
            }
            // `join("", data.x.*.json)` (count), `one(...)`, `element(..., 0)`: every instance as one.
            ("join", [_, list])
            | ("one" | "tostring" | "element" | "coalesce" | "try", [list, ..]) => {
                match &list.kind {
                    ExprKind::Array(items) => {
                        let mut pieces = Vec::new();
                        for item in items {
                            match self.policy(item) {
                                PolicyValue::Read(p) => pieces.extend(p),
                                unread => return unread,
                            }
                        }
                        PolicyValue::Read(pieces)
                    }
                    _ => self.policy(list),
                }
            }
            _ => PolicyValue::Unread(format!(
                "`{}`: orb-scan does not evaluate `{name}()`",
                self.source(e)
            )),
        }
    }

    fn policy_reference(&self, root: &str, steps: &[Step], e: &Expr) -> PolicyValue {
        let attrs = attributes(steps);
        let why = match (root, attrs.as_slice()) {
            ("data", [super::POLICY_DOCUMENT, name, "json" | "minified_json"]) => {
                if let Some((file, block)) = self.module.data_document(name) {
                    if let Some(scope) = self.at(file) {
                        return PolicyValue::Read(super::document::pieces(&scope, block));
                    }
                }
                "a policy document this module does not define"
            }
            ("var", [name]) => match self.input(name) {
                Ok((scope, value)) => return scope.policy(value),
                Err(why) => why,
            },
            ("local", _) => "a local value",
            ("module", _) => "a module's output",
            ("each" | "count", _) => "a value of each instance",
            (ty, [name, attribute]) => match self.module.resource(ty, name) {
                Some((file, block)) => match self.at(file) {
                    Some(scope) => match block.body.attribute(attribute) {
                        Some(a) if super::attributes::of_type(ty).any(|p| p.path == *attribute) => {
                            return scope.policy(&a.value)
                        }
                        _ => "an attribute known only once the resource exists",
                    },
                    None => "references that go round in a circle",
                },
                None => "a resource this module does not define",
            },
            _ => "a value known only when Terraform runs",
        };
        PolicyValue::Unread(format!("`{}` is {why}", self.source(e)))
    }

    /// `file("${path.module}/policy.json")` and `templatefile(...)` of a file in the repository.
    fn policy_file(&self, name: &str, path: &Expr, vars: Option<&Expr>, e: &Expr) -> PolicyValue {
        let Some(shown) = self.module_path(path) else {
            return PolicyValue::Unread(format!(
                "`{}` names a file outside the module orb-scan cannot place",
                self.source(e)
            ));
        };
        let text = match self.module.read_file(&shown) {
            Ok(text) => text,
            Err(why) => return PolicyValue::Unread(format!("`{}`: {why}", self.source(e))),
        };
        let file: FilePath = shown.as_str().into();
        let node = if name == "file" {
            json::parse(&text)
                .map(|p| p.root)
                .map_err(|e| format!("{shown} is not JSON: {}", e.message))
        } else {
            let vars: Vec<(&str, &Expr)> = match vars.map(|v| &v.kind) {
                Some(ExprKind::Object(entries)) => entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.text.as_deref()?, v)))
                    .collect(),
                _ => Vec::new(),
            };
            crate::read::syntax::hcl::parse_template(&text)
                .map_err(|e| format!("{shown}: {}", e.message))
                .and_then(|t| {
                    json_in_template(&text, &t, |inner| match &inner.kind {
                        ExprKind::Reference(name, steps) if steps.is_empty() => {
                            vars.iter().find(|(k, _)| k == name).map_or_else(
                                || computed("*", inner.span),
                                |(_, v)| {
                                    // The value is written in the `.tf` file: only its text moves.
                                    let node = self.node(v);
                                    let pattern = node.pattern_text().unwrap_or(("*".into(), true));
                                    string_node((pattern.0.into(), pattern.1), inner.span)
                                },
                            )
                        }
                        _ => computed("*", inner.span),
                    })
                })
        };
        match node {
            Ok(node) => PolicyValue::Read(vec![Piece {
                file,
                node,
                form: if name == "file" {
                    Embedding::Native
                } else {
                    Embedding::JsonInTemplate
                },
                unread: Vec::new(),
            }]),
            Err(why) => PolicyValue::Unread(why),
        }
    }

    /// A path argument as shown from the scan root: `${path.module}/x.json` or a path relative to
    /// the module folder, never above the scan root.
    fn module_path(&self, path: &Expr) -> Option<String> {
        let relative = match &path.kind {
            ExprKind::String(s) => s.to_string(),
            ExprKind::Template(t) => {
                let mut out = String::new();
                for part in &t.parts {
                    match part {
                        Part::Literal(s, _) => out.push_str(s),
                        Part::Interpolation(
                            Expr {
                                kind: ExprKind::Reference(root, steps),
                                ..
                            },
                            _,
                        ) if root == "path"
                            && matches!(steps.as_slice(), [Step::Attr(a)] if a == "module") =>
                        {
                            out.push('.')
                        }
                        _ => return None,
                    }
                }
                out
            }
            _ => return None,
        };
        super::module::relative_folder(&self.module.folder, &relative).filter(|p| !p.is_empty())
    }
}

/// The attribute names of a reference's steps (`aws_iam_role.orb[0].arn`: `orb`, `arn`): every
/// `count`/`for_each` instance as one.
fn attributes(steps: &[Step]) -> Vec<&str> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Attr(a) => Some(a.as_str()),
            _ => None,
        })
        .collect()
}

/// An item of a `compact()` list as it stays, `None` when it goes: an empty string or null goes, a
/// conditional with one is its other branch.
fn compacted(item: &Node) -> Option<Node> {
    let empty = |n: &Node| matches!(&n.value, Value::Null) || n.as_str() == Some("");
    if empty(item) {
        return None;
    }
    if let Some(("Fn::If", args)) = item.intrinsic() {
        if let Some([_, then, otherwise]) = args.as_array() {
            match (empty(then), empty(otherwise)) {
                (true, true) => return None,
                (true, false) => return compacted(otherwise),
                (false, true) => return compacted(then),
                (false, false) => {}
            }
        }
    }
    Some(item.clone())
}

/// A template that is one interpolation with blank text around it: `"${data.x.json}"`.
fn single_interpolation(t: &Template) -> Option<&Expr> {
    let mut found = None;
    for part in &t.parts {
        match part {
            Part::Literal(s, _) if s.trim().is_empty() => {}
            Part::Interpolation(e, _) if found.is_none() => found = Some(e),
            _ => return None,
        }
    }
    found
}

/// A quoted string holding JSON: spans are exact when the string has no escapes (its text is its
/// value), and otherwise all point at the string.
fn string_json(text: &str, value: &str, span: Span) -> Result<Node, String> {
    let inner = Span::new(
        span.start as usize + 1,
        (span.end as usize).saturating_sub(1),
    );
    let parsed =
        json::parse(value).map_err(|e| format!("the string is not JSON: {}", e.message))?;
    let mut root = parsed.root;
    if text.get(inner.range()) == Some(value) {
        shift(&mut root, inner.start);
    } else {
        crate::cfn::managed::respan(&mut root, span);
    }
    Ok(root)
}

/// Private-use characters that stand in for template sequences while the JSON reader reads a
/// template's text, each as long as what it replaces so every offset stays true.
const INTERPOLATION: char = '\u{E000}';
const ESCAPED_INTERPOLATION: char = '\u{E001}';
const ESCAPED_DIRECTIVE: char = '\u{E002}';
/// Pads a masked interpolation to its length.
const PAD: u8 = b'_';

/// JSON written as a template (a heredoc, or a `templatefile()` file): read from its raw text with
/// orb-scan's JSON reader, so every span is exact inside it. Interpolations inside JSON strings
/// become their value (a pattern), those standing for a whole JSON value become `value`'s node;
/// `$${` and `%%{` are the literal `${` and `%{`. A template with directives (`%{ if }`) is
/// unread: its JSON is only known when Terraform runs.
pub fn json_in_template(
    text: &str,
    template: &Template,
    value: impl Fn(&Expr) -> Node,
) -> Result<Node, String> {
    let body = template.body;
    let raw = text
        .get(body.range())
        .ok_or_else(|| "the template is outside its file".to_string())?;
    if raw.contains([INTERPOLATION, ESCAPED_INTERPOLATION, ESCAPED_DIRECTIVE]) {
        return Err("the template holds private-use characters orb-scan reserves".into());
    }
    let at = |offset: u32| (offset - body.start) as usize;
    let mut masked = raw.as_bytes().to_vec();
    // Interpolations in the order written, and whether each is inside a JSON string.
    let mut interpolations: Vec<(Span, &Expr, bool)> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for part in &template.parts {
        match part {
            Part::Literal(_, span) => {
                let start = at(span.start);
                let bytes = &raw.as_bytes()[start..at(span.end)];
                let mut i = 0;
                while i < bytes.len() {
                    let b = bytes[i];
                    let escape = match bytes.get(i..i + 3) {
                        Some(b"$${") => Some(ESCAPED_INTERPOLATION),
                        Some(b"%%{") => Some(ESCAPED_DIRECTIVE),
                        _ => None,
                    };
                    if let Some(c) = escape {
                        c.encode_utf8(&mut masked[start + i..start + i + 3]);
                        escaped = false;
                        i += 3;
                        continue;
                    }
                    if in_string {
                        match b {
                            _ if escaped => escaped = false,
                            b'\\' => escaped = true,
                            b'"' => in_string = false,
                            _ => {}
                        }
                    } else if b == b'"' {
                        in_string = true;
                    }
                    i += 1;
                }
            }
            Part::Interpolation(e, span) => {
                let slot = &mut masked[at(span.start)..at(span.end)];
                if in_string {
                    let n = INTERPOLATION.encode_utf8(&mut slot[..3]).len();
                    slot[n..].fill(PAD);
                } else {
                    // A whole JSON value: a string as long as the interpolation.
                    slot.fill(PAD);
                    slot[0] = b'"';
                    if let Some(last) = slot.last_mut() {
                        *last = b'"';
                    }
                }
                escaped = false;
                interpolations.push((*span, e, in_string));
            }
            Part::Directive(_) => {
                return Err(
                    "the template's `%{}` directives decide its JSON when Terraform runs".into(),
                )
            }
        }
    }
    let masked = String::from_utf8(masked).map_err(|_| "the template is not UTF-8".to_string())?;
    let parsed = json::parse(&masked).map_err(|e| {
        if !template.heredoc && raw.contains("\\\"") {
            "JSON with `${}` in a quoted string, its quotes escaped: orb-scan reads such JSON from a heredoc, jsonencode() or a file".to_string()
        } else {
            format!("not JSON: {}", e.message)
        }
    })?;
    let mut root = parsed.root;
    shift(&mut root, body.start);
    unmask(&mut root, &interpolations, &value);
    Ok(root)
}

/// Puts each interpolation's value where `json_in_template` masked it.
fn unmask(node: &mut Node, interpolations: &[(Span, &Expr, bool)], value: &impl Fn(&Expr) -> Node) {
    match &mut node.value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|n| unmask(n, interpolations, value)),
        Value::Object(entries) => {
            for e in entries {
                // A key written as a whole interpolation was masked as a string of `_`: its value
                // is a name only Terraform knows.
                if let Some((_, key, _)) = interpolations
                    .iter()
                    .find(|(at, _, inside)| !inside && *at == e.key_span)
                {
                    e.key = value(key)
                        .pattern_text()
                        .map_or_else(|| "*".into(), |(text, _)| text);
                } else if e
                    .key
                    .contains([INTERPOLATION, ESCAPED_INTERPOLATION, ESCAPED_DIRECTIVE])
                {
                    let inside = |s: Span| e.key_span.start <= s.start && s.end <= e.key_span.end;
                    e.key = fill(&e.key, interpolations, inside, value).0.into();
                }
                unmask(&mut e.value, interpolations, value);
            }
        }
        Value::String(s) => {
            let span = node.span;
            if let Some((_, e, _)) = interpolations
                .iter()
                .find(|(at, _, inside)| !inside && *at == span)
            {
                *node = Node { span, ..value(e) };
                return;
            }
            if s.contains([INTERPOLATION, ESCAPED_INTERPOLATION, ESCAPED_DIRECTIVE]) {
                let inside = |at: Span| span.start <= at.start && at.end <= span.end;
                let pattern = fill(s, interpolations, inside, value);
                *node = string_node(pattern, span);
            }
        }
        _ => {}
    }
}

/// A masked string with its interpolations' patterns in place, in order, and the escapes undone.
fn fill(
    masked: &str,
    interpolations: &[(Span, &Expr, bool)],
    inside: impl Fn(Span) -> bool,
    value: &impl Fn(&Expr) -> Node,
) -> Pattern {
    let mut values = interpolations
        .iter()
        .filter(|(at, _, in_string)| *in_string && inside(*at));
    let mut out = String::new();
    let mut any_computed = false;
    let mut chars = masked.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            INTERPOLATION => {
                while chars.peek() == Some(&(PAD as char)) {
                    chars.next();
                }
                let (text, c) = values
                    .next()
                    .and_then(|(_, e, _)| value(e).pattern_text())
                    .unwrap_or(("*".into(), true));
                out.push_str(&text);
                any_computed |= c;
            }
            ESCAPED_INTERPOLATION => out.push_str("${"),
            ESCAPED_DIRECTIVE => out.push_str("%{"),
            c => out.push(c),
        }
    }
    (out, any_computed)
}

/// Moves every span of a tree read from a slice to its place in the file.
pub fn shift(node: &mut Node, by: u32) {
    node.span.start += by;
    node.span.end += by;
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|n| shift(n, by)),
        Value::Object(entries) => {
            for e in entries {
                e.key_span.start += by;
                e.key_span.end += by;
                shift(&mut e.value, by);
            }
        }
        Value::Tagged(_, inner) => shift(inner, by),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::syntax::hcl;

    fn template_of(text: &str) -> Template {
        let body = hcl::parse(text).unwrap();
        match &body.attributes[0].value.kind {
            ExprKind::Template(t) => t.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn heredoc_json_keeps_exact_spans() {
        let text = "p = <<-EOT\n  {\"Resource\": \"arn:${var.p}:s3:::b/$${aws:username}\", \"Action\": ${jsonencode(var.a)}, \"x\": \"%%{\"}\n  EOT\n";
        let t = template_of(text);
        let node = json_in_template(text, &t, |e| computed("*", e.span)).unwrap();
        let resource = node.get("Resource").unwrap();
        assert_eq!(
            &text[resource.span.range()],
            "\"arn:${var.p}:s3:::b/$${aws:username}\""
        );
        assert_eq!(
            resource.pattern_text().unwrap(),
            ("arn:*:s3:::b/${aws:username}".into(), true)
        );
        let action = node.get("Action").unwrap();
        assert_eq!(&text[action.span.range()], "${jsonencode(var.a)}");
        assert!(action.intrinsic().is_some());
        assert_eq!(node.get("x").unwrap().as_str(), Some("%{"));
        let key = &node.as_object().unwrap()[0];
        assert_eq!(&text[key.key_span.range()], "\"Resource\"");
    }

    /// An interpolation written where a key goes is the key's name, a pattern: never the `_`
    /// that stood for it while the JSON was read.
    #[test]
    fn interpolated_keys_are_their_values() {
        let text = "p = <<EOT\n{${jsonencode(var.k)}: \"v\", \"${var.p}-${local.s}\": 1, ${\"Sid\"}: \"s\"}\nEOT\n";
        let t = template_of(text);
        let node = json_in_template(text, &t, |e| match &e.kind {
            ExprKind::String(s) => Node {
                value: Value::String(s.clone()),
                span: e.span,
            },
            _ => computed("*", e.span),
        })
        .unwrap();
        let keys: Vec<(&str, &str)> = node
            .as_object()
            .unwrap()
            .iter()
            .map(|e| (e.key.as_str(), &text[e.key_span.range()]))
            .collect();
        assert_eq!(
            keys,
            [
                ("*", "${jsonencode(var.k)}"),
                ("*-*", "\"${var.p}-${local.s}\""),
                ("Sid", "${\"Sid\"}"),
            ]
        );
    }

    #[test]
    fn templates_with_directives_or_bad_json_are_unread() {
        let text = "p = <<EOT\n{\"a\": [%{ for x in y }\"${x}\",%{ endfor }]}\nEOT\n";
        assert!(json_in_template(text, &template_of(text), |e| computed("*", e.span)).is_err());
        let text = "p = <<EOT\n{\"a\": \nEOT\n";
        assert!(json_in_template(text, &template_of(text), |e| computed("*", e.span)).is_err());
    }

    #[test]
    fn strings_of_json() {
        let text = r#"p = "{\"a\": 1}""#;
        let span = Span::new(4, text.len());
        let node = string_json(text, "{\"a\": 1}", span).unwrap();
        assert_eq!(node.get("a").unwrap().span, span);
        let text = r#"p = "{'a': 1}""#;
        assert!(string_json(text, "{'a': 1}", Span::new(4, text.len())).is_err());
    }
}
