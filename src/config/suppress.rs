//! Suppressions: findings deliberately accepted, and where that is written down.
//!
//! Three sources hand over the same [`Suppression`]:
//! - comments in YAML, TOML and Terraform files, `# orb-scan: ignore[ORB304, ORB401] reason` (or
//!   `// orb-scan: ...` in Terraform) ([`from_comments`]:
//!   a reader passes the byte span of each comment; [`crate::read::syntax::comments`] finds them in text
//!   until a reader does);
//! - CloudFormation resource metadata, `Metadata: {orb-scan: {ignore: [ORB304], reason: ...}}`
//!   ([`from_cfn_metadata`], over the spanned tree of any template);
//! - `[[suppress]]` tables in `orb-scan.toml` (built by [`crate::config::settings`]), the only way for JSON
//!   files, which have no comments.
//!
//! [`apply`] removes the diagnostics they cover and returns the ones that covered nothing, which
//! become ORB903.

use crate::base::diagnostic::{Diagnostic, FilePath};
use crate::base::span::Span;
use crate::config::settings::PathPatterns;
use crate::read::syntax::comments::lines;
use crate::read::syntax::Node;
use crate::registry::{code_matches, is_code_pattern};
use std::sync::Arc;

/// The word that introduces a directive in a comment.
const DIRECTIVE: &str = "orb-scan:";

#[derive(Clone, Debug)]
pub struct Suppression {
    /// Where the suppression is written; ORB903 points here.
    pub file: FilePath,
    pub span: Span,
    pub scope: Scope,
    pub codes: Vec<Code>,
    pub reason: Option<String>,
    /// Set when a comment looks like a directive but cannot be read: it covers nothing.
    pub malformed: Option<String>,
    /// Whether ORB903 may report it. A `[[suppress]]` table is only judged when the scan covered
    /// everything its paths can reach.
    pub report_unused: bool,
}

/// A rule code or prefix named by a suppression, with its own span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub pattern: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Scope {
    /// A comment: findings in `file` whose span touches this byte range (the comment's own line
    /// for a trailing comment, the next line of content for a comment on a line of its own), or
    /// spans across it.
    Lines { file: FilePath, span: Span },
    /// Resource metadata: findings in `file` that start inside the resource.
    Within { file: FilePath, span: Span },
    /// `[[suppress]]`: findings in files its globs match.
    Paths(Arc<PathPatterns>),
}

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

/// A suppression that covered nothing, with the codes that went unused.
pub struct Unused<'a> {
    pub suppression: &'a Suppression,
    /// Every code when the suppression matched nothing at all or is malformed.
    pub codes: Vec<&'a Code>,
}

/// Removes the diagnostics the suppressions cover and returns how many, with the suppressions (or
/// codes of them) that covered nothing among the rules `enabled` ran: a code that did not run
/// cannot be judged unused. Codes that name no rule are always unused.
///
/// Linear in the diagnostics and the suppressions, not their product: suppressions that speak for
/// the same place are judged once (a file may hold a hundred thousand directives above one line),
/// and each finding finds the places that cover it by binary search (`Places`).
pub fn apply<'a>(
    diagnostics: &mut Vec<Diagnostic>,
    suppressions: &'a [Suppression],
    enabled: impl Fn(&str) -> bool,
) -> (usize, Vec<Unused<'a>>) {
    let mut places = Places::new(suppressions);
    let before = diagnostics.len();
    diagnostics.retain(|d| {
        let mut covered = false;
        let locations =
            std::iter::once((&d.file, d.span)).chain(d.labels.iter().map(|l| (&l.file, l.span)));
        for (file, span) in locations {
            covered |= places.cover(file, span, d.code);
        }
        !covered
    });
    let suppressed = before - diagnostics.len();
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.codes.len()])
        .collect();
    for place in &places.list {
        for &i in &place.members {
            for (code, used) in suppressions[i].codes.iter().zip(used[i].iter_mut()) {
                *used = place
                    .hits
                    .iter()
                    .any(|hit| code_matches(&code.pattern, hit));
            }
        }
    }
    let mut unused = Vec::new();
    for (s, used) in suppressions.iter().zip(&used) {
        if !s.report_unused {
            continue;
        }
        let codes: Vec<&Code> = s
            .codes
            .iter()
            .zip(used)
            .filter(|(code, used)| {
                !**used
                    && (!is_code_pattern(&code.pattern)
                        || crate::registry::RULES
                            .iter()
                            .any(|r| code_matches(&code.pattern, r.code) && enabled(r.code)))
            })
            .map(|(code, _)| code)
            .collect();
        if s.malformed.is_some() || !codes.is_empty() {
            unused.push(Unused {
                suppression: s,
                codes,
            });
        }
    }
    (suppressed, unused)
}

/// One place suppressions speak for (a line, a resource, a set of globs) and every well-formed
/// suppression that speaks for it.
struct Place {
    members: Vec<usize>,
    /// The distinct code patterns among the members that name a rule (at most a few dozen).
    patterns: Vec<String>,
    /// The codes of the findings it covered.
    hits: Vec<&'static str>,
}

impl Place {
    /// Covers a finding with this code when a member names it; remembers the code either way.
    fn take(&mut self, code: &'static str) -> bool {
        let covers = self.patterns.iter().any(|p| code_matches(p, code));
        if covers && !self.hits.contains(&code) {
            self.hits.push(code);
        }
        covers
    }
}

/// Per (file, "a place covers the findings that start in it"): each place's span, the furthest end
/// of the spans up to it, and the place.
type SortedPlaces<'a> = std::collections::BTreeMap<(&'a str, bool), Vec<(Span, u32, usize)>>;

/// The places of a scan, indexed: per file and kind, their spans sorted by start, with the
/// furthest end reached so far, so the places touching a span are a short walk back from a binary
/// search (lines and resources do not overlap one another).
struct Places<'a> {
    list: Vec<Place>,
    /// (file, "the span is the finding's start only") → (span, furthest end up to it, place).
    spans: SortedPlaces<'a>,
    /// `[[suppress]]` tables: their places, and which of them match a file, found once per file.
    globs: Vec<(&'a PathPatterns, usize)>,
    glob_hits: crate::base::FastMap<FilePath, Vec<usize>>,
}

impl<'a> Places<'a> {
    fn new(suppressions: &'a [Suppression]) -> Places<'a> {
        let mut list: Vec<Place> = Vec::new();
        let mut by_span: crate::base::FastMap<(&str, bool, Span), usize> =
            crate::base::FastMap::default();
        let mut globs = Vec::new();
        for (i, s) in suppressions.iter().enumerate() {
            if s.malformed.is_some() {
                continue;
            }
            let new_place = |list: &mut Vec<Place>| {
                list.push(Place {
                    members: Vec::new(),
                    patterns: Vec::new(),
                    hits: Vec::new(),
                });
                list.len() - 1
            };
            let at = match &s.scope {
                Scope::Lines { file, span } => *by_span
                    .entry((file, false, *span))
                    .or_insert_with(|| new_place(&mut list)),
                Scope::Within { file, span } => *by_span
                    .entry((file, true, *span))
                    .or_insert_with(|| new_place(&mut list)),
                Scope::Paths(patterns) => {
                    let at = new_place(&mut list);
                    globs.push((&**patterns, at));
                    at
                }
            };
            let place = &mut list[at];
            place.members.push(i);
            for code in &s.codes {
                if !place.patterns.contains(&code.pattern) && is_code_pattern(&code.pattern) {
                    place.patterns.push(code.pattern.clone());
                }
            }
        }
        let mut spans = SortedPlaces::new();
        for ((file, start_only, span), at) in by_span {
            spans
                .entry((file, start_only))
                .or_default()
                .push((span, 0, at));
        }
        for sorted in spans.values_mut() {
            sorted.sort_unstable_by_key(|&(span, _, at)| (span.start, span.end, at));
            let mut reach = 0;
            for (span, furthest, _) in sorted.iter_mut() {
                reach = reach.max(span.end);
                *furthest = reach;
            }
        }
        Places {
            list,
            spans,
            globs,
            glob_hits: crate::base::FastMap::default(),
        }
    }

    /// Offers a finding with `code` at `span` of `file` to the places that cover it (lines it
    /// touches, resources it starts in, tables whose globs match the file): does one take it?
    fn cover(&mut self, file: &FilePath, span: Span, code: &'static str) -> bool {
        let mut found = Vec::new();
        for (start_only, (from, to)) in [
            (false, (span.start, span.end)),
            (true, (span.start, span.start)),
        ] {
            let Some(sorted) = self.spans.get(&(&**file, start_only)) else {
                continue;
            };
            let candidates = sorted.partition_point(|(s, _, _)| s.start <= to);
            for &(s, furthest, at) in sorted[..candidates].iter().rev() {
                if furthest < from {
                    break;
                }
                if s.end >= from {
                    found.push(at);
                }
            }
        }
        if !self.globs.is_empty() {
            let globs = &self.globs;
            let matching = self.glob_hits.entry(file.clone()).or_insert_with(|| {
                globs
                    .iter()
                    .filter(|(patterns, _)| patterns.matches_shown(file))
                    .map(|&(_, at)| at)
                    .collect()
            });
            found.extend(matching.iter().copied());
        }
        let mut covered = false;
        for at in found {
            covered |= self.list[at].take(code);
        }
        covered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diagnostic::Severity;
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
