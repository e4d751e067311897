use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB310",
    name: "condition-value-type",
    severity: Severity::Error,
    summary: "a condition value is not of its operator's type (Bool, Date, Numeric, IpAddress)",
    doc: r#"## What it finds
A condition value that its operator cannot read: `Bool` with anything but `true` or `false`
(`"yes"`, `"1"`); a `Date…` operator with a value that is neither an ISO 8601 date or time
(`2026-12-31`, `2026-12-31T23:59:59Z`) nor epoch seconds; a `Numeric…` operator with a value that is
not a number; `IpAddress`/`NotIpAddress` with a value that is not an IPv4 or IPv6 address or CIDR
block. Values CloudFormation computes and policy variables are not judged.

## Why it matters
IAM Access Analyzer reports these as errors ("type mismatch"); IAM evaluates such a condition as
never true (or rejects the policy), so the statement does not do what it says.

## Example
`"Condition": {"Bool": {"aws:SecureTransport": "yes"}}`

## Fix
Write the value in the operator's type: `"true"`, `"2026-12-31T23:59:59Z"`, `"3600"`, `"10.0.0.0/8"`.

## source
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html;
IAM Access Analyzer checks "Type mismatch Bool", "Type mismatch date", "Type mismatch number",
"Type mismatch IP range"."#,
};
