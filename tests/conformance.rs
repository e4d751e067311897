//! The requirements table against the committed conformance report (docs/conformance.json, written by
//! `conformance/run.sh --matrix drop-one --write-report`): every entry names the scenarios whose runs of
//! ORB verified it, those scenarios passed, orb-scan's needs in them were this entry's actions at this
//! entry's severity, ORB's calls asked for those actions, and each action ORB called itself, removed in
//! turn, did what the severity claims (or a named limit of the mock stopped it from showing). No Python
//! is needed: the report is data in the repository.

use orb_scan::orb::requirements::{table, Requirement};
use serde_json::Value;
use std::collections::BTreeSet;

fn report() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/conformance.json");
    let text = std::fs::read_to_string(&path).expect("docs/conformance.json is committed");
    serde_json::from_str(&text).expect("docs/conformance.json parses")
}

fn scenario<'a>(report: &'a Value, name: &str) -> Option<&'a Value> {
    report["scenarios"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == name)
}

fn strings(v: &Value) -> BTreeSet<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

const RANK: [&str; 3] = ["note", "warning", "error"];

fn rank(severity: &str) -> usize {
    RANK.iter().position(|s| *s == severity).unwrap_or(0)
}

/// What is wrong with one requirement's evidence, if anything.
fn problems(r: &Requirement, report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if r.verified.is_empty() {
        out.push(format!(
            "{}: names no conformance scenario (`verified`)",
            r.id
        ));
    }
    let limits: BTreeSet<&str> = report["mock_limits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    if let Some(limit) = &r.mock_limit {
        if !limits.contains(limit.as_str()) {
            out.push(format!(
                "{}: mock limit `{limit}` is not in the report",
                r.id
            ));
        }
    }
    // The severity, or one `on_update_failure` refines it to.
    let severities: Vec<&str> = std::iter::once(r.severity.as_str())
        .chain(r.severity_by_update_mode.values().map(String::as_str))
        .collect();
    for name in &r.verified {
        let Some(s) = scenario(report, name) else {
            out.push(format!("{}: scenario `{name}` is not in the report", r.id));
            continue;
        };
        for verdict in ["sufficiency", "resolution", "call_set"] {
            if s[verdict] != "pass" {
                out.push(format!(
                    "{}: scenario `{name}`: {verdict} is {}",
                    r.id, s[verdict]
                ));
            }
        }
        let called = strings(&s["called"]);
        let implied = strings(&s["implied"]);
        let needs = s["needs"].as_array().unwrap();
        for action in &r.actions {
            let entry = needs
                .iter()
                .find(|n| n["action"] == action.as_str() && n["requirement"] == r.id.as_str());
            match entry {
                None => out.push(format!(
                    "{}: scenario `{name}` did not need {action} from this entry",
                    r.id
                )),
                Some(n) if !severities.contains(&n["severity"].as_str().unwrap_or("")) => {
                    out.push(format!(
                        "{}: scenario `{name}` ran with {action} at {}, the table says {}",
                        r.id, n["severity"], r.severity
                    ))
                }
                Some(_) => {}
            }
            if called.contains(action.as_str()) {
                let Some(drop) = s["drop_one"]
                    .as_array()
                    .and_then(|d| d.iter().find(|d| d["action"] == action.as_str()))
                else {
                    out.push(format!(
                        "{}: scenario `{name}` has no drop-one run for {action}",
                        r.id
                    ));
                    continue;
                };
                let strongest = needs
                    .iter()
                    .filter(|n| n["action"] == action.as_str())
                    .filter_map(|n| n["severity"].as_str())
                    .max_by_key(|s| rank(s))
                    .unwrap_or("note");
                if drop["claimed"] != strongest {
                    out.push(format!(
                        "{}: scenario `{name}`: dropping {action} was judged against {}, its needs say {strongest}",
                        r.id, drop["claimed"]
                    ));
                }
                match drop["verdict"].as_str() {
                    Some("pass") => {}
                    Some("mock-limit") if drop["limit"].as_str() == r.mock_limit.as_deref() => {}
                    // Another entry's stronger claim on the action decided this run; judged there.
                    _ if rank(strongest) > rank(&r.severity) => {}
                    Some("mock-limit") => out.push(format!(
                        "{}: scenario `{name}`: dropping {action} is explained by mock limit {} the entry does not name",
                        r.id, drop["limit"]
                    )),
                    other => out.push(format!(
                        "{}: scenario `{name}`: dropping {action} gave {} where {} claims {}: {other:?}",
                        r.id, drop["observed"], r.severity, drop["claimed"]
                    )),
                }
            } else if implied.contains(action.as_str()) {
                if r.aws.is_none() {
                    out.push(format!(
                        "{}: {action} is implied by ORB's calls (moto never checks it) but the entry cites no AWS page",
                        r.id
                    ));
                }
            } else {
                out.push(format!(
                    "{}: ORB's calls in scenario `{name}` neither make nor imply {action}",
                    r.id
                ));
            }
        }
    }
    out
}

#[test]
fn every_requirement_is_verified_by_a_passing_scenario() {
    let report = report();
    let problems: Vec<String> = table()
        .requirement
        .iter()
        .flat_map(|r| problems(r, &report))
        .collect();
    assert!(
        problems.is_empty(),
        "the requirements table and docs/conformance.json disagree (run conformance/run.sh --matrix \
         drop-one --write-report after changing either):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_report_is_a_full_passing_drop_one_run() {
    let report = report();
    assert_eq!(report["meta"]["matrix"], "drop-one", "{}", report["meta"]);
    assert_eq!(
        report["meta"]["orb_py"],
        table().conformance_release.as_str()
    );
    let mut failing = Vec::new();
    for s in report["scenarios"].as_array().unwrap() {
        for verdict in ["sufficiency", "resolution", "call_set"] {
            if s[verdict] != "pass" {
                failing.push(format!("{}: {verdict}", s["name"]));
            }
        }
        // A template ORB refuses makes no call to drop.
        let runs = s["group"] == "scenarios" && s["outcome"] == "complete";
        if runs && s["drop_one"].is_null() {
            failing.push(format!("{}: no drop-one runs", s["name"]));
        }
        for d in s["drop_one"].as_array().into_iter().flatten() {
            if d["verdict"] == "fail" {
                failing.push(format!("{}: drop {}", s["name"], d["action"]));
            }
        }
    }
    assert!(failing.is_empty(), "{failing:#?}");
}

/// Every scenario file in conformance/ is in the report, and every scenario the report names is a
/// file: the report is of this matrix, not an older one.
#[test]
fn the_report_covers_the_scenario_files() {
    let report = report();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let mut files = BTreeSet::new();
    for group in ["scenarios", "held-out", "shipped"] {
        for entry in std::fs::read_dir(root.join(group)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.insert(path.file_stem().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let reported: BTreeSet<String> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, reported);
}

/// Field resolution facts cite scenarios that exist and passed.
#[test]
fn field_evidence_names_passing_scenarios() {
    let report = report();
    for (name, field) in &table().fields {
        for s in &field.verified {
            let found =
                scenario(&report, s).unwrap_or_else(|| panic!("field {name}: no scenario {s}"));
            assert_eq!(found["resolution"], "pass", "field {name}: scenario {s}");
        }
    }
    for entry in &table().ineffective {
        for s in &entry.verified {
            let found = scenario(&report, s)
                .unwrap_or_else(|| panic!("ineffective {}: no scenario {s}", entry.path));
            assert_eq!(
                found["resolution"], "pass",
                "ineffective {}: {s}",
                entry.path
            );
        }
    }
}

fn releases_report() -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/conformance-releases.json");
    let text = std::fs::read_to_string(&path).expect("docs/conformance-releases.json is committed");
    serde_json::from_str(&text).expect("docs/conformance-releases.json parses")
}

/// Every other release in docs/conformance-releases.json agreed with orb-scan reading its requirements
/// (`orb_version`) on every scenario; a release no `[[release]]` entry covers behaved as the table's own
/// release in every scenario (no request asked or spared, the same template provisioned), and each
/// entry's fields rest on scenarios that ran on each release it names.
#[test]
fn every_release_agrees_under_its_requirements() {
    let report = releases_report();
    assert_eq!(
        report["default"]["orb_py"],
        table().conformance_release.as_str()
    );
    let releases = report["releases"].as_array().unwrap();
    let mut problems = Vec::new();
    for r in releases {
        let version = r["meta"]["orb_py"].as_str().unwrap();
        let overlay = table()
            .release
            .iter()
            .find(|o| o.versions.iter().any(|v| v == version));
        for s in r["scenarios"].as_array().unwrap() {
            for verdict in ["sufficiency", "resolution", "call_set"] {
                if s[verdict] != "pass" {
                    problems.push(format!(
                        "{version}: {}: {verdict} {}",
                        s["name"], s[verdict]
                    ));
                }
            }
            let differs = ["asks_more", "asks_less"]
                .iter()
                .any(|k| s[*k].as_array().is_some_and(|a| !a.is_empty()))
                || s["provisioned_unlike"]
                    .as_object()
                    .is_some_and(|o| !o.is_empty());
            if overlay.is_none() && differs {
                problems.push(format!(
                    "{version}: {}: ORB asked or provisioned otherwise than {} and no [[release]] entry covers {version}",
                    s["name"], report["default"]["orb_py"]
                ));
            }
        }
        if let Some(overlay) = overlay {
            for (field, spec) in &overlay.fields {
                for name in &spec.verified {
                    let found = r["scenarios"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|s| s["name"] == name.as_str());
                    match found {
                        Some(s) if s["resolution"] == "pass" => {}
                        _ => problems.push(format!(
                            "{version}: field {field}: scenario {name} did not pass resolution"
                        )),
                    }
                }
            }
        }
    }
    for overlay in &table().release {
        assert_eq!(overlay.report, "docs/conformance-releases.json");
        for version in &overlay.versions {
            if !releases
                .iter()
                .any(|r| r["meta"]["orb_py"] == version.as_str())
            {
                problems.push(format!("[[release]] {version}: no run in the report"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
