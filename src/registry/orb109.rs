use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB109",
    name: "denied-by-policy",
    severity: Severity::Error,
    summary: "an explicit Deny covers a needed action",
    doc: r#"## What it finds
An explicit `Deny` statement in ORB's policies that matches a needed action and resource. An explicit Deny
wins over any Allow. When the Deny has a condition orb-scan cannot evaluate, the finding is a warning.

## Why it matters
The action is refused whatever else is granted.

## Example
`{"Effect": "Deny", "Action": "ec2:DeleteLaunchTemplate", "Resource": "*"}` with cleanup on.

## Fix
Narrow the Deny so it does not cover ORB's role or ORB's resources, or change the ORB setting that needs it.

## ORB source
The needed actions come from `data/orb-requirements.toml`."#,
};
