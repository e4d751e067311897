//! "Is action A on resource R allowed, by which statement, under which condition, and is it denied by
//! which statement?" over the policies of one principal. Explicit Deny wins.

use super::pattern::{action_matches, glob_match, resource_covers, resource_overlaps};
use super::policy::{Condition, Effect, Matcher, PolicyDocument, Statement};

/// What the deployment fixes about a request, for the condition keys we can evaluate.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub region: Option<String>,
    /// `iam:PassedToService` for `iam:PassRole`.
    pub passed_to_service: Option<String>,
    /// `iam:AWSServiceName` for `iam:CreateServiceLinkedRole`.
    pub service_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub action: &'a str,
    /// The resource as a pattern whose `*` are parts we cannot know; `*` when any resource may be hit.
    pub resource: &'a str,
    pub context: &'a RequestContext,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    Certain,
    /// The statement has a condition we cannot evaluate statically.
    Conditional,
}

#[derive(Clone, Copy, Debug)]
pub struct Hit<'a> {
    pub policy: &'a PolicyDocument,
    pub statement: &'a Statement,
    pub certainty: Certainty,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Evaluation<'a> {
    pub allow: Option<Hit<'a>>,
    pub deny: Option<Hit<'a>>,
}

impl Evaluation<'_> {
    pub fn verdict(&self) -> Verdict {
        match (self.deny, self.allow) {
            (Some(d), _) if d.certainty == Certainty::Certain => Verdict::Denied,
            (_, Some(a)) if a.certainty == Certainty::Certain && self.deny.is_none() => {
                Verdict::Allowed
            }
            (Some(_), Some(a)) if a.certainty == Certainty::Certain => Verdict::MaybeDenied,
            (_, Some(_)) => Verdict::Conditional,
            _ => Verdict::NotGranted,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed, but a Deny with an unknown condition may apply.
    MaybeDenied,
    /// Allowed only under a condition we cannot evaluate.
    Conditional,
    Denied,
    NotGranted,
}

/// Evaluates one request against every statement of `policies` (one principal).
pub fn evaluate<'a>(policies: &[&'a PolicyDocument], request: &Request) -> Evaluation<'a> {
    let mut eval = Evaluation::default();
    for policy in policies {
        for statement in &policy.statements {
            let Some(effect) = statement.effect.as_ref().map(|e| e.value) else {
                continue;
            };
            if !actions_apply(&statement.actions, request.action) {
                continue;
            }
            let resource_ok = match effect {
                Effect::Allow => resources_cover(&statement.resources, request.resource),
                Effect::Deny => resources_may_hit(&statement.resources, request.resource),
            };
            if !resource_ok {
                continue;
            }
            let certainty = match conditions_hold(&statement.conditions, request) {
                Tri::False => continue,
                Tri::True => Certainty::Certain,
                Tri::Unknown => Certainty::Conditional,
            };
            let hit = Hit {
                policy,
                statement,
                certainty,
            };
            let slot = match effect {
                Effect::Allow => &mut eval.allow,
                Effect::Deny => &mut eval.deny,
            };
            // Prefer a certain hit; among equals keep the first in scan order.
            if slot.is_none_or(|h| {
                h.certainty == Certainty::Conditional && certainty == Certainty::Certain
            }) {
                *slot = Some(hit);
            }
        }
    }
    eval
}

pub fn actions_apply(actions: &Matcher, action: &str) -> bool {
    if !actions.present {
        return false;
    }
    let any = actions
        .items
        .iter()
        .any(|p| action_matches(&p.value, action));
    any != actions.negated
}

/// An Allow applies when it may name the resource: the `*` in a needed ARN are parts only AWS knows
/// (the account, a role's path), so a grant on `arn:aws:iam::123456789012:role/x` serves
/// `arn:aws:iam::*:role/x`. A `NotResource` Allow must leave the whole needed pattern outside its list.
fn resources_cover(resources: &Matcher, needed: &str) -> bool {
    if !resources.present {
        return false;
    }
    let overlaps = resources
        .items
        .iter()
        .any(|p| resource_overlaps(&p.value, needed));
    overlaps != resources.negated
}

/// A Deny applies when it may hit any resource the request may touch.
fn resources_may_hit(resources: &Matcher, needed: &str) -> bool {
    if !resources.present {
        return false;
    }
    if resources.negated {
        !resources
            .items
            .iter()
            .any(|p| resource_covers(&p.value, needed))
    } else {
        resources
            .items
            .iter()
            .any(|p| resource_overlaps(&p.value, needed))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tri {
    True,
    False,
    Unknown,
}

fn conditions_hold(conditions: &[Condition], request: &Request) -> Tri {
    let mut result = Tri::True;
    for c in conditions {
        match condition_holds(c, request) {
            Tri::False => return Tri::False,
            Tri::Unknown => result = Tri::Unknown,
            Tri::True => {}
        }
    }
    result
}

/// Evaluates the condition keys whose value the deployment fixes; everything else is unknown.
fn condition_holds(c: &Condition, request: &Request) -> Tri {
    let key = c.key.to_ascii_lowercase();
    let ctx = request.context;
    let value = match key.as_str() {
        "iam:passedtoservice" if request.action.eq_ignore_ascii_case("iam:PassRole") => {
            ctx.passed_to_service.as_deref()
        }
        "iam:awsservicename"
            if request
                .action
                .eq_ignore_ascii_case("iam:CreateServiceLinkedRole") =>
        {
            ctx.service_name.as_deref()
        }
        "aws:requestedregion" | "ec2:region" => ctx.region.as_deref(),
        _ => return Tri::Unknown,
    };
    let Some(value) = value else {
        return Tri::Unknown;
    };
    let op = c.operator.trim_end_matches("IfExists");
    let op = op
        .strip_prefix("ForAnyValue:")
        .or_else(|| op.strip_prefix("ForAllValues:"))
        .unwrap_or(op);
    let any = |f: &dyn Fn(&str) -> bool| c.values.iter().any(|v| f(v));
    let holds = match op {
        "StringEquals" => any(&|v| v == value),
        "StringEqualsIgnoreCase" => any(&|v| v.eq_ignore_ascii_case(value)),
        "StringLike" => any(&|v| glob_match(v, value, false)),
        "StringNotEquals" => !any(&|v| v == value),
        "StringNotEqualsIgnoreCase" => !any(&|v| v.eq_ignore_ascii_case(value)),
        "StringNotLike" => !any(&|v| glob_match(v, value, false)),
        _ => return Tri::Unknown,
    };
    if holds {
        Tri::True
    } else {
        Tri::False
    }
}
