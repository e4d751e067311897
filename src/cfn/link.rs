//! Principals with all of their policies (DESIGN.md §3): inline documents, same-template policies that
//! attach to them (by `Ref` or by name, from any template), managed policies by ARN, a user's groups,
//! and the permissions boundary. Also answers "which role is this?" for ORB's fleet role and instance
//! profile names.

use super::{
    InstanceProfile, ManagedRef, ManagedSource, Principal, PrincipalKind, Target, Template,
};
use crate::iam::pattern::glob_match;
use crate::iam::policy::{PolicyDocument, PolicyKind};
use crate::orb::needs::RoleLookup;
use std::collections::{HashMap, HashSet};

/// One principal and every document that applies to it.
pub struct Linked<'a> {
    pub template: &'a Template,
    pub principal: &'a Principal,
    pub identity: Vec<&'a PolicyDocument>,
    pub trust: Vec<&'a PolicyDocument>,
    /// The permissions boundary's document, when it is known (bundled or in the template).
    pub boundary: Vec<&'a PolicyDocument>,
    /// Instance profiles (of any template) that hold this role.
    pub instance_profiles: Vec<&'a InstanceProfile>,
    /// Managed policies it holds (a user, also through its groups) that orb-scan cannot read
    /// (`ManagedRef::unread_why`).
    pub unread: Vec<&'a ManagedRef>,
    /// A group some scanned user is a member of: the user holds its policies, and a group is never
    /// what ORB runs as.
    pub has_members: bool,
}

/// Every principal of every template, linked.
pub struct Links<'a> {
    templates: &'a [Template],
    pub principals: Vec<Linked<'a>>,
    /// Identity documents that belong to some principal (inline or attached), and documents used as
    /// a permissions boundary (which grant nothing by themselves), by address (a plain number keeps
    /// the model shareable between the threads that run the rules).
    claimed: HashSet<usize>,
}

type ByResource<'a> = HashMap<(&'a str, &'a str), Vec<&'a PolicyDocument>>;

impl<'a> Links<'a> {
    pub fn new(templates: &'a [Template], policies: &'a [PolicyDocument]) -> Links<'a> {
        let mut by_resource: ByResource = HashMap::new();
        for p in policies {
            if let Some(r) = &p.origin.resource {
                by_resource.entry((p.scope(), r)).or_default().push(p);
            }
        }
        let identity_of = |file: &'a str, id: &str| -> Vec<&'a PolicyDocument> {
            by_resource
                .get(&(file, id))
                .map(|ds| {
                    ds.iter()
                        .copied()
                        .filter(|d| d.kind == PolicyKind::Identity)
                        .collect()
                })
                .unwrap_or_default()
        };
        // What names a principal, indexed once: each principal then finds its attachments and
        // instance profiles by hash, not by trying every target of every template (12,000 roles
        // with a policy each took 18 s).
        let mut attachments: Naming<(PrincipalKind, &'a str)> = Naming::default();
        let mut profiles: Naming<&'a InstanceProfile> = Naming::default();
        for other in templates {
            for a in &other.attachments {
                for (kind, target) in &a.targets {
                    attachments.add(other, target, (*kind, &*a.policy));
                }
            }
            for ip in &other.instance_profiles {
                for target in &ip.roles {
                    profiles.add(other, target, ip);
                }
            }
        }
        let mut principals = Vec::new();
        let mut boundary_docs = Vec::new();
        for template in templates {
            for principal in &template.principals {
                let mut identity = identity_of(&template.file, &principal.logical_id);
                let trust = by_resource
                    .get(&(&*template.file, &*principal.logical_id))
                    .map(|ds| {
                        ds.iter()
                            .copied()
                            .filter(|d| d.kind == PolicyKind::Trust)
                            .collect()
                    })
                    .unwrap_or_default();
                for (from, (kind, policy)) in attachments.naming(template, principal) {
                    if kind == principal.kind {
                        identity.extend(identity_of(&from.file, policy));
                    }
                }
                for m in &principal.managed {
                    identity.extend(managed_documents(&m.source, template, &identity_of));
                }
                let boundary = principal
                    .permissions_boundary
                    .as_ref()
                    .map(|b| managed_documents(&b.source, template, &identity_of))
                    .unwrap_or_default();
                boundary_docs.extend(boundary.iter().map(|d| address(d)));
                dedup(&mut identity);
                let mut instance_profiles: Vec<&InstanceProfile> = Vec::new();
                if principal.kind == PrincipalKind::Role {
                    for (_, ip) in profiles.naming(template, principal) {
                        if !instance_profiles.iter().any(|p| std::ptr::eq(*p, ip)) {
                            instance_profiles.push(ip);
                        }
                    }
                }
                principals.push(Linked {
                    template,
                    principal,
                    identity,
                    trust,
                    boundary,
                    instance_profiles,
                    unread: principal
                        .managed
                        .iter()
                        .filter(|m| m.unread_why().is_some())
                        .collect(),
                    has_members: false,
                });
            }
        }
        // A user also holds the policies of its groups.
        let mut groups: Naming<usize> = Naming::default();
        for (at, g) in principals.iter().enumerate() {
            if g.principal.kind == PrincipalKind::Group {
                groups.add_principal(g.template, g.principal, at);
            }
        }
        type Held<'a> = (Vec<&'a PolicyDocument>, Vec<&'a ManagedRef>);
        let mut with_members = HashSet::new();
        let group_policies: Vec<Held<'a>> = principals
            .iter()
            .map(|user| {
                let mut extra = (Vec::new(), Vec::new());
                for target in &user.principal.groups {
                    for g in groups.named_by(user.template, target, &principals) {
                        with_members.insert(g);
                        extra.0.extend(principals[g].identity.iter().copied());
                        extra.1.extend(principals[g].unread.iter().copied());
                    }
                }
                extra
            })
            .collect();
        for g in with_members {
            principals[g].has_members = true;
        }
        for (user, (identity, unread)) in principals.iter_mut().zip(group_policies) {
            user.identity.extend(identity);
            dedup(&mut user.identity);
            user.unread.extend(unread);
        }
        let claimed = principals
            .iter()
            .flat_map(|l| l.identity.iter().map(|d| address(d)))
            .chain(boundary_docs)
            .collect();
        Links {
            templates,
            principals,
            claimed,
        }
    }

    /// Does this document belong to a principal, or serve only as a permissions boundary? Then it is
    /// judged with that principal, never on its own.
    pub fn is_claimed(&self, doc: &PolicyDocument) -> bool {
        self.claimed.contains(&address(doc))
    }

    /// The role principal a name refers to: its `RoleName` (a glob when it uses `!Sub`), else its
    /// logical id.
    fn role_named(&self, name: &str) -> Option<&Linked<'a>> {
        let roles = || {
            self.principals
                .iter()
                .filter(|l| l.principal.kind == PrincipalKind::Role)
        };
        roles()
            .find(|l| {
                l.principal
                    .name
                    .as_deref()
                    .is_some_and(|n| glob_match(n, name, false))
            })
            .or_else(|| roles().find(|l| l.principal.logical_id == name))
    }
}

fn dedup(docs: &mut Vec<&PolicyDocument>) {
    let mut seen: HashSet<*const PolicyDocument> = HashSet::new();
    docs.retain(|d| seen.insert(*d as *const PolicyDocument));
}

fn managed_documents<'a>(
    source: &'a ManagedSource,
    template: &'a Template,
    identity_of: &impl Fn(&'a str, &str) -> Vec<&'a PolicyDocument>,
) -> Vec<&'a PolicyDocument> {
    match source {
        ManagedSource::Aws(doc) => vec![doc.as_ref()],
        ManagedSource::Template(id) => identity_of(&template.file, id),
        ManagedSource::AwsUnbundled | ManagedSource::External | ManagedSource::Unread(_) => {
            Vec::new()
        }
    }
}

/// Things that name principals (an attachment's targets, an instance profile's roles), or principals
/// themselves (groups), filed by logical id (with their template's file), by plain name, and the
/// names that are globs apart, each with its place in scan order: a lookup gives what the loop over
/// everything gave, in the same order, without the loop.
struct Naming<'a, T> {
    logical: HashMap<(&'a str, &'a str), Vec<Filed<'a, T>>>,
    plain: HashMap<&'a str, Vec<Filed<'a, T>>>,
    globs: Vec<(&'a str, usize, &'a Template, T)>,
    count: usize,
}

/// A filed item: its place in scan order, and the template it is written in.
type Filed<'a, T> = (usize, &'a Template, T);

impl<T> Default for Naming<'_, T> {
    fn default() -> Self {
        Naming {
            logical: HashMap::new(),
            plain: HashMap::new(),
            globs: Vec::new(),
            count: 0,
        }
    }
}

fn is_glob(name: &str) -> bool {
    name.contains(['*', '?'])
}

impl<'a, T: Copy> Naming<'a, T> {
    /// Files `item`, which names whatever `target` (written in `from`) names.
    fn add(&mut self, from: &'a Template, target: &'a Target, item: T) {
        let order = self.count;
        self.count += 1;
        match target {
            Target::Logical(id) => self
                .logical
                .entry((&from.file, id))
                .or_default()
                .push((order, from, item)),
            Target::Name(name) if is_glob(name) => self.globs.push((name, order, from, item)),
            Target::Name(name) => self
                .plain
                .entry(name)
                .or_default()
                .push((order, from, item)),
        }
    }

    /// What names `principal` of `template` (as `names` judges), in the order it was filed.
    fn naming(&self, template: &Template, principal: &Principal) -> Vec<(&'a Template, T)> {
        let mut found: Vec<Filed<'a, T>> = self
            .logical
            .get(&(&*template.file, &*principal.logical_id))
            .into_iter()
            .flatten()
            .copied()
            .collect();
        if let Some(name) = principal.name.as_deref() {
            let matches = |written: &str| {
                glob_match(written, name, false) || glob_match(name, written, false)
            };
            if is_glob(name) {
                // A name that is a glob may match any name: the rare case that is tried on each.
                for (written, items) in &self.plain {
                    if matches(written) {
                        found.extend(items.iter().copied());
                    }
                }
            } else {
                found.extend(self.plain.get(name).into_iter().flatten().copied());
            }
            for &(written, order, from, item) in &self.globs {
                if matches(written) {
                    found.push((order, from, item));
                }
            }
        }
        found.sort_by_key(|&(order, ..)| order);
        found.dedup_by_key(|&mut (order, ..)| order);
        found
            .into_iter()
            .map(|(_, from, item)| (from, item))
            .collect()
    }

    /// Files a principal itself, to be found by the targets that name it.
    fn add_principal(&mut self, template: &'a Template, principal: &'a Principal, item: T) {
        let order = self.count;
        self.count += 1;
        self.logical
            .entry((&template.file, &principal.logical_id))
            .or_default()
            .push((order, template, item));
        match principal.name.as_deref() {
            Some(name) if is_glob(name) => self.globs.push((name, order, template, item)),
            Some(name) => self
                .plain
                .entry(name)
                .or_default()
                .push((order, template, item)),
            None => {}
        }
    }
}

impl Naming<'_, usize> {
    /// The filed principals `target`, written in `from`, names (as `names` judges), in filed order.
    fn named_by(&self, from: &Template, target: &Target, principals: &[Linked]) -> Vec<usize> {
        let mut found: Vec<usize> = match target {
            Target::Logical(id) => self
                .logical
                .get(&(&*from.file, id.as_str()))
                .into_iter()
                .flatten()
                .map(|&(_, _, at)| at)
                .collect(),
            Target::Name(name) => {
                let mut found: Vec<usize> = if is_glob(name) {
                    self.plain
                        .values()
                        .flatten()
                        .map(|&(_, _, at)| at)
                        .collect()
                } else {
                    self.plain
                        .get(name.as_str())
                        .into_iter()
                        .flatten()
                        .map(|&(_, _, at)| at)
                        .collect()
                };
                found.extend(self.globs.iter().map(|&(_, _, _, at)| at));
                found.retain(|&at| {
                    names(
                        principals[at].template,
                        principals[at].principal,
                        from,
                        target,
                    )
                });
                found
            }
        };
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Does `target`, written in template `from`, name `principal` of `template`? (A Terraform
/// module's `file` is its folder: a logical id names a resource of the same module.)
fn names(template: &Template, principal: &Principal, from: &Template, target: &Target) -> bool {
    match target {
        Target::Logical(id) => template.file == from.file && *id == principal.logical_id,
        Target::Name(name) => principal
            .name
            .as_deref()
            .is_some_and(|n| glob_match(name, n, false) || glob_match(n, name, false)),
    }
}

impl RoleLookup for Links<'_> {
    fn role(&self, name: &str) -> Option<String> {
        self.role_named(name).map(|l| l.principal.arn.clone())
    }

    fn instance_profile_role(&self, profile: &str) -> Option<String> {
        // ORB passes an instance profile ARN's last path segment as the name (orb-facts.md §3).
        let name = if profile.starts_with("arn:") {
            profile.rsplit('/').next().unwrap_or(profile)
        } else {
            profile
        };
        for template in self.templates {
            let found = template
                .instance_profiles
                .iter()
                .find(|ip| {
                    ip.name
                        .as_deref()
                        .is_some_and(|n| glob_match(n, name, false))
                })
                .or_else(|| {
                    template
                        .instance_profiles
                        .iter()
                        .find(|ip| ip.logical_id == name)
                });
            let Some(role) = found.and_then(|ip| ip.roles.first()) else {
                continue;
            };
            return match role {
                Target::Logical(id) => template
                    .principals
                    .iter()
                    .find(|p| p.logical_id == *id)
                    .map(|p| p.arn.clone()),
                Target::Name(n) => self
                    .role(n)
                    .or_else(|| Some(format!("arn:*:iam::*:role/{n}"))),
            };
        }
        None
    }
}

/// A document's identity: where it lives in the workspace.
fn address(doc: &PolicyDocument) -> usize {
    doc as *const PolicyDocument as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::syntax::yaml;

    const TEMPLATE: &str = r#"
Resources:
  OrbRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub "${Env}-orb"
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: inline
          PolicyDocument: {Statement: [{Effect: Allow, Action: ec2:CreateFleet, Resource: "*"}]}
      ManagedPolicyArns: [!Ref Shared, arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess]
      PermissionsBoundary: !Ref Boundary
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: ec2:DescribeFleets, Resource: "*"}]}
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: "ec2:*", Resource: "*"}]}
  ByName:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: by-name
      Roles: [prod-orb]
      PolicyDocument: {Statement: [{Effect: Allow, Action: ec2:DeleteFleets, Resource: "*"}]}
  Ops:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: g
          PolicyDocument: {Statement: [{Effect: Allow, Action: ssm:GetParameter, Resource: "*"}]}
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Ops]
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      InstanceProfileName: orb-profile
      Roles: [!Ref OrbRole]
  Unattached:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: ec2:CreateFleet, Resource: "*"}]}
"#;

    #[test]
    fn principals_collect_every_policy() {
        let root = yaml::parse(TEMPLATE).unwrap().root;
        let (template, policies) = super::super::extract(&"t.yaml".into(), &root, "yaml");
        let templates = [template];
        let links = Links::new(&templates, &policies);
        let role = &links.principals[0];
        let paths: Vec<&str> = role
            .identity
            .iter()
            .map(|d| d.origin.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "Resources.OrbRole.Properties.Policies[0].PolicyDocument",
                "Resources.ByName.Properties.PolicyDocument",
                "Resources.Shared.Properties.PolicyDocument",
                "Resources.OrbRole.Properties.ManagedPolicyArns[1]",
            ]
        );
        assert_eq!(role.trust.len(), 1);
        assert_eq!(role.instance_profiles[0].logical_id, "Profile");
        assert_eq!(
            role.boundary[0].origin.path,
            "Resources.Boundary.Properties.PolicyDocument"
        );
        let alice = links
            .principals
            .iter()
            .find(|l| l.principal.logical_id == "Alice")
            .unwrap();
        assert_eq!(alice.identity.len(), 1, "a user holds its group's policies");
        let boundary = policies
            .iter()
            .find(|p| p.origin.resource.as_deref() == Some("Boundary"))
            .unwrap();
        assert!(links.is_claimed(boundary));
        let unattached = policies
            .iter()
            .find(|p| p.origin.resource.as_deref() == Some("Unattached"))
            .unwrap();
        assert!(!links.is_claimed(unattached));
        assert_eq!(
            links.instance_profile_role("orb-profile").as_deref(),
            Some("arn:*:iam::*:role/*-orb")
        );
        assert_eq!(
            links
                .instance_profile_role("arn:aws:iam::123456789012:instance-profile/Profile")
                .as_deref(),
            Some("arn:*:iam::*:role/*-orb")
        );
        assert_eq!(
            links.role("prod-orb").as_deref(),
            Some("arn:*:iam::*:role/*-orb")
        );
        assert_eq!(
            links.role("OrbRole").as_deref(),
            Some("arn:*:iam::*:role/*-orb")
        );
        assert!(links.role("unknown").is_none());
        assert!(links.instance_profile_role("nope").is_none());
    }
}
