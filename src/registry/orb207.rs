use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB207",
    name: "missing-machine-types",
    severity: Severity::Error,
    summary: "a template gives no machine_types, which ORB's handlers require",
    doc: r#"## What it finds
A template that routes to a handler while neither it nor its `template_defaults` give `machine_types`
(HostFactory `vmTypes` or `vmType`), and no pinned launch template reaches ORB. `machine_type` (or the legacy
`instance_type`) alone does not count, nor does ORB's packaged default `machine_type`: every AWS handler
checks `machine_types`.

## Why it matters
ORB accepts the request, then fails it at provisioning ("Template validation failed - instanceType:
machine_types must be specified") before any AWS call. A held-out config written as a user would write it
(`"machine_type": "t3.large"`) failed this way when ORB 1.8.5 ran it (conformance scenario
`runinstances-golden-ami`). orb-scan needs nothing for such a template.

## Example
```json
{"template_id": "build-agents", "provider_api": "RunInstances", "machine_type": "t3.large"}
```

## Fix
Give the instance types with their weights: `"machine_types": {"t3.large": 1}`.

## ORB source
`providers/aws/infrastructure/handlers/base_handler.py:766-800` (`_validate_prerequisites`)."#,
};
