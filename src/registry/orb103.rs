use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB103",
    name: "missing-cleanup-permission",
    severity: Severity::Warning,
    summary: "cleanup is on but launch template cleanup actions are not granted",
    doc: r#"## What it finds
Launch template cleanup (`provider.provider_defaults.aws.cleanup`, on by default) runs
`ec2:DescribeLaunchTemplates` and `ec2:DeleteLaunchTemplate` after a request reaches zero capacity.

## Why it matters
Failures are only logged, so every request leaks a launch template until the account limit is hit.

Each missing permission is reported once: when the per-request path needs `ec2:DescribeLaunchTemplates`
too (a template without `launch_template_id`), ORB102 reports it, as an error, and notes that cleanup needs
it as well.

## Example
A config with no `cleanup` block (cleanup defaults on) and a policy without `ec2:DeleteLaunchTemplate`.

## Fix
Grant both actions, or turn cleanup off deliberately with `provider.provider_defaults.aws.cleanup.enabled: false`.
`providers[N].config.cleanup` is ignored by ORB (ORB203).

## ORB source
`infrastructure/handlers/launch_template_cleanup.py:52-69,121-167`."#,
};
