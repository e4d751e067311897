use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB107",
    name: "missing-pass-role",
    severity: Severity::Error,
    summary: "an instance profile needs iam:PassRole on its role",
    doc: r#"## What it finds
A template with `machine_role` / `instance_profile` (HostFactory `instanceProfile`) puts an
`IamInstanceProfile` in its launch template; AWS checks `iam:PassRole` on the profile's role for the caller.

## Why it matters
ORB's guide gives no PassRole at all; launches with a profile fail.

## Example
`"machine_role": "orb-workers"` with a policy that has no `iam:PassRole`.

## Fix
Grant `iam:PassRole` on the role, with `"Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}`.

## ORB source
`launch_template/manager.py:772-778,899-913`; AWS: permission-to-pass-iam-roles."#,
};
