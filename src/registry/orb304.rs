use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB304",
    name: "pass-role-wildcard",
    severity: Severity::Warning,
    summary: "`iam:PassRole` on every role without an `iam:PassedToService` condition",
    doc: r#"## What it finds
An identity policy statement that allows `iam:PassRole` (by name, by a wildcard such as `iam:*` or `*`,
or through `NotAction`) on every role of an account (`*`, `arn:aws:iam::*:role/*`,
`arn:aws:iam::123456789012:role/*`, or any `NotResource`) with no `iam:PassedToService` condition.
Other conditions on the statement are named with what they do limit: `iam:AssociatedResourceArn` the
resource the role is used with, a tag condition which roles, and so on; none of them the service.

## Why it matters
Whoever holds the policy can hand any role, including an administrator role, to any service that
accepts one (EC2, Lambda, CloudFormation, ...) and act with that role's permissions. ORB needs to pass
only its fleet role (to `spotfleet.amazonaws.com`) and its instance profile roles (to
`ec2.amazonaws.com`).

## Example
```json
{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
```

## Fix
Name the roles ORB passes in `Resource`, and add
`"Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "spotfleet.amazonaws.com"]}}`.
orb-scan evaluates that condition against each need, so the cross-check stays exact.

## source
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html; IAM Access Analyzer check
PASS_ROLE_WITH_STAR_IN_RESOURCE."#,
};
