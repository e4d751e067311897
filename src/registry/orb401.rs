use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB401",
    name: "trust-confused-deputy",
    severity: Severity::Warning,
    summary:
        "a service that sends aws:SourceArn/aws:SourceAccount may assume the role without them",
    doc: r#"## What it finds
A trust policy statement that lets a service principal assume the role (`sts:AssumeRole`) with no
`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition, for the
service principals that really send those keys when they assume a role: `spotfleet.amazonaws.com`
(the Spot Fleet role ORB passes), `autoscaling.amazonaws.com`, `scheduler.amazonaws.com`,
`personalize.amazonaws.com`, `codebuild.amazonaws.com`. The list is data
(`data/confused-deputy-services.toml`), one documented source per service. Services that send no such
key are never reported: `ec2.amazonaws.com` (instance profiles) is the classic false positive of other
tools, and a condition on a key that is never sent denies every AssumeRole.

## Why it matters
Without the condition, the service will assume the role on behalf of any AWS account that names its
ARN: another customer of Spot Fleet could launch and tag instances with your fleet role (the
cross-service confused deputy).

## Example
```json
{"Effect": "Allow", "Principal": {"Service": "spotfleet.amazonaws.com"}, "Action": "sts:AssumeRole"}
```

## Fix
Add, with your account:
`"Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:111122223333:spot-fleet-request/sfr-*"},
"StringEquals": {"aws:SourceAccount": "111122223333"}}`.

## source
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html (seed
`000_937d613f92f20406.txt`) and the page cited beside each service in
`data/confused-deputy-services.toml`."#,
};
