use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB903",
    name: "unused-suppression",
    severity: Severity::Note,
    summary: "a suppression that matched nothing",
    doc: r#"## What it finds
A suppression that covered no finding: a `# orb-scan: ignore[...]` comment in a YAML or TOML file, a
CloudFormation resource's `Metadata: {orb-scan: {ignore: [...]}}`, or a `[[suppress]]` table in
`orb-scan.toml`. Also a comment that starts like a directive but cannot be read, and a code that names no
rule. Codes switched off by `--select`/`--ignore` are not judged: they did not run. A `[[suppress]]` table
is judged only when the scan started at or above the folder of `orb-scan.toml`.

A comment suppresses findings on its own line (after code), or on the next line of content (on a line of
its own), or findings whose span contains that line. Metadata suppresses findings inside the resource.
Both also match a finding whose secondary label points there (a missing permission is reported at the
ORB setting and labelled at the policy).

## Why it matters
A stale suppression hides the next, different problem at the same place, and tells readers something that
is no longer true. It usually means the finding was fixed, the file moved, or the code was mistyped.

## Example
```yaml
Resources:
  OrbRole:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: orb
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:PassRole # orb-scan: ignore[ORB304] scoped by SCP
                Resource: arn:aws:iam::111122223333:role/orb-fleet
```
The statement is already scoped to one role, so ORB304 no longer fires here and the comment is unused.

## Fix
Delete the suppression, or correct its code or paths. JSON files have no comments: suppress findings in
them with `[[suppress]]` in `orb-scan.toml` (`paths`, `rules`, `reason`).

## ORB source
Not ORB-specific: the suppression model of orb-scan, after ruff's RUF100."#,
};
