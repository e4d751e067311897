use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB403",
    name: "legacy-spot-fleet-role-policy",
    severity: Severity::Warning,
    summary: "fleet role uses `AmazonEC2SpotFleetRole` (no tagging) instead of `AmazonEC2SpotFleetTaggingRole`",
    doc: r#"## What it finds
A role that attaches the AWS managed policy `service-role/AmazonEC2SpotFleetRole` (by ARN, in any
partition, also through `!Sub`) and not `service-role/AmazonEC2SpotFleetTaggingRole`. Roles come from
the extractors that know them (CloudFormation `AWS::IAM::Role` `ManagedPolicyArns`).

## Why it matters
`AmazonEC2SpotFleetRole` is the original Spot Fleet role policy: it cannot tag the instances the fleet
launches. ORB sends `TagSpecifications` on every request, so a fleet role with only the legacy policy
launches untagged instances, or fails the request, depending on the fleet.

## Example
```yaml
FleetRole:
  Type: AWS::IAM::Role
  Properties:
    ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetRole]
```

## Fix
Attach `arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole` instead.

## source
AWS Batch "Amazon EC2 Spot Fleet role" (seed `001_66e1da1d3061d131.txt`: "AmazonEC2SpotFleetRole: This
was the original managed policy for the Spot Fleet role ... it does not support Spot Instance tagging");
EC2 User Guide, Spot Fleet permissions (seed `000_937d613f92f20406.txt`)."#,
};
