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
    scan_under(dir, args, MEMORY_CAP_KB)
}

/// `scan_capped` with another address-space cap, in KiB.
fn scan_under(dir: &Path, args: &[&str], cap_kb: u64) -> (String, String, Option<i32>, Duration) {
    let script = format!("ulimit -v {cap_kb}; exec \"$0\" \"$@\"");
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
    // Terraform: nesting past hcl-edit's limit, a huge heredoc of JSON, bytes that are not UTF-8,
    // an unterminated heredoc, templates nested in templates, a file() that climbs out of the
    // repository and one that names a link.
    let iam = "resource \"aws_iam_policy\" \"p\" {\n  policy = ";
    write(
        dir,
        "tf/deep.tf",
        format!(
            "{iam}jsonencode({}{})\n}}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let statements =
        vec![r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#; 4_000]
            .join(",\n");
    write(
        dir,
        "tf/heredoc.tf",
        format!("{iam}<<EOT\n{{\"Statement\": [{statements}]}}\nEOT\n}}\n"),
    );
    write(
        dir,
        "tf/invalid-utf8.tf",
        b"resource \"aws_iam_role\" \"r\" { name = \"\xff\xfe\" }\n",
    );
    write(
        dir,
        "tf/unterminated.tf",
        format!("{iam}<<EOT\n{{\"Statement\": []}}\n"),
    );
    write(
        dir,
        "tf/templates.tf",
        format!(
            "{iam}\"${{\"${{\"${{\"${{{}}}\"}}\"}}\"}}\"\n}}\n",
            "\"${\"".repeat(30)
        ),
    );
    write(
        dir,
        "tf/escape/main.tf",
        format!("{iam}file(\"${{path.module}}/../../../../etc/passwd\")\n}}\nresource \"aws_iam_policy\" \"q\" {{\n  policy = file(\"${{path.module}}/link.json\")\n}}\n"),
    );
    symlink("/etc/hostname", dir.join("tf/escape/link.json")).unwrap();
    // Terraform's JSON syntax: nesting past the JSON reader's limit, and a string of escapes that
    // decode to interpolations inside interpolations.
    let json_iam = r#"{"resource": {"aws_iam_policy": {"p": {"policy": "#;
    write(
        dir,
        "tf/deep.tf.json",
        format!(
            "{json_iam}{}{}}}}}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    write(
        dir,
        "tf/escapes.tf.json",
        format!(
            "{json_iam}\"{}{}\"}}}}}}}}",
            "\\u0024{\\\"".repeat(20_000),
            "\\\"}".repeat(20_000)
        ),
    );
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
    find("ORB901", "tf/deep.tf");
    find("ORB901", "tf/invalid-utf8.tf");
    find("ORB901", "tf/unterminated.tf");
    find("ORB901", "tf/deep.tf.json");
    assert!(
        v["summary"]["documents"]["policies"].as_u64() >= Some(1),
        "the heredoc's policy is read"
    );
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
    // Each unknown key is a finding; past them the policy's problem cap speaks once.
    let findings = out.matches("error[ORB303]: unknown key `k").count();
    assert_eq!(findings, 2_000);
    assert_eq!(out.matches("more problems than the first").count(), 1);
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

// ---- Round two (issue 27): writes, names, memory and the prefilter -------------------------------

/// The scale cases are generated here, never committed: a policy of `count` statements, each
/// `statement(i)`, as one line.
fn policy_of(count: usize, statement: impl Fn(usize) -> String) -> String {
    let statements: Vec<String> = (0..count).map(statement).collect();
    format!(r#"{{"Statement":[{}]}}"#, statements.join(","))
}

/// A three-character Sid for `i` (67³ of them), as the issue's case used to fit 295,765 in 4 MiB.
fn sid(i: usize) -> String {
    const A: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.+=";
    [A[i / 4489], A[i / 67 % 67], A[i % 67]]
        .iter()
        .map(|&b| b as char)
        .collect()
}

/// Runs one scale case under a tighter cap than the folder's: time and memory are bounded by
/// orders of magnitude (the cases took minutes and gigabytes before), never measured to the second.
fn scan_scaled(dir: &Path, args: &[&str]) -> (serde_json::Value, Option<i32>) {
    let (out, stderr, code, _) = scan_capped(dir, args);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    (common::json(&out), code)
}

fn diagnostics_of<'v>(v: &'v serde_json::Value, code: &str) -> Vec<&'v serde_json::Value> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

/// 71,155 full statements with distinct Sids (18 s before: a list searched per statement) and
/// 295,765 distinct Sids under 4 MiB (4 min 47 s): the Sid check is a hash index now.
#[test]
fn many_distinct_sids_are_checked_in_linear_time() {
    let tmp = tempfile::tempdir().unwrap();
    let full = policy_of(71_155, |i| {
        format!(
            r#"{{"Sid":"{}","Effect":"Deny","Action":"*","Resource":"*"}}"#,
            sid(i)
        )
    });
    assert!(full.len() < 4 << 20);
    write(tmp.path(), "full/policy.json", &full);
    let (v, _) = scan_scaled(&tmp.path().join("full"), &[".", "--format", "json"]);
    assert_eq!(v["summary"]["documents"]["policies"], 1, "{}", v["summary"]);
    assert!(diagnostics_of(&v, "ORB902").is_empty());
    // Distinct Sids are no duplicates; a repeated one still is, pointing at the first.
    let dup = policy_of(20_000, |i| {
        format!(
            r#"{{"Sid":"S{}","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            i % 19_999
        )
    });
    write(tmp.path(), "dup/policy.json", &dup);
    let (v, _) = scan_scaled(&tmp.path().join("dup"), &[".", "--format", "json"]);
    let dups: Vec<_> = diagnostics_of(&v, "ORB303")
        .into_iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("duplicate `Sid` \"S0\"")
        })
        .collect();
    assert_eq!(dups.len(), 1, "{}", v["summary"]);
    assert_eq!(dups[0]["labels"][0]["message"], "first used here");
    let sids = policy_of(295_765, |i| format!(r#"{{"Sid":"{}"}}"#, sid(i)));
    assert!(sids.len() < 4 << 20);
    write(tmp.path(), "sids/policy.json", &sids);
    let (v, _) = scan_scaled(&tmp.path().join("sids"), &[".", "--format", "json"]);
    assert_eq!(diagnostics_of(&v, "ORB902").len(), 1, "{}", v["summary"]);
}

/// 296k tiny statements in 3.8 MB (three findings each) took 1.1 GB, three such files 3.3 GB:
/// a file may hold memory in proportion to its size, and one that needs more is skipped with
/// ORB902. Under a 1 GiB address-space cap for the three files together.
#[test]
fn memory_stays_proportional_to_the_bytes_read() {
    let tmp = tempfile::tempdir().unwrap();
    let tiny = policy_of(296_000, |_| r#"{"Effect":0}"#.to_string());
    for name in ["a.json", "b.json", "c.json"] {
        write(tmp.path(), name, &tiny);
    }
    write(tmp.path(), "ok.json", policy("ec2:CreateFleet"));
    let (stdout, stderr, _, _) = scan_under(tmp.path(), &[".", "--format", "json"], 1 << 20);
    assert!(stderr.is_empty(), "{stderr}");
    let v = common::json(&stdout);
    let skipped: Vec<&str> = diagnostics_of(&v, "ORB902")
        .iter()
        .map(|d| {
            assert!(
                d["message"].as_str().unwrap().contains("memory budget"),
                "{d}"
            );
            d["file"].as_str().unwrap()
        })
        .collect();
    assert_eq!(skipped, ["a.json", "b.json", "c.json"]);
    // The small policy beside them is still read.
    assert_eq!(v["summary"]["documents"]["policies"], 1);
}

/// Fifty thousand globs in orb-scan.toml (a compiled expression each took 400 MB) fit in a 256 MiB
/// address space, and still exclude what they name.
#[test]
fn many_globs_cost_about_their_text() {
    let tmp = tempfile::tempdir().unwrap();
    let globs: Vec<String> = (0..50_000)
        .map(|i| format!("\"gen{i}/**/*.json\""))
        .collect();
    let settings = format!("exclude = [{}]\n", globs.join(","));
    assert!(settings.len() < 1 << 20);
    write(tmp.path(), "orb-scan.toml", settings);
    write(tmp.path(), "gen49999/a/p.json", policy("ec2:CreatFleet"));
    write(tmp.path(), "kept/p.json", policy("ec2:CreatFleet"));
    let (out, stderr, _, _) = scan_under(tmp.path(), &[".", "--format", "json"], 256 << 10);
    assert!(stderr.is_empty(), "{stderr}");
    let v = common::json(&out);
    let files: Vec<&str> = diagnostics_of(&v, "ORB301")
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["kept/p.json"]);
}

/// A settings file is bounded too: past 1 MiB it is not read (100k globs took 982 MB).
#[test]
fn oversized_settings_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let globs: Vec<String> = (0..100_000)
        .map(|i| format!("\"gen{i}/**/*.json\""))
        .collect();
    write(
        tmp.path(),
        "orb-scan.toml",
        format!("exclude = [{}]\n", globs.join(",\n")),
    );
    write(tmp.path(), "p.json", policy("ec2:CreateFleet"));
    let (out, stderr, code, _) = scan_capped(tmp.path(), &[".", "--format", "json"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        stderr.contains("over the limit of 1048576 bytes for a settings file"),
        "{stderr}"
    );
}

/// Runs orb-scan in `dir` with the environment given, capturing everything.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Vec<u8>, String, Option<i32>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orb-scan"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// A deployment `--fix` edits: ORB's configs from a fixture, and its policy under `policy_name`.
fn fixable(dir: &Path, policy_name: &std::ffi::OsStr, policy_text: &str) {
    let fixture = common::repo().join("testdata/fix/tabs");
    std::fs::create_dir_all(dir.join("config")).unwrap();
    common::copy_tree(&fixture.join("config"), &dir.join("config"));
    std::fs::create_dir_all(dir.join("iam")).unwrap();
    std::fs::write(dir.join("iam").join(policy_name), policy_text).unwrap();
}

fn tabs_policy() -> String {
    std::fs::read_to_string(common::repo().join("testdata/fix/tabs/iam/orb.json")).unwrap()
}

/// `-o` never writes through a symbolic link a pull request committed where the report goes, nor
/// into a folder that links out of the repository.
#[test]
fn output_never_follows_links() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("victim");
    std::fs::write(&target, "keep").unwrap();
    write(tmp.path(), "p.json", policy("ec2:CreateFleet"));
    symlink(&target, tmp.path().join("results.sarif")).unwrap();
    symlink(outside.path(), tmp.path().join("out")).unwrap();
    for path in ["results.sarif", "out/results.sarif"] {
        let (_, stderr, code) = run_in(tmp.path(), &[".", "--format", "sarif", "-o", path], &[]);
        assert_eq!(code, Some(2), "{path}: {stderr}");
        assert!(stderr.contains("symbolic link"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert!(!outside.path().join("results.sarif").exists());
    // A fresh path, and a regular file, are written.
    let (_, stderr, code) = run_in(
        tmp.path(),
        &[".", "--format", "sarif", "-o", "new.sarif"],
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(std::fs::read_to_string(tmp.path().join("new.sarif"))
        .unwrap()
        .contains("\"version\": \"2.1.0\""));
}

/// A name holding a line break and a workflow command stays one escaped name on standard error and
/// in `--diff` headers; under Actions no line of either can start a command.
#[test]
fn fix_and_diff_lines_cannot_start_workflow_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "orb\n::error title=pwned::hi\n\u{2028}.json";
    fixable(tmp.path(), name.as_ref(), &tabs_policy());
    let actions = [("GITHUB_ACTIONS", "true")];
    let (diff, stderr, code) = run_in(tmp.path(), &["--diff"], &actions);
    assert_eq!(code, Some(1), "{stderr}");
    let diff = String::from_utf8(diff).unwrap();
    assert!(diff.starts_with("::stop-commands::"), "{diff}");
    let token = diff.lines().next().unwrap()["::stop-commands::".len()..].to_string();
    assert!(diff.ends_with(&format!("::{token}::\n")), "{diff}");
    let inside: Vec<&str> = diff.lines().skip(1).collect();
    let inside = &inside[..inside.len() - 1];
    assert!(
        inside.iter().all(|l| !l.trim_start().starts_with("::")),
        "{diff}"
    );
    assert!(
        diff.contains("--- a/iam/orb\\u{a}::error title=pwned::hi\\u{a}\\u{2028}.json"),
        "{diff}"
    );
    let (_, stderr, code) = run_in(tmp.path(), &["--fix", "--format", "json"], &actions);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.lines().all(|l| l.starts_with("orb-scan: ")),
        "{stderr}"
    );
    assert!(stderr.contains("fixed iam/orb\\u{a}::error"), "{stderr}");
    assert!(!stderr.contains('\u{2028}'));
}

/// `--fix` writes only the file it read, as it read it: not through a hard link (the other name
/// would change too), and never to a lossy stand-in for a name that is not UTF-8.
#[test]
fn fix_writes_only_the_file_it_read() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"orb\xff.json");
    fixable(tmp.path(), name, &tabs_policy());
    let (_, stderr, code) = run_in(tmp.path(), &["--fix"], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("fixed iam/orb\\xff.json"), "{stderr}");
    let names: Vec<_> = std::fs::read_dir(tmp.path().join("iam"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [name], "no second file beside it");
    assert_ne!(
        std::fs::read_to_string(tmp.path().join("iam").join(name)).unwrap(),
        tabs_policy()
    );

    let tmp = tempfile::tempdir().unwrap();
    fixable(tmp.path(), "orb.json".as_ref(), &tabs_policy());
    std::fs::hard_link(
        tmp.path().join("iam/orb.json"),
        tmp.path().join("elsewhere"),
    )
    .unwrap();
    let (_, stderr, code) = run_in(tmp.path(), &["--fix"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("iam/orb.json: not fixed: it has 2 hard links"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("elsewhere")).unwrap(),
        tabs_policy()
    );
}

/// Two names that differ only in bytes that are not UTF-8 are two files: each quoted from its own
/// text.
#[test]
fn names_that_are_not_utf8_never_collide() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let a = policy("ec2:CreateFleet");
    let b = format!("\n\n{}", policy("ec2:CreatFleet"));
    std::fs::write(
        tmp.path().join(std::ffi::OsStr::from_bytes(b"p\xfe.json")),
        &a,
    )
    .unwrap();
    std::fs::write(
        tmp.path().join(std::ffi::OsStr::from_bytes(b"p\xff.json")),
        &b,
    )
    .unwrap();
    let (out, _, _, _) = scan_capped(tmp.path(), &[".", "--format", "json"]);
    let v = common::json(&out);
    assert_eq!(v["summary"]["documents"]["policies"], 2);
    let unknown = diagnostics_of(&v, "ORB301");
    assert_eq!(unknown.len(), 1, "{out}");
    assert_eq!(unknown[0]["file"], "p\\xff.json");
    assert_eq!(
        unknown[0]["span"]["start"]["line"], 3,
        "quoted from its own text"
    );
    let (out, _, _, _) = scan_capped(tmp.path(), &[".", "--format", "sarif"]);
    assert!(out.contains("\"uri\": \"p%FF.json\""), "{out}");
}

/// A policy that spells its keys with escapes is a policy to IAM and to every reader: it is parsed,
/// not waved through by the prefilter.
#[test]
fn escapes_cannot_hide_a_policy() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "hidden.json",
        r#"{"Version": "2012-10-17", "Statem\u0065nt": [{"Effect": "Allow", "Action": "ec2:CreatFleet", "Resource": "*"}]}"#,
    );
    write(
        tmp.path(),
        "hidden.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\n\"Res\\x6furces\":\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        \"Statem\\u0065nt\":\n          - {Effect: Allow, Action: 'ec2:CreatFleet', Resource: '*'}\n",
    );
    let (out, _, _, _) = scan_capped(tmp.path(), &[".", "--format", "json"]);
    let v = common::json(&out);
    let files: Vec<&str> = diagnostics_of(&v, "ORB301")
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["hidden.json", "hidden.yaml"], "{out}");
}

/// `Effect: !If [C, Allow, Deny]` is valid CloudFormation: both branches, each doubtful, as
/// `Fn::If` everywhere; not ORB303.
#[test]
fn a_conditional_effect_is_both_effects() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "t.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nConditions:\n  C: !Equals [a, a]\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: !If [C, Allow, Deny]\n            Action: s3:GetObject\n            Resource: '*'\n          - Effect: {\"Fn::If\": [C, Deny, Allow]}\n            Action: s3:PutObject\n            Resource: '*'\n",
    );
    let (out, _, code, _) = scan_capped(tmp.path(), &[".", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        diagnostics_of(&common::json(&out), "ORB303").is_empty(),
        "{out}"
    );
}

/// `--fix` in a CRLF file ends every inserted line with CRLF, in JSON and in YAML.
#[test]
fn fix_keeps_crlf_line_endings() {
    for fixture in ["testdata/fix/tabs", "testdata/fix/yaml-template"] {
        let tmp = tempfile::tempdir().unwrap();
        common::copy_tree(&common::repo().join(fixture), tmp.path());
        let policy_file = if fixture.ends_with("tabs") {
            tmp.path().join("iam/orb.json")
        } else {
            tmp.path().join("cfn/orb.yaml")
        };
        let lf = std::fs::read_to_string(&policy_file).unwrap();
        std::fs::write(&policy_file, lf.replace('\n', "\r\n")).unwrap();
        let (_, stderr, code) = run_in(tmp.path(), &["--fix"], &[]);
        assert_eq!(code, Some(0), "{fixture}: {stderr}");
        let fixed = std::fs::read_to_string(&policy_file).unwrap();
        assert!(
            fixed.len() > lf.len() + lf.lines().count(),
            "{fixture}: nothing added"
        );
        let lone_lf = fixed
            .match_indices('\n')
            .filter(|(i, _)| !fixed[..*i].ends_with('\r'))
            .count();
        assert_eq!(lone_lf, 0, "{fixture}: {fixed:?}");
        assert!(!fixed.contains("\r\r"), "{fixture}: {fixed:?}");
    }
}

/// U+2028 and U+2029 end lines in editors and JavaScript: every format shows them escaped.
#[test]
fn line_and_paragraph_separators_are_escaped_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    fixable(
        tmp.path(),
        "orb\u{2028}x\u{2029}.json".as_ref(),
        &tabs_policy().replace("ec2:DescribeInstances", "ec2:Describe\u{2028}Instances"),
    );
    for args in [
        &[".", "--format", "human"][..],
        &[".", "--format", "concise"],
        &[".", "--format", "github"],
        &["inventory", "."],
    ] {
        let (out, stderr, _) = run_in(tmp.path(), args, &[]);
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains(['\u{2028}', '\u{2029}']), "{args:?}: {out}");
        assert!(
            !stderr.contains(['\u{2028}', '\u{2029}']),
            "{args:?}: {stderr}"
        );
        assert!(
            out.contains("orb\\u{2028}x\\u{2029}.json"),
            "{args:?}: {out}"
        );
    }
}

/// A folder that cannot be listed is said, as an unreadable file is (ORB902). Root reads anything,
/// so the scan runs as `nobody` when the tests run as root.
#[test]
fn unreadable_folders_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    write(tmp.path(), "locked/p.json", policy("ec2:CreateFleet"));
    std::fs::set_permissions(
        tmp.path().join("locked"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let root = std::fs::read_dir(tmp.path().join("locked")).is_ok();
    let mut cmd = if root {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_orb-scan"));
        cmd
    } else {
        Command::new(env!("CARGO_BIN_EXE_orb-scan"))
    };
    let out = match cmd
        .args([".", "--format", "json"])
        .current_dir(tmp.path())
        .output()
    {
        Ok(out) if !String::from_utf8_lossy(&out.stderr).contains("setpriv") => out,
        _ => {
            println!("cannot drop root's privileges here (setpriv): the unreadable folder case was not run");
            return;
        }
    };
    let v = common::json(&String::from_utf8(out.stdout).unwrap());
    let skipped = diagnostics_of(&v, "ORB902");
    assert_eq!(skipped.len(), 1, "{v}");
    assert_eq!(skipped[0]["file"], "locked");
    assert!(skipped[0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot read this folder: permission denied"));
}

/// YAML merge keys, which CloudFormation's YAML reader takes: `<<: *defaults` brings the anchored
/// keys in (no "unknown key `<<`"), and what they bring is checked like the rest.
#[test]
fn yaml_merge_keys_are_merged() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "t.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - &base\n            Effect: Allow\n            Action: s3:GetObject\n            Resource: '*'\n          - <<: *base\n            Action: ec2:CreatFleet\n",
    );
    let (out, _, _, _) = scan_capped(tmp.path(), &[".", "--format", "json"]);
    let v = common::json(&out);
    assert!(diagnostics_of(&v, "ORB303").is_empty(), "{out}");
    let unknown = diagnostics_of(&v, "ORB301");
    assert_eq!(unknown.len(), 1, "{out}");
    assert_eq!(unknown[0]["span"]["start"]["line"], 14);
}

/// A template of 12,000 roles, each with a policy attached by `Ref` (18 s before: every principal
/// tried every target of every template): links are found through an index.
#[test]
fn many_roles_link_in_linear_time() {
    let tmp = tempfile::tempdir().unwrap();
    let resources: Vec<String> = (0..12_000)
        .map(|i| {
            format!(
                r#""R{i}":{{"Type":"AWS::IAM::Role","Properties":{{"RoleName":"r{i}"}}}},"P{i}":{{"Type":"AWS::IAM::Policy","Properties":{{"PolicyName":"p","Roles":[{{"Ref":"R{i}"}}],"PolicyDocument":{{"Version":"2012-10-17","Statement":[]}}}}}}"#
            )
        })
        .collect();
    write(
        tmp.path(),
        "t.json",
        format!(
            r#"{{"AWSTemplateFormatVersion":"2010-09-09","Resources":{{{}}}}}"#,
            resources.join(",")
        ),
    );
    let (v, _) = scan_scaled(tmp.path(), &[".", "--format", "json"]);
    assert_eq!(
        v["summary"]["documents"]["policies"], 12_000,
        "{}",
        v["summary"]
    );
}
