//! Turns cross-check findings into diagnostics: one per (cause, rule) listing every action it lacks,
//! with the primary span at the setting and a label at the policy or statement that decided.
//!
//! A deployment whose principal is ambiguous is checked against each candidate on its own; a
//! finding that every candidate shares is one diagnostic at its severity, and one that only some
//! share is one diagnostic naming them, at most a warning: it holds only if ORB runs under one of
//! them, which orb-scan cannot tell.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::iam::grants::{Doubt, Hit, Verdict};
use crate::iam::pattern::Overlap;
use crate::model::deploy::{Check, Choice, Deployment, Finding, Model};
use crate::orb::needs::{Cause, CauseKey, Need};
use std::collections::BTreeMap;

/// What a group of findings has in common, besides the cause.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Missing,
    /// Not granted by what orb-scan read, while a policy it could not read may grant it.
    MaybeMissing,
    Conditional,
    Denied,
    MaybeDenied,
}

/// The unread policies a doubtful missing permission points at; `inventory` lists every one.
const UNREAD_LABELS: usize = 3;

/// Findings group by cause, kind, and the deciding statement (file, offset).
type GroupKey = (
    CauseKey,
    Kind,
    Option<(crate::base::diagnostic::FilePath, u32)>,
);

struct Group<'m> {
    cause: Cause,
    severity: Severity,
    actions: Vec<&'static str>,
    whys: Vec<String>,
    references: Vec<String>,
    resources: Vec<String>,
    templates: Vec<String>,
    /// Near-miss actions the policy grants instead (`ssm:GetParameters` for `ssm:GetParameter`).
    confused: Vec<String>,
    /// Why other rules' needs call for the same missing actions (`Owners`).
    also: Vec<String>,
    /// The other resources of a call that are granted, when one is not.
    granted_on: Vec<String>,
    hit: Option<Hit<'m>>,
    /// The permissions boundary that keeps a granted action out of reach.
    outside_boundary: Option<&'m crate::iam::policy::PolicyDocument>,
}

/// A group of findings and the candidates it holds for.
type Merged<'m> = (Group<'m>, Vec<&'m Check<'m>>);

/// Diagnostics for findings that `kind_of` maps to `code`.
fn emit(
    model: &Model,
    code: &'static str,
    kind_of: impl Fn(&Finding, &Need, &Owners) -> Option<Kind>,
    out: &mut Vec<Diagnostic>,
) {
    for deployment in &model.deployments {
        // The same finding of several candidates is one diagnostic (cause, kind, deciding
        // statement, actions), with the candidates it holds for.
        let mut merged: BTreeMap<(GroupKey, Vec<&str>), Merged> = BTreeMap::new();
        for check in &deployment.checks {
            for (key, g) in groups(deployment, check, &kind_of) {
                let mut actions = g.actions.clone();
                actions.sort_unstable();
                merged
                    .entry((key, actions))
                    .or_insert_with(|| (g, Vec::new()))
                    .1
                    .push(check);
            }
        }
        for (((_, kind, _), _), (g, checks)) in merged {
            out.push(diagnostic(deployment, &checks, code, kind, g));
        }
    }
}

/// One check's findings that `kind_of` maps to a kind, grouped.
fn groups<'m>(
    deployment: &'m Deployment,
    check: &'m Check,
    kind_of: &impl Fn(&Finding, &Need, &Owners) -> Option<Kind>,
) -> BTreeMap<GroupKey, Group<'m>> {
    let owners = Owners::of(deployment, check);
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for f in &check.findings {
        let need = deployment.need_of(f);
        let Some(kind) = kind_of(f, need, &owners) else {
            continue;
        };
        let hit = match kind {
            Kind::Missing | Kind::MaybeMissing => None,
            Kind::Conditional => f.allow,
            Kind::Denied | Kind::MaybeDenied => f.deny,
        };
        let hit_key = match (hit, f.outside_boundary) {
            (Some(h), _) => Some((h.policy.file.clone(), h.statement.span.start)),
            (None, Some(b)) => Some((b.file.clone(), b.span.start)),
            (None, None) => None,
        };
        // A refused action is as serious as the need it breaks; an uncertain one at most a warning.
        let severity = match kind {
            Kind::Missing | Kind::Denied => need.severity,
            Kind::MaybeMissing | Kind::MaybeDenied | Kind::Conditional => {
                need.severity.min(Severity::Warning)
            }
        };
        let g = groups
            .entry((need.cause.key.clone(), kind, hit_key))
            .or_insert_with(|| Group {
                cause: need.cause.clone(),
                severity,
                actions: Vec::new(),
                whys: Vec::new(),
                references: Vec::new(),
                resources: Vec::new(),
                templates: Vec::new(),
                confused: Vec::new(),
                also: Vec::new(),
                granted_on: Vec::new(),
                hit,
                outside_boundary: f.outside_boundary,
            });
        let missing = matches!(kind, Kind::Missing | Kind::MaybeMissing);
        if missing {
            for (rule, why) in owners.others(f, need) {
                push_unique(
                    &mut g.also,
                    format!("`{}` is also needed ({rule}): {why}", f.action),
                );
            }
            for near in &f.granted_instead {
                push_unique(&mut g.confused, format!("the policy grants `{near}`, but ORB calls `{}`: they are different IAM actions", f.action));
            }
        }
        g.severity = g.severity.max(severity);
        push_unique(&mut g.actions, f.action);
        push_unique(&mut g.whys, need.requirement.why.clone());
        push_unique(&mut g.references, need.requirement.reference());
        // The resource that decided, where it explains: the table's own (a role, a parameter),
        // the one a Deny or doubt is about, or the one left out where others are granted.
        let explains = need.resource != "*" || !missing || !f.granted_on.is_empty();
        if f.resource != "*" && explains {
            push_unique(&mut g.resources, f.resource.clone());
        }
        for other in f.granted_on.iter().filter(|_| missing) {
            push_unique(
                &mut g.granted_on,
                format!("`{}` is granted on {other}", f.action),
            );
        }
        if need.cause.span < g.cause.span && need.cause.file == g.cause.file {
            g.cause = need.cause.clone();
        }
        push_unique(&mut g.templates, need.cause.template_id.clone());
    }
    groups
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, item: T) {
    if !v.contains(&item) {
        v.push(item);
    }
}

fn list(actions: &[&str]) -> String {
    actions
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Candidates named in a message or a note: all of a few, else how many.
fn named(checks: &[&Check]) -> String {
    let names: Vec<&str> = checks.iter().map(|c| c.candidate.name.as_str()).collect();
    match names.as_slice() {
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        more => format!("{} candidates", more.len()),
    }
}

/// Labels shown per diagnostic at most, one per candidate lacking the actions.
const CANDIDATE_LABELS: usize = 3;

fn diagnostic(
    deployment: &Deployment,
    checks: &[&Check],
    code: &'static str,
    kind: Kind,
    mut g: Group,
) -> Diagnostic {
    let acts = list(&g.actions);
    let doubt = g.hit.and_then(|h| h.doubt());
    let subject = match &g.cause.packaged_default {
        Some(default) => format!("template `{}` (inheriting {default})", g.cause.template_id),
        None => format!("`{}`", g.cause.label),
    };
    // With an ambiguous principal each candidate is checked on its own: say which lack it, and
    // what only some of them lack is doubtful.
    let ambiguous = deployment.choice == Choice::Ambiguous;
    let some_only = ambiguous && checks.len() < deployment.checks.len();
    if some_only {
        g.severity = g.severity.min(Severity::Warning);
    }
    let (checked, verb) = match (ambiguous, checks.len()) {
        (false, _) => ("the policy".to_string(), "does"),
        (true, 1) => (named(checks), "does"),
        (true, _) => (named(checks), "do"),
    };
    let message = match kind {
        Kind::Missing if g.outside_boundary.is_some() => {
            format!("{subject} needs {acts}, which the permissions boundary does not allow")
        }
        Kind::Missing => format!("{subject} needs {acts}, which {checked} {verb} not grant"),
        Kind::MaybeMissing if !ambiguous => format!(
            "{subject} needs {acts}, which the policies orb-scan read do not grant (a policy it could not read may)"
        ),
        Kind::MaybeMissing => format!(
            "{subject} needs {acts}, which {checked} {verb} not grant as far as orb-scan could read (a policy it could not read may)"
        ),
        Kind::Conditional => match doubt {
            Some(Doubt::Resource(..)) => format!(
                "{subject} needs {acts}, granted only on resources that may not include ORB's"
            ),
            _ => format!(
                "{subject} needs {acts}, granted only under a condition orb-scan cannot evaluate"
            ),
        },
        Kind::Denied => format!("{subject} needs {acts}, which a Deny statement refuses"),
        Kind::MaybeDenied => {
            format!("{subject} needs {acts}, which a Deny statement may refuse")
        }
    };
    let mut d = Diagnostic::new(code, g.severity, &g.cause.file, g.cause.span, message)
        .label_here(g.cause.label.clone());
    d.actions = g.actions.iter().map(|a| a.to_string()).collect();
    match (kind, g.hit, g.outside_boundary) {
        (Kind::Missing, _, Some(b)) => {
            d = d.with_label(
                &b.file,
                b.anchor,
                format!("the permissions boundary allows no {acts}"),
            );
        }
        (Kind::Missing | Kind::MaybeMissing, _, None) => {
            for check in checks.iter().take(CANDIDATE_LABELS) {
                if let Some(policy) = check.policy_for(&g.actions) {
                    d = d.with_label(
                        &policy.file,
                        policy.anchor,
                        format!("checked this policy: it grants no {acts}"),
                    );
                }
            }
            if kind == Kind::MaybeMissing {
                let mut unread: Vec<_> = checks.iter().flat_map(|c| &c.unread).collect();
                unread.sort_by(|a, b| (a.file, a.span.start).cmp(&(b.file, b.span.start)));
                unread.dedup_by(|a, b| (a.file, a.span) == (b.file, b.span));
                for u in unread.iter().take(UNREAD_LABELS) {
                    d = d.with_label(
                        u.file,
                        u.span,
                        format!("orb-scan could not read this: {}", u.why),
                    );
                }
                if unread.len() > UNREAD_LABELS {
                    d = d.with_note(format!(
                        "and {} more places orb-scan could not read (`orb-scan inventory` lists them)",
                        unread.len() - UNREAD_LABELS
                    ));
                }
            }
        }
        (Kind::Conditional, Some(hit), _) => {
            let (span, text) = match doubt {
                Some(Doubt::Resource(span, why)) => (
                    span,
                    match why {
                        Overlap::Type => "granted only on resources of these types: ORB's call may touch another",
                        Overlap::Names => "granted only on this resource: orb-scan cannot tell whether ORB's is among it (an id AWS gives a new resource is not known in advance)",
                        Overlap::Account => "granted only in this account: orb-scan does not know the deployment's",
                    },
                ),
                Some(Doubt::Condition(span)) => (span, "granted only under this condition"),
                None => (hit.statement.span, "granted here"),
            };
            d = d.with_label(&hit.policy.file, span, text);
        }
        (_, Some(hit), _) => {
            // Point at what decides: the undecidable condition or resource, else the action
            // pattern that matched, the clearest place to narrow the Deny.
            let matched = hit
                .statement
                .actions
                .items
                .iter()
                .filter(|_| !hit.statement.actions.negated)
                .find(|p| g.actions.iter().any(|a| p.matches_action(a)));
            let (span, text) = match (doubt, matched) {
                (Some(Doubt::Condition(span)), _) => (
                    span,
                    "this Deny applies unless this condition is false".to_string(),
                ),
                (Some(Doubt::Resource(span, Overlap::Account)), _) => (
                    span,
                    "this Deny names an account: it applies if that is the deployment's own"
                        .to_string(),
                ),
                (Some(Doubt::Resource(span, _)), _) => (
                    span,
                    "this Deny applies if ORB's resource matches this pattern".to_string(),
                ),
                (None, Some(p)) => (p.span, format!("`{}` is denied here", p.value)),
                (None, None) => (
                    hit.statement
                        .effect
                        .as_ref()
                        .map(|e| e.span)
                        .unwrap_or(hit.statement.span),
                    "denied here".to_string(),
                ),
            };
            d = d.with_label(&hit.policy.file, span, text);
        }
        _ => {}
    }
    if let Some(note) = &g.cause.note {
        d = d.with_note(note.clone());
    }
    for near in &g.confused {
        d = d.with_note(near.clone());
    }
    if some_only {
        let others: Vec<&Check> = deployment
            .checks
            .iter()
            .filter(|c| !checks.iter().any(|k| std::ptr::eq(*k, *c)))
            .collect();
        d = d.with_note(format!(
            "ORB's principal is ambiguous, and this does not hold for {}: it does only if ORB runs under {}; pin the right one with [[deployment]] in orb-scan.toml",
            named(&others),
            named(checks)
        ));
    } else if ambiguous {
        d = d.with_note(format!(
            "ORB's principal is ambiguous, and this holds for each of the {} candidates, checked on its own; pin the right one with [[deployment]] in orb-scan.toml",
            checks.len()
        ));
    }
    for why in &g.whys {
        d = d.with_note(format!("ORB: {why}"));
    }
    for also in &g.also {
        d = d.with_note(also.clone());
    }
    if !g.resources.is_empty() {
        d = d.with_note(format!("resource: {}", g.resources.join(", ")));
    }
    for granted in &g.granted_on {
        d = d.with_note(format!(
            "{granted}, but IAM authorizes the call on every resource it touches"
        ));
    }
    if g.cause.packaged_default.is_some() && g.templates.len() > 1 {
        d = d.with_note(format!(
            "also inherited by: {}",
            g.templates[1..].join(", ")
        ));
    }
    let refs: Vec<&String> = g.references.iter().filter(|r| !r.is_empty()).collect();
    if !refs.is_empty() {
        d = d.with_note(format!(
            "source: {}",
            refs.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let help = match kind {
        Kind::Missing if g.outside_boundary.is_some() => {
            format!("allow {acts} in the permissions boundary of ORB's role too")
        }
        Kind::Missing => format!("allow {acts} in the policy ORB runs under"),
        Kind::MaybeMissing => format!(
            "make sure what orb-scan could not read grants {acts}, or grant {acts} in a policy it can read"
        ),
        Kind::Conditional => match doubt {
            Some(Doubt::Resource(..)) => {
                format!("make sure the pattern names the resource ORB uses, or widen it for {acts}")
            }
            _ => "make sure the condition holds for ORB's requests, or grant without it".into(),
        },
        Kind::Denied | Kind::MaybeDenied => format!("exempt ORB's role from this Deny for {acts}"),
    };
    d.with_help(help)
}

/// The rule that reports each missing request of one check: one finding per missing permission,
/// however many needs call for it. ORB102 (the per-request lookup, fatal) and ORB103 (cleanup,
/// which only leaks) both need `ec2:DescribeLaunchTemplates`: it is reported once, by the rule
/// whose need is most severe (the lowest code among equals), and notes the others' reasons.
/// A request is an action on a resource in a context: `iam:PassRole` on the fleet role (ORB106)
/// and on an instance role (ORB107) are two permissions.
struct Owners<'m> {
    missing: Vec<(&'m Finding<'m>, &'m Need)>,
}

impl<'m> Owners<'m> {
    fn of(deployment: &'m Deployment, check: &'m Check) -> Owners<'m> {
        Owners {
            missing: check
                .findings
                .iter()
                .filter(|f| matches!(f.verdict, Verdict::NotGranted | Verdict::MaybeGranted))
                .map(|f| (f, deployment.need_of(f)))
                .collect(),
        }
    }

    /// The missing findings of the same request as `f`, with their needs.
    fn same<'a>(&'a self, f: &'a Finding, need: &'a Need) -> impl Iterator<Item = &'a Need> + 'a {
        self.missing
            .iter()
            .filter(move |(g, n)| {
                g.action == f.action && n.resource == need.resource && n.context == need.context
            })
            .map(|(_, n)| *n)
    }

    /// Does `code` report this missing request?
    fn owns(&self, code: &str, f: &Finding, need: &Need) -> bool {
        let owner = self.same(f, need).max_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then_with(|| b.requirement.rule.cmp(&a.requirement.rule))
        });
        owner.is_some_and(|n| n.requirement.rule == code)
    }

    /// The other rules that need the same request, and why.
    fn others<'a>(
        &'a self,
        f: &'a Finding,
        need: &'a Need,
    ) -> impl Iterator<Item = (&'static str, &'static str)> + 'a {
        self.same(f, need)
            .filter(move |n| n.requirement.rule != need.requirement.rule)
            .map(|n| (n.requirement.rule.as_str(), n.requirement.why.as_str()))
    }
}

pub fn missing(model: &Model, code: &'static str, out: &mut Vec<Diagnostic>) {
    emit(
        model,
        code,
        |f, need, owners| {
            let kind = match f.verdict {
                Verdict::NotGranted => Kind::Missing,
                Verdict::MaybeGranted => Kind::MaybeMissing,
                _ => return None,
            };
            (need.requirement.rule == code && owners.owns(code, f, need)).then_some(kind)
        },
        out,
    );
}

pub fn conditional(model: &Model, code: &'static str, out: &mut Vec<Diagnostic>) {
    emit(
        model,
        code,
        |f, _, _| (f.verdict == Verdict::Conditional).then_some(Kind::Conditional),
        out,
    );
}

pub fn denied(model: &Model, code: &'static str, out: &mut Vec<Diagnostic>) {
    emit(
        model,
        code,
        |f, _, _| match f.verdict {
            Verdict::Denied => Some(Kind::Denied),
            Verdict::MaybeDenied => Some(Kind::MaybeDenied),
            _ => None,
        },
        out,
    );
}
