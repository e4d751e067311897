use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB106",
    name: "missing-spot-fleet-role-permission",
    severity: Severity::Error,
    summary: "the Spot Fleet role cannot be passed or resolved",
    doc: r#"## What it finds
A SpotFleet template passes its fleet role as `IamFleetRole`, so the caller needs `iam:PassRole` on that
role (with `iam:PassedToService` `spotfleet.amazonaws.com` if the grant is conditioned). A custom role is read
with `iam:GetRole` first. An alias (`AWSServiceRoleForEC2SpotFleet`, `AmazonEC2SpotFleetTaggingRole`) is
expanded with `sts:GetCallerIdentity`, which AWS never denies, so no policy needs it.

## Why it matters
Without them the Spot Fleet request is refused before any instance starts.

## Example
`"metadata": {"fleet_role": "my-fleet-role"}` with no `iam:GetRole` on `arn:aws:iam::*:role/my-fleet-role`.

## Fix
Grant `iam:PassRole` on the role ARN (conditioned on `iam:PassedToService`), plus `iam:GetRole` for a custom
role.

## ORB source
`handlers/spot_fleet/handler.py:208-242`, `validator.py:39-60`, `config_builder.py:259`; AWS Spot Fleet
prerequisites; AWS STS `GetCallerIdentity` ("No permissions are required")."#,
};
