use super::policies::remarked_actions;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::FastMap;
use crate::iam::catalog;
use crate::model::deploy::{Model, Unknown};

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
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
