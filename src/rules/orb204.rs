use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;
use crate::orb::resolve::lookup;
use crate::read::syntax::Node;

const KEYS: &[&str] = &["access_key_id", "secret_access_key", "session_token"];

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for config in model.workspace.configs.iter().filter(|c| !c.packaged) {
        let Some(list) = lookup(&config.node, "provider.providers").and_then(Node::as_array) else {
            continue;
        };
        for p in list {
            let Some(cfg) = p.get("config") else { continue };
            for key in KEYS {
                let Some(v) = cfg.get(key) else { continue };
                let Some(text) = v.as_str() else { continue };
                if text.trim().is_empty() || is_env_reference(text) {
                    continue;
                }
                out.push(
                    Diagnostic::new("ORB204", Severity::Error, &config.file, v.span, format!("static AWS credential `{key}` in a config file"))
                        .label_here("a literal credential")
                        .with_help("remove it, rotate the key, and let ORB use an instance role or a named profile"),
                );
            }
        }
    }
}

/// `$VAR` or `${VAR}` alone: expanded from the environment by ORB's loader, not a literal secret.
fn is_env_reference(text: &str) -> bool {
    let name = text
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| text.strip_prefix('$'));
    name.is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn env_references() {
        assert!(super::is_env_reference("$AWS_SECRET"));
        assert!(super::is_env_reference("${AWS_SECRET}"));
        assert!(!super::is_env_reference("AKIAEXAMPLE"));
        assert!(!super::is_env_reference("$"));
    }
}
