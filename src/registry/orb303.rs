use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB303",
    name: "invalid-policy",
    severity: Severity::Error,
    summary: "a policy breaks IAM's grammar for its kind (identity, trust, resource)",
    doc: r#"## What it finds
A policy document that IAM would reject or read differently than it looks, judged by the grammar of its
kind. For every kind: `Version` missing (a warning: IAM falls back to 2008-10-17, without policy
variables) or not `2012-10-17`/`2008-10-17`; unknown keys (`Actions`, `statement`); `Statement` that is
not an object or a list of objects; `Effect` missing or not exactly `Allow`/`Deny`; `Action` and
`NotAction` together or neither; `Resource` and `NotResource` together; an action that is not
`service:Action`; a resource that is not an ARN or `*`; a duplicate `Sid`, or one with characters IAM
refuses; an unknown condition operator or a condition value that is not a string, number or boolean.
Identity policies: a `Principal`, or no `Resource`. Trust policies: no `Principal`, a `Resource`, or an
action other than `sts:AssumeRole*`, `sts:TagSession`, `sts:SetSourceIdentity`, `sts:SetContext`.
Resource policies: no `Principal`. A trust policy is never judged by the identity grammar.
Values produced by CloudFormation intrinsics (`!Sub`, `!Ref`, `Fn::If`) are not judged.

## Why it matters
IAM refuses the document at deployment (`MalformedPolicyDocument`), or, for a missing `Version`, reads
`${aws:username}` literally. Either way the permissions the file seems to grant are not the ones ORB gets.

## Example
```json
{"Version": "2012-10-17",
 "Statement": [{"Effect": "allow", "Actions": "ec2:CreateFleet", "Resource": "*"}]}
```
`allow` must be `Allow`, and `Actions` is not a key.

## Fix
Follow the label; the message names the expected form.

## source
IAM JSON policy element reference and grammar:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html."#,
};
