use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB309",
    name: "substitution-outside-sub",
    severity: Severity::Error,
    summary: "a CloudFormation `${...}` in a policy string that no `Fn::Sub` substitutes",
    doc: r#"## What it finds
In a policy inside a CloudFormation template, an `Action`, `Resource` or `Principal` string holding a
CloudFormation substitution (`${AWS::Region}`, `${AWS::AccountId}`, `${BucketName}`,
`${Role.Arn}`) that is not inside `Fn::Sub` (`!Sub`). IAM policy variables (`${aws:username}`,
`${aws:PrincipalTag/team}`, `${s3:prefix}`, `${*}`) are IAM's own and are not reported.

## Why it matters
CloudFormation substitutes only inside `Fn::Sub`: elsewhere the text is deployed as written, and
`arn:aws:s3:::${BucketName}/*` names a bucket called `${BucketName}`. The statement grants nothing
(or IAM rejects the policy for an unknown variable).

## Example
```yaml
Resource: arn:aws:s3:::${BucketName}/*
```

## Fix
Wrap the string in `!Sub` (`Fn::Sub` in JSON): `Resource: !Sub arn:aws:s3:::${BucketName}/*`.

## source
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html;
cfn-lint E1029."#,
};
