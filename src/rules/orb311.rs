use super::policies::statements;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::FastMap;
use crate::iam::catalog::{self, ActionId, Key};
use crate::iam::policy::Condition;
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let catalog = catalog::catalog();
    // What the catalog says of each key text, whatever the statement: `None` when it is not judged
    // (a global key, a prefix that is no service, a key the service adds itself), else the
    // service's key it names, if any. Policies repeat a few hundred keys; a service's keys are
    // searched one by one.
    let mut keys: FastMap<&str, Option<Option<Key>>> = FastMap::default();
    for (policy, statement) in statements(model) {
        let actions = &statement.actions;
        if !actions.present || actions.negated || statement.conditions.is_empty() {
            continue;
        }
        // Most conditions are on global keys, or written for requests that may lack the key.
        let judged = |c: &Condition| {
            !c.operator.ends_with("IfExists")
                && c.key
                    .split_once(':')
                    .is_some_and(|(prefix, _)| !prefix.eq_ignore_ascii_case("aws"))
        };
        if !statement.conditions.iter().any(judged) {
            continue;
        }
        let ids: Option<Vec<ActionId>> = actions.items.iter().map(|i| i.action).collect();
        let Some(ids) = ids else {
            continue; // a wildcard, an unknown action or a computed one
        };
        for c in &statement.conditions {
            let Some((prefix, _)) = c.key.split_once(':') else {
                continue;
            };
            if c.operator.ends_with("IfExists") {
                continue;
            }
            let judged = *keys.entry(&c.key).or_insert_with(|| {
                let skipped = prefix.eq_ignore_ascii_case("aws")
                    || catalog.global_key(&c.key).is_some()
                    || catalog.service(prefix).is_none();
                let key = catalog.service_key(&c.key);
                (!skipped && key.is_none_or(|k| k.on_some_action)).then_some(key)
            });
            let Some(service_key) = judged else {
                continue;
            };
            let given = ids
                .iter()
                .any(|&id| catalog.action_keys(id).any(|k| k.names(&c.key)));
            if given {
                continue;
            }
            let names: Vec<String> = actions
                .items
                .iter()
                .map(|i| format!("`{}`", i.value))
                .collect();
            let mut d = Diagnostic::new(
                "ORB311",
                Severity::Warning,
                &policy.file,
                c.span,
                format!(
                    "no action of this statement is given `{}`: {}",
                    c.key,
                    names.join(", ")
                ),
            )
            .label_here("never in these requests");
            d = match service_key {
                Some(_) => d.with_note(format!("`{}` is a key of other `{prefix}` actions", c.key)),
                None => d.with_note(format!("`{prefix}` has no key `{}`", c.key)),
            };
            out.push(
                d.with_note(format!("IAM catalog of {}", catalog::DATE))
                    .with_help(
                        "use a key these actions are given, or write the operator with `IfExists`",
                    ),
            );
        }
    }
}
