use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::suppress::{Scope, Unused};

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
    check: None,
};

/// One note per suppression that covered nothing, at the suppression.
pub fn report(unused: &[Unused]) -> Vec<Diagnostic> {
    unused
        .iter()
        .map(|u| {
            let s = u.suppression;
            let where_ = match &s.scope {
                Scope::Lines { .. } => "on the line this comment covers",
                Scope::Within { .. } => "in this resource",
                Scope::Paths(_) => "in the files these paths match",
            };
            let (message, span) = if let Some(why) = &s.malformed {
                (format!("suppression cannot be read: {why}"), s.span)
            } else {
                let unknown: Vec<&str> = u
                    .codes
                    .iter()
                    .filter(|c| !crate::is_code_pattern(&c.pattern))
                    .map(|c| c.pattern.as_str())
                    .collect();
                let listed = u
                    .codes
                    .iter()
                    .map(|c| format!("`{}`", c.pattern))
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = if !unknown.is_empty() {
                    format!("unused suppression: {listed} names no orb-scan rule")
                } else if u.codes.len() == s.codes.len() {
                    format!("unused suppression: no {listed} finding {where_}")
                } else {
                    format!("unused suppression code: no {listed} finding {where_}")
                };
                // From the first unused code to the last, which are in source order.
                let span = match (u.codes.first(), u.codes.last()) {
                    (Some(first), Some(last)) => Span {
                        start: first.span.start,
                        end: last.span.end,
                    },
                    _ => s.span,
                };
                (message, span)
            };
            let mut d = Diagnostic::new("ORB903", Severity::Note, &s.file, span, message)
                .label_here("suppresses nothing")
                .with_help("remove it, or correct its rule codes or paths (`orb-scan rules` lists the codes)");
            if let Some(reason) = &s.reason {
                d = d.with_note(format!("its reason: {reason}"));
            }
            d
        })
        .collect()
}
