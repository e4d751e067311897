//! `--format sarif` through the binary, validated against the official OASIS SARIF 2.1.0 schema
//! (vendored in testdata/sarif with its notice).

mod common;

use common::{fixture_copy, json, orb_scan, repo, write_tree};
use serde_json::Value;
use std::path::Path;

/// The OASIS file declares draft-04, which knows no `uri-reference` format and so would let any
/// string through as an artifact URI. It uses no keyword whose meaning changed after draft-04
/// (`exclusiveMinimum`/`exclusiveMaximum`; checked here) and only local `$ref`s, so it is applied
/// with draft-07 rules, which check the URI formats the SARIF specification requires.
fn validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(repo().join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap();
    assert!(!text.contains("\"exclusiveM"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&json(&text))
        .expect("the SARIF schema compiles")
}

/// Runs `--format sarif` in `dir`, checks it against the schema, and returns it.
fn sarif(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec![".", "--format", "sarif"];
    all.extend_from_slice(args);
    let run = orb_scan(dir, &all);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    let log = json(&run.stdout);
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn every_rule_fixture_is_valid_sarif_with_full_rules_and_regions() {
    let mut with_related = 0;
    for rule in orb_scan::registry::RULES {
        let fixture = repo().join("testdata/rules").join(rule.code);
        let args = std::fs::read_to_string(fixture.join("trigger.args")).unwrap_or_default();
        let args: Vec<&str> = args.lines().filter(|l| !l.is_empty()).collect();
        let root = fixture.join("trigger");
        let log = sarif(&root, &args);
        let run = &log["runs"][0];
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            base.starts_with("file:///") && base.ends_with("/trigger/"),
            "{base}"
        );
        check_rules(run["tool"]["driver"]["rules"].as_array().unwrap());
        let results = results(&log);
        assert!(
            results.iter().any(|r| r["ruleId"] == rule.code),
            "{}",
            rule.code
        );
        for r in results {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(run["tool"]["driver"]["rules"][index]["id"], r["ruleId"]);
            assert!(r["partialFingerprints"]["orbScanSpanHash/v1"].is_string());
            for location in std::iter::once(&r["locations"][0])
                .chain(r["relatedLocations"].as_array().into_iter().flatten())
            {
                let physical = &location["physicalLocation"];
                assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
                let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
                // ORB902 reports files it did not read: there is no text to place a region in.
                if r["ruleId"] != "ORB902" {
                    let text = std::fs::read_to_string(root.join(uri)).expect("uri names a file");
                    check_region(&text, &physical["region"]);
                }
            }
            with_related += usize::from(r["relatedLocations"].is_array());
        }
    }
    assert!(with_related > 0, "labels become related locations");
}

fn check_rules(rules: &[Value]) {
    assert_eq!(rules.len(), orb_scan::registry::RULES.len());
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{rule}"
            );
        }
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Fix"));
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.1..=10.0).contains(&score));
        assert_eq!(rule["properties"]["tags"][0], "security");
    }
}

/// Lines, code-point columns and bytes all describe the same text.
fn check_region(text: &str, region: &Value) {
    let at = |key: &str| region[key].as_u64().unwrap() as usize;
    let offset = at("byteOffset");
    let end = offset + at("byteLength");
    let position = |offset: usize| {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (
            before.matches('\n').count() + 1,
            before[line_start..].chars().count() + 1,
        )
    };
    assert_eq!(
        position(offset),
        (at("startLine"), at("startColumn")),
        "{region}"
    );
    assert_eq!(position(end), (at("endLine"), at("endColumn")), "{region}");
}

#[test]
fn odd_file_names_and_unicode_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let templates = r#"{"templates": [{"template_id": "wébé ✓", "provider_api": "Ec2Fleet", "machine_image": "ami-0123456789abcdef0"}]}"#;
    write_tree(
        tmp.path(),
        &[
            ("my configs/50%: a#b?/aws_templates.json", templates),
            ("Ünïcode/aws_templates.json", templates),
        ],
    );
    let log = sarif(tmp.path(), &["--isolated"]);
    let uris: Vec<&str> = results(&log)
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"%C3%9Cn%C3%AFcode/aws_templates.json"),
        "{uris:?}"
    );
    assert!(
        uris.contains(&"my%20configs/50%25%3A%20a%23b%3F/aws_templates.json"),
        "{uris:?}"
    );
    for r in results(&log) {
        if r["ruleId"] == "ORB201" {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            check_region(templates, region);
            assert!(region["startColumn"].as_u64() < region["byteOffset"].as_u64());
        }
    }
}

#[test]
fn fingerprints_survive_lines_inserted_above() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    let first = sarif(&root, &["--isolated"]);
    let file = root.join("config/aws_templates.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("\n\n\n{text}")).unwrap();
    let second = sarif(&root, &["--isolated"]);
    let key = |log: &Value| {
        let r = &results(log)[0];
        (
            r["partialFingerprints"].clone(),
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap(),
        )
    };
    let (fp1, line1) = key(&first);
    let (fp2, line2) = key(&second);
    assert_eq!(fp1, fp2);
    assert_eq!(line2, line1 + 3);
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let (_tmp, root) = fixture_copy("testdata/rules/ORB105/trigger");
    let log = sarif(&root, &["--isolated"]);
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut copy = log.clone();
        edit(&mut copy);
        !validator().is_valid(&copy)
    };
    assert!(broken(
        &|l| l["runs"][0]["results"][0]["message"] = json("{}")
    ));
    assert!(broken(&|l| l["runs"][0]["columnKind"] = "bytes".into()));
    assert!(broken(&|l| {
        l["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
            "config/aws templates.json".into()
    }));
}
