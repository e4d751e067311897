use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::policy::Effect;
use crate::model::deploy::Model;
use crate::orb::requirements::{table, OneOrMany};

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let used: Vec<&str> = model
        .deployments
        .iter()
        .flat_map(|d| d.handlers())
        .collect();
    if used.is_empty() {
        return;
    }
    // Every finding names its action; the same few actions recur across templates and deployments.
    let mut needed: Vec<&str> = model
        .deployments
        .iter()
        .flat_map(|d| {
            d.checks
                .iter()
                .flat_map(|c| c.findings.iter().map(|f| f.action))
        })
        .collect();
    needed.sort_unstable();
    needed.dedup();
    // Actions that only one handler's requirements name, for handlers no template uses.
    let mut unused_actions: Vec<(&str, &str)> = Vec::new();
    for r in &table().requirement {
        if let OneOrMany::One(h) = &r.when.handler {
            if !used.contains(&h.as_str()) {
                unused_actions.extend(r.actions.iter().map(|a| (h.as_str(), a.as_str())));
            }
        }
    }
    for policy in &model.orb_policies {
        for statement in policy
            .statements
            .iter()
            .filter(|s| s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow))
        {
            if statement.actions.negated {
                continue;
            }
            for item in &statement.actions.items {
                // Most entries match no unused handler's action: test that first.
                let mut unused: Vec<&str> = unused_actions
                    .iter()
                    .filter(|(_, a)| item.matches_action(a))
                    .map(|(h, _)| *h)
                    .collect();
                if unused.is_empty() || needed.iter().any(|a| item.matches_action(a)) {
                    continue;
                }
                unused.sort();
                unused.dedup();
                out.push(
                    Diagnostic::new(
                        "ORB110",
                        Severity::Note,
                        &policy.file,
                        item.span,
                        format!(
                            "`{}` is only used by provider_api {}, which no scanned template uses",
                            item.value,
                            unused.join(", ")
                        ),
                    )
                    .label_here("not needed by this deployment")
                    .with_help("remove it for least privilege, or suppress with a reason if other templates need it"),
                );
            }
        }
    }
}
