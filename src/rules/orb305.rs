use super::policies::actions;
use super::Rule;
use crate::deploy::Model;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::catalog::{self, Lookup};

pub static RULE: Rule = Rule {
    code: "ORB305",
    name: "action-case",
    severity: Severity::Note,
    summary: "action spelled in another case than AWS's (service prefix not lowercase)",
    doc: r#"## What it finds
An action whose service prefix is not lowercase (`EC2:RunInstances`), or whose name is spelled in
another case than the IAM reference (`ec2:runinstances`). Wildcard patterns are judged on their prefix
only.

## Why it matters
IAM compares actions case-insensitively, so the policy works; but readers, `grep` and other tools do
not, and a policy that mixes spellings hides duplicates.

## Example
`"Action": "EC2:describeInstances"` is `ec2:DescribeInstances`.

## Fix
Use AWS's spelling, given in the message.

## source
IAM JSON policy elements: Action ("action names are not case sensitive"),
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let catalog = catalog::catalog();
    for (policy, item) in actions(model) {
        let Some((prefix, name)) = item.value.split_once(':') else {
            continue;
        };
        let expected = match catalog.lookup(&item.value) {
            Lookup::Action { canonical } => canonical,
            Lookup::Pattern | Lookup::UnknownAction { .. } => {
                format!("{}:{name}", prefix.to_ascii_lowercase())
            }
            Lookup::UnknownService { .. } | Lookup::Malformed => continue,
        };
        if expected == item.value {
            continue;
        }
        out.push(
            Diagnostic::new(
                "ORB305",
                Severity::Note,
                &policy.file,
                item.span,
                format!("`{}` is spelled `{expected}` by AWS", item.value),
            )
            .label_here("IAM ignores case here, readers do not")
            .with_help(format!("write `{expected}`")),
        );
    }
}
