use super::policies::statements;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::policy::Condition;
use crate::model::deploy::Model;

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

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
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
