use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB204",
    name: "static-credentials",
    severity: Severity::Error,
    summary: "access keys in a config file",
    doc: r#"## What it finds
`access_key_id`, `secret_access_key` or `session_token` with a literal value in `provider.providers[N].config`.
ORB passes them to `boto3.Session`, so they work, and they sit in the repository. Values that are only an
environment reference (`$VAR`, `${VAR}`), which ORB expands at load time, are not reported.

## Why it matters
Committed keys leak; they also bypass the instance role whose policy orb-scan checks.

## Example
`"secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"`

## Fix
Delete the keys, rotate them, and run ORB under an instance role or a named `profile`.

## ORB source
`configuration/config.py:133-147`, `aws_client.py:151-170`, `session_factory.py:51-56`."#,
};
