//! IAM policy documents as the model sees them: statements with spanned actions, resources and
//! conditions. Extraction is lenient; the grammar is judged by rule ORB303 on the kept node.

use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::iam::catalog::{self, ActionId};
use crate::iam::grammar::{self, Problem};
use crate::iam::pattern::{action_matches, has_wildcard};
use crate::read::syntax::{Entry, Node, Text, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    Identity,
    Trust,
    Resource,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Trust => "trust",
            PolicyKind::Resource => "resource",
        }
    }
}

/// Where a policy document came from: a standalone file, or a property of a template resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// Logical id of the template resource, `None` for a standalone file.
    pub resource: Option<String>,
    pub resource_type: Option<String>,
    /// Path of the document inside its file (`Resources.OrbRole.Properties.Policies[0].PolicyDocument`).
    pub path: String,
    /// The Terraform module (folder) whose resources the document links with; `None`: its file's
    /// (CloudFormation).
    pub module: Option<FilePath>,
    /// How the document is written in its file.
    pub embedding: crate::read::syntax::Embedding,
}

#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One entry of `Action`, `Resource` or `Principal`: a glob, or the pattern standing for what a
/// CloudFormation intrinsic will produce (`opaque`), which is never judged as a literal.
#[derive(Clone, Debug)]
pub struct Item {
    pub value: Text,
    pub span: Span,
    pub opaque: bool,
    /// ASCII without `*` or `?`: matching an action is one comparison (most entries are).
    plain: bool,
    /// The catalog action a plain `Action`/`NotAction` entry names, found once when the document
    /// is read, on the parse workers, while its text is at hand; `None` for any other entry.
    pub action: Option<ActionId>,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a list of globs, possibly negated.
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    pub negated: bool,
    pub items: Vec<Item>,
    /// The whole field's span (key through value), empty when the field is absent.
    pub span: Span,
    pub present: bool,
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub operator: Text,
    pub key: Text,
    pub values: Vec<Text>,
    /// A value is not a literal (an intrinsic, a policy variable `${aws:username}`, an object):
    /// the condition cannot be decided statically.
    pub opaque: bool,
    /// The key through its values.
    pub span: Span,
}

/// One principal of a `Principal`/`NotPrincipal`: `kind` is `AWS`, `Service`, `Federated`,
/// `CanonicalUser`, or `*` for the bare wildcard.
#[derive(Clone, Debug)]
pub struct PrincipalItem {
    pub kind: Text,
    pub item: Item,
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub span: Span,
    pub sid: Option<Spanned<Text>>,
    pub effect: Option<Spanned<Effect>>,
    /// Set when a CloudFormation condition chooses the effect (`Effect: !If [C, Allow, Deny]`): the
    /// statement is read once with each effect, and applies only doubtfully, as under an undecided
    /// `Condition`. The span is the `Fn::If`'s.
    pub effect_chosen_by: Option<Span>,
    pub actions: Matcher,
    pub resources: Matcher,
    pub conditions: Vec<Condition>,
    /// The `Principal`/`NotPrincipal` key's span.
    pub principal: Option<Span>,
    pub principals: Vec<PrincipalItem>,
}

/// A policy, or a part of one, that orb-scan could not read (a Terraform `var.` without a default,
/// a CloudFormation `Fn::ImportValue`, a customer managed policy defined elsewhere): it may grant
/// anything, and is taken to deny nothing. A missing permission of a principal that holds one is
/// doubtful (`Verdict::MaybeGranted`), never certain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub span: Span,
    /// Why, in a few words (`` `var.extra` is a variable without a default in this module ``).
    pub why: String,
}

#[derive(Clone, Debug)]
pub struct PolicyDocument {
    pub file: FilePath,
    pub kind: PolicyKind,
    pub origin: Origin,
    /// The document in its file. The tree itself is dropped once read: the model needs spans, and
    /// `--fix` reads the few trees it edits again from the kept text.
    pub span: Span,
    /// Where to point when saying "this policy was checked": its `Statement` key, else the document.
    pub anchor: Span,
    pub statements: Vec<Statement>,
    /// What IAM's grammar rejects or doubts (ORB303), judged when the document is read: on the
    /// scan's parse workers, alongside parsing, rather than in one rule's thread afterwards.
    pub problems: Vec<Problem>,
    /// What orb-scan could not read of it: statements, effects or action lists only known when
    /// deployed, or the whole document (`PolicyDocument::unread`).
    pub unread: Vec<Unread>,
}

impl PolicyDocument {
    /// Builds the model of a policy node. `kind` is decided by the caller when the context says it
    /// (a role's trust policy); otherwise by content.
    /// The tree is judged first, then its strings move into the model: a policy's actions and
    /// resources are most of what a scan keeps, and copying them doubled their allocations.
    pub fn from_node(
        file: &FilePath,
        mut node: Node,
        origin: Origin,
        kind: Option<PolicyKind>,
    ) -> PolicyDocument {
        let kind = kind.unwrap_or_else(|| kind_by_content(&node));
        let anchor = node.entry("Statement").map_or(
            Span::new(node.span.start as usize, node.span.start as usize + 1),
            |e| e.key_span,
        );
        let problems = grammar::check(kind, anchor, &node);
        let span = node.span;
        // Sized once: a list grown by doubling held up to twice a large policy's statements.
        let mut unread = Vec::new();
        let nodes = statement_nodes(&mut node, &mut unread);
        let mut statements = Vec::with_capacity(nodes.len());
        for n in nodes {
            read_statement(n, &mut statements, &mut unread);
        }
        PolicyDocument {
            file: file.clone(),
            kind,
            origin,
            span,
            anchor,
            statements,
            problems,
            unread,
        }
    }

    /// A policy orb-scan knows is there but could not read at all: the value at `span`, for `why`.
    /// It grants nothing orb-scan can see, and makes what its principal lacks doubtful.
    pub fn unread(
        file: &FilePath,
        span: Span,
        origin: Origin,
        kind: PolicyKind,
        why: String,
    ) -> PolicyDocument {
        PolicyDocument {
            file: file.clone(),
            kind,
            origin,
            span,
            anchor: span,
            statements: Vec::new(),
            problems: Vec::new(),
            unread: vec![Unread { span, why }],
        }
    }

    /// Nothing of it could be read: no statement, and something unread.
    pub fn is_unread(&self) -> bool {
        self.statements.is_empty() && !self.unread.is_empty()
    }

    /// What the document links with by resource: its Terraform module, else its file.
    pub fn scope(&self) -> &FilePath {
        self.origin.module.as_ref().unwrap_or(&self.file)
    }

    /// The one-statement resource policy AWS writes from a resource's properties (a Lambda
    /// permission: `cfn::properties::Permission`), `statement` laid out as IAM's and spanned on
    /// those properties. Its grammar is not judged: AWS writes the document; what the author wrote,
    /// properties, is CloudFormation's schema to check.
    pub fn written_from(
        file: &FilePath,
        mut statement: Node,
        origin: Origin,
        anchor: Span,
    ) -> PolicyDocument {
        let mut unread = Vec::new();
        let statements = vec![self::statement(&mut statement, &mut unread)];
        PolicyDocument {
            file: file.clone(),
            kind: PolicyKind::Resource,
            origin,
            span: statement.span,
            anchor,
            statements,
            problems: Vec::new(),
            unread,
        }
    }

    /// Will the report quote this document whatever else the scan finds? It breaks IAM's grammar
    /// (ORB303 and its kin), or a plain action entry is not the catalog's own spelling (an unknown
    /// action or service, a service prefix in capitals: ORB301, ORB302, ORB305).
    pub fn quoted_on_its_own(&self) -> bool {
        let catalog = catalog::catalog();
        !self.problems.is_empty()
            || literal_actions(std::slice::from_ref(self))
                .any(|(_, item)| item.plain && !item.is_catalog_spelling(catalog))
    }
}

/// Every `Action`/`NotAction` entry of `policies` written as a literal (not produced by a
/// CloudFormation intrinsic), with its policy, in scan order.
pub fn literal_actions(
    policies: &[PolicyDocument],
) -> impl Iterator<Item = (&PolicyDocument, &Item)> {
    policies.iter().flat_map(|policy| {
        policy.statements.iter().flat_map(move |statement| {
            statement
                .actions
                .items
                .iter()
                .filter(|item| !item.opaque)
                .map(move |item| (policy, item))
        })
    })
}

/// The statements of a policy document: its `Statement` object, or the objects of its list, with
/// both branches of a conditional (`Fn::If`, Terraform's `c ? a : b`). A statement, or a list of
/// them, that a value computes when deployed is `unread`.
fn statement_nodes<'n>(doc: &'n mut Node, unread: &mut Vec<Unread>) -> Vec<&'n mut Node> {
    let mut out = Vec::new();
    if let Some(statement) = doc.get_mut("Statement") {
        collect_statements(statement, &mut out, unread);
    }
    out
}

/// The statements of `node`, a list of them or one.
fn collect_statements<'n>(
    node: &'n mut Node,
    out: &mut Vec<&'n mut Node>,
    unread: &mut Vec<Unread>,
) {
    if matches!(node.value, Value::Array(_)) {
        for item in node.strings_mut() {
            collect_statement(item, out, unread);
        }
    } else {
        collect_statement(node, out, unread);
    }
}

fn collect_statement<'n>(
    node: &'n mut Node,
    out: &mut Vec<&'n mut Node>,
    unread: &mut Vec<Unread>,
) {
    let span = node.span;
    match node.intrinsic().map(|(name, _)| name) {
        None if node.is_object() => out.push(node),
        // Strings, numbers and the like are ORB303's to judge.
        None => {}
        Some("Fn::If") => {
            let arguments = match &mut node.value {
                Value::Tagged(_, inner) => &mut inner.value,
                Value::Object(entries) => &mut entries[0].value.value,
                _ => return,
            };
            if let Value::Array(branches) = arguments {
                for branch in branches.iter_mut().skip(1) {
                    collect_statements(branch, out, unread);
                }
            }
        }
        Some(name) => unread.push(Unread {
            span,
            why: computed_why(name, "the statement"),
        }),
    }
}

/// Why a value an intrinsic (or Terraform) computes cannot be read.
fn computed_why(intrinsic: &str, what: &str) -> String {
    match intrinsic {
        crate::read::syntax::COMPUTED => format!("{what} is known only when Terraform runs"),
        name => format!("{what} is computed by `{name}` when the stack is deployed"),
    }
}

/// A statement's keys, found in one pass over its entries (the last of duplicates, as `Node::entry`
/// finds): the grammar and the model ask for each several times. `E` is `&Entry` to read them, or
/// `&mut Entry` to move their strings into the model.
pub(crate) struct Fields<E> {
    pub sid: Option<E>,
    pub effect: Option<E>,
    pub principal: Option<E>,
    pub not_principal: Option<E>,
    pub action: Option<E>,
    pub not_action: Option<E>,
    pub resource: Option<E>,
    pub not_resource: Option<E>,
    pub condition: Option<E>,
}

impl<E: std::ops::Deref<Target = Entry>> Fields<E> {
    pub fn of(entries: impl IntoIterator<Item = E>) -> Fields<E> {
        let mut f = Fields {
            sid: None,
            effect: None,
            principal: None,
            not_principal: None,
            action: None,
            not_action: None,
            resource: None,
            not_resource: None,
            condition: None,
        };
        for e in entries {
            let slot = match e.key.as_str() {
                "Sid" => &mut f.sid,
                "Effect" => &mut f.effect,
                "Principal" => &mut f.principal,
                "NotPrincipal" => &mut f.not_principal,
                "Action" => &mut f.action,
                "NotAction" => &mut f.not_action,
                "Resource" => &mut f.resource,
                "NotResource" => &mut f.not_resource,
                "Condition" => &mut f.condition,
                _ => continue,
            };
            *slot = Some(e);
        }
        f
    }
}

impl<'a> Fields<&'a Entry> {
    /// `Principal`, else `NotPrincipal`.
    pub fn any_principal(&self) -> Option<&'a Entry> {
        self.principal.or(self.not_principal)
    }
}

/// Adds a statement's model, or two when `Effect` is an `Fn::If` between effects (`Fn::If` stands
/// for both of its branches, as everywhere in a template).
fn read_statement(node: &mut Node, out: &mut Vec<Statement>, unread: &mut Vec<Unread>) {
    let chosen = node.get("Effect").and_then(|e| {
        let (name, args) = e.intrinsic()?;
        let branches = args
            .as_array()
            .filter(|a| name == "Fn::If" && a.len() == 3)?;
        let effects: Option<Vec<Effect>> = branches[1..]
            .iter()
            .map(|b| match b.as_str()? {
                "Allow" => Some(Effect::Allow),
                "Deny" => Some(Effect::Deny),
                _ => None,
            })
            .collect();
        Some((e.span, effects?))
    });
    let one = statement(node, unread);
    let Some((span, mut effects)) = chosen else {
        // An effect computed otherwise: the statement may allow what the others lack.
        if let Some(name) = node.get("Effect").and_then(Node::intrinsic).map(|(n, _)| n) {
            unread.push(Unread {
                span: node.get("Effect").map_or(node.span, |e| e.span),
                why: computed_why(name, "whether the statement allows or denies"),
            });
        }
        out.push(one);
        return;
    };
    effects.dedup();
    let chosen_by = (effects.len() > 1).then_some(span);
    out.extend(effects.into_iter().map(|value| Statement {
        effect: Some(Spanned { value, span }),
        effect_chosen_by: chosen_by,
        ..one.clone()
    }));
}

fn statement(node: &mut Node, unread: &mut Vec<Unread>) -> Statement {
    let span = node.span;
    let entries = match &mut node.value {
        Value::Object(entries) => entries.as_mut_slice(),
        _ => &mut [],
    };
    let f = Fields::of(entries.iter_mut());
    let effect = f.effect.as_ref().and_then(|e| {
        let v = match e.value.as_str()? {
            "Allow" => Effect::Allow,
            "Deny" => Effect::Deny,
            _ => return None,
        };
        Some(Spanned {
            value: v,
            span: e.value.span,
        })
    });
    let principal = f.principal.or(f.not_principal);
    Statement {
        span,
        sid: f.sid.and_then(|e| {
            Some(Spanned {
                span: e.value.span,
                value: take_string(&mut e.value)?,
            })
        }),
        effect,
        effect_chosen_by: None,
        actions: actions(f.action, f.not_action, unread),
        resources: matcher(f.resource, f.not_resource),
        conditions: conditions(f.condition),
        principal: principal.as_ref().map(|e| e.key_span),
        principals: principals(principal),
    }
}

/// A string value's text, moved out of the tree.
fn take_string(node: &mut Node) -> Option<Text> {
    match &mut node.value {
        Value::String(s) => Some(std::mem::take(s)),
        _ => None,
    }
}

impl Item {
    pub fn new(value: impl Into<Text>, span: Span, opaque: bool) -> Item {
        let value = value.into();
        let plain = value.is_ascii() && !has_wildcard(&value);
        Item {
            value,
            span,
            opaque,
            plain,
            action: None,
        }
    }

    /// A string, or the pattern an intrinsic stands for; `None` for other values.
    pub fn of(n: &Node) -> Option<Item> {
        let (value, opaque) = n.pattern_text()?;
        Some(Item::new(value, n.span, opaque))
    }

    /// As `of`, moving a string out of the tree instead of copying it.
    fn take(n: &mut Node) -> Option<Item> {
        match take_string(n) {
            Some(value) => Some(Item::new(value, n.span, false)),
            None => Item::of(n),
        }
    }

    /// ASCII without `*` or `?`.
    pub fn is_plain(&self) -> bool {
        self.plain
    }

    /// Names a catalog action with the catalog's service prefix, as AWS spells it: the catalog has
    /// nothing to remark of it. Most entries of every policy are such.
    pub fn is_catalog_spelling(&self, catalog: &catalog::Catalog) -> bool {
        self.action
            .is_some_and(|id| self.value.starts_with(catalog.names(id).0))
    }

    /// Does this `Action`/`NotAction` entry cover `action`? As `action_matches`, but a plain entry
    /// against an ASCII action (every one orb-scan asks about) is a length test and one comparison.
    pub fn matches_action(&self, action: &str) -> bool {
        if self.plain && action.is_ascii() {
            self.value.eq_ignore_ascii_case(action)
        } else {
            action_matches(&self.value, action)
        }
    }
}

fn principals(entry: Option<&mut Entry>) -> Vec<PrincipalItem> {
    let Some(entry) = entry else {
        return Vec::new();
    };
    let by_kind = entry.value.intrinsic().is_none();
    match &mut entry.value.value {
        Value::Object(kinds) if by_kind => kinds
            .iter_mut()
            .flat_map(|k| {
                let kind = &k.key;
                k.value.strings_mut().iter_mut().filter_map(|n| {
                    Some(PrincipalItem {
                        kind: kind.clone(),
                        item: Item::take(n)?,
                    })
                })
            })
            .collect(),
        _ => Item::take(&mut entry.value)
            .map(|item| PrincipalItem {
                kind: "*".into(),
                item,
            })
            .into_iter()
            .collect(),
    }
}

/// From the positive field (`Action`), else the negative one (`NotAction`).
fn matcher(positive: Option<&mut Entry>, negative: Option<&mut Entry>) -> Matcher {
    let (entry, negated) = match (positive, negative) {
        (Some(e), _) => (e, false),
        (None, Some(e)) => (e, true),
        (None, None) => return Matcher::default(),
    };
    let span = entry.span();
    // Sized once: a policy's entries are most of what the scan keeps.
    let nodes = entry.value.strings_mut();
    let mut items = Vec::with_capacity(nodes.len());
    items.extend(nodes.iter_mut().filter_map(Item::take));
    Matcher {
        negated,
        items,
        span,
        present: true,
    }
}

/// `matcher` for `Action`/`NotAction`, with the catalog action each plain entry names. An `Action`
/// entry computed whole (`var.actions`, `!Ref Actions`) names actions orb-scan cannot know: it is
/// `unread`, not a `*` that grants or denies everything.
fn actions(
    positive: Option<&mut Entry>,
    negative: Option<&mut Entry>,
    unread: &mut Vec<Unread>,
) -> Matcher {
    let mut actions = matcher(positive, negative);
    if !actions.negated {
        actions.items.retain(|item| {
            let unknown = item.opaque && item.value == "*";
            if unknown {
                unread.push(Unread {
                    span: item.span,
                    why: "which actions the statement names is known only when deployed".into(),
                });
            }
            !unknown
        });
    }
    let catalog = catalog::catalog();
    for item in actions.items.iter_mut().filter(|item| item.plain) {
        item.action = catalog.action_id(&item.value);
    }
    actions
}

fn conditions(entry: Option<&mut Entry>) -> Vec<Condition> {
    let Some(entry) = entry else {
        return Vec::new();
    };
    if entry.value.intrinsic().is_some() {
        // Conditions only known when deployed (`Fn::If`, a Terraform `dynamic "condition"`): the
        // statement applies only doubtfully, never certainly.
        return vec![Condition {
            operator: Text::default(),
            key: Text::default(),
            values: Vec::new(),
            opaque: true,
            span: entry.value.span,
        }];
    }
    let Value::Object(block) = &mut entry.value.value else {
        return Vec::new();
    };
    // Sized once: most statements hold a condition or two, and a first push would make room for
    // four (the corpus: 4k condition lists, 1.4 MB where they need 0.4 MB).
    let conditions = block
        .iter()
        .filter_map(|op| op.value.as_object())
        .map(<[Entry]>::len)
        .sum();
    let mut out = Vec::with_capacity(conditions);
    for op in block.iter_mut() {
        let Value::Object(keys) = &mut op.value.value else {
            continue;
        };
        for k in keys.iter_mut() {
            let span = k.span();
            let nodes = k.value.strings_mut();
            let values: Vec<Text> = nodes
                .iter_mut()
                .filter_map(|v| match &mut v.value {
                    Value::String(s) | Value::Number(s) => Some(std::mem::take(s)),
                    Value::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
                    _ => None,
                })
                .collect();
            let opaque = values.len() != nodes.len() || values.iter().any(|v| v.contains("${"));
            out.push(Condition {
                operator: op.key.clone(),
                key: std::mem::take(&mut k.key),
                values,
                opaque,
                span,
            });
        }
    }
    out
}

/// A standalone document with principals is a trust policy when every action it names is an
/// `sts:AssumeRole*`-family action, and a resource policy otherwise.
fn kind_by_content(doc: &Node) -> PolicyKind {
    // The statements `statement_nodes` finds, read in place.
    let statements = || {
        doc.get("Statement")
            .map_or(&[][..], Node::strings)
            .iter()
            .filter_map(Node::as_object)
            .map(Fields::of)
    };
    if !statements().any(|f| f.any_principal().is_some()) {
        return PolicyKind::Identity;
    }
    let trust_action = |a: &str| {
        let a = a.to_ascii_lowercase();
        a.starts_with("sts:assumerole")
            || a == "sts:tagsession"
            || a == "sts:setsourceidentity"
            || a == "sts:setcontext"
    };
    // The entries the model reads as the statement's actions (`Action`, else `NotAction`).
    let all_trust = statements()
        .filter_map(|f| f.action.or(f.not_action))
        .flat_map(|e| e.value.strings())
        .filter_map(Node::pattern_text)
        .all(|(a, _)| trust_action(&a));
    if all_trust {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

/// Does this tree look like an IAM policy document? (A `Statement` that is an object or a list of
/// objects, next to an optional `Version`/`Id`.)
pub fn looks_like_policy(node: &Node) -> bool {
    match node.get("Statement").map(|s| &s.value) {
        Some(Value::Object(_)) => true,
        Some(Value::Array(items)) => items.iter().any(Node::is_object) || items.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain `Action`/`NotAction` entries carry the catalog action they name; globs, names the
    /// catalog lacks, intrinsics and every other field carry none.
    #[test]
    fn action_entries_carry_their_catalog_action() {
        let text = r#"{"Statement": [
            {"Effect": "Allow", "Action": ["ec2:RunInstances", "EC2:runinstances", "ec2:Run*",
              "ec2:RunInstance", {"Fn::Sub": "ec2:${Name}"}], "Resource": "ec2:RunInstances"},
            {"Effect": "Deny", "NotAction": "iam:PassRole", "Resource": "*"}]}"#;
        let node = crate::read::syntax::json::parse(text).expect("parses").root;
        let policy = PolicyDocument::from_node(&"p.json".into(), node, Origin::default(), None);
        let catalog = catalog::catalog();
        let named = |s: usize| -> Vec<Option<(&str, &str)>> {
            let items = &policy.statements[s].actions.items;
            items
                .iter()
                .map(|i| i.action.map(|id| catalog.names(id)))
                .collect()
        };
        let run = Some(("ec2", "RunInstances"));
        assert_eq!(named(0), [run, run, None, None, None]);
        assert_eq!(named(1), [Some(("iam", "PassRole"))]);
        assert!(policy.statements[0].resources.items[0].action.is_none());
    }

    /// What a value computes when deployed is unread, not a grant: a statement or a list of them,
    /// an effect, an action list (in `Action`: a computed `NotAction` excludes what it names, and
    /// stays). Both branches of a conditional statement count, as `Fn::If` does elsewhere.
    #[test]
    fn computed_parts_are_unread() {
        let text = r#"{"Statement": [
            {"Effect": "Allow", "Action": "ec2:CreateFleet", "Resource": "*"},
            {"Fn::ImportValue": "shared"},
            {"Fn::If": ["C", {"Effect": "Allow", "Action": "ec2:A", "Resource": "*"},
                             [{"Effect": "Deny", "Action": "ec2:B", "Resource": "*"}]]},
            {"Effect": {"Ref": "Effect"}, "Action": "ec2:C", "Resource": "*"},
            {"Effect": "Allow", "Action": [{"Ref": "Actions"}, "ec2:D"], "Resource": "*"},
            {"Effect": "Allow", "NotAction": {"Ref": "Actions"}, "Resource": "*"}]}"#;
        let node = crate::read::syntax::json::parse(text).expect("parses").root;
        let policy = PolicyDocument::from_node(&"p.json".into(), node, Origin::default(), None);
        let actions: Vec<Vec<&str>> = policy
            .statements
            .iter()
            .map(|s| s.actions.items.iter().map(|i| i.value.as_str()).collect())
            .collect();
        assert_eq!(
            actions,
            [
                vec!["ec2:CreateFleet"],
                vec!["ec2:A"],
                vec!["ec2:B"],
                vec!["ec2:C"],
                vec!["ec2:D"],
                vec!["*"],
            ]
        );
        let unread: Vec<(&str, &str)> = policy
            .unread
            .iter()
            .map(|u| (&text[u.span.range()], u.why.as_str()))
            .collect();
        assert_eq!(
            unread,
            [
                (
                    r#"{"Fn::ImportValue": "shared"}"#,
                    "the statement is computed by `Fn::ImportValue` when the stack is deployed"
                ),
                (
                    r#"{"Ref": "Effect"}"#,
                    "whether the statement allows or denies is computed by `Ref` when the stack is deployed"
                ),
                (
                    r#"{"Ref": "Actions"}"#,
                    "which actions the statement names is known only when deployed"
                ),
            ]
        );
        assert!(!policy.is_unread());
        let whole = PolicyDocument::unread(
            &"p.json".into(),
            Span::new(0, 1),
            Origin::default(),
            PolicyKind::Identity,
            "why".into(),
        );
        assert!(whole.is_unread() && whole.problems.is_empty());
    }

    /// The one-comparison path agrees with the glob matcher, case folding included.
    #[test]
    fn plain_entries_match_as_globs_do() {
        let entries = [
            "ec2:CreateFleet",
            "EC2:createfleet",
            "ec2:CreateFleets",
            "ec2:Create*",
            "ec2:Create?leet",
            "*",
            "ec2:\u{212a}ey",
            "",
        ];
        let actions = [
            "ec2:CreateFleet",
            "ec2:Key",
            "ec2:\u{212a}ey",
            "ec2:kEY",
            "",
        ];
        for entry in entries {
            let item = Item::new(entry.to_string(), Span::default(), false);
            for action in actions {
                assert_eq!(
                    item.matches_action(action),
                    action_matches(entry, action),
                    "{entry} vs {action}"
                );
            }
        }
    }
}
