use super::policies::actions;
use super::Rule;
use crate::deploy::Model;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::catalog::{self, Lookup};

pub static RULE: Rule = Rule {
    code: "ORB305",
    name: "action-case",
    severity: Severity::Note,
    summary: "service prefix not lowercase",
    doc: r#"## What it finds
An action whose service prefix is not lowercase (`EC2:RunInstances`, `SNS:Publish`). The fix names
AWS's spelling of the whole action. The case of the action name itself is not reported: AWS's own
managed policies mix it freely (`s3:PutBucketCors`), and IAM ignores it.

## Why it matters
IAM compares actions case-insensitively, so the policy works; but readers, `grep` and other tools do
not, and a policy that mixes spellings hides duplicates.

## Example
`"Action": "EC2:DescribeInstances"` is `ec2:DescribeInstances`.

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
        let Some(colon) = memchr::memchr(b':', item.value.as_bytes()) else {
            continue;
        };
        let (prefix, name) = (&item.value[..colon], &item.value[colon + 1..]);
        if !prefix.bytes().any(|b| b.is_ascii_uppercase()) {
            continue;
        }
        // AWS's spelling of a known action; else the pattern with its prefix lowercased.
        let expected = match catalog.lookup(&item.value) {
            Lookup::Action { service, name } => format!("{service}:{name}"),
            _ => format!("{}:{name}", prefix.to_ascii_lowercase()),
        };
        out.push(
            Diagnostic::new(
                "ORB305",
                Severity::Note,
                &policy.file,
                item.span,
                format!(
                    "service prefix `{prefix}` is written `{}` by AWS",
                    prefix.to_ascii_lowercase()
                ),
            )
            .label_here("IAM ignores case here, readers and tools do not")
            .with_help(format!("write `{expected}`")),
        );
    }
}
