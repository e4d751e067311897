use super::policies::statements;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::pattern::{arn_fields, has_wildcard};
use crate::iam::policy::Item;
use crate::model::deploy::Model;

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, statement) in statements(model) {
        let principals = statement
            .principals
            .iter()
            .filter(|p| p.kind == "AWS")
            .map(|p| &p.item);
        for item in statement.resources.items.iter().chain(principals) {
            if let Some(problem) = arn_problem(item) {
                out.push(
                    Diagnostic::new(
                        "ORB308",
                        Severity::Error,
                        &policy.file,
                        item.span,
                        format!("`{}` is not a valid ARN: {problem}", item.value),
                    )
                    .label_here("names nothing")
                    .with_help("correct the field, or write `*` for any value"),
                );
            }
        }
    }
}

/// What is wrong with an ARN's partition, region or account, if anything can be said.
fn arn_problem(item: &Item) -> Option<String> {
    // Computed by CloudFormation, or holding a substitution or policy variable (`${...}` may hold
    // colons of its own): not judged field by field.
    if item.opaque || item.value.contains("${") {
        return None;
    }
    let Some(fields) = arn_fields(&item.value) else {
        return None; // not an ARN: ORB303 judges the shape
    };
    let judged = |f: &str| !has_wildcard(f) && !f.contains("${");
    let (partition, region, account) = (fields[1], fields[3], fields[4]);
    if judged(partition) && !PARTITIONS.contains(&partition) {
        return Some(format!(
            "`{partition}` is not a partition ({})",
            PARTITIONS.join(", ")
        ));
    }
    if judged(region) && !region.is_empty() && !is_region(region) {
        return Some(format!(
            "`{region}` is not a region (regions look like `eu-west-1`)"
        ));
    }
    let account_ok = account.is_empty()
        || account == "aws"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    if judged(account) && !account_ok {
        return Some(format!(
            "`{account}` is not an account (12 digits, `aws` for AWS's own resources, or empty)"
        ));
    }
    None
}

/// `xx-name-N` and longer forms: `eu-west-1`, `us-gov-west-1`, `us-isob-east-1`, `ap-southeast-5`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::Span;

    #[test]
    fn arns() {
        let problem = |arn: &str| arn_problem(&Item::new(arn.to_string(), Span::default(), false));
        for ok in [
            "arn:aws:ec2:eu-west-1:123456789012:instance/*",
            "arn:aws:sso::aws:permissionSet/*",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:s3:::bucket/*",
            "arn:aws-us-gov:ec2:us-gov-west-1:*:*",
            "arn:aws:ec2:*:*:*",
            "arn:*:ec2:us-*:1234*:*",
            "arn:aws:iam::${aws:PrincipalAccount}:role/x",
            "arn:${AWS::Partition}:ssm:*:*:parameter/x",
            "arn:aws-iso-b:ec2:us-isob-east-1:123456789012:*",
            "*",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for (region, ok) in [
            ("eu-west-1", true),
            ("us-gov-west-1", true),
            ("us-isob-east-1", true),
            ("ap-southeast-5", true),
            ("u-west-1", false),
            ("use-west-1", false),
            ("eu--1", false),
            ("eu-west-", false),
            ("EU-west-1", false),
            ("eu-west-1a", false),
            ("eu-1", false),
            ("-west-1", false),
        ] {
            assert_eq!(is_region(region), ok, "{region}");
        }
        for bad in [
            "arn:amazon:ec2:eu-west-1:123456789012:instance/*",
            "arn:aws:ec2:us-east:123456789012:instance/*",
            "arn:aws:ec2:eu_west_1:123456789012:instance/*",
            "arn:aws:iam::12345:role/x",
            "arn:aws:iam::my-account:role/x",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
