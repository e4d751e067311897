use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB100",
    name: "no-policy-for-deployment",
    severity: Severity::Warning,
    summary: "ORB config found, no identity policy in scope",
    doc: r#"## What it finds
An ORB deployment (a config for the AWS provider, or a template file with no config beside it) while the
scan found no policy that could be ORB's principal: no identity policy whose Allow statements reach an
ORB-specific action (fleet, spot fleet, auto scaling group or launch template actions, by name or through
a glob; `*` alone does not count; a policy that only denies them grants nothing), and `orb-scan.toml`
names none. How candidates are found and ranked: docs/principal.md.

A config is for the AWS provider when a `provider.providers` entry has `"type": "aws"` or
`provider.provider_defaults.aws` exists: ORB's packaged `default_config.json` (`"providers": []`), its
Kubernetes defaults and a Kubernetes-only config are not AWS deployments, and get no ORB100.

A policy that lies nearer to another deployment (beside `envs/prod/config.json`, for `envs/dev/`) is that
deployment's: ORB100 lists such policies in a note, in case one of them is this deployment's after all.

## Why it matters
orb-scan cannot cross-check anything, and says so once instead of raising one error per action. When a
role, user or group of the scanned files holds a policy orb-scan could not read (a Terraform `var.`
without a default or a module output, a CloudFormation `Fn::ImportValue`, a managed policy defined
elsewhere), the finding points at it: ORB may run under it.

## Example
A repository with `config/config.json` and `config/aws_templates.json` but its IAM policy kept elsewhere.

## Fix
Add the policy (JSON file, CloudFormation template or Terraform module) to the scanned paths, or name
it in `orb-scan.toml`:
`[[deployment]] config = "config/config.json"`, `policies = ["iam/orb.json"]`.

## ORB source
Linking rules: DESIGN.md §3 and docs/principal.md."#,
};
