//! "Is action A on resource R allowed, by which statement, under which condition, and is it denied by
//! which statement?" over the identity policies of one principal. Explicit Deny wins.
//!
//! A statement applies to a request certainly, not at all, or doubtfully: doubt comes from a
//! condition orb-scan cannot decide, or from a resource pattern that matches some but not all of the
//! resources the request may touch. The verdict keeps doubt apart from certainty, so a doubtful
//! Allow is a warning (ORB108) and a doubtful Deny is a warning, never an error.

use super::catalog::{self, ActionId, Caseless};
use super::pattern::{
    glob_match, glob_service, resource_covers, resource_match, Overlap, ResourceMatch,
};
use super::policy::{Condition, Effect, Item, Matcher, PolicyDocument, Statement};
use crate::base::span::Span;
use crate::base::FastMap;

/// What the deployment fixes about a request, for the condition keys orb-scan evaluates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RequestContext {
    /// The provider's region: `aws:RequestedRegion` and `ec2:Region`.
    pub region: Option<String>,
    /// `iam:PassedToService` for `iam:PassRole`.
    pub passed_to_service: Option<String>,
    /// `iam:AWSServiceName` for `iam:CreateServiceLinkedRole`.
    pub service_name: Option<String>,
    /// The account the calls are made in, when known (a scan never knows it; a caller such as the
    /// differential test may): the needed ARNs' account. Unknown, a policy's literal account is
    /// taken for it in an Allow and only as doubt in a Deny.
    pub account: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub action: &'a str,
    /// The resource as a pattern whose `*` are parts orb-scan cannot know. `*` alone is the literal
    /// resource `*` for an action that authorizes no resource type (only `"Resource": "*"` grants
    /// it), and any resource of the action's types for one whose every resource type is optional.
    pub resource: &'a str,
    pub context: &'a RequestContext,
    /// Who knows the parts of `resource` that orb-scan does not.
    pub unknowns: Unknowns,
}

/// Who knows the `*` parts of a needed resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Unknowns {
    /// The policy's author: the role inside an instance profile, a role's path. An Allow that names
    /// one there is taken to name ORB's.
    #[default]
    Author,
    /// Nobody before the call: the id AWS gives a new fleet or instance. An Allow that names one
    /// names ORB's only by chance, so it is doubt.
    Nobody,
}

/// Why a statement only may apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doubt {
    /// This condition cannot be decided from the repository.
    Condition(Span),
    /// This resource pattern matches only some of the resources the request may touch, for this
    /// reason (`Overlap::Names` where the pattern names what nobody knows in advance, or in a Deny).
    Resource(Span, Overlap),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    Certain,
    Doubtful(Doubt),
}

#[derive(Clone, Copy, Debug)]
pub struct Hit<'a> {
    pub policy: &'a PolicyDocument,
    pub statement: &'a Statement,
    pub certainty: Certainty,
}

impl Hit<'_> {
    pub fn doubt(&self) -> Option<Doubt> {
        match self.certainty {
            Certainty::Certain => None,
            Certainty::Doubtful(d) => Some(d),
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Evaluation<'a> {
    pub allow: Option<Hit<'a>>,
    pub deny: Option<Hit<'a>>,
    /// The action is one AWS performs without asking IAM (`NOT_AUTHORIZED`): allowed whatever the
    /// policies say.
    pub unauthorized: bool,
}

/// Actions AWS performs without authorizing them, so no policy grants or refuses them.
/// `sts:GetCallerIdentity`: "No permissions are required to perform this operation. If an
/// administrator attaches a policy to your identity that explicitly denies access to the
/// sts:GetCallerIdentity action, you can still perform this operation."
/// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
const NOT_AUTHORIZED: &[&str] = &["sts:GetCallerIdentity"];

fn not_authorized(action: &str) -> bool {
    NOT_AUTHORIZED
        .iter()
        .any(|a| a.eq_ignore_ascii_case(action))
}

impl Evaluation<'_> {
    pub fn verdict(&self) -> Verdict {
        let certain = |h: Option<Hit>| h.is_some_and(|h| h.certainty == Certainty::Certain);
        if self.unauthorized {
            Verdict::Allowed
        } else if certain(self.deny) {
            Verdict::Denied
        } else if certain(self.allow) && self.deny.is_some() {
            Verdict::MaybeDenied
        } else if certain(self.allow) {
            Verdict::Allowed
        } else if self.allow.is_some() {
            Verdict::Conditional
        } else {
            Verdict::NotGranted
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed, but a Deny that orb-scan cannot decide may apply.
    MaybeDenied,
    /// Allowed only under a condition, or on some resources, that orb-scan cannot decide.
    Conditional,
    Denied,
    NotGranted,
    /// Not granted by what orb-scan read, but the principal holds a policy, or part of one, that
    /// it could not read, which may grant it (`deploy::UnreadPolicy`): never `evaluate`'s answer.
    MaybeGranted,
}

/// Evaluates one request against every statement of `policies` (one principal).
pub fn evaluate<'a>(policies: &[&'a PolicyDocument], request: &Request) -> Evaluation<'a> {
    let mut eval = Evaluation {
        unauthorized: not_authorized(request.action),
        ..Evaluation::default()
    };
    let needed = Needed::of(request);
    for policy in policies {
        for statement in &policy.statements {
            if !eval.decided(statement) {
                eval.consider(policy, statement, applies(statement, request, &needed));
            }
        }
    }
    eval
}

impl<'a> Evaluation<'a> {
    /// Whether `statement` can no longer change the evaluation: its effect already has a certain
    /// hit, which a later statement never replaces (or it has no effect). Then whether it applies
    /// (its resources and conditions, the costly part) need not be worked out.
    fn decided(&self, statement: &Statement) -> bool {
        let certain = |slot: &Option<Hit>| slot.is_some_and(|h| h.certainty == Certainty::Certain);
        match statement.effect.as_ref().map(|e| e.value) {
            Some(Effect::Allow) => certain(&self.allow),
            Some(Effect::Deny) => certain(&self.deny),
            None => true,
        }
    }

    /// Takes one statement, in scan order, into account, with whether (and how surely) it applies.
    fn consider(
        &mut self,
        policy: &'a PolicyDocument,
        statement: &'a Statement,
        applies: Option<Certainty>,
    ) {
        let Some(effect) = statement.effect.as_ref().map(|e| e.value) else {
            return;
        };
        let Some(certainty) = applies else {
            return;
        };
        let slot = match effect {
            Effect::Allow => &mut self.allow,
            Effect::Deny => &mut self.deny,
        };
        // Prefer a certain hit; among equals keep the first in scan order.
        if slot.is_none_or(|h| h.certainty != Certainty::Certain && certainty == Certainty::Certain)
        {
            *slot = Some(Hit {
                policy,
                statement,
                certainty,
            });
        }
    }
}

/// `evaluate` for many requests against one principal's policies. A principal built from AWS
/// managed policies has thousands of statements listing hundreds of actions each, and a request
/// names one action: a statement is found through the entries that may match it (by name, or by
/// the service of a glob such as `ec2:Describe*`), and only `NotAction` and globs over services
/// (`*`, `ec2*:...`) are tried every time; all in scan order, so the evaluation is `evaluate`'s.
#[derive(Default)]
pub struct ActionIndex<'a> {
    policies: Vec<&'a PolicyDocument>,
    /// Plain action → `(policy, statement)` positions, ascending.
    by_action: FastMap<Named<'a>, Vec<(u32, u32)>>,
    /// Service, in any case, and the first letter of a glob within that service (lowercase, or
    /// `ANY_LETTER` when the glob starts with a wildcard) → positions of the statements with such
    /// a glob, ascending: `ec2:Describe*` is never tried for `ec2:RunInstances`.
    by_service: FastMap<(Caseless<'a>, u8), Vec<(u32, u32)>>,
    /// Positions of statements any action may match, ascending.
    always: Vec<(u32, u32)>,
    /// The only actions the index was built to answer, when they were known (`ActionIndex::asked`).
    asked: Option<Asked>,
}

/// Catalog actions an index will be asked about, and their services: an entry that cannot name
/// one of them is not filed, and any other action is evaluated without the index.
struct Asked {
    /// Sorted.
    actions: Vec<ActionId>,
    services: Vec<&'static str>,
}

impl Asked {
    fn has(&self, action: Option<ActionId>) -> bool {
        action.is_some_and(|id| self.actions.binary_search(&id).is_ok())
    }
}

/// A plain action as the index files it: by the catalog action it names (resolved when the policy
/// was read), else by its spelling in any case. The two never meet: a spelling equal to a catalog
/// action's in any case names that action.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Named<'a> {
    Catalog(ActionId),
    Spelled(Caseless<'a>),
}

impl<'a> Named<'a> {
    fn new(action: Option<ActionId>, spelling: &'a str) -> Named<'a> {
        action.map_or(Named::Spelled(Caseless(spelling)), Named::Catalog)
    }
}

/// Appends `at` unless it is already the last position: a statement lists many actions.
fn push_position(list: &mut Vec<(u32, u32)>, at: (u32, u32)) {
    if list.last() != Some(&at) {
        list.push(at);
    }
}

/// `pattern::glob_service`, with the first letter of the actions the glob may match (`first_letter`).
fn glob_service_letter(pattern: &str) -> Option<(&str, u8)> {
    glob_service(pattern).map(|(service, name)| (service, first_letter(name)))
}

/// Filed under every first letter: a glob whose name starts with a wildcard (or is empty).
const ANY_LETTER: u8 = 0;

/// The lowercased first byte of an action name, or `ANY_LETTER` for a wildcard or a character
/// beyond ASCII (globs compare those by Unicode case: `\u{212a}` is a `k`). A glob is tried for an
/// action under this letter and under `ANY_LETTER`, so taking one for the other (a name starting
/// with a NUL byte) only costs a try.
fn first_letter(name: &str) -> u8 {
    match name.bytes().next() {
        Some(b) if b.is_ascii() && b != b'*' && b != b'?' => b.to_ascii_lowercase(),
        _ => ANY_LETTER,
    }
}

impl<'a> ActionIndex<'a> {
    pub fn new(policies: &[&'a PolicyDocument]) -> ActionIndex<'a> {
        Self::filed(policies, None)
    }

    /// An index that answers for `actions` (all catalog actions; else every entry is filed): ORB's
    /// principal is asked about the few dozen actions of the requirements table, and its policies
    /// may list thousands of others.
    pub fn asked(policies: &[&'a PolicyDocument], actions: &[&str]) -> ActionIndex<'a> {
        let catalog = catalog::catalog();
        let ids: Option<Vec<ActionId>> = actions.iter().map(|a| catalog.action_id(a)).collect();
        let asked = ids.map(|mut ids| {
            ids.sort_unstable();
            ids.dedup();
            let mut services: Vec<&'static str> =
                ids.iter().map(|&id| catalog.names(id).0).collect();
            services.sort_unstable();
            services.dedup();
            Asked {
                actions: ids,
                services,
            }
        });
        Self::filed(policies, asked)
    }

    fn filed(policies: &[&'a PolicyDocument], asked: Option<Asked>) -> ActionIndex<'a> {
        let mut index = ActionIndex {
            policies: policies.to_vec(),
            asked,
            ..ActionIndex::default()
        };
        for (p, policy) in policies.iter().enumerate() {
            for (s, statement) in policy.statements.iter().enumerate() {
                let at = (p as u32, s as u32);
                let actions = &statement.actions;
                if statement.effect.is_none() || !actions.present {
                    // `consider` skips it whatever the request.
                } else if actions.negated {
                    index.always.push(at);
                } else {
                    index.add_items(&actions.items, at);
                }
            }
        }
        index
    }

    fn add_items(&mut self, items: &'a [Item], at: (u32, u32)) {
        let mut any_service = false;
        for item in items {
            let positions = if item.is_plain() {
                if self.asked.as_ref().is_some_and(|a| !a.has(item.action)) {
                    continue;
                }
                let named = Named::new(item.action, &item.value);
                self.by_action.entry(named).or_default()
            } else if let Some((service, letter)) = glob_service_letter(&item.value) {
                let asked = |a: &Asked| a.services.iter().any(|s| s.eq_ignore_ascii_case(service));
                if self.asked.as_ref().is_some_and(|a| !asked(a)) {
                    continue;
                }
                self.by_service
                    .entry((Caseless(service), letter))
                    .or_default()
            } else {
                any_service = true;
                continue;
            };
            push_position(positions, at);
        }
        if any_service {
            self.always.push(at);
        }
    }

    pub fn evaluate(&self, request: &Request) -> Evaluation<'a> {
        if !request.action.is_ascii() {
            return evaluate(&self.policies, request);
        }
        fn found<K: Eq + std::hash::Hash>(
            map: &FastMap<K, Vec<(u32, u32)>>,
            key: K,
        ) -> &[(u32, u32)] {
            map.get(&key).map_or(&[], Vec::as_slice)
        }
        let action = catalog::catalog().action_id(request.action);
        if self.asked.as_ref().is_some_and(|a| !a.has(action)) {
            return evaluate(&self.policies, request);
        }
        let named = found(&self.by_action, Named::new(action, request.action));
        let (service, name) = request.action.split_once(':').unwrap_or(("", ""));
        let service = Caseless(service);
        let letter = match first_letter(name) {
            ANY_LETTER => &[][..],
            letter => found(&self.by_service, (service, letter)),
        };
        let lists = [
            named,
            letter,
            found(&self.by_service, (service, ANY_LETTER)),
            &self.always,
        ];
        let mut next = [0; 4];
        let mut eval = Evaluation {
            unauthorized: not_authorized(request.action),
            ..Evaluation::default()
        };
        let needed = Needed::of(request);
        while let Some(at) = (0..4).filter_map(|i| lists[i].get(next[i])).min().copied() {
            // A statement found by name lists the action: only its resources and conditions are left.
            let by_name = named.get(next[0]) == Some(&at);
            for (list, n) in lists.iter().zip(&mut next) {
                if list.get(*n) == Some(&at) {
                    *n += 1;
                }
            }
            let policy = self.policies[at.0 as usize];
            let statement = &policy.statements[at.1 as usize];
            if eval.decided(statement) {
                continue;
            }
            let applies = if by_name {
                applies_beyond_actions(statement, request, &needed)
            } else {
                applies(statement, request, &needed)
            };
            eval.consider(policy, statement, applies);
        }
        eval
    }
}

/// Whether `statement` applies to `request`, whatever its effect: `None` when it certainly does not.
fn applies(statement: &Statement, request: &Request, needed: &Needed) -> Option<Certainty> {
    if !actions_apply(&statement.actions, request.action) {
        return None;
    }
    applies_beyond_actions(statement, request, needed)
}

/// `applies` for a statement whose actions are known to cover the request's.
fn applies_beyond_actions(
    statement: &Statement,
    request: &Request,
    needed: &Needed,
) -> Option<Certainty> {
    let resource_doubt = match resources_apply(statement, request, needed)? {
        Certainty::Certain => None,
        Certainty::Doubtful(d) => Some(d),
    };
    let condition_doubt = match conditions_hold(&statement.conditions, request) {
        Tri::False => return None,
        Tri::True => statement.effect_chosen_by.map(Doubt::Condition),
        Tri::Unknown(span) => Some(Doubt::Condition(span)),
    };
    Some(match condition_doubt.or(resource_doubt) {
        None => Certainty::Certain,
        Some(d) => Certainty::Doubtful(d),
    })
}

pub fn actions_apply(actions: &Matcher, action: &str) -> bool {
    if !actions.present {
        return false;
    }
    let any = actions.items.iter().any(|p| p.matches_action(action));
    any != actions.negated
}

/// `Resource`: certain when a pattern covers the needed resource, field by field (`resource_match`).
/// When one only overlaps it, what decides is who knows the parts orb-scan does not: a name the
/// policy's author knows (a role inside an instance profile) is taken to be ORB's in an Allow, and a
/// literal account is taken for the deployment's own; an id AWS generates (a new fleet's) is doubt.
/// A Deny that only overlaps is always doubt. `NotResource` is the complement: certain when no
/// pattern overlaps, none when one covers, doubtful in between, whatever the effect.
fn resources_apply(statement: &Statement, request: &Request, needed: &Needed) -> Option<Certainty> {
    let resources = &statement.resources;
    if !resources.present {
        return None;
    }
    let allow = statement
        .effect
        .as_ref()
        .is_some_and(|e| e.value == Effect::Allow);
    let mut overlap = None;
    for item in &resources.items {
        let relation = needed.relation(&item.value);
        let taken_as_covering = allow
            && !resources.negated
            && match relation {
                ResourceMatch::Overlaps(Overlap::Account) => true,
                ResourceMatch::Overlaps(Overlap::Names) => request.unknowns == Unknowns::Author,
                _ => false,
            };
        match relation {
            ResourceMatch::Covers if resources.negated => return None,
            ResourceMatch::Covers => return Some(Certainty::Certain),
            _ if taken_as_covering => return Some(Certainty::Certain),
            ResourceMatch::Overlaps(why) => overlap = overlap.or(Some((item.span, why))),
            ResourceMatch::Disjoint => {}
        }
    }
    match (overlap, resources.negated) {
        (Some((span, why)), _) => Some(Certainty::Doubtful(Doubt::Resource(span, why))),
        (None, true) => Some(Certainty::Certain),
        (None, false) => None,
    }
}

/// The resource a request needs, as `resources_apply` compares policy patterns with it.
enum Needed<'a> {
    /// An action with no resource type: IAM matches the pattern against the literal `*`, so no ARN
    /// ever grants it.
    Star,
    /// Some resource of an action whose every resource type is optional: which, orb-scan cannot
    /// know. A pattern covers it only if it covers every resource; one that names a resource of
    /// the action's types overlaps it.
    AnyOf(ActionId),
    /// An ARN pattern (`arn:aws:ec2:eu-west-1:*:fleet/*`), with the deployment's account when known.
    Arn(std::borrow::Cow<'a, str>),
}

impl<'a> Needed<'a> {
    fn of(request: &'a Request) -> Needed<'a> {
        let catalog = catalog::catalog();
        if request.resource == "*" {
            if let Some(id) = catalog.action_id(request.action) {
                return match catalog.resource_types(id).next() {
                    None => Needed::Star,
                    Some(_) => Needed::AnyOf(id),
                };
            }
        }
        Needed::Arn(match &request.context.account {
            Some(account) => with_account(request.resource, account),
            None => request.resource.into(),
        })
    }

    fn relation(&self, pattern: &str) -> ResourceMatch {
        match self {
            Needed::Star if glob_match(pattern, "*", false) => ResourceMatch::Covers,
            Needed::Star => ResourceMatch::Disjoint,
            Needed::AnyOf(_) if resource_covers(pattern, "*") => ResourceMatch::Covers,
            Needed::AnyOf(id) if catalog::catalog().names_a_resource_of(*id, pattern) => {
                ResourceMatch::Overlaps(Overlap::Type)
            }
            Needed::AnyOf(_) => ResourceMatch::Disjoint,
            Needed::Arn(needed) => resource_match(pattern, needed),
        }
    }
}

/// An ARN pattern with its account field set (`*` → `account`), where it has one to set.
fn with_account<'a>(arn: &'a str, account: &str) -> std::borrow::Cow<'a, str> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    if fields.len() == 6 && fields[0] == "arn" && fields[4] == "*" {
        format!(
            "{}:{}:{}:{}:{account}:{}",
            fields[0], fields[1], fields[2], fields[3], fields[5]
        )
        .into()
    } else {
        arn.into()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tri {
    True,
    False,
    /// Cannot be decided; the span of the first undecidable condition.
    Unknown(Span),
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

/// All conditions of a statement must hold: any false one makes it not apply.
fn conditions_hold(conditions: &[Condition], request: &Request) -> Tri {
    let mut result = Tri::True;
    for c in conditions {
        match condition_holds(c, request) {
            Tri::False => return Tri::False,
            Tri::Unknown(span) if result == Tri::True => result = Tri::Unknown(span),
            _ => {}
        }
    }
    result
}

/// What the request context holds for a condition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyValue<'a> {
    Present(&'a str),
    /// AWS does not put this key in the request context for this action.
    Absent,
    Unknown,
}

/// The region IAM's one endpoint per partition is in: `aws:RequestedRegion` of every IAM call.
/// (STS is regional: botocore, which ORB calls AWS with, defaults `sts_regional_endpoints` to
/// `regional`, so STS calls carry the provider's region.)
fn iam_endpoint_region(partition: &str) -> Option<&'static str> {
    match partition {
        "aws" => Some("us-east-1"),
        "aws-cn" => Some("cn-north-1"),
        "aws-us-gov" => Some("us-gov-west-1"),
        _ => None,
    }
}

/// The partition a region belongs to (`cn-north-1` → `aws-cn`).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// The keys whose value the deployment fixes. Every other key is unknown.
fn key_value<'a>(key: &str, request: &'a Request) -> KeyValue<'a> {
    let ctx = request.context;
    let (service, _) = request.action.split_once(':').unwrap_or(("", ""));
    let is = |action: &str| request.action.eq_ignore_ascii_case(action);
    let known = |v: &'a Option<String>| v.as_deref().map_or(KeyValue::Unknown, KeyValue::Present);
    match key.to_ascii_lowercase().as_str() {
        "iam:passedtoservice" if is("iam:PassRole") => known(&ctx.passed_to_service),
        "iam:awsservicename" if is("iam:CreateServiceLinkedRole") => known(&ctx.service_name),
        // PassRole, and the service-linked role AWS creates on first use, are authorized inside the
        // EC2 call that needs them, in the provider's region.
        "aws:requestedregion" if is("iam:PassRole") || is("iam:CreateServiceLinkedRole") => {
            known(&ctx.region)
        }
        "aws:requestedregion" if service.eq_ignore_ascii_case("iam") => ctx
            .region
            .as_deref()
            .and_then(|r| iam_endpoint_region(partition_of(r)))
            .map_or(KeyValue::Unknown, KeyValue::Present),
        "aws:requestedregion" => known(&ctx.region),
        "ec2:region" if service.eq_ignore_ascii_case("ec2") => known(&ctx.region),
        // boto3 talks HTTPS to AWS endpoints, and ORB ignores `endpoint_url` (orb-facts.md §3).
        "aws:securetransport" => KeyValue::Present("true"),
        // Service-specific keys exist only for their service's actions.
        "iam:passedtoservice" | "iam:awsservicename" | "ec2:region" => KeyValue::Absent,
        _ => KeyValue::Unknown,
    }
}

/// One condition operator, split into its set qualifier, its base and `IfExists`.
struct Operator<'a> {
    base: &'a str,
    for_all_values: bool,
    for_any_value: bool,
    if_exists: bool,
}

impl<'a> Operator<'a> {
    fn parse(op: &'a str) -> Operator<'a> {
        let (for_all_values, for_any_value, rest) =
            if let Some(r) = op.strip_prefix("ForAllValues:") {
                (true, false, r)
            } else if let Some(r) = op.strip_prefix("ForAnyValue:") {
                (false, true, r)
            } else {
                (false, false, op)
            };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        Operator {
            base,
            for_all_values,
            for_any_value,
            if_exists,
        }
    }

    /// Negated operators hold when the key is absent (IAM: "the condition is true").
    fn negated(&self) -> bool {
        matches!(
            self.base,
            "StringNotEquals"
                | "StringNotEqualsIgnoreCase"
                | "StringNotLike"
                | "ArnNotEquals"
                | "ArnNotLike"
                | "NumericNotEquals"
                | "DateNotEquals"
                | "NotIpAddress"
        )
    }

    /// Does one context value match one policy value (before negation)? `None` for operators
    /// orb-scan does not evaluate on string keys.
    fn matches(&self, policy: &str, context: &str) -> Option<bool> {
        Some(match self.base {
            "StringEquals" | "StringNotEquals" => policy == context,
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
                policy.to_lowercase() == context.to_lowercase()
            }
            "StringLike" | "StringNotLike" | "ArnEquals" | "ArnLike" | "ArnNotEquals"
            | "ArnNotLike" => glob_match(policy, context, false),
            "Bool" => policy.eq_ignore_ascii_case(context),
            _ => return None,
        })
    }
}

/// Evaluates one condition against the keys the deployment fixes; everything else is unknown.
fn condition_holds(c: &Condition, request: &Request) -> Tri {
    let unknown = Tri::Unknown(c.span);
    let op = Operator::parse(&c.operator);
    let value = key_value(&c.key, request);
    if op.base == "Null" {
        // `"Null": {"key": "true"}` holds when the key is absent.
        let absent = match value {
            KeyValue::Absent => true,
            KeyValue::Present(_) => false,
            KeyValue::Unknown => return unknown,
        };
        if c.opaque {
            return unknown;
        }
        return tri(c
            .values
            .iter()
            .any(|v| v.eq_ignore_ascii_case(&absent.to_string())));
    }
    let context = match value {
        KeyValue::Unknown => return unknown,
        // A set operator over no values: every value (none) matches, no value matches.
        KeyValue::Absent if op.for_all_values => return Tri::True,
        KeyValue::Absent if op.for_any_value => return Tri::False,
        KeyValue::Absent => return tri(op.if_exists || op.negated()),
        KeyValue::Present(v) => v,
    };
    if c.opaque {
        return unknown;
    }
    let mut any = false;
    for v in &c.values {
        match op.matches(v, context) {
            Some(m) => any |= m,
            None => return unknown,
        }
    }
    tri(any != op.negated())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::{Origin, PolicyDocument};
    use crate::read::syntax::json;

    fn policy(json_text: &str) -> PolicyDocument {
        let root = json::parse(json_text).expect("test policy parses").root;
        PolicyDocument::from_node(&"p.json".into(), root, Origin::default(), None)
    }

    fn context(region: &str, passed_to: Option<&str>) -> RequestContext {
        RequestContext {
            region: Some(region.into()),
            passed_to_service: passed_to.map(str::to_string),
            service_name: None,
            account: None,
        }
    }

    const FLEET_ROLE: &str = "arn:aws:iam::*:role/fleet-role";
    const ANY_ROLE: &str = "arn:aws:iam::*:role/*";

    /// (statements, action, resource, PassedToService, expected verdict)
    #[allow(clippy::type_complexity)]
    const CASES: &[(&str, &str, &str, Option<&str>, Verdict)] = &[
        // Actions: wildcards, case, NotAction.
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"EC2:createFLEET","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*Fleet*","Resource":"*"}"#,
            "ec2:DescribeFleetInstances",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:Describe?leets","Resource":"*"}"#,
            "ec2:DescribeFleets",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"*"}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::NotGranted,
        ),
        // Deny wins, with or without conditions; NotAction in a Deny.
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:CreateFleet","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Denied,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"ec2:Describe*","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Denied,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"ec2:*","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::MaybeDenied,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Denied,
        ),
        (
            r#"{"Effect":"Deny","Action":"ec2:*","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Denied,
        ),
        // A doubtful hit gives way to a certain one later in scan order, for either effect.
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"hpc"}}},{"Effect":"Allow","Action":"ec2:CreateFleet","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"}}},{"Effect":"Deny","Action":"ec2:CreateFleet","Resource":"*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Denied,
        ),
        // Conditions on a grant: decidable keys decide, others leave it conditional.
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"ec2:Region":"eu-west-1"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"ec2:Region":"us-east-1"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringLike":{"aws:RequestedRegion":"eu-*"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"hpc"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Conditional,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"ec2:Region":{"Ref":"AWS::Region"}}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Conditional,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"ec2:Region":"${aws:PrincipalTag/region}"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Conditional,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"UnknownOperator":{"ec2:Region":"eu-west-1"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Conditional,
        ),
        // Keys absent from the request: IfExists, negation, set operators, Null.
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEquals":{"ec2:Region":"eu-west-1"}}}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEqualsIfExists":{"ec2:Region":"us-east-1"}}}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringNotEquals":{"ec2:Region":"us-east-1"}}}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"ForAllValues:StringEquals":{"ec2:Region":"us-east-1"}}}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"ec2:Region":"eu-west-1"}}}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"ec2:Region":["eu-west-1","us-east-1"]}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"Null":{"ec2:Region":"true"}}}"#,
            "ssm:GetParameter",
            "*",
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Null":{"ec2:Region":"true"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"Null":{"aws:ResourceTag/x":"false"}}}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::Conditional,
        ),
        // PassRole: resources and iam:PassedToService.
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/fleet-role"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            Some("spotfleet.amazonaws.com"),
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/other"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            Some("spotfleet.amazonaws.com"),
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/orb-nodes"}"#,
            "iam:PassRole",
            ANY_ROLE,
            Some("ec2.amazonaws.com"),
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#,
            "iam:PassRole",
            ANY_ROLE,
            Some("ec2.amazonaws.com"),
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#,
            "iam:PassRole",
            FLEET_ROLE,
            Some("spotfleet.amazonaws.com"),
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringLike":{"iam:PassedToService":"*.amazonaws.com"}}}"#,
            "iam:PassRole",
            FLEET_ROLE,
            Some("spotfleet.amazonaws.com"),
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::Conditional,
        ),
        // NotResource, in an Allow and in a Deny.
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/admin-*"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/fleet-*"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/admin-*"}"#,
            "iam:PassRole",
            ANY_ROLE,
            None,
            Verdict::Conditional,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/fleet-*"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/orb-*"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::Denied,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/orb-*"}"#,
            "iam:PassRole",
            ANY_ROLE,
            None,
            Verdict::MaybeDenied,
        ),
        // A Deny on some roles may or may not hit an unknown role: never a certain denial.
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/admin-*"}"#,
            "iam:PassRole",
            ANY_ROLE,
            None,
            Verdict::MaybeDenied,
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/admin-*"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::Allowed,
        ),
        // SSM parameters are regional; CloudFormation patterns stand for their values.
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:us-east-1::parameter/aws/service/*"}"#,
            "ssm:GetParameter",
            "arn:aws:ssm:eu-west-1::parameter/aws/service/ami",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ssm:GetParameter","Resource":{"Fn::Sub":"arn:${AWS::Partition}:ssm:${AWS::Region}::parameter/aws/service/*"}}"#,
            "ssm:GetParameter",
            "arn:aws:ssm:eu-west-1::parameter/aws/service/ami",
            None,
            Verdict::Allowed,
        ),
        // Resources field by field: another service, region or resource type grants nothing.
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:iam::*:role/*"}"#,
            "ec2:CreateFleet",
            "arn:aws:ec2:eu-west-1:*:fleet/*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1:*:*"}"#,
            "ec2:CreateFleet",
            "arn:aws:ec2:eu-west-1:*:fleet/*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:launch-template/*"}"#,
            "ec2:CreateFleet",
            "arn:aws:ec2:eu-west-1:*:fleet/*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:eu-west-1:*:*"}"#,
            "ec2:CreateFleet",
            "arn:aws:ec2:eu-west-1:*:fleet/*",
            None,
            Verdict::Allowed,
        ),
        // An action with no resource type is granted on `*` alone, never on an ARN.
        (
            r#"{"Effect":"Allow","Action":"ec2:DescribeFleets","Resource":"arn:aws:ec2:*:*:*"}"#,
            "ec2:DescribeFleets",
            "*",
            None,
            Verdict::NotGranted,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:DescribeFleets","Resource":"*"}"#,
            "ec2:DescribeFleets",
            "*",
            None,
            Verdict::Allowed,
        ),
        // An action whose every resource type is optional: granted on some types is doubt.
        (
            r#"{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:ec2:*:*:instance/*"}"#,
            "ec2:CreateTags",
            "*",
            None,
            Verdict::Conditional,
        ),
        (
            r#"{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"arn:aws:iam::*:role/*"}"#,
            "ec2:CreateTags",
            "*",
            None,
            Verdict::NotGranted,
        ),
        // A Deny naming an account only may name the deployment's.
        (
            r#"{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::999999999999:role/fleet-role"}"#,
            "iam:PassRole",
            FLEET_ROLE,
            None,
            Verdict::MaybeDenied,
        ),
        // IAM is served from us-east-1 in `aws`, whatever the deployment's region.
        (
            r#"{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}"#,
            "iam:GetRole",
            FLEET_ROLE,
            None,
            Verdict::Allowed,
        ),
        (
            r#"{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
            "sts:GetCallerIdentity",
            "*",
            None,
            Verdict::Allowed,
        ),
        // AWS never asks IAM about sts:GetCallerIdentity.
        (
            r#"{"Effect":"Deny","Action":"sts:*","Resource":"*"}"#,
            "sts:GetCallerIdentity",
            "*",
            None,
            Verdict::Allowed,
        ),
        // A statement with no Resource grants nothing to an identity.
        (
            r#"{"Effect":"Allow","Action":"ec2:*"}"#,
            "ec2:CreateFleet",
            "*",
            None,
            Verdict::NotGranted,
        ),
    ];

    #[test]
    fn verdicts() {
        for (i, (statements, action, resource, passed_to, want)) in CASES.iter().enumerate() {
            let doc = policy(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
            ));
            let ctx = context("eu-west-1", *passed_to);
            let request = Request {
                action,
                resource,
                context: &ctx,
                unknowns: Default::default(),
            };
            let got = evaluate(&[&doc], &request).verdict();
            assert_eq!(
                got, *want,
                "case {i}: {statements} / {action} on {resource}"
            );
        }
    }

    /// The index finds the same hits as trying every statement: across all the cases' policies at
    /// once, for their requests with the action in any case.
    #[test]
    fn index_evaluates_as_every_statement_does() {
        let mut texts: Vec<String> = CASES
            .iter()
            .map(|(statements, ..)| format!(r#"{{"Statement":[{statements}]}}"#))
            .collect();
        texts.push(
            r#"{"Statement":[{"Action":"ec2:CreateFleet","Resource":"*"},{"Effect":"Deny","NotAction":"ec2:CreateFleet","Resource":"*"},{"Effect":"Allow","Action":["EC2:createfleet","ec2:CreateFleet","iam:PassRole"],"Resource":"*"}]}"#
                .to_string(),
        );
        // Plain names, globs within a service and globs over services in one statement, in any case.
        texts.push(
            r#"{"Statement":[{"Effect":"Deny","Action":["s3:GetObject","EC2:Run?nstances","iam:Pass*"],"Resource":"arn:aws:iam::*:role/other"},
                {"Effect":"Allow","Action":["sts:GetCallerIdentity","Ec2:Create*","ssm:Get*"],"Resource":"*"},
                {"Effect":"Allow","Action":["s3:ListBucket","e?2:Describe*"],"Resource":"*"},
                {"Effect":"Allow","Action":["logs:*","*:PassRole"],"Resource":"*"},
                {"Effect":"Allow","Action":["ec2:TerminateInstances","autoscaling:*"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
                {"Effect":"Allow","Action":["ec2:NoSuchAction","EC2:RunInstance"],"Resource":"*"}]}"#
                .to_string(),
        );
        // Globs filed by their first letter, or under every letter.
        texts.push(
            r#"{"Statement":[{"Effect":"Allow","Action":["ec2:R*","EC2:d*Images","ec2:?unInstances"],"Resource":"*"},
                {"Effect":"Deny","Action":["ec2:*Tags","autoscaling:C*"],"Resource":"*"},
                {"Effect":"Deny","Action":"ec2:\u212aey*","Resource":"*"},
                {"Effect":"Allow","Action":["ec2:\u0000*","ssm:","ec2:"],"Resource":"*"}]}"#
                .to_string(),
        );
        let docs: Vec<PolicyDocument> = texts.iter().map(|t| policy(t)).collect();
        let refs: Vec<&PolicyDocument> = docs.iter().collect();
        // All the policies as one principal, and each alone, where no earlier statement hides a miss.
        let mut principals = vec![(ActionIndex::new(&refs), refs.clone())];
        principals.extend(
            refs.iter()
                .map(|doc| (ActionIndex::new(&[doc]), vec![*doc])),
        );
        // Built to answer a few actions (the rest are evaluated without it), and with one the
        // catalog lacks among them (then every entry is filed).
        let asked = [
            "ec2:RunInstances",
            "EC2:CreateTags",
            "iam:PassRole",
            "ssm:GetParameter",
            "sts:GetCallerIdentity",
            "autoscaling:CreateAutoScalingGroup",
        ];
        principals.push((ActionIndex::asked(&refs, &asked), refs.clone()));
        principals.extend(
            refs.iter()
                .map(|doc| (ActionIndex::asked(&[doc], &asked), vec![*doc])),
        );
        principals.push((
            ActionIndex::asked(&refs, &["ec2:RunInstances", "ec2:NoSuchAction"]),
            refs.clone(),
        ));
        let shown = |e: Evaluation| {
            [e.allow, e.deny].map(|h| {
                h.map(|h| {
                    (
                        h.policy as *const PolicyDocument,
                        h.statement.span,
                        h.certainty,
                    )
                })
            })
        };
        let extra: &[(&str, &str, Option<&str>)] = &[
            ("ec2:DescribeImages", "*", None),
            ("ec2:RunInstances", "*", None),
            ("ec2:CreateTags", "*", None),
            ("ec2:TerminateInstances", "*", None),
            (
                "iam:PassRole",
                "arn:aws:iam::*:role/other",
                Some("ec2.amazonaws.com"),
            ),
            ("autoscaling:CreateAutoScalingGroup", "*", None),
            ("ssm:GetParameters", "*", None),
            ("sts:GetCallerIdentity", "*", None),
            ("logs:PutLogEvents", "*", None),
            ("s3:GetObject", "*", None),
            // Names the catalog lacks, as entries name them.
            ("ec2:NoSuchAction", "*", None),
            ("ec2:RunInstance", "*", None),
            ("ec2:KeyPairs", "*", None),
            ("ec2:kEYpAIRS", "*", None),
        ];
        let requests = CASES
            .iter()
            .map(|(_, action, resource, passed_to, _)| (*action, *resource, *passed_to))
            .chain(extra.iter().copied());
        for (action, resource, passed_to) in requests {
            let ctx = context("eu-west-1", passed_to);
            for action in [
                action.to_string(),
                action.to_ascii_uppercase(),
                action.to_ascii_lowercase(),
            ] {
                let request = Request {
                    action: &action,
                    resource,
                    context: &ctx,
                    unknowns: Default::default(),
                };
                for (index, policies) in &principals {
                    assert_eq!(
                        shown(index.evaluate(&request)),
                        shown(evaluate(policies, &request)),
                        "{action} on {resource}"
                    );
                }
            }
        }
    }

    #[test]
    fn doubts_point_at_their_cause() {
        let text = r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":["arn:aws:iam::1:role/x"]},
            {"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/t":"a"}}}]}"#;
        let doc = policy(text);
        let ctx = context("eu-west-1", Some("ec2.amazonaws.com"));
        let hit = |action, resource| {
            evaluate(
                &[&doc],
                &Request {
                    action,
                    resource,
                    context: &ctx,
                    unknowns: Default::default(),
                },
            )
            .allow
            .and_then(|h| h.doubt())
        };
        let Some(Doubt::Resource(span, _)) = hit("iam:PassRole", ANY_ROLE) else {
            panic!("resource doubt expected");
        };
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            r#""arn:aws:iam::1:role/x""#
        );
        let Some(Doubt::Condition(span)) = hit("ec2:RunInstances", "*") else {
            panic!("condition doubt expected");
        };
        assert!(text[span.start as usize..].starts_with(r#""aws:PrincipalTag/t""#));
    }
}
