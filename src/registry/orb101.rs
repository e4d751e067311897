use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB101",
    name: "missing-handler-permission",
    severity: Severity::Error,
    summary: "an action the provider_api handler calls on its request path is not granted",
    doc: r#"## What it finds
A template whose effective `provider_api` routes to a handler (EC2Fleet, SpotFleet, ASG, RunInstances) while
the policy ORB runs under does not grant an action that handler calls to acquire, watch or release machines.

## Why it matters
The request fails at runtime with an `UnauthorizedOperation`, often only on release (for example
`ec2:ModifyFleet` for maintain fleets, `autoscaling:TerminateInstanceInAutoScalingGroup` for every ASG release),
which ORB's IAM guide omits. Some denials only degrade, and are warnings, as running ORB showed
(docs/conformance.md): without `autoscaling:DeleteAutoScalingGroup` the return completes and the empty group
is left behind; without `autoscaling:DescribeAutoScalingInstances` ORB retries, logs it and releases anyway;
an instant fleet's `ec2:DeleteFleets` and `ec2:DescribeFleetInstances` only leave its record or its weights.
ASG never calls `ec2:TerminateInstances` (its instances go through the group), so it is not needed there.

## Example
```json
{"templates": [{"template_id": "spot", "provider_api": "SpotFleet", "metadata": {"fleet_role": "AWSServiceRoleForEC2SpotFleet"}}]}
```
with a policy that allows only `ec2:RequestSpotFleet` reports `ec2:DescribeSpotFleetRequests`,
`ec2:DescribeSpotFleetInstances` and `ec2:CancelSpotFleetRequests`, at the `provider_api` value.

## Fix
Add the listed actions to the policy (`orb-scan policy` prints the least-privilege one).

## ORB source
Handlers under `src/orb/providers/aws/infrastructure/handlers/`; the exact lines are in
`data/orb-requirements.toml`. `MicroVM` calls an AWS service absent from the IAM reference, so orb-scan
requires nothing for it rather than invent action names."#,
};
