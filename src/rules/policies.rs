//! What the policy rules (ORB3xx, ORB4xx) walk: every policy document the scan found, and in them
//! the entries a rule can judge. Entries produced by CloudFormation intrinsics are left out.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::cfn::properties;
use crate::iam::grants::actions_apply;
use crate::iam::policy::{Effect, Item, PolicyDocument, PolicyKind, Statement};
use crate::iam::trust::{Sender, SOURCE_KEYS};
use crate::model::deploy::{Model, Remarks};

/// The `Action`/`NotAction` entries written as literals (`policy::literal_actions`) that the
/// catalog remarks on, with their policy and its remarks (`Model::action_remarks`).
pub fn remarked_actions<'m>(
    model: &'m Model,
) -> impl Iterator<Item = (&'m PolicyDocument, &'m Item, &'m Remarks)> {
    model.action_remarks.entries()
}

/// Every statement of every policy, with its policy.
pub fn statements<'m>(
    model: &'m Model,
) -> impl Iterator<Item = (&'m PolicyDocument, &'m Statement)> {
    model
        .workspace
        .policies
        .iter()
        .flat_map(|p| p.statements.iter().map(move |s| (p, s)))
}

/// The Allow statements of `kind` policies whose actions cover `action`.
pub fn allowing<'m>(
    model: &'m Model,
    kind: PolicyKind,
    action: &'m str,
) -> impl Iterator<Item = (&'m PolicyDocument, &'m Statement)> {
    statements(model).filter(move |(policy, statement)| {
        policy.kind == kind
            && statement
                .effect
                .as_ref()
                .is_some_and(|e| e.value == Effect::Allow)
            && actions_apply(&statement.actions, action)
    })
}

/// Does the statement have a condition on one of `keys` (any operator)?
pub fn conditions_on(statement: &Statement, keys: &[&str]) -> bool {
    statement
        .conditions
        .iter()
        .any(|c| keys.iter().any(|k| c.key.eq_ignore_ascii_case(k)))
}

/// The confused deputy (ORB401 in trust policies, ORB404 in resource policies): each service
/// principal of `statement` that `sender` says sends `aws:SourceArn`/`aws:SourceAccount`, when no
/// condition of the statement is on a source key, reported under `code` as one that `may` act
/// ("assume this role") for any account. A statement AWS writes from a permission resource's
/// properties is fixed there: the message and help name the properties.
pub fn unpinned_services<'t>(
    code: &'static str,
    policy: &PolicyDocument,
    statement: &Statement,
    sender: impl Fn(&str) -> Option<&'t Sender>,
    may: &str,
    out: &mut Vec<Diagnostic>,
) {
    if conditions_on(statement, SOURCE_KEYS) {
        return;
    }
    let written_from = policy
        .origin
        .resource_type
        .as_deref()
        .and_then(properties::permission_of);
    let (lacks, help) = match written_from {
        Some(permission) => {
            let property = |key| permission.property_of(key).unwrap_or(key);
            let (arn, account) = (property("aws:SourceArn"), property("aws:SourceAccount"));
            (
                format!("the permission sets neither `{arn}` nor `{account}`"),
                format!("set `{account}: <your account>`, or `{arn}` to the calling resource's ARN"),
            )
        }
        None => (
            "the statement has no aws:SourceArn or aws:SourceAccount condition".to_string(),
            "add `\"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"<your account>\"}}`, or an `ArnLike` on `aws:SourceArn`".to_string(),
        ),
    };
    for p in statement
        .principals
        .iter()
        .filter(|p| p.kind == "Service" && !p.item.opaque)
    {
        let Some(sender) = sender(&p.item.value) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                code,
                Severity::Warning,
                &policy.file,
                p.item.span,
                format!("`{}` may {may} for any account: {lacks}", p.item.value),
            )
            .label_here("this service sends aws:SourceArn and aws:SourceAccount")
            .with_note(format!("source: {}", sender.source))
            .with_help(help.clone()),
        );
    }
}
