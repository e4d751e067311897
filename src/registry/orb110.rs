use super::Rule;
use crate::base::diagnostic::Severity;

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
};
