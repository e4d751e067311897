//! The workspace keeps the text of a scanned file only when a reader reported on it; the report
//! reads again the files its diagnostics quote, and says so when one changed in between.

use orb_scan::diagnostic::FilePath;
use orb_scan::report::{concise, github, human, json, sarif};
use orb_scan::walk::WalkOptions;
use orb_scan::ScanOptions;
use std::path::Path;

const TYPO: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "ec2:DescribeInstancez", "Resource": "*"}]}
"#;
const CLEAN: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}
"#;
const UNREADABLE: &str = r#"{"Version": "2012-10-17", "Statement": [ {"#;

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
    dir
}

fn typo() -> FilePath {
    "typo.json".into()
}

fn names(keys: impl Iterator<Item = impl AsRef<str>>) -> Vec<String> {
    keys.map(|k| k.as_ref().to_string()).collect()
}

#[test]
fn only_files_a_reader_reported_on_keep_their_text() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    assert_eq!(names(ws.sources.keys()), ["broken-policy.json"]);
    assert_eq!(names(ws.unkept.keys()), ["clean.json", "typo.json"]);

    let report = orb_scan::check(&ws, &[], &[]);
    assert!(report.diagnostics.iter().any(|d| d.code == "ORB301"));
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.file.as_ref() != "clean.json"));
    // Read again for the diagnostic that quotes it; the clean file is not read at all.
    assert_eq!(
        names(report.sources.keys()),
        ["broken-policy.json", "typo.json"]
    );
    assert_eq!(report.sources[&typo()].as_str(), TYPO);
    assert!(report
        .diagnostics
        .iter()
        .all(|d| d.notes.iter().all(|n| !n.contains("changed"))));
}

#[test]
fn keep_text_keeps_every_file() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), true));
    assert_eq!(
        names(ws.sources.keys()),
        ["broken-policy.json", "clean.json", "typo.json"]
    );
    assert!(ws.unkept.is_empty());
}

#[test]
fn a_file_changed_during_the_scan_is_not_quoted_and_says_so() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    // Same length, other text.
    let path = dir.path().join("typo.json");
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, TYPO.replace("ec2", "EC2")).unwrap();

    let report = orb_scan::check(&ws, &[], &[]);
    assert!(!report.sources.contains_key(&typo()));
    let typo = report
        .diagnostics
        .iter()
        .find(|d| d.code == "ORB301")
        .expect("the typo is still reported");
    assert!(
        typo.notes
            .iter()
            .any(|n| n.contains("changed during the scan")),
        "{:?}",
        typo.notes
    );
    // Every renderer copes with spans into a file it has no text for.
    let mut out = Vec::new();
    human::render(&report, 2, &mut termcolor::NoColor::new(&mut out)).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("ec2:DescribeInstancez") && text.contains("changed during the scan"));
    assert!(!text.contains("EC2"), "never quotes the new text:\n{text}");
    let mut out = Vec::new();
    json::render(&report, &mut out).unwrap();
    concise::render(&report, &mut out).unwrap();
    github::render(&report, &mut out).unwrap();
    sarif::render(&report, dir.path(), &mut out).unwrap();
}

#[test]
fn a_deleted_file_is_reported_without_its_text() {
    let dir = tree();
    let ws = orb_scan::collect(&scan_options(dir.path(), false));
    std::fs::remove_file(dir.path().join("typo.json")).unwrap();
    let report = orb_scan::check(&ws, &[], &[]);
    assert!(!report.sources.contains_key(&typo()));
    assert!(report
        .diagnostics
        .iter()
        .filter(|d| d.file.as_ref() == "typo.json")
        .all(|d| d
            .notes
            .iter()
            .any(|n| n.contains("changed during the scan"))));
}
