use super::Rule;
use crate::base::diagnostic::Severity;

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
};
