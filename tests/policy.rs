//! `orb-scan policy`: the generated least-privilege policy grants exactly what the deployment needs, so
//! scanning the deployment with it in place of its own policy reports nothing missing, denied or
//! conditional; it names no wildcard action; and it is stable.

mod common;

use std::path::Path;

fn orb_scan(dir: &Path, args: &[&str]) -> (String, i32) {
    common::stdout_in(dir, args)
}

/// Copies the ORB files of a fixture (config and templates, not its policies) into a fresh folder.
fn orb_files_only(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from.join("config")).unwrap() {
        let entry = entry.unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("config").join(entry.file_name()),
        )
        .unwrap();
    }
    dir
}

/// Findings about the deployment's permissions or the policy itself (not about ORB settings).
fn cross_check_findings(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    let about_permissions = |code: &str| {
        code.starts_with("ORB10")
            || code == "ORB111"
            || code.starts_with("ORB3")
            || code.starts_with("ORB4")
    };
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| about_permissions(d["code"].as_str().unwrap()))
        .collect()
}

#[test]
fn generated_policy_satisfies_the_deployment() {
    let dirs = common::fixtures_with_templates();
    assert!(
        dirs.len() > 20,
        "fixtures with ORB templates: {}",
        dirs.len()
    );
    for fixture in dirs {
        let (policy, status) = orb_scan(&fixture, &["policy"]);
        assert_eq!(status, 0, "{}", fixture.display());
        let doc: serde_json::Value = serde_json::from_str(&policy).unwrap();
        let statements = doc["Statement"].as_array().unwrap();
        if statements.is_empty() {
            // No template ORB would accept (ORB201/ORB202 fixtures): nothing is needed.
            continue;
        }
        for s in statements {
            assert_eq!(s["Effect"], "Allow");
            let actions: Vec<&str> = match &s["Action"] {
                serde_json::Value::String(a) => vec![a.as_str()],
                v => v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap())
                    .collect(),
            };
            assert!(
                actions.iter().all(|a| !a.contains('*') && !a.contains('?')),
                "wildcard action in {s}"
            );
            if actions.contains(&"iam:PassRole") {
                assert!(
                    s["Condition"]["StringEquals"]["iam:PassedToService"].is_string(),
                    "{s}"
                );
            }
        }
        let repo = orb_files_only(&fixture);
        std::fs::create_dir_all(repo.path().join("iam")).unwrap();
        std::fs::write(repo.path().join("iam/generated.json"), &policy).unwrap();
        let (report, _) = orb_scan(repo.path(), &[".", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&report).unwrap();
        let cross_check = cross_check_findings(&v);
        assert!(
            cross_check.is_empty(),
            "{}: {cross_check:#?}\n{policy}",
            fixture.display()
        );
    }
}

#[test]
fn generated_policy_has_only_what_the_settings_call_for() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    // An EC2Fleet deployment with an `ami-` image and cleanup on: no SSM, no Spot Fleet, no PassRole.
    let (policy, _) = orb_scan(&rules.join("ORB104/clean"), &["policy"]);
    for absent in [
        "ssm:",
        "RequestSpotFleet",
        "autoscaling:",
        "iam:PassRole",
        "sts:",
    ] {
        assert!(!policy.contains(absent), "{absent} in {policy}");
    }
    for present in [
        "ec2:CreateFleet",
        "ec2:CreateTags",
        "ec2:DeleteLaunchTemplate",
    ] {
        assert!(policy.contains(present), "{present} missing from {policy}");
    }
    // Cleanup switched off where ORB reads it: no DeleteLaunchTemplate.
    let (policy, _) = orb_scan(&rules.join("ORB103/clean"), &["policy"]);
    assert!(!policy.contains("ec2:DeleteLaunchTemplate"), "{policy}");
    // The default SSM image: GetParameter (singular) on the public parameter in the provider's region.
    let (policy, _) = orb_scan(&rules.join("ORB105/trigger"), &["policy"]);
    assert!(policy.contains("\"ssm:GetParameter\""), "{policy}");
    assert!(policy.contains("arn:aws:ssm:eu-west-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64"));
    // A fleet role alias: PassRole on the Spot Fleet service-linked role, and no
    // sts:GetCallerIdentity, which AWS allows every principal without a policy.
    let (policy, _) = orb_scan(&rules.join("ORB101/clean"), &["policy"]);
    assert!(
        policy.contains("spotfleet.amazonaws.com/AWSServiceRoleForEC2SpotFleet"),
        "{policy}"
    );
    assert!(!policy.contains("sts:"), "{policy}");
}

#[test]
fn cloudformation_format_round_trips_through_a_template() {
    for fixture in common::fixtures_with_templates() {
        let (yaml, status) = orb_scan(&fixture, &["policy", "--format", "cloudformation"]);
        assert_eq!(status, 0);
        if !yaml.contains("- Sid:") {
            continue;
        }
        assert!(
            yaml.starts_with("OrbScanLeastPrivilegePolicy:\n  Type: AWS::IAM::ManagedPolicy\n"),
            "{yaml}"
        );
        // Pasted under a template's Resources, it is read back as the deployment's policy.
        let repo = orb_files_only(&fixture);
        let indented: String = yaml.lines().map(|l| format!("  {l}\n")).collect();
        std::fs::write(
            repo.path().join("orb.yaml"),
            format!("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n{indented}"),
        )
        .unwrap();
        let (report, _) = orb_scan(repo.path(), &[".", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&report).unwrap();
        let left = cross_check_findings(&v);
        assert!(left.is_empty(), "{}: {left:#?}\n{yaml}", fixture.display());
        assert_eq!(v["summary"]["documents"]["cfn_templates"], 1);
        let (again, _) = orb_scan(&fixture, &["policy", "--format", "cloudformation"]);
        assert_eq!(yaml, again, "stable output");
    }
}

/// `--format terraform` prints an `aws_iam_policy_document` that, used as a role's policy, makes
/// the deployment quiet.
#[test]
fn terraform_format_round_trips_through_a_module() {
    for fixture in common::fixtures_with_templates() {
        let (hcl, status) = orb_scan(&fixture, &["policy", "--format", "terraform"]);
        assert_eq!(status, 0);
        if !hcl.contains("statement {") {
            continue;
        }
        assert!(
            hcl.contains("data \"aws_iam_policy_document\" \"orb_scan_least_privilege\" {\n"),
            "{hcl}"
        );
        let repo = orb_files_only(&fixture);
        let role = "resource \"aws_iam_role_policy\" \"orb\" {\n  role   = \"orb\"\n  policy = data.aws_iam_policy_document.orb_scan_least_privilege.json\n}\n";
        std::fs::write(repo.path().join("iam.tf"), format!("{hcl}\n{role}")).unwrap();
        let (report, _) = orb_scan(repo.path(), &[".", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&report).unwrap();
        let left = cross_check_findings(&v);
        assert!(left.is_empty(), "{}: {left:#?}\n{hcl}", fixture.display());
        assert!(v["summary"]["documents"]["policies"].as_u64() >= Some(1));
    }
}

#[test]
fn unknown_deployment_is_a_usage_error() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules/ORB106/trigger");
    let (_, status) = orb_scan(&fixture, &["policy", "--deployment", "nope.json"]);
    assert_eq!(status, 2);
    let (out, status) = orb_scan(&fixture, &["policy", "--deployment", "config/config.json"]);
    assert_eq!(status, 0);
    assert!(out.contains("iam:GetRole"));
}
