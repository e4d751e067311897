use super::policies::statements;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::pattern::cfn_substitution;
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, statement) in statements(model) {
        if policy.origin.resource.is_none() {
            continue; // not in a template: `${...}` is IAM's
        }
        let principals = statement.principals.iter().map(|p| &p.item);
        let items = statement
            .actions
            .items
            .iter()
            .chain(&statement.resources.items)
            .chain(principals);
        for item in items.filter(|i| !i.opaque) {
            let Some(name) = cfn_substitution(&item.value) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    "ORB309",
                    Severity::Error,
                    &policy.file,
                    item.span,
                    format!("`${{{name}}}` is not substituted: the string is not inside `Fn::Sub`"),
                )
                .label_here("deployed as written")
                .with_help("wrap the string in `!Sub` (`Fn::Sub` in JSON)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::iam::pattern::cfn_substitution as substitution;

    #[test]
    fn cloudformation_substitutions_not_iam_variables() {
        assert_eq!(
            substitution("arn:aws:s3:::${BucketName}/*"),
            Some("BucketName")
        );
        assert_eq!(
            substitution("arn:${AWS::Partition}:ssm:*:*:*"),
            Some("AWS::Partition")
        );
        assert_eq!(substitution("${Role.Arn}"), Some("Role.Arn"));
        assert_eq!(substitution("arn:aws:s3:::b/${aws:username}/*"), None);
        assert_eq!(
            substitution("arn:aws:s3:::b/${aws:PrincipalTag/team}/${*}"),
            None
        );
        assert_eq!(
            substitution("arn:aws:s3:::b/${aws:username}/${Env}"),
            Some("Env")
        );
        assert_eq!(substitution("arn:aws:s3:::b/${unclosed"), None);
        assert_eq!(substitution("no variables"), None);
    }
}
