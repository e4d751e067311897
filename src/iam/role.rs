//! An IAM role as the rules see it. Extractors that know roles (CloudFormation `AWS::IAM::Role`, ...)
//! add one per role to `Workspace::roles`; rules that judge a role as a whole (ORB403) read only this.

use super::policy::Item;
use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::read::syntax::Node;

#[derive(Clone, Debug)]
pub struct Role {
    pub file: FilePath,
    /// The role's logical id or name, for messages.
    pub name: String,
    /// Where to point at the role as a whole (its logical id key).
    pub span: Span,
    /// Managed policies attached by ARN (CloudFormation `ManagedPolicyArns`), each with its span;
    /// `opaque` for ARNs an intrinsic will produce.
    pub managed_policy_arns: Vec<Item>,
    /// Logical id of the role in its template, matching `Origin::resource` of its trust policy.
    pub resource: Option<String>,
}

/// The `AWS::IAM::Role` resources of a CloudFormation template tree, with their managed policy ARNs.
/// The template reader calls this on every template it reads, whatever its syntax.
pub fn roles_in_template(file: &FilePath, root: &Node) -> Vec<Role> {
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|r| r.value.get("Type").and_then(Node::as_str) == Some("AWS::IAM::Role"))
        .map(|r| Role {
            file: file.clone(),
            name: r.key.to_string(),
            span: r.key_span,
            managed_policy_arns: r
                .value
                .get("Properties")
                .and_then(|p| p.get("ManagedPolicyArns"))
                .map(|arns| arns.strings().iter().filter_map(Item::of).collect())
                .unwrap_or_default(),
            resource: Some(r.key.to_string()),
        })
        .collect()
}
