//! Suppressions written in scanned files: `# orb-scan: ignore[CODE, ...] reason` comments and
//! CloudFormation resource `Metadata`, read into configuration's [`Suppression`]s
//! (`crate::config::suppress` says how they apply).

use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::config::suppress::{Code, Scope, Suppression};
use crate::read::syntax::comments::lines;
use crate::read::syntax::Node;

/// The word that introduces a directive in a comment.
const DIRECTIVE: &str = "orb-scan:";

/// Directives among a file's comments (each span from `#` or `//` to the end of its line).
pub fn from_comments(file: &FilePath, text: &str, comments: &[Span]) -> Vec<Suppression> {
    let mut directives: Vec<(Span, &str)> = comments
        .iter()
        .filter_map(|comment| {
            let body = text.get(comment.range())?;
            let after_hash = body
                .strip_prefix('#')
                .or_else(|| body.strip_prefix("//"))
                .unwrap_or(body);
            let rest = after_hash.trim_start().strip_prefix(DIRECTIVE)?;
            Some((*comment, rest))
        })
        .collect();
    directives.sort_by_key(|(comment, _)| comment.start);
    let starts: Vec<usize> = directives.iter().map(|(c, _)| c.start as usize).collect();
    let covered = covered_lines(text, &starts);
    directives
        .into_iter()
        .zip(covered)
        .map(|((comment, rest), line)| {
            let rest_at = comment.end as usize - rest.len();
            let mut suppression = Suppression {
                file: file.clone(),
                span: comment,
                scope: Scope::Lines {
                    file: file.clone(),
                    span: line,
                },
                codes: Vec::new(),
                reason: None,
                malformed: None,
                report_unused: true,
            };
            match parse_directive(rest, rest_at) {
                Ok((codes, reason)) => {
                    suppression.codes = codes;
                    suppression.reason = reason;
                }
                Err(why) => suppression.malformed = Some(why),
            }
            suppression
        })
        .collect()
}

/// `ignore[ORB304, ORB401] reason` → codes with spans (`at` is the offset of `text`) and reason.
fn parse_directive(text: &str, at: usize) -> Result<(Vec<Code>, Option<String>), String> {
    const EXPECTED: &str = "expected `orb-scan: ignore[CODE, ...] reason`";
    let trimmed = text.trim_start();
    let list_at = at + text.len() - trimmed.len();
    let inner = trimmed
        .strip_prefix("ignore[")
        .ok_or_else(|| EXPECTED.to_string())?;
    let close = inner
        .find(']')
        .ok_or_else(|| format!("{EXPECTED}: no closing `]`"))?;
    let inner_at = list_at + "ignore[".len();
    let mut codes = Vec::new();
    let mut offset = 0;
    for piece in inner[..close].split(',') {
        let code = piece.trim();
        let start = inner_at + offset + piece.find(code).unwrap_or(0);
        offset += piece.len() + 1;
        if code.is_empty() {
            continue;
        }
        codes.push(Code {
            pattern: code.to_ascii_uppercase(),
            span: Span::new(start, start + code.len()),
        });
    }
    if codes.is_empty() {
        return Err(format!("{EXPECTED}: no rule code between the brackets"));
    }
    let reason = inner[close + 1..].trim();
    Ok((codes, (!reason.is_empty()).then(|| reason.to_string())))
}

/// The byte range each comment at `at` (ascending) speaks for: its own line when code precedes
/// it, otherwise the next line that is neither blank nor only a comment. One pass over the lines,
/// however many directives wait for the same line.
fn covered_lines(text: &str, at: &[usize]) -> Vec<Span> {
    let mut covered = vec![Span::default(); at.len()];
    let mut next = 0;
    let mut waiting: Vec<usize> = Vec::new();
    for (start, line) in lines(text) {
        let end = start + line.len();
        let content = line.trim_start();
        if !content.is_empty() && !content.starts_with('#') && !content.starts_with("//") {
            for i in waiting.drain(..) {
                covered[i] = Span::new(start, end);
            }
        }
        while next < at.len() && at[next] <= end {
            let own = Span::new(start, end);
            covered[next] = own;
            if text[start..at[next].max(start)].trim().is_empty() {
                waiting.push(next);
            }
            next += 1;
        }
    }
    covered
}

/// `Metadata: {orb-scan: {ignore: [ORB304], reason: "..."}}` on each resource of a CloudFormation
/// template (JSON now; YAML through the same tree once its reader lands).
pub fn from_cfn_metadata(file: &FilePath, root: &Node) -> Vec<Suppression> {
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for resource in resources {
        let Some(settings) = resource
            .value
            .get("Metadata")
            .and_then(|m| m.get("orb-scan"))
        else {
            continue;
        };
        let scope = Scope::Within {
            file: file.clone(),
            span: resource.span(),
        };
        let ignore = settings.get("ignore");
        let codes: Vec<Code> = ignore
            .map(Node::strings)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| {
                n.as_str().map(|s| Code {
                    pattern: s.trim().to_ascii_uppercase(),
                    span: n.span,
                })
            })
            .collect();
        let malformed = codes.is_empty().then(|| {
            format!(
                "`Metadata.orb-scan` of `{}` needs `ignore: [CODE, ...]`",
                resource.key
            )
        });
        out.push(Suppression {
            file: file.clone(),
            span: ignore.map_or(settings.span, |n| n.span),
            scope,
            codes,
            reason: settings
                .get("reason")
                .and_then(Node::as_str)
                .map(str::to_string),
            malformed,
            report_unused: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diagnostic::Diagnostic;
    use crate::base::diagnostic::Severity;
    use crate::config::suppress::apply;
    use crate::read::syntax::comments;

    fn diag(code: &'static str, file: &str, text: &str, needle: &str) -> Diagnostic {
        let at = text.find(needle).unwrap();
        Diagnostic::new(
            code,
            Severity::Warning,
            &FilePath::from(file),
            Span::new(at, at + needle.len()),
            "m",
        )
    }

    const YAML: &str = concat!(
        "Resources:\n",
        "  Role:\n",
        "    # orb-scan: ignore[ORB204] the fleet needs it\n",
        "    # a plain comment between\n",
        "    PassRole: '*'\n",
        "    Other: x # orb-scan: ignore[orb203, ORB1]\n",
        "    Third: y # orb-scan: ignore ORB10\n",
        "    Fourth: z # orb-scan: ignore[ORB999]\n",
    );

    #[test]
    fn comment_directives_cover_their_line_or_the_next() {
        let file: FilePath = "t.yaml".into();
        let sups = from_comments(&file, YAML, &comments::yaml(YAML));
        assert_eq!(sups.len(), 4);
        assert_eq!(sups[0].reason.as_deref(), Some("the fleet needs it"));
        let codes: Vec<&str> = sups[1]
            .codes
            .iter()
            .map(|c| &YAML[c.span.range()])
            .collect();
        assert_eq!(codes, ["orb203", "ORB1"]);
        assert!(sups[2].malformed.as_deref().unwrap().contains("expected"));

        let mut ds = vec![
            diag("ORB204", "t.yaml", YAML, "'*'"),
            diag("ORB204", "t.yaml", YAML, "Role:"),
            diag("ORB203", "t.yaml", YAML, "Other"),
            diag("ORB203", "other.yaml", YAML, "Other"),
        ];
        let enabled = |c: &str| c != "ORB101";
        let (n, unused) = apply(&mut ds, &sups, enabled);
        assert_eq!(n, 2);
        let left: Vec<&str> = ds.iter().map(|d| &YAML[d.span.range()]).collect();
        assert_eq!(left, ["Role:", "Other"]);
        assert_eq!(&*ds[1].file, "other.yaml");
        // `ORB1` on line 6 matched nothing; the malformed one and the unknown code are unused.
        let summary: Vec<(usize, Vec<&str>)> = unused
            .iter()
            .map(|u| {
                let at = sups
                    .iter()
                    .position(|s| std::ptr::eq(s, u.suppression))
                    .unwrap();
                (at, u.codes.iter().map(|c| c.pattern.as_str()).collect())
            })
            .collect();
        assert_eq!(
            summary,
            [(1, vec!["ORB1"]), (2, vec![]), (3, vec!["ORB999"])]
        );
    }

    /// Whether the directives of `YAML` suppress `d`.
    fn suppressed_by_yaml_directives(d: Diagnostic) -> bool {
        let file: FilePath = "t.yaml".into();
        let sups = from_comments(&file, YAML, &comments::yaml(YAML));
        let mut ds = vec![d];
        apply(&mut ds, &sups, |_| true);
        ds.is_empty()
    }

    #[test]
    fn a_finding_spanning_the_comment_line_is_covered() {
        let at = YAML.find("Role:").unwrap();
        let whole_role = Span::new(at, YAML.len());
        let file: FilePath = "t.yaml".into();
        assert!(suppressed_by_yaml_directives(Diagnostic::new(
            "ORB203",
            Severity::Warning,
            &file,
            whole_role,
            "m"
        )));
    }

    #[test]
    fn labels_carry_suppressions_too() {
        let at = YAML.find("'*'").unwrap();
        let elsewhere: FilePath = "config.json".into();
        let d = Diagnostic::new("ORB204", Severity::Error, &elsewhere, Span::new(0, 1), "m");
        assert!(!suppressed_by_yaml_directives(d.clone()));
        let labelled = d.with_label(&"t.yaml".into(), Span::new(at, at + 3), "here");
        assert!(suppressed_by_yaml_directives(labelled));
    }

    #[test]
    fn codes_that_did_not_run_are_not_unused() {
        let file: FilePath = "t.yaml".into();
        let text = "a: 1 # orb-scan: ignore[ORB204]\n";
        let sups = from_comments(&file, text, &comments::yaml(text));
        let (_, unused) = apply(&mut Vec::new(), &sups, |c| c != "ORB204");
        assert!(unused.is_empty());
        let (_, unused) = apply(&mut Vec::new(), &sups, |_| true);
        assert_eq!(unused.len(), 1);
    }

    #[test]
    fn cloudformation_metadata() {
        let text = r#"{"Resources": {
  "Role": {"Type": "AWS::IAM::Role", "Metadata": {"orb-scan": {"ignore": ["ORB204"], "reason": "r"}},
           "Properties": {"x": 1}},
  "Bad": {"Metadata": {"orb-scan": {"ignore": []}}},
  "Plain": {"Type": "AWS::IAM::Role", "Properties": {"y": 2}}}}"#;
        let root = crate::read::syntax::json::parse(text).unwrap().root;
        let file: FilePath = "t.json".into();
        let sups = from_cfn_metadata(&file, &root);
        assert_eq!(sups.len(), 2);
        assert_eq!(sups[0].reason.as_deref(), Some("r"));
        assert!(sups[1].malformed.is_some());
        let mut ds = vec![
            diag("ORB204", "t.json", text, "\"x\""),
            diag("ORB204", "t.json", text, "\"y\""),
        ];
        apply(&mut ds, &sups, |_| true);
        assert_eq!(ds.len(), 1);
        assert_eq!(&text[ds[0].span.range()], "\"y\"");
    }

    #[test]
    fn covered_lines_skip_comment_and_blank_lines() {
        let covered = |text: &str, at: &[usize]| -> Vec<String> {
            covered_lines(text, at)
                .iter()
                .map(|s| text[s.range()].to_string())
                .collect()
        };
        let text = "# orb-scan: ignore[ORB1]\n\n# more\nkey: v\n";
        assert_eq!(covered(text, &[0, 26]), ["key: v", "key: v"]);
        let text = "key: v # c\n";
        assert_eq!(covered(text, &[7]), ["key: v # c"]);
        let text = "# orb-scan: ignore[ORB1]";
        assert_eq!(covered(text, &[0]), [text]);
        let text = "a: 1 # x\n  # y\nb: 2 # z\n";
        assert_eq!(
            covered(text, &[5, 11, 20]),
            ["a: 1 # x", "b: 2 # z", "b: 2 # z"]
        );
    }
}
