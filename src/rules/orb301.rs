use super::policies::remarked_actions;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::catalog;
use crate::iam::pattern::has_wildcard;
use crate::model::deploy::{Model, Unknown};

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let catalog = catalog::catalog();
    for (policy, item, remarks) in remarked_actions(model) {
        let Some(Unknown::Action { nearest }) = &remarks.unknown else {
            continue;
        };
        let api_call = catalog.api_call(&item.value);
        let wildcard = has_wildcard(&item.value);
        let message = if wildcard {
            format!("`{}` matches no IAM action", item.value)
        } else {
            format!("`{}` is not an IAM action", item.value)
        };
        let label = match (nearest, wildcard) {
            _ if !api_call.is_empty() => "an API operation, not an IAM action".to_string(),
            (Some(n), _) => format!("did you mean `{n}`?"),
            (None, true) => "matches nothing in the catalog".to_string(),
            (None, false) => "not in the catalog".to_string(),
        };
        let mut d = Diagnostic::new("ORB301", Severity::Error, &policy.file, item.span, message)
            .label_here(label)
            .with_note(format!("IAM catalog of {}", catalog::DATE));
        if !api_call.is_empty() {
            let list = api_call
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            d = d
                .with_note(format!(
                    "`{}` is an API operation: IAM authorizes it as {list}",
                    item.value
                ))
                .with_help(format!("use {list}"));
        } else if let Some(n) = nearest {
            d = d.with_help(format!("use `{n}`"));
        }
        out.push(d);
    }
}
