//! CloudFormation-style templates through the real binary: scenario repositories under
//! `testdata/cfn/` (an ORB role in a YAML template, a CDK template with a permissions boundary, a SAM
//! function, a lone service role, YAML that is not ours), their human-output snapshots
//! (`UPDATE_SNAPSHOTS=1` rewrites them), exact spans, the inventory, and real templates (a vendored sample, and the shared corpus when it is beside
//! the checkout) counted against cfn-lint's decoder.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenarios() -> PathBuf {
    repo().join("testdata/cfn")
}

/// Runs orb-scan inside `dir` on `.`, as a user scanning that folder would.
fn run(dir: &Path, args: &[&str]) -> Output {
    common::run_in(dir, args)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    common::json_in(dir, args)
}

fn scan(name: &str) -> Value {
    json(&scenarios().join(name), &[".", "--format", "json"])
}

fn inventory(dir: &Path) -> Value {
    json(dir, &["inventory", ".", "--format", "json"])
}

fn codes(report: &Value) -> Vec<&str> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

/// The policies the first deployment is checked against, by path.
fn checked_paths(inv: &Value) -> Vec<&str> {
    inv["deployments"][0]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect()
}

/// The yaml-role scenario's ORB role: its AWS managed policy and two inline policies.
const ORB_CONTROLLER_SET: [&str; 3] = [
    "Resources.OrbControllerRole.Properties.ManagedPolicyArns[0]",
    "Resources.OrbControllerRole.Properties.Policies[0].PolicyDocument",
    "Resources.OrbControllerRole.Properties.Policies[1].PolicyDocument",
];

fn documents<'a>(inv: &'a Value, kind: &str) -> Vec<&'a Value> {
    inv["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == kind)
        .collect()
}

#[test]
fn scenarios_match_their_snapshots() {
    common::scenarios_match_their_snapshots(&scenarios(), 5);
}

/// The ORB role lives in a YAML template: findings point at the exact YAML nodes (after non-ASCII
/// text), and the instance profile resolves to the role the template puts in it.
#[test]
fn yaml_role_is_checked_end_to_end_with_exact_spans() {
    let dir = scenarios().join("yaml-role");
    let report = scan("yaml-role");
    // No ORB106: the fleet role name resolves to the template's role under its `/orb/` path, which
    // the `!GetAtt SpotFleetRole.Arn` grant covers.
    // ORB401 (the policy rules work on YAML templates too): the Spot Fleet trust has no SourceAccount.
    assert_eq!(codes(&report), ["ORB401", "ORB109", "ORB107", "ORB111"]);
    let text = std::fs::read_to_string(dir.join("cfn/orb.yaml")).unwrap();
    let label = |code: &str| {
        let d = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap();
        d["labels"][0].clone()
    };
    let denied = label("ORB109");
    assert_eq!(denied["file"], "cfn/orb.yaml");
    assert_eq!(denied["span"]["start"]["line"], 50);
    assert_eq!(denied["span"]["start"]["column"], 38);
    let (start, end) = (
        denied["span"]["start"]["offset"].as_u64().unwrap() as usize,
        denied["span"]["end"]["offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "ec2:DeleteLaunchTemplate");
    let checked = label("ORB107");
    assert_eq!(checked["span"]["start"]["line"], 55);
    assert_eq!(checked["span"]["start"]["column"], 13);
    let pass_role = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ORB107")
        .unwrap();
    assert!(
        pass_role["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "resource: arn:aws:iam::*:role/orb-worker"),
        "PassRole is checked against the role inside the profile: {pass_role}"
    );
    assert_eq!(report["summary"]["documents"]["cfn_templates"], 1);
    // Three trust and two inline identity documents; AWS managed policies are not the repo's.
    assert_eq!(report["summary"]["documents"]["policies"], 5);
}

#[test]
fn inventory_lists_documents_templates_and_principals() {
    let inv = inventory(&scenarios().join("yaml-role"));
    let policies = documents(&inv, "policy");
    let first = policies
        .iter()
        .find(|p| p["path"] == "Resources.OrbControllerRole.Properties.Policies[0].PolicyDocument")
        .unwrap();
    assert_eq!(first["policy_type"], "identity");
    assert_eq!(first["file"], "cfn/orb.yaml");
    assert_eq!(first["resource"], "OrbControllerRole");
    assert_eq!(first["resource_type"], "AWS::IAM::Role");
    assert_eq!(first["span"]["start"]["line"], 27);
    let trust: Vec<&str> = policies
        .iter()
        .filter(|p| p["policy_type"] == "trust")
        .map(|p| p["resource"].as_str().unwrap())
        .collect();
    assert_eq!(trust, ["OrbControllerRole", "SpotFleetRole", "WorkerRole"]);

    let templates = documents(&inv, "cfn_template");
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0]["format"], "yaml");
    assert_eq!(templates[0]["resources"], 4);

    let principal = |id: &str| {
        documents(&inv, "principal")
            .into_iter()
            .find(|p| p["resource"] == id)
            .unwrap()
            .clone()
    };
    let orb = principal("OrbControllerRole");
    assert_eq!(orb["orb"], true);
    assert_eq!(orb["service_role"], false);
    assert_eq!(orb["arn"], "arn:*:iam::*:role/orb-controller");
    assert_eq!(orb["managed_policies"][0]["source"], "aws");
    assert_eq!(orb["policies"].as_array().unwrap().len(), 3);
    let fleet = principal("SpotFleetRole");
    assert_eq!(fleet["orb"], false);
    assert_eq!(fleet["service_role"], true);
    assert_eq!(fleet["trusted_services"][0], "spotfleet.amazonaws.com");
    let worker = principal("WorkerRole");
    assert_eq!(worker["orb"], false);
    assert_eq!(worker["instance_profiles"][0], "WorkerProfile");

    // The deployment is checked against the role's whole set, the AWS managed policy included.
    assert_eq!(checked_paths(&inv), ORB_CONTROLLER_SET);
}

#[test]
fn permissions_boundary_in_cdk_output_limits_grants() {
    let report = scan("cdk-boundary");
    // The instant fleet's CreateFleet is an error; its DeleteFleets only leaves the fleet record (warning).
    assert_eq!(codes(&report), ["ORB101", "ORB101"]);
    let d = &report["diagnostics"][0];
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("permissions boundary does not allow"));
    assert_eq!(d["labels"][0]["file"], "cdk.out/OrbStack.template.json");
    assert_eq!(d["actions"], serde_json::json!(["ec2:CreateFleet"]));
    let warning = &report["diagnostics"][1];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["actions"], serde_json::json!(["ec2:DeleteFleets"]));
    let inv = inventory(&scenarios().join("cdk-boundary"));
    let role = documents(&inv, "principal")[0].clone();
    assert_eq!(role["permissions_boundary"]["source"], "template");
    assert_eq!(role["orb"], true);
}

#[test]
fn a_service_role_is_never_orbs_principal() {
    // The Spot Fleet role allows an ORB-specific action, but only the trust rules judge it.
    let report = scan("service-role-only");
    assert_eq!(codes(&report), ["ORB401", "ORB100"]);
}

#[test]
fn sam_function_policies_and_managed_names() {
    let inv = inventory(&scenarios().join("sam"));
    let function = documents(&inv, "principal")[0].clone();
    assert_eq!(function["resource_type"], "AWS::Serverless::Function");
    assert_eq!(function["orb"], true);
    assert_eq!(
        function["managed_policies"][0]["arn"],
        "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
    );
    assert_eq!(documents(&inv, "cfn_template")[0]["sam"], true);
    assert_eq!(codes(&scan("sam")), ["ORB105"]);
}

/// Workflows and manifests are YAML too: never a parse error for them, only for templates.
#[test]
fn only_templates_get_yaml_parse_errors() {
    let report = scan("yaml-noise");
    let found: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("ORB901", "cfn/broken.yaml"),
            ("ORB901", "cfn/duplicate.yaml")
        ]
    );
}

/// A minimal template (no version, no `Statement`) still passes the walk's prefilter, from a file
/// and from standard input.
#[test]
fn minimal_yaml_template_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonEC2FullAccess]\n";
    std::fs::write(dir.path().join("stack.template"), text).unwrap();
    let inv = inventory(dir.path());
    assert_eq!(documents(&inv, "cfn_template").len(), 1);
    assert_eq!(
        documents(&inv, "principal")[0]["managed_policies"][0]["source"],
        "aws"
    );

    let out = common::run_with_stdin(
        &["-", "--stdin-filename", "stack.yml", "--format", "json"],
        text,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["documents"]["cfn_templates"], 1);
}

/// What cfn-lint 1.58's decoder (`cfnlint.decode.decode`) counts in a folder of real templates:
/// the `AssumeRolePolicyDocument`, `Policies[*].PolicyDocument` and `PolicyDocument` of IAM roles,
/// policies, managed policies, users and groups.
struct CfnLintCounts {
    identity: usize,
    trust: usize,
    /// Identity documents behind `Fn::If` in a `Policies` list, which a count over the decoded
    /// tree does not see and orb-scan reads.
    identity_behind_if: usize,
    files: usize,
    /// Every file, and those with a CloudFormation template.
    walked: usize,
    templates: usize,
}

/// orb-scan reads the policy documents of `dir`'s templates as cfn-lint counts them, gives no
/// template ORB901, and crashes on none.
fn matches_cfn_lint(dir: &Path, expected: CfnLintCounts) {
    let inv = inventory(dir);
    let iam_types = [
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::User",
        "AWS::IAM::Group",
    ];
    let iam: Vec<&Value> = documents(&inv, "policy")
        .into_iter()
        .filter(|d| iam_types.iter().any(|t| d["resource_type"] == *t))
        .collect();
    let count = |kind: &str, conditional: bool| {
        iam.iter()
            .filter(|d| d["policy_type"] == kind)
            .filter(|d| d["path"].as_str().unwrap().contains("Fn::If") == conditional)
            .count()
    };
    assert_eq!(count("identity", false), expected.identity);
    assert_eq!(count("trust", false), expected.trust);
    assert_eq!(count("identity", true), expected.identity_behind_if);
    assert_eq!(count("trust", true), 0);
    let mut files: Vec<&str> = iam.iter().map(|d| d["file"].as_str().unwrap()).collect();
    files.sort();
    files.dedup();
    assert_eq!(files.len(), expected.files);

    let o = run(dir, &[".", "--format", "json"]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        !codes(&report).contains(&"ORB901"),
        "{}",
        report["diagnostics"]
    );
    assert_eq!(report["summary"]["files_scanned"], expected.walked);
    assert_eq!(
        report["summary"]["documents"]["cfn_templates"],
        expected.templates
    );
}

/// The real templates vendored under `testdata/corpus/cfn-templates` (a sample of the shared
/// corpus, chosen for roles, managed policies, a permissions boundary, SAM and `Fn::If`).
#[test]
fn sample_templates_match_cfn_lint_counts() {
    matches_cfn_lint(
        &repo().join("testdata/corpus/cfn-templates"),
        CfnLintCounts {
            identity: 10,
            trust: 9,
            identity_behind_if: 4,
            files: 6,
            walked: 9,
            templates: 9,
        },
    );
}

/// The shared corpus of real templates (311 files): 128 identity and 165 trust documents in 109
/// files, and 14 identity documents behind `Fn::If`.
#[test]
fn corpus_matches_cfn_lint_counts() {
    let Some(corpus) = common::shared("corpus/cfn-templates") else {
        return;
    };
    matches_cfn_lint(
        &corpus,
        CfnLintCounts {
            identity: 128,
            trust: 165,
            identity_behind_if: 14,
            files: 109,
            walked: 311,
            templates: 296,
        },
    );
}

/// Hostile YAML templates under a memory cap and a time limit: alias bombs, anchor copies, nesting
/// far past the limit, huge mappings. Each template gets an ORB901 or parses; nothing hangs.
#[test]
fn hostile_yaml_is_scanned_safely() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    let head = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n";
    let mut bomb = format!("{head}  R:\n    Type: AWS::IAM::Role\n    Metadata:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let p = i - 1;
        bomb.push_str(&format!("      a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    write("bomb.yaml", bomb);
    write(
        "deep-flow.yaml",
        format!("{head}  R: {}", "[".repeat(1_000_000)),
    );
    let deep_block: String = (0..1500)
        .map(|i| format!("{}k:\n", " ".repeat(i + 2)))
        .collect();
    write("deep-block.yaml", format!("{head}{deep_block}"));
    let many: String = (0..100_000)
        .map(|i| format!("  K{i}: {{Type: AWS::SQS::Queue}}\n"))
        .collect();
    write("many-keys.yaml", format!("{head}{many}"));
    write(
        "not-a-template.yml",
        format!("on: push\njobs: {}", "[".repeat(100_000)),
    );
    let script = "ulimit -v 2097152; exec \"$0\" \"$@\"";
    let start = std::time::Instant::now();
    let out = Command::new("bash")
        .args([
            "-c",
            script,
            env!("CARGO_BIN_EXE_orb-scan"),
            ".",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        elapsed < std::time::Duration::from_secs(30),
        "took {elapsed:?}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = |file: &str| {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["file"] == file && d["code"] == "ORB901")
            .map(|d| d["message"].as_str().unwrap().to_string())
    };
    assert!(message("bomb.yaml").unwrap().contains("alias"));
    let deep = message("deep-flow.yaml").unwrap();
    assert!(
        deep.contains("recursion") || deep.contains("nesting"),
        "{deep}"
    );
    assert!(message("deep-block.yaml").unwrap().contains("nesting"));
    assert!(message("many-keys.yaml").is_none());
    assert!(message("not-a-template.yml").is_none());
    assert_eq!(report["summary"]["documents"]["cfn_templates"], 1);
}

/// `--fix` edits only text that mirrors the tree it reads: YAML templates and JSON template policies
/// with intrinsics are left to a person, AWS managed policies are never edited, and a grant the
/// permissions boundary blocks is the boundary's to change.
#[test]
fn fix_leaves_templates_it_cannot_edit_alone() {
    let diff = |name: &str| {
        let o = run(
            &scenarios().join(name),
            &[".", "--diff", "--color", "never"],
        );
        (
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (out, err) = diff("yaml-role");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("cfn/orb.yaml: --fix cannot edit the policy (Resources.OrbControllerRole.Properties.Policies[1].PolicyDocument): it is written with CloudFormation intrinsic functions"),
        "{err}"
    );
    let (out, err) = diff("cdk-boundary");
    assert!(out.is_empty() && err.is_empty(), "{out}{err}");

    let dir = tempfile::tempdir().unwrap();
    let src = scenarios().join("cdk-boundary/config");
    std::fs::create_dir(dir.path().join("config")).unwrap();
    for f in ["config.json", "aws_templates.json"] {
        std::fs::copy(src.join(f), dir.path().join("config").join(f)).unwrap();
    }
    let template = r#"{"Resources": {"OrbPolicy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
  "PolicyDocument": {"Statement": [
    {"Effect": "Allow", "Action": {"Fn::If": ["C", "ec2:CreateFleet", "ec2:DescribeFleets"]}, "Resource": "*"}
  ]}}}}}"#;
    std::fs::write(dir.path().join("stack.json"), template).unwrap();
    let o = run(dir.path(), &[".", "--fix"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "stack.json: --fix cannot edit the policy (Resources.OrbPolicy.Properties.PolicyDocument): it is written with CloudFormation intrinsic functions"
        ),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("stack.json")).unwrap(),
        template
    );
}

/// `orb-scan.toml` naming a template role (`file#LogicalId`) checks the deployment against that
/// principal's whole set, AWS managed policies included.
#[test]
fn declared_template_role_brings_its_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let src = scenarios().join("yaml-role");
    for sub in ["config", "cfn"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap().flatten() {
            std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("orb-scan.toml"),
        "[[deployment]]\nconfig = \"config/config.json\"\npolicies = [\"cfn/orb.yaml#OrbControllerRole\"]\n",
    )
    .unwrap();
    let inv = inventory(dir.path());
    assert_eq!(checked_paths(&inv), ORB_CONTROLLER_SET);
}

/// ORB's role holds a customer managed policy of another stack, a policy whose document another
/// stack exports, and a statement whose actions are a parameter: what its readable policy lacks
/// may be granted there, so each missing permission is a warning with a label at each of them, and
/// the inventory says why each was not read.
#[test]
fn unread_policies_make_missing_permissions_doubtful() {
    let dir = scenarios().join("unread-policy");
    let report = scan("unread-policy");
    let text = std::fs::read_to_string(dir.join("cfn/orb.yaml")).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(codes(&report), ["ORB105", "ORB107", "ORB111", "ORB106"]);
    for d in diagnostics {
        assert_eq!(d["severity"], "warning", "{d}");
        let unread: Vec<&str> = d["labels"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| {
                l["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("orb-scan could not read")
            })
            .map(|l| {
                let start = l["span"]["start"]["offset"].as_u64().unwrap() as usize;
                let end = l["span"]["end"]["offset"].as_u64().unwrap() as usize;
                &text[start..end]
            })
            .collect();
        assert_eq!(
            unread,
            [
                "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/orb-shared",
                "!Ref ExtraActions",
                "!ImportValue orb-pass-roles-document",
            ]
        );
    }
    let inv = inventory(&dir);
    let whys: Vec<&str> = inv["deployments"][0]["unread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["why"].as_str().unwrap())
        .collect();
    assert_eq!(
        whys,
        [
            "`arn:*:iam::*:policy/orb-shared` is a managed policy defined outside the scanned files",
            "which actions the statement names is known only when deployed",
            "the policy is computed by `Fn::ImportValue` when the stack is deployed",
        ]
    );
    let orb = documents(&inv, "principal")
        .into_iter()
        .find(|p| p["resource"] == "OrbControllerRole")
        .unwrap()
        .clone();
    assert_eq!(orb["managed_policies"][0]["source"], "external");
    assert_eq!(orb["managed_policies"][0]["unread"], whys[0]);
}
