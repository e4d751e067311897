use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB105",
    name: "missing-ssm-permission",
    severity: Severity::Error,
    summary: "an SSM image needs ssm:GetParameter",
    doc: r#"## What it finds
An effective image that starts with neither `ami-` nor `arn:` (ORB's default is the AL2023 SSM path
`/aws/service/ami-amazon-linux-latest/...`) is resolved with `ssm:GetParameter`, singular, on the parameter ARN in
the provider's region.

## Why it matters
At provision time the failure is fatal. ORB's guide says `ssm:GetParameters` (plural), which does not grant
the call ORB makes; orb-scan says so when only the plural is granted. Templates that pin a launch template
still inherit the SSM default and resolve it at load time (warning).

## Example
A template with no image and a policy granting `ssm:GetParameters`.

## Fix
Grant `ssm:GetParameter` on `arn:aws:ssm:<region>::parameter/aws/service/*`, or set an `ami-` image.

## ORB source
`aws_provisioning_adapter.py:210-246`, `aws_image_resolution_service.py:55-90`,
`template/configuration_manager.py:384-395`."#,
};
