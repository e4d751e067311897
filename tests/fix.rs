//! `--fix` and `--diff`: fixing then rescanning is clean, fixing twice changes nothing, and the file keeps
//! its own layout (snapshots of the diff for each layout in `testdata/fix`).

mod common;

use std::path::Path;

fn orb_scan(dir: &Path, args: &[&str]) -> (String, i32) {
    common::stdout_in(dir, args)
}

const MISSING: &[&str] = &[
    "ORB101", "ORB102", "ORB103", "ORB104", "ORB105", "ORB106", "ORB107", "ORB111",
];

fn missing_findings(dir: &Path) -> Vec<String> {
    let (json, _) = orb_scan(dir, &[".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| MISSING.contains(&d["code"].as_str().unwrap()))
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

fn fixture_dirs() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut dirs = Vec::new();
    for group in ["rules", "fix"] {
        for entry in std::fs::read_dir(root.join(group)).unwrap() {
            let path = entry.unwrap().path();
            for d in [path.join("trigger"), path.join("clean"), path.clone()] {
                let has_policies = d.join("iam").is_dir() || d.join("cfn").is_dir();
                if has_policies && d.join("config").is_dir() {
                    dirs.push(d);
                }
            }
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn fix_then_rescan_is_clean_and_idempotent() {
    let dirs = fixture_dirs();
    assert!(dirs.len() > 15, "{}", dirs.len());
    for fixture in dirs {
        let tmp = tempfile::tempdir().unwrap();
        common::copy_tree(&fixture, tmp.path());
        orb_scan(tmp.path(), &["--fix"]);
        let left = missing_findings(tmp.path());
        assert!(
            left.is_empty(),
            "{}: still missing after --fix: {left:#?}",
            fixture.display()
        );
        let (diff, status) = orb_scan(tmp.path(), &["--diff"]);
        assert_eq!(
            (diff.as_str(), status),
            ("", 0),
            "{}: a second fix would change",
            fixture.display()
        );
        // Every file still parses: a rescan reports no ORB901.
        let (json, _) = orb_scan(tmp.path(), &[".", "--format", "json", "--select", "ORB901"]);
        assert!(
            json.contains("\"diagnostics\": []"),
            "{}: {json}",
            fixture.display()
        );
    }
}

#[test]
fn diff_keeps_each_layout() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix");
    for case in [
        "tabs",
        "one-line",
        "string-action",
        "lone-statement",
        "yaml-template",
        "yaml-flow",
    ] {
        let dir = root.join(case);
        let (diff, status) = orb_scan(&dir, &["--diff"]);
        assert_eq!(
            status, 1,
            "{case}: --diff exits 1 when it would change something"
        );
        let snapshot = dir.with_extension("diff");
        if update {
            std::fs::write(&snapshot, &diff).unwrap();
        } else {
            assert_eq!(
                std::fs::read_to_string(&snapshot).unwrap_or_default(),
                diff,
                "{case} (UPDATE_SNAPSHOTS=1 to accept)"
            );
        }
    }
}

#[test]
fn diff_writes_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fix/tabs");
    let before = std::fs::read_to_string(dir.join("iam/orb.json")).unwrap();
    orb_scan(&dir, &["--diff"]);
    assert_eq!(
        before,
        std::fs::read_to_string(dir.join("iam/orb.json")).unwrap()
    );
}

/// Missing actions belong to the written policy of ORB's role that names most actions of their
/// service, found once per service and deployment: the `ec2` gap goes to the second policy, which
/// names eight `ec2` actions to the first's one, and the `iam` gaps of the same deployment to the
/// first, the only one naming `iam`.
#[test]
fn missing_actions_go_to_the_policy_naming_their_service() {
    let (_tmp, root) = common::fixture_copy("testdata/rules/ORB101/trigger");
    std::fs::remove_dir_all(root.join("iam")).unwrap();
    common::write_tree(
        &root,
        &[(
            "cfn/orb-role.json",
            r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"OrbRole": {"Type": "AWS::IAM::Role", "Properties": {
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
  "Policies": [
    {"PolicyName": "roles", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"},
      {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
       "Condition": {"StringEquals": {"iam:AWSServiceName": "ec2.amazonaws.com"}}}]}},
    {"PolicyName": "ec2", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:TerminateInstances", "ec2:DescribeLaunchTemplates",
         "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate", "ec2:CreateTags", "ec2:RequestSpotFleet",
         "ec2:RunInstances"], "Resource": "*"}]}}]}}}}"#,
        )],
    );
    let run = common::orb_scan(&root, &[".", "--format", "json"]);
    let report = common::json(&run.stdout);
    let mut checked: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["labels"][0]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("checked this policy"))
        })
        .map(|d| {
            let service = d["actions"][0].as_str().unwrap().split(':').next().unwrap();
            let line = d["labels"][0]["span"]["start"]["line"].as_u64().unwrap();
            (service.to_string(), line)
        })
        .collect();
    checked.sort();
    // Line 5 opens the first policy's `Statement`, line 9 the second's.
    assert_eq!(
        checked,
        [
            ("ec2".to_string(), 9),
            ("iam".to_string(), 5),
            ("iam".to_string(), 5)
        ],
        "{}",
        run.stdout
    );
}
