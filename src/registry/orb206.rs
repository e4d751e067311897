use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB206",
    name: "dropped-setting",
    severity: Severity::Warning,
    summary:
        "ORB's scheduler drops the setting before provisioning, so the template runs without it",
    doc: r#"## What it finds
A template (or its `template_defaults`) that writes an AWS setting where ORB 1.8.5 parses it and then drops
it before provisioning, when that changes what ORB does. ORB builds each template one of two ways: with
`provider_type: aws` (HostFactory `providerType`), or a `provider_name` starting `aws-`, it builds the AWS
template, which reads every AWS setting; without, it builds the provider-agnostic template, which keeps
only `metadata.fleet_type` and `metadata.fleet_role`. In the second case it drops:
- `fleet_type` at the template's top level, under `provider_config`, as HostFactory `fleetType`, or in
  `template_defaults`: an EC2Fleet or SpotFleet template then runs as a `request` fleet;
- `fleet_role` in those places, when ORB finds another fleet role (a SpotFleet template left with none is
  ORB205);
- `launch_template_id` anywhere (`provider_config`, HostFactory `launchTemplateId`): ORB creates a launch
  template for every request instead.

With `orb_version` set to ORB 1.8.0 to 1.8.3 in orb-scan.toml, however ORB builds the template it also
drops `machine_image` (those releases read the image only as `image_id`; the template then runs on ORB's
packaged SSM image, which needs `ssm:GetParameter`) and every instance profile (`machine_role`,
`instance_profile`, `instanceProfile`: the launch template gets none, so no `iam:PassRole` is needed).
Running those releases showed it (docs/conformance-releases.md).

## Why it matters
The template does something other than what it says, and the policy it needs differs: a `maintain` fleet
that ORB runs as `request` needs no `ec2:ModifyFleet`; a pinned launch template that ORB ignores needs
`ec2:CreateLaunchTemplate`, which a policy written for the pinned path lacks, so every request fails.
orb-scan's needs follow what ORB does, not what the template says.

ORB's TemplateFactory builds the provider-agnostic `Template` for a template with no `provider_type`
(and no `aws-` `provider_name`), which keeps no AWS field; the AWS adapter rebuilds its `AWSTemplate` from
that, and only `metadata.fleet_type` and `metadata.fleet_role` survive. Both schedulers do this. Running
ORB 1.8.5 showed it (conformance scenarios `ec2fleet-instant-top-level`, `ec2fleet-maintain-provider-config`,
`launch-template-top-level`, `hostfactory-camelcase`, `defaults-fleet-type`, and, with `provider_type: aws`,
`aws-template-fleet-type`, `aws-template-launch-template`; docs/conformance.md). ORB's own example templates
write `fleetType` beside `providerType: aws`, so they run as written.

## Example
```json
{"template_id": "burst", "provider_api": "EC2Fleet", "fleet_type": "instant"}
```

## Fix
Declare the template an AWS one, so ORB builds the AWS template and reads every AWS setting where it is:
```json
{"template_id": "burst", "provider_api": "EC2Fleet", "provider_type": "aws", "fleet_type": "instant"}
```
or write the fleet type and fleet role under `metadata`, which both kinds of template read:
```json
{"template_id": "burst", "provider_api": "EC2Fleet", "metadata": {"fleet_type": "instant"}}
```
Layers merge `metadata` whole: a template's own `metadata` replaces the one in `template_defaults`. A pinned
`launch_template_id` needs `provider_type: aws`.

## ORB source
`infrastructure/scheduler/default/default_strategy.py` (`parse_template_config`),
`providers/aws/infrastructure/adapters/aws_provisioning_adapter.py:172-178`,
`providers/aws/domain/template/aws_template_aggregate.py:309-330`."#,
};
