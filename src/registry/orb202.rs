use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB202",
    name: "invalid-setting-value",
    severity: Severity::Error,
    summary: "a setting has a value or type ORB rejects",
    doc: r#"## What it finds
Enumerated settings with a value ORB's models reject: `fleet_type` (`instant|request|maintain`, lowercase;
`instant` only for EC2Fleet), `price_type` (`ondemand|spot|reserved|heterogeneous`; SpotFleet takes only
`spot|ondemand|heterogeneous`; `spot` only for EC2Fleet, SpotFleet and ASG, as ORB's handler capabilities
say, so RunInstances with `spot` is refused: conformance scenario `runinstances-spot`), `launch_template_version` (`$Latest`, `$Default` or a number ≥ 1),
`launch_template.on_update_failure` (`fail|warn|warn_on_iam_denial`), `tagging.on_tag_failure`
(`warn|fail`), `scheduler.type` (`default|hostfactory`), `provider.selection_policy`, cleanup flags that are not
booleans, and structural values of the wrong type (a template that is not an object, `providers` that is
not a list).

## Why it matters
ORB raises a validation error at load time, or (for wrong types) fails before any request.

## Example
`"metadata": {"fleet_type": "Instant"}` → did you mean `instant`? (ORB refuses the template: no handler
serves it; conformance scenario `metadata-fleet-type-case`). A value written where ORB drops it unread (a
top-level `fleet_type` in a template ORB does not build as an AWS template) is ORB206's, not this rule's.

## Fix
Use one of the listed values.

## ORB source
`value_objects.py` (ProviderApi, AWSFleetType), `domain/base/value_objects.py:294-300` (PriceType),
`configuration/config.py:47-76`, `configuration/validator.py:56-70`, `aws_template_aggregate.py:359-374`."#,
};
