use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB402",
    name: "source-account-mismatch",
    severity: Severity::Error,
    summary: "`aws:SourceAccount` differs from the account in `aws:SourceArn`",
    doc: r#"## What it finds
A statement (of any policy kind) whose `aws:SourceAccount` condition names accounts and whose
`aws:SourceArn` condition names ARNs with a literal account, where an ARN's account is none of the
`aws:SourceAccount` values. ARNs without an account (S3 buckets) or with a wildcard account, and values
produced by CloudFormation intrinsics, are not judged.

## Why it matters
Both conditions must hold at once, and a request comes from one resource in one account: the statement
can never match. For a trust policy, the service can no longer assume the role (Spot Fleet requests
fail); for a resource policy, the grant is dead.

## Example
`"ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:111111111111:spot-fleet-request/sfr-*"},
"StringEquals": {"aws:SourceAccount": "222222222222"}`

## Fix
Use the same account in both (AWS: "the aws:SourceAccount value and the account in the aws:SourceArn
value must use the same account ID when used in the same policy statement").

## source
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html (seed
`000_937d613f92f20406.txt`, note under the confused deputy example)."#,
};
