//! AWS managed policies attached by ARN: the bundled subset in `data/aws-managed-policies.json`
//! (written by `scripts/bundle-managed-policies.py`, which says which and why).

use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::iam::pattern::glob_match;
use crate::iam::policy::{Origin, PolicyDocument, PolicyKind};
use crate::read::syntax::{json, Node, Value};
use std::sync::OnceLock;

const BUNDLE_TEXT: &str = include_str!("../../data/aws-managed-policies.json");

struct Bundled {
    /// The ARN after `arn:aws:iam::aws:`: `policy/service-role/AmazonEC2SpotFleetTaggingRole`.
    resource: String,
    document: Node,
}

fn bundle() -> &'static [Bundled] {
    static BUNDLE: OnceLock<Vec<Bundled>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let root = json::parse(BUNDLE_TEXT)
            .expect("data/aws-managed-policies.json is checked by a unit test")
            .root;
        root.get("policies")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|p| {
                let arn = p.get("arn")?.as_str()?;
                Some(Bundled {
                    resource: aws_managed_resource(arn)?.to_string(),
                    document: p.get("document")?.clone(),
                })
            })
            .collect()
    })
}

/// `policy/...` of an AWS managed policy ARN in any partition (`arn:*:` when written with
/// `${AWS::Partition}`), or `None` for a customer managed policy.
pub fn aws_managed_resource(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let resource = rest.strip_prefix("iam::aws:")?;
    let partition_ok = partition == "*" || partition.starts_with("aws");
    (partition_ok && resource.starts_with("policy/")).then_some(resource)
}

/// The bundled document of an AWS managed policy ARN pattern, re-spanned onto `span` (the ARN in the
/// template) so every label about it points where it is attached.
pub fn document(arn: &str, file: &FilePath, span: Span, origin: Origin) -> Option<PolicyDocument> {
    let resource = aws_managed_resource(arn)?;
    let found = bundle().iter().find(|b| {
        b.resource == resource
            || (resource.contains('*') && glob_match(resource, &b.resource, false))
    })?;
    let mut node = found.document.clone();
    respan(&mut node, span);
    Some(PolicyDocument::from_node(
        file,
        node,
        origin,
        Some(PolicyKind::Identity),
    ))
}

/// SAM accepts a bare AWS managed policy name in `Policies`: its ARN, when the bundle knows it.
pub fn arn_for_name(name: &str) -> Option<String> {
    bundle()
        .iter()
        .find(|b| b.resource.rsplit('/').next() == Some(name))
        .map(|b| format!("arn:aws:iam::aws:{}", b.resource))
}

/// Points every span of a tree at `span` (a document that has no text of its own there).
pub(crate) fn respan(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|n| respan(n, span)),
        Value::Object(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = span;
            respan(&mut e.value, span);
        }),
        Value::Tagged(_, inner) => respan(inner, span),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_parses_and_matches_by_arn() {
        assert!(bundle().len() >= 10);
        let file: FilePath = "t.yaml".into();
        let span = Span::new(5, 9);
        let tagging = "arn:*:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole";
        let doc = document(tagging, &file, span, Origin::default()).unwrap();
        assert!(!doc.statements.is_empty());
        assert!(doc.statements.iter().all(|s| s.span == span));
        assert!(document(
            "arn:aws-cn:iam::aws:policy/AmazonEC2FullAccess",
            &file,
            span,
            Origin::default()
        )
        .is_some());
        // The path is part of the ARN: a wrong path does not exist in AWS either.
        assert!(document(
            "arn:aws:iam::aws:policy/AmazonEC2SpotFleetTaggingRole",
            &file,
            span,
            Origin::default()
        )
        .is_none());
        assert!(aws_managed_resource("arn:aws:iam::123456789012:policy/mine").is_none());
        assert_eq!(
            arn_for_name("AmazonSSMReadOnlyAccess").as_deref(),
            Some("arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess")
        );
    }
}
