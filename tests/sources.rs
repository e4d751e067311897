//! The workspace keeps the text of a scanned file only when the report will quote it whatever else
//! the scan holds (a reader reported on it, or a policy in it breaks IAM's grammar or names an action
//! the catalog does not spell so); the report reads again the other files its diagnostics quote, and
//! says so when one changed in between.

use orb_scan::base::diagnostic::FilePath;
use orb_scan::read::walk::WalkOptions;
use orb_scan::report::{concise, github, human, json, sarif};
use orb_scan::ScanOptions;
use std::path::Path;

const TYPO: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "ec2:DescribeInstancez", "Resource": "*"}]}
"#;
const CLEAN: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}
"#;
const UNREADABLE: &str = r#"{"Version": "2012-10-17", "Statement": [ {"#;
/// Quoted by a rule (ORB304), but only once the rules have run: read again for the report.
const PASS_ROLE: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
"#;

fn scan_options(dir: &Path, keep_text: bool) -> ScanOptions {
    ScanOptions {
        paths: vec![dir.to_path_buf()],
        root: dir.to_path_buf(),
        walk: WalkOptions::default(),
        stdin_name: None,
        keep_text,
    }
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("typo.json"), TYPO).unwrap();
    std::fs::write(dir.path().join("clean.json"), CLEAN).unwrap();
    std::fs::write(dir.path().join("broken-policy.json"), UNREADABLE).unwrap();
    std::fs::write(dir.path().join("pass-role.json"), PASS_ROLE).unwrap();
    dir
}

fn pass_role() -> FilePath {
    "pass-role.json".into()
}

fn names(keys: impl Iterator<Item = impl AsRef<str>>) -> Vec<String> {
    keys.map(|k| k.as_ref().to_string()).collect()
}

#[test]
fn only_files_the_report_quotes_anyway_keep_their_text() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    assert_eq!(
        names(ws.sources.keys()),
        ["broken-policy.json", "typo.json"]
    );
    assert_eq!(names(ws.unkept.keys()), ["clean.json", "pass-role.json"]);

    let report = orb_scan::check(&ws, &[], &[]);
    assert!(report.diagnostics.iter().any(|d| d.code == "ORB301"));
    assert!(report.diagnostics.iter().any(|d| d.code == "ORB304"));
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.file.as_ref() != "clean.json"));
    // Read again for the diagnostic that quotes it; the clean file is not read at all.
    assert_eq!(
        names(report.sources.keys()),
        ["broken-policy.json", "pass-role.json", "typo.json"]
    );
    assert_eq!(report.sources[&pass_role()].as_str(), PASS_ROLE);
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.notes.iter().all(|n| !n.contains("changed"))));
}

/// What makes a policy's file quoted whatever the rest of the scan holds, and what does not.
#[test]
fn a_policy_is_quoted_anyway_for_its_grammar_or_an_action_the_catalog_spells_otherwise() {
    let statement = |action: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [
  {{"Effect": "Allow", "Action": ["ec2:DescribeInstances", "{action}"], "Resource": "*"}}]}}
"#
        )
    };
    let cases = [
        (
            "unknown-action.json",
            statement("ec2:DescribeInstancez"),
            true,
        ),
        (
            "unknown-service.json",
            statement("ecc2:DescribeInstances"),
            true,
        ),
        ("capital-prefix.json", statement("EC2:DescribeImages"), true),
        (
            "no-version.json",
            CLEAN.replace(r#""Version": "2012-10-17", "#, ""),
            true,
        ),
        // Any case of the action's name is the same action to IAM, and to the catalog's remarks.
        ("name-case.json", statement("ec2:describeimages"), false),
        ("known.json", statement("ec2:DescribeImages"), false),
        // A glob is judged with the others, once the scan is read: no guess here.
        ("glob.json", statement("ecc2:Describe*"), false),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text, _) in &cases {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    let report = orb_scan::check(&ws, &[], &[]);
    for (name, _, kept) in &cases {
        let file: FilePath = (*name).into();
        assert_eq!(ws.sources.contains_key(&file), *kept, "{name}");
        assert_eq!(ws.unkept.contains_key(&file), !kept, "{name}");
        if *kept {
            assert!(
                report.diagnostics.iter().any(|d| d.file == file),
                "{name} was kept, so a diagnostic quotes it"
            );
        }
    }
}

#[test]
fn keep_text_keeps_every_file() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), true));
    assert_eq!(
        names(ws.sources.keys()),
        [
            "broken-policy.json",
            "clean.json",
            "pass-role.json",
            "typo.json"
        ]
    );
    assert!(ws.unkept.is_empty());
}

#[test]
fn a_file_changed_during_the_scan_is_not_quoted_and_says_so() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    // Same length, other text.
    let path = dir.path().join("pass-role.json");
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, PASS_ROLE.replace("iam:", "IAM:")).unwrap();

    let report = orb_scan::check(&ws, &[], &[]);
    assert!(!report.sources.contains_key(&pass_role()));
    let pass_role = report
        .diagnostics
        .iter()
        .find(|d| d.code == "ORB304")
        .expect("the wildcard PassRole is still reported");
    assert!(
        pass_role
            .notes
            .iter()
            .any(|n| n.contains("changed during the scan")),
        "{:?}",
        pass_role.notes
    );
    // Every renderer copes with spans into a file it has no text for.
    let mut out = Vec::new();
    human::render(&report, 2, &mut termcolor::NoColor::new(&mut out)).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("iam:PassRole") && text.contains("changed during the scan"));
    assert!(!text.contains("IAM:"), "never quotes the new text:\n{text}");
    let mut out = Vec::new();
    json::render(&report, &mut out).unwrap();
    concise::render(&report, &mut termcolor::NoColor::new(&mut out)).unwrap();
    github::render(&report, &Default::default(), &mut out).unwrap();
    sarif::render(&report, dir.path(), &mut out).unwrap();
}

#[test]
fn a_deleted_file_is_reported_without_its_text() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    std::fs::remove_file(dir.path().join("pass-role.json")).unwrap();
    let report = orb_scan::check(&ws, &[], &[]);
    assert!(!report.sources.contains_key(&pass_role()));
    let quoting: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.file.as_ref() == "pass-role.json")
        .collect();
    assert!(!quoting.is_empty());
    assert!(quoting.iter().all(|d| d
        .notes
        .iter()
        .any(|n| n.contains("changed during the scan"))));
}
