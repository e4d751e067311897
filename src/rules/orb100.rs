use super::Rule;
use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::base::span::Span;
use crate::model::deploy::Model;

pub static RULE: Rule = Rule {
    code: "ORB100",
    name: "no-policy-for-deployment",
    severity: Severity::Warning,
    summary: "ORB config found, no identity policy in scope",
    doc: r#"## What it finds
An ORB deployment (a config for the AWS provider, or a template file with no config beside it) while the
scan found no policy that could be ORB's principal: no identity policy whose Allow statements reach an
ORB-specific action (fleet, spot fleet, auto scaling group or launch template actions, by name or through
a glob; `*` alone does not count; a policy that only denies them grants nothing), and `orb-scan.toml`
names none. How candidates are found and ranked: docs/principal.md.

A config is for the AWS provider when a `provider.providers` entry has `"type": "aws"` or
`provider.provider_defaults.aws` exists: ORB's packaged `default_config.json` (`"providers": []`), its
Kubernetes defaults and a Kubernetes-only config are not AWS deployments, and get no ORB100.

A policy that lies nearer to another deployment (beside `envs/prod/config.json`, for `envs/dev/`) is that
deployment's: ORB100 lists such policies in a note, in case one of them is this deployment's after all.

## Why it matters
orb-scan cannot cross-check anything, and says so once instead of raising one error per action. When a
role, user or group of the scanned files holds a policy orb-scan could not read (a Terraform `var.`
without a default or a module output, a CloudFormation `Fn::ImportValue`, a managed policy defined
elsewhere), the finding points at it: ORB may run under it.

## Example
A repository with `config/config.json` and `config/aws_templates.json` but its IAM policy kept elsewhere.

## Fix
Add the policy (JSON file, CloudFormation template or Terraform module) to the scanned paths, or name
it in `orb-scan.toml`:
`[[deployment]] config = "config/config.json"`, `policies = ["iam/orb.json"]`.

## ORB source
Linking rules: DESIGN.md §3 and docs/principal.md."#,
    check: Some(check),
};

/// Where the tree holds an identity policy orb-scan could not read, on a role, user or group that
/// is not a service role: ORB may run under it. Each with its file, span and why.
fn unread_policies<'m>(model: &'m Model) -> Vec<(&'m FilePath, Span, String)> {
    let mut found: Vec<(&FilePath, Span, String)> = Vec::new();
    for linked in &model.links.principals {
        if linked.principal.is_service_role() {
            continue;
        }
        for doc in &linked.identity {
            found.extend(
                doc.unread
                    .iter()
                    .map(|u| (&doc.file, u.span, u.why.clone())),
            );
        }
        for m in &linked.unread {
            found.extend(m.unread_why().map(|why| (&m.file, m.span, why)));
        }
    }
    found.sort_by(|a, b| (a.0, a.1.start).cmp(&(b.0, b.1.start)));
    found.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
    found
}

/// The unread policies a finding points at; `inventory` lists every one.
const UNREAD_LABELS: usize = 3;

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let unread = unread_policies(model);
    for d in model.deployments.iter().filter(|d| d.checks.is_empty()) {
        let (span, what) = match (d.config, d.template_file) {
            (Some(c), _) => (
                c.node
                    .entry("provider")
                    .map(|e| e.key_span)
                    .unwrap_or_default(),
                "ORB config",
            ),
            (None, Some(t)) => (
                Span::new(t.node.span.start as usize, t.node.span.start as usize + 1),
                "ORB template file",
            ),
            (None, None) => continue,
        };
        let mut diagnostic = Diagnostic::new(
            "ORB100",
            Severity::Warning,
            d.file(),
            span,
            format!("no IAM policy in scope for this {what}: its permissions cannot be checked"),
        )
        .label_here("ORB deployment");
        // A role whose policies orb-scan could not read may be ORB's: say where they are.
        for (file, span, why) in unread.iter().take(UNREAD_LABELS) {
            diagnostic = diagnostic.with_label(
                file,
                *span,
                format!("orb-scan could not read this policy, which may be ORB's: {why}"),
            );
        }
        if unread.len() > UNREAD_LABELS {
            diagnostic = diagnostic.with_note(format!(
                "and {} more policies orb-scan could not read (`orb-scan inventory` lists them)",
                unread.len() - UNREAD_LABELS
            ));
        }
        // Policies beside other deployments are theirs, not this one's; say so, since one of them
        // may be the right one after all.
        let elsewhere: Vec<String> = d
            .passed_over
            .iter()
            .filter_map(|c| Some(format!("{} (nearer to {})", c.name, c.nearer_to.as_ref()?)))
            .collect();
        if !elsewhere.is_empty() {
            diagnostic = diagnostic.with_note(format!(
                "not taken as this deployment's, as each lies nearer to another: {}",
                elsewhere.join(", ")
            ));
        }
        out.push(diagnostic.with_help(
            "scan the policy ORB runs under too, or name it in orb-scan.toml ([[deployment]] policies = [...])",
        ));
    }
}
