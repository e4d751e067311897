//! The ORB cross-check through the whole pipeline with the full grants model: resources, conditions
//! the deployment fixes, doubtful grants and Denies.

use orb_scan::{check, collect, read::walk, ScanOptions};
use std::path::Path;

const CONFIG: &str = r#"{"provider": {"providers": [{"name": "aws-eu", "type": "aws", "config": {"region": "eu-west-1"}}]}}"#;

const TEMPLATES: &str = r#"{"templates": [{
  "template_id": "spot", "provider_api": "SpotFleet", "metadata": {"fleet_role": "orb-fleet"},
  "machine_role": "orb-nodes-profile", "machine_image": "/aws/service/ami-amazon-linux-latest/al2023",
  "price_type": "spot", "machine_types": {"t3.large": 1}}]}"#;

/// Grants everything ORB needs except as noted; every statement exercises one part of the model.
const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["ec2:*", "sts:GetCallerIdentity", "iam:GetRole"], "Resource": "*"},
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/orb-fleet",
   "Condition": {"StringEquals": {"iam:PassedToService": "spotfleet.amazonaws.com"}}},
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/orb-nodes",
   "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
  {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:us-east-1::parameter/aws/service/*"},
  {"Effect": "Deny", "Action": "ec2:*", "Resource": "*",
   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}},
  {"Effect": "Deny", "Action": "ec2:CancelSpotFleetRequests", "Resource": "*",
   "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}
]}"#;

fn scan(dir: &Path) -> Vec<(String, Vec<String>)> {
    let opts = ScanOptions {
        paths: vec![dir.to_path_buf()],
        root: dir.to_path_buf(),
        walk: walk::WalkOptions {
            threads: 1,
            ..Default::default()
        },
        stdin_name: None,
        keep_text: false,
    };
    let ws = collect(&opts);
    let report = check(&ws, &[], &[]);
    report
        .diagnostics
        .iter()
        .map(|d| (d.code.to_string(), d.actions.clone()))
        .collect()
}

#[test]
fn cross_check_uses_the_full_grants_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), CONFIG).unwrap();
    std::fs::write(dir.path().join("templates.json"), TEMPLATES).unwrap();
    std::fs::write(dir.path().join("orb-policy.json"), POLICY).unwrap();
    let found = scan(dir.path());
    let with = |code: &str, action: &str| {
        found
            .iter()
            .any(|(c, actions)| c == code && actions.iter().any(|a| a == action))
    };
    // The fleet role is granted on its ARN (the policy's account stands in for the unknown one) and
    // for the service the need passes it to.
    assert!(!found.iter().any(|(c, _)| c == "ORB106"), "{found:?}");
    // The instance profile's role is unknown to orb-scan, not to the policy's author: a PassRole on a
    // named role, to the service the need passes it to, is taken to name it.
    assert!(!with("ORB108", "iam:PassRole"), "{found:?}");
    assert!(!with("ORB107", "iam:PassRole"), "{found:?}");
    // SSM parameters are regional: a grant in us-east-1 does not cover eu-west-1.
    assert!(with("ORB105", "ssm:GetParameter"), "{found:?}");
    // The region Deny does not apply in eu-west-1; the tag-conditioned one may.
    assert!(
        !found
            .iter()
            .any(|(c, a)| c == "ORB109" && a.iter().any(|a| a == "ec2:RequestSpotFleet")),
        "{found:?}"
    );
    assert!(with("ORB109", "ec2:CancelSpotFleetRequests"), "{found:?}");
}

/// Each resource doubt says what it turns on: a Deny naming an account, an Allow on one id AWS will
/// generate; a grant on another service's ARN or region grants nothing.
#[test]
fn resource_doubts_are_explained() {
    const TEMPLATES: &str = r#"{"templates": [{"template_id": "fleet", "provider_api": "EC2Fleet",
      "machine_image": "ami-0123456789abcdef0", "machine_types": {"t3.micro": 1},
      "metadata": {"fleet_type": "instant"}}]}"#;
    const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:TerminateInstances", "ec2:RunInstances",
        "ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate",
        "ec2:CreateTags", "ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances"], "Resource": "*"},
      {"Effect": "Allow", "Action": "ec2:DeleteFleets", "Resource": "arn:aws:ec2:*:*:fleet/fleet-0abc"},
      {"Effect": "Allow", "Action": "ec2:DeleteFleets", "Resource": ["arn:aws:iam::*:role/*", "arn:aws:ec2:us-east-1:*:*"]},
      {"Effect": "Deny", "Action": "ec2:CreateFleet", "Resource": "arn:aws:ec2:*:999999999999:fleet/*"}
    ]}"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), CONFIG).unwrap();
    std::fs::write(dir.path().join("templates.json"), TEMPLATES).unwrap();
    std::fs::write(dir.path().join("orb-policy.json"), POLICY).unwrap();
    let opts = ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        root: dir.path().to_path_buf(),
        walk: walk::WalkOptions {
            threads: 1,
            ..Default::default()
        },
        stdin_name: None,
        keep_text: false,
    };
    let report = check(&collect(&opts), &[], &[]);
    let label = |code: &str| {
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code}: {:?}", report.diagnostics));
        d.labels
            .iter()
            .map(|l| l.message.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    // A Deny on another account's fleets may be the deployment's own account: a warning.
    let deny = report
        .diagnostics
        .iter()
        .find(|d| d.code == "ORB109")
        .expect("ORB109");
    assert_eq!(deny.severity, orb_scan::base::diagnostic::Severity::Warning);
    assert!(label("ORB109").contains("this Deny names an account"));
    // An Allow on one fleet id: AWS gives ORB's fleet an id nobody knows in advance.
    assert!(
        label("ORB108").contains("not known in advance"),
        "{}",
        label("ORB108")
    );
}
