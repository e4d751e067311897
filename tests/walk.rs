//! The walk hands every candidate to exactly one worker, whatever the thread count, and returns every
//! worker's state; the workspace collected from it does not depend on the thread count.

use orb_scan::{collect, read::walk, ScanOptions};
use std::path::Path;

const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["ec2:RunInstances", "EC2:DescribeInstances", "ec2:Nope"], "Resource": "*"}]}"#;

/// 60 policies in 12 folders, and files that are not candidates.
fn tree(dir: &Path) -> Vec<String> {
    let mut policies = Vec::new();
    for folder in 0..12 {
        let sub = dir.join(format!("f{folder}"));
        std::fs::create_dir_all(&sub).unwrap();
        for file in 0..5 {
            std::fs::write(sub.join(format!("p{file}.json")), POLICY).unwrap();
            policies.push(format!("f{folder}/p{file}.json"));
        }
        std::fs::write(sub.join("notes.md"), "Statement: none").unwrap();
        std::fs::write(sub.join("main.rs"), "fn main() {}").unwrap();
    }
    policies.sort();
    policies
}

fn options(threads: usize) -> walk::WalkOptions {
    walk::WalkOptions {
        threads,
        ..Default::default()
    }
}

#[test]
fn every_candidate_reaches_exactly_one_worker() {
    let dir = tempfile::tempdir().unwrap();
    let policies = tree(dir.path());
    for threads in 1..=4 {
        let (walked, states, skipped) = walk::walk(
            &[dir.path().to_path_buf()],
            dir.path(),
            &options(threads),
            |seen: &mut Vec<String>, candidate| seen.push(candidate.path.to_string()),
        );
        assert_eq!(states.len(), threads, "one state per worker");
        assert!(skipped.is_empty());
        assert_eq!(walked.files_seen, 84);
        let mut seen: Vec<String> = states.into_iter().flatten().collect();
        seen.sort();
        assert_eq!(seen, policies, "{threads} threads");
    }
}

#[test]
fn the_workspace_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let shape = |threads| {
        let ws = collect(&ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            root: dir.path().to_path_buf(),
            walk: options(threads),
            stdin_name: None,
            keep_text: false,
        });
        let policies: Vec<(String, usize)> = ws
            .policies
            .iter()
            .map(|p| (p.file.to_string(), p.statements[0].actions.items.len()))
            .collect();
        (
            ws.files_scanned,
            policies,
            ws.unkept.len(),
            ws.sources.len(),
        )
    };
    let one = shape(1);
    assert_eq!(one.1.len(), 60);
    for threads in 2..=4 {
        assert_eq!(shape(threads), one, "{threads} threads");
    }
}
