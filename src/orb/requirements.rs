//! The embedded requirements table: ORB's facts as reviewed data, parsed once.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// `data/orb-requirements.toml`, as JSON (`build.rs`).
const TABLE_TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/orb-requirements.json"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub orb_version: String,
    /// The release docs/conformance.json ran: the one the table describes exactly.
    pub conformance_release: String,
    pub packaged_defaults: PackagedDefaults,
    pub values: Values,
    pub fields: BTreeMap<String, Field>,
    pub requirement: Vec<Requirement>,
    pub ineffective: Vec<Ineffective>,
    /// Earlier releases that read some fields differently; `orb_version` selects one.
    #[serde(default)]
    pub release: Vec<Release>,
    /// The entry of `release` whose fields this table took (`orb_version` names one of its versions).
    #[serde(skip)]
    pub applied: Option<usize>,
}

/// A release whose behaviour differs from the table's: its fields replace the table's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub versions: Vec<String>,
    pub why: String,
    pub src: String,
    /// The report of the runs against these versions (docs/conformance-releases.json).
    pub report: String,
    pub fields: BTreeMap<String, Field>,
}

/// A setting ORB accepts but never acts on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ineffective {
    pub path: String,
    pub format: Option<String>,
    pub why: String,
    pub src: String,
    /// Conformance scenarios whose runs showed ORB ignoring it.
    #[serde(default)]
    pub verified: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackagedDefaults {
    pub provider_name: String,
    pub region: String,
    pub provider_api: String,
    pub machine_image: String,
    pub price_type: String,
    pub fleet_type: String,
    pub on_update_failure: String,
    pub cleanup_enabled: bool,
    pub cleanup_delete_launch_template: bool,
    pub cleanup_dry_run: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    pub provider_api: Vec<String>,
    pub hostfactory_provider_api_aliases: BTreeMap<String, String>,
    pub fleet_type: Vec<String>,
    pub fleet_type_instant_only: Vec<String>,
    pub price_type: Vec<String>,
    pub price_type_spotfleet: Vec<String>,
    pub price_type_spot_handlers: Vec<String>,
    pub on_update_failure: Vec<String>,
    pub on_tag_failure: Vec<String>,
    pub scheduler_type: Vec<String>,
    pub selection_policy: Vec<String>,
    pub fleet_role_aliases: Vec<String>,
    pub fleet_role_alias_fragment: String,
    pub spot_fleet_slr_arn: String,
    pub orb_specific_actions: Vec<String>,
    /// Service principals ORB's own role may be assumed by (ORB runs on an instance, in a container
    /// or a function); a role trusted only by other services is a service role (DESIGN.md §3).
    pub orb_host_services: Vec<String>,
}

/// A template setting: where ORB reads it. ORB builds a template in one of two ways (its
/// TemplateFactory): the AWS template reads every name here; the provider-agnostic one keeps only `core`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The setting's key and its aliases (one key: the highest layer that writes any of them wins).
    pub names: Vec<String>,
    /// The camelCase aliases the HostFactory mapping accepts for it.
    #[serde(default)]
    pub hostfactory: Vec<String>,
    /// Other keys the AWS template falls back to when the setting's own key is unset, in order; a
    /// dotted name reaches into an object, which ORB's layers merge whole (`metadata`).
    #[serde(default)]
    pub also: Vec<String>,
    /// Of `names` (by its first) and `also`, the keys the provider-agnostic template keeps; absent, all.
    pub core: Option<Vec<String>>,
    /// Names ORB still reads but logs as deprecated, in favour of the canonical (first) name.
    #[serde(default)]
    pub deprecated: Vec<String>,
    /// Keys ORB parses and never reads, however it builds the template (a release's bug or rename).
    #[serde(default)]
    pub ignored: Vec<String>,
    #[serde(default)]
    pub kind: FieldKind,
    /// Conformance scenarios (docs/conformance.json) whose runs showed where ORB reads the field.
    #[serde(default)]
    pub verified: Vec<String>,
}

impl Field {
    /// The keys ORB reads for this setting, in priority order, each with its aliases: the setting's
    /// own key first, then its fallbacks. `aws_template` says which way ORB builds the template.
    pub fn groups(&self, hostfactory: bool, aws_template: bool) -> Vec<Vec<&str>> {
        let mut own: Vec<&str> = self.names.iter().map(String::as_str).collect();
        if hostfactory {
            own.extend(self.hostfactory.iter().map(String::as_str));
        }
        let mut out = vec![own];
        out.extend(self.also.iter().map(|n| vec![n.as_str()]));
        out.retain(|g| !g.is_empty());
        if let (Some(core), false) = (&self.core, aws_template) {
            out.retain(|g| core.iter().any(|c| c == g[0]));
        }
        out
    }

    /// The keys a template writes in vain, for the way ORB builds it.
    pub fn dropped(&self, hostfactory: bool, aws_template: bool) -> Vec<&str> {
        let kept = self.groups(hostfactory, aws_template);
        let mut out: Vec<&str> = self
            .groups(hostfactory, true)
            .into_iter()
            .filter(|g| !kept.contains(g))
            .flatten()
            .collect();
        out.extend(self.ignored.iter().map(String::as_str));
        out
    }
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    #[default]
    String,
    List,
    /// Whatever the aliases take (`machine_types` is an object, HostFactory `vmType` a string).
    Any,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default)]
    pub handler: OneOrMany,
    #[serde(default)]
    pub fleet_type: OneOrMany,
    pub launch_template: Option<String>,
    pub image: Option<String>,
    #[serde(default)]
    pub fleet_role: OneOrMany,
    pub instance_profile: Option<bool>,
    pub cleanup: Option<String>,
    #[serde(default)]
    pub price_type: OneOrMany,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    Any,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn admits(&self, value: &str) -> bool {
        match self {
            OneOrMany::Any => true,
            OneOrMany::One(v) => v == value,
            OneOrMany::Many(vs) => vs.iter().any(|v| v == value),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    /// The statement of a generated policy that holds these actions.
    pub sid: String,
    pub when: When,
    pub actions: Vec<String>,
    #[serde(default = "any_resource")]
    pub resource: String,
    pub passed_to_service: Option<String>,
    pub service_name: Option<String>,
    pub rule: String,
    pub severity: String,
    #[serde(default)]
    pub severity_by_update_mode: BTreeMap<String, String>,
    pub cause: String,
    pub why: String,
    pub src: Option<String>,
    pub aws: Option<String>,
    /// Actions people grant by mistake instead (ORB's guide says `ssm:GetParameters`).
    #[serde(default)]
    pub confused_with: Vec<String>,
    /// Conformance scenarios (docs/conformance.json) whose runs of ORB verified the entry: ORB's calls
    /// made or implied these actions, and each one ORB called itself, removed from the policy, did what
    /// `severity` claims. `tests/conformance.rs` holds the table to the report.
    #[serde(default)]
    pub verified: Vec<String>,
    /// The limit of the mock (conformance/mock_limits.toml) that keeps a drop-one run from showing
    /// this severity; `aws` then cites the page that does.
    pub mock_limit: Option<String>,
}

fn any_resource() -> String {
    "*".into()
}

impl Requirement {
    /// Where the requirement comes from, for help text: ORB's source or the AWS page.
    pub fn reference(&self) -> String {
        match (&self.src, &self.aws) {
            (Some(s), Some(a)) => format!("ORB {s}; {a}"),
            (Some(s), None) => format!("ORB {s}"),
            (None, Some(a)) => a.clone(),
            (None, None) => String::new(),
        }
    }
}

/// The ORB release `orb_version` names, when it names one.
static SELECTED: OnceLock<String> = OnceLock::new();
/// The table, built once for the release selected by then.
static TABLE: OnceLock<Table> = OnceLock::new();

/// The table as written, for the latest release it describes.
fn base() -> Table {
    serde_json::from_str(TABLE_TEXT).expect("data/orb-requirements.toml is checked by a unit test")
}

impl Table {
    /// The index of the release overlay that applies to `version`, if any.
    fn overlay_for(&self, version: &str) -> Option<usize> {
        self.release
            .iter()
            .position(|r| r.versions.iter().any(|v| v == version))
    }
}

/// Chooses the requirements for an ORB release (`orb_version` in orb-scan.toml): `1.8` or any `1.8.x`,
/// a release overlay applying to the versions it lists. The table is built once per process, so a
/// choice that would build it differently from how it was already built is refused.
pub fn select(version: &str) -> Result<(), String> {
    let written = base();
    let known = &written.orb_version;
    let fits = version
        .strip_prefix(known.as_str())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
    if !fits {
        return Err(format!(
            "orb-scan has requirements for ORB {known}.x only, not `{version}`"
        ));
    }
    let overlay = written.overlay_for(version);
    let chosen = SELECTED.get_or_init(|| version.to_string());
    let built = TABLE.get().map(|t| t.applied);
    if written.overlay_for(chosen) != overlay || built.is_some_and(|applied| applied != overlay) {
        return Err(format!(
            "orb-scan already read other requirements than ORB {version}'s in this process"
        ));
    }
    Ok(())
}

/// The release the table describes: the one `orb_version` chose, else the table's own.
pub fn selected_version() -> &'static str {
    SELECTED
        .get()
        .map(String::as_str)
        .unwrap_or_else(|| &table().orb_version)
}

/// The ORB release messages name: the one `orb_version` names when it names a release (`1.8.3`),
/// else the one the conformance suite ran (`orb_version = "1.8"` names only the line).
pub fn release_name() -> &'static str {
    SELECTED
        .get()
        .map(String::as_str)
        .filter(|v| v.matches('.').count() == 2)
        .unwrap_or_else(|| &table().conformance_release)
}

pub fn table() -> &'static Table {
    TABLE.get_or_init(|| {
        let mut t = base();
        let version = SELECTED.get().map(String::as_str).unwrap_or("");
        t.applied = t.overlay_for(version);
        if let Some(i) = t.applied {
            let fields = t.release[i].fields.clone();
            t.fields.extend(fields);
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_is_consistent() {
        let t = table();
        assert!(t.requirement.len() > 20);
        let causes = [
            "provider_api",
            "fleet_type",
            "launch_template_id",
            "machine_image",
            "fleet_role",
            "machine_role",
            "cleanup",
        ];
        for r in &t.requirement {
            assert!(
                causes.contains(&r.cause.as_str()),
                "{}: cause {}",
                r.id,
                r.cause
            );
            assert!(
                crate::registry::lookup(&r.rule).is_some(),
                "{}: rule {}",
                r.id,
                r.rule
            );
            assert!(
                r.src.is_some() || r.aws.is_some(),
                "{} cites no source",
                r.id
            );
            assert!(r.actions.iter().all(|a| a.contains(':')), "{}", r.id);
            if let OneOrMany::Many(hs) = &r.when.handler {
                assert!(hs.iter().all(|h| t.values.provider_api.contains(h)));
            }
        }
    }

    /// A release entry replaces fields the table has, for releases of the table's line, each listed once.
    #[test]
    fn release_entries_replace_known_fields() {
        let t = base();
        let mut seen = Vec::new();
        for r in &t.release {
            for v in &r.versions {
                assert!(v.starts_with(&format!("{}.", t.orb_version)), "{v}");
                assert!(!seen.contains(v), "{v} is in two [[release]] entries");
                seen.push(v.clone());
            }
            for (name, field) in &r.fields {
                assert!(t.fields.contains_key(name), "[[release]] field {name}");
                assert!(field.deprecated.is_empty(), "{name}");
            }
        }
        assert_eq!(t.overlay_for("1.8.3"), Some(0));
        assert_eq!(t.overlay_for("1.8.4"), None);
        let machine_image = &t.release[0].fields["machine_image"];
        assert_eq!(machine_image.dropped(false, true), ["machine_image"]);
        assert!(t.release[0].fields["machine_role"]
            .groups(true, true)
            .is_empty());
    }
}
