//! Hostile input: a folder of pathological files scanned through the real binary, under a memory cap
//! and a time limit. Each hostile file gets a clear ORB901/ORB902 or a documented skip; nothing panics,
//! hangs or stops the scan, and a sentinel finding in a valid file is still reported.

mod common;

use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Virtual memory cap for the scan: generous for a 2-core CI box, small enough to catch unbounded growth.
const MEMORY_CAP_KB: u64 = 2 * 1024 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(60);

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Runs orb-scan under `ulimit -v` and a wall-clock limit; returns stdout, stderr and the exit code.
fn scan_capped(dir: &Path, args: &[&str]) -> (String, String, Option<i32>, Duration) {
    let script = format!("ulimit -v {MEMORY_CAP_KB}; exec \"$0\" \"$@\"");
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_orb-scan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        out.read_to_end(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        err.read_to_end(&mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            panic!("orb-scan did not finish within {TIME_LIMIT:?}: it hangs on hostile input");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8(reader.join().unwrap()).expect("output is UTF-8");
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    (stdout, stderr, status.code(), start.elapsed())
}

fn policy(action: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "*"}}]}}"#
    )
}

fn build_hostile_folder(dir: &Path) {
    // Nesting far past the limit, in arrays and objects.
    // (A file with none of the prefilter's keys is never parsed, however deep: documented in README.)
    write(
        dir,
        "deep-array.json",
        format!("{{\"Statement\": {}", "[".repeat(1_000_000)),
    );
    write(dir, "deep-no-keys.json", "[".repeat(1_000_000));
    write(dir, "deep-object.json", "{\"Statement\":".repeat(200_000));
    // Over the size limit: an 8 MB policy and a policy holding a 5 MB string.
    let mut big = String::from(r#"{"Version": "2012-10-17", "Statement": ["#);
    while big.len() < 8 * 1024 * 1024 {
        big.push_str(r#"{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},"#);
    }
    big.push_str(r#"{"Effect": "Deny", "Action": "*", "Resource": "*"}]}"#);
    write(dir, "big-policy.json", &big);
    write(
        dir,
        "huge-string.json",
        format!(
            r#"{{"Statement": [], "Sid": "{}"}}"#,
            "x".repeat(5 * 1024 * 1024)
        ),
    );
    // Encodings and bytes.
    write(
        dir,
        "invalid-utf8.json",
        [
            b"{\"Statement\": [\"".as_slice(),
            &[0xff, 0xfe, 0xc3],
            b"\"]}",
        ]
        .concat(),
    );
    write(dir, "nul.json", b"{\"Statement\": [\0\0\0]}");
    write(
        dir,
        "bom.json",
        format!("\u{feff}{}", policy("ec2:CreateFleet")),
    );
    write(
        dir,
        "crlf.json",
        policy("ec2:CreateFleet").replace(", ", ",\r\n  "),
    );
    write(
        dir,
        "duplicate-keys.json",
        r#"{"Statement": [], "Statement": [{"Effect": "Allow", "Action": "ec2:CreateFleet", "Resource": "*"}]}"#,
    );
    write(dir, "truncated.json", &policy("ec2:CreateFleet")[..40]);
    write(
        dir,
        "escape.json",
        "{\"Statement\": [\x1b[31m\x1b]0;pwned\x07]}",
    );
    write(
        dir,
        "escape\x1b[2J\nname.json",
        format!("{},", policy("ec2:CreateFleet")),
    );
    // YAML: an alias bomb (10^9 nodes if expanded), flow nesting past the limit, a truncated template.
    let mut bomb = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Metadata:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        bomb.push_str(&format!(
            "      a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    write(dir, "bomb.yaml", bomb);
    write(
        dir,
        "deep-flow.yaml",
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}",
            "[".repeat(100_000)
        ),
    );
    write(dir, "truncated.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Policy\n    Properties: {PolicyDocument: {Statement: [");
    // ORB files with wrong types everywhere.
    write(
        dir,
        "orb/config.json",
        r#"{"provider": {"providers": [1, "x", {"type": "aws", "config": 5, "handlers": [], "template_defaults": {"provider_api": {}}}], "provider_defaults": {"aws": []}}, "scheduler": []}"#,
    );
    write(
        dir,
        "orb/aws_templates.json",
        r#"{"templates": [{"template_id": 5, "provider_api": 3, "machine_image": [], "fleet_role": {}, "provider_config": "x", "metadata": 7}, [], "s"]}"#,
    );
    // Things that are not regular files.
    let fifo = dir.join("fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    symlink("/dev/zero", dir.join("zero.json")).unwrap();
    symlink("/", dir.join("root-link")).unwrap();
    std::fs::create_dir_all(dir.join("loop")).unwrap();
    symlink("..", dir.join("loop/parent")).unwrap();
    symlink("self.json", dir.join("self.json")).unwrap();
    write(dir, "unreadable.json", policy("ec2:CreateFleet"));
    std::fs::set_permissions(
        dir.join("unreadable.json"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // The sentinel: a valid ORB deployment with a mistake that must still be found.
    write(
        dir,
        "sentinel/config.json",
        r#"{"provider": {"providers": [{"name": "p", "type": "aws", "config": {"region": "eu-west-1"}}]}}"#,
    );
    write(
        dir,
        "sentinel/aws_templates.json",
        r#"{"templates": [{"template_id": "sentinel", "provider_api": "EC2Fleat"}]}"#,
    );
}

#[test]
fn hostile_folder_is_scanned_safely() {
    let tmp = tempfile::tempdir().unwrap();
    build_hostile_folder(tmp.path());
    let (out, stderr, code, elapsed) = scan_capped(tmp.path(), &[".", "--format", "json"]);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(code, Some(1), "findings exit 1: {out}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let find = |code: &str, file: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code && d["file"] == file)
            .unwrap_or_else(|| panic!("expected {code} on {file}: {out}"))
    };
    assert!(find("ORB901", "deep-array.json")["message"]
        .as_str()
        .unwrap()
        .contains("nesting"));
    find("ORB901", "deep-object.json");
    assert!(
        !diags.iter().any(|d| d["file"] == "deep-no-keys.json"),
        "not a candidate"
    );
    assert!(find("ORB902", "big-policy.json")["message"]
        .as_str()
        .unwrap()
        .contains("size limit"));
    find("ORB902", "huge-string.json");
    find("ORB901", "invalid-utf8.json");
    find("ORB901", "nul.json");
    find("ORB901", "truncated.json");
    find("ORB901", "escape.json");
    find("ORB901", "duplicate-keys.json");
    assert!(find("ORB902", "fifo.json")["message"]
        .as_str()
        .unwrap()
        .contains("not a regular file"));
    find("ORB202", "orb/config.json");
    assert!(find("ORB901", "bomb.yaml")["message"]
        .as_str()
        .unwrap()
        .contains("alias"));
    find("ORB901", "deep-flow.yaml");
    find("ORB901", "truncated.yaml");
    find("ORB202", "orb/aws_templates.json");
    // The sentinel is reported, with a suggestion.
    assert!(find("ORB201", "sentinel/aws_templates.json")["help"]
        .as_str()
        .unwrap()
        .contains("EC2Fleet"));
    // BOM and CRLF files are valid policies, not errors.
    for ok in ["bom.json", "crlf.json"] {
        assert!(
            !diags
                .iter()
                .any(|d| d["file"] == ok && d["code"] == "ORB901"),
            "{ok}: {out}"
        );
    }
    // Links are never followed: nothing under root-link or loop/parent, and /dev/zero is never read.
    assert!(!diags.iter().any(|d| {
        let f = d["file"].as_str().unwrap();
        f.starts_with("root-link") || f.starts_with("loop/") || f == "zero.json" || f == "self.json"
    }));
    // Running as root reads mode-000 files anyway; otherwise the file is reported as unreadable.
    let readable = std::fs::File::open(tmp.path().join("unreadable.json")).is_ok();
    if !readable {
        assert!(find("ORB902", "unreadable.json")["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"));
    }
}

#[test]
fn terminal_output_carries_no_control_characters() {
    let tmp = tempfile::tempdir().unwrap();
    build_hostile_folder(tmp.path());
    for format in ["human", "concise"] {
        let (out, _, _, _) =
            scan_capped(tmp.path(), &[".", "--format", format, "--color", "never"]);
        let bad: Vec<char> = out
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            bad.is_empty(),
            "{format}: raw control characters {bad:?} reach the terminal"
        );
        assert!(
            out.contains("escape\\u{1b}[2J\\u{a}name.json"),
            "{format}: hostile file name is escaped"
        );
    }
}

#[test]
fn large_files_within_a_raised_limit_parse_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    build_hostile_folder(tmp.path());
    let (out, stderr, _, elapsed) = scan_capped(
        tmp.path(),
        &[".", "--format", "json", "--max-filesize", "16777216"],
    );
    assert!(stderr.is_empty(), "{stderr}");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["summary"]["documents"]["policies"].as_u64().unwrap() >= 5,
        "{}",
        v["summary"]
    );
}

/// A minified policy is one long line, and each of its findings is drawn with a snippet of it: the
/// human report quotes a window of the line around each label, so it grows with the findings, not
/// with findings × line length.
#[test]
fn long_lines_are_quoted_in_windows() {
    let tmp = tempfile::tempdir().unwrap();
    // 2,000 unknown keys on a 100 KB second line; `é` makes columns differ from byte offsets.
    let keys: Vec<String> = (0..2_000)
        .map(|i| format!(r#""k{i}": "{}""#, "é".repeat(20)))
        .collect();
    let statement = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#;
    let text = format!("\n{{{}, \"Statement\": [{statement}]}}\n", keys.join(", "));
    assert!(text.len() > 100_000);
    write(tmp.path(), "minified.json", &text);
    let (out, stderr, code, elapsed) =
        scan_capped(tmp.path(), &[".", "--format", "human", "--color", "never"]);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(code, Some(1));
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    let findings = out.matches("error[ORB303]").count();
    assert_eq!(findings, 2_000);
    assert!(
        out.len() / findings < 1_000,
        "{} bytes for {findings} findings",
        out.len()
    );
    // The finding on `k1500`: its real line and column (in characters), and a cut line.
    let offset = text.find(r#""k1500""#).unwrap();
    let column = text[..offset].chars().count(); // the first line is empty: one `\n` to skip
    let at = out.find("unknown key `k1500`").unwrap();
    let snippet: Vec<&str> = out[at..].lines().take(5).collect();
    assert_eq!(snippet[1], format!("  ┌─ minified.json:2:{column}"));
    assert!(
        snippet[3].starts_with("2 │ …") && snippet[3].ends_with('…'),
        "{snippet:#?}"
    );
    let quoted = &snippet[3]["2 │ ".len()..];
    assert!(quoted.contains(r#""k1500": ""#) && quoted.chars().count() < 200);
    let chars_to = |line: &str, pat: &str| line[..line.find(pat).unwrap()].chars().count();
    assert_eq!(
        chars_to(snippet[4], "^^^^^^^ IAM rejects this key"),
        chars_to(snippet[3], r#""k1500""#),
        "{snippet:#?}"
    );
}

/// Resource globs hundreds of thousands of characters long, in a policy ORB's deployment is checked
/// against (ORB110 says it joined ORB's principal): comparing them with the resources ORB needs
/// neither recurses per character (which overflowed the stack) nor takes long.
#[test]
fn long_resource_globs_are_compared_without_recursion() {
    let (_tmp, root) = common::fixture_copy("testdata/rules/ORB108/trigger");
    let long = |head: &str, unit: &str, tail: &str| format!("{head}{}{tail}", unit.repeat(150_000));
    let statements = [
        ("iam:PassRole", long("arn:aws:iam::*:role/", "aa", "*")),
        ("*", long("arn:aws:iam::*:role/", "*a", "")),
        ("ec2:CreateFleet", long("*", "a?", "")),
    ]
    .map(|(action, resource)| {
        format!(r#"{{"Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}"#)
    });
    write(
        &root,
        "iam/long-globs.json",
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            statements.join(", ")
        ),
    );
    let (out, stderr, code, elapsed) = scan_capped(&root, &[".", "--format", "json"]);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(code, Some(1), "findings exit 1");
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    let v = common::json(&out);
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "ORB110" && d["file"] == "iam/long-globs.json"),
        "the long globs' policy was not checked as ORB's"
    );
}
