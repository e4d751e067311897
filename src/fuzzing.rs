//! The properties the fuzz targets (`fuzz/`) and their regression test (`tests/fuzz_regressions.rs`)
//! check, in one place so both exercise exactly the same code.

use crate::read::syntax::{Node, Value};
use crate::report::{concise, human, json, Report};

/// The JSON reader never panics, and every span it gives is a valid range of the input.
pub fn check_json(text: &str) {
    check_reader(crate::read::syntax::json::parse(text), text);
}

/// The YAML reader never panics, every span it gives is a valid range of the input, and its fast
/// path reads every text it takes exactly as saphyr does (tree, spans and warnings).
pub fn check_yaml(text: &str) {
    use crate::read::syntax::yaml;
    if let Some(fast) = yaml::fast::read(text) {
        assert_eq!(
            yaml::parse_with_saphyr(text).as_ref(),
            Ok(&fast),
            "the fast YAML reader and saphyr differ on {text:?}"
        );
    }
    check_reader(yaml::parse(text), text);
}

fn check_reader(
    result: Result<crate::read::syntax::Parsed, crate::read::syntax::ParseError>,
    text: &str,
) {
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

/// The HCL reader and the reader of Terraform's JSON syntax never panic and every span they give
/// lies inside the input; the Terraform extraction of the file (as `.tf` and as `.tf.json`), linked
/// as a module, gives documents whose spans lie inside the file too.
pub fn check_hcl(text: &str) {
    let _ = crate::read::syntax::comments::hcl(text);
    for path in ["m/main.tf", "m/main.tf.json"] {
        match crate::terraform::parse(path, text) {
            Ok(body) => {
                let mut spans = Vec::new();
                body.spans(&mut spans);
                for s in spans {
                    assert!(
                        text.get(s.range()).is_some(),
                        "{path}: span {s:?} outside the input"
                    );
                }
            }
            Err(e) => assert!(text.get(e.span.range()).is_some()),
        }
        let path: crate::base::diagnostic::FilePath = path.into();
        if let Ok(Some(file)) = crate::terraform::read(&path, text) {
            let linked = crate::terraform::module::link(&[file], &crate::terraform::NoRepository);
            for p in &linked.policies {
                assert!(
                    text.get(p.span.range()).is_some(),
                    "policy {:?} outside",
                    p.span
                );
                for s in &p.statements {
                    for item in s.actions.items.iter().chain(&s.resources.items) {
                        assert!(text.get(item.span.range()).is_some(), "{item:?} outside");
                    }
                }
                for u in &p.unread {
                    assert!(text.get(u.span.range()).is_some(), "{u:?} outside");
                }
            }
        }
    }
}

/// The `orb-scan.toml` reader never panics, and every problem it reports has a span inside the file.
pub fn check_toml(text: &str) {
    if let Err(problems) = crate::config::settings::parse_text(text, std::path::Path::new("/repo"))
    {
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
        "infra/main.tf",
    ] {
        let candidate = crate::read::walk::to_candidate(name.into(), bytes.to_vec());
        let mut ws = crate::model::deploy::Workspace::default();
        let mut extracted = crate::model::extract::extract(&candidate);
        crate::link_terraform(&mut extracted, &crate::terraform::NoRepository);
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
        let model = crate::model::deploy::build(&ws);
        check_fix_line_endings(&model);
        let _ =
            crate::model::generate::least_privilege(&model.deployments.iter().collect::<Vec<_>>());
    }
}

/// `--fix` keeps a file's line endings: where every line break of a file is CRLF, so is every one
/// of the fixed text.
fn check_fix_line_endings(model: &crate::model::deploy::Model) {
    let plan = crate::fix::plan(model);
    for (file, edits) in &plan.edits {
        let text = &model.workspace.sources[file];
        let lone_lf = |t: &str| t.match_indices('\n').any(|(i, _)| !t[..i].ends_with('\r'));
        if text.contains('\n') && !lone_lf(text) {
            let fixed = crate::fix::apply(text, edits);
            assert!(!lone_lf(&fixed), "--fix mixed line endings into {fixed:?}");
        }
    }
}

#[cfg(unix)]
/// A file's name, as bytes (`/` separates its components): it becomes one text that gives the
/// same bytes back (so two names never share one), and every channel shows that text as one line
/// with no control, bidi or separator character a terminal, an editor or the Actions runner acts on.
pub fn check_names(bytes: &[u8]) {
    use std::os::unix::ffi::OsStrExt;
    let components: Vec<&std::ffi::OsStr> = bytes
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .map(std::ffi::OsStr::from_bytes)
        .collect();
    let text = crate::base::diagnostic::file_path(components.iter().copied());
    let joined: Vec<u8> = components
        .iter()
        .map(|c| c.as_bytes())
        .collect::<Vec<_>>()
        .join(&b'/');
    assert_eq!(
        crate::base::diagnostic::path_of(&text)
            .as_os_str()
            .as_bytes(),
        joined.as_slice(),
        "the name {bytes:?} does not come back from {text:?}"
    );
    let shown = crate::report::escape_text(&text);
    assert!(
        !shown.chars().any(|c| c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')),
        "{shown:?} shows a character it must escape"
    );
    assert_eq!(
        crate::report::escape_text(&shown),
        shown,
        "escaping twice changes {shown:?}"
    );
    let data = crate::report::github::escape_data(&shown);
    assert!(!data.contains(['\n', '\r']));
}

#[cfg(unix)]
/// The one way orb-scan writes (`write::write_file`), on a fresh folder: a file that still holds what
/// was read is replaced, with its mode; one that changed, a link and a hard-linked file are left as
/// they are; a new file is created. `data` chooses the contents.
pub fn check_writer(data: &[u8]) {
    use crate::report::write::{write_file, Expect};
    use std::os::unix::fs::PermissionsExt;
    let (read, rest) = data.split_at(data.len() / 3);
    let (written, other) = rest.split_at(rest.len() / 2);
    let dir = std::env::temp_dir().join(format!("orb-scan-fuzz-writer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a fresh folder");
    let file = dir.join("policy.json");
    std::fs::write(&file, read).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    // A concurrent edit: the file holds something else than was read.
    if read != written {
        assert!(write_file(&file, other, Expect::Holds(written), &dir).is_err());
        assert_eq!(std::fs::read(&file).expect("read"), read);
    }
    write_file(&file, written, Expect::Holds(read), &dir).expect("replaces what it read");
    assert_eq!(std::fs::read(&file).expect("read"), written);
    let mode = std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // A link to it, and a second name for it, are never written through.
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&file, &link).expect("symlink");
    assert!(write_file(&link, other, Expect::Anything, &dir).is_err());
    std::fs::hard_link(&file, dir.join("second")).expect("link");
    assert!(write_file(&file, other, Expect::Holds(written), &dir).is_err());
    assert_eq!(std::fs::read(&file).expect("read"), written);
    // A new file, then nothing left behind but the four names.
    write_file(&dir.join("new.sarif"), other, Expect::Anything, &dir).expect("creates");
    assert_eq!(std::fs::read(dir.join("new.sarif")).expect("read"), other);
    let names = std::fs::read_dir(&dir).expect("list").count();
    assert_eq!(names, 4, "a temporary file was left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

fn render_all(report: &Report) {
    let mut sink = Vec::new();
    json::render(report, &mut sink).expect("in-memory write");
    let mut colour = termcolor::NoColor::new(Vec::new());
    concise::render(report, &mut colour).expect("in-memory write");
    human::render(report, 2, &mut colour).expect("in-memory write");
}
