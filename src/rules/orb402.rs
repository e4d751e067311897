use super::policies::statements;
use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::policy::Condition;
use crate::model::deploy::Model;

pub static RULE: Rule = Rule {
    code: "ORB402",
    name: "source-account-mismatch",
    severity: Severity::Error,
    summary: "`aws:SourceAccount` differs from the account in `aws:SourceArn`",
    doc: r#"## What it finds
A statement (of any policy kind) whose `aws:SourceAccount` condition names accounts and whose
`aws:SourceArn` condition names ARNs with a literal account, where an ARN's account is none of the
`aws:SourceAccount` values. ARNs without an account (S3 buckets) or with a wildcard account, and values
produced by CloudFormation intrinsics, are not judged.

## Why it matters
Both conditions must hold at once, and a request comes from one resource in one account: the statement
can never match. For a trust policy, the service can no longer assume the role (Spot Fleet requests
fail); for a resource policy, the grant is dead.

## Example
`"ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:111111111111:spot-fleet-request/sfr-*"},
"StringEquals": {"aws:SourceAccount": "222222222222"}`

## Fix
Use the same account in both (AWS: "the aws:SourceAccount value and the account in the aws:SourceArn
value must use the same account ID when used in the same policy statement").

## source
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-prerequisites.html (seed
`000_937d613f92f20406.txt`, note under the confused deputy example)."#,
    check: Some(check),
};

fn literal<'c>(conditions: &'c [Condition], key: &'c str) -> impl Iterator<Item = &'c Condition> {
    conditions
        .iter()
        .filter(move |c| c.key.eq_ignore_ascii_case(key) && !c.opaque)
}

/// The account field of an ARN when it is a literal account id.
fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, statement) in statements(model) {
        for accounts in literal(&statement.conditions, "aws:SourceAccount") {
            for arns in literal(&statement.conditions, "aws:SourceArn") {
                let mismatched: Vec<&str> = arns
                    .values
                    .iter()
                    .filter_map(|arn| arn_account(arn))
                    .filter(|a| !accounts.values.iter().any(|v| v == a))
                    .collect();
                if mismatched.is_empty() {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        "ORB402",
                        Severity::Error,
                        &policy.file,
                        arns.span,
                        format!(
                            "`aws:SourceArn` names account {} but `aws:SourceAccount` allows only {}: no request can match both",
                            mismatched.join(", "),
                            accounts.values.join(", ")
                        ),
                    )
                    .label_here("account in aws:SourceArn")
                    .with_label(&policy.file, accounts.span, "aws:SourceAccount")
                    .with_help("use the same account id in both conditions"),
                );
            }
        }
    }
}
