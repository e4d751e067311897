//! CloudFormation-style templates (CloudFormation, SAM, CDK output) in JSON or YAML: the policy
//! documents their resources hold, and the principals (roles, users, groups) those documents belong to.

pub mod intrinsics;
pub mod link;
pub mod managed;
pub mod properties;

use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::iam::pattern::glob_match;
use crate::iam::policy::{looks_like_policy, Item, Origin, PolicyDocument, PolicyKind};
use crate::orb::requirements::table;
use crate::read::syntax::{Entry, Node, Value};
use intrinsics::{alternatives, Resolver};
use properties::{Permission, Step};

/// One template file and the principals it defines.
#[derive(Debug)]
pub struct Template {
    pub file: FilePath,
    pub span: Span,
    /// `json` or `yaml`.
    pub format: &'static str,
    /// Uses the `AWS::Serverless` transform.
    pub sam: bool,
    pub resources: usize,
    pub principals: Vec<Principal>,
    pub instance_profiles: Vec<InstanceProfile>,
    /// `AWS::IAM::Policy`/`ManagedPolicy`/`RolePolicy`/... resources and what they attach to.
    pub attachments: Vec<Attachment>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    Role,
    User,
    Group,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Role => "role",
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
        }
    }
}

/// A role, user or group the template defines (a SAM function's generated role counts as a role), or
/// a Terraform module defines (`logical_id` is then its address, `aws_iam_role.orb`).
#[derive(Debug)]
pub struct Principal {
    /// The file that defines it (a Terraform module's principals are in its several files).
    pub file: FilePath,
    pub logical_id: String,
    pub resource_type: String,
    pub kind: PrincipalKind,
    /// The logical id's key in the template.
    pub span: Span,
    /// The physical name as a glob; `None` when CloudFormation generates it.
    pub name: Option<String>,
    /// The ARN as a glob, `arn:*:iam::*:role/path/name`.
    pub arn: String,
    pub managed: Vec<ManagedRef>,
    pub permissions_boundary: Option<ManagedRef>,
    /// A user's groups.
    pub groups: Vec<Target>,
    /// Service principals the trust policy admits (`spotfleet.amazonaws.com`).
    pub trusted_services: Vec<String>,
    /// The trust policy also admits accounts, federated or anonymous principals.
    pub trusts_non_services: bool,
}

impl Principal {
    /// A service role: its trust policy admits only AWS services, none of which ORB runs under. It is
    /// checked with the trust rules, never taken as ORB's principal (DESIGN.md §3).
    pub fn is_service_role(&self) -> bool {
        let hosts = &table().values.orb_host_services;
        self.kind == PrincipalKind::Role
            && !self.trusts_non_services
            && !self.trusted_services.is_empty()
            && self
                .trusted_services
                .iter()
                .all(|s| !hosts.iter().any(|h| glob_match(s, h, true)))
    }
}

/// A reference to a principal or instance profile: by logical id (`!Ref OrbRole`, this template
/// only) or by physical name (a glob).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Logical(String),
    Name(String),
}

/// A managed policy attached by ARN (`ManagedPolicyArns`, `PermissionsBoundary`, SAM `Policies`).
#[derive(Debug)]
pub struct ManagedRef {
    /// The ARN as a glob.
    pub arn: String,
    /// The file the ARN is written in (a Terraform attachment may be in another file than its role).
    pub file: FilePath,
    pub span: Span,
    /// `Resources.OrbRole.Properties.ManagedPolicyArns[0]`.
    pub path: String,
    pub source: ManagedSource,
}

#[derive(Debug)]
pub enum ManagedSource {
    /// A bundled AWS managed policy, its document spanned onto the ARN.
    Aws(Box<PolicyDocument>),
    /// An AWS managed policy the bundle does not have: not evaluated.
    AwsUnbundled,
    /// An `AWS::IAM::ManagedPolicy` of the same template, by logical id.
    Template(String),
    /// A customer managed policy defined elsewhere: not evaluated.
    External,
    /// A policy orb-scan cannot read (a Terraform `var.`, `local.` or module output): not
    /// evaluated. `arn` holds what it is written as, and this says why.
    Unread(String),
}

impl ManagedRef {
    /// Why orb-scan cannot read the policy, when it cannot: it is evaluated only when bundled or
    /// defined in the scanned files.
    pub fn unread_why(&self) -> Option<String> {
        match &self.source {
            ManagedSource::Aws(_) | ManagedSource::Template(_) => None,
            ManagedSource::AwsUnbundled => Some(format!(
                "`{}` is an AWS managed policy orb-scan does not bundle",
                self.arn
            )),
            ManagedSource::External => Some(format!(
                "`{}` is a managed policy defined outside the scanned files",
                self.arn
            )),
            ManagedSource::Unread(why) => Some(why.clone()),
        }
    }
}

#[derive(Debug)]
pub struct InstanceProfile {
    pub file: FilePath,
    pub logical_id: String,
    pub span: Span,
    pub name: Option<String>,
    pub roles: Vec<Target>,
}

/// A policy resource and the principals it attaches to.
#[derive(Debug)]
pub struct Attachment {
    pub policy: String,
    pub targets: Vec<(PrincipalKind, Target)>,
}

/// SAM resources that get a generated role from their `Policies`, and the service that assumes it.
const SAM_ROLES: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "lambda.amazonaws.com"),
    ("AWS::Serverless::StateMachine", "states.amazonaws.com"),
];

/// Is this tree a CloudFormation-style template? `AWSTemplateFormatVersion`, or a `Resources` map
/// with at least one `AWS::` type (SAM and CDK output often omit the version).
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources")
        .and_then(Node::as_object)
        .is_some_and(|rs| {
            rs.iter().any(|r| {
                r.value
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.starts_with("AWS::"))
            })
        })
}

/// A cheap textual look at a file that did not parse: is it meant as a template? Only then is its
/// parse error worth reporting (workflow files and manifests are not ours to judge).
pub fn mentions_template(text: &str) -> bool {
    let top_level_key = |key: &str| {
        text.lines().any(|line| {
            let l = line.trim_start_matches(['"', '\'']);
            l.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            })
        })
    };
    top_level_key("AWSTemplateFormatVersion")
        || (top_level_key("Resources") && text.contains("AWS::"))
}

/// Reads a template: its policy documents and its principals.
pub fn extract(
    file: &FilePath,
    root: &Node,
    format: &'static str,
) -> (Template, Vec<PolicyDocument>) {
    let resources: Vec<(&str, Span, &Node)> = root
        .get("Resources")
        .and_then(Node::as_object)
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.value.is_object())
        .map(|e| (e.key.as_str(), e.key_span, &e.value))
        .collect();
    let by_id: Vec<(&str, &Node)> = resources.iter().map(|(id, _, n)| (*id, *n)).collect();
    let reader = Reader {
        file,
        resolver: Resolver::new(&by_id),
        ids: by_id.iter().map(|(id, _)| *id).collect(),
    };
    let mut template = Template {
        file: file.clone(),
        span: root.span,
        format,
        sam: is_sam(root),
        resources: resources.len(),
        principals: Vec::new(),
        instance_profiles: Vec::new(),
        attachments: Vec::new(),
    };
    let mut policies = Vec::new();
    for (id, key_span, resource) in resources {
        let Some(ty) = resource.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let props = resource.get("Properties");
        if let Some(props) = props {
            policies.extend(reader.documents(id, ty, props));
            if let Some(permission) = properties::permission_of(ty) {
                policies.extend(reader.permission(id, ty, key_span, props, permission));
            }
        }
        reader.relations(&mut template, id, key_span, ty, props);
    }
    (template, policies)
}

fn is_sam(root: &Node) -> bool {
    root.get("Transform").is_some_and(|t| {
        t.strings()
            .iter()
            .any(|n| n.as_str().is_some_and(|s| s.starts_with("AWS::Serverless")))
    })
}

struct Reader<'a> {
    file: &'a FilePath,
    resolver: Resolver,
    /// The template's logical ids, for `Ref`s to be checked against in constant time.
    ids: std::collections::HashSet<&'a str>,
}

impl Reader<'_> {
    /// The policy documents of one resource, from the property table.
    fn documents(&self, id: &str, ty: &str, props: &Node) -> Vec<PolicyDocument> {
        let mut out = Vec::new();
        for property in properties::of_type(ty) {
            for (path, node) in walk(props, &property.steps()) {
                let origin = Origin {
                    resource: Some(id.to_string()),
                    resource_type: Some(ty.to_string()),
                    path: format!("Resources.{id}.Properties.{path}"),
                    ..Origin::default()
                };
                let kind = property.kind.policy_kind();
                if ty.starts_with("AWS::Serverless::") {
                    // SAM's `Policies` also name managed policies and templates (`sam_managed`).
                    if looks_like_policy(node) {
                        out.push(self.document(node, origin, kind));
                    }
                    continue;
                }
                match node.intrinsic() {
                    None if node.is_object() => out.push(self.document(node, origin, kind)),
                    // ORB303's to judge, were it a policy at all.
                    None => {}
                    Some((name, _)) => out.push(PolicyDocument::unread(
                        self.file,
                        node.span,
                        origin,
                        kind,
                        format!("the policy is computed by `{name}` when the stack is deployed"),
                    )),
                }
            }
        }
        out
    }

    fn document(&self, node: &Node, origin: Origin, kind: PolicyKind) -> PolicyDocument {
        PolicyDocument::from_node(self.file, self.resolver.normalize(node), origin, Some(kind))
    }

    /// The statement AWS writes for a resource that grants one permission, as a one-statement
    /// resource policy: `Effect: Allow`, and each field and condition from its property, with the
    /// property's spans. `None` without a principal or an action (the schema requires both).
    fn permission(
        &self,
        id: &str,
        ty: &str,
        key_span: Span,
        props: &Node,
        permission: &Permission,
    ) -> Option<PolicyDocument> {
        let props = self.resolver.normalize(props);
        let field = |name: &str, property: &str| {
            let e = props.entry(property)?;
            Some(Entry {
                key: name.into(),
                key_span: e.key_span,
                value: e.value.clone(),
            })
        };
        let principal = field("Principal", &permission.principal)?;
        let mut fields = vec![
            Entry {
                key: "Effect".into(),
                key_span,
                value: Node {
                    value: Value::String("Allow".into()),
                    span: key_span,
                },
            },
            Entry {
                value: principals_by_kind(principal.value),
                ..principal
            },
            field("Action", &permission.action)?,
        ];
        fields.extend(field("Resource", &permission.resource));
        // `{operator: {key: value}}`, the operators in the table's order.
        let mut operators: Vec<Entry> = Vec::new();
        for c in &permission.conditions {
            let Some(value) = field(&c.key, &c.property) else {
                continue;
            };
            match operators.iter_mut().find(|o| o.key == c.operator) {
                Some(Entry {
                    value:
                        Node {
                            value: Value::Object(keys),
                            ..
                        },
                    ..
                }) => keys.push(value),
                _ => operators.push(Entry {
                    key: c.operator.as_str().into(),
                    key_span: value.key_span,
                    value: Node {
                        span: value.span(),
                        value: Value::Object(vec![value]),
                    },
                }),
            }
        }
        if let Some(first) = operators.first() {
            let span = first.key_span;
            fields.push(Entry {
                key: "Condition".into(),
                key_span: span,
                value: Node {
                    value: Value::Object(operators),
                    span,
                },
            });
        }
        let statement = Node {
            value: Value::Object(fields),
            span: props.span,
        };
        let origin = Origin {
            resource: Some(id.to_string()),
            resource_type: Some(ty.to_string()),
            path: format!("Resources.{id}.Properties"),
            ..Origin::default()
        };
        let mut policy = PolicyDocument::written_from(self.file, statement, origin, key_span);
        // A function name or partial ARN: AWS writes the ARN it resolves it to.
        for statement in &mut policy.statements {
            for item in &mut statement.resources.items {
                if !item.value.starts_with("arn:") {
                    *item = Item::new(permission.resource_pattern.as_str(), item.span, true);
                }
            }
        }
        Some(policy)
    }

    /// Principals, instance profiles and policy attachments.
    fn relations(
        &self,
        template: &mut Template,
        id: &str,
        key_span: Span,
        ty: &str,
        props: Option<&Node>,
    ) {
        let empty = Node {
            value: Value::Object(Vec::new()),
            span: key_span,
        };
        let props = props.unwrap_or(&empty);
        let kind = match ty {
            "AWS::IAM::Role" => Some((PrincipalKind::Role, "RoleName")),
            "AWS::IAM::User" => Some((PrincipalKind::User, "UserName")),
            "AWS::IAM::Group" => Some((PrincipalKind::Group, "GroupName")),
            _ => None,
        };
        if let Some((kind, name_key)) = kind {
            let name = props
                .get(name_key)
                .and_then(Node::pattern_text)
                .map(|(t, _)| t.into());
            let mut principal = self.principal(id, key_span, ty, kind, name, props);
            if kind == PrincipalKind::Role {
                // The document `documents` read as the role's trust policy.
                let trust = props
                    .get("AssumeRolePolicyDocument")
                    .filter(|n| n.is_object() && n.intrinsic().is_none());
                if let Some(trust) = trust {
                    read_trust(&self.resolver.normalize(trust), &mut principal);
                }
            }
            if kind == PrincipalKind::User {
                principal.groups = self.targets(props.get("Groups"));
            }
            template.principals.push(principal);
            return;
        }
        if let Some((_, service)) = SAM_ROLES.iter().find(|(t, _)| *t == ty) {
            // With `Role` set the function runs under that role; otherwise SAM generates one.
            if props.get("Role").is_none() {
                let mut principal =
                    self.principal(id, key_span, ty, PrincipalKind::Role, None, props);
                principal.trusted_services.push(service.to_string());
                principal.managed = self.sam_managed(id, props);
                template.principals.push(principal);
            }
            return;
        }
        match ty {
            "AWS::IAM::InstanceProfile" => template.instance_profiles.push(InstanceProfile {
                file: self.file.clone(),
                logical_id: id.to_string(),
                span: key_span,
                name: props
                    .get("InstanceProfileName")
                    .and_then(Node::pattern_text)
                    .map(|(t, _)| t.into()),
                roles: self.targets(props.get("Roles")),
            }),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                let mut targets = Vec::new();
                for (key, kind) in [
                    ("Roles", PrincipalKind::Role),
                    ("Users", PrincipalKind::User),
                    ("Groups", PrincipalKind::Group),
                ] {
                    targets.extend(self.targets(props.get(key)).into_iter().map(|t| (kind, t)));
                }
                template.attachments.push(Attachment {
                    policy: id.to_string(),
                    targets,
                });
            }
            "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
                let (key, kind) = match ty {
                    "AWS::IAM::RolePolicy" => ("RoleName", PrincipalKind::Role),
                    "AWS::IAM::UserPolicy" => ("UserName", PrincipalKind::User),
                    _ => ("GroupName", PrincipalKind::Group),
                };
                template.attachments.push(Attachment {
                    policy: id.to_string(),
                    targets: self
                        .targets(props.get(key))
                        .into_iter()
                        .map(|t| (kind, t))
                        .collect(),
                });
            }
            _ => {}
        }
    }

    fn principal(
        &self,
        id: &str,
        key_span: Span,
        ty: &str,
        kind: PrincipalKind,
        name: Option<String>,
        props: &Node,
    ) -> Principal {
        let arn = self.resolver.arn(id).unwrap_or_else(|| {
            // SAM's generated role: CloudFormation names it.
            "arn:*:iam::*:role/*".into()
        });
        let managed = walk(props, &[Step::Key("ManagedPolicyArns"), Step::Each])
            .into_iter()
            .filter_map(|(path, n)| self.managed_ref(id, ty, n, path))
            .collect();
        let permissions_boundary = walk(props, &[Step::Key("PermissionsBoundary")])
            .into_iter()
            .find_map(|(path, n)| self.managed_ref(id, ty, n, path));
        Principal {
            file: self.file.clone(),
            logical_id: id.to_string(),
            resource_type: ty.to_string(),
            kind,
            span: key_span,
            name,
            arn,
            managed,
            permissions_boundary,
            groups: Vec::new(),
            trusted_services: Vec::new(),
            trusts_non_services: false,
        }
    }

    /// A managed policy reference: a same-template `AWS::IAM::ManagedPolicy` by `Ref`, else an ARN.
    fn managed_ref(&self, id: &str, ty: &str, node: &Node, path: String) -> Option<ManagedRef> {
        let path = format!("Resources.{id}.Properties.{path}");
        if let Some(("Ref", target)) = node.intrinsic() {
            let target = target.as_str()?;
            if self.ids.contains(&target) {
                return Some(ManagedRef {
                    arn: self.resolver.arn(target).unwrap_or_else(|| "*".into()),
                    file: self.file.clone(),
                    span: node.span,
                    path,
                    source: ManagedSource::Template(target.to_string()),
                });
            }
        }
        let (arn, _) = self.resolver.normalize(node).pattern_text()?;
        Some(self.arn_ref(id, ty, arn.into(), node.span, path))
    }

    fn arn_ref(&self, id: &str, ty: &str, arn: String, span: Span, path: String) -> ManagedRef {
        let source = if managed::aws_managed_resource(&arn).is_some() {
            let origin = Origin {
                resource: Some(id.to_string()),
                resource_type: Some(ty.to_string()),
                path: path.clone(),
                ..Origin::default()
            };
            match managed::document(&arn, self.file, span, origin) {
                Some(doc) => ManagedSource::Aws(Box::new(doc)),
                None => ManagedSource::AwsUnbundled,
            }
        } else {
            ManagedSource::External
        };
        ManagedRef {
            arn,
            file: self.file.clone(),
            span,
            path,
            source,
        }
    }

    /// SAM `Policies` entries that name a managed policy (a bare AWS managed name or an ARN).
    fn sam_managed(&self, id: &str, props: &Node) -> Vec<ManagedRef> {
        walk(props, &[Step::Key("Policies"), Step::Each])
            .into_iter()
            .filter(|(_, n)| !n.is_object() || n.intrinsic().is_some())
            .filter_map(|(path, n)| {
                let (text, _) = self.resolver.normalize(n).pattern_text()?;
                let arn = if text.starts_with("arn:") {
                    text.into()
                } else {
                    managed::arn_for_name(&text)
                        .unwrap_or_else(|| format!("arn:aws:iam::aws:policy/{text}"))
                };
                let path = format!("Resources.{id}.Properties.{path}");
                Some(self.arn_ref(id, "AWS::Serverless::Function", arn, n.span, path))
            })
            .collect()
    }

    /// `Roles: [!Ref OrbRole, "named-role"]`: logical ids of this template, or names.
    fn targets(&self, node: Option<&Node>) -> Vec<Target> {
        let Some(node) = node else {
            return Vec::new();
        };
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) => items
                .iter()
                .flat_map(|i| alternatives(i).into_iter().map(|(_, n)| n))
                .collect(),
            _ => alternatives(node).into_iter().map(|(_, n)| n).collect(),
        };
        items
            .into_iter()
            .filter_map(|n| {
                if let Some(("Ref", t)) = n.intrinsic() {
                    let t = t.as_str()?;
                    return self
                        .ids
                        .contains(&t)
                        .then(|| Target::Logical(t.to_string()));
                }
                let (text, _) = n.pattern_text()?;
                (text != "*" && !text.is_empty()).then(|| Target::Name(text.into()))
            })
            .collect()
    }
}

/// Follows a property path, taking every alternative of `Fn::If` and every list item, and returns
/// each node found with its path (`Policies[0].PolicyDocument`). A non-list where a list is expected
/// is read as a one-item list, as SAM does for `Policies`.
fn walk<'n>(node: &'n Node, steps: &[Step]) -> Vec<(String, &'n Node)> {
    let mut found = vec![(String::new(), node)];
    for step in steps {
        let mut next = Vec::new();
        for (path, n) in found {
            match step {
                Step::Key(key) => {
                    if let Some(v) = n.get(key) {
                        let sep = if path.is_empty() { "" } else { "." };
                        for (suffix, alt) in alternatives(v) {
                            next.push((format!("{path}{sep}{key}{suffix}"), alt));
                        }
                    }
                }
                Step::Each => match n.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            for (suffix, alt) in alternatives(item) {
                                next.push((format!("{path}[{i}]{suffix}"), alt));
                            }
                        }
                    }
                    None => next.push((path, n)),
                },
            }
        }
        found = next;
    }
    found
}

/// A permission's principal as IAM writes it: `{"Service": ...}` for a service
/// (`s3.amazonaws.com`), `{"AWS": ...}` for an account id or ARN, or `*` itself; each alternative of
/// an `Fn::If` by its own kind. A value CloudFormation computes counts as an account unless its
/// known text is a service's (`events.*`).
fn principals_by_kind(value: Node) -> Node {
    if value.as_str() == Some("*") {
        return value;
    }
    let span = value.span;
    let kind = |n: &Node| match n.pattern_text() {
        Some((text, opaque)) => {
            let account = text.starts_with("arn:")
                || (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                || (opaque && text == "*");
            if account || text == "*" {
                "AWS"
            } else {
                "Service"
            }
        }
        None => "AWS",
    };
    let mut kinds: Vec<Entry> = Vec::new();
    let items = match value.value {
        Value::Array(items) => items,
        _ => vec![value],
    };
    for item in items {
        let k = kind(&item);
        match kinds.iter_mut().find(|e| e.key == k) {
            Some(Entry {
                value:
                    Node {
                        value: Value::Array(list),
                        ..
                    },
                ..
            }) => list.push(item),
            _ => kinds.push(Entry {
                key: k.into(),
                key_span: span,
                value: Node {
                    span,
                    value: Value::Array(vec![item]),
                },
            }),
        }
    }
    Node {
        value: Value::Object(kinds),
        span,
    }
}

/// The principals a trust policy admits: service names, and whether anything else is admitted.
pub(crate) fn read_trust(doc: &Node, principal: &mut Principal) {
    let statements = match doc.get("Statement") {
        Some(s) if s.as_array().is_some() => s.as_array().unwrap_or(&[]).iter().collect(),
        Some(s) => vec![s],
        None => Vec::new(),
    };
    for st in statements {
        if st.get("Effect").and_then(Node::as_str) != Some("Allow") {
            continue;
        }
        let Some(p) = st.get("Principal") else {
            if st.get("NotPrincipal").is_some() {
                principal.trusts_non_services = true;
            }
            continue;
        };
        match p.as_object() {
            Some(entries) => {
                for e in entries {
                    if e.key == "Service" {
                        for s in e.value.strings() {
                            if let Some((t, _)) = s.pattern_text() {
                                principal.trusted_services.push(t.into());
                            }
                        }
                    } else {
                        principal.trusts_non_services = true;
                    }
                }
            }
            None => principal.trusts_non_services = true,
        }
    }
    principal.trusted_services.sort();
    principal.trusted_services.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::{Effect, PolicyKind};
    use crate::read::syntax::{json, yaml};

    #[test]
    fn detection() {
        let yes = |t: &str| is_template(&yaml::parse(t).unwrap().root);
        assert!(yes("AWSTemplateFormatVersion: '2010-09-09'\n"));
        assert!(yes("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"));
        assert!(!yes("Resources:\n  limits: {cpu: 1}\n"));
        assert!(!yes("on: push\njobs: {}\n"));
        assert!(mentions_template("AWSTemplateFormatVersion: x\n: : broken"));
        assert!(mentions_template(
            "\"Resources\": {\"A\": {\"Type\": \"AWS::IAM::Role\""
        ));
        assert!(!mentions_template("  Resources: x\nAWS::\n"));
        assert!(!mentions_template("kind: Deployment\nresources: {}\n"));
    }

    const ROLE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrbRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: orb-controller
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: [ec2.amazonaws.com]}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonEC2ReadOnlyAccess
        - !Ref Extra
        - arn:aws:iam::123456789012:policy/elsewhere
        - !If [Cond, arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore, !Ref AWS::NoValue]
      PermissionsBoundary: arn:aws:iam::aws:policy/PowerUserAccess
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ec2:CreateFleet
                Resource: "*"
        - !If
          - Cond
          - PolicyName: maybe
            PolicyDocument: {Statement: [{Effect: Allow, Action: "ec2:*", Resource: "*"}]}
          - !Ref AWS::NoValue
  Extra:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref OrbRole, other-role]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: "iam:PassRole", Resource: !GetAtt OrbRole.Arn}]
  FleetRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: spotfleet.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref OrbRole]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AmazonEC2ReadOnlyAccess
        - Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]
        - S3ReadPolicy: {BucketName: b}
  Bucket:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}]}
"#;

    #[test]
    fn documents_and_principals_of_a_template() {
        let file: FilePath = "cfn/orb.yaml".into();
        let root = yaml::parse(ROLE).unwrap().root;
        assert!(is_template(&root));
        let (t, docs) = extract(&file, &root, "yaml");
        assert!(t.sam);
        let paths: Vec<(&str, PolicyKind)> = docs
            .iter()
            .map(|d| (d.origin.path.as_str(), d.kind))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "Resources.OrbRole.Properties.AssumeRolePolicyDocument",
                    PolicyKind::Trust
                ),
                (
                    "Resources.OrbRole.Properties.Policies[0].PolicyDocument",
                    PolicyKind::Identity
                ),
                (
                    "Resources.OrbRole.Properties.Policies[1].Fn::If[1].PolicyDocument",
                    PolicyKind::Identity
                ),
                (
                    "Resources.Extra.Properties.PolicyDocument",
                    PolicyKind::Identity
                ),
                (
                    "Resources.FleetRole.Properties.AssumeRolePolicyDocument",
                    PolicyKind::Trust
                ),
                ("Resources.Fn.Properties.Policies[1]", PolicyKind::Identity),
                (
                    "Resources.Bucket.Properties.PolicyDocument",
                    PolicyKind::Resource
                ),
            ]
        );
        let extra = &docs[3];
        assert_eq!(
            extra.statements[0].resources.items[0].value,
            "arn:*:iam::*:role/orb-controller"
        );
        let span = extra.statements[0].resources.items[0].span;
        assert_eq!(&ROLE[span.range()], "!GetAtt OrbRole.Arn");

        let orb = &t.principals[0];
        assert_eq!(orb.name.as_deref(), Some("orb-controller"));
        assert_eq!(orb.trusted_services, ["ec2.amazonaws.com"]);
        assert!(!orb.is_service_role());
        let sources: Vec<&str> = orb
            .managed
            .iter()
            .map(|m| match &m.source {
                ManagedSource::Aws(_) => "aws",
                ManagedSource::AwsUnbundled => "aws-unbundled",
                ManagedSource::Template(_) => "template",
                ManagedSource::External => "external",
                ManagedSource::Unread(_) => "unread",
            })
            .collect();
        assert_eq!(sources, ["aws", "template", "external", "aws"]);
        assert_eq!(
            orb.managed[3].path,
            "Resources.OrbRole.Properties.ManagedPolicyArns[3].Fn::If[1]"
        );
        assert!(matches!(
            orb.permissions_boundary.as_ref().unwrap().source,
            ManagedSource::Aws(_)
        ));
        let fleet = &t.principals[1];
        assert!(fleet.is_service_role());
        assert_eq!(fleet.arn, "arn:*:iam::*:role/*");
        let function = &t.principals[2];
        assert_eq!(function.trusted_services, ["lambda.amazonaws.com"]);
        assert_eq!(function.managed.len(), 1);
        assert_eq!(
            t.attachments[0].targets,
            [
                (PrincipalKind::Role, Target::Logical("OrbRole".into())),
                (PrincipalKind::Role, Target::Name("other-role".into()))
            ]
        );
        assert_eq!(
            t.instance_profiles[0].roles,
            [Target::Logical("OrbRole".into())]
        );
    }

    #[test]
    fn json_long_forms_read_like_yaml_short_forms() {
        let text = r#"{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                "Principal": {"Service": {"Fn::Sub": "ec2.${AWS::URLSuffix}"}}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonEC2FullAccess"]]}],
            "Policies": [{"Fn::If": ["C", {"PolicyName": "p", "PolicyDocument": {"Statement": []}}, {"Ref": "AWS::NoValue"}]}]
        }}}}"#;
        let root = json::parse(text).unwrap().root;
        let (t, docs) = extract(&"t.json".into(), &root, "json");
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[1].origin.path,
            "Resources.R.Properties.Policies[0].Fn::If[1].PolicyDocument"
        );
        let r = &t.principals[0];
        assert_eq!(r.trusted_services, ["ec2.*"]);
        assert!(!r.is_service_role());
        assert!(matches!(r.managed[0].source, ManagedSource::Aws(_)));
    }

    /// A Lambda permission is the one statement AWS writes into the function's policy: a resource
    /// policy whose fields and conditions are spanned on the properties they come from.
    #[test]
    fn permissions_are_one_statement_resource_policies() {
        const TEMPLATE: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: orb-notify
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: !Sub arn:${AWS::Partition}:s3:::orb-bucket
      SourceAccount: "111122223333"
  Account:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: arn:aws:lambda:eu-west-1:111122223333:function:orb-api
      Action: lambda:InvokeFunction
      Principal: !If [Public, "*", "444455556666"]
  Incomplete:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: orb-notify
      Action: lambda:InvokeFunction
"#;
        let root = yaml::parse(TEMPLATE).unwrap().root;
        let (_, docs) = extract(&"t.yaml".into(), &root, "yaml");
        let text = |span: Span| &TEMPLATE[span.range()];
        assert_eq!(docs.len(), 2, "a permission without a principal is none");
        let invoke = &docs[0];
        assert_eq!(invoke.kind, PolicyKind::Resource);
        assert!(invoke.problems.is_empty());
        assert_eq!(
            invoke.origin.resource_type.as_deref(),
            Some("AWS::Lambda::Permission")
        );
        assert_eq!(text(invoke.anchor), "Invoke");
        let s = &invoke.statements[0];
        assert_eq!(s.effect.as_ref().map(|e| e.value), Some(Effect::Allow));
        let principal = &s.principals[0];
        assert_eq!(
            (principal.kind.as_str(), text(principal.item.span)),
            ("Service", "s3.amazonaws.com")
        );
        assert_eq!(s.actions.items[0].value, "lambda:InvokeFunction");
        assert!(s.actions.items[0].action.is_some());
        assert_eq!(text(s.actions.span), "Action: lambda:InvokeFunction");
        // A name stands for the function's ARN, which AWS resolves it to.
        let resource = &s.resources.items[0];
        assert_eq!(
            (resource.value.as_str(), resource.opaque),
            ("arn:*:lambda:*:*:function:*", true)
        );
        assert_eq!(text(resource.span), "orb-notify");
        let conditions: Vec<(&str, &str, &str)> = s
            .conditions
            .iter()
            .map(|c| (c.operator.as_str(), c.key.as_str(), text(c.span)))
            .collect();
        assert_eq!(
            conditions,
            [
                (
                    "StringEquals",
                    "aws:SourceAccount",
                    r#"SourceAccount: "111122223333""#
                ),
                (
                    "ArnLike",
                    "aws:SourceArn",
                    "SourceArn: !Sub arn:${AWS::Partition}:s3:::orb-bucket"
                ),
            ]
        );
        let account = &docs[1].statements[0];
        let arn = &account.resources.items[0];
        assert_eq!(
            (arn.value.as_str(), arn.opaque),
            (
                "arn:aws:lambda:eu-west-1:111122223333:function:orb-api",
                false
            )
        );
        let principals: Vec<(&str, &str)> = account
            .principals
            .iter()
            .map(|p| (p.kind.as_str(), p.item.value.as_str()))
            .collect();
        assert_eq!(principals, [("AWS", "*"), ("AWS", "444455556666")]);
    }
}

#[cfg(test)]
mod intrinsic_forms {
    use super::*;
    use crate::read::syntax::{json, yaml};

    /// Every intrinsic in a Resource list, short form in YAML and long form in JSON: both must read
    /// the same, opaque parts as `*`, `Fn::If` as both branches, `AWS::NoValue` as nothing.
    const YAML: &str = r#"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Both: !And [!Condition IsProd, !Or [!Not [!Condition IsProd], !Equals [a, b]]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: orb
      Policies:
        - PolicyName: every-form
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ec2:RunInstances
                Resource:
                  - !Ref Param
                  - !Sub "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"
                  - !Sub ["arn:aws:s3:::${B}/*", {B: !Ref Bucket}]
                  - !GetAtt Role.Arn
                  - !Join ["", ["arn:", !Ref AWS::Partition, ":sqs:*:*:q"]]
                  - !If [IsProd, prod-arn, !Ref AWS::NoValue]
                  - !Select [0, [a, b]]
                  - !Split [",", "a,b"]
                  - !FindInMap [Map, Key, Value]
                  - !ImportValue Exported
                  - !Base64 text
                  - !Cidr [10.0.0.0/16, 2, 8]
                  - !GetAZs ""
                  - !Ref AWS::NoValue
                Condition: !If [Both, {Bool: {aws:SecureTransport: "true"}}, !Ref AWS::NoValue]
"#;

    const JSON: &str = r#"{
"Conditions": {
  "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
  "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Or": [{"Fn::Not": [{"Condition": "IsProd"}]}, {"Fn::Equals": ["a", "b"]}]}]}
},
"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "orb", "Policies": [
  {"PolicyName": "every-form", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "ec2:RunInstances",
    "Resource": [
      {"Ref": "Param"},
      {"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"},
      {"Fn::Sub": ["arn:aws:s3:::${B}/*", {"B": {"Ref": "Bucket"}}]},
      {"Fn::GetAtt": ["Role", "Arn"]},
      {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sqs:*:*:q"]]},
      {"Fn::If": ["IsProd", "prod-arn", {"Ref": "AWS::NoValue"}]},
      {"Fn::Select": [0, ["a", "b"]]},
      {"Fn::Split": [",", "a,b"]},
      {"Fn::FindInMap": ["Map", "Key", "Value"]},
      {"Fn::ImportValue": "Exported"},
      {"Fn::Base64": "text"},
      {"Fn::Cidr": ["10.0.0.0/16", 2, 8]},
      {"Fn::GetAZs": ""},
      {"Ref": "AWS::NoValue"}
    ],
    "Condition": {"Fn::If": ["Both", {"Bool": {"aws:SecureTransport": "true"}}, {"Ref": "AWS::NoValue"}]}
  }]}}
]}}}}"#;

    const EXPECTED: &[&str] = &[
        "*",
        "arn:*:ec2:*:*:instance/*",
        "arn:aws:s3:::*/*",
        "arn:*:iam::*:role/orb",
        "arn:*:sqs:*:*:q",
        "prod-arn",
        "*",
        "*",
        "*",
        "*",
        "*",
        "*",
        "*",
    ];

    fn read(root: &Node, format: &'static str) -> PolicyDocument {
        let (_, mut docs) = extract(&"t".into(), root, format);
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn short_and_long_forms_read_the_same() {
        let y = yaml::parse(YAML).unwrap().root;
        let j = json::parse(JSON).unwrap().root;
        let names = |root: &Node| -> Vec<String> {
            let r = root
                .get("Resources")
                .and_then(|r| r.get("Role"))
                .and_then(|r| r.get("Properties"))
                .and_then(|p| p.get("Policies"))
                .and_then(Node::as_array)
                .and_then(|p| p[0].get("PolicyDocument"))
                .and_then(|d| d.get("Statement"))
                .and_then(Node::as_array)
                .and_then(|s| s[0].get("Resource"))
                .and_then(Node::as_array)
                .unwrap();
            r.iter()
                .map(|n| n.intrinsic().map_or("-", |(name, _)| name).to_string())
                .collect()
        };
        // The YAML short forms are stored under the same long names the JSON spells out.
        assert_eq!(names(&y), names(&j));
        let cond = |root: &Node, name: &str| {
            root.get("Conditions")
                .and_then(|c| c.get(name))
                .map(|c| c.intrinsic().unwrap().0.to_string())
        };
        assert_eq!(cond(&y, "Both"), cond(&j, "Both"));
        assert_eq!(cond(&y, "Both").as_deref(), Some("Fn::And"));
        assert_eq!(cond(&y, "IsProd").as_deref(), Some("Fn::Equals"));
        let (yd, jd) = (read(&y, "yaml"), read(&j, "json"));
        for doc in [&yd, &jd] {
            let st = &doc.statements[0];
            let got: Vec<&str> = st
                .resources
                .items
                .iter()
                .map(|i| i.value.as_str())
                .collect();
            assert_eq!(got, EXPECTED);
            assert_eq!(st.conditions.len(), 1);
            assert_eq!(st.conditions[0].key, "aws:SecureTransport");
        }
        // Spans point at each intrinsic in its own file.
        let span = yd.statements[0].resources.items[3].span;
        assert_eq!(&YAML[span.range()], "!GetAtt Role.Arn");
        let span = jd.statements[0].resources.items[3].span;
        assert_eq!(&JSON[span.range()], r#"{"Fn::GetAtt": ["Role", "Arn"]}"#);
    }
}
