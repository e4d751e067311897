//! Which policies a deployment is checked against (DESIGN.md §3, revised; docs/principal.md),
//! through the real binary, on the scenario repositories under `testdata/principal/`: a CI
//! deployer's broad policy beside ORB's own, a single broad policy, ORB's policy split across one
//! folder, two candidates that both name ORB's actions, the same pinned in orb-scan.toml, and
//! three environments, two with a policy of their own.
//! Each runs in a copy with its own `.git`, as in a user's repository; its human output is a
//! snapshot (`UPDATE_SNAPSHOTS=1` rewrites them), and every format says what was checked.

mod common;

use common::{fixture_copy, json, orb_scan};
use serde_json::Value;
use std::path::Path;

fn scenario(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    fixture_copy(&format!("testdata/principal/{name}"))
}

fn report(dir: &Path) -> Value {
    let out = orb_scan(dir, &[".", "--format", "json"]);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    json(&out.stdout)
}

/// (code, file of its first label) of every diagnostic.
fn findings(report: &Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["labels"][0]["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

/// The one deployment's scope: (choice, checked, passed over).
fn scope(report: &Value) -> (&str, Vec<&str>, Vec<&str>) {
    let deployments = report["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    let d = &deployments[0];
    assert_eq!(d["deployment"], "config/config.json");
    (
        d["choice"].as_str().unwrap(),
        names(&d["checked"]),
        names(&d["passed_over"]),
    )
}

#[test]
fn scenarios_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let folder = common::repo().join("testdata/principal");
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let (_tmp, dir) = scenario(&name);
        let out = orb_scan(&dir, &[".", "--color", "never"]);
        let snapshot = folder.join(format!("{name}.stdout"));
        if update {
            std::fs::write(&snapshot, &out.stdout).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(out.stdout.as_str()) {
            failures.push(format!(
                "{name}: output differs from {} (UPDATE_SNAPSHOTS=1 to accept):\n{}",
                snapshot.display(),
                out.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 24: ORB's own policy lacks `ec2:CreateTags`; a CI deployer's `ec2:*` beside it must not
/// hide that. ORB's policy names ORB's actions and outranks the deployer's wildcards.
#[test]
fn a_broad_policy_beside_orbs_own_hides_nothing() {
    let (_tmp, dir) = scenario("broad-beside-named");
    let v = report(&dir);
    assert!(
        findings(&v).contains(&("ORB104".into(), "iam/orb-runtime.json".into())),
        "{v}"
    );
    assert_eq!(
        scope(&v),
        (
            "outranked",
            vec!["iam/orb-runtime.json"],
            vec!["ci/deployer.json"]
        )
    );
    named_outranks_wildcard_and_pins_as_checked(&dir, &v, "iam/orb-runtime.json");
}

/// The one checked candidate names ORB's actions and the one passed over reaches them only through
/// wildcards; the suggested table pins exactly what was checked: the same findings, now pinned.
fn named_outranks_wildcard_and_pins_as_checked(dir: &Path, v: &Value, checked: &str) {
    let deployment = &v["deployments"][0];
    assert_eq!(deployment["checked"][0]["reach"], "named");
    assert_eq!(deployment["passed_over"][0]["reach"], "wildcard");
    assert_eq!(
        deployment["pin"],
        format!("[[deployment]]\nconfig = \"config/config.json\"\npolicies = [\"{checked}\"]")
    );
    std::fs::write(
        dir.join("orb-scan.toml"),
        deployment["pin"].as_str().unwrap(),
    )
    .unwrap();
    let pinned = report(dir);
    assert_eq!(findings(&pinned), findings(v));
    assert_eq!(scope(&pinned), ("pinned", vec![checked], vec![]));
}

/// A user whose only policy is broad is checked against it.
#[test]
fn a_single_broad_policy_is_still_checked() {
    let (_tmp, dir) = scenario("single-broad");
    let v = report(&dir);
    assert_eq!(scope(&v), ("only", vec!["iam/orb.json"], vec![]));
    assert!(findings(&v).contains(&("ORB101".into(), "iam/orb.json".into())));
}

/// ORB's policy split on purpose into a base and a Spot Fleet add-on in one folder is one
/// principal: no false error for what the add-on grants. The deployer elsewhere is passed over.
#[test]
fn a_folder_of_orb_policies_is_one_principal() {
    let (_tmp, dir) = scenario("split-in-folder");
    let v = report(&dir);
    assert_eq!(v["summary"]["errors"], 0, "{v}");
    assert_eq!(
        common::codes(&v),
        ["ORB304"],
        "only the deployer's PassRole lint"
    );
    assert_eq!(
        scope(&v),
        (
            "outranked",
            vec!["iam/orb-base.json + iam/orb-spotfleet.json"],
            vec!["ci/deployer.json"]
        )
    );
    let checked = &v["deployments"][0]["checked"][0];
    assert_eq!(checked["basis"], "folder");
    assert_eq!(checked["policies"].as_array().unwrap().len(), 2);
}

/// Two candidates that both name ORB's actions are never merged: each is checked on its own, and
/// what one lacks is reported against it, by name, as a warning: it holds only if ORB runs under
/// that one.
#[test]
fn ambiguous_candidates_are_each_checked_on_their_own() {
    let (_tmp, dir) = scenario("ambiguous");
    let v = report(&dir);
    assert_eq!(
        scope(&v),
        (
            "ambiguous",
            vec!["cfn/orb.yaml#OrbRole", "iam/orb.json"],
            vec!["cfn/orb.yaml#DeployerRole"]
        )
    );
    let missing: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ORB104")
        .collect();
    assert_eq!(missing.len(), 1, "only iam/orb.json lacks ec2:CreateTags");
    assert!(missing[0]["message"]
        .as_str()
        .unwrap()
        .contains("which iam/orb.json does not grant"));
    assert_eq!(missing[0]["labels"][0]["file"], "iam/orb.json");
    assert_eq!(
        missing[0]["severity"], "warning",
        "doubtful: the role grants it"
    );
    assert!(missing[0]["notes"][0].as_str().unwrap().starts_with(
        "ORB's principal is ambiguous, and this does not hold for cfn/orb.yaml#OrbRole"
    ));
    // What both lack is one finding, at its own severity, against both.
    let policy = dir.join("iam/orb.json");
    let text = std::fs::read_to_string(&policy).unwrap();
    let without = text.replace("\"ec2:DeleteLaunchTemplate\",", "");
    assert_ne!(without, text);
    std::fs::write(&policy, without).unwrap();
    let role = dir.join("cfn/orb.yaml");
    let text = std::fs::read_to_string(&role).unwrap();
    let without = text.replace("                  - ec2:DeleteLaunchTemplate\n", "");
    assert_ne!(without, text);
    std::fs::write(&role, without).unwrap();
    let both = report(&dir);
    let cleanup: Vec<&Value> = both["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ORB103")
        .collect();
    assert_eq!(cleanup.len(), 1, "{both}");
    assert!(cleanup[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("which cfn/orb.yaml#OrbRole and iam/orb.json do not grant"));
    assert_eq!(cleanup[0]["labels"].as_array().unwrap().len(), 2);
    // --fix does not choose which candidate to widen.
    let fixed = orb_scan(&dir, &[".", "--diff"]);
    assert_eq!((fixed.code, fixed.stdout.as_str()), (Some(0), ""));
    assert!(
        fixed.stderr.contains("ORB's principal is ambiguous"),
        "{}",
        fixed.stderr
    );
}

/// Pinned in orb-scan.toml, only the named role is checked: it is complete.
#[test]
fn a_pinned_principal_is_the_only_one_checked() {
    let (_tmp, dir) = scenario("pinned");
    let v = report(&dir);
    assert_eq!(scope(&v), ("pinned", vec!["cfn/orb.yaml#OrbRole"], vec![]));
    assert_eq!(v["summary"]["errors"], 0, "{v}");
    assert!(v["deployments"][0]["pin"].is_null());
}

/// Every format says what was checked: a line in human, concise and github output (never a
/// workflow command), the same data in JSON and SARIF.
#[test]
fn every_format_says_what_was_checked() {
    let (_tmp, dir) = scenario("broad-beside-named");
    let line = "orb-scan: config/config.json: checked against iam/orb-runtime.json, which names ORB's actions; passed over ci/deployer.json";
    for format in ["human", "concise", "github"] {
        let out = orb_scan(&dir, &[".", "--format", format, "--color", "never"]);
        assert!(
            out.stdout.lines().any(|l| l.starts_with(line)),
            "{format}:\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("[[deployment]]"),
            "{format} says how to pin:\n{}",
            out.stdout
        );
    }
    let github = orb_scan(&dir, &[".", "--format", "github"]).stdout;
    assert!(github
        .lines()
        .all(|l| l.starts_with("::") || l.starts_with("orb-scan: ")));
    let json_scopes = report(&dir)["deployments"].clone();
    let sarif = json(&orb_scan(&dir, &[".", "--format", "sarif"]).stdout);
    assert_eq!(sarif["runs"][0]["properties"]["deployments"], json_scopes);
}

/// Each environment's deployment is checked against the policy beside it, not its neighbour's; one
/// with no policy of its own is never checked against theirs (they lie nearer to them), only
/// against what lies as near to it as to anyone (here the CI deployer's broad policy).
#[test]
fn each_environment_is_checked_against_its_own_policy() {
    let (_tmp, dir) = scenario("environments");
    let v = report(&dir);
    let scopes: Vec<(&str, &str, Vec<&str>)> = v["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["deployment"].as_str().unwrap(),
                d["choice"].as_str().unwrap(),
                names(&d["checked"]),
            )
        })
        .collect();
    assert_eq!(
        scopes,
        [
            (
                "envs/dev/config/config.json",
                "outranked",
                vec!["ci/deployer.json"]
            ),
            (
                "envs/prod/config/config.json",
                "outranked",
                vec!["envs/prod/iam/orb.json"]
            ),
            (
                "envs/staging/config/config.json",
                "outranked",
                vec!["envs/staging/iam/orb.json"]
            ),
        ]
    );
    let dev = &v["deployments"][0]["passed_over"];
    assert_eq!(dev[0]["nearer_to"], "envs/prod/config/config.json");
    // Only prod's policy lacks ec2:CreateTags: one error, at prod's template.
    let errors: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["envs/prod/config/aws_templates.json"]);
    // Without the deployer, dev has no policy of its own: ORB100, naming its neighbours' policies.
    std::fs::remove_file(dir.join("ci/deployer.json")).unwrap();
    let v = report(&dir);
    let orb100: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "ORB100")
        .collect();
    assert_eq!(orb100.len(), 1, "{v}");
    assert_eq!(orb100[0]["file"], "envs/dev/config/config.json");
    assert_eq!(
        orb100[0]["notes"][0],
        "not taken as this deployment's, as each lies nearer to another: envs/prod/iam/orb.json (nearer to envs/prod/config/config.json), envs/staging/iam/orb.json (nearer to envs/staging/config/config.json)"
    );
}

/// A policy that only denies ORB's actions grants ORB nothing: alone it is no principal (ORB100,
/// not one error per action); beside ORB's policy in its folder, its Deny applies (ORB109).
#[test]
fn a_guardrail_is_never_a_principal_on_its_own() {
    let (_tmp, dir) = scenario("broad-beside-named");
    std::fs::remove_file(dir.join("iam/orb-runtime.json")).unwrap();
    std::fs::remove_file(dir.join("ci/deployer.json")).unwrap();
    let guardrail = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "Action": "ec2:CreateFleet", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}"#;
    std::fs::write(dir.join("iam/guardrail.json"), guardrail).unwrap();
    let alone = report(&dir);
    assert_eq!(common::codes(&alone), ["ORB100"], "{alone}");
    assert_eq!(alone["deployments"][0]["choice"], "none");
    assert_eq!(
        names(&alone["deployments"][0]["passed_over"]),
        ["iam/guardrail.json"]
    );

    let deny_all = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "Action": "ec2:CreateFleet", "Resource": "*"}]}"#;
    let (_tmp2, named) = scenario("broad-beside-named");
    std::fs::write(named.join("iam/guardrail.json"), deny_all).unwrap();
    let beside = report(&named);
    assert!(
        common::codes(&beside).contains(&"ORB109".to_string()),
        "{beside}"
    );
    assert_eq!(
        scope(&beside).1,
        ["iam/guardrail.json + iam/orb-runtime.json"]
    );
}

/// A template file with no config beside it is a deployment of its own, pinned by its path.
#[test]
fn a_template_file_alone_is_pinned_by_its_path() {
    let (_tmp, dir) = scenario("broad-beside-named");
    std::fs::remove_file(dir.join("config/config.json")).unwrap();
    std::fs::write(
        dir.join("orb-scan.toml"),
        "[[deployment]]\nconfig = \"config/aws_templates.json\"\npolicies = [\"ci/deployer.json\"]\n",
    )
    .unwrap();
    let v = report(&dir);
    let d = &v["deployments"][0];
    assert_eq!(d["deployment"], "config/aws_templates.json");
    assert_eq!(d["choice"], "pinned");
    assert_eq!(names(&d["checked"]), ["ci/deployer.json"]);
    // The deployer's ec2:* grants what ORB's own policy lacked.
    assert!(!common::codes(&v).contains(&"ORB104".to_string()), "{v}");
}

/// Issue 24's repository written in Terraform (issue 23): ORB's role in `infra/orb.tf` lacks
/// `ec2:CreateTags`, a CI deployer's role in `ci/deployer.tf` holds `ec2:*` from a policy document.
/// Each role is a candidate as a CloudFormation role is, named by its file and address; ORB's
/// outranks the deployer's, the suggested pin names it and pins the same findings, `--fix` adds
/// the action to its `jsonencode` policy, and a JSON policy naming ORB's actions beside it makes
/// the choice ambiguous: each is checked on its own.
#[test]
fn a_terraform_role_is_a_candidate_as_a_cloudformation_role_is() {
    let (_tmp, dir) = scenario("terraform");
    let v = report(&dir);
    assert!(
        findings(&v).contains(&("ORB104".into(), "infra/orb.tf".into())),
        "{v}"
    );
    assert_eq!(
        scope(&v),
        (
            "outranked",
            vec!["infra/orb.tf#aws_iam_role.orb"],
            vec!["ci/deployer.tf#aws_iam_role.deployer"]
        )
    );
    named_outranks_wildcard_and_pins_as_checked(&dir, &v, "infra/orb.tf#aws_iam_role.orb");
    std::fs::remove_file(dir.join("orb-scan.toml")).unwrap();

    // A JSON policy naming ORB's actions beside the role: two candidates of the same reach.
    std::fs::create_dir_all(dir.join("iam")).unwrap();
    std::fs::write(
        dir.join("iam/orb.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ec2:CreateFleet", "ec2:CreateTags"], "Resource": "*"}]}"#,
    )
    .unwrap();
    let ambiguous = report(&dir);
    let (choice, checked, _) = scope(&ambiguous);
    assert_eq!(
        (choice, checked),
        (
            "ambiguous",
            vec!["iam/orb.json", "infra/orb.tf#aws_iam_role.orb"]
        )
    );
    std::fs::remove_file(dir.join("iam/orb.json")).unwrap();

    // --fix widens the Terraform role's policy in place; the scan is then clean of ORB104.
    let fixed = orb_scan(&dir, &[".", "--fix"]);
    assert!(
        fixed.stderr.contains("fixed infra/orb.tf"),
        "{}",
        fixed.stderr
    );
    let text = std::fs::read_to_string(dir.join("infra/orb.tf")).unwrap();
    assert!(text.contains("\"ec2:CreateTags\""), "{text}");
    let after = report(&dir);
    assert!(
        !findings(&after).iter().any(|(code, _)| code == "ORB104"),
        "{after}"
    );
}
