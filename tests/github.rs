//! `--format github` and the `::stop-commands::` fence, through the binary. The runner's parser is
//! emulated (actions/runner `ActionCommand.TryParseV2`: a line that, trimmed at the start, begins
//! with `::` names a command up to the next `::`; properties split on `,` and the first `=`; values
//! unescaped), and hostile file names and contents must not produce any command but our own.

mod common;

use common::{codes, command, json, orb_scan, run, write_tree};
use orb_scan::report::escape_text;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

struct Command {
    name: String,
    properties: BTreeMap<String, String>,
    data: String,
}

fn unescape_data(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(text: &str) -> String {
    unescape_data(&text.replace("%3A", ":").replace("%2C", ","))
}

/// What the runner makes of one line of output, or `None` when it is plain log text.
fn as_runner_reads(line: &str) -> Option<Command> {
    let line = line.trim_start();
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (info, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), unescape_property(v))
        })
        .collect();
    Some(Command {
        name: name.to_string(),
        properties,
        data: unescape_data(data),
    })
}

/// A template file whose `provider_api` ORB201 quotes back, with `payload` inside it.
fn template_with(payload: &str) -> String {
    let value = serde_json::to_string(&format!("Ec2Fleet{payload}")).unwrap();
    format!(
        r#"{{"templates": [{{"template_id": "t", "provider_api": {value}, "machine_image": "ami-0123456789abcdef0"}}]}}"#
    )
}

#[test]
fn hostile_names_and_contents_cannot_become_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let payloads = [
        "\n::add-mask::secret",
        "\r::error file=fake.json::injected",
        "%0A::stop-commands::pwn",
        ",title=x:y",
    ];
    let names = [
        "100%, a:b/aws_templates.json",
        "evil\n::add-mask::x/aws_templates.json",
        "::error file=x::y/aws_templates.json",
        "cr\rlf/aws_templates.json",
    ];
    let files: Vec<(String, String)> = names
        .iter()
        .zip(payloads)
        .map(|(name, payload)| (name.to_string(), template_with(payload)))
        .collect();
    let mut borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    // A policy whose action string carries a command: ORB303 quotes it back.
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "ec2:Describe\n::add-mask::policy-secret", "Resource": "*"}]}"#;
    borrowed.push(("iam/p,o:l%y.json", policy));
    write_tree(tmp.path(), &borrowed);

    let report = json(&orb_scan(tmp.path(), &[".", "--isolated", "--format", "json"]).stdout);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(codes(&report).iter().filter(|c| *c == "ORB201").count() == names.len());

    let out = orb_scan(tmp.path(), &[".", "--isolated", "--format", "github"]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        !out.stdout.contains('\r'),
        "a carriage return would end the runner's line"
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), diagnostics.len(), "one line per finding");
    for (line, d) in lines.iter().zip(diagnostics) {
        let command = as_runner_reads(line).unwrap_or_else(|| panic!("not a command: {line}"));
        let expected = match d["severity"].as_str().unwrap() {
            "note" => "notice",
            other => other,
        };
        assert_eq!(command.name, expected, "{line}");
        let keys: Vec<&str> = command.properties.keys().map(String::as_str).collect();
        for key in &keys {
            assert!(
                ["title", "file", "line", "endLine", "col", "endColumn"].contains(key),
                "unexpected property {key} in {line}"
            );
        }
        assert_eq!(
            command.properties["file"],
            escape_text(d["file"].as_str().unwrap()),
            "{line}"
        );
        assert_eq!(
            command.properties["title"],
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        );
        assert_eq!(
            command.data.lines().next().unwrap(),
            escape_text(d["message"].as_str().unwrap())
        );
    }
    // The payloads are all there, as text inside our own annotations.
    let all_data: String = lines
        .iter()
        .map(|l| as_runner_reads(l).unwrap().data)
        .collect();
    for shown in [
        "\\u{a}::add-mask::secret",
        "\\u{d}::error file=fake.json::injected",
        "%0A::stop-commands::pwn",
        "ec2:Describe\\u{a}::add-mask::policy-secret",
    ] {
        assert!(all_data.contains(shown), "{shown} missing from {all_data}");
    }
    let files: Vec<String> = lines
        .iter()
        .map(|l| as_runner_reads(l).unwrap().properties["file"].clone())
        .collect();
    assert!(files.contains(&"100%, a:b/aws_templates.json".to_string()));
    assert!(files.contains(&"::error file=x::y/aws_templates.json".to_string()));
    assert!(files.contains(&"iam/p,o:l%y.json".to_string()));
}

#[test]
fn columns_only_on_single_line_spans() {
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[("orb-scan.toml", "select = [\n  \"ORB1\",\n]\nbogus = 1\n")],
    );
    let out = orb_scan(tmp.path(), &[".", "--format", "github"]);
    assert_eq!(out.code, Some(2));
    let command = as_runner_reads(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(command.name, "error");
    assert_eq!(command.properties["title"], "orb-scan configuration");
    assert_eq!(command.properties["file"], "orb-scan.toml");
    assert_eq!(command.properties["line"], "4");
    assert!(
        command.data.contains("unknown key `bogus`"),
        "{}",
        command.data
    );
    assert!(out.stderr.contains("orb-scan.toml:4:1"), "{}", out.stderr);

    // A span over several lines (here the two unused codes of a `[[suppress]]` table) has lines only.
    let tmp = tempfile::tempdir().unwrap();
    write_tree(
        tmp.path(),
        &[(
            "orb-scan.toml",
            "[[suppress]]\npaths = [\"x\"]\nrules = [\n  \"ORB1\",\n  \"ORB2\",\n]\nreason = \"r\"\n",
        )],
    );
    let out = orb_scan(tmp.path(), &[".", "--format", "github"]);
    let command = as_runner_reads(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(command.name, "notice");
    assert_eq!(command.properties["line"], "4");
    assert_eq!(command.properties["endLine"], "5");
    assert!(
        !command.properties.contains_key("col"),
        "{:?}",
        command.properties
    );
}

fn in_actions(dir: &Path, args: &[&str]) -> common::Run {
    let mut cmd = command(dir, args);
    cmd.env("GITHUB_ACTIONS", "true");
    run(cmd, None)
}

fn fence(out: &str) -> (String, String) {
    let lines: Vec<&str> = out.lines().collect();
    let token = lines[0]
        .strip_prefix("::stop-commands::")
        .expect("fence opens")
        .to_string();
    assert!(
        token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "{token}"
    );
    assert_eq!(
        lines[lines.len() - 1],
        format!("::{token}::"),
        "fence closes"
    );
    assert_eq!(out.matches(&token).count(), 2);
    (token, lines[1..lines.len() - 1].join("\n"))
}

#[test]
fn output_that_quotes_files_is_fenced_inside_actions() {
    let dir = common::repo().join("testdata/rules/ORB201/trigger");
    let (first, body) = fence(&in_actions(&dir, &["."]).stdout);
    assert!(body.contains("error[ORB201]"));
    let (second, _) = fence(&in_actions(&dir, &[".", "--format", "concise"]).stdout);
    assert_ne!(first, second, "a fresh token each run");
    let (_, body) = fence(&in_actions(&dir, &["inventory", "."]).stdout);
    assert!(body.contains("aws_templates.json"), "{body}");

    for format in ["github", "sarif", "json"] {
        let out = in_actions(&dir, &[".", "--format", format]);
        assert!(!out.stdout.contains("::stop-commands::"), "{format}");
    }
    let plain = orb_scan(&dir, &[".", "--format", "json"]);
    assert!(!plain.stdout.contains("::stop-commands::"));

    // A report written to a file is not read by the runner: no fence.
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let out = in_actions(
        &dir,
        &[".", "--format", "json", "-o", report.to_str().unwrap()],
    );
    assert_eq!((out.code, out.stdout.as_str()), (Some(1), ""));
    json(&std::fs::read_to_string(&report).unwrap());
    let redirected = tmp.path().join("redirected.json");
    let status = command(&dir, &[".", "--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .stdout(Stdio::from(std::fs::File::create(&redirected).unwrap()))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    json(&std::fs::read_to_string(&redirected).unwrap());
}

/// JSON needs no fence: every string in it is quoted, so no line can start with `::`, and
/// `orb-scan --format json | jq` works inside Actions as outside.
#[test]
fn json_is_unfenced_and_pipes_into_jq_inside_actions() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile = "\n::error title=pwned::hi\n  ::warning::x\u{2028}::notice::y";
    write_tree(
        tmp.path(),
        &[("config/aws_templates.json", template_with(hostile).as_str())],
    );
    let out = in_actions(tmp.path(), &[".", "--format", "json"]);
    assert!(out.stdout.starts_with('{'), "{}", out.stdout);
    assert!(codes(&json(&out.stdout)).contains(&"ORB201".to_string()));
    for line in out.stdout.lines() {
        assert!(as_runner_reads(line).is_none(), "a command: {line}");
    }
    let jq = std::process::Command::new("jq").arg("--version").output();
    if jq.is_err() {
        println!("jq is not installed: the pipe into jq was not run");
        return;
    }
    let mut cmd = command(tmp.path(), &[".", "--format", "json"]);
    cmd.env("GITHUB_ACTIONS", "true").stdout(Stdio::piped());
    let mut scan = cmd.spawn().unwrap();
    let piped = std::process::Command::new("jq")
        .args(["-r", ".diagnostics[].code"])
        .stdin(Stdio::from(scan.stdout.take().unwrap()))
        .output()
        .unwrap();
    scan.wait().unwrap();
    assert!(piped.status.success(), "jq failed");
    assert!(String::from_utf8_lossy(&piped.stdout)
        .lines()
        .any(|c| c == "ORB201"));
}

#[test]
fn paths_are_relative_to_where_the_workflow_runs() {
    let out = orb_scan(
        common::repo(),
        &["testdata/rules/ORB105/trigger", "--format", "github"],
    );
    let command = as_runner_reads(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        command.properties["file"],
        "testdata/rules/ORB105/trigger/config/aws_templates.json"
    );
    assert!(command
        .data
        .contains("testdata/rules/ORB105/trigger/iam/orb-policy.json:3:3:"));
}
