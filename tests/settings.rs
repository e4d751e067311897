//! orb-scan.toml, suppressions, standard input and colour, through the binary.

mod common;

use common::{codes, command, fixture_copy, json, orb_scan, run, write_tree};

const ORB105: &str = "testdata/rules/ORB105/trigger";

fn report(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec![".", "--format", "json"];
    all.extend_from_slice(args);
    let out = orb_scan(dir, &all);
    assert!(matches!(out.code, Some(0 | 1)), "{}", out.stderr);
    json(&out.stdout)
}

#[test]
fn settings_are_found_above_the_scan_root_and_steer_the_scan() {
    let (_tmp, root) = fixture_copy(ORB105);
    assert_eq!(codes(&report(&root, &[])), ["ORB105"]);
    write_tree(
        &root,
        &[("orb-scan.toml", "ignore = [\"ORB105\", \"ORB100\"]\n")],
    );
    assert!(codes(&report(&root, &[])).is_empty());
    // From a subfolder, the file above still applies; `--isolated` skips it.
    let config = root.join("config");
    let out = orb_scan(&config, &["--format", "concise", "."]);
    assert_eq!((out.code, out.stdout.as_str()), (Some(0), ""));
    assert!(orb_scan(&config, &["--isolated", "."])
        .stdout
        .contains("ORB100"));
    // `[severity]` changes the level, and so the exit status.
    write_tree(
        &root,
        &[("orb-scan.toml", "[severity]\nORB105 = \"note\"\n")],
    );
    let v = report(&root, &[]);
    assert_eq!(v["diagnostics"][0]["severity"], "note");
    assert_eq!(orb_scan(&root, &["."]).code, Some(0));
    // CLI --select replaces the file's select; --ignore adds to its ignore.
    write_tree(&root, &[("orb-scan.toml", "select = [\"ORB2\"]\n")]);
    assert!(codes(&report(&root, &[])).is_empty());
    assert_eq!(codes(&report(&root, &["--select", "ORB1"])), ["ORB105"]);
    // --config names another file.
    write_tree(&root, &[("ci/strict.toml", "ignore = [\"ORB1\"]\n")]);
    let v = report(&root, &["--select", "ORB1", "--config", "ci/strict.toml"]);
    assert!(codes(&v).is_empty());
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(tmp.path(), &[("orb-scan.toml", "ignore = [\"ALL\"]\n")]);
    let (_inner, root) = fixture_copy(ORB105);
    let nested = tmp.path().join("outer");
    std::fs::rename(&root, &nested).unwrap();
    assert_eq!(
        codes(&report(&nested, &[])),
        ["ORB105"],
        "the .git folder bounds the search"
    );
}

#[test]
fn exclude_prunes_files_and_folders() {
    let (_tmp, root) = fixture_copy(ORB105);
    write_tree(&root, &[("orb-scan.toml", "exclude = [\"iam/\"]\n")]);
    assert_eq!(
        codes(&report(&root, &[])),
        ["ORB100"],
        "the policy is not scanned"
    );
    write_tree(
        &root,
        &[("orb-scan.toml", "exclude = [\"*_templates.json\"]\n")],
    );
    assert!(codes(&report(&root, &[])).iter().all(|c| c != "ORB105"));
}

#[test]
fn invalid_settings_are_errors_with_spans_and_exit_2() {
    let (_tmp, root) = fixture_copy(ORB105);
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            "select = [\"ORB1\"]\n[severity]\nORB105 = \"loud\"\n[[deployment]]\nconfig = \"nowhere.json\"\npolicies = [\"iam/orb-policy.json\"]\n",
        )],
    );
    for format in ["human", "json", "sarif"] {
        let out = orb_scan(&root, &[".", "--format", format]);
        assert_eq!(out.code, Some(2), "{format}");
        assert_eq!(out.stdout, "", "{format}: nothing is scanned");
        for expected in [
            "orb-scan.toml:3:10",
            "`loud` is not a severity",
            "orb-scan.toml:5:10",
            "no file `nowhere.json`",
            "(2 problems); nothing was scanned",
        ] {
            assert!(
                out.stderr.contains(expected),
                "{expected} in {}",
                out.stderr
            );
        }
    }
    // The file is named from the folder orb-scan runs in, whatever folder it scans.
    for (cwd, scanned, shown) in [
        (root.clone(), "config", "\n  ┌─ orb-scan.toml:3:10"),
        (root.join("config"), ".", "\n  ┌─ ../orb-scan.toml:3:10"),
    ] {
        let out = orb_scan(&cwd, &[scanned]);
        assert!(out.stderr.contains(shown), "{shown} in {}", out.stderr);
    }
    write_tree(&root, &[("orb-scan.toml", "select = \"ORB1\"\n")]);
    let out = orb_scan(&root, &["."]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("orb-scan.toml:1:10"), "{}", out.stderr);
    assert_eq!(orb_scan(&root, &[".", "--isolated"]).code, Some(1));
    let out = orb_scan(&root, &[".", "--config", "missing.toml"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("cannot read"), "{}", out.stderr);
    let out = orb_scan(&root, &[".", "--config", "orb-scan.toml", "--isolated"]);
    assert_eq!(out.code, Some(2), "the two flags conflict");
}

/// A `[[deployment]]` whose policies name its own config or the settings file, or whose config is
/// the settings file, is a mistake said with a span, not a silent empty check.
#[test]
fn a_deployment_that_names_itself_is_a_problem() {
    let (_tmp, root) = fixture_copy(ORB105);
    let config = std::fs::read_dir(root.join("config"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n == "config.json")
        .expect("the fixture has config/config.json");
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            &format!("[[deployment]]\nconfig = \"config/{config}\"\npolicies = [\"config/{config}\", \"orb-scan.toml\"]\n\n[[deployment]]\nconfig = \"orb-scan.toml\"\npolicies = [\"iam/orb-policy.json\"]\n"),
        )],
    );
    let out = orb_scan(&root, &["."]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    for expected in [
        "orb-scan.toml:3:13",
        "`config/config.json` is the deployment's ORB config, not a policy",
        "`orb-scan.toml` is this settings file, not a policy",
        "orb-scan.toml:6:10",
        "this settings file is not an ORB config",
        "(3 problems)",
    ] {
        assert!(
            out.stderr.contains(expected),
            "{expected} in {}",
            out.stderr
        );
    }
}

#[test]
fn declared_deployments_choose_the_policies() {
    let (_tmp, root) = fixture_copy(ORB105);
    let complete = std::fs::read_to_string(
        common::repo().join("testdata/rules/ORB105/clean/iam/orb-policy.json"),
    )
    .unwrap();
    write_tree(&root, &[("iam/complete.json", &complete)]);
    // Found by content, both policies count as ORB's: together they grant everything.
    assert!(codes(&report(&root, &[])).is_empty());
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            "[[deployment]]\nconfig = \"config/config.json\"\npolicies = [\"iam/orb-policy.json\"]\n",
        )],
    );
    assert_eq!(codes(&report(&root, &[])), ["ORB105"]);
    let out = orb_scan(&root, &["inventory", "."]);
    assert!(out.stdout.contains("iam/orb-policy.json"), "{}", out.stdout);
    // `file#LogicalId` names a CloudFormation resource; a standalone JSON policy has none.
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            "[[deployment]]\nconfig = \"config/config.json\"\npolicies = [\"iam/complete.json#OrbRole\"]\n",
        )],
    );
    let found = codes(&report(&root, &[]));
    assert!(found.contains(&"ORB100".to_string()) && !found.contains(&"ORB105".to_string()));
}

#[test]
fn suppressions_from_settings_and_unused_ones() {
    let (_tmp, root) = fixture_copy(ORB105);
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            "[[suppress]]\npaths = [\"config/\"]\nrules = [\"ORB105\"]\nreason = \"image pinned by SCP\"\n",
        )],
    );
    let v = report(&root, &[]);
    assert!(codes(&v).is_empty());
    assert_eq!(v["summary"]["suppressed"], 1);
    assert!(orb_scan(&root, &["."]).stdout.contains("1 suppressed"));
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            "[[suppress]]\npaths = [\"iam/\"]\nrules = [\"ORB105\"]\nreason = \"old\"\n",
        )],
    );
    // The finding is labelled at the policy, so a suppression over `iam/` covers it too.
    assert!(codes(&report(&root, &[])).is_empty());
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            "[[suppress]]\npaths = [\"legacy/\"]\nrules = [\"ORB105\"]\nreason = \"old\"\n",
        )],
    );
    assert_eq!(codes(&report(&root, &[])), ["ORB105", "ORB903"]);
    assert_eq!(codes(&report(&root, &["--ignore", "ORB903"])), ["ORB105"]);
    // A code that did not run cannot be judged unused.
    assert!(codes(&report(&root, &["--select", "ORB2"])).is_empty());
    // Scanning only part of the tree does not judge `[[suppress]]` tables.
    let out = orb_scan(&root.join("config"), &["--format", "concise", "."]);
    assert!(!out.stdout.contains("ORB903"), "{}", out.stdout);
}

#[test]
fn yaml_and_toml_comment_directives() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    write_tree(
        tmp.path(),
        &[
            (
                "cfn/stack.yaml",
                "Resources: # orb-scan: ignore[ORB101] kept\n  Bucket:\n    Type: AWS::S3::Bucket\n    # orb-scan: ignore[ORB1O5] typo\n",
            ),
            (
                "extra/providers.toml",
                "# orb-scan: ignore[ORB204, ORB999] not here\nproviders = \"x # orb-scan: ignore[ORB202] in a string\"\n",
            ),
        ],
    );
    let v = report(tmp.path(), &[]);
    let found: Vec<(String, u64, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["span"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!(found[0].0, "cfn/stack.yaml");
    assert!(found[0].2.contains("no `ORB101` finding"));
    assert_eq!(found[1].1, 4);
    assert!(
        found[1].2.contains("`ORB1O5` names no orb-scan rule"),
        "{}",
        found[1].2
    );
    assert_eq!(found[2].0, "extra/providers.toml");
    assert!(found[2].2.contains("`ORB204`, `ORB999`"), "{}", found[2].2);
}

#[test]
fn standard_input_is_one_file_named_by_stdin_filename() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
    let templates = std::fs::read(
        common::repo().join("testdata/rules/ORB201/trigger/config/aws_templates.json"),
    )
    .unwrap();
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "-",
            "--stdin-filename",
            "deploy/aws_templates.json",
            "--format",
            "concise",
        ];
        args.extend_from_slice(extra);
        run(command(tmp.path(), &args), Some(&templates))
    };
    let out = scan(&[]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stdout
            .lines()
            .all(|l| l.starts_with("deploy/aws_templates.json:")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("error[ORB201]"));
    // Settings see the name: a `[[suppress]]` for its folder applies.
    write_tree(
        tmp.path(),
        &[("orb-scan.toml", "[[suppress]]\npaths = [\"deploy/\"]\nrules = [\"ORB2\", \"ORB100\"]\nreason = \"generated\"\n")],
    );
    let out = scan(&[]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), ""),
        "{}",
        out.stderr
    );
    let out = run(
        command(
            tmp.path(),
            &[
                "-",
                "--stdin-filename",
                "x.json",
                "--format",
                "concise",
                "--isolated",
            ],
        ),
        Some(b"{\"templates\": 1"),
    );
    assert!(out.stdout.starts_with("x.json:1:"), "{}", out.stdout);
}

#[test]
fn colour_follows_the_flag_then_no_color_then_clicolor_force() {
    let dir = common::repo().join(ORB105);
    let coloured = |flag: &str, env: &[(&str, &str)]| {
        let mut cmd = command(&dir, &[".", "--color", flag]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run(cmd, None);
        assert_eq!(out.code, Some(1));
        out.stdout.contains('\u{1b}')
    };
    assert!(coloured("always", &[]));
    assert!(coloured("always", &[("NO_COLOR", "1")]), "the flag wins");
    assert!(
        !coloured("never", &[("CLICOLOR_FORCE", "1")]),
        "the flag wins"
    );
    assert!(!coloured("auto", &[]), "a pipe is not a terminal");
    assert!(coloured("auto", &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(
        "auto",
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(!coloured("auto", &[("CLICOLOR_FORCE", "0")]));
    assert!(
        coloured("auto", &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]),
        "an empty NO_COLOR is unset"
    );
    // The concise format follows the same flag and variables.
    let concise = |flag: &str, env: &[(&str, &str)]| {
        let mut cmd = command(&dir, &[".", "--format", "concise", "--color", flag]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run(cmd, None).stdout
    };
    let always = concise("always", &[]);
    assert!(
        always.starts_with("\u{1b}[0m\u{1b}[1mconfig/aws_templates.json\u{1b}[0m:5:7: "),
        "{always:?}"
    );
    assert!(always.contains("error[ORB105]\u{1b}[0m "), "{always:?}");
    assert!(!concise("never", &[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
    assert!(!concise("auto", &[]).contains('\u{1b}'));
    assert!(concise("auto", &[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
}

#[test]
fn cloudformation_resource_metadata_suppresses_inside_the_resource() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB403/trigger");
    let file = root.join("fleet-role.template");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(codes(&report(&root, &[])), ["ORB403"]);
    let with_metadata = text.replace(
        r#""Type": "AWS::IAM::Role","#,
        r#""Type": "AWS::IAM::Role",
      "Metadata": {"orb-scan": {"ignore": ["ORB403"], "reason": "the fleet launches untagged"}},"#,
    );
    std::fs::write(&file, &with_metadata).unwrap();
    let v = report(&root, &[]);
    assert!(codes(&v).is_empty(), "{v}");
    assert_eq!(v["summary"]["suppressed"], 1);
    std::fs::write(&file, with_metadata.replace("[\"ORB403\"]", "[\"ORB401\"]")).unwrap();
    assert_eq!(codes(&report(&root, &[])), ["ORB903", "ORB403"]);
}

/// Every mistake of orb-scan.toml in one run, each at its span: wrong types (a string for a list,
/// a number in a list, a float for a string, a number for a severity), an unknown key, a missing
/// key, and the mistakes of meaning beside them (an unknown code, a bad severity, a missing file).
#[test]
fn every_mistake_in_the_settings_is_reported_in_one_run() {
    let (_tmp, root) = fixture_copy(ORB105);
    write_tree(
        &root,
        &[(
            "orb-scan.toml",
            r#"select = "ORB1"
ignore = ["ORB110", 3, "ORB7"]
orb_version = 1.8
colour = "never"

[severity]
ORB105 = 2
ORB999 = "loud"

[[deployment]]
config = "nowhere.json"
policies = "iam/orb-policy.json"

[[suppress]]
paths = ["legacy/**"]
rules = ["ORB304"]
"#,
        )],
    );
    let out = orb_scan(&root, &["."]);
    assert_eq!(out.code, Some(2));
    let expected = [
        (
            "1:10",
            "`select`: invalid type: string \"ORB1\", expected a sequence",
        ),
        (
            "2:21",
            "`ignore`: invalid type: integer `3`, expected a string",
        ),
        ("2:24", "`ORB7` matches no rule code"),
        (
            "3:15",
            "`orb_version`: invalid type: floating point `1.8`, expected a string",
        ),
        ("4:1", "unknown key `colour`; expected one of"),
        (
            "7:10",
            "`severity.ORB105`: invalid type: integer `2`, expected a string",
        ),
        ("8:1", "`ORB999` is not a rule code"),
        ("8:10", "`loud` is not a severity"),
        ("11:10", "no file `nowhere.json`"),
        (
            "12:12",
            "`policies`: invalid type: string \"iam/orb-policy.json\", expected a sequence",
        ),
        ("14:1", "[[suppress]] needs `reason`"),
    ];
    let mut at = 0;
    for (position, message) in expected {
        let found = out.stderr[at..]
            .find(message)
            .unwrap_or_else(|| panic!("{message} (in order) in {}", out.stderr));
        at += found;
        let place = format!("orb-scan.toml:{position}\n");
        assert!(
            out.stderr[at..].contains(&place),
            "{message} at {place} in {}",
            out.stderr
        );
    }
    assert!(
        out.stderr
            .contains("orb-scan.toml is not valid (11 problems); nothing was scanned"),
        "{}",
        out.stderr
    );
}

/// `[catalog]` names actions and services newer than the embedded catalog: they are not unknown, and
/// what is not named still is.
#[test]
fn extra_catalog_entries_are_not_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*",
        "Action": ["ec2:DescribeNewThing", "brandnew:Start*", "ec2:DescribeNothing", "otherbrandnew:Go"]}]}"#;
    write_tree(root, &[("policy.json", policy)]);
    assert_eq!(
        codes(&report(root, &[])),
        ["ORB301", "ORB302", "ORB301", "ORB302"]
    );
    write_tree(
        root,
        &[(
            "orb-scan.toml",
            "[catalog]\nactions = [\"ec2:DescribeNewThing\"]\nservices = [\"brandnew\"]\n",
        )],
    );
    assert_eq!(codes(&report(root, &[])), ["ORB301", "ORB302"]);
}
