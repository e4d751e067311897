use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB111",
    name: "aws-implied-permission",
    severity: Severity::Warning,
    summary: "AWS itself checks more than ORB calls",
    doc: r#"## What it finds
Actions AWS authorizes as the caller although ORB never calls them: `ec2:RunInstances` for ASG and Spot
Fleet (and, unverified, instant EC2 fleets), and `iam:CreateServiceLinkedRole` for the Auto Scaling, Spot
Fleet and EC2 Fleet service-linked roles on first use.

## Why it matters
ORB's guide scopes `ec2:RunInstances` to the RunInstances handler only; ASG creation from a launch
template fails without it.

## Example
An ASG deployment whose policy lacks `ec2:RunInstances`.

## Fix
Grant the listed actions; `iam:CreateServiceLinkedRole` can be scoped with `iam:AWSServiceName`, or dropped
once the service-linked role exists in the account.

## ORB source
AWS pages cited in `data/orb-requirements.toml`."#,
};
