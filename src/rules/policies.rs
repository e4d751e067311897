//! What the policy rules (ORB3xx, ORB4xx) walk: every policy document the scan found, and in them
//! the entries a rule can judge. Entries produced by CloudFormation intrinsics are left out.

use crate::deploy::Model;
use crate::iam::policy::{Item, PolicyDocument, Statement};

/// Every `Action`/`NotAction` entry written as a literal, with its policy.
pub fn actions<'m>(model: &'m Model) -> impl Iterator<Item = (&'m PolicyDocument, &'m Item)> {
    statements(model).flat_map(|(policy, statement)| {
        statement
            .actions
            .items
            .iter()
            .filter(|item| !item.opaque)
            .map(move |item| (policy, item))
    })
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
