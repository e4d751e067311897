//! Linking (DESIGN.md §3): which template file each ORB config loads, which policies are checked
//! against it, and the cross-check of every need against those policies.

use crate::cfn::link::{Linked, Links};
use crate::cfn::{Principal, Template};
use crate::diagnostic::{Diagnostic, FilePath, Sources};
use crate::iam::catalog::{self, ActionId, Lookup};
use crate::iam::grants::{
    evaluate, ActionIndex, Evaluation, Hit, Request, RequestContext, Unknowns, Verdict,
};
use crate::iam::pattern::{glob_service, under_service};
use crate::iam::policy::{literal_actions, Item, PolicyDocument, PolicyKind};
use crate::iam::role::Role;
use crate::orb::files::{OrbConfig, OrbTemplateFile};
use crate::orb::needs::{needs_of, Need};
use crate::orb::resolve::{aws_instances, lookup, resolve_templates, ResolvedTemplate};
use crate::settings::{DeclaredDeployment, ExtraCatalog, Settings};
use crate::suppress::Suppression;
use crate::syntax::Node;
use crate::walk::FileStamp;
use crate::FastMap;
use std::cell::RefCell;
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
    pub files_scanned: usize,
    /// Threads the scan may use (`-j`), for the rules as for the walk; 0 counts as 1.
    pub threads: usize,
    /// `orb-scan.toml`, resolved; `[[deployment]]` tables steer linking.
    pub settings: Settings,
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
    pub policies: Vec<&'a PolicyDocument>,
    /// The checked policies the repository writes (not AWS managed ones attached by ARN): where
    /// missing actions belong.
    pub written: Vec<&'a PolicyDocument>,
    /// Everything the deployment's templates need, whether or not a policy was found.
    pub needs: Vec<Need>,
    /// Permissions boundaries of ORB's principals: a grant counts only where they allow it too.
    pub boundaries: Vec<&'a PolicyDocument>,
    pub findings: Vec<Finding<'a>>,
    /// `policy_for`'s answer by service prefix (lowercase), as an index into `written`, found once:
    /// the rules ask for every diagnostic, and each answer reads every entry of every written policy.
    policy_by_service: Mutex<FastMap<String, Option<usize>>>,
}

impl<'a> Deployment<'a> {
    pub fn need_of(&self, finding: &Finding) -> &Need {
        &self.needs[finding.need]
    }

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
    /// The identity policies taken as ORB's principal (DESIGN.md §3) that the repository writes
    /// (AWS managed policies attached by ARN are evaluated, but are not the repository's to edit).
    pub orb_policies: Vec<&'a PolicyDocument>,
    /// Template principals with all of their policies.
    pub links: Links<'a>,
    /// The template principals taken as ORB's.
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

/// The policies to check when none are configured: identity policies that allow or deny at least
/// one ORB-specific action (through wildcards too; `*` alone does not count).
pub fn select_orb_policies(policies: &[PolicyDocument]) -> Vec<&PolicyDocument> {
    policies.iter().filter(|p| carries_orb_action(p)).collect()
}

/// Does an identity policy allow or deny an ORB-specific action (`*` alone does not count)?
pub fn carries_orb_action(policy: &PolicyDocument) -> bool {
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
    let is_specific = |a: &Item| match a.action {
        Some(id) => ids.binary_search(&id).is_ok(),
        None if a.is_plain() => false,
        None => {
            let service = glob_service(&a.value).map(|(service, _)| service);
            specific
                .iter()
                .any(|x| service.is_none_or(|s| under_service(x, s)) && a.matches_action(x))
        }
    };
    policy.kind == PolicyKind::Identity
        && policy.statements.iter().any(|s| {
            !s.actions.negated
                && s.actions
                    .items
                    .iter()
                    .filter(|a| a.value != "*")
                    .any(is_specific)
        })
}

/// ORB's principal when none is configured (DESIGN.md §3): the standalone identity policies that
/// carry an ORB-specific action, plus every template principal (not a service role) that carries one
/// in any of its policies, with all of that principal's policies and its permissions boundary.
#[derive(Default)]
pub struct OrbPrincipal<'a> {
    /// Everything evaluated, AWS managed policies included.
    pub policies: Vec<&'a PolicyDocument>,
    /// Those the repository writes.
    pub written: Vec<&'a PolicyDocument>,
    pub boundaries: Vec<&'a PolicyDocument>,
    pub principals: Vec<&'a Principal>,
    /// `policies` indexed by action, once they are settled.
    index: ActionIndex<'a>,
    /// Requests already evaluated against `policies`, by action, then resource, context and who
    /// knows the resource's unknowns: found without building a key (a need's few requests repeat
    /// across the templates of a file and the deployments checked against this principal).
    evaluated: RefCell<FastMap<String, Vec<Evaluated<'a>>>>,
}

/// One request's evaluation, under its action in `OrbPrincipal::evaluated`.
struct Evaluated<'a> {
    resource: String,
    context: RequestContext,
    unknowns: Unknowns,
    evaluation: Evaluation<'a>,
}

pub fn orb_principal<'a>(workspace: &'a Workspace, links: &Links<'a>) -> OrbPrincipal<'a> {
    let mut orb = OrbPrincipal::default();
    for linked in &links.principals {
        if !linked.principal.is_service_role()
            && linked.identity.iter().any(|p| carries_orb_action(p))
        {
            orb.add(linked);
        }
    }
    orb.policies.extend(
        select_orb_policies(&workspace.policies)
            .into_iter()
            .filter(|p| !links.is_claimed(p)),
    );
    orb.settle(workspace)
}

/// The policies `orb-scan.toml` names for a deployment: a file's identity policies, or with
/// `file#LogicalId` that template resource's, and a template principal's whole set (inline, attached,
/// managed, boundary).
fn declared_principal<'a>(
    declared: &DeclaredDeployment,
    workspace: &'a Workspace,
    links: &Links<'a>,
) -> OrbPrincipal<'a> {
    let mut orb = OrbPrincipal::default();
    for linked in &links.principals {
        let named = declared.policies.iter().any(|r| {
            r.file == linked.template.file
                && r.resource.as_deref() == Some(linked.principal.logical_id.as_str())
        });
        if named {
            orb.add(linked);
        }
    }
    orb.policies
        .extend(declared_policies(declared, &workspace.policies));
    orb.settle(workspace)
}

impl<'a> OrbPrincipal<'a> {
    /// `evaluate` over the policies, once per distinct request: the templates of a file, and the
    /// deployments checked against the same principal, mostly need the same few requests.
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
        let evaluation = self.index.evaluate(request);
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
    }

    /// Sorted, without duplicates, and with the written subset known.
    fn settle(mut self, workspace: &Workspace) -> OrbPrincipal<'a> {
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
        let in_tree: HashSet<*const PolicyDocument> = workspace
            .policies
            .iter()
            .map(|p| p as *const PolicyDocument)
            .collect();
        self.written = self
            .policies
            .iter()
            .copied()
            .filter(|p| in_tree.contains(&(*p as *const PolicyDocument)))
            .collect();
        self.index = ActionIndex::asked(&self.policies, orb_requested_actions());
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
    let orb = orb_principal(workspace, &links);
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
    let mut deployments = Vec::new();
    for config in workspace.configs.iter().filter(|c| !c.packaged) {
        let template_file = template_search_list(config)
            .iter()
            .find_map(|n| by_name.get(n.as_str()).copied());
        if let Some(t) = template_file {
            claimed.push(&t.file);
        }
        let declared = workspace
            .settings
            .deployments
            .iter()
            .find(|d| d.config == config.file);
        let declared_orb;
        let orb = match declared {
            Some(declared) => {
                declared_orb = declared_principal(declared, workspace, &links);
                &declared_orb
            }
            None => &orb,
        };
        deployments.push(deployment(Some(config), template_file, orb, &links));
    }
    for t in &workspace.template_files {
        let has_config = config_folders.contains(&folder(&t.file));
        if !claimed.contains(&t.file.as_ref()) && !has_config {
            deployments.push(deployment(None, Some(t), &orb, &links));
        }
    }
    Model {
        workspace,
        deployments,
        orb_policies: orb.written,
        orb_principals: orb.principals,
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
    orb: &OrbPrincipal<'a>,
    links: &Links<'a>,
) -> Deployment<'a> {
    let templates = template_file
        .map(|t| resolve_templates(config, t))
        .unwrap_or_default();
    let needs: Vec<Need> = templates.iter().flat_map(|t| needs_of(t, links)).collect();
    let mut findings = Vec::new();
    if !orb.policies.is_empty() {
        for (index, need) in needs.iter().enumerate() {
            for action in &need.requirement.actions {
                let mut finding = need_finding(orb, need, index, action);
                if finding.verdict == Verdict::NotGranted {
                    finding.granted_instead = need
                        .requirement
                        .confused_with
                        .iter()
                        .map(String::as_str)
                        .filter(|near| {
                            need_finding(orb, need, index, near).verdict == Verdict::Allowed
                        })
                        .collect();
                }
                findings.push(finding);
            }
        }
    }
    Deployment {
        config,
        template_file,
        templates,
        policies: orb.policies.clone(),
        written: orb.written.clone(),
        boundaries: orb.boundaries.clone(),
        needs,
        findings,
        policy_by_service: Mutex::default(),
    }
}

/// What the policies say of one action of a need: each resource the call is authorized on
/// (`Need::resources`) is a request of its own, and the call is allowed only if every one is. The
/// finding is the request that decides: a denied one, else one not granted, else a doubtful one.
fn need_finding<'a>(
    orb: &OrbPrincipal<'a>,
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
        Verdict::NotGranted => 3,
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
        let node = crate::syntax::json::parse(&text).expect("parses").root;
        PolicyDocument::from_node(&"p.json".into(), node, Origin::default(), None)
    }

    /// ORB's actions are found in any case, through globs, and under intrinsics; `*`, other
    /// actions, `NotAction` and other kinds of policy carry none.
    #[test]
    fn orb_actions_are_found_by_catalog_action_and_glob() {
        let allow = |actions: &str| {
            format!(r#"{{"Effect": "Allow", "Action": {actions}, "Resource": "*"}}"#)
        };
        let carrying = [
            allow(r#""ec2:CreateFleet""#),
            allow(r#"["s3:GetObject", "EC2:createfleet"]"#),
            allow(r#""ec2:*Fleet*""#),
            allow(r#""autoscaling:Create*""#),
            allow(r#"{"Fn::Sub": "ec2:DescribeLaunchTemplates"}"#),
        ];
        for statement in &carrying {
            assert!(carries_orb_action(&policy(statement)), "{statement}");
        }
        let not_carrying = [
            allow(r#""*""#),
            allow(r#"["ec2:RunInstances", "ec2:CreateFleets", "s3:*"]"#),
            r#"{"Effect": "Allow", "NotAction": "ec2:CreateFleet", "Resource": "*"}"#.into(),
            r#"{"Effect": "Allow", "Principal": "*", "Action": "ec2:CreateFleet"}"#.into(),
        ];
        for statement in &not_carrying {
            assert!(!carries_orb_action(&policy(statement)), "{statement}");
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
