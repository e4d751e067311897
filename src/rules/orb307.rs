use super::policies::remarked_actions;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::catalog;
use crate::model::deploy::{Model, Unknown};

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, item, remarks) in remarked_actions(model) {
        let Some(Unknown::Retired(retired)) = &remarks.unknown else {
            continue;
        };
        let prefix = item.value.split(':').next().unwrap_or_default();
        let message = match retired.as_slice() {
            [one] if one.prefix.eq_ignore_ascii_case(prefix) => {
                format!("`{prefix}` is {}, a service AWS has retired", one.name)
            }
            _ => format!(
                "`{prefix}` matches only services AWS has retired: {}",
                retired
                    .iter()
                    .map(|r| format!("{} (`{}`)", r.name, r.prefix))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let last_seen = retired
            .iter()
            .map(|r| format!("`{}` was last in {}", r.prefix, r.last_seen))
            .collect::<Vec<_>>()
            .join("; ");
        out.push(
            Diagnostic::new("ORB307", Severity::Note, &policy.file, item.span, message)
                .label_here("grants nothing that still exists")
                .with_note(format!(
                    "{last_seen}; IAM catalog of {} has no such service",
                    catalog::DATE
                ))
                .with_help("remove the entry"),
        );
    }
}
