//! Running the real binary from integration tests, and building small fixture trees.
#![allow(dead_code)] // each test crate uses its own subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/<sub>` beside the checkout (the shared corpus and data), or `None` after saying that
/// the test skipped it.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let path = repo().join("../shared").join(sub);
    if path.exists() {
        Some(path)
    } else {
        skipped(&format!("{} is absent", path.display()));
        None
    }
}

/// Says on the terminal that a check did not run: written to standard error itself, past the test
/// harness's capture, so `cargo test` on a fresh clone shows what it could not check.
pub fn skipped(why: &str) {
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// A command for the binary in `dir`, with every variable that changes its output removed.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orb-scan"));
    cmd.current_dir(dir).args(args);
    for var in [
        "GITHUB_ACTIONS",
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "TERM",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs orb-scan inside `dir` with colour off and no CI environment.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    command(dir, args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run orb-scan")
}

/// Runs orb-scan on each scenario folder under `folder` (at least `at_least` of them) and compares
/// its human output with the snapshot `<name>.stdout` beside it; `UPDATE_SNAPSHOTS=1` rewrites them.
/// A scenario writes nothing on standard error.
pub fn scenarios_match_their_snapshots(folder: &Path, at_least: usize) {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= at_least, "{names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let o = run_in(&folder.join(name), &[".", "--color", "never"]);
        assert!(
            o.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let human = String::from_utf8(o.stdout).unwrap();
        let snapshot = folder.join(format!("{name}.stdout"));
        if update {
            std::fs::write(&snapshot, &human).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(human.as_str()) {
            failures.push(format!(
                "{name}: output differs from {} (UPDATE_SNAPSHOTS=1 to accept):\n{human}",
                snapshot.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs orb-scan inside `dir` and reads its JSON output; it writes nothing on standard error.
pub fn json_in(dir: &Path, args: &[&str]) -> serde_json::Value {
    let o = run_in(dir, args);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// Standard output and exit code.
pub fn stdout_in(dir: &Path, args: &[&str]) -> (String, i32) {
    let out = run_in(dir, args);
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

/// The rule fixtures (`testdata/rules/CODE/{trigger,clean}`) that hold ORB templates, sorted.
pub fn fixtures_with_templates() -> Vec<PathBuf> {
    let rules = repo().join("testdata/rules");
    let mut dirs: Vec<_> = std::fs::read_dir(&rules)
        .unwrap()
        .flat_map(|e| {
            let code = e.unwrap().path();
            [code.join("trigger"), code.join("clean")]
        })
        .filter(|d| d.join("config/aws_templates.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

/// Runs `cmd` with `stdin` as its standard input and collects what it printed.
pub fn run(mut cmd: Command, stdin: Option<&[u8]>) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run orb-scan");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default())
        .expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("wait for orb-scan");
    Run {
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        code: out.status.code(),
    }
}

/// orb-scan in `dir` with nothing from the environment that changes its output.
pub fn orb_scan(dir: &Path, args: &[&str]) -> Run {
    run(command(dir, args), None)
}

/// Writes `files` (relative path, text) under `dir`.
pub fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A copy of a fixture folder of the repository in a fresh temporary folder, with a `.git` folder
/// so settings discovery stops there.
pub fn fixture_copy(fixture: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    copy_tree(&repo().join(fixture), &root);
    (tmp, root)
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The codes of a `--format json` report.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Runs orb-scan with `input` on standard input.
pub fn run_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_orb-scan"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run orb-scan");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
