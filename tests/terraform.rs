//! Terraform through the real binary: scenario repositories under `testdata/terraform/` with their
//! human-output snapshots (`UPDATE_SNAPSHOTS=1` rewrites them), exact spans in the `.tf` file, and
//! the equivalence of one ORB deployment written as policy JSON, as CloudFormation and as Terraform
//! in each of its policy forms.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn scenarios() -> PathBuf {
    common::repo().join("testdata/terraform")
}

fn json(dir: &Path, args: &[&str]) -> Value {
    common::json_in(dir, args)
}

fn diagnostics(report: &Value) -> &Vec<Value> {
    report["diagnostics"].as_array().unwrap()
}

#[test]
fn scenarios_match_their_snapshots() {
    common::scenarios_match_their_snapshots(&scenarios(), 3);
    let quiet = std::fs::read_to_string(scenarios().join("complete.stdout")).unwrap();
    // The Terraform role is the one candidate for ORB's principal, named by its file and address.
    assert!(
        quiet.starts_with("orb-scan: config/config.json: checked against infra/orb.tf#aws_iam_role.orb with all of its policies")
            && quiet.lines().last().unwrap().starts_with("orb-scan: no problems found"),
        "{quiet}"
    );
}

/// The CloudFormation yaml-role scenario written in Terraform: the same findings, with labels at
/// the exact HCL nodes, and PassRole checked against the role inside the instance profile.
#[test]
fn data_source_scenario_matches_cloudformation() {
    let tf = json(&scenarios().join("data-source"), &[".", "--format", "json"]);
    let cfn = json(
        &common::repo().join("testdata/cfn/yaml-role"),
        &[".", "--format", "json"],
    );
    assert_eq!(findings(&tf), findings(&cfn));
    let text = std::fs::read_to_string(scenarios().join("data-source/infra/iam.tf")).unwrap();
    let denied = diagnostics(&tf)
        .iter()
        .find(|d| d["code"] == "ORB109")
        .unwrap();
    let label = &denied["labels"][0];
    assert_eq!(label["file"], "infra/iam.tf");
    let (start, end) = (
        label["span"]["start"]["offset"].as_u64().unwrap() as usize,
        label["span"]["end"]["offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "\"ec2:DeleteLaunchTemplate\"");
    let inv = json(
        &scenarios().join("data-source"),
        &["inventory", ".", "--format", "json"],
    );
    let orb: Vec<&Value> = inv["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "principal" && d["orb"] == true)
        .collect();
    assert_eq!(orb.len(), 1);
    assert_eq!(orb[0]["resource"], "aws_iam_role.orb_controller");
    assert_eq!(orb[0]["arn"], "arn:*:iam::*:role/orb-controller");
    assert_eq!(orb[0]["managed_policies"][0]["source"], "aws");
    let fleet = inv["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "principal" && d["resource"] == "aws_iam_role.spot_fleet")
        .unwrap();
    assert_eq!(fleet["service_role"], true);
    assert_eq!(fleet["arn"], "arn:*:iam::*:role/orb/orb-spot-fleet");
}

/// Code, actions and message of every finding about the deployment (ORB1xx), in report order.
fn findings(report: &Value) -> Vec<(String, Value, String)> {
    diagnostics(report)
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("ORB1"))
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["actions"].clone(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// ORB's policy for an EC2Fleet and a SpotFleet template, with gaps: no `iam:PassRole` for the
/// instance profile, `ssm:GetParameters` where ORB calls `ssm:GetParameter`, a Deny on
/// `ec2:DeleteLaunchTemplate`, and a tagging grant only under a condition.
const STATEMENTS: &str = r#"[
  {"Sid": "Fleets", "Effect": "Allow", "Action": ["ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets", "ec2:RequestSpotFleet", "ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetInstances", "ec2:CancelSpotFleetRequests", "ec2:RunInstances", "ec2:DescribeInstances", "ec2:TerminateInstances", "ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate", "ec2:DescribeImages", "ssm:GetParameters", "iam:CreateServiceLinkedRole"], "Resource": "*"},
  {"Sid": "Tags", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"StringEquals": {"ec2:CreateAction": ["CreateFleet", "RunInstances"]}}},
  {"Sid": "NoDelete", "Effect": "Deny", "Action": "ec2:DeleteLaunchTemplate", "Resource": "*"},
  {"Sid": "FleetRole", "Effect": "Allow", "Action": ["iam:PassRole", "iam:GetRole"], "Resource": "arn:aws:iam::*:role/orb-spot-fleet"}
]"#;

/// The statements that make ORB's policy complete for the deployment: a quiet scan.
const COMPLETING: &str = r#"[
  {"Sid": "Images", "Effect": "Allow", "Action": ["ssm:GetParameter", "ec2:DeleteLaunchTemplate", "ec2:CreateTags"], "Resource": "*"},
  {"Sid": "PassWorker", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/orb-worker", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
]"#;

fn statements(complete: bool) -> Vec<Value> {
    let mut all: Vec<Value> = serde_json::from_str(STATEMENTS).unwrap();
    if complete {
        all.retain(|s| s["Sid"] != "NoDelete");
        all.extend(serde_json::from_str::<Vec<Value>>(COMPLETING).unwrap());
    }
    all
}

fn policy_json(complete: bool) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "Version": "2012-10-17",
        "Statement": statements(complete),
    }))
    .unwrap()
}

/// A statement as an `aws_iam_policy_document` `statement` block.
fn statement_block(s: &Value) -> String {
    let list = |v: &Value| match v {
        Value::Array(items) => serde_json::to_string(items).unwrap(),
        one => format!("[{one}]"),
    };
    let mut out = format!(
        "  statement {{\n    sid = {}\n    effect = {}\n    actions = {}\n    resources = {}\n",
        s["Sid"],
        s["Effect"],
        list(&s["Action"]),
        list(&s["Resource"])
    );
    if let Some(conditions) = s["Condition"].as_object() {
        for (test, keys) in conditions {
            for (variable, values) in keys.as_object().unwrap() {
                out.push_str(&format!(
                    "    condition {{\n      test = \"{test}\"\n      variable = \"{variable}\"\n      values = {}\n    }}\n",
                    list(values)
                ));
            }
        }
    }
    out.push_str("  }\n");
    out
}

/// The Terraform role, with its policy written as `form` (`policy` is the HCL of the value).
fn terraform(policy: &str, extra: &str) -> String {
    format!(
        r#"resource "aws_iam_role" "orb" {{
  name = "orb-controller"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_iam_policy" "orb" {{
  name   = "orb"
  policy = {policy}
}}

resource "aws_iam_role_policy_attachment" "orb" {{
  count      = 1
  role       = aws_iam_role.orb.name
  policy_arn = aws_iam_policy.orb[count.index].arn
}}

resource "aws_iam_role" "spot_fleet" {{
  name = "orb-spot-fleet"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "spotfleet.amazonaws.com" }}, Action = "sts:AssumeRole",
      Condition = {{ StringEquals = {{ "aws:SourceAccount" = "123456789012" }} }} }}]
  }})
}}

resource "aws_iam_role" "worker" {{
  name = "orb-worker"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }}, Action = "sts:AssumeRole" }}] }})
}}

resource "aws_iam_instance_profile" "worker" {{
  for_each = toset(["a"])
  name     = "orb-worker-profile"
  role     = aws_iam_role.worker.name
}}
{extra}"#
    )
}

/// The Spot Fleet role, and the workers' role in its instance profile, in CloudFormation; `orb`
/// adds resources (ORB's role).
fn cloudformation(orb: &str) -> String {
    format!(
        r#"{{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {{ {orb}
  "FleetRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "orb-spot-fleet",
    "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "spotfleet.amazonaws.com"}}, "Action": "sts:AssumeRole", "Condition": {{"StringEquals": {{"aws:SourceAccount": "123456789012"}}}}}}]}}}}}},
  "WorkerRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "orb-worker", "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}}}}}},
  "Profile": {{"Type": "AWS::IAM::InstanceProfile", "Properties": {{"InstanceProfileName": "orb-worker-profile", "Roles": [{{"Ref": "WorkerRole"}}]}}}}
}}}}"#
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// One deployment, its IAM written one way.
fn deployment(way: &str, complete: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = common::repo().join("testdata/cfn/yaml-role/config");
    for f in ["config.json", "aws_templates.json"] {
        std::fs::copy(config.join(f), dir.path().join(f)).unwrap();
    }
    let json = policy_json(complete);
    let d = dir.path();
    match way {
        "json" => {
            write(d, "iam/orb.json", &json);
            write(d, "cfn/roles.json", &cloudformation(""));
        }
        "cloudformation" => {
            let orb = format!(
                r#""OrbRole": {{"Type": "AWS::IAM::Role", "Properties": {{"RoleName": "orb-controller",
    "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Service": "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
    "Policies": [{{"PolicyName": "orb", "PolicyDocument": {json}}}]}}}},"#
            );
            write(d, "cfn/orb.json", &cloudformation(&orb));
        }
        // HCL object syntax accepts JSON's `"key": value`.
        "jsonencode" => write(
            d,
            "infra/iam.tf",
            &terraform(&format!("jsonencode({json})"), ""),
        ),
        "heredoc" => write(
            d,
            "infra/iam.tf",
            &terraform(&format!("<<-EOT\n{json}\n  EOT"), ""),
        ),
        "file" => {
            write(d, "infra/policies/orb.json", &json);
            let policy = "file(\"${path.module}/policies/orb.json\")";
            write(d, "infra/iam.tf", &terraform(policy, ""));
        }
        "data-source" => {
            let blocks: String = statements(complete).iter().map(statement_block).collect();
            let extra = format!("\ndata \"aws_iam_policy_document\" \"orb\" {{\n{blocks}}}\n");
            let policy = "data.aws_iam_policy_document.orb.json";
            write(d, "infra/iam.tf", &terraform(policy, &extra));
        }
        "tf-json" => write(d, "infra/iam.tf.json", &terraform_json(complete)),
        other => panic!("{other}"),
    }
    dir
}

/// The same Terraform in its JSON syntax, as CDK for Terraform writes it: blocks as objects,
/// references and `jsonencode` as `${...}` strings, the policy a data source's statements.
fn terraform_json(complete: bool) -> String {
    let statement = |s: &Value| {
        let list = |v: &Value| match v {
            Value::Array(_) => v.clone(),
            one => serde_json::json!([one]),
        };
        let mut out = serde_json::json!({
            "sid": s["Sid"],
            "effect": s["Effect"],
            "actions": list(&s["Action"]),
            "resources": list(&s["Resource"]),
        });
        if let Some(conditions) = s["Condition"].as_object() {
            let mut blocks = Vec::new();
            for (test, keys) in conditions {
                for (variable, values) in keys.as_object().unwrap() {
                    blocks.push(serde_json::json!({"test": test, "variable": variable, "values": list(values)}));
                }
            }
            out["condition"] = Value::Array(blocks);
        }
        out
    };
    let trust = |service: &str| {
        format!("${{jsonencode({{Version = \"2012-10-17\", Statement = [{{Effect = \"Allow\", Principal = {{Service = \"{service}\"}}, Action = \"sts:AssumeRole\"}}]}})}}")
    };
    let document = serde_json::json!({
        "//": {"metadata": {"path": "orb/iam", "uniqueId": "orb"}},
        "data": {"aws_iam_policy_document": {"orb": {
            "statement": statements(complete).iter().map(statement).collect::<Vec<_>>()
        }}},
        "resource": {
            "aws_iam_role": {
                "orb": {"name": "orb-controller", "assume_role_policy": trust("ec2.amazonaws.com")},
                "spot_fleet": {"name": "orb-spot-fleet", "assume_role_policy": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"spotfleet.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\", \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"123456789012\"}}}]}"},
                "worker": {"name": "orb-worker", "assume_role_policy": trust("ec2.amazonaws.com")}
            },
            "aws_iam_policy": {"orb": {"name": "orb", "policy": "${data.aws_iam_policy_document.orb.json}"}},
            "aws_iam_role_policy_attachment": {"orb": {
                "count": 1,
                "role": "${aws_iam_role.orb.name}",
                "policy_arn": "${aws_iam_policy.orb[count.index].arn}"
            }},
            "aws_iam_instance_profile": {"worker": {
                "for_each": "${toset([\"a\"])}",
                "name": "orb-worker-profile",
                "role": "${aws_iam_role.worker.name}"
            }}
        }
    });
    serde_json::to_string_pretty(&document).unwrap()
}

const WAYS: [&str; 7] = [
    "json",
    "cloudformation",
    "jsonencode",
    "heredoc",
    "file",
    "data-source",
    "tf-json",
];

/// An ORB deployment whose policy is in Terraform gets the same findings as one written in JSON or
/// CloudFormation, in every form Terraform writes a policy in, each pointing into its own file.
#[test]
fn one_deployment_three_ways_gives_the_same_findings() {
    let reference = {
        let dir = deployment("json", false);
        findings(&json(dir.path(), &[".", "--format", "json"]))
    };
    let codes: Vec<&str> = reference.iter().map(|(c, ..)| c.as_str()).collect();
    for code in ["ORB105", "ORB107", "ORB108", "ORB109"] {
        assert!(codes.contains(&code), "{code} in {reference:?}");
    }
    for way in WAYS {
        let dir = deployment(way, false);
        let report = json(dir.path(), &[".", "--format", "json"]);
        assert_eq!(findings(&report), reference, "{way}");
        // Labels point into the file that holds the policy, at the text they name.
        for d in diagnostics(&report) {
            for label in d["labels"].as_array().unwrap() {
                let file = label["file"].as_str().unwrap();
                let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
                let start = label["span"]["start"]["offset"].as_u64().unwrap() as usize;
                let end = label["span"]["end"]["offset"].as_u64().unwrap() as usize;
                assert!(
                    text.get(start..end).is_some_and(|t| !t.is_empty()),
                    "{way}: {label}"
                );
                match way {
                    "json" | "cloudformation" | "file" => {}
                    "tf-json" => assert_eq!(file, "infra/iam.tf.json", "{way}: {label}"),
                    _ => assert_eq!(file, "infra/iam.tf", "{way}: {label}"),
                }
            }
        }
    }
}

/// A complete policy is quiet, in every way of writing it.
#[test]
fn a_complete_terraform_policy_is_quiet() {
    for way in WAYS {
        let dir = deployment(way, true);
        let report = json(dir.path(), &[".", "--format", "json"]);
        let left: Vec<&Value> = diagnostics(&report).iter().collect();
        assert!(left.is_empty(), "{way}: {left:#?}");
    }
}

/// `--fix` adds what is missing to the Terraform policy in its own syntax (HCL for `jsonencode`,
/// JSON with `$${` for a heredoc, a `statement` block for a data source, JSON for a `file()`), by
/// splicing text: the file still reads, and the missing permissions are gone.
#[test]
fn fix_edits_each_terraform_form_in_place() {
    for way in ["jsonencode", "heredoc", "file", "data-source"] {
        let dir = deployment(way, false);
        let before = std::fs::read_to_string(dir.path().join("infra/iam.tf")).unwrap();
        let o = common::run_in(dir.path(), &[".", "--fix", "--format", "json"]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("fixed"), "{way}: {stderr}");
        let report = json(dir.path(), &[".", "--format", "json"]);
        let codes: Vec<&str> = diagnostics(&report)
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        for gone in ["ORB105", "ORB107", "ORB901"] {
            assert!(!codes.contains(&gone), "{way}: {codes:?}");
        }
        let after = std::fs::read_to_string(dir.path().join("infra/iam.tf")).unwrap();
        if way == "file" {
            assert_eq!(before, after, "the JSON file is edited, not the module");
        } else {
            // Everything before the first edit is untouched.
            let same = before
                .bytes()
                .zip(after.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            assert!(same > before.find("policy =").unwrap(), "{way}");
        }
        if way == "data-source" {
            assert!(
                after.contains("  statement {\n    sid       = \"PassInstanceRoles\""),
                "{after}"
            );
        }
    }
}

/// Labels of a finding whose text starts with `prefix`, as the text they point at.
fn labelled<'t>(d: &Value, prefix: &str, text: &'t str) -> Vec<&'t str> {
    d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["message"].as_str().unwrap().starts_with(prefix))
        .map(|l| {
            let start = l["span"]["start"]["offset"].as_u64().unwrap() as usize;
            let end = l["span"]["end"]["offset"].as_u64().unwrap() as usize;
            &text[start..end]
        })
        .collect()
}

/// A policy orb-scan cannot read (a module input, a module output, a template with directives,
/// statements a variable lists, an ARN only Terraform knows) may grant what the others lack: every
/// missing permission is a warning pointing at what was not read, never an error; the inventory
/// lists each one with its reason.
#[test]
fn unread_values_make_missing_permissions_doubtful() {
    let dir = scenarios().join("unread");
    let report = json(&dir, &[".", "--format", "json"]);
    let text = std::fs::read_to_string(dir.join("infra/orb.tf")).unwrap();
    let missing: Vec<&Value> = diagnostics(&report)
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("ORB1"))
        .collect();
    assert!(missing.len() >= 4, "{missing:#?}");
    for d in &missing {
        assert_eq!(d["severity"], "warning", "{d}");
        assert_eq!(
            labelled(d, "orb-scan could not read this", &text),
            [
                "var.base_policy",
                "statement.value.actions",
                "module.policies.orb_json"
            ],
            "{d}"
        );
    }
    let inv = json(&dir, &["inventory", ".", "--format", "json"]);
    let unread: Vec<(&str, &str)> = inv["deployments"][0]["unread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let start = u["span"]["start"]["offset"].as_u64().unwrap() as usize;
            let end = u["span"]["end"]["offset"].as_u64().unwrap() as usize;
            (&text[start..end], u["why"].as_str().unwrap())
        })
        .collect();
    assert_eq!(unread.len(), 5, "{unread:#?}");
    assert!(unread[3].0.starts_with("<<-EOT"), "{unread:?}");
    assert!(unread[3].1.contains("%{}"), "{unread:?}");
    assert_eq!(unread[4].0, "module.platform.boundary_arn");
}

/// The same deployment, its role also holding `policy = var.extra` (no default): the findings are
/// those of the deployment without it, at most warnings, each pointing at `var.extra`.
#[test]
fn an_unread_policy_turns_missing_permissions_into_warnings() {
    let reference = findings(&json(
        deployment("jsonencode", false).path(),
        &[".", "--format", "json"],
    ));
    let dir = deployment("jsonencode", false);
    let path = dir.path().join("infra/iam.tf");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "\nvariable \"extra\" {\n  type = string\n}\n\nresource \"aws_iam_role_policy\" \"extra\" {\n  role   = aws_iam_role.orb.id\n  policy = var.extra\n}\n",
    );
    std::fs::write(&path, &text).unwrap();
    let report = json(dir.path(), &[".", "--format", "json"]);
    let doubtful = findings(&report);
    let codes = |f: &[(String, Value, String)]| -> Vec<(String, Value)> {
        f.iter().map(|(c, a, _)| (c.clone(), a.clone())).collect()
    };
    assert_eq!(codes(&doubtful), codes(&reference));
    for d in diagnostics(&report) {
        let message = d["message"].as_str().unwrap();
        if message.contains("which the policies orb-scan read do not grant") {
            assert_eq!(d["severity"], "warning", "{d}");
            assert_eq!(
                labelled(d, "orb-scan could not read this", &text),
                ["var.extra"]
            );
        } else {
            // A Deny, or a grant under a condition, is what it was.
            assert!(!message.contains("does not grant"), "{d}");
        }
    }
    assert!(diagnostics(&report).iter().any(|d| d["message"]
        .as_str()
        .unwrap()
        .contains("orb-scan read do not grant")));
}

/// A reusable module's idioms (statements passed in as objects through `dynamic` blocks, each
/// field possibly null; optional statements behind `for_each` conditionals; `compact()` lists;
/// null defaults) are not errors: the scan is quiet. The same statement written with both
/// `actions` and `not_actions` literally still is one.
#[test]
fn module_library_idioms_are_quiet() {
    let dir = scenarios().join("library-idioms");
    let report = json(&dir, &[".", "--format", "json"]);
    assert!(diagnostics(&report).is_empty(), "{report:#}");

    let copy = tempfile::tempdir().unwrap();
    let module = "modules/service-role";
    for f in ["main.tf", "variables.tf"] {
        let text = std::fs::read_to_string(dir.join(module).join(f)).unwrap();
        let text = text.replace(
            "actions   = [\"sqs:SendMessage\"]",
            "actions   = [\"sqs:SendMessage\"]\n    not_actions = [\"sqs:DeleteQueue\"]",
        );
        write(copy.path(), &format!("{module}/{f}"), &text);
    }
    let report = json(copy.path(), &[".", "--format", "json"]);
    let messages: Vec<&str> = diagnostics(&report)
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["a statement has `Action` or `NotAction`, not both"]
    );
}

/// `--fix` does not splice HCL into Terraform's JSON syntax: the `.tf.json` file is left as it was,
/// and standard error says so.
#[test]
fn fix_leaves_terraform_json_alone() {
    let dir = deployment("tf-json", false);
    let path = dir.path().join("infra/iam.tf.json");
    let before = std::fs::read_to_string(&path).unwrap();
    let o = common::run_in(dir.path(), &[".", "--fix", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("infra/iam.tf.json: --fix cannot edit the policy")
            && stderr.contains("Terraform's JSON syntax"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

/// ORB's role in a local child module, its policy an input: the one `module` block that calls the
/// module passes it, and it is read where that block writes it (the findings of the policy written
/// in place, labelled in the caller's file). Called twice, the module is two instances whose inputs
/// may differ: the input is not read, and what is missing is doubtful.
#[test]
fn module_inputs_follow_the_one_call() {
    let reference = findings(&json(
        deployment("jsonencode", false).path(),
        &[".", "--format", "json"],
    ));
    let dir = deployment("json", false);
    let d = dir.path();
    std::fs::remove_file(d.join("iam/orb.json")).unwrap();
    std::fs::remove_file(d.join("cfn/roles.json")).unwrap();
    write(
        d,
        "modules/orb/main.tf",
        &terraform(
            "var.policy",
            "\nvariable \"policy\" {\n  type = string\n}\n",
        ),
    );
    let call = |name: &str| {
        format!(
            "module \"{name}\" {{\n  source = \"../modules/orb\"\n  policy = jsonencode({})\n}}\n",
            policy_json(false)
        )
    };
    write(d, "infra/main.tf", &call("orb"));
    let report = json(d, &[".", "--format", "json"]);
    assert_eq!(findings(&report), reference);
    let checked: Vec<&str> = diagnostics(&report)
        .iter()
        .flat_map(|d| d["labels"].as_array().unwrap())
        .filter(|l| {
            l["message"]
                .as_str()
                .unwrap()
                .starts_with("checked this policy")
        })
        .map(|l| l["file"].as_str().unwrap())
        .collect();
    assert!(!checked.is_empty() && checked.iter().all(|f| *f == "infra/main.tf"));

    write(
        d,
        "infra/main.tf",
        &format!("{}{}", call("orb"), call("orb_dr")),
    );
    let report = json(d, &[".", "--format", "json"]);
    let text = std::fs::read_to_string(d.join("modules/orb/main.tf")).unwrap();
    // The role's only policy is not read: no ORB policy is found, and ORB100 points at it.
    let codes: Vec<&str> = diagnostics(&report)
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ORB100"]);
    let d = &diagnostics(&report)[0];
    assert_eq!(
        labelled(d, "orb-scan could not read this", &text),
        ["var.policy"]
    );
    assert!(d["labels"][0]["message"]
        .as_str()
        .unwrap()
        .contains("set by several module calls"));
}

/// ORB as an IAM user: its own policy (a policy document merged from a source and an override
/// document), its group's policy (through `aws_iam_user_group_membership`, built on a deprecated
/// `source_json`) and a repository managed policy attached to it together grant everything, so the
/// scan is quiet and the user is the one candidate (the group is checked through its member). Each
/// link, taken away, leaves the actions it carried missing, labelled in the `.tf` file; the Spot
/// Fleet role's `managed_policy_arns` is the bundled AWS policy.
#[test]
fn a_user_with_its_group_and_attachments_is_one_principal() {
    let (_tmp, root) = common::fixture_copy("testdata/terraform/user-group");
    let d = root.as_path();
    let report = json(d, &[".", "--format", "json"]);
    assert!(diagnostics(&report).is_empty(), "{report}");
    let checked: Vec<&str> = report["deployments"][0]["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(checked, ["infra/orb.tf#aws_iam_user.orb"]);

    let inventory = json(d, &["inventory", "--format", "json"]);
    let spot_fleet = inventory["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "principal" && p["resource"] == "aws_iam_role.spot_fleet")
        .unwrap();
    assert_eq!(spot_fleet["managed_policies"][0]["source"], "aws");

    let path = d.join("infra/orb.tf");
    let text = std::fs::read_to_string(&path).unwrap();
    for (cut, from, missing, severity) in [
        // The override's extra action: the source document alone lacks it.
        ("      \"ec2:CreateTags\",\n", "", "ec2:CreateTags", "error"),
        // The membership: the group's launch-template actions are no longer the user's, and the
        // group without members is a candidate of its own (ORB may run as another of its
        // members): the user's lack is doubtful.
        (
            "  groups = [aws_iam_group.orb.name]\n",
            "  groups = []\n",
            "ec2:CreateLaunchTemplate",
            "warning",
        ),
        // The attachment: the managed policy's SSM lookup is no longer the user's.
        (
            "  user       = aws_iam_user.orb.name\n  policy_arn",
            "  user       = \"someone-else\"\n  policy_arn",
            "ssm:GetParameter",
            "error",
        ),
    ] {
        assert!(text.contains(cut), "{cut}");
        std::fs::write(&path, text.replace(cut, from)).unwrap();
        let report = json(d, &[".", "--format", "json"]);
        let hit = diagnostics(&report)
            .iter()
            .find(|d| {
                d["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == missing)
            })
            .unwrap_or_else(|| panic!("{missing} not reported: {report}"));
        assert_eq!(hit["severity"], severity, "{hit}");
        assert_eq!(hit["labels"][0]["file"], "infra/orb.tf", "{hit}");
        if severity == "warning" {
            let message = hit["message"].as_str().unwrap();
            assert!(message.ends_with("which infra/orb.tf#aws_iam_user.orb does not grant"));
        }
        std::fs::write(&path, &text).unwrap();
    }
}
