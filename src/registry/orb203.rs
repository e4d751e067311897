use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB203",
    name: "ineffective-setting",
    severity: Severity::Warning,
    summary: "ORB accepts the setting but ignores it",
    doc: r#"## What it finds
Settings that ORB 1.8.5 parses without error and then never acts on, from the `[[ineffective]]` table in
`data/orb-requirements.toml`: `providers[N].config.tagging.on_tag_failure` (always `warn`),
`providers[N].config.role_arn` (no AssumeRole anywhere), `providers[N].config.cleanup` (cleanup is read only
from `provider_defaults.aws.cleanup`), `provider_defaults.aws.launch_template` (dropped by the model),
`iam_fleet_role` (not a recognised key), HostFactory camelCase keys in default-format template files, and
accepted-but-unread AWS keys (`endpoint_url`, `proxy_host`, ...).

## Why it matters
The author believes a behaviour is configured that ORB does not have; ORB's own guide documents several of
these as working.

## Example
`"tagging": {"on_tag_failure": "fail"}` does not make tagging failures fatal.

## Fix
Move the setting to where ORB reads it, as the message says, or delete it.

## ORB source
Each table entry cites the ORB lines that show the setting is unread."#,
};
