//! The CLI through the real binary: exit codes, formats, filtering, determinism, bad input, and ORB's
//! own files (vendored under testdata/corpus/orb).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn orb_scan(args: &[&str]) -> Output {
    orb_scan_in(repo(), args)
}

/// Runs inside `dir` (relative to the repository), as a user scanning that folder would.
fn orb_scan_in(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    common::run_in(&repo().join(dir), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = orb_scan(args);
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

fn codes(v: &serde_json::Value) -> Vec<&str> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

/// ORB's own files (v1.8.5, and the Kubernetes defaults of a later commit), vendored under
/// `testdata/corpus/orb` (see testdata/corpus/README.md).
fn orb_files() -> PathBuf {
    repo().join("testdata/corpus/orb")
}

#[test]
fn exit_codes_follow_fail_on() {
    let code = |dir: &str, args: &[&str]| orb_scan_in(dir, args).status.code();
    let warning_only = "testdata/rules/ORB103/trigger";
    assert_eq!(code(warning_only, &[]), Some(0));
    assert_eq!(code(warning_only, &["--fail-on", "warning"]), Some(1));
    assert_eq!(code("testdata/rules/ORB104/trigger", &[]), Some(1));
    assert_eq!(code("testdata/rules/ORB104/clean", &[]), Some(0));
    assert_eq!(
        code("testdata/rules/ORB104/trigger", &["--format", "json"]),
        Some(1)
    );
    assert_eq!(
        code("testdata/rules/ORB104/trigger", &["--format", "concise"]),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["--format", "xml"],
        vec!["--select", "ORB999"],
        vec!["no/such/path"],
        vec!["rule", "ORB000"],
        vec!["--fail-on", "fatal"],
    ] {
        let o = orb_scan(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?} must explain itself");
    }
}

#[test]
fn select_and_ignore_take_codes_and_prefixes() {
    let dir = "testdata/bad-input";
    let all = json(&[dir, "--format", "json"]);
    assert!(codes(&all).contains(&"ORB901") && codes(&all).contains(&"ORB202"));
    let only = json(&[dir, "--format", "json", "--select", "ORB2"]);
    assert!(!codes(&only).is_empty() && codes(&only).iter().all(|c| c.starts_with("ORB2")));
    let without = json(&[dir, "--format", "json", "--ignore", "ORB202,ORB1"]);
    assert!(codes(&without)
        .iter()
        .all(|c| *c != "ORB202" && !c.starts_with("ORB1")));
    assert!(codes(&without).contains(&"ORB901"));
}

#[test]
fn json_follows_schema_version_1() {
    let o = orb_scan_in("testdata/rules/ORB105/trigger", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "orb-scan");
    assert!(v["tool"]["catalog_date"].is_string());
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "ORB105");
    assert_eq!(d["name"], "missing-ssm-permission");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "config/aws_templates.json");
    assert_eq!(d["actions"], serde_json::json!(["ssm:GetParameter"]));
    assert_eq!(
        d["span"]["start"],
        serde_json::json!({"line": 5, "column": 7, "offset": 62})
    );
    assert_eq!(d["labels"][0]["file"], "iam/orb-policy.json");
    assert!(d["help"].is_string());
    assert!(d["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("ssm:GetParameters")));
    let s = &v["summary"];
    assert_eq!(
        s["documents"],
        serde_json::json!({"policies": 1, "cfn_templates": 0, "orb_configs": 1, "orb_template_files": 1})
    );
    assert_eq!(
        (
            s["errors"].as_u64(),
            s["warnings"].as_u64(),
            s["notes"].as_u64()
        ),
        (Some(1), Some(0), Some(0))
    );
}

#[test]
fn concise_is_one_line_per_diagnostic() {
    let out = stdout(&orb_scan_in(
        "testdata/rules/ORB201/trigger",
        &["--format", "concise"],
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].contains("error[ORB201] `asg`"), "{out}");
    assert!(
        lines[2].contains("error[ORB201] template `spot` uses provider_api `SpotFleet`"),
        "{out}"
    );
    assert!(
        lines[3].starts_with("config/config.json:5:3: warning[ORB100]"),
        "{out}"
    );
    assert!(
        lines[0].starts_with(
            "config/aws_templates.json:6:23: error[ORB201] `ec2fleet` is not a provider_api"
        ),
        "{out}"
    );
}

#[test]
fn bad_input_is_reported_and_never_stops_the_scan() {
    let o = orb_scan_in("testdata/bad-input", &[".", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let at = |code: &str, file: &str, line: u64| {
        diags
            .iter()
            .any(|d| d["code"] == code && d["file"] == file && d["span"]["start"]["line"] == line)
    };
    assert!(at("ORB901", "iam/truncated.json", 2), "truncated file");
    assert!(
        at("ORB202", "config/aws_templates.json", 2),
        "a number where a template belongs"
    );
    assert!(
        at("ORB201", "config/aws_templates.json", 4),
        "provider_api of the wrong type"
    );
    assert!(
        at("ORB202", "config/config.json", 7),
        "region of the wrong type"
    );
    // The other files were still checked: the mistyped template is not, the SpotFleet one is.
    assert!(at("ORB205", "config/aws_templates.json", 5));
    assert!(!diags
        .iter()
        .any(|d| d["code"] == "ORB101" && d["span"]["start"]["line"] == 4));
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let mut dirs = vec![repo().join("testdata")];
    dirs.extend(common::shared("corpus"));
    for dir in dirs {
        let dir = dir.display().to_string();
        let one = orb_scan(&[&dir, "-j", "1", "--format", "json"]).stdout;
        for threads in ["2", "8"] {
            assert_eq!(
                one,
                orb_scan(&[&dir, "-j", threads, "--format", "json"]).stdout,
                "{dir} -j {threads}"
            );
        }
    }
}

#[test]
fn output_is_identical_for_any_path_order() {
    let dirs = [
        "testdata/rules/ORB101/trigger",
        "testdata/bad-input",
        "testdata/cfn/yaml-role",
    ];
    let forward = orb_scan(&[dirs[0], dirs[1], dirs[2], "--format", "json", "--isolated"]).stdout;
    let backward = orb_scan(&[dirs[2], dirs[1], dirs[0], "--format", "json", "--isolated"]).stdout;
    assert!(!forward.is_empty());
    assert_eq!(forward, backward);
}

#[test]
fn orb_aws_templates_resolve_as_orb_does() {
    let corpus = orb_files();
    let v = json(&["inventory", corpus.to_str().unwrap(), "--format", "json"]);
    let deployment = v["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["config"] == "config/config.example.json")
        .expect("config.example.json is a deployment");
    assert_eq!(deployment["template_file"], "config/aws_templates.json");
    let templates = deployment["templates"].as_array().unwrap();
    assert_eq!(templates.len(), 20);
    let count = |api: &str| templates.iter().filter(|t| t["handler"] == api).count();
    assert_eq!(
        (
            count("EC2Fleet"),
            count("SpotFleet"),
            count("ASG"),
            count("RunInstances")
        ),
        (9, 6, 3, 2)
    );
    // config.example.json sets an SSM image_id in provider_defaults; the templates inherit it.
    assert!(templates.iter().all(|t| t["machine_image"]
        .as_str()
        .unwrap()
        .starts_with("/aws/service/")));
    // Its `iam_fleet_role` is not read, so no SpotFleet template has a fleet role.
    assert!(templates
        .iter()
        .filter(|t| t["handler"] == "SpotFleet")
        .all(|t| t["fleet_role"].is_null()));
    // ORB's packaged aws_defaults.json is recognised and is not a deployment.
    assert!(v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["kind"] == "orb_config"
            && d["file"] == "src/orb/providers/aws/config/aws_defaults.json"
            && d["packaged_defaults"] == true));
}

#[test]
fn orb_corpus_findings() {
    let corpus = orb_files();
    let o = orb_scan_in(&corpus, &[".", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let has = |code: &str, file: &str| diags.iter().any(|d| d["code"] == code && d["file"] == file);
    assert!(
        has("ORB204", "tests/fixtures/config/test_config.json"),
        "static keys in ORB's test fixture"
    );
    assert!(
        has("ORB205", "config/aws_templates.json"),
        "SpotFleet templates without a fleet role"
    );
    assert!(
        has("ORB203", "config/config.example.json"),
        "iam_fleet_role is not read"
    );
    assert!(
        has("ORB203", "docs/root/examples/production-config.json"),
        "role_arn is never used"
    );
    // ORB100 for every AWS deployment, and only those: ORB's packaged Kubernetes defaults and its
    // packaged default_config.json (`providers: []`) configure no AWS provider.
    let mut no_policy: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "ORB100")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    no_policy.sort();
    assert_eq!(
        no_policy,
        [
            "awscpinst/config/awsprov_templates.json",
            "awscpinst/config/templates.json",
            "config/config.example.json",
            "config/default_config.json",
            "docs/root/examples/multi-provider.json",
            "docs/root/examples/production-config.json",
            "docs/root/examples/single-provider.json",
            "tests/fixtures/config/test_config.json",
        ]
    );
    let inventory = json(&["inventory", corpus.to_str().unwrap(), "--format", "json"]);
    let config = |file: &str| {
        inventory["documents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == "orb_config" && d["file"] == file)
            .unwrap_or_else(|| panic!("{file} is an ORB config"))
            .clone()
    };
    let k8s = config("src/orb/providers/k8s/config/k8s_defaults.json");
    assert_eq!(
        (&k8s["packaged_defaults"], &k8s["aws_provider"]),
        (&true.into(), &false.into())
    );
    let empty = config("src/orb/config/default_config.json");
    assert_eq!(
        (&empty["packaged_defaults"], &empty["aws_provider"]),
        (&false.into(), &false.into())
    );
    assert_eq!(config("config/default_config.json")["aws_provider"], true);
    // Native spec payloads (Jinja, some not JSON) and k8s templates are not ORB AWS files to report.
    assert!(!diags.iter().any(|d| d["code"] == "ORB901"), "{diags:?}");
    assert!(!diags
        .iter()
        .any(|d| d["file"].as_str().unwrap().contains("k8s_templates")));
}

#[test]
fn own_tree_is_clean() {
    let o = orb_scan(&[".", "--format", "concise"]);
    assert_eq!(
        stdout(&o),
        "",
        "orb-scan . on the project itself must be clean"
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn rule_documentation_is_served_from_the_registry() {
    let list = stdout(&orb_scan(&["rules"]));
    for rule in orb_scan::registry::RULES {
        assert!(
            list.contains(rule.code) && list.contains(rule.name),
            "{}",
            rule.code
        );
    }
    let one = stdout(&orb_scan(&["rule", "orb105"]));
    assert!(one.starts_with("# ORB105 missing-ssm-permission"));
    assert!(one.contains("## Fix") && one.contains("ssm:GetParameters"));
}

#[test]
fn unnamed_standard_input_is_read_by_its_content() {
    for (input, expected) in [
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "ec2:DescribeInstance", "Resource": "*"}]}"#,
            "<stdin>:1:",
        ),
        (
            "Statement:\n  - Effect: Allow\n    Action: ec2:DescribeInstance\n    Resource: '*'\n",
            "<stdin>:3:",
        ),
    ] {
        let out = common::run_with_stdin(&["-", "--format", "concise"], input);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.lines()
                .any(|l| l.starts_with(expected) && l.contains("ORB301")),
            "{text}"
        );
        assert_eq!(out.status.code(), Some(1));
    }
}

/// Messages name the key as the template writes it, and say when ORB reads it as a deprecated
/// alias; a permission two rules need (`ec2:DescribeLaunchTemplates`: the per-request lookup, ORB102,
/// and cleanup, ORB103) is reported once, by the more severe rule, which notes the other.
#[test]
fn messages_name_the_key_as_written_and_each_missing_permission_once() {
    let (_tmp, root) = common::fixture_copy("testdata/rules/ORB104/clean");
    let policy = root.join("iam/orb-policy.json");
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("        \"ec2:DescribeLaunchTemplates\",\n", "");
    std::fs::write(&policy, text).unwrap();
    let templates = root.join("config/aws_templates.json");
    let text = std::fs::read_to_string(&templates).unwrap().replace(
        "\"machine_image\": \"ami-0123456789abcdef0\",",
        "\"image_id\": \"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64\",\n      \"instance_profile\": \"orb-workers\",",
    );
    std::fs::write(&templates, text).unwrap();
    let out = common::orb_scan(&root, &[".", "--format", "json"]);
    let v = common::json(&out.stdout);
    let diags = v["diagnostics"].as_array().unwrap();
    let by_code = |code: &str| -> Vec<&serde_json::Value> {
        diags.iter().filter(|d| d["code"] == code).collect()
    };
    let notes = |d: &serde_json::Value| -> Vec<String> {
        d["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    };
    let ssm = by_code("ORB105");
    assert_eq!(ssm.len(), 1, "{v}");
    assert!(
        ssm[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("`image_id = \"/aws/service/"),
        "{}",
        ssm[0]["message"]
    );
    assert!(notes(ssm[0]).contains(&"ORB reads `image_id` as `machine_image`, a deprecated alias it logs a warning for: rename it to `machine_image`".to_string()));
    let pass = by_code("ORB107");
    assert_eq!(pass.len(), 1, "{v}");
    assert!(pass[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("`instance_profile = \"orb-workers\"` needs `iam:PassRole`"));
    assert!(notes(pass[0])
        .iter()
        .any(|n| n.contains("`instance_profile` as `machine_role`, a deprecated alias")));
    // ec2:DescribeLaunchTemplates: once, by ORB102, which says cleanup needs it too.
    let described: Vec<&str> = diags
        .iter()
        .filter(|d| {
            d["actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "ec2:DescribeLaunchTemplates")
        })
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(described, ["ORB102"], "{v}");
    assert!(notes(by_code("ORB102")[0])
        .iter()
        .any(|n| n.starts_with("`ec2:DescribeLaunchTemplates` is also needed (ORB103): cleanup")));
    // The canonical key draws no deprecation note.
    let canonical = std::fs::read_to_string(&templates)
        .unwrap()
        .replace("\"image_id\"", "\"machine_image\"");
    std::fs::write(&templates, canonical).unwrap();
    let v = common::json(&common::orb_scan(&root, &[".", "--format", "json"]).stdout);
    let ssm = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ORB105")
        .unwrap()
        .clone();
    assert!(ssm["message"]
        .as_str()
        .unwrap()
        .starts_with("`machine_image = "));
    assert!(!ssm["notes"].to_string().contains("deprecated"));
}

/// Every path a format prints opens from the folder orb-scan ran in, however the scan root was
/// named: a subfolder, a sibling through `..`, an absolute path; standard input keeps its name.
#[test]
fn paths_open_from_where_orb_scan_ran() {
    let tmp = tempfile::tempdir().unwrap();
    let repo_root = tmp.path().join("repo");
    std::fs::create_dir_all(repo_root.join(".git")).unwrap();
    let scanned = repo_root.join("sub/dir");
    std::fs::create_dir_all(&scanned).unwrap();
    common::copy_tree(
        &repo().join("testdata/principal/broad-beside-named"),
        &scanned,
    );
    std::fs::create_dir_all(repo_root.join("other")).unwrap();
    let absolute = scanned.display().to_string();
    let runs = [
        (repo_root.clone(), "sub/dir"),
        (repo_root.join("other"), "../sub/dir"),
        (repo_root.join("other"), absolute.as_str()),
    ];
    for (cwd, root) in &runs {
        let opens = |path: &str| {
            assert!(
                cwd.join(path).is_file(),
                "{root} from {}: `{path}` does not open",
                cwd.display()
            );
        };
        let run = |format: &str| {
            common::orb_scan(cwd, &[root, "--format", format, "--color", "never"]).stdout
        };
        let v = common::json(&run("json"));
        let mut seen = 0;
        for d in v["diagnostics"].as_array().unwrap() {
            opens(d["file"].as_str().unwrap());
            for l in d["labels"].as_array().unwrap() {
                opens(l["file"].as_str().unwrap());
            }
            seen += 1;
        }
        for s in v["deployments"].as_array().unwrap() {
            opens(s["deployment"].as_str().unwrap());
            for p in s["checked"][0]["policies"].as_array().unwrap() {
                opens(p["file"].as_str().unwrap());
            }
        }
        assert!(seen >= 2, "{v}");
        for line in run("concise")
            .lines()
            .filter(|l| !l.starts_with("orb-scan:"))
        {
            opens(line.split(':').next().unwrap());
        }
        let human = run("human");
        let quoted: Vec<&str> = human
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("┌─ "))
            .map(|l| l.rsplitn(3, ':').nth(2).unwrap())
            .collect();
        assert!(quoted.len() >= 2, "{human}");
        quoted.iter().for_each(|p| opens(p));
        for line in run("github").lines().filter(|l| l.starts_with("::")) {
            let file = line
                .split("file=")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap();
            opens(file);
        }
        let sarif = common::json(&run("sarif"));
        for r in sarif["runs"][0]["results"].as_array().unwrap() {
            let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            match artifact["uri"].as_str().unwrap() {
                uri if uri.starts_with("file://") => opens(uri.trim_start_matches("file://")),
                uri => opens(uri),
            }
        }
    }
    // Standard input is shown under the name given, from the folder orb-scan ran in.
    let templates = std::fs::read(scanned.join("config/aws_templates.json")).unwrap();
    let out = common::run(
        common::command(
            &repo_root,
            &[
                "-",
                "--stdin-filename",
                "sub/dir/config/aws_templates.json",
                "--format",
                "json",
            ],
        ),
        Some(&templates),
    );
    let v = common::json(&out.stdout);
    assert_eq!(
        v["diagnostics"][0]["file"], "sub/dir/config/aws_templates.json",
        "{v}"
    );
}

/// `--help` says what every format and colour choice means, `auto` first.
#[test]
fn help_explains_the_defaults() {
    let help = stdout(&orb_scan(&["--help"]));
    for text in [
        "auto:    The default: `human`, on a terminal or not",
        "concise: One line per finding",
        "auto:   Colour on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it",
    ] {
        assert!(help.contains(text), "{text} in {help}");
    }
}

/// The summary says what was walked, read (candidate names), parsed (a key worth parsing) and
/// checked (a policy, template or ORB file held): in the human line and in JSON, where
/// `files_scanned` keeps schema version 1's meaning (walked).
#[test]
fn summary_counts_what_was_walked_read_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_tree(
        tmp.path(),
        &[
            ("README.md", "# not a candidate name\n"),
            ("package.json", "{\"name\": \"no key worth parsing\"}\n"),
            ("notes.json", "{\"Statement\": \"a key, but no policy\"}\n"),
            (
                "iam/policy.json",
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
            ),
        ],
    );
    let v = common::json(&common::orb_scan(tmp.path(), &[".", "--format", "json"]).stdout);
    let s = &v["summary"];
    let counts = [
        "files_scanned",
        "files_walked",
        "files_read",
        "files_parsed",
        "files_checked",
    ]
    .map(|k| s[k].as_u64().unwrap());
    assert_eq!(counts, [4, 4, 3, 2, 1], "{s}");
    let human = common::orb_scan(tmp.path(), &["."]).stdout;
    assert!(
        human.ends_with("orb-scan: no problems found (4 files walked, 3 read, 1 checked)\n"),
        "{human}"
    );
}

/// `inventory` counts in words a reader expects (`1 template`, `2 statements`), aligns its columns
/// however long a kind is (`hostfactory`), and says so when it finds nothing.
#[test]
fn inventory_reads_as_a_table_and_says_when_it_is_empty() {
    let out = stdout(&orb_scan_in(orb_files(), &["inventory", "."]));
    assert!(
        out.contains("templates default     awscpinst/config/templates.json  [1 template]\n"),
        "{out}"
    );
    assert!(
        out.contains("templates hostfactory config/aws_templates.json  [20 templates]\n"),
        "{out}"
    );
    // Every row's third column (the file) starts at the same place.
    let third_column = |line: &str| {
        let mut words = 0;
        let mut after_space = true;
        for (at, c) in line.char_indices() {
            if !c.is_whitespace() && after_space {
                words += 1;
                if words == 3 {
                    return at;
                }
            }
            after_space = c.is_whitespace();
        }
        line.len()
    };
    let starts: Vec<usize> = out
        .lines()
        .take_while(|l| !l.is_empty())
        .map(third_column)
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{out}");
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("package.json"), "{}").unwrap();
    let out = stdout(&common::run_in(empty.path(), &["inventory", "."]));
    assert_eq!(
        out,
        "orb-scan: found no IAM policy, CloudFormation template or ORB file (1 file walked)\n"
    );
}
