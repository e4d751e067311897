use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::model::deploy::Model;
use crate::orb::files::{is_aws_template, TemplateFormat};
use crate::orb::requirements::table;
use crate::read::syntax::{Entry, Node};

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let ws = model.workspace;
    for entry in &table().ineffective {
        if let Some(path) = entry.path.strip_prefix("config:") {
            for config in ws.configs.iter().filter(|c| !c.packaged) {
                report(
                    &config.file,
                    &config.node,
                    path,
                    &entry.why,
                    &entry.src,
                    out,
                );
            }
        } else if let Some(path) = entry.path.strip_prefix("template:") {
            for file in &ws.template_files {
                let format_ok = match entry.format.as_deref() {
                    Some("default") => file.format == TemplateFormat::Default,
                    Some("hostfactory") => file.format == TemplateFormat::HostFactory,
                    _ => true,
                };
                if !format_ok {
                    continue;
                }
                for t in file
                    .templates()
                    .iter()
                    .filter(|t| t.is_object() && is_aws_template(t))
                {
                    report(&file.file, t, path, &entry.why, &entry.src, out);
                }
            }
        }
    }
}

fn report(
    file: &FilePath,
    root: &Node,
    path: &str,
    why: &str,
    src: &str,
    out: &mut Vec<Diagnostic>,
) {
    let mut found = Vec::new();
    find(root, &path.split('.').collect::<Vec<_>>(), &mut found);
    for e in found {
        out.push(
            Diagnostic::new(
                "ORB203",
                Severity::Warning,
                file,
                e.key_span,
                format!("`{}` has no effect in ORB 1.8", e.key),
            )
            .label_here("accepted, never read")
            .with_note(why.to_string())
            .with_note(format!("source: ORB {src}")),
        );
    }
}

/// Entries at a dotted path: `[]` walks each array item, a trailing `*` matches a key prefix.
fn find<'a>(node: &'a Node, segments: &[&str], out: &mut Vec<&'a Entry>) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    let (key, each) = match first.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (*first, false),
    };
    for e in node.as_object().unwrap_or(&[]) {
        let matches = match key.strip_suffix('*') {
            Some(prefix) => e.key.starts_with(prefix),
            None => e.key == key,
        };
        if !matches {
            continue;
        }
        if rest.is_empty() {
            out.push(e);
        } else if each {
            for item in e.value.as_array().unwrap_or(&[]) {
                find(item, rest, out);
            }
        } else {
            find(&e.value, rest, out);
        }
    }
}
