use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB108",
    name: "conditional-grant",
    severity: Severity::Warning,
    summary: "a needed action is granted only under a Condition",
    doc: r#"## What it finds
A needed action whose only grant carries a condition orb-scan cannot decide from the repository (for
example `aws:PrincipalTag`, `aws:SourceIp`, `ec2:ResourceTag`). Conditions on `iam:PassedToService`,
`iam:AWSServiceName`, `aws:RequestedRegion` and `ec2:Region` are evaluated against the deployment and never
reported here.

## Why it matters
Whether ORB's calls satisfy the condition depends on runtime facts; a mismatch fails only in production.

## Example
`ec2:CreateFleet` allowed with `"Condition": {"StringEquals": {"aws:ResourceTag/team": "hpc"}}`.

## Fix
Confirm the condition holds for ORB's requests (ORB tags what it creates with `orb:*` tags), or grant
without it. Suppress with a reason once verified.

## ORB source
The needed actions come from `data/orb-requirements.toml`."#,
};
