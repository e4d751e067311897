//! Suppressions: findings deliberately accepted, and where that is written down.
//!
//! Three sources hand over the same [`Suppression`]:
//! - comments in YAML, TOML and Terraform files, `# orb-scan: ignore[ORB304, ORB401] reason` (or
//!   `// orb-scan: ...` in Terraform) ([`from_comments`](crate::read::suppressions::from_comments):
//!   a reader passes the byte span of each comment; [`crate::read::syntax::comments`] finds them in text
//!   until a reader does);
//! - CloudFormation resource metadata, `Metadata: {orb-scan: {ignore: [ORB304], reason: ...}}`
//!   ([`from_cfn_metadata`](crate::read::suppressions::from_cfn_metadata), over the spanned tree of any template);
//! - `[[suppress]]` tables in `orb-scan.toml` (built by [`crate::config::settings`]), the only way for JSON
//!   files, which have no comments.
//!
//! [`apply`] removes the diagnostics they cover and returns the ones that covered nothing, which
//! become ORB903.

use crate::base::diagnostic::{Diagnostic, FilePath};
use crate::base::span::Span;
use crate::config::settings::PathPatterns;
use crate::registry::{code_matches, is_code_pattern};
use std::sync::Arc;

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
