use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB308",
    name: "invalid-arn",
    severity: Severity::Error,
    summary: "an ARN's partition, region or account cannot be",
    doc: r#"## What it finds
An ARN in `Resource`/`NotResource` or an `AWS` principal whose fields cannot name anything:
- a partition that is not one of AWS's (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
  `aws-iso-e`, `aws-iso-f`, `aws-eusc`);
- a region that is not empty and not of a region's form (`eu-west-1`, `us-gov-west-1`), such as
  `us-east` or `eu_west_1`;
- an account that is not empty, not 12 digits and not `aws` (the account of AWS's own resources:
  `arn:aws:iam::aws:policy/...`, `arn:aws:sso::aws:permissionSet/...` are valid).
Fields with wildcards or policy variables (`${aws:PrincipalAccount}`), and values CloudFormation
computes, are not judged.

## Why it matters
IAM accepts many such ARNs, and they match nothing: the statement grants (or denies) nothing, silently.

## Example
`"Resource": "arn:aws:ec2:us-east:123456789012:instance/*"`: `us-east` is not a region.

## Fix
Correct the field, or use `*` for any value.

## source
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html; IAM Access Analyzer checks
"Invalid ARN partition", "Invalid ARN region" and "Invalid ARN account"."#,
};
