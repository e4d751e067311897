use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::role::Role;
use crate::model::deploy::Model;

/// `policy/...` of the two AWS managed Spot Fleet role policies (the ARN's partition may vary).
const LEGACY: &str = ":iam::aws:policy/service-role/AmazonEC2SpotFleetRole";
const TAGGING: &str = ":iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole";

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for role in &model.workspace.roles {
        out.extend(legacy_policy(role));
    }
}

fn legacy_policy(role: &Role) -> Option<Diagnostic> {
    let attached = |suffix: &str| {
        role.managed_policy_arns
            .iter()
            .find(|a| a.value.starts_with("arn:") && a.value.ends_with(suffix))
    };
    let legacy = attached(LEGACY)?;
    if attached(TAGGING).is_some() {
        return None;
    }
    Some(
        Diagnostic::new(
            "ORB403",
            Severity::Warning,
            &role.file,
            legacy.span,
            format!(
                "role `{}` uses the legacy `AmazonEC2SpotFleetRole` policy, which cannot tag the instances the fleet launches",
                role.name
            ),
        )
        .label_here("legacy Spot Fleet role policy")
        .with_label(&role.file, role.span, "the fleet role")
        .with_note("ORB tags every fleet request (TagSpecifications)")
        .with_help("attach `arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole` instead"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::span::Span;
    use crate::iam::policy::Item;
    use crate::model::deploy::{build, Workspace};

    fn role(arns: &[&str]) -> Role {
        Role {
            file: "cfn/fleet.yaml".into(),
            name: "FleetRole".into(),
            span: Span::new(10, 19),
            managed_policy_arns: arns
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    Item::new(
                        a.to_string(),
                        Span::new(100 * (i + 1), 100 * (i + 1) + a.len()),
                        a.contains('*'),
                    )
                })
                .collect(),
            resource: Some("FleetRole".into()),
        }
    }

    fn codes(roles: Vec<Role>) -> Vec<(&'static str, Span)> {
        let ws = Workspace {
            roles,
            ..Default::default()
        };
        let model = build(&ws);
        let mut out = Vec::new();
        check(&model, &mut out);
        out.iter().map(|d| (d.code, d.span)).collect()
    }

    #[test]
    fn legacy_policy_is_reported_at_its_arn() {
        let legacy = "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetRole";
        let tagging = "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole";
        let via_sub = "arn:*:iam::aws:policy/service-role/AmazonEC2SpotFleetRole";
        let span = |i: usize, a: &str| Span::new(100 * i, 100 * i + a.len());
        assert_eq!(
            codes(vec![role(&[legacy])]),
            vec![("ORB403", span(1, legacy))]
        );
        assert_eq!(
            codes(vec![role(&[
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                via_sub
            ])]),
            vec![("ORB403", span(2, via_sub))]
        );
        assert_eq!(codes(vec![role(&[legacy, tagging])]), vec![]);
        assert_eq!(codes(vec![role(&[tagging])]), vec![]);
        assert_eq!(
            codes(vec![role(&[
                "arn:aws:iam::123456789012:policy/AmazonEC2SpotFleetRole"
            ])]),
            vec![]
        );
        assert_eq!(codes(vec![]), vec![]);
    }
}
