use super::Rule;
use crate::deploy::Model;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::pattern::action_matches;
use crate::iam::policy::Effect;
use crate::orb::requirements::{table, OneOrMany};

pub static RULE: Rule = Rule {
    code: "ORB110",
    name: "unused-orb-permission",
    severity: Severity::Note,
    summary: "a policy grants handler actions for a provider_api no template uses",
    doc: r#"## What it finds
An Allow entry in ORB's policy whose actions belong only to handlers that no scanned template routes to
(for example `ec2:RequestSpotFleet` when every template is EC2Fleet). Entries that also cover an action some
template needs (such as `ec2:*`) are not reported.

## Why it matters
Least privilege: ORB's guide hands out every handler's actions; a deployment needs only its own.

## Example
An EC2Fleet-only deployment whose policy allows `autoscaling:CreateAutoScalingGroup`.

## Fix
Remove the entry, or keep it deliberately and suppress with a reason.

## ORB source
Handler action sets in `data/orb-requirements.toml`."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let used: Vec<&str> = model
        .deployments
        .iter()
        .flat_map(|d| d.handlers())
        .collect();
    if used.is_empty() {
        return;
    }
    let needed: Vec<&str> = model
        .deployments
        .iter()
        .flat_map(|d| d.findings.iter().map(|f| f.action))
        .collect();
    // Actions that only one handler's requirements name.
    let mut handler_actions: Vec<(&str, &str)> = Vec::new();
    for r in &table().requirement {
        if let OneOrMany::One(h) = &r.when.handler {
            handler_actions.extend(r.actions.iter().map(|a| (h.as_str(), a.as_str())));
        }
    }
    for policy in &model.orb_policies {
        for statement in policy
            .statements
            .iter()
            .filter(|s| s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow))
        {
            if statement.actions.negated {
                continue;
            }
            for item in &statement.actions.items {
                if needed.iter().any(|a| action_matches(&item.value, a)) {
                    continue;
                }
                let mut unused: Vec<&str> = handler_actions
                    .iter()
                    .filter(|(h, a)| !used.contains(h) && action_matches(&item.value, a))
                    .map(|(h, _)| *h)
                    .collect();
                unused.sort();
                unused.dedup();
                if unused.is_empty() {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "ORB110",
                        Severity::Note,
                        &policy.file,
                        item.span,
                        format!(
                            "`{}` is only used by provider_api {}, which no scanned template uses",
                            item.value,
                            unused.join(", ")
                        ),
                    )
                    .label_here("not needed by this deployment")
                    .with_help("remove it for least privilege, or suppress with a reason if other templates need it"),
                );
            }
        }
    }
}
