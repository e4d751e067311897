use super::policies::remarked_actions;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, item, remarks) in remarked_actions(model) {
        let Some(aws_spelling) = &remarks.aws_spelling else {
            continue;
        };
        let prefix = item.value.split(':').next().unwrap_or_default();
        out.push(
            Diagnostic::new(
                "ORB305",
                Severity::Note,
                &policy.file,
                item.span,
                format!(
                    "service prefix `{prefix}` is written `{}` by AWS",
                    prefix.to_ascii_lowercase()
                ),
            )
            .label_here("IAM ignores case here, readers and tools do not")
            .with_help(format!("write `{aws_spelling}`")),
        );
    }
}
