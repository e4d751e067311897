use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB901",
    name: "parse-error",
    severity: Severity::Error,
    summary: "a candidate file does not parse",
    doc: r#"## What it finds
A file that looks like an IAM policy, a CloudFormation template or an ORB file (by extension and a byte
prefilter) but is not valid: strict JSON (no comments, no trailing commas), YAML, or UTF-8. The span is at
the error. Duplicate keys are reported as a warning: ORB and most JSON readers keep the last one silently.
Other files are scanned as usual. JSON files with Jinja markers (`{{`, `{%`), which ORB renders before
parsing (its native spec files), are not reported. A YAML file is reported only when it is meant as a
CloudFormation template (it names `AWSTemplateFormatVersion`, or a top-level `Resources` with `AWS::`
types): workflow files and Kubernetes manifests are not orb-scan's to judge. YAML aliases that copy more
than 100,000 nodes (an alias bomb) are refused here too.

## Why it matters
A broken file is ignored by ORB or rejected by AWS, and orb-scan cannot check what it cannot read.

## Example
`{"Version": "2012-10-17", "Statement": [],}`: trailing comma.

## Fix
Correct the syntax at the reported position.

## ORB source
ORB reads its config and template files with Python's `json.load` (`config/loader.py:296-301`)."#,
};
