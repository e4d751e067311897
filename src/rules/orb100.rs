use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::base::span::Span;
use crate::model::deploy::Model;

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

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
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
