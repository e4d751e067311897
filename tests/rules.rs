//! Every rule in the registry has a fixture repo that triggers it, one that must not, and a snapshot of
//! its human output, all run through the real binary. `UPDATE_SNAPSHOTS=1` rewrites the snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules")
}

/// Runs orb-scan on `.` inside `dir` with the fixture's extra arguments (`<kind>.args`, one per line).
fn run(dir: &Path, args_file: &Path, extra: &[&str]) -> (String, i32) {
    let mut args: Vec<String> = std::fs::read_to_string(args_file)
        .map(|t| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = Command::new(env!("CARGO_BIN_EXE_orb-scan"))
        .current_dir(dir)
        .arg(".")
        .args(&args)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .output()
        .expect("run orb-scan");
    assert!(
        out.stderr.is_empty(),
        "{}: stderr: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("utf-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

fn codes(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json output");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_rule_triggers_stays_quiet_and_matches_its_snapshot() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for rule in orb_scan::registry::RULES {
        let base = rules_dir().join(rule.code);
        let (trigger, clean) = (base.join("trigger"), base.join("clean"));
        if !trigger.is_dir() || !clean.is_dir() {
            failures.push(format!(
                "{}: needs testdata/rules/{0}/trigger and /clean",
                rule.code
            ));
            continue;
        }
        let (json, _) = run(&trigger, &base.join("trigger.args"), &["--format", "json"]);
        if !codes(&json).iter().any(|c| c == rule.code) {
            failures.push(format!(
                "{}: trigger fixture does not trigger it",
                rule.code
            ));
        }
        let (json, _) = run(&clean, &base.join("clean.args"), &["--format", "json"]);
        if codes(&json).iter().any(|c| c == rule.code) {
            failures.push(format!("{}: clean fixture triggers it", rule.code));
        }
        let (human, _) = run(&trigger, &base.join("trigger.args"), &["--color", "never"]);
        let snapshot = base.join("trigger.stdout");
        if update {
            std::fs::write(&snapshot, &human).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(human.as_str()) {
            failures.push(format!(
                "{}: human output differs from {} (UPDATE_SNAPSHOTS=1 to accept):\n{human}",
                rule.code,
                snapshot.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each clean fixture that holds a full deployment and policy is entirely quiet: no error, no warning.
#[test]
fn complete_policies_give_no_errors_or_warnings() {
    for code in [
        "ORB100", "ORB101", "ORB104", "ORB105", "ORB106", "ORB107", "ORB108", "ORB109", "ORB110",
        "ORB111",
    ] {
        let dir = rules_dir().join(code).join("clean");
        let (json, status) = run(&dir, Path::new("/nonexistent"), &["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["summary"]["errors"], 0, "{code}: {json}");
        assert_eq!(v["summary"]["warnings"], 0, "{code}: {json}");
        assert_eq!(status, 0, "{code}");
    }
}
