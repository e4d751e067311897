use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB104",
    name: "missing-tagging-permission",
    severity: Severity::Error,
    summary: "ec2:CreateTags (or autoscaling:CreateOrUpdateTags) is not granted",
    doc: r#"## What it finds
Every create call ORB makes carries `TagSpecifications` (CreateLaunchTemplate, CreateFleet, RequestSpotFleet,
RunInstances), which AWS authorizes as `ec2:CreateTags`. The ASG handler also tags groups with
`autoscaling:CreateOrUpdateTags` (warning: its failure is swallowed).

## Why it matters
ORB's guide shows a "tagging optional" minimal policy; with it, CreateLaunchTemplate is refused and no
request succeeds. `tagging.on_tag_failure` does not change this (it is a dead setting, ORB203).

## Example
An EC2Fleet deployment whose policy lacks `ec2:CreateTags`.

## Fix
Grant `ec2:CreateTags` (optionally scoped with `ec2:CreateAction` conditions).

## ORB source
`launch_template/manager.py:549-555,737-742`; `handlers/asg/handler.py:230-236`; AWS: supported-iam-actions-tagging."#,
};
