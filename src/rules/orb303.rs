use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for policy in &model.workspace.policies {
        for problem in policy.problems.iter().cloned() {
            let severity = if problem.warning {
                Severity::Warning
            } else {
                Severity::Error
            };
            let mut d = Diagnostic::new(
                "ORB303",
                severity,
                &policy.file,
                problem.span,
                problem.message,
            )
            .label_here(problem.label);
            if let Some((span, label)) = problem.related {
                d = d.with_label(&policy.file, span, label);
            }
            out.push(d.with_note(format!("checked as {} policy", policy.kind.as_str())));
        }
    }
}
