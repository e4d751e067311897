//! From resolved templates to the list of permissions a deployment needs, each pointing back at the
//! setting that causes it. All "what ORB calls" knowledge comes from the requirements table.

use super::requirements::{table, Requirement, Table};
use super::resolve::{Origin, ResolvedTemplate, Setting};
use crate::base::diagnostic::{FilePath, Severity};
use crate::base::span::Span;
use crate::iam::catalog::{self, format_arn};
use crate::iam::grants::{RequestContext, Unknowns};
use crate::iam::pattern::substitute;

/// Where a need comes from: a written setting, or a packaged default inherited by a template.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CauseKey {
    Set {
        file: FilePath,
        span: Span,
    },
    /// A packaged default, grouped per template file and setting.
    Packaged {
        file: FilePath,
        setting: &'static str,
    },
}

#[derive(Clone, Debug)]
pub struct Cause {
    pub key: CauseKey,
    pub file: FilePath,
    pub span: Span,
    /// "provider_api = \"SpotFleet\"" or "inherits provider_api = EC2Fleet", with the key as the
    /// file writes it (`image_id = ...`).
    pub label: String,
    /// Said of the key as written: ORB reads `image_id` as `machine_image`, a deprecated alias.
    pub note: Option<String>,
    pub packaged_default: Option<String>,
    pub template_id: String,
}

#[derive(Clone, Debug)]
pub struct Need {
    pub requirement: &'static Requirement,
    /// Index into the deployment's resolved templates: the template that needs it.
    pub template: usize,
    /// The requirement's resource in this deployment (`*` when the table names none: then each
    /// action's own resources come from the catalog, `Need::resources`).
    pub resource: String,
    /// The deployment's partition (`aws`), for the ARNs the catalog gives.
    pub partition: String,
    pub context: RequestContext,
    pub severity: Severity,
    pub cause: Cause,
}

impl Need {
    /// The resources one call of `action` for this need is authorized on (`call_resources`).
    pub fn resources(&self, action: &str) -> Vec<(String, Unknowns)> {
        let region = self.context.region.as_deref().unwrap_or("*");
        call_resources(action, &self.resource, &self.partition, region)
    }
}

/// The resources one call of `action` is authorized on, each a request of its own (IAM allows the
/// call only if it allows every one): `resource` when the requirements table names one (a role to
/// pass, a parameter to read), else one ARN for each resource type the catalog says every call of
/// the action authorizes, in the deployment's `partition` and `region`, the account and the new
/// resource's id unknown. An action with no resource type is authorized on `*` alone; one whose
/// every type is optional on some resource of those types (`*`).
pub fn call_resources(
    action: &str,
    resource: &str,
    partition: &str,
    region: &str,
) -> Vec<(String, Unknowns)> {
    if resource != "*" {
        return vec![(resource.to_string(), Unknowns::Author)];
    }
    let catalog = catalog::catalog();
    let Some(id) = catalog.action_id(action) else {
        return vec![("*".into(), Unknowns::Author)];
    };
    let arns: Vec<(String, Unknowns)> = catalog
        .required_resource_types(id)
        .filter_map(|t| t.arns().next())
        .map(|format| (format_arn(format, partition, region), Unknowns::Nobody))
        .collect();
    if arns.is_empty() {
        vec![("*".into(), Unknowns::Nobody)]
    } else {
        arns
    }
}

/// What kind of role a SpotFleet template's fleet role is (orb-facts.md §4.3).
pub fn fleet_role_kind(t: &Table, value: &str) -> &'static str {
    let v = &t.values;
    if v.fleet_role_aliases.iter().any(|a| a == value)
        || value.contains(&v.fleet_role_alias_fragment)
    {
        return "alias";
    }
    if is_spot_fleet_slr_arn(value) {
        return "slr_arn";
    }
    if value.starts_with("arn:") && value.ends_with(":role/aws-ec2-spot-fleet-tagging-role") {
        return "tagging_role_arn";
    }
    "custom"
}

/// `^arn:aws:iam::\d{12}:role/aws-service-role/spotfleet\.amazonaws\.com/AWSServiceRoleForEC2SpotFleet$`
fn is_spot_fleet_slr_arn(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let (account, role) = rest.split_at(rest.find(':').unwrap_or(rest.len()));
    account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && role == ":role/aws-service-role/spotfleet.amazonaws.com/AWSServiceRoleForEC2SpotFleet"
}

/// The ARN ORB will pass as `IamFleetRole`, with `*` for what only AWS knows (the account).
pub fn fleet_role_arn(t: &Table, value: &str) -> String {
    match fleet_role_kind(t, value) {
        "alias" => t.values.spot_fleet_slr_arn.replace("{account}", "*"),
        _ if value.starts_with("arn:") => value.to_string(),
        _ => format!("arn:aws:iam::*:role/{value}"),
    }
}

/// The role inside an instance profile the scan does not define is not known from its name: any role.
pub fn instance_role_arn(partition: &str) -> String {
    format!("arn:{partition}:iam::*:role/*")
}

/// What the scanned templates say about the roles ORB's settings name, so `iam:PassRole` is checked
/// against the real role. Both answers are ARN globs, `arn:*:` for a partition left to the template.
pub trait RoleLookup {
    /// The role a fleet role name (a `RoleName` or a logical id) stands for.
    fn role(&self, name: &str) -> Option<String>;
    /// The role inside an instance profile, by the profile's name or ARN.
    fn instance_profile_role(&self, profile: &str) -> Option<String>;
}

/// A template ARN glob in the deployment's partition.
fn in_partition(arn: String, partition: &str) -> String {
    match arn.strip_prefix("arn:*:") {
        Some(rest) => format!("arn:{partition}:{rest}"),
        None => arn,
    }
}

/// `/aws/service/x` → `arn:aws:ssm:us-east-1::parameter/aws/service/x` (public parameters have no
/// account); other names resolve in the caller's account.
pub fn ssm_parameter_arn(image: &str, partition: &str, region: &str) -> String {
    let name = image.strip_prefix("resolve:ssm:").unwrap_or(image);
    let name = name.split(':').next().unwrap_or(name);
    let account = if name.starts_with("/aws/service/") {
        ""
    } else {
        "*"
    };
    let name = name.strip_prefix('/').unwrap_or(name);
    format!("arn:{partition}:ssm:{region}:{account}:parameter/{name}")
}

pub fn is_ssm_image(image: &str) -> bool {
    !(image.starts_with("ami-") || image.starts_with("arn:"))
}

/// Every need of one resolved template, the deployment's `index`-th; `roles` resolves the fleet role
/// and instance profile names.
pub fn needs_of(template: &ResolvedTemplate, index: usize, roles: &dyn RoleLookup) -> Vec<Need> {
    let t = table();
    let Some(handler) = template.handler.as_deref() else {
        return Vec::new();
    };
    // ORB refuses the template before it calls anything a policy must grant.
    if !template.refusals().is_empty() {
        return Vec::new();
    }
    let facts = Facts::of(t, template, handler);
    t.requirement
        .iter()
        .filter(|r| facts.admit(r))
        .filter_map(|r| need(t, template, index, r, &facts, roles))
        .collect()
}

/// The template's facts in the vocabulary of the table's `when` keys.
struct Facts<'a> {
    handler: &'a str,
    fleet_type: &'a str,
    launch_template: &'static str,
    image_ssm: bool,
    fleet_role: Option<&'static str>,
    instance_profile: bool,
    cleanup: Option<&'static str>,
    price_type: &'a str,
}

impl<'a> Facts<'a> {
    fn of(t: &Table, tpl: &'a ResolvedTemplate, handler: &'a str) -> Facts<'a> {
        Facts {
            handler,
            fleet_type: &tpl.fleet_type.value,
            launch_template: if tpl.launch_template_id.is_some() {
                "pinned"
            } else {
                "per_request"
            },
            image_ssm: is_ssm_image(&tpl.machine_image.value),
            fleet_role: tpl
                .fleet_role
                .as_ref()
                .map(|r| fleet_role_kind(t, &r.value)),
            instance_profile: tpl.machine_role.is_some(),
            cleanup: tpl.cleanup.mode_for(handler),
            price_type: &tpl.price_type.value,
        }
    }

    fn admit(&self, r: &Requirement) -> bool {
        let w = &r.when;
        w.handler.admits(self.handler)
            && w.fleet_type.admits(self.fleet_type)
            && w.price_type.admits(self.price_type)
            && w.launch_template
                .as_deref()
                .is_none_or(|v| v == self.launch_template)
            && w.image
                .as_deref()
                .is_none_or(|v| v == "ssm" && self.image_ssm)
            && w.instance_profile
                .is_none_or(|v| v == self.instance_profile)
            && w.cleanup.as_deref().is_none_or(|v| Some(v) == self.cleanup)
            && match &w.fleet_role {
                super::requirements::OneOrMany::Any => true,
                m => self.fleet_role.is_some_and(|k| m.admits(k)),
            }
    }
}

fn need(
    t: &Table,
    tpl: &ResolvedTemplate,
    index: usize,
    r: &'static Requirement,
    facts: &Facts,
    roles: &dyn RoleLookup,
) -> Option<Need> {
    let partition = tpl.provider.partition();
    let region = tpl.provider.region.as_str();
    let resource = expand(&r.resource, |placeholder| {
        Some(match placeholder {
            "partition" => partition.to_string(),
            "region" => region.to_string(),
            "fleet_role_arn" => {
                // No fleet role: ORB205 reports the template; nothing to check PassRole against.
                let value = &tpl.fleet_role.as_ref()?.value;
                let defined = (fleet_role_kind(t, value) == "custom" && !value.starts_with("arn:"))
                    .then(|| roles.role(value))
                    .flatten();
                match defined {
                    Some(arn) => in_partition(arn, partition),
                    None => fleet_role_arn(t, value),
                }
            }
            "instance_role_arn" => tpl
                .machine_role
                .as_ref()
                .and_then(|m| roles.instance_profile_role(&m.value))
                .map(|arn| in_partition(arn, partition))
                .unwrap_or_else(|| instance_role_arn(partition)),
            "ssm_parameter_arn" => ssm_parameter_arn(&tpl.machine_image.value, partition, region),
            other => format!("{{{other}}}"),
        })
    })?;
    let severity = r
        .severity_by_update_mode
        .get(&tpl.on_update_failure.value)
        .unwrap_or(&r.severity);
    let cause = cause(tpl, &r.cause, facts)?;
    Some(Need {
        requirement: r,
        template: index,
        resource,
        partition: partition.to_string(),
        context: RequestContext {
            region: Some(tpl.provider.region.clone()),
            passed_to_service: r.passed_to_service.clone(),
            service_name: r.service_name.clone(),
            account: None,
        },
        severity: Severity::parse(severity).unwrap_or(Severity::Error),
        cause,
    })
}

/// `pattern` with each `{name}` replaced by `value(name)` (`pattern::substitute`).
fn expand(pattern: &str, value: impl FnMut(&str) -> Option<String>) -> Option<String> {
    substitute(pattern, "{", value)
}

fn cause(tpl: &ResolvedTemplate, setting: &str, facts: &Facts) -> Option<Cause> {
    let (name, value): (&'static str, &Setting) = match setting {
        "provider_api" => ("provider_api", &tpl.provider_api),
        "fleet_type" => ("fleet_type", &tpl.fleet_type),
        "machine_image" => ("machine_image", &tpl.machine_image),
        "launch_template_id" => ("launch_template_id", tpl.launch_template_id.as_ref()?),
        "fleet_role" => ("fleet_role", tpl.fleet_role.as_ref()?),
        "machine_role" => ("machine_role", tpl.machine_role.as_ref()?),
        "cleanup" => {
            let label = match facts.cleanup {
                Some("describe") => "cleanup.dry_run = true",
                _ => "cleanup.enabled = true",
            };
            return Some(match &tpl.cleanup.origin {
                Origin::Set { file, span, .. } => Cause {
                    key: CauseKey::Set {
                        file: file.clone(),
                        span: *span,
                    },
                    file: file.clone(),
                    span: *span,
                    label: label.into(),
                    note: None,
                    packaged_default: None,
                    template_id: tpl.id.clone(),
                },
                Origin::Packaged => packaged(tpl, "cleanup", "cleanup.enabled = true".into()),
            });
        }
        _ => return None,
    };
    Some(match &value.origin {
        Origin::Set {
            file,
            span,
            key,
            layer,
        } => Cause {
            key: CauseKey::Set {
                file: file.clone(),
                span: *span,
            },
            file: file.clone(),
            span: *span,
            label: if *layer == "template" {
                format!("{key} = \"{}\"", value.value)
            } else {
                format!("{key} = \"{}\" (from {layer})", value.value)
            },
            note: super::requirements::table()
                .fields
                .get(name)
                .filter(|f| f.deprecated.contains(key))
                .map(|_| format!("ORB reads `{key}` as `{name}`, a deprecated alias it logs a warning for: rename it to `{name}`")),
            packaged_default: None,
            template_id: tpl.id.clone(),
        },
        Origin::Packaged => packaged(tpl, name, format!("{name} = \"{}\"", value.value)),
    })
}

fn packaged(tpl: &ResolvedTemplate, setting: &'static str, default: String) -> Cause {
    Cause {
        key: CauseKey::Packaged {
            file: tpl.file.clone(),
            setting,
        },
        file: tpl.file.clone(),
        span: tpl.anchor,
        label: format!("this template inherits {default}"),
        note: None,
        packaged_default: Some(default),
        template_id: tpl.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand_once_and_in_place() {
        let value = |name: &str| match name {
            "region" => Some("eu-west-1".to_string()),
            // A value that looks like a placeholder is not expanded again.
            "partition" => Some("{region}".to_string()),
            "absent" => None,
            other => Some(format!("{{{other}}}")),
        };
        assert_eq!(expand("*", value).as_deref(), Some("*"));
        assert_eq!(
            expand("arn:{partition}:ec2:{region}:*:x", value).as_deref(),
            Some("arn:{region}:ec2:eu-west-1:*:x")
        );
        assert_eq!(
            expand("{other}/{region}", value).as_deref(),
            Some("{other}/eu-west-1")
        );
        assert_eq!(expand("a{region", value).as_deref(), Some("a{region"));
        assert_eq!(expand("x/{absent}", value), None);
    }

    #[test]
    fn fleet_role_kinds() {
        let t = table();
        assert_eq!(fleet_role_kind(t, "AWSServiceRoleForEC2SpotFleet"), "alias");
        assert_eq!(fleet_role_kind(t, "AmazonEC2SpotFleetTaggingRole"), "alias");
        assert_eq!(
            fleet_role_kind(t, "arn:aws:iam::123456789012:role/aws-service-role/spotfleet.amazonaws.com/AWSServiceRoleForEC2SpotFleet"),
            "slr_arn"
        );
        assert_eq!(fleet_role_kind(t, "arn:aws:iam::12345:role/aws-service-role/spotfleet.amazonaws.com/AWSServiceRoleForEC2SpotFleet"), "custom");
        assert_eq!(
            fleet_role_kind(
                t,
                "arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role"
            ),
            "tagging_role_arn"
        );
        assert_eq!(fleet_role_kind(t, "my-fleet-role"), "custom");
        assert_eq!(
            fleet_role_arn(t, "my-fleet-role"),
            "arn:aws:iam::*:role/my-fleet-role"
        );
    }

    #[test]
    fn template_role_arns_take_the_deployment_partition() {
        assert_eq!(
            in_partition("arn:*:iam::*:role/orb/fleet".into(), "aws-cn"),
            "arn:aws-cn:iam::*:role/orb/fleet"
        );
        assert_eq!(
            in_partition("arn:aws:iam::1:role/x".into(), "aws-cn"),
            "arn:aws:iam::1:role/x"
        );
    }

    #[test]
    fn ssm_arns() {
        assert_eq!(
            ssm_parameter_arn("/aws/service/ami-amazon-linux-latest/x", "aws", "eu-west-1"),
            "arn:aws:ssm:eu-west-1::parameter/aws/service/ami-amazon-linux-latest/x"
        );
        assert_eq!(
            ssm_parameter_arn("resolve:ssm:golden-ami", "aws", "us-east-1"),
            "arn:aws:ssm:us-east-1:*:parameter/golden-ami"
        );
        assert!(is_ssm_image("/aws/service/x"));
        assert!(is_ssm_image("golden"));
        assert!(!is_ssm_image("ami-0abc"));
        assert!(!is_ssm_image("arn:aws:ec2:us-east-1::image/ami-1"));
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
