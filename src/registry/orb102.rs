use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB102",
    name: "missing-launch-template-permission",
    severity: Severity::Error,
    summary: "launch template calls are not granted",
    doc: r#"## What it finds
ORB creates a launch template per request (`ec2:DescribeLaunchTemplates` by name, then
`ec2:CreateLaunchTemplate`), or, for a template that pins `launch_template_id`, creates a new version
(`ec2:CreateLaunchTemplateVersion`). This rule reports those actions when they are not granted.

ORB 1.8.5 reads a pinned `launch_template_id` only when it builds the AWS template: with
`provider_type: aws` in the template or its template_defaults (HostFactory `providerType`), or a
`provider_name` that starts with `aws-`. Otherwise it drops the id and creates a launch template per
request (ORB206), so the per-request actions are what the policy needs (conformance scenarios
`launch-template-top-level`, `aws-template-launch-template`).

## Why it matters
The per-request lookup and create are fatal on IAM denial. On the pinned path ORB falls back to the pinned
version under `on_update_failure` `warn_on_iam_denial` (the default) or `warn`, so there the finding is a
warning; under `fail` it is an error.

Cleanup (ORB103) also needs `ec2:DescribeLaunchTemplates`. A missing permission is reported once: here,
with a note saying that cleanup needs it too.

## Example
A template without `launch_template_id` (or with one ORB drops) and a policy with `ec2:CreateFleet` but no
launch-template actions.

## Fix
Grant `ec2:DescribeLaunchTemplates` and `ec2:CreateLaunchTemplate` (per-request) or
`ec2:CreateLaunchTemplateVersion` (pinned).

## ORB source
`launch_template/manager.py:158-203,285-287,386,465-493,549-555`. ORB's guide calls
`DescribeLaunchTemplates` optional; the code fails without it."#,
};
