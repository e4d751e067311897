//! Rule documentation rendered from the registry: `orb-scan rule CODE`, `docs/rules/CODE.md` and
//! the index `docs/rules/README.md` are this text, so they cannot drift apart (a test compares the
//! files; `UPDATE_DOCS=1 cargo test --test docs` rewrites them).

use crate::registry::{Rule, RULES};

/// The full page for one rule, in Markdown.
pub fn page(rule: &Rule) -> String {
    let code = rule.code;
    format!(
        "# {code} {name}\n\n\
         > {summary}\n\n\
         Default severity: **{severity}**.\n\n\
         {doc}\n\n\
         ## Turning it off\n\
         - Everywhere: `--ignore {code}`, or `ignore = [\"{code}\"]` in `orb-scan.toml`; \
         `[severity] {code} = \"note\"` changes its level instead.\n\
         - One place in a YAML or TOML file: a comment `# orb-scan: ignore[{code}] reason` at the end \
         of the line, or on the line before it.\n\
         - One CloudFormation resource: `Metadata: {{orb-scan: {{ignore: [{code}], reason: ...}}}}`.\n\
         - JSON files have no comments: add a `[[suppress]]` table to `orb-scan.toml` with \
         `paths = [\"...\"]`, `rules = [\"{code}\"]` and `reason = \"...\"`.\n\n\
         A suppression that stops matching is reported as ORB903.\n",
        name = rule.name,
        severity = rule.severity.as_str(),
        summary = rule.summary,
        doc = rule.doc.trim(),
    )
}

/// The index of every rule, linking to each page.
pub fn index() -> String {
    let mut out = String::from(
        "# orb-scan rules\n\n\
         Generated from the rule registry (`src/rules/`); `orb-scan rule CODE` prints the same pages. \
         Codes are stable: they are never renumbered.\n\n\
         | code | name | default | summary |\n|---|---|---|---|\n",
    );
    for rule in RULES {
        out.push_str(&format!(
            "| [{code}]({code}.md) | {} | {} | {} |\n",
            rule.name,
            rule.severity.as_str(),
            rule.summary.replace('|', "\\|"),
            code = rule.code,
        ));
    }
    out
}

/// The first paragraph of the rule's "What it finds" section, as plain text.
pub fn description(rule: &Rule) -> String {
    let body = rule
        .doc
        .split_once("## What it finds")
        .map_or(rule.doc, |(_, rest)| rest);
    body.trim_start()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_description_and_a_page() {
        for rule in RULES {
            let d = description(rule);
            assert!(d.len() > 20 && !d.contains("##"), "{}: {d}", rule.code);
            assert!(page(rule).starts_with(&format!("# {} {}", rule.code, rule.name)));
            assert!(index().contains(&format!("[{0}]({0}.md)", rule.code)));
        }
    }
}
