//! Linking (DESIGN.md §3): which template file each ORB config loads, which policies are checked
//! against it, and the cross-check of every need against those policies.

use crate::base::diagnostic::{Diagnostic, FilePath, Sources};
use crate::base::span::Span;
use crate::base::FastMap;
use crate::cfn::link::{Linked, Links};
use crate::cfn::{ManagedRef, Principal, Template};
use crate::config::settings::{DeclaredDeployment, ExtraCatalog, PolicyRef, Settings};
use crate::config::suppress::Suppression;
use crate::iam::catalog::{self, ActionId, Lookup};
use crate::iam::grants::{
    evaluate, ActionIndex, Evaluation, Hit, Request, RequestContext, Unknowns, Verdict,
};
use crate::iam::pattern::{glob_service, under_service};
use crate::iam::policy::{literal_actions, Effect, Item, PolicyDocument, PolicyKind};
use crate::iam::role::Role;
use crate::orb::files::{OrbConfig, OrbTemplateFile};
use crate::orb::needs::{needs_of, Need};
use crate::orb::resolve::{aws_instances, lookup, resolve_templates, ResolvedTemplate};
use crate::read::syntax::Node;
use crate::read::walk::FileStamp;
use serde::Serialize;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// Every document the scan found, sorted so that everything downstream is deterministic.
#[derive(Default)]
pub struct Workspace {
    /// Text of the files that produced documents, for rendering: of those a reader reported on and
    /// of standard input (or of every one, with `ScanOptions::keep_text`).
    pub sources: Sources,
    /// The other files that produced documents: read again when a diagnostic quotes one.
    pub unkept: BTreeMap<FilePath, FileStamp>,
    pub policies: Vec<PolicyDocument>,
    /// Roles found by extractors that know them (CloudFormation); see `iam::role`.
    pub roles: Vec<Role>,
    pub configs: Vec<OrbConfig>,
    pub template_files: Vec<OrbTemplateFile>,
    pub cfn_templates: Vec<Template>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files the walk visited (`files_scanned` in JSON, as schema version 1 named it).
    pub files_scanned: usize,
    /// Files read, those among them that passed the prefilter and were parsed, and those that
    /// held an IAM policy, a CloudFormation template or an ORB file.
    pub files_read: usize,
    pub files_parsed: usize,
    pub files_checked: usize,
    /// Threads the scan may use (`-j`), for the rules as for the walk; 0 counts as 1.
    pub threads: usize,
    /// `orb-scan.toml`, resolved; `[[deployment]]` tables steer linking.
    pub settings: Settings,
    /// The scan root as given (`ScanOptions::root`): paths are relative to it.
    pub root: std::path::PathBuf,
    /// From comments, resource metadata and `[[suppress]]`, applied after the rules.
    pub suppressions: Vec<Suppression>,
}

impl Workspace {
    /// The text of a file that produced documents: kept, or read again (`None` when the file
    /// changed since the scan read it, or produced none).
    pub fn text(&self, file: &FilePath) -> Option<Arc<String>> {
        match self.sources.get(file) {
            Some(text) => Some(Arc::clone(text)),
            None => Some(Arc::new(self.unkept.get(file)?.reread()?)),
        }
    }

    pub fn sort(&mut self) {
        self.policies
            .sort_by(|a, b| (&a.file, a.span.start).cmp(&(&b.file, b.span.start)));
        self.roles
            .sort_by(|a, b| (&a.file, a.span.start).cmp(&(&b.file, b.span.start)));
        self.configs.sort_by(|a, b| a.file.cmp(&b.file));
        self.template_files.sort_by(|a, b| a.file.cmp(&b.file));
        self.cfn_templates.sort_by(|a, b| a.file.cmp(&b.file));
    }
}

/// One action of one need, and what the policies say about it.
pub struct Finding<'a> {
    pub action: &'static str,
    /// Index into the deployment's `needs`.
    pub need: usize,
    pub verdict: Verdict,
    pub allow: Option<Hit<'a>>,
    pub deny: Option<Hit<'a>>,
    /// The permissions boundary that does not allow what the policies grant.
    pub outside_boundary: Option<&'a PolicyDocument>,
    /// For an action not granted, the near-miss actions of its requirement (`confused_with`) that
    /// the policies grant instead (`ssm:GetParameters` for `ssm:GetParameter`).
    pub granted_instead: Vec<&'static str>,
    /// The resource whose request decided the verdict (`Need::resources`).
    pub resource: String,
    /// When the call is not allowed, the other resources it needs that are granted.
    pub granted_on: Vec<String>,
}

pub struct Deployment<'a> {
    /// `None` for template files with no config beside them: ORB's packaged defaults apply.
    pub config: Option<&'a OrbConfig>,
    pub template_file: Option<&'a OrbTemplateFile>,
    pub templates: Vec<ResolvedTemplate<'a>>,
    /// Everything the deployment's templates need, whether or not a policy was found.
    pub needs: Vec<Need>,
    /// How the policies it was checked against were chosen.
    pub choice: Choice,
    /// One check per candidate checked: the one chosen, or with an ambiguous choice each
    /// candidate ranking first, on its own. Empty when no candidate was found (ORB100).
    pub checks: Vec<Check<'a>>,
    /// Candidates found and not checked: outranked by the one that was.
    pub passed_over: Vec<CandidateInfo<'a>>,
}

/// A deployment's needs against one candidate principal.
pub struct Check<'a> {
    pub candidate: CandidateInfo<'a>,
    /// The checked policies the repository writes (not AWS managed ones attached by ARN): where
    /// missing actions belong.
    pub written: Vec<&'a PolicyDocument>,
    /// What the candidate's policies hold that orb-scan could not read (`Candidate::unread`).
    pub unread: Vec<UnreadPolicy<'a>>,
    /// Permissions boundaries of the candidate's principals: a grant counts only where they allow
    /// it too.
    pub boundaries: Vec<&'a PolicyDocument>,
    pub findings: Vec<Finding<'a>>,
    /// `policy_for`'s answer by service prefix (lowercase), as an index into `written`, found once:
    /// the rules ask for every diagnostic, and each answer reads every entry of every written policy.
    policy_by_service: Mutex<FastMap<String, Option<usize>>>,
}

impl<'a> Check<'a> {
    /// The policy where missing actions belong: the one naming most actions of the same service
    /// (ties go to the first in scan order).
    pub fn policy_for(&self, actions: &[&str]) -> Option<&'a PolicyDocument> {
        let service = actions.first()?.split(':').next()?.to_ascii_lowercase();
        let mut known = self
            .policy_by_service
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&at) = known.get(&service) {
            return at.map(|i| self.written[i]);
        }
        let at = (0..self.written.len()).max_by_key(|&i| {
            let p = self.written[i];
            let count = p
                .statements
                .iter()
                .flat_map(|s| s.actions.items.iter())
                .filter(|a| under_service(&a.value, &service))
                .count();
            (count, std::cmp::Reverse((&p.file, p.span.start)))
        });
        known.insert(service, at);
        at.map(|i| self.written[i])
    }
}

impl<'a> Deployment<'a> {
    pub fn need_of(&self, finding: &Finding) -> &Need {
        &self.needs[finding.need]
    }

    /// What the policies checked hold that orb-scan could not read, over all checks, in scan order
    /// and once.
    pub fn unread(&self) -> Vec<&UnreadPolicy<'a>> {
        let mut all: Vec<&UnreadPolicy> = self.checks.iter().flat_map(|c| &c.unread).collect();
        all.sort_by(|a, b| (a.file, a.span.start).cmp(&(b.file, b.span.start)));
        all.dedup_by(|a, b| (a.file, a.span) == (b.file, b.span));
        all
    }

    /// Every policy checked, over all checks, in scan order and once.
    pub fn policies(&self) -> Vec<&'a PolicyDocument> {
        let mut all: Vec<&PolicyDocument> = self
            .checks
            .iter()
            .flat_map(|c| c.candidate.policies.iter().copied())
            .collect();
        all.sort_by(|a, b| {
            (&a.file, a.span.start, &a.origin.path).cmp(&(&b.file, b.span.start, &b.origin.path))
        });
        all.dedup_by(|a, b| std::ptr::eq(*a, *b));
        all
    }

    /// The file that names the deployment: its config, else its template file.
    pub fn file(&self) -> &FilePath {
        self.config
            .map(|c| &c.file)
            .or(self.template_file.map(|t| &t.file))
            .expect("a deployment has a config or a template file")
    }

    /// Handlers that at least one template routes to.
    pub fn handlers(&self) -> Vec<&str> {
        let mut hs: Vec<&str> = self
            .templates
            .iter()
            .filter_map(|t| t.handler.as_deref())
            .collect();
        hs.sort();
        hs.dedup();
        hs
    }
}

pub struct Model<'a> {
    pub workspace: &'a Workspace,
    pub deployments: Vec<Deployment<'a>>,
    /// The identity policies some deployment was checked against (DESIGN.md §3) that the
    /// repository writes (AWS managed policies attached by ARN are evaluated, but are not the
    /// repository's to edit).
    pub orb_policies: Vec<&'a PolicyDocument>,
    /// Template principals with all of their policies.
    pub links: Links<'a>,
    /// The template principals some deployment was checked against.
    pub orb_principals: Vec<&'a Principal>,
    /// The catalog's remarks on the literal `Action`/`NotAction` entries of the tree.
    pub action_remarks: ActionRemarks<'a>,
}

/// The catalog's remarks on the entries of `policy::literal_actions`, in their order, made in one
/// pass over the entries on the core that is otherwise idle while deployments are linked. An entry
/// that names a catalog action (`Item::action`) as AWS spells its service needs no remark; the
/// rest are judged once per spelling, since policies repeat one another (the corpus: 61k entries,
/// 17k spellings, a few hundred of them remarked). The rules read the remarked entries only.
#[derive(Default)]
pub struct ActionRemarks<'a> {
    /// The remarked entries with their spelling's index in `spellings`.
    entries: Vec<(&'a PolicyDocument, &'a Item, u32)>,
    spellings: Vec<Remarks>,
}

/// What the catalog says of one spelling of an `Action`/`NotAction` entry, when it says anything.
pub struct Remarks {
    /// It names nothing in the catalog (ORB301, ORB302).
    pub unknown: Option<Unknown>,
    /// The service prefix is not written lowercase (ORB305): AWS's spelling of the known action,
    /// else the entry with its prefix lowercased.
    pub aws_spelling: Option<String>,
}

/// A spelling of an `Action`/`NotAction` entry that names nothing in the catalog.
pub enum Unknown {
    /// The service exists, no action matches. `nearest` is the real action nearest to it when
    /// close enough to be a typo (`Catalog::nearest_action`, for ORB301).
    Action { nearest: Option<String> },
    /// No service has this prefix.
    Service,
    /// The prefix names only services AWS retired (ORB307).
    Retired(Vec<catalog::Retired>),
}

const UNREMARKED: u32 = u32::MAX;

impl<'a> ActionRemarks<'a> {
    fn new(workspace: &'a Workspace) -> ActionRemarks<'a> {
        let catalog = catalog::catalog();
        let extra = &workspace.settings.catalog;
        let mut seen: FastMap<&str, u32> = FastMap::default();
        let mut spellings = Vec::new();
        let mut entries = Vec::new();
        for (policy, item) in literal_actions(&workspace.policies) {
            // Most entries name a catalog action (resolved when read) under its service as the
            // catalog spells it, lowercase, and the catalog has nothing to say of those.
            if item.is_catalog_spelling(catalog) {
                continue;
            }
            let at = *seen.entry(item.value.as_str()).or_insert_with(|| {
                Remarks::of(&item.value, extra).map_or(UNREMARKED, |remarks| {
                    spellings.push(remarks);
                    spellings.len() as u32 - 1
                })
            });
            if at != UNREMARKED {
                entries.push((policy, item, at));
            }
        }
        ActionRemarks { entries, spellings }
    }

    /// The remarked entries of `policy::literal_actions(&workspace.policies)`, in its order.
    pub fn entries(&self) -> impl Iterator<Item = (&'a PolicyDocument, &'a Item, &Remarks)> {
        self.entries
            .iter()
            .map(|&(policy, item, at)| (policy, item, &self.spellings[at as usize]))
    }
}

impl Remarks {
    /// `extra`: what `orb-scan.toml` names beside the catalog, never unknown.
    fn of(spelling: &str, extra: &ExtraCatalog) -> Option<Remarks> {
        let catalog = catalog::catalog();
        let lookup = catalog.lookup(spelling);
        let unknown = match lookup {
            Lookup::UnknownAction | Lookup::UnknownService if extra.names(spelling) => None,
            Lookup::UnknownAction => Some(Unknown::Action {
                nearest: catalog.nearest_action(spelling),
            }),
            Lookup::UnknownService => {
                let prefix = spelling.split(':').next().unwrap_or_default();
                let retired: Vec<_> = catalog.retired_matching(prefix).collect();
                Some(if retired.is_empty() {
                    Unknown::Service
                } else {
                    Unknown::Retired(retired)
                })
            }
            _ => None,
        };
        let aws_spelling = spelling
            .split_once(':')
            .filter(|(prefix, _)| prefix.bytes().any(|b| b.is_ascii_uppercase()))
            .map(|(prefix, name)| match lookup {
                Lookup::Action { service, name } => format!("{service}:{name}"),
                _ => format!("{}:{name}", prefix.to_ascii_lowercase()),
            });
        (unknown.is_some() || aws_spelling.is_some()).then_some(Remarks {
            unknown,
            aws_spelling,
        })
    }
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn in_folder(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// ORB's search list for a config's template file (orb-facts.md §1.3): per HostFactory instance
/// `{provider_name}_templates.json`, then `aws_templates.json`, then `templates.json`, in its folder.
fn template_search_list(config: &OrbConfig) -> Vec<String> {
    let dir = folder(&config.file);
    let mut names = Vec::new();
    if lookup(&config.node, "scheduler.type").and_then(Node::as_str) == Some("hostfactory") {
        for instance in aws_instances(Some(config)) {
            names.push(in_folder(dir, &format!("{}_templates.json", instance.name)));
        }
    }
    names.push(in_folder(dir, "aws_templates.json"));
    names.push(in_folder(dir, "templates.json"));
    names
}

/// How an identity policy reaches ORB's specific actions (fleet, spot fleet, auto scaling group and
/// launch template actions), in rising order of how surely it was written for ORB (DESIGN.md §3,
/// revised): a policy that names them outranks one that reaches them through a narrower glob,
/// which outranks one that reaches them only through a whole-service wildcard (`ec2:*`), the mark
/// of a broad policy written for someone else (a CI deployer, an administrator). `*` alone reaches
/// nothing: it names no service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    /// Only Deny statements name ORB's actions: a guardrail, which grants ORB nothing and is never
    /// checked on its own.
    Denies,
    /// Allowed only through a whole-service wildcard (`ec2:*`, `autoscaling:*`).
    Wildcard,
    /// Allowed through a glob narrower than a service (`ec2:*Fleet*`, `ec2:Describe*`).
    Pattern,
    /// Allowed by name (`ec2:CreateFleet`).
    Named,
}

/// The best reach of a principal's policies, found without reading past a policy that names ORB's
/// actions.
fn best_reach(policies: &[&PolicyDocument]) -> Option<Reach> {
    let mut best = None;
    for p in policies {
        best = best.max(orb_reach(p));
        if best == Some(Reach::Named) {
            break;
        }
    }
    best
}

/// How an identity policy reaches ORB's specific actions: the best reach of its Allow statements,
/// else `Denies` when a Deny statement names them; `None` when neither does.
pub fn orb_reach(policy: &PolicyDocument) -> Option<Reach> {
    // Every identity policy of the tree is asked. Its plain entries were resolved to catalog
    // actions when read, and ORB's are catalog actions (a unit test of the table checks it), so a
    // plain entry is a binary search among numbers; a glob is matched against ORB's actions of its
    // service (`s3:Get*` against none).
    static SPECIFIC: OnceLock<(Vec<&'static str>, Vec<ActionId>)> = OnceLock::new();
    let (specific, ids) = SPECIFIC.get_or_init(|| {
        let specific: Vec<&str> = crate::orb::requirements::table()
            .values
            .orb_specific_actions
            .iter()
            .map(String::as_str)
            .collect();
        let catalog = catalog::catalog();
        let mut ids: Vec<ActionId> = specific
            .iter()
            .filter_map(|a| catalog.action_id(a))
            .collect();
        ids.sort_unstable();
        (specific, ids)
    });
    let reach = |a: &Item| match a.action {
        Some(id) => ids.binary_search(&id).is_ok().then_some(Reach::Named),
        None if a.is_plain() => None,
        None => {
            let service = glob_service(&a.value);
            let reaches = specific
                .iter()
                .any(|x| service.is_none_or(|(s, _)| under_service(x, s)) && a.matches_action(x));
            let whole_service = service.is_none_or(|(_, name)| name.bytes().all(|b| b == b'*'));
            match (reaches, whole_service) {
                (false, _) => None,
                (true, true) => Some(Reach::Wildcard),
                (true, false) => Some(Reach::Pattern),
            }
        }
    };
    if policy.kind != PolicyKind::Identity {
        return None;
    }
    let mut best = None;
    for s in policy.statements.iter().filter(|s| !s.actions.negated) {
        let allows = s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow);
        for a in s.actions.items.iter().filter(|a| a.value != "*") {
            if let Some(r) = reach(a) {
                best = best.max(Some(if allows { r } else { Reach::Denies }));
                if best == Some(Reach::Named) {
                    return best;
                }
            }
        }
    }
    best
}

/// How a candidate's policies were put together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Named for the deployment by `[[deployment]] policies` in orb-scan.toml.
    Pinned,
    /// A CloudFormation role, user or group, with all of its policies.
    Principal,
    /// One standalone policy file.
    File,
    /// The standalone policy files of one folder that name ORB's actions or reach them through
    /// patterns: a base policy and its add-ons, kept together, are taken as one principal's.
    Folder,
}

/// One set of policies that could be the principal ORB runs under (DESIGN.md §3, revised), with
/// what is evaluated against it.
pub struct Candidate<'a> {
    /// What `[[deployment]] policies` would name to pin it: its files, or its principal's
    /// `file#LogicalId`.
    pub members: Vec<PolicyRef>,
    pub basis: Basis,
    /// How its policies reach ORB's actions; `None` for pinned policies that do not.
    pub reach: Option<Reach>,
    /// Everything evaluated, AWS managed policies included.
    pub policies: Vec<&'a PolicyDocument>,
    /// Those the repository writes.
    pub written: Vec<&'a PolicyDocument>,
    pub boundaries: Vec<&'a PolicyDocument>,
    pub principals: Vec<&'a Principal>,
    /// What its policies hold that orb-scan could not read, and the managed policies it holds
    /// that orb-scan cannot read, in scan order: what it lacks is then only doubtfully missing.
    pub unread: Vec<UnreadPolicy<'a>>,
    unread_refs: Vec<&'a ManagedRef>,
    /// `policies` indexed by action, built when a deployment is first checked against it.
    index: OnceCell<ActionIndex<'a>>,
    /// Requests already evaluated against `policies`, by action, then resource, context and who
    /// knows the resource's unknowns: found without building a key (a need's few requests repeat
    /// across the templates of a file and the deployments checked against this candidate).
    evaluated: RefCell<FastMap<String, Vec<Evaluated<'a>>>>,
}

/// One request's evaluation, under its action in `Candidate::evaluated`.
struct Evaluated<'a> {
    resource: String,
    context: RequestContext,
    unknowns: Unknowns,
    evaluation: Evaluation<'a>,
}

/// A policy of a candidate, or a part of one, that orb-scan could not read: it may grant what
/// the rest lacks (`Verdict::MaybeGranted`), and is taken to deny nothing.
#[derive(Clone, Debug)]
pub struct UnreadPolicy<'a> {
    /// Where it is written: the value orb-scan could not read.
    pub file: &'a FilePath,
    pub span: Span,
    pub why: String,
}

/// A candidate as the scope report and the rules see it: its name, how it was put together and
/// how it reaches ORB's actions, and its policies.
#[derive(Clone, Debug)]
pub struct CandidateInfo<'a> {
    /// `iam/orb.json`, `cfn/orb.yaml#OrbRole`, or its folder's files (`Candidate::name`).
    pub name: String,
    /// What `[[deployment]] policies` would name to pin it.
    pub members: Vec<PolicyRef>,
    pub basis: Basis,
    pub reach: Option<Reach>,
    /// How many leading folders it shares with the deployment (`Candidate::nearness`).
    pub nearness: usize,
    /// The deployment it lies nearer to, whose policy it is taken to be.
    pub nearer_to: Option<String>,
    pub policies: Vec<&'a PolicyDocument>,
    /// The template principals among them.
    pub principals: Vec<&'a Principal>,
}

/// How the policies a deployment was checked against were chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Choice {
    /// `[[deployment]]` in orb-scan.toml names them.
    Pinned,
    /// One candidate was found.
    Only,
    /// One candidate outranks every other (it names ORB's actions; they reach them less surely).
    Outranked,
    /// Several candidates rank first: each is checked on its own, and nothing is merged.
    Ambiguous,
    /// No candidate was found (ORB100).
    None,
}

/// Every candidate for ORB's principal found in the tree, by reach, best first, and where each
/// belongs.
#[derive(Default)]
pub struct Selection<'a> {
    pub candidates: Vec<Candidate<'a>>,
    /// For each candidate, how near it lies to the deployments nearest to it, and the first of
    /// them: a candidate nearer to another deployment than to this one is that deployment's.
    homes: Vec<(usize, String)>,
}

/// The candidates a deployment is checked against, those passed over, and how that was chosen.
pub struct Chosen<'s, 'a> {
    pub choice: Choice,
    pub checked: Vec<&'s Candidate<'a>>,
    /// With the deployment each lies nearer to, when that is why it was passed over.
    pub passed_over: Vec<(&'s Candidate<'a>, Option<&'s str>)>,
}

impl<'a> Selection<'a> {
    /// The selection for the deployments named by `files`.
    fn new(candidates: Vec<Candidate<'a>>, files: &[&str]) -> Selection<'a> {
        let homes = candidates
            .iter()
            .map(|c| {
                let mut home = (0, String::new());
                for file in files {
                    let near = c.nearness(file);
                    if home.1.is_empty() || near > home.0 {
                        home = (near, file.to_string());
                    }
                }
                home
            })
            .collect();
        Selection { candidates, homes }
    }

    /// The candidates for the deployment named by `file`, among those that lie no farther from it
    /// than from any other deployment (the policy beside `envs/prod/config.json` is prod's, not
    /// staging's, nor that of a deployment with none of its own): those that reach ORB's actions
    /// most surely and, among them, lie nearest to it. A guardrail that only denies is never
    /// checked on its own.
    pub fn choose(&self, file: &str) -> Chosen<'_, 'a> {
        let near: Vec<usize> = self.candidates.iter().map(|c| c.nearness(file)).collect();
        let here = |i: usize| near[i] >= self.homes[i].0;
        let eligible: Vec<usize> = (0..self.candidates.len()).filter(|&i| here(i)).collect();
        let top = eligible
            .iter()
            .filter_map(|&i| self.candidates[i].reach)
            .max()
            .filter(|r| *r > Reach::Denies);
        let ranks_first = |i: &usize| top.is_some() && self.candidates[*i].reach == top;
        let nearest = eligible
            .iter()
            .filter(|i| ranks_first(i))
            .map(|&i| near[i])
            .max();
        let (checked, passed_over): (Vec<usize>, Vec<usize>) = (0..self.candidates.len())
            .partition(|&i| here(i) && ranks_first(&i) && Some(near[i]) == nearest);
        let choice = match (checked.len(), passed_over.len()) {
            (0, _) => Choice::None,
            (1, 0) => Choice::Only,
            (1, _) => Choice::Outranked,
            _ => Choice::Ambiguous,
        };
        Chosen {
            choice,
            checked: checked.into_iter().map(|i| &self.candidates[i]).collect(),
            passed_over: passed_over
                .into_iter()
                .map(|i| {
                    let elsewhere = (!here(i)).then_some(self.homes[i].1.as_str());
                    (&self.candidates[i], elsewhere)
                })
                .collect(),
        }
    }
}

/// How many leading folders a folder shares with a scan-root-relative path's folder.
fn shared_folders(dir: &str, b: &str) -> usize {
    dir.split('/')
        .zip(folder(b).split('/'))
        .take_while(|(x, y)| !x.is_empty() && x == y)
        .count()
}

/// The candidates for ORB's principal when none is configured (DESIGN.md §3, revised): each
/// template principal (not a service role) whose policies reach ORB's actions, with all of its
/// policies and its permissions boundary; the standalone policies of each folder that name ORB's
/// actions or reach them through patterns, as one; and each standalone file that reaches them only
/// through service wildcards, on its own. A standalone policy that only denies joins its folder's
/// set. Candidates rank by reach, then by nearness to each deployment (`Selection::choose`); only
/// those ranking first are checked, each on its own.
pub fn select_candidates<'a>(
    workspace: &'a Workspace,
    links: &Links<'a>,
    deployments: &[&str],
) -> Selection<'a> {
    let mut candidates = Vec::new();
    for linked in &links.principals {
        // A group with members in the scan is checked through them: each holds its policies.
        if linked.principal.is_service_role() || linked.has_members {
            continue;
        }
        let reach = best_reach(&linked.identity);
        if reach.is_some() {
            // A Terraform module's principals are in its several files: each is named by its own.
            let member = PolicyRef {
                file: linked.principal.file.clone(),
                resource: Some(linked.principal.logical_id.clone()),
            };
            let mut c = Candidate {
                reach,
                ..Candidate::new(Basis::Principal, vec![member])
            };
            c.add(linked);
            candidates.push(c);
        }
    }
    // Standalone policies: by folder, those that name ORB's actions or reach them through
    // patterns (and the guardrails beside them); by file, those that reach them only through
    // service wildcards.
    let mut by_folder: BTreeMap<&str, Vec<&PolicyDocument>> = BTreeMap::new();
    let mut by_file: BTreeMap<&str, Vec<&PolicyDocument>> = BTreeMap::new();
    let mut reach_of: FastMap<*const PolicyDocument, Reach> = FastMap::default();
    for p in workspace.policies.iter().filter(|p| !links.is_claimed(p)) {
        let Some(reach) = orb_reach(p) else { continue };
        reach_of.insert(p as *const PolicyDocument, reach);
        match reach {
            Reach::Wildcard => by_file.entry(&p.file).or_default().push(p),
            _ => by_folder.entry(folder(&p.file)).or_default().push(p),
        }
    }
    let reach = |docs: &[&PolicyDocument]| {
        docs.iter()
            .map(|p| reach_of[&(*p as *const PolicyDocument)])
            .max()
    };
    let members = |docs: &[&PolicyDocument]| {
        let mut files: Vec<PolicyRef> = docs
            .iter()
            .map(|p| PolicyRef {
                file: p.file.clone(),
                resource: None,
            })
            .collect();
        files.dedup();
        files
    };
    for docs in by_folder.into_values() {
        let files = members(&docs);
        // Guardrails alone in their folder (reach `Denies`) rank last.
        let basis = if files.len() > 1 {
            Basis::Folder
        } else {
            Basis::File
        };
        candidates.push(Candidate {
            reach: reach(&docs),
            policies: docs,
            ..Candidate::new(basis, files)
        });
    }
    for docs in by_file.into_values() {
        let files = members(&docs);
        candidates.push(Candidate {
            reach: reach(&docs),
            policies: docs,
            ..Candidate::new(Basis::File, files)
        });
    }
    let in_tree = in_tree(workspace);
    let mut candidates: Vec<Candidate> =
        candidates.into_iter().map(|c| c.settle(&in_tree)).collect();
    candidates.sort_by(|a, b| {
        b.reach
            .cmp(&a.reach)
            .then_with(|| a.members.cmp(&b.members))
    });
    Selection::new(candidates, deployments)
}

/// The policies `orb-scan.toml` names for a deployment: a file's identity policies, or with
/// `file#LogicalId` that template resource's, and a template principal's whole set (inline, attached,
/// managed, boundary).
fn declared_principal<'a>(
    declared: &DeclaredDeployment,
    workspace: &'a Workspace,
    links: &Links<'a>,
) -> Candidate<'a> {
    let mut orb = Candidate::new(Basis::Pinned, declared.policies.clone());
    for linked in &links.principals {
        let named = declared.policies.iter().any(|r| {
            r.file == linked.principal.file
                && r.resource.as_deref() == Some(linked.principal.logical_id.as_str())
        });
        if named {
            orb.add(linked);
        }
    }
    orb.policies
        .extend(declared_policies(declared, &workspace.policies));
    let mut orb = orb.settle(&in_tree(workspace));
    orb.reach = best_reach(&orb.policies);
    orb
}

/// A candidate's name: `iam/orb.json`, `cfn/orb.yaml#OrbRole`, a folder's few files joined by
/// ` + `, or a folder and how many of its files (`managed-policies/ (119 files)`).
pub fn candidate_name<'m>(
    basis: Basis,
    members: impl ExactSizeIterator<Item = (&'m str, Option<&'m str>)>,
) -> String {
    let count = members.len();
    let mut names = members.map(|(file, resource)| match resource {
        Some(id) => format!("{file}#{id}"),
        None => file.to_string(),
    });
    if basis == Basis::Folder && count > 3 {
        let first = names.next().unwrap_or_default();
        let dir = match folder(&first) {
            "" => ".",
            dir => dir,
        };
        return format!("{dir}/ ({count} files)");
    }
    names.collect::<Vec<_>>().join(" + ")
}

/// The policies the repository writes (not AWS managed ones attached by ARN), by address.
fn in_tree(workspace: &Workspace) -> HashSet<*const PolicyDocument> {
    workspace
        .policies
        .iter()
        .map(|p| p as *const PolicyDocument)
        .collect()
}

impl<'a> Candidate<'a> {
    fn new(basis: Basis, members: Vec<PolicyRef>) -> Candidate<'a> {
        Candidate {
            members,
            basis,
            reach: None,
            policies: Vec::new(),
            written: Vec::new(),
            boundaries: Vec::new(),
            principals: Vec::new(),
            unread: Vec::new(),
            unread_refs: Vec::new(),
            index: OnceCell::new(),
            evaluated: RefCell::default(),
        }
    }

    pub fn name(&self) -> String {
        candidate_name(
            self.basis,
            self.members
                .iter()
                .map(|m| (m.file.as_ref(), m.resource.as_deref())),
        )
    }

    /// How many leading folders its nearest member shares with the deployment named by `file`.
    pub fn nearness(&self, file: &str) -> usize {
        // Members are sorted, so a folder's files are neighbours: each folder is measured once.
        let mut last = None;
        let mut nearest = 0;
        for m in &self.members {
            let dir = folder(&m.file);
            if last != Some(dir) {
                nearest = nearest.max(shared_folders(dir, file));
                last = Some(dir);
            }
        }
        nearest
    }

    /// As seen from the deployment named by `file`; `elsewhere` is the deployment it lies
    /// nearer to.
    pub fn info(&self, file: &str, elsewhere: Option<&str>) -> CandidateInfo<'a> {
        CandidateInfo {
            name: self.name(),
            nearness: self.nearness(file),
            nearer_to: elsewhere.map(str::to_string),
            members: self.members.clone(),
            basis: self.basis,
            reach: self.reach,
            policies: self.policies.clone(),
            principals: self.principals.clone(),
        }
    }

    /// `evaluate` over the policies, once per distinct request: the templates of a file, and the
    /// deployments checked against the same candidate, mostly need the same few requests.
    fn evaluate(&self, request: &Request) -> Evaluation<'a> {
        let mut evaluated = self.evaluated.borrow_mut();
        let done = evaluated.get(request.action).and_then(|done| {
            done.iter().find(|e| {
                e.resource == request.resource
                    && e.unknowns == request.unknowns
                    && e.context == *request.context
            })
        });
        if let Some(done) = done {
            return done.evaluation;
        }
        let evaluation = self
            .index
            .get_or_init(|| ActionIndex::asked(&self.policies, orb_requested_actions()))
            .evaluate(request);
        evaluated
            .entry(request.action.to_string())
            .or_default()
            .push(Evaluated {
                resource: request.resource.to_string(),
                context: request.context.clone(),
                unknowns: request.unknowns,
                evaluation,
            });
        evaluation
    }

    fn add(&mut self, linked: &Linked<'a>) {
        self.principals.push(linked.principal);
        self.policies.extend(linked.identity.iter().copied());
        self.boundaries.extend(linked.boundary.iter().copied());
        self.unread_refs.extend(linked.unread.iter().copied());
    }

    /// Sorted, without duplicates, and with the written subset known.
    fn settle(mut self, in_tree: &HashSet<*const PolicyDocument>) -> Candidate<'a> {
        for list in [&mut self.policies, &mut self.boundaries] {
            list.sort_by(|a, b| {
                (&a.file, a.span.start, &a.origin.path).cmp(&(
                    &b.file,
                    b.span.start,
                    &b.origin.path,
                ))
            });
            list.dedup_by(|a, b| std::ptr::eq(*a, *b));
        }
        self.written = self
            .policies
            .iter()
            .copied()
            .filter(|p| in_tree.contains(&(*p as *const PolicyDocument)) && !p.is_unread())
            .collect();
        let parts = self.policies.iter().flat_map(|p| {
            p.unread.iter().map(|u| UnreadPolicy {
                file: &p.file,
                span: u.span,
                why: u.why.clone(),
            })
        });
        let refs = self.unread_refs.iter().filter_map(|m| {
            Some(UnreadPolicy {
                file: &m.file,
                span: m.span,
                why: m.unread_why()?,
            })
        });
        self.unread = parts.chain(refs).collect();
        self.unread
            .sort_by(|a, b| (a.file, a.span.start).cmp(&(b.file, b.span.start)));
        self.unread
            .dedup_by(|a, b| (a.file, a.span) == (b.file, b.span));
        self
    }
}

/// Every action a deployment asks ORB's principal about (`deployment`): those of the requirements
/// table and the near misses granted instead of them.
fn orb_requested_actions() -> &'static [&'static str] {
    static ACTIONS: OnceLock<Vec<&'static str>> = OnceLock::new();
    ACTIONS.get_or_init(|| {
        crate::orb::requirements::table()
            .requirement
            .iter()
            .flat_map(|r| r.actions.iter().chain(&r.confused_with))
            .map(String::as_str)
            .collect()
    })
}

pub fn build(workspace: &Workspace) -> Model<'_> {
    // The catalog's remarks need nothing from linking, which runs on one core: on another, they
    // are ready (the catalog loaded with them) when the rules start.
    if workspace.threads > 1 {
        std::thread::scope(|s| {
            let remarks = s.spawn(|| ActionRemarks::new(workspace));
            let model = link(workspace);
            Model {
                action_remarks: remarks.join().expect("catalog remarks panicked"),
                ..model
            }
        })
    } else {
        Model {
            action_remarks: ActionRemarks::new(workspace),
            ..link(workspace)
        }
    }
}

/// The model without `action_remarks`.
fn link(workspace: &Workspace) -> Model<'_> {
    let links = Links::new(&workspace.cfn_templates, &workspace.policies);
    let by_name: BTreeMap<&str, &OrbTemplateFile> = workspace
        .template_files
        .iter()
        .map(|t| (t.file.as_ref(), t))
        .collect();
    let mut claimed: Vec<&str> = Vec::new();
    let config_folders: Vec<&str> = workspace
        .configs
        .iter()
        .filter(|c| !c.packaged)
        .map(|c| folder(&c.file))
        .collect();
    // Each deployment: its config (or template file alone) and its template file.
    let mut found: Vec<(Option<&OrbConfig>, Option<&OrbTemplateFile>)> = Vec::new();
    for config in workspace.configs.iter().filter(|c| c.is_aws_deployment()) {
        let template_file = template_search_list(config)
            .iter()
            .find_map(|n| by_name.get(n.as_str()).copied());
        if let Some(t) = template_file {
            claimed.push(&t.file);
        }
        found.push((Some(config), template_file));
    }
    for t in &workspace.template_files {
        let has_config = config_folders.contains(&folder(&t.file));
        if !claimed.contains(&t.file.as_ref()) && !has_config {
            found.push((None, Some(t)));
        }
    }
    let files: Vec<&str> = found
        .iter()
        .filter_map(|(c, t)| c.map(|c| &*c.file).or(t.map(|t| &*t.file)))
        .collect();
    let selection = select_candidates(workspace, &links, &files);
    let mut deployments = Vec::new();
    for (config, template_file) in found {
        let named = config.map(|c| &c.file).or(template_file.map(|t| &t.file));
        let declared = workspace
            .settings
            .deployments
            .iter()
            .find(|d| Some(&d.config) == named);
        let pinned;
        let chosen = match declared {
            Some(declared) => {
                pinned = declared_principal(declared, workspace, &links);
                Chosen {
                    choice: Choice::Pinned,
                    checked: vec![&pinned],
                    passed_over: Vec::new(),
                }
            }
            None => selection.choose(named.expect("a deployment has a file")),
        };
        deployments.push(deployment(config, template_file, chosen, &links));
    }
    let mut orb_policies: Vec<&PolicyDocument> = deployments
        .iter()
        .flat_map(|d| d.checks.iter().flat_map(|c| c.written.iter().copied()))
        .collect();
    orb_policies.sort_by(|a, b| {
        (&a.file, a.span.start, &a.origin.path).cmp(&(&b.file, b.span.start, &b.origin.path))
    });
    orb_policies.dedup_by(|a, b| std::ptr::eq(*a, *b));
    let checked_principal = |p: &Principal| {
        deployments.iter().any(|d| {
            d.checks
                .iter()
                .any(|c| c.candidate.principals.iter().any(|q| std::ptr::eq(*q, p)))
        })
    };
    let orb_principals = links
        .principals
        .iter()
        .map(|l| l.principal)
        .filter(|p| checked_principal(p))
        .collect();
    Model {
        workspace,
        deployments,
        orb_policies,
        orb_principals,
        links,
        action_remarks: ActionRemarks::default(),
    }
}

/// The identity policies `[[deployment]] policies` names: every one in a named file, or for
/// `file#LogicalId` those of that CloudFormation resource (`Origin::resource`, set by the CFN
/// extraction).
fn declared_policies<'a>(
    declared: &DeclaredDeployment,
    policies: &'a [PolicyDocument],
) -> Vec<&'a PolicyDocument> {
    policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Identity)
        .filter(|p| {
            declared.policies.iter().any(|r| {
                r.file == p.file
                    && r.resource
                        .as_ref()
                        .is_none_or(|id| p.origin.resource.as_ref() == Some(id))
            })
        })
        .collect()
}

fn deployment<'a>(
    config: Option<&'a OrbConfig>,
    template_file: Option<&'a OrbTemplateFile>,
    chosen: Chosen<'_, 'a>,
    links: &Links<'a>,
) -> Deployment<'a> {
    let file: &str = config
        .map(|c| &c.file)
        .or(template_file.map(|t| &t.file))
        .expect("a deployment has a file");
    let templates = template_file
        .map(|t| resolve_templates(config, t))
        .unwrap_or_default();
    let needs: Vec<Need> = templates
        .iter()
        .enumerate()
        .flat_map(|(i, t)| needs_of(t, i, links))
        .collect();
    let checks = chosen
        .checked
        .iter()
        .filter(|c| !c.policies.is_empty())
        .map(|c| Check {
            candidate: c.info(file, None),
            written: c.written.clone(),
            unread: c.unread.clone(),
            boundaries: c.boundaries.clone(),
            findings: findings(&needs, c),
            policy_by_service: Mutex::default(),
        })
        .collect::<Vec<_>>();
    Deployment {
        config,
        template_file,
        templates,
        needs,
        choice: if checks.is_empty() {
            Choice::None
        } else {
            chosen.choice
        },
        checks,
        passed_over: chosen
            .passed_over
            .iter()
            .map(|(c, elsewhere)| c.info(file, *elsewhere))
            .collect(),
    }
}

/// Every action of every need, evaluated against one candidate.
fn findings<'a>(needs: &[Need], orb: &Candidate<'a>) -> Vec<Finding<'a>> {
    let mut findings = Vec::new();
    for (index, need) in needs.iter().enumerate() {
        for action in &need.requirement.actions {
            let mut finding = need_finding(orb, need, index, action);
            if finding.verdict == Verdict::NotGranted {
                finding.granted_instead = need
                    .requirement
                    .confused_with
                    .iter()
                    .map(String::as_str)
                    .filter(|near| need_finding(orb, need, index, near).verdict == Verdict::Allowed)
                    .collect();
                // What orb-scan could not read may grant it; nothing grants past a boundary.
                if !orb.unread.is_empty() && finding.outside_boundary.is_none() {
                    finding.verdict = Verdict::MaybeGranted;
                }
            }
            findings.push(finding);
        }
    }
    findings
}

/// What one deployment was checked against, and how that was chosen: every output format says it
/// (DESIGN.md §3, revised), so no one mistakes which policies were judged.
#[derive(Clone, Debug, Serialize)]
pub struct Scope {
    /// The deployment's config, else its template file.
    pub deployment: String,
    /// `pinned`, `only`, `outranked`, `ambiguous` or `none`.
    pub choice: Choice,
    /// The candidates checked, each on its own: one, or every candidate of an ambiguous choice.
    pub checked: Vec<ScopeCandidate>,
    /// Candidates found and not checked, outranked by those that were.
    pub passed_over: Vec<ScopeCandidate>,
    /// A `[[deployment]]` table for orb-scan.toml that pins what was checked (the first candidate
    /// of an ambiguous choice), with paths as the settings file writes them; `None` once pinned or
    /// with no candidate.
    pub pin: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScopeCandidate {
    /// `iam/orb.json`, `cfn/orb.yaml#OrbRole`, a folder's few files joined by ` + `, or a folder
    /// and how many of its files (`candidate_name`; `members` lists them all).
    pub name: String,
    /// `pinned`, `principal` (a template role, user or group with all of its policies), `file`, or
    /// `folder` (a folder's standalone policies taken as one principal's).
    pub basis: Basis,
    /// What `[[deployment]] policies` names to pin it: files, or `file` and `resource` for a
    /// template principal.
    pub members: Vec<ScopeMember>,
    /// `named`, `pattern`, `wildcard` or `denies`; `None` for pinned policies that do not reach
    /// ORB's actions at all.
    pub reach: Option<Reach>,
    /// How many leading folders its nearest file shares with the deployment's file: among
    /// candidates of the same reach, the nearest are checked.
    pub nearness: usize,
    /// The deployment it lies nearer to, whose policy it is taken to be (passed over).
    pub nearer_to: Option<String>,
    pub policies: Vec<ScopePolicy>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScopeMember {
    pub file: String,
    pub resource: Option<String>,
}

impl Scope {
    /// The same scope with every path put through `shown` (`Report::under`).
    pub fn shown(mut self, mut shown: impl FnMut(&str) -> String) -> Scope {
        self.deployment = shown(&self.deployment);
        for c in self.checked.iter_mut().chain(&mut self.passed_over) {
            for m in &mut c.members {
                m.file = shown(&m.file);
            }
            for p in &mut c.policies {
                p.file = shown(&p.file);
            }
            c.name = candidate_name(
                c.basis,
                c.members
                    .iter()
                    .map(|m| (m.file.as_str(), m.resource.as_deref())),
            );
        }
        self
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ScopePolicy {
    pub file: String,
    pub resource: Option<String>,
    /// The document's path inside its file (`Resources.OrbRole.Properties.Policies[0]...`).
    pub path: String,
}

/// Every deployment's scope. `in_settings` writes a scan-root-relative path as orb-scan.toml
/// writes it (relative to its folder).
pub fn scopes(model: &Model, in_settings: impl Fn(&str) -> String) -> Vec<Scope> {
    let candidate = |c: &CandidateInfo| ScopeCandidate {
        name: c.name.clone(),
        basis: c.basis,
        members: c
            .members
            .iter()
            .map(|m| ScopeMember {
                file: m.file.to_string(),
                resource: m.resource.clone(),
            })
            .collect(),
        reach: c.reach,
        nearness: c.nearness,
        nearer_to: c.nearer_to.clone(),
        policies: c
            .policies
            .iter()
            .map(|p| ScopePolicy {
                file: p.file.to_string(),
                resource: p.origin.resource.clone(),
                path: p.origin.path.clone(),
            })
            .collect(),
    };
    model
        .deployments
        .iter()
        .map(|d| {
            let pin = match (d.choice, d.checks.first()) {
                (Choice::Pinned, _) | (_, None) => None,
                (_, Some(check)) => Some(pin_table(d, &check.candidate, &in_settings)),
            };
            Scope {
                deployment: d.file().to_string(),
                choice: d.choice,
                checked: d.checks.iter().map(|c| candidate(&c.candidate)).collect(),
                passed_over: d.passed_over.iter().map(candidate).collect(),
                pin,
            }
        })
        .collect()
}

/// `[[deployment]]` naming the deployment and a candidate's members.
fn pin_table(d: &Deployment, c: &CandidateInfo, in_settings: &impl Fn(&str) -> String) -> String {
    let policies: Vec<String> = c
        .members
        .iter()
        .map(|m| {
            let file = in_settings(&m.file);
            toml_string(&match &m.resource {
                Some(id) => format!("{file}#{id}"),
                None => file,
            })
        })
        .collect();
    format!(
        "[[deployment]]\nconfig = {}\npolicies = [{}]",
        toml_string(&in_settings(d.file())),
        policies.join(", ")
    )
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What the policies say of one action of a need: each resource the call is authorized on
/// (`Need::resources`) is a request of its own, and the call is allowed only if every one is. The
/// finding is the request that decides: a denied one, else one not granted, else a doubtful one.
fn need_finding<'a>(
    orb: &Candidate<'a>,
    need: &Need,
    index: usize,
    action: &'static str,
) -> Finding<'a> {
    let resources = need.resources(action);
    let mut decided: Option<Finding<'a>> = None;
    let mut granted_on = Vec::new();
    for (resource, unknowns) in &resources {
        let request = Request {
            action,
            resource,
            context: &need.context,
            unknowns: *unknowns,
        };
        let eval = orb.evaluate(&request);
        let mut finding = Finding {
            action,
            need: index,
            verdict: eval.verdict(),
            allow: eval.allow,
            deny: eval.deny,
            outside_boundary: None,
            granted_instead: Vec::new(),
            resource: resource.clone(),
            granted_on: Vec::new(),
        };
        within_boundaries(&mut finding, &orb.boundaries, &request);
        if finding.verdict == Verdict::Allowed {
            granted_on.push(resource.clone());
        }
        if decided
            .as_ref()
            .is_none_or(|d| weight(finding.verdict) > weight(d.verdict))
        {
            decided = Some(finding);
        }
    }
    let mut finding = decided.expect("every action is authorized on at least one resource");
    if finding.verdict != Verdict::Allowed {
        finding.granted_on = granted_on;
    }
    finding
}

/// How much a request's verdict decides for the whole call: a refusal over a missing grant over
/// doubt over a grant.
fn weight(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Allowed => 0,
        Verdict::MaybeDenied => 1,
        Verdict::Conditional => 2,
        Verdict::NotGranted | Verdict::MaybeGranted => 3,
        Verdict::Denied => 4,
    }
}

/// A permissions boundary caps what the policies grant: an action is allowed only where the
/// boundary allows it too, and a Deny in the boundary refuses it.
fn within_boundaries<'a>(
    finding: &mut Finding<'a>,
    boundaries: &[&'a PolicyDocument],
    request: &Request,
) {
    if boundaries.is_empty() || matches!(finding.verdict, Verdict::Denied | Verdict::NotGranted) {
        return;
    }
    let limit = evaluate(boundaries, request);
    match limit.verdict() {
        Verdict::Denied => {
            finding.verdict = Verdict::Denied;
            finding.deny = limit.deny;
        }
        Verdict::NotGranted => {
            finding.verdict = Verdict::NotGranted;
            finding.allow = None;
            finding.outside_boundary = boundaries.first().copied();
        }
        Verdict::Conditional | Verdict::MaybeDenied if finding.verdict == Verdict::Allowed => {
            finding.verdict = limit.verdict();
            finding.allow = limit.allow.or(finding.allow);
            finding.deny = limit.deny.or(finding.deny);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::Origin;

    fn policy(statements: &str) -> PolicyDocument {
        let text = format!(r#"{{"Statement": [{statements}]}}"#);
        let node = crate::read::syntax::json::parse(&text)
            .expect("parses")
            .root;
        PolicyDocument::from_node(&"p.json".into(), node, Origin::default(), None)
    }

    /// ORB's actions are found in any case, through globs, and under intrinsics, and ranked by how
    /// surely the policy was written for ORB; `*`, other actions, `NotAction` and other kinds of
    /// policy reach none.
    #[test]
    fn orb_actions_are_found_by_catalog_action_and_glob_and_ranked() {
        let allow = |actions: &str| {
            format!(r#"{{"Effect": "Allow", "Action": {actions}, "Resource": "*"}}"#)
        };
        let reaching = [
            (allow(r#""ec2:CreateFleet""#), Reach::Named),
            (
                allow(r#"["s3:GetObject", "EC2:createfleet"]"#),
                Reach::Named,
            ),
            (allow(r#"["ec2:*", "ec2:DescribeFleets"]"#), Reach::Named),
            (
                allow(r#"{"Fn::Sub": "ec2:DescribeLaunchTemplates"}"#),
                Reach::Named,
            ),
            (allow(r#""ec2:*Fleet*""#), Reach::Pattern),
            (allow(r#""autoscaling:Create*""#), Reach::Pattern),
            (allow(r#"["ec2:*", "ec2:Describe*"]"#), Reach::Pattern),
            (allow(r#""ec2:*""#), Reach::Wildcard),
            (allow(r#"["AutoScaling:*", "s3:*"]"#), Reach::Wildcard),
            (
                r#"{"Effect": "Deny", "Action": "ec2:CreateFleet", "Resource": "*"}"#.into(),
                Reach::Denies,
            ),
        ];
        for (statement, reach) in &reaching {
            assert_eq!(orb_reach(&policy(statement)), Some(*reach), "{statement}");
        }
        let deny_beside_wildcard = format!(
            r#"{}, {{"Effect": "Deny", "Action": "ec2:CreateFleet", "Resource": "*"}}"#,
            allow(r#""ec2:*""#)
        );
        assert_eq!(
            orb_reach(&policy(&deny_beside_wildcard)),
            Some(Reach::Wildcard)
        );
        let not_reaching = [
            allow(r#""*""#),
            allow(r#"["ec2:RunInstances", "ec2:CreateFleets", "s3:*"]"#),
            r#"{"Effect": "Allow", "NotAction": "ec2:CreateFleet", "Resource": "*"}"#.into(),
            r#"{"Effect": "Allow", "Principal": "*", "Action": "ec2:CreateFleet"}"#.into(),
        ];
        for statement in &not_reaching {
            assert_eq!(orb_reach(&policy(statement)), None, "{statement}");
        }
    }

    /// Entries skipped for naming a catalog action under its lowercase service are exactly those
    /// `Remarks::of` has nothing to say of: the remarked entries are those of every spelling.
    #[test]
    fn remarks_pass_over_only_what_the_catalog_has_nothing_to_say_of() {
        let spellings = [
            "ec2:RunInstances",
            "ec2:runinstances",
            "EC2:RunInstances",
            "Ec2:runInstances",
            "ec2:RunInstance",
            "EC2:RunInstance",
            "ec2:Run*",
            "EC2:Run*",
            "ec2:*Nothing*",
            "ec3:RunInstances",
            "ec2",
            "*",
        ];
        let actions: Vec<String> = spellings.iter().map(|s| format!("{s:?}")).collect();
        let workspace = Workspace {
            policies: vec![policy(&format!(
                r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#,
                actions.join(",")
            ))],
            ..Workspace::default()
        };
        let remarked: Vec<&str> = ActionRemarks::new(&workspace)
            .entries()
            .map(|(_, item, _)| item.value.as_str())
            .collect();
        let expected: Vec<&str> = spellings
            .into_iter()
            .filter(|s| Remarks::of(s, &ExtraCatalog::default()).is_some())
            .collect();
        assert_eq!(remarked, expected);
        assert_eq!(remarked.len(), 7, "{remarked:?}");
    }
}
