use super::policies::{allowing, conditions_on};

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::pattern::{resource_match, Overlap, ResourceMatch};
use crate::iam::policy::PolicyKind;
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, statement) in allowing(model, PolicyKind::Identity, "iam:PassRole") {
        let scoped = conditions_on(statement, &["iam:PassedToService"]);
        if scoped || !statement.resources.present {
            continue;
        }
        let every_role = |pattern: &str| {
            let partition = pattern.split(':').nth(1).unwrap_or("aws");
            let partition = if partition.is_empty() {
                "aws"
            } else {
                partition
            };
            // A literal account is an account's every role (`ResourceMatch::Overlaps(Account)`).
            matches!(
                resource_match(pattern, &format!("arn:{partition}:iam::*:role/*")),
                ResourceMatch::Covers | ResourceMatch::Overlaps(Overlap::Account)
            )
        };
        let wide = if statement.resources.negated {
            Some(statement.resources.span)
        } else {
            statement
                .resources
                .items
                .iter()
                .find(|r| every_role(&r.value))
                .map(|r| r.span)
        };
        let Some(resource_span) = wide else {
            continue;
        };
        // Point at the entry that grants PassRole; for NotAction, at the whole field.
        let action_span = match statement.actions.negated {
            true => statement.actions.span,
            false => statement
                .actions
                .items
                .iter()
                .find(|a| a.matches_action("iam:PassRole"))
                .map_or(statement.actions.span, |a| a.span),
        };
        let resource_label = if statement.resources.negated {
            "on every role but these"
        } else {
            "on every role"
        };
        let mut d = Diagnostic::new(
            "ORB304",
            Severity::Warning,
            &policy.file,
            action_span,
            "`iam:PassRole` is allowed on every role, to any service",
        )
        .label_here("allows iam:PassRole")
        .with_label(&policy.file, resource_span, resource_label);
        // The statement's other conditions limit something, but not the service a role goes to.
        let mut keys: Vec<&str> = statement
            .conditions
            .iter()
            .map(|c| c.key.as_str())
            .filter(|k| !k.is_empty())
            .collect();
        keys.dedup();
        for key in keys {
            d = d.with_note(format!(
                "the condition on `{key}` limits {}, not which service the role is passed to",
                what_it_limits(key)
            ));
        }
        out.push(d.with_help(
            "name the roles in `Resource` and add a `StringEquals` condition on `iam:PassedToService`",
        ));
    }
}

/// What a condition key on a PassRole statement limits, in a reader's words.
fn what_it_limits(key: &str) -> &'static str {
    let key = key.to_ascii_lowercase();
    if key == "iam:associatedresourcearn" {
        "the resource the role is used with once passed (an instance, a fleet)"
    } else if key.starts_with("aws:resourcetag/") || key.starts_with("iam:resourcetag/") {
        "which roles, by their tags"
    } else if key == "aws:requestedregion" {
        "the region the call is made in"
    } else if key.starts_with("aws:principal") || key.starts_with("aws:source") {
        "who may make the call, or from where"
    } else {
        "when the statement applies"
    }
}
