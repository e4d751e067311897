//! `--changed-files` through the binary: with `--format github`, a finding whose own file the change
//! did not touch is annotated at its first place in a file it did (ORB105's trigger: the finding is
//! at the template setting, its label at the policy that lacks the permission).

mod common;

use common::{fixture_copy, orb_scan};
use std::path::Path;

const CONFIG: &str = "config/aws_templates.json";
const POLICY: &str = "iam/orb-policy.json";

/// The single annotation of the ORB105 trigger: (file, line, message), with the changed-files list
/// `list` when given.
fn annotation(dir: &Path, scanned: &str, list: Option<&[u8]>) -> (String, String, String) {
    let list_file = dir.parent().unwrap().join("changed.txt");
    let mut args = vec![scanned, "--format", "github"];
    if let Some(list) = list {
        std::fs::write(&list_file, list).unwrap();
        args.extend(["--changed-files", list_file.to_str().unwrap()]);
    }
    let run = orb_scan(dir, &args);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    // The workflow commands; the scope lines after them are plain log lines.
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let (head, message) = lines[0]
        .split_once("::")
        .unwrap()
        .1
        .split_once("::")
        .unwrap();
    let property = |key: &str| {
        head.split(',')
            .find_map(|p| p.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("no {key} in {head}"))
            .to_string()
    };
    (property("file"), property("line"), message.to_string())
}

#[test]
fn without_a_list_the_annotation_is_at_the_finding() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    let (file, line, message) = annotation(&root, ".", None);
    assert_eq!((file.as_str(), line.as_str()), (CONFIG, "5"));
    assert!(
        message.contains("%0Aiam/orb-policy.json:3:3: checked this policy"),
        "{message}"
    );
}

#[test]
fn a_change_to_the_policy_only_moves_the_annotation_there() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    let (file, line, message) = annotation(&root, ".", Some(format!("{POLICY}\n").as_bytes()));
    assert_eq!((file.as_str(), line.as_str()), (POLICY, "3"));
    // The message now names the finding's own place, with its label, and not the policy again.
    assert!(
        message.contains("%0Aconfig/aws_templates.json:5:7: this template inherits machine_image"),
        "{message}"
    );
    assert!(!message.contains("iam/orb-policy.json:"), "{message}");
    assert!(message.starts_with("template `al2023`"), "{message}");
}

#[test]
fn the_finding_stays_where_it_is_when_its_own_file_changed_or_no_place_did() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    for list in [
        format!("{POLICY}\n{CONFIG}\n"),
        format!("{CONFIG}\n"),
        "README.md\nother/iam/orb-policy.json\n".to_string(),
        String::new(),
    ] {
        let (file, _, _) = annotation(&root, ".", Some(list.as_bytes()));
        assert_eq!(file, CONFIG, "changed: {list:?}");
    }
}

#[test]
fn lists_as_git_prints_them() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    // `git diff --name-only -z`: NUL-terminated, so a name may hold a line break.
    let nul = format!("odd\nname.json\0./{POLICY}\0");
    let (file, _, _) = annotation(&root, ".", Some(nul.as_bytes()));
    assert_eq!(file, POLICY);
    // Lines written on Windows.
    let crlf = format!("README.md\r\n{POLICY}\r\n");
    let (file, _, _) = annotation(&root, ".", Some(crlf.as_bytes()));
    assert_eq!(file, POLICY);
    // In the NUL form a line break is part of a name: no policy changed.
    let (file, _, _) = annotation(&root, ".", Some(format!("x\n{POLICY}\0").as_bytes()));
    assert_eq!(file, CONFIG);
}

#[test]
fn paths_are_relative_to_the_current_folder_like_the_annotations() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    let outer = root.parent().unwrap();
    let list = format!("repo/{POLICY}\n");
    let (file, line, _) = annotation(outer, "repo", Some(list.as_bytes()));
    assert_eq!(
        (file.as_str(), line.as_str()),
        ("repo/iam/orb-policy.json", "3")
    );
    // The same name without the folder names another file.
    let (file, _, _) = annotation(outer, "repo", Some(format!("{POLICY}\n").as_bytes()));
    assert_eq!(file, "repo/config/aws_templates.json");
}

#[test]
fn the_option_is_for_github_annotations_and_a_readable_list() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    let list = root.parent().unwrap().join("changed.txt");
    std::fs::write(&list, POLICY).unwrap();
    let list = list.to_str().unwrap();
    let run = orb_scan(&root, &[".", "--format", "json", "--changed-files", list]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("--changed-files places annotations: it needs --format github"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    let run = orb_scan(
        &root,
        &[".", "--format", "github", "--changed-files", "missing.txt"],
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("missing.txt: cannot read"),
        "{}",
        run.stderr
    );

    let big = root.parent().unwrap().join("big.txt");
    std::fs::write(&big, vec![b'a'; (16 << 20) + 1]).unwrap();
    let run = orb_scan(
        &root,
        &[
            ".",
            "--format",
            "github",
            "--changed-files",
            big.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("not a list of changed files"),
        "{}",
        run.stderr
    );
}
