//! Links the `.tf` files of one module folder, as Terraform does: each policy-valued attribute
//! becomes documents, and roles, users, groups, instance profiles, inline policies and attachments
//! become a `cfn::Template` of the module (its `file` is the folder, `terraform` its format), so a
//! role that carries ORB's policy becomes ORB's principal exactly as a CloudFormation role does.
//! `count`/`for_each` instances count as one resource.

use super::eval::{PolicyValue, Scope};
use super::{attributes, File, Repository, POLICY_DOCUMENT};
use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::cfn::intrinsics::{iam_path, Resolver};
use crate::cfn::{
    managed, read_trust, Attachment, InstanceProfile, ManagedRef, ManagedSource, Principal,
    PrincipalKind, Target, Template,
};
use crate::iam::policy::{Item, Origin, PolicyDocument};
use crate::iam::role::Role;
use crate::read::syntax::hcl::{Block, Expr, ExprKind};
use crate::read::syntax::{Embedding, Node, Value};
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;

/// One module folder's files, indexed by what references name.
pub struct Module<'a> {
    /// The folder as shown, `/`-terminated (`infra/`, or `./` for the scan root): the module's
    /// `Template::file` and every document's `Origin::module`.
    pub key: FilePath,
    /// The folder as shown (`""` for the scan root).
    pub folder: String,
    files: Vec<&'a File>,
    /// The `variable` blocks of the folder's other `.tf` files, read the first time a variable is
    /// not found in `files` (most modules never ask).
    skipped: Option<&'a OnceCell<Vec<File>>>,
    /// The `module` blocks of the scan that call this folder: its inputs come from them.
    callers: Vec<Call<'a>>,
    repository: &'a dyn Repository,
    /// Files read for `file()`/`templatefile()`: their text, for the report.
    read: RefCell<BTreeMap<String, Result<String, String>>>,
}

/// What linking a module produced.
#[derive(Default)]
pub struct Linked {
    pub templates: Vec<Template>,
    pub policies: Vec<PolicyDocument>,
    pub roles: Vec<Role>,
    /// Files the modules read beyond the walk (`file()` targets), with their text.
    pub read: Vec<(FilePath, String)>,
}

/// Links every module: `files` are the walk's `.tf` files that hold IAM; `repository` reads what
/// they name, and the `variable` blocks of a module's other files.
pub fn link(files: &[File], repository: &dyn Repository) -> Linked {
    let mut by_folder: BTreeMap<&str, Vec<&File>> = BTreeMap::new();
    for f in files {
        by_folder.entry(super::folder(&f.path)).or_default().push(f);
    }
    // Variables are often in a file with no IAM in it, which the walk passed over.
    let skipped: Vec<OnceCell<Vec<File>>> = by_folder.iter().map(|_| OnceCell::new()).collect();
    let calls = calls(files);
    let modules: Vec<Module> = by_folder
        .into_iter()
        .zip(&skipped)
        .map(|((folder, mut members), skipped)| {
            members.sort_by(|a, b| a.path.cmp(&b.path));
            Module {
                key: if folder.is_empty() {
                    "./".into()
                } else {
                    format!("{folder}/").as_str().into()
                },
                folder: folder.to_string(),
                files: members,
                skipped: Some(skipped),
                callers: calls.get(folder).cloned().unwrap_or_default(),
                repository,
                read: RefCell::default(),
            }
        })
        .collect();
    let mut out = Linked::default();
    for module in &modules {
        module.link(&modules, &mut out);
    }
    for module in modules {
        for (shown, text) in module.read.into_inner() {
            if let Ok(text) = text {
                out.read.push((shown.as_str().into(), text));
            }
        }
    }
    out.read.sort_by(|a, b| a.0.cmp(&b.0));
    out.read.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The `variable` blocks of the folder's `.tf` files the walk did not read.
fn variable_files(folder: &str, members: &[&File], repository: &dyn Repository) -> Vec<File> {
    repository
        .terraform_files(folder)
        .into_iter()
        .filter(|shown| !members.iter().any(|m| *m.path == **shown))
        .filter_map(|shown| {
            let text = repository.read(&shown).ok()?;
            memchr::memmem::find(text.as_bytes(), b"variable")?;
            let body = super::parse(&shown, &text).ok()?;
            let blocks: Vec<Block> = body
                .blocks
                .into_iter()
                .filter(|b| b.kind == "variable")
                .collect();
            Some(File {
                path: shown.as_str().into(),
                text: String::new(),
                body: crate::read::syntax::hcl::Body {
                    attributes: Vec::new(),
                    blocks,
                },
            })
        })
        .collect()
}

/// A `module` block that calls a module folder of the repository: where it is written.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    pub file: &'a File,
    pub block: &'a Block,
}

/// The module blocks of `files` with a local `source` (`./modules/orb`, `../shared`), by the folder
/// they call, as shown; calls of the registry, git and other remote sources are not followed.
fn calls(files: &[File]) -> BTreeMap<String, Vec<Call<'_>>> {
    let mut out: BTreeMap<String, Vec<Call>> = BTreeMap::new();
    for file in files {
        for block in file.body.blocks.iter().filter(|b| b.kind == "module") {
            let Some(source) = block
                .body
                .attribute("source")
                .and_then(|a| a.value.as_str())
            else {
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                continue;
            }
            if let Some(folder) = relative_folder(super::folder(&file.path), source) {
                out.entry(folder).or_default().push(Call { file, block });
            }
        }
    }
    out
}

/// `relative`, a `/`-separated path, from `folder`, as shown; `None` above the scan root.
pub fn relative_folder(folder: &str, relative: &str) -> Option<String> {
    if relative.starts_with('/') || relative.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for piece in relative.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The ARN resource type of the IAM resources a reference can name.
fn arn_type(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "aws_iam_role" => "role",
        "aws_iam_user" => "user",
        "aws_iam_group" => "group",
        "aws_iam_instance_profile" => "instance-profile",
        "aws_iam_policy" => "policy",
        _ => return None,
    })
}

impl<'a> Module<'a> {
    /// A module of one file, reading nothing else.
    pub fn single(file: &'a File) -> Module<'a> {
        Module {
            key: "./".into(),
            folder: super::folder(&file.path).to_string(),
            files: vec![file],
            skipped: None,
            callers: Vec::new(),
            repository: &super::NoRepository,
            read: RefCell::default(),
        }
    }

    fn resources(&self) -> impl Iterator<Item = (&'a File, &'a Block, &'a str, &'a str)> + '_ {
        self.files.iter().flat_map(|f| {
            f.body
                .blocks
                .iter()
                .filter_map(move |b| match b.kind.as_str() {
                    "resource" => Some((*f, b, b.label(0)?, b.label(1)?)),
                    _ => None,
                })
        })
    }

    pub fn resource(&self, ty: &str, name: &str) -> Option<(&'a File, &'a Block)> {
        self.resources()
            .find(|(_, _, t, n)| *t == ty && *n == name)
            .map(|(f, b, ..)| (f, b))
    }

    pub fn data_document(&self, name: &str) -> Option<(&'a File, &'a Block)> {
        self.files.iter().find_map(|f| {
            f.body
                .blocks
                .iter()
                .find(|b| {
                    b.kind == "data"
                        && b.label(0) == Some(POLICY_DOCUMENT)
                        && b.label(1) == Some(name)
                })
                .map(|b| (*f, b))
        })
    }

    /// The `module` blocks that call this folder.
    pub fn callers(&self) -> &[Call<'a>] {
        &self.callers
    }

    /// A variable's default as written (Terraform requires it to be a literal). A `null` default is
    /// none: it says the caller sets the value, not what the value is.
    pub fn variable(&self, name: &str) -> Option<(&'a File, &'a Expr)> {
        let default = |f: &'a File| {
            f.body
                .blocks
                .iter()
                .find(|b| b.kind == "variable" && b.label(0) == Some(name))
                .and_then(|b| b.body.attribute("default"))
                .filter(|a| a.value.kind != ExprKind::Null)
                .map(|a| (f, &a.value))
        };
        if let Some(found) = self.files.iter().find_map(|f| default(f)) {
            return Some(found);
        }
        let skipped: &'a OnceCell<Vec<File>> = self.skipped?;
        skipped
            .get_or_init(|| variable_files(&self.folder, &self.files, self.repository))
            .iter()
            .find_map(default)
    }

    pub fn read_file(&self, shown: &str) -> Result<String, String> {
        self.read
            .borrow_mut()
            .entry(shown.to_string())
            .or_insert_with(|| self.repository.read(shown))
            .clone()
    }

    /// A resource's name as a glob (`name`, `name_prefix*`, or `*` when Terraform generates it),
    /// and whether it is computed.
    fn name(&self, scope: &Scope, block: &Block) -> (String, bool) {
        if let Some(a) = block.body.attribute("name") {
            return scope.pattern_or_any(&a.value);
        }
        if let Some(a) = block.body.attribute("name_prefix") {
            let (prefix, _) = scope.pattern_or_any(&a.value);
            return (format!("{prefix}*"), true);
        }
        ("*".into(), true)
    }

    fn arn(&self, scope: &Scope, ty: &str, block: &Block) -> Option<(String, bool)> {
        let arn_type = arn_type(ty)?;
        let (name, computed) = self.name(scope, block);
        let path = block
            .body
            .attribute("path")
            .and_then(|a| scope.pattern(&a.value))
            .map(|(p, _)| p);
        Some((
            format!("arn:*:iam::*:{arn_type}{}{name}", iam_path(path)),
            computed,
        ))
    }

    /// `aws_iam_role.X.arn`, `.name`, `.id` of an IAM resource of the module.
    pub fn resource_value(
        &self,
        scope: &Scope,
        ty: &str,
        name: &str,
        attribute: &str,
    ) -> Option<Node> {
        let (_, block) = self.resource(ty, name)?;
        let (text, computed) = match (ty, attribute) {
            (_, "arn") | ("aws_iam_policy", "id") => self.arn(scope, ty, block)?,
            (_, "name" | "id") if arn_type(ty).is_some() => self.name(scope, block),
            _ => return None,
        };
        // An ARN with `*` for what Terraform generates is a pattern, as CloudFormation's are.
        let _ = computed;
        Some(Node {
            value: Value::String(text.into()),
            span: Span::default(),
        })
    }

    fn link(&self, modules: &[Module<'a>], out: &mut Linked) {
        let mut template = Template {
            file: self.key.clone(),
            span: Span::default(),
            format: "terraform",
            sam: false,
            resources: 0,
            principals: Vec::new(),
            instance_profiles: Vec::new(),
            attachments: Vec::new(),
        };
        let mut trust: BTreeMap<String, Vec<Node>> = BTreeMap::new();
        let resolver = Resolver::new(&[]);
        for (file, block, ty, name) in self.resources() {
            template.resources += 1;
            let scope = Scope::new(self, file).within(modules);
            let address = format!("{ty}.{name}");
            for attribute in attributes::of_type(ty) {
                for (path, value) in attribute_values(block, attribute) {
                    let kind = attribute.policy_kind();
                    let origin = |embedding| Origin {
                        resource: Some(address.clone()),
                        resource_type: Some(ty.to_string()),
                        path: format!("{address}.{path}"),
                        module: Some(self.key.clone()),
                        embedding,
                    };
                    match scope.policy(value) {
                        PolicyValue::Read(pieces) => {
                            for piece in pieces {
                                let node = resolver.normalize(&piece.node);
                                if kind == crate::iam::policy::PolicyKind::Trust {
                                    trust.entry(address.clone()).or_default().push(node.clone());
                                }
                                let mut doc = PolicyDocument::from_node(
                                    &piece.file,
                                    node,
                                    origin(piece.form),
                                    Some(kind),
                                );
                                doc.unread.extend(piece.unread);
                                out.policies.push(doc);
                            }
                        }
                        // Still the principal's policy: linked as any other, it makes what the
                        // principal lacks doubtful.
                        PolicyValue::Unread(why) => out.policies.push(PolicyDocument::unread(
                            &file.path,
                            value.span,
                            origin(Embedding::Native),
                            kind,
                            why,
                        )),
                    }
                }
            }
            self.relations(&mut template, &scope, file, block, ty, &address, &trust);
        }
        self.attachments(&mut template, modules);
        for p in &template.principals {
            if p.kind == PrincipalKind::Role {
                out.roles.push(Role {
                    file: p.file.clone(),
                    name: p.logical_id.clone(),
                    span: p.span,
                    managed_policy_arns: p
                        .managed
                        .iter()
                        .filter(|m| !matches!(m.source, ManagedSource::Unread(_)))
                        .map(|m| Item::new(m.arn.as_str(), m.span, false))
                        .collect(),
                    resource: Some(p.logical_id.clone()),
                });
            }
        }
        if !template.principals.is_empty() || !template.instance_profiles.is_empty() {
            out.templates.push(template);
        }
    }

    /// Principals and instance profiles.
    #[allow(clippy::too_many_arguments)]
    fn relations(
        &self,
        template: &mut Template,
        scope: &Scope,
        file: &File,
        block: &Block,
        ty: &str,
        address: &str,
        trust: &BTreeMap<String, Vec<Node>>,
    ) {
        let header = header(block);
        let kind = match ty {
            "aws_iam_role" => PrincipalKind::Role,
            "aws_iam_user" => PrincipalKind::User,
            "aws_iam_group" => PrincipalKind::Group,
            "aws_iam_instance_profile" => {
                template.instance_profiles.push(InstanceProfile {
                    file: file.path.clone(),
                    logical_id: address.to_string(),
                    span: header,
                    name: Some(self.name(scope, block).0).filter(|n| n != "*"),
                    roles: block
                        .body
                        .attribute("role")
                        .and_then(|a| self.target(scope, &a.value, "aws_iam_role"))
                        .into_iter()
                        .collect(),
                });
                return;
            }
            _ => return,
        };
        let (name, _) = self.name(scope, block);
        let mut principal = Principal {
            file: file.path.clone(),
            logical_id: address.to_string(),
            resource_type: ty.to_string(),
            kind,
            span: header,
            name: Some(name).filter(|n| n != "*"),
            arn: self
                .arn(scope, ty, block)
                .map_or_else(|| "*".into(), |(a, _)| a),
            managed: Vec::new(),
            permissions_boundary: None,
            groups: Vec::new(),
            trusted_services: Vec::new(),
            trusts_non_services: false,
        };
        if let Some(a) = block.body.attribute("managed_policy_arns") {
            let items: Vec<&Expr> = match &a.value.kind {
                ExprKind::Array(items) => items.iter().collect(),
                _ => vec![&a.value],
            };
            for (i, item) in items.into_iter().enumerate() {
                let path = format!("{address}.managed_policy_arns[{i}]");
                principal
                    .managed
                    .push(self.managed_ref(scope, file, item, address, ty, path));
            }
        }
        if let Some(a) = block.body.attribute("permissions_boundary") {
            let path = format!("{address}.permissions_boundary");
            principal.permissions_boundary =
                Some(self.managed_ref(scope, file, &a.value, address, ty, path));
        }
        for doc in trust.get(address).into_iter().flatten() {
            read_trust(doc, &mut principal);
        }
        template.principals.push(principal);
    }

    /// A managed policy by ARN: one of the module's `aws_iam_policy`, a bundled AWS managed
    /// policy, or one defined elsewhere.
    fn managed_ref(
        &self,
        scope: &Scope,
        file: &File,
        value: &Expr,
        address: &str,
        ty: &str,
        path: String,
    ) -> ManagedRef {
        if let ExprKind::Reference(root, steps) = &value.kind {
            if let Some(crate::read::syntax::hcl::Step::Attr(name)) = steps.first() {
                if root == "aws_iam_policy" && self.resource(root, name).is_some() {
                    return ManagedRef {
                        arn: scope.pattern_or_any(value).0,
                        file: file.path.clone(),
                        span: value.span,
                        path,
                        source: ManagedSource::Template(format!("aws_iam_policy.{name}")),
                    };
                }
            }
        }
        let (arn, computed) = scope.pattern_or_any(value);
        let source = if computed && arn == "*" {
            ManagedSource::Unread(format!(
                "`{}` is known only when Terraform runs",
                scope.source(value)
            ))
        } else if managed::aws_managed_resource(&arn).is_some() {
            let origin = Origin {
                resource: Some(address.to_string()),
                resource_type: Some(ty.to_string()),
                path: path.clone(),
                module: Some(self.key.clone()),
                embedding: Embedding::Native,
            };
            match managed::document(&arn, &file.path, value.span, origin) {
                Some(doc) => ManagedSource::Aws(Box::new(doc)),
                None => ManagedSource::AwsUnbundled,
            }
        } else {
            ManagedSource::External
        };
        ManagedRef {
            arn: if matches!(source, ManagedSource::Unread(_)) {
                scope.source(value)
            } else {
                arn
            },
            file: file.path.clone(),
            span: value.span,
            path,
            source,
        }
    }

    /// A reference to a principal: one of the module's resources of `ty` (any instance), or a
    /// name; `None` when only Terraform knows (`each.value`).
    fn target(&self, scope: &Scope, value: &Expr, ty: &str) -> Option<Target> {
        if let ExprKind::Reference(root, steps) = &value.kind {
            if root == ty {
                if let Some(crate::read::syntax::hcl::Step::Attr(name)) = steps.first() {
                    if self.resource(root, name).is_some() {
                        return Some(Target::Logical(format!("{root}.{name}")));
                    }
                }
            }
        }
        let (name, computed) = scope.pattern(value)?;
        (!computed && !name.is_empty() && name != "*").then_some(Target::Name(name))
    }

    fn targets(&self, scope: &Scope, value: Option<&Expr>, ty: &str) -> Vec<Target> {
        match value.map(|v| &v.kind) {
            Some(ExprKind::Array(items)) => items
                .iter()
                .filter_map(|i| self.target(scope, i, ty))
                .collect(),
            Some(_) => value
                .and_then(|v| self.target(scope, v, ty))
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }

    /// Inline policies, attachments and group memberships, once every principal is known.
    fn attachments(&self, template: &mut Template, modules: &[Module<'a>]) {
        for (file, block, ty, name) in self.resources() {
            let scope = Scope::new(self, file).within(modules);
            let address = format!("{ty}.{name}");
            let body = &block.body;
            let one = |key: &str, principal: &str, kind: PrincipalKind| {
                self.targets(&scope, body.attribute(key).map(|a| &a.value), principal)
                    .into_iter()
                    .map(move |t| (kind, t))
            };
            let role = || one("role", "aws_iam_role", PrincipalKind::Role);
            let user = || one("user", "aws_iam_user", PrincipalKind::User);
            let group = || one("group", "aws_iam_group", PrincipalKind::Group);
            let (policy, targets): (Option<&Expr>, Vec<(PrincipalKind, Target)>) = match ty {
                "aws_iam_role_policy" => (None, role().collect()),
                "aws_iam_user_policy" => (None, user().collect()),
                "aws_iam_group_policy" => (None, group().collect()),
                "aws_iam_role_policy_attachment" => (policy_arn(block), role().collect()),
                "aws_iam_user_policy_attachment" => (policy_arn(block), user().collect()),
                "aws_iam_group_policy_attachment" => (policy_arn(block), group().collect()),
                "aws_iam_policy_attachment" => (
                    policy_arn(block),
                    one("roles", "aws_iam_role", PrincipalKind::Role)
                        .chain(one("users", "aws_iam_user", PrincipalKind::User))
                        .chain(one("groups", "aws_iam_group", PrincipalKind::Group))
                        .collect(),
                ),
                "aws_iam_user_group_membership" => {
                    let groups = self.targets(
                        &scope,
                        body.attribute("groups").map(|a| &a.value),
                        "aws_iam_group",
                    );
                    for (_, user) in user() {
                        if let Some(p) = find(template, PrincipalKind::User, &user) {
                            p.groups.extend(groups.iter().cloned());
                        }
                    }
                    continue;
                }
                "aws_iam_group_membership" => {
                    let groups: Vec<Target> = group().map(|(_, t)| t).collect();
                    let users = self.targets(
                        &scope,
                        body.attribute("users").map(|a| &a.value),
                        "aws_iam_user",
                    );
                    for user in users {
                        if let Some(p) = find(template, PrincipalKind::User, &user) {
                            p.groups.extend(groups.iter().cloned());
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let policy_address = match policy {
                None => Some(address.clone()),
                Some(arn) => match &arn.kind {
                    ExprKind::Reference(root, steps)
                        if root == "aws_iam_policy"
                            && matches!(steps.first(), Some(crate::read::syntax::hcl::Step::Attr(n)) if self.resource(root, n).is_some()) =>
                    {
                        match steps.first() {
                            Some(crate::read::syntax::hcl::Step::Attr(n)) => {
                                Some(format!("aws_iam_policy.{n}"))
                            }
                            _ => None,
                        }
                    }
                    _ => {
                        // An ARN: AWS managed (bundled or not) or defined elsewhere.
                        for (kind, target) in &targets {
                            let path = format!("{address}.policy_arn");
                            let r = self.managed_ref(&scope, file, arn, &address, ty, path);
                            if let Some(p) = find(template, *kind, target) {
                                p.managed.push(r);
                            }
                        }
                        None
                    }
                },
            };
            let Some(policy_address) = policy_address else {
                continue;
            };
            template.attachments.push(Attachment {
                policy: policy_address,
                targets,
            });
        }
    }
}

fn policy_arn(block: &Block) -> Option<&Expr> {
    block.body.attribute("policy_arn").map(|a| &a.value)
}

/// The principal of this module a target names.
fn find<'t>(
    template: &'t mut Template,
    kind: PrincipalKind,
    target: &Target,
) -> Option<&'t mut Principal> {
    template.principals.iter_mut().find(|p| {
        p.kind == kind
            && match target {
                Target::Logical(id) => p.logical_id == *id,
                Target::Name(n) => p.name.as_deref() == Some(n.as_str()),
            }
    })
}

/// `resource "aws_iam_role" "orb"`: where to point at a resource as a whole.
fn header(block: &Block) -> Span {
    Span {
        start: block.kind_span.start,
        end: block
            .labels
            .last()
            .map_or(block.kind_span.end, |l| l.span.end),
    }
}

/// The values of a policy attribute (`policy`, or `inline_policy.policy` in each such block), with
/// their path under the resource.
fn attribute_values<'b>(
    block: &'b Block,
    attribute: &'b attributes::Attribute,
) -> Vec<(String, &'b Expr)> {
    let (blocks, key) = attribute.steps();
    let mut found: Vec<(String, &crate::read::syntax::hcl::Body)> =
        vec![(String::new(), &block.body)];
    for kind in blocks {
        let mut next = Vec::new();
        for (path, body) in found {
            for (i, b) in body.blocks(kind).enumerate() {
                next.push((format!("{path}{kind}[{i}]."), &b.body));
            }
        }
        found = next;
    }
    found
        .into_iter()
        .filter_map(|(path, body)| Some((format!("{path}{key}"), &body.attribute(key)?.value)))
        .collect()
}
