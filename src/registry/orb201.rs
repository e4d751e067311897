use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB201",
    name: "invalid-provider-api",
    severity: Severity::Error,
    summary: "provider_api is not one of EC2Fleet, SpotFleet, ASG, RunInstances, MicroVM",
    doc: r#"## What it finds
A `provider_api` (HostFactory `providerApi`) in a template, a `template_defaults` block or
`template.default_provider_api` that ORB rejects. Matching is exact and case-sensitive; the HostFactory
aliases `AutoScalingGroup`, `autoscalinggroup` and `asg` are accepted only in HostFactory template files.

A template is also reported when its provider instance does not enable the handler it names:
`providers[N].handlers` lists the full set when present; otherwise `handler_overrides` (or
`provider_defaults.aws.handlers`) set to `null` removes a handler.

## Why it matters
ORB raises a validation error for the template, or finds no handler for it, so no request can use it.

## Example
`"provider_api": "ec2fleet"` → did you mean `EC2Fleet`?

## Fix
Use one of `EC2Fleet`, `SpotFleet`, `ASG`, `RunInstances`, `MicroVM`, spelled exactly.

## ORB source
`providers/aws/domain/template/value_objects.py:195-225`; aliases `aws_provider_strategy.py:98-102`,
applied only on the HostFactory path (`hostfactory_strategy.py:133-142`); handler enablement
`config/schemas/provider_strategy_schema.py:133-174`, `services/handler_registry.py:28-50`."#,
};
