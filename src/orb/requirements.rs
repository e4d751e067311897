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
    pub packaged_defaults: PackagedDefaults,
    pub values: Values,
    pub fields: BTreeMap<String, Field>,
    pub requirement: Vec<Requirement>,
    pub ineffective: Vec<Ineffective>,
}

/// A setting ORB accepts but never acts on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ineffective {
    pub path: String,
    pub format: Option<String>,
    pub why: String,
    pub src: String,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Snake-case names in priority order; dotted names reach into nested objects.
    pub names: Vec<String>,
    pub hostfactory: Vec<String>,
    /// Names ORB still reads but logs as deprecated, in favour of the canonical (first) name.
    #[serde(default)]
    pub deprecated: Vec<String>,
    #[serde(default)]
    pub kind: FieldKind,
}

#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    #[default]
    String,
    List,
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

pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(TABLE_TEXT)
            .expect("data/orb-requirements.toml is checked by a unit test")
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
                crate::rules::lookup(&r.rule).is_some(),
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

    /// Every action the table names is one the catalog knows, as AWS spells it: the model finds
    /// ORB's actions among a policy's entries by the catalog action each entry names.
    #[test]
    fn table_names_catalog_actions() {
        let t = table();
        let catalog = crate::iam::catalog::catalog();
        let named = t.requirement.iter().flat_map(|r| &r.actions);
        for action in named.chain(&t.values.orb_specific_actions) {
            let id = catalog.action_id(action);
            let spelled = id
                .map(|id| catalog.names(id))
                .map(|(s, n)| format!("{s}:{n}"));
            assert_eq!(spelled.as_ref(), Some(action), "{action}");
        }
    }
}
