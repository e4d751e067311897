//! An IAM role as the rules see it. Extractors that know roles (CloudFormation `AWS::IAM::Role`, ...)
//! add one per role to `Workspace::roles`; rules that judge a role as a whole (ORB403) read only this.

use super::policy::Item;
use crate::diagnostic::FilePath;
use crate::span::Span;

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
