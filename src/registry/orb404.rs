use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB404",
    name: "resource-confused-deputy",
    severity: Severity::Warning,
    summary: "a resource policy lets a service in without aws:SourceArn/aws:SourceAccount",
    doc: r#"## What it finds
An `Allow` statement of a resource policy (a bucket, queue, topic or key policy, or the statement AWS
writes into a function's policy for an `AWS::Lambda::Permission`) whose principal is a service that
sends `aws:SourceArn` and `aws:SourceAccount` when it calls your resource for someone
(`cloudtrail.amazonaws.com`, `config.amazonaws.com`, `delivery.logs.amazonaws.com`,
`sns.amazonaws.com`, `events.amazonaws.com`, `s3.amazonaws.com`, `ses.amazonaws.com`), with no
`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition. The list is
data (`data/confused-deputy-services.toml`, `resource_senders`), each service with the AWS page that
shows the condition; services that send no such key are never reported.

## Why it matters
Without the condition the service will write to (or read from) your resource for any AWS account
that points it there: another account's trail, rule or bucket notification can use your bucket,
queue or topic (the cross-service confused deputy).

## Example
```json
{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
 "Resource": "arn:aws:s3:::trail-logs/AWSLogs/*"}
```

## Fix
Add, with your account or the calling resource:
`"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}`, or an `ArnLike` on
`aws:SourceArn`; on an `AWS::Lambda::Permission`, set `SourceAccount` or `SourceArn`.

## source
https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
and the page cited beside each service in `data/confused-deputy-services.toml`; checkov CKV_AWS_364."#,
};
