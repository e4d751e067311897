//! The properties the fuzz targets (`fuzz/`) and their regression test (`tests/fuzz_regressions.rs`)
//! check, in one place so both exercise exactly the same code.

use crate::report::{concise, human, json, Report};
use crate::syntax::{Node, Value};

/// The JSON reader never panics, and every span it gives is a valid range of the input.
pub fn check_json(text: &str) {
    check_reader(crate::syntax::json::parse(text), text);
}

/// The YAML reader never panics, every span it gives is a valid range of the input, and its fast
/// path reads every text it takes exactly as saphyr does (tree, spans and warnings).
pub fn check_yaml(text: &str) {
    use crate::syntax::yaml;
    if let Some(fast) = yaml::fast::read(text) {
        assert_eq!(
            yaml::parse_with_saphyr(text).as_ref(),
            Ok(&fast),
            "the fast YAML reader and saphyr differ on {text:?}"
        );
    }
    check_reader(yaml::parse(text), text);
}

fn check_reader(result: Result<crate::syntax::Parsed, crate::syntax::ParseError>, text: &str) {
    match result {
        Ok(parsed) => {
            assert_spans(&parsed.root, text);
            for w in &parsed.warnings {
                assert!(text.get(w.span.range()).is_some() && text.get(w.first.range()).is_some());
            }
        }
        Err(e) => assert!(
            e.span.end as usize <= text.len() && text.is_char_boundary(e.span.start as usize)
        ),
    }
}

fn assert_spans(node: &Node, text: &str) {
    assert!(
        text.get(node.span.range()).is_some(),
        "span {:?} outside the input",
        node.span
    );
    match &node.value {
        Value::Array(items) => items.iter().for_each(|n| assert_spans(n, text)),
        Value::Object(entries) => {
            for e in entries {
                assert!(text.get(e.key_span.range()).is_some());
                assert_spans(&e.value, text);
            }
        }
        Value::Tagged(_, inner) => assert_spans(inner, text),
        _ => {}
    }
}

/// The `orb-scan.toml` reader never panics, and every problem it reports has a span inside the file.
pub fn check_toml(text: &str) {
    if let Err(problems) = crate::settings::parse_text(text, std::path::Path::new("/repo")) {
        assert!(!problems.is_empty(), "an error with no problem in it");
        for p in problems {
            assert!(
                text.get(p.span.range()).is_some(),
                "span {:?} outside the file",
                p.span
            );
        }
    }
}

/// One file, under every candidate name, through extract, model, rules and every renderer.
pub fn check_pipeline(bytes: &[u8]) {
    for name in [
        "policy.json",
        "config/config.json",
        "config/aws_templates.json",
        "template.yaml",
        "stack.template",
    ] {
        let candidate = crate::walk::to_candidate(name.into(), bytes.to_vec());
        let mut ws = crate::deploy::Workspace::default();
        let extracted = crate::extract::extract(&candidate);
        if !extracted.is_empty() {
            ws.sources
                .insert(candidate.path.clone(), candidate.text.clone().into());
        }
        ws.policies = extracted.policies;
        ws.configs = extracted.configs;
        ws.template_files = extracted.template_files;
        ws.cfn_templates = extracted.cfn_templates;
        ws.roles = extracted.roles;
        ws.diagnostics = extracted.diagnostics;
        ws.files_scanned = 1;
        let report = crate::check(&ws, &[], &[]);
        render_all(&report);
        let model = crate::deploy::build(&ws);
        let _ = crate::fix::plan(&model);
        let _ = crate::generate::least_privilege(&model.deployments.iter().collect::<Vec<_>>());
    }
}

fn render_all(report: &Report) {
    let mut sink = Vec::new();
    json::render(report, &mut sink).expect("in-memory write");
    let mut colour = termcolor::NoColor::new(Vec::new());
    concise::render(report, &mut colour).expect("in-memory write");
    human::render(report, 2, &mut colour).expect("in-memory write");
}
