//! `docs/rules/` is generated from the rule registry: this test fails when a page is stale, missing
//! or left over from a removed rule. `UPDATE_DOCS=1 cargo test --test docs` rewrites the folder.

use orb_scan::registry::RULES;
use orb_scan::report::rule_docs;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn expected() -> BTreeMap<String, String> {
    let mut pages: BTreeMap<String, String> = RULES
        .iter()
        .map(|r| (format!("{}.md", r.code), rule_docs::page(r)))
        .collect();
    pages.insert("README.md".into(), rule_docs::index());
    pages
}

#[test]
fn rule_docs_are_generated_from_the_registry() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let expected = expected();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !expected.contains_key(&name) {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut problems = Vec::new();
    let found: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for name in found.iter().filter(|n| !expected.contains_key(*n)) {
        problems.push(format!("docs/rules/{name} belongs to no rule"));
    }
    for (name, text) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => problems.push(format!("docs/rules/{name} is stale")),
            Err(_) => problems.push(format!("docs/rules/{name} is missing")),
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nrun `UPDATE_DOCS=1 cargo test --test docs` to regenerate docs/rules/",
        problems.join("\n")
    );
}

#[test]
fn orb_scan_rule_prints_the_same_page() {
    for code in ["ORB105", "orb903"] {
        let out = Command::new(env!("CARGO_BIN_EXE_orb-scan"))
            .args(["rule", code])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let page = &expected()[&format!("{}.md", code.to_ascii_uppercase())];
        assert_eq!(&String::from_utf8(out.stdout).unwrap(), page);
    }
}
