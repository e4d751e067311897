use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB205",
    name: "missing-fleet-role",
    severity: Severity::Error,
    summary: "SpotFleet template with no fleet role anywhere in its resolution chain",
    doc: r#"## What it finds
A template whose effective `provider_api` is SpotFleet while no fleet role reaches ORB's Spot Fleet handler:
none under `metadata.fleet_role` in the template or in the `template_defaults` whose `metadata` it inherits,
none in `providers[N].config.fleet_role`, and, unless ORB builds the AWS template (`provider_type: aws`),
none that counts elsewhere: a fleet role at the template's top level, under `provider_config`, as HostFactory
`fleetRole` or as `fleet_role` in `template_defaults` is dropped before provisioning in a template without
`provider_type: aws` (labelled where it is written). `iam_fleet_role` never counts: ORB does not read it.

## Why it matters
ORB's validator refuses the request before any AWS call: "Fleet role ARN is required for Spot Fleet".
Running ORB 1.8.5 showed it for every dropped place (conformance scenarios `spotfleet-top-level-role`,
`spotfleet-provider-config-role`, `spotfleet-defaults-role`, `spotfleet-type-defaults-role`,
`hostfactory-spotfleet-fleetrole`).

## Example
ORB's own `config/config.example.json` sets `iam_fleet_role`, and its `config/aws_templates.json` SpotFleet
templates name none, so every one of them is refused.

## Fix
Write the role under the template's `metadata` (`"metadata": {"fleet_role": "AWSServiceRoleForEC2SpotFleet"}`)
or once in the provider's config (`providers[N].config.fleet_role`, where `orb init` writes it).

## ORB source
`handlers/spot_fleet/handler.py:244-270`, `handlers/spot_fleet/validator.py:40-41`,
`aws_template_aggregate.py:309-330`."#,
};
