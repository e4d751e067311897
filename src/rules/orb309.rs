use super::policies::statements;
use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::pattern::cfn_substitution;
use crate::model::deploy::Model;

pub static RULE: Rule = Rule {
    code: "ORB309",
    name: "substitution-outside-sub",
    severity: Severity::Error,
    summary: "a CloudFormation `${...}` in a policy string that no `Fn::Sub` substitutes",
    doc: r#"## What it finds
In a policy inside a CloudFormation template, an `Action`, `Resource` or `Principal` string holding a
CloudFormation substitution (`${AWS::Region}`, `${AWS::AccountId}`, `${BucketName}`,
`${Role.Arn}`) that is not inside `Fn::Sub` (`!Sub`). IAM policy variables (`${aws:username}`,
`${aws:PrincipalTag/team}`, `${s3:prefix}`, `${*}`) are IAM's own and are not reported.

## Why it matters
CloudFormation substitutes only inside `Fn::Sub`: elsewhere the text is deployed as written, and
`arn:aws:s3:::${BucketName}/*` names a bucket called `${BucketName}`. The statement grants nothing
(or IAM rejects the policy for an unknown variable).

## Example
```yaml
Resource: arn:aws:s3:::${BucketName}/*
```

## Fix
Wrap the string in `!Sub` (`Fn::Sub` in JSON): `Resource: !Sub arn:aws:s3:::${BucketName}/*`.

## source
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html;
cfn-lint E1029."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
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
