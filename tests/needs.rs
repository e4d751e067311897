//! `orb-scan needs`: the machine-readable list of what each template needs (what `conformance/`
//! compares with what ORB really calls). It names exactly the actions `orb-scan policy` grants, each
//! with a severity, a rule, the requirement behind it and the setting that causes it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

fn json_in(dir: &Path, args: &[&str]) -> serde_json::Value {
    let (out, status) = common::stdout_in(dir, args);
    assert_eq!(status, 0, "{}: {out}", dir.display());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn policy_actions(policy: &serde_json::Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in policy["Statement"].as_array().unwrap() {
        match &s["Action"] {
            serde_json::Value::String(a) => {
                out.insert(a.clone());
            }
            v => out.extend(
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string()),
            ),
        }
    }
    out
}

#[test]
fn needs_name_exactly_what_the_policy_grants() {
    let dirs = common::fixtures_with_templates();
    assert!(dirs.len() > 20);
    for dir in dirs {
        let needs = json_in(&dir, &["needs", "--format", "json"]);
        assert_eq!(needs["version"], 1);
        let mut actions = BTreeSet::new();
        for d in needs["deployments"].as_array().unwrap() {
            for t in d["templates"].as_array().unwrap() {
                for n in t["needs"].as_array().unwrap() {
                    actions.insert(n["action"].as_str().unwrap().to_string());
                    assert!(
                        ["error", "warning", "note"].contains(&n["severity"].as_str().unwrap()),
                        "{n}"
                    );
                    assert!(n["rule"].as_str().unwrap().starts_with("ORB1"), "{n}");
                    assert!(!n["requirement"].as_str().unwrap().is_empty(), "{n}");
                    assert!(n["cause"]["span"]["start"]["line"].as_u64().unwrap() >= 1);
                }
            }
        }
        let policy = json_in(&dir, &["policy"]);
        assert_eq!(actions, policy_actions(&policy), "{}", dir.display());
    }
}

const CONFIG: &str = r#"{"provider": {"providers": [{"name": "aws-prod", "type": "aws",
  "config": {"region": "eu-west-1"}}]}}"#;

const TEMPLATES: &str = r#"{"templates": [{"template_id": "spot", "provider_api": "SpotFleet",
  "machine_image": "ami-0123456789abcdef0", "price_type": "spot",
  "metadata": {"fleet_role": "orb-spot-fleet-role"}, "machine_types": {"t3.large": 1}}]}"#;

#[test]
fn needs_say_how_each_template_resolved() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/config.json"), CONFIG).unwrap();
    std::fs::write(dir.path().join("config/aws_templates.json"), TEMPLATES).unwrap();
    let needs = json_in(dir.path(), &["needs", "--format", "json"]);
    let template = &needs["deployments"][0]["templates"][0];
    assert_eq!(template["handler"], "SpotFleet");
    assert_eq!(template["provider"], "aws-prod");
    let role = &template["settings"]["fleet_role"];
    assert_eq!(role["value"], "orb-spot-fleet-role");
    assert_eq!(role["set_at"]["file"], "config/aws_templates.json");
    assert_eq!(role["set_at"]["layer"], "template");
    assert_eq!(role["set_at"]["key"], "metadata.fleet_role");
    // ORB's packaged default is written nowhere.
    assert_eq!(template["settings"]["fleet_type"]["value"], "request");
    assert!(template["settings"]["fleet_type"]["set_at"].is_null());
    let get_role = template["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["action"] == "iam:GetRole")
        .expect("a custom fleet role is read with iam:GetRole");
    assert_eq!(
        get_role["resource"],
        "arn:aws:iam::*:role/orb-spot-fleet-role"
    );
    assert_eq!(
        get_role["cause"]["label"],
        "metadata.fleet_role = \"orb-spot-fleet-role\""
    );
    let (human, status) = common::stdout_in(dir.path(), &["needs"]);
    assert_eq!(status, 0);
    assert!(
        human.starts_with("deployment config/config.json\n  template spot (config/aws_templates.json:1) [aws-prod] SpotFleet "),
        "{human}"
    );
    assert!(human.contains("iam:GetRole"), "{human}");
    let (_, status) = common::stdout_in(dir.path(), &["needs", "--deployment", "nope.json"]);
    assert_eq!(status, 2);
}

/// `orb_version` selects a release's requirements: ORB 1.8.0 to 1.8.3 read the image only as
/// `image_id` and pass no instance profile (docs/conformance-releases.md), so a template written for
/// 1.8.5 needs the packaged SSM image's parameter and no iam:PassRole there, and ORB206 says why; 1.8.4
/// reads it as 1.8.5 does. A release orb-scan has no requirements for is refused.
#[test]
fn orb_version_selects_a_releases_requirements() {
    const CONFIG: &str = r#"{"provider": {"providers": [{"name": "aws-prod", "type": "aws",
      "config": {"region": "us-east-1"}}]}}"#;
    const TEMPLATES: &str = r#"{"templates": [{"template_id": "fleet", "provider_api": "EC2Fleet",
      "machine_image": "ami-0123456789abcdef0", "machine_role": "orb-workers",
      "machine_types": {"t3.micro": 1}}]}"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    common::write_tree(
        dir.path(),
        &[
            ("config/config.json", CONFIG),
            ("config/aws_templates.json", TEMPLATES),
        ],
    );
    let release = |version: &str| {
        std::fs::write(
            dir.path().join("orb-scan.toml"),
            format!("orb_version = \"{version}\"\n"),
        )
        .unwrap();
        let needs = json_in(dir.path(), &["needs", "--format", "json"]);
        assert_eq!(needs["orb_version"], version);
        let template = needs["deployments"][0]["templates"][0].clone();
        let actions: BTreeSet<String> = template["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["action"].as_str().unwrap().to_string())
            .collect();
        let scan = common::json(&common::orb_scan(dir.path(), &[".", "--format", "json"]).stdout);
        let dropped: Vec<String> = scan["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "ORB206")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect();
        (template, actions, dropped)
    };
    let (template, actions, dropped) = release("1.8.3");
    assert!(template["settings"]["machine_image"]["value"]
        .as_str()
        .unwrap()
        .starts_with("/aws/service/"));
    assert!(template["settings"]["machine_role"].is_null());
    assert!(actions.contains("ssm:GetParameter"), "{actions:?}");
    assert!(!actions.contains("iam:PassRole"), "{actions:?}");
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert!(dropped[0].starts_with("ORB 1.8.3 drops `machine_image` before provisioning: template `fleet` runs on `/aws/service/"), "{dropped:?}");
    assert!(
        dropped[1].starts_with("ORB 1.8.3 drops `machine_role` before provisioning"),
        "{dropped:?}"
    );
    for version in ["1.8.4", "1.8.5", "1.8"] {
        let (template, actions, dropped) = release(version);
        assert_eq!(
            template["settings"]["machine_image"]["value"],
            "ami-0123456789abcdef0"
        );
        assert_eq!(template["settings"]["machine_role"]["value"], "orb-workers");
        assert!(actions.contains("iam:PassRole"), "{version}: {actions:?}");
        assert!(
            !actions.contains("ssm:GetParameter"),
            "{version}: {actions:?}"
        );
        assert!(dropped.is_empty(), "{version}: {dropped:?}");
    }
    std::fs::write(
        dir.path().join("orb-scan.toml"),
        "orb_version = \"1.9.0\"\n",
    )
    .unwrap();
    let out = common::orb_scan(dir.path(), &["."]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("orb-scan has requirements for ORB 1.8.x only, not `1.9.0`"),
        "{}",
        out.stderr
    );
}
