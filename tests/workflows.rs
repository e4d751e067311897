//! Every workflow under `.github/workflows/` and `action.yml` against SchemaStore's GitHub schemas
//! (vendored in testdata/github-schemas with their license), offline, read by orb-scan's own YAML
//! reader (YAML 1.2: `on` is a key, not `true`). The schema catches a misspelt key, a job without
//! `runs-on`, a wrong type; zizmor (.ci/run) audits what the workflows do.

mod common;

use common::repo;
use orb_scan::read::syntax::{yaml, Node, Value};
use serde_json::{Map, Value as Json};

fn schema(name: &str) -> jsonschema::Validator {
    let path = repo().join("testdata/github-schemas").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&serde_json::from_str(&text).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The tree as the JSON value GitHub reads: numbers as numbers, tags refused (GitHub has none).
fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(text) => {
            serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string()))
        }
        Value::String(text) => Json::String(text.to_string()),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.to_string(), to_json(&e.value)))
                .collect::<Map<_, _>>(),
        ),
        Value::Tagged(tag, _) => panic!("a YAML tag ({tag}) in a GitHub file"),
    }
}

fn errors(validator: &jsonschema::Validator, file: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let parsed = yaml::parse(&text).unwrap_or_else(|e| panic!("{}: {}", file.display(), e.message));
    assert!(
        parsed.warnings.is_empty(),
        "{}: duplicate keys",
        file.display()
    );
    let document = to_json(&parsed.root);
    validator
        .iter_errors(&document)
        .map(|e| format!("{}: {e} at {}", file.display(), e.instance_path()))
        .collect()
}

#[test]
fn workflows_match_the_workflow_schema() {
    let validator = schema("github-workflow.json");
    let mut checked = 0;
    for entry in std::fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml")
        ) {
            let problems = errors(&validator, &path);
            assert!(problems.is_empty(), "{}", problems.join("\n"));
            checked += 1;
        }
    }
    assert!(checked >= 1, "no workflow found");
}

#[test]
fn the_action_matches_the_action_schema() {
    let problems = errors(&schema("github-action.json"), &repo().join("action.yml"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The schemas are not vacuous: what GitHub would refuse, they refuse.
#[test]
fn the_schemas_catch_broken_files() {
    let workflow = schema("github-workflow.json");
    for (broken, why) in [
        ("on: push\njobs:\n  a:\n    steps:\n      - run: x\n", "a job without runs-on"),
        ("on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n", "a misspelt key"),
        ("on: push\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: soon\n    steps: [{run: x}]\n", "a word for a number"),
        ("on: pusj\njobs:\n  a:\n    runs-on: x\n    steps: [{run: x}]\n", "an unknown event"),
    ] {
        let document = to_json(&yaml::parse(broken).unwrap().root);
        assert!(!workflow.is_valid(&document), "{why} passed");
    }
    let action = schema("github-action.json");
    let no_runs = "name: x\ndescription: y\n";
    assert!(!action.is_valid(&to_json(&yaml::parse(no_runs).unwrap().root)));
}
