//! Effective template settings, resolved the way ORB 1.8.5 resolves them (orb-facts.md §2-§3):
//! template value → provider instance `template_defaults` → `provider_defaults.aws.template_defaults`
//! → ORB's packaged defaults. Every value remembers where it was set.

use super::files::{is_aws_template, OrbConfig, OrbTemplateFile, TemplateFormat};
use super::requirements::{table, FieldKind, Table};
use crate::base::diagnostic::FilePath;
use crate::base::span::Span;
use crate::read::syntax::{Entry, Node, Value};

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in a file: the value's span, the key as the file writes it (`image_id`, `imageId`,
    /// `provider_config.fleet_role`: messages name what the user wrote) and the layer's name.
    Set {
        file: FilePath,
        span: Span,
        key: String,
        layer: &'static str,
    },
    /// ORB's packaged default; the template that inherits it is the place to point at.
    Packaged,
}

#[derive(Clone, Debug)]
pub struct Setting {
    pub value: String,
    pub origin: Origin,
}

impl Setting {
    /// Where the value is written, unless it is a packaged default.
    pub fn located(&self) -> Option<(&FilePath, Span)> {
        match &self.origin {
            Origin::Set { file, span, .. } => Some((file, *span)),
            Origin::Packaged => None,
        }
    }
}

/// The provider instance a template runs under.
#[derive(Clone, Debug)]
pub struct ProviderInstance<'a> {
    pub name: String,
    pub region: String,
    /// `providers[N]`, absent for the packaged `aws-default`.
    pub node: Option<&'a Node>,
}

impl ProviderInstance<'_> {
    pub fn partition(&self) -> &'static str {
        crate::iam::grants::partition_of(&self.region)
    }
}

#[derive(Clone, Debug)]
pub struct Cleanup {
    pub enabled: bool,
    pub delete_launch_template: bool,
    pub dry_run: bool,
    /// `resources.{asg,ec2_fleet,spot_fleet,run_instances}`, per handler.
    pub resources: Vec<(String, bool)>,
    pub origin: Origin,
}

impl Cleanup {
    /// `delete`, `describe` or `None` for this handler.
    pub fn mode_for(&self, handler: &str) -> Option<&'static str> {
        let key = match handler {
            "ASG" => "asg",
            "EC2Fleet" => "ec2_fleet",
            "SpotFleet" => "spot_fleet",
            "RunInstances" => "run_instances",
            _ => return None,
        };
        let resource_on = self
            .resources
            .iter()
            .find(|(k, _)| k == key)
            .is_none_or(|(_, v)| *v);
        if !self.enabled || !resource_on {
            return None;
        }
        if self.dry_run {
            Some("describe")
        } else if self.delete_launch_template {
            Some("delete")
        } else {
            None
        }
    }
}

/// One template as ORB will run it under one provider instance.
#[derive(Clone, Debug)]
pub struct ResolvedTemplate<'a> {
    pub file: FilePath,
    pub node: &'a Node,
    pub id: String,
    /// The template's id entry (or the object's start): where inherited defaults are reported.
    pub anchor: Span,
    pub format: TemplateFormat,
    pub provider: ProviderInstance<'a>,
    pub provider_api: Setting,
    /// The handler, when `provider_api` names a valid one (after HostFactory aliases) that the
    /// provider instance enables.
    pub handler: Option<String>,
    /// Where the provider instance switches off the handler `provider_api` names.
    pub handler_disabled_at: Option<Setting>,
    pub fleet_type: Setting,
    pub machine_image: Setting,
    pub launch_template_id: Option<Setting>,
    pub fleet_role: Option<Setting>,
    pub machine_role: Option<Setting>,
    pub price_type: Setting,
    /// Whether the template or its defaults give `machine_types` (HostFactory `vmType`/`vmTypes`).
    pub machine_types: bool,
    pub on_update_failure: Setting,
    pub cleanup: Cleanup,
    /// What the template or its defaults write where ORB drops it.
    pub dropped: Vec<Dropped>,
    /// Set when ORB builds the AWS template, which keeps every AWS setting: the `provider_type` (or
    /// `provider_name`) that makes it so. Otherwise ORB builds the provider-agnostic template, and only
    /// the fields' `core` keys reach its AWS handlers.
    pub aws_template: Option<Setting>,
}

/// Why ORB refuses every request for a template it otherwise routes to a handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A SpotFleet template with no fleet role ORB reads (ORB205).
    NoFleetRole,
    /// `price_type = spot` on a handler whose capabilities exclude spot (ORB202).
    SpotNotSupported,
    /// A `fleet_type` ORB's template model rejects (ORB202).
    InvalidFleetType,
    /// No `machine_types` anywhere, and no pinned launch template to take them from (ORB207).
    NoMachineTypes,
}

impl ResolvedTemplate<'_> {
    /// Why ORB refuses this template's requests before any AWS call it needs a permission for
    /// (scenarios spotfleet-top-level-role, runinstances-spot, metadata-fleet-type-case,
    /// runinstances-golden-ami); each reason has its rule, so all of them are given.
    pub fn refusals(&self) -> Vec<Refusal> {
        let t = table();
        let Some(handler) = self.handler.as_deref() else {
            return Vec::new();
        };
        let spot_ok = t
            .values
            .price_type_spot_handlers
            .iter()
            .any(|h| h == handler);
        [
            (
                !self.machine_types && self.launch_template_id.is_none(),
                Refusal::NoMachineTypes,
            ),
            (
                !t.values.fleet_type.contains(&self.fleet_type.value),
                Refusal::InvalidFleetType,
            ),
            (
                self.price_type.value == "spot" && !spot_ok,
                Refusal::SpotNotSupported,
            ),
            (
                handler == "SpotFleet" && self.fleet_role.is_none(),
                Refusal::NoFleetRole,
            ),
        ]
        .into_iter()
        .filter_map(|(refused, why)| refused.then_some(why))
        .collect()
    }

    pub fn refused_for(&self, why: Refusal) -> bool {
        self.refusals().contains(&why)
    }
}

/// The provider instances a config enables for AWS: `provider.providers[*]` with `type: aws` and not
/// `enabled: false`; without a `providers` list, ORB's packaged `aws-default`.
pub fn aws_instances<'a>(config: Option<&'a OrbConfig>) -> Vec<ProviderInstance<'a>> {
    let t = table();
    let packaged = || ProviderInstance {
        name: t.packaged_defaults.provider_name.clone(),
        region: t.packaged_defaults.region.clone(),
        node: None,
    };
    let Some(list) = config
        .and_then(|c| c.node.get("provider"))
        .and_then(|p| p.get("providers"))
        .and_then(Node::as_array)
    else {
        return vec![packaged()];
    };
    list.iter()
        .filter(|p| p.get("type").and_then(Node::as_str) == Some("aws"))
        .filter(|p| p.get("enabled").and_then(Node::as_bool) != Some(false))
        .map(|p| ProviderInstance {
            name: p
                .get("name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            region: p
                .get("config")
                .and_then(|c| c.get("region"))
                .and_then(Node::as_str)
                .unwrap_or(&t.packaged_defaults.region)
                .to_string(),
            node: Some(p),
        })
        .collect()
}

/// Follows a dotted name (`provider_config.fleet_type`) into nested objects.
pub fn lookup<'a>(node: &'a Node, dotted: &str) -> Option<&'a Node> {
    dotted.split('.').try_fold(node, |n, k| n.get(k))
}

/// One layer of template settings. ORB merges the layers key by key (`template_defaults_service.py`:
/// `_merge_layer`, `_coalesce_merge`): a top-level key comes whole from the highest layer that sets it,
/// so a template's own `metadata` replaces every default `metadata`.
struct Layer<'a> {
    node: &'a Node,
    file: &'a FilePath,
    name: &'static str,
    /// The template layer skips `None`, `[]` and `{}` (`_coalesce_merge`); a defaults layer sets a key
    /// whatever its value (`_merge_layer`).
    coalesce: bool,
}

impl Layer<'_> {
    fn sets(&self, key: &str) -> bool {
        self.node
            .get(key)
            .is_some_and(|v| !(v.is_null() || self.coalesce && v.is_unset()))
    }
}

/// The template, then the provider instance's `template_defaults`, then
/// `provider.provider_defaults.aws.template_defaults`; ORB's packaged defaults lie below them all.
fn layers<'a>(
    config: Option<&'a OrbConfig>,
    instance: &ProviderInstance<'a>,
    template: &'a Node,
    template_file: &'a FilePath,
) -> Vec<Layer<'a>> {
    let mut out = vec![Layer {
        node: template,
        file: template_file,
        name: "template",
        coalesce: true,
    }];
    if let Some(c) = config {
        let defaults = [
            (
                instance.node.and_then(|n| n.get("template_defaults")),
                "providers[].template_defaults",
            ),
            (
                lookup(&c.node, "provider.provider_defaults.aws.template_defaults"),
                "provider_defaults.aws.template_defaults",
            ),
        ];
        for (node, name) in defaults {
            if let Some(node) = node.filter(|n| n.is_object()) {
                out.push(Layer {
                    node,
                    file: &c.file,
                    name,
                    coalesce: false,
                });
            }
        }
    }
    out
}

/// The value ORB provisions with for a field, or the packaged default. Its keys are tried in priority
/// order; each comes from the highest layer that writes it, and a dotted name only from the layer that
/// owns its top-level key (a template's own `metadata` hides every default `metadata`).
fn resolve_field(
    t: &Table,
    field: &str,
    layers: &[Layer],
    format: TemplateFormat,
    aws_template: bool,
    packaged: Option<&str>,
) -> Option<Setting> {
    let groups = t.fields[field].groups(format == TemplateFormat::HostFactory, aws_template);
    groups
        .iter()
        .find_map(|names| key_value(layers, names))
        .or_else(|| {
            packaged.map(|v| Setting {
                value: v.to_string(),
                origin: Origin::Packaged,
            })
        })
}

/// Whether the merged layers give one key (under any of `names`) a value, of whatever type.
fn written(layers: &[Layer], names: &[&str]) -> bool {
    let top = |name: &str| name.split('.').next().unwrap_or(name).to_string();
    let Some(layer) = layers
        .iter()
        .find(|l| names.iter().any(|n| l.sets(&top(n))))
    else {
        return false;
    };
    names
        .iter()
        .filter_map(|n| lookup(layer.node, n))
        .any(|v| !v.is_unset() && v.as_str() != Some(""))
}

/// The value of one key (written under any of `names`) after ORB merges the layers.
fn key_value(layers: &[Layer], names: &[&str]) -> Option<Setting> {
    let mut owned: Vec<&str> = Vec::new();
    for layer in layers {
        for name in names {
            let top = name.split('.').next().unwrap_or(name);
            if owned.contains(&top) || !layer.sets(top) {
                continue;
            }
            if let Some(s) = setting_at(layer.node, name, layer.file, layer.name) {
                return Some(s);
            }
            owned.push(top);
        }
    }
    None
}

/// Where the template or its defaults write a field ORB drops before provisioning.
#[derive(Clone, Debug)]
pub struct Dropped {
    /// The field's name in the requirements table (`fleet_type`).
    pub field: &'static str,
    /// The name as written (`provider_config.fleet_type`, `fleetType`).
    pub name: &'static str,
    pub setting: Setting,
}

/// What the template and its defaults write in vain, for the way ORB builds the template.
fn dropped_fields(
    t: &'static Table,
    layers: &[Layer],
    format: TemplateFormat,
    aws_template: bool,
) -> Vec<Dropped> {
    let mut out = Vec::new();
    for (field, spec) in &t.fields {
        for name in spec.dropped(format == TemplateFormat::HostFactory, aws_template) {
            for layer in layers {
                if let Some(setting) = setting_at(layer.node, name, layer.file, layer.name) {
                    out.push(Dropped {
                        field,
                        name,
                        setting,
                    });
                }
            }
        }
    }
    out
}

/// The setting that makes ORB's TemplateFactory build the AWS template (domain/template/factory.py:
/// 85-182): `provider_type = "aws"`, or with no `provider_type` a `provider_name` whose part before its
/// first `-` is `aws`.
fn aws_template(t: &Table, layers: &[Layer], format: TemplateFormat) -> Option<Setting> {
    let hostfactory = format == TemplateFormat::HostFactory;
    let value = |field: &str| {
        let groups = t.fields[field].groups(hostfactory, true);
        groups.iter().find_map(|names| key_value(layers, names))
    };
    match value("provider_type") {
        Some(s) => (s.value == "aws").then_some(s),
        None => value("provider_name")
            .filter(|s| s.value.split_once('-').is_some_and(|(p, _)| p == "aws")),
    }
}

/// A string value is a setting; `None`, `[]`, `{}` and `""` count as unset.
fn setting_at(node: &Node, name: &str, file: &FilePath, layer: &'static str) -> Option<Setting> {
    let v = lookup(node, name)?;
    let s = v.as_str().filter(|s| !s.is_empty())?;
    Some(Setting {
        value: s.to_string(),
        origin: Origin::Set {
            file: file.clone(),
            span: v.span,
            key: name.to_string(),
            layer,
        },
    })
}

/// Resolves every AWS template of `templates` under each enabled instance of `config`.
pub fn resolve_templates<'a>(
    config: Option<&'a OrbConfig>,
    templates: &'a OrbTemplateFile,
) -> Vec<ResolvedTemplate<'a>> {
    let t = table();
    let instances = aws_instances(config);
    let hostfactory_scheduler = config
        .and_then(|c| lookup(&c.node, "scheduler.type"))
        .and_then(Node::as_str)
        == Some("hostfactory");
    let format = match (
        templates.format,
        templates.scheduler_type.as_deref(),
        hostfactory_scheduler,
    ) {
        (TemplateFormat::Default, None, true) => TemplateFormat::HostFactory,
        (f, _, _) => f,
    };
    let mut out = Vec::new();
    for instance in &instances {
        for node in templates
            .templates()
            .iter()
            .filter(|n| n.is_object() && is_aws_template(n))
        {
            out.push(resolve_one(t, config, templates, node, format, instance));
        }
    }
    out
}

fn resolve_one<'a>(
    t: &'static Table,
    config: Option<&'a OrbConfig>,
    templates: &'a OrbTemplateFile,
    node: &'a Node,
    format: TemplateFormat,
    instance: &ProviderInstance<'a>,
) -> ResolvedTemplate<'a> {
    let d = &t.packaged_defaults;
    let file = &templates.file;
    let layers = layers(config, instance, node, file);
    let aws_template = aws_template(t, &layers, format);
    let field = |name: &str, packaged: Option<&str>| {
        resolve_field(t, name, &layers, format, aws_template.is_some(), packaged)
    };
    let id_entry = node.get_any(&["template_id", "templateId"]);
    let provider_api = field("provider_api", Some(&d.provider_api)).expect("packaged default");
    // ORB rejects a template whose fields have the wrong type (ORB202), so no handler serves it.
    let named = handler_for(t, &provider_api.value, format)
        .filter(|_| !has_mistyped_field(t, node, format));
    let handler_disabled_at = named
        .as_deref()
        .and_then(|h| handler_disabled(config, instance, h));
    let handler = named.filter(|_| handler_disabled_at.is_none());
    // The Spot Fleet handler falls back to the provider's config (spot_fleet/handler.py:244-270).
    let fleet_role = field("fleet_role", None).or_else(|| {
        let cfg = instance.node?.get("config")?;
        setting_at(cfg, "fleet_role", &config?.file, "providers[].config")
    });
    ResolvedTemplate {
        file: file.clone(),
        node,
        id: id_entry
            .and_then(|e| e.value.as_str())
            .unwrap_or("")
            .to_string(),
        anchor: id_entry.map(Entry::span).unwrap_or(Span::new(
            node.span.start as usize,
            node.span.start as usize + 1,
        )),
        format,
        provider: instance.clone(),
        fleet_type: field("fleet_type", Some(&d.fleet_type)).expect("packaged default"),
        machine_image: field("machine_image", Some(&d.machine_image)).expect("packaged default"),
        launch_template_id: field("launch_template_id", None),
        fleet_role,
        machine_role: field("machine_role", None),
        price_type: field("price_type", Some(&d.price_type)).expect("packaged default"),
        machine_types: t.fields["machine_types"]
            .groups(format == TemplateFormat::HostFactory, true)
            .iter()
            .any(|names| written(&layers, names)),
        on_update_failure: instance
            .node
            .and_then(|n| lookup(n, "config.launch_template.on_update_failure"))
            .and_then(|v| {
                Some(Setting {
                    value: v.as_str()?.to_string(),
                    origin: Origin::Set {
                        file: config?.file.clone(),
                        span: v.span,
                        key: "launch_template.on_update_failure".into(),
                        layer: "providers[].config",
                    },
                })
            })
            .unwrap_or(Setting {
                value: d.on_update_failure.clone(),
                origin: Origin::Packaged,
            }),
        cleanup: cleanup(t, config),
        dropped: dropped_fields(t, &layers, format, aws_template.is_some()),
        aws_template,
        provider_api,
        handler,
        handler_disabled_at,
    }
}

/// Does the template set one of the table's fields to something other than a string?
pub fn has_mistyped_field(t: &Table, template: &Node, format: TemplateFormat) -> bool {
    mistyped_fields(t, template, format).next().is_some()
}

/// The template's fields (from the table, in this format) whose value is neither a string nor unset.
pub fn mistyped_fields<'a>(
    t: &'a Table,
    template: &'a Node,
    format: TemplateFormat,
) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
    t.fields
        .values()
        .flat_map(move |f| {
            f.groups(format == TemplateFormat::HostFactory, true)
                .into_iter()
                .flatten()
                .map(move |n| (f.kind, n))
        })
        .filter_map(move |(kind, name)| Some((kind, name, lookup(template, name)?)))
        .filter(|(kind, _, v)| {
            let scalar_ok =
                v.as_str().is_some() || v.is_unset() || matches!(v.value, Value::Number(_));
            match kind {
                FieldKind::String => !scalar_ok,
                FieldKind::List => !scalar_ok && v.as_array().is_none(),
                FieldKind::Any => false,
            }
        })
        .map(|(_, name, v)| (name, v))
}

/// Where an instance switches a handler off (`get_effective_handlers`, provider_strategy_schema.py:133-174):
/// `providers[N].handlers` is the full set when present; otherwise the type's handlers less those that
/// `providers[N].handler_overrides` (or `provider_defaults.aws.handlers`) set to `null`.
fn handler_disabled(
    config: Option<&OrbConfig>,
    instance: &ProviderInstance,
    handler: &str,
) -> Option<Setting> {
    let config = config?;
    let set = |node: &Node| Setting {
        value: handler.to_string(),
        origin: Origin::Set {
            file: config.file.clone(),
            span: node.span,
            key: handler.to_string(),
            layer: "handlers",
        },
    };
    if let Some(full) = instance
        .node
        .and_then(|n| n.get("handlers"))
        .filter(|h| h.is_object())
    {
        return match full.entry(handler) {
            Some(e) if !e.value.is_null() => None,
            Some(e) => Some(set(&e.value)),
            None => Some(set(full)),
        };
    }
    let nulled = |node: Option<&Node>| {
        node.and_then(|n| n.entry(handler))
            .filter(|e| e.value.is_null())
            .map(|e| set(&e.value))
    };
    nulled(instance.node.and_then(|n| n.get("handler_overrides"))).or_else(|| {
        nulled(lookup(
            &config.node,
            "provider.provider_defaults.aws.handlers",
        ))
    })
}

/// The handler ORB routes to: exact, case-sensitive names; ASG aliases only on the HostFactory path.
pub fn handler_for(t: &Table, value: &str, format: TemplateFormat) -> Option<String> {
    if t.values.provider_api.iter().any(|v| v == value) {
        return Some(value.to_string());
    }
    if format == TemplateFormat::HostFactory {
        return t
            .values
            .hostfactory_provider_api_aliases
            .get(value)
            .cloned();
    }
    None
}

/// Cleanup lives only at `provider.provider_defaults.aws.cleanup` (on by default).
fn cleanup(t: &Table, config: Option<&OrbConfig>) -> Cleanup {
    let d = &t.packaged_defaults;
    let block = config.and_then(|c| lookup(&c.node, "provider.provider_defaults.aws.cleanup"));
    let flag = |key: &str, default: bool| {
        block
            .and_then(|b| b.get(key))
            .and_then(Node::as_bool)
            .unwrap_or(default)
    };
    let origin = match (config, block) {
        (Some(c), Some(b)) => Origin::Set {
            file: c.file.clone(),
            span: b
                .entry("enabled")
                .map(|e| e.value.span)
                .unwrap_or(Span::new(b.span.start as usize, b.span.start as usize + 1)),
            key: "enabled".into(),
            layer: "provider_defaults.aws.cleanup",
        },
        _ => Origin::Packaged,
    };
    let resources = block
        .and_then(|b| b.get("resources"))
        .and_then(Node::as_object)
        .map(|rs| {
            rs.iter()
                .filter_map(|e| Some((e.key.to_string(), e.value.as_bool()?)))
                .collect()
        })
        .unwrap_or_default();
    Cleanup {
        enabled: flag("enabled", d.cleanup_enabled),
        delete_launch_template: flag("delete_launch_template", d.cleanup_delete_launch_template),
        dry_run: flag("dry_run", d.cleanup_dry_run),
        resources,
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diagnostic::FilePath;

    fn config(text: &str) -> OrbConfig {
        OrbConfig {
            file: FilePath::from("config/config.json"),
            node: crate::read::syntax::json::parse(text).unwrap().root,
            packaged: false,
            aws: true,
        }
    }

    fn templates(text: &str) -> OrbTemplateFile {
        OrbTemplateFile {
            file: FilePath::from("config/aws_templates.json"),
            node: crate::read::syntax::json::parse(text).unwrap().root,
            format: TemplateFormat::Default,
            scheduler_type: None,
        }
    }

    fn resolved(config_text: &str, template: &str) -> ResolvedTemplate<'static> {
        let c: &'static OrbConfig = Box::leak(Box::new(config(config_text)));
        let t: &'static OrbTemplateFile = Box::leak(Box::new(templates(&format!(
            "{{\"templates\": [{template}]}}"
        ))));
        resolve_templates(Some(c), t).remove(0)
    }

    const CONFIG: &str = r#"{"provider": {"providers": [{"name": "aws-prod", "type": "aws",
        "template_defaults": {"metadata": {"fleet_type": "maintain"}}}]}}"#;

    /// Scenarios ec2fleet-instant-top-level, ec2fleet-instant-metadata, aws-template-fleet-type.
    #[test]
    fn only_the_aws_template_reads_a_top_level_fleet_type() {
        let core = resolved(
            "{}",
            r#"{"template_id": "a", "provider_api": "EC2Fleet", "fleet_type": "instant"}"#,
        );
        assert_eq!(core.fleet_type.value, "request");
        assert!(core.aws_template.is_none());
        assert_eq!(core.dropped.len(), 1);
        assert_eq!(core.dropped[0].name, "fleet_type");
        let aws = resolved(
            "{}",
            r#"{"template_id": "a", "provider_api": "EC2Fleet", "provider_type": "aws", "fleet_type": "instant"}"#,
        );
        assert_eq!(aws.fleet_type.value, "instant");
        assert!(aws.dropped.is_empty());
        // A provider_name whose part before its first `-` is `aws` (aws-template-provider-name).
        let named = resolved(
            "{}",
            r#"{"template_id": "a", "provider_api": "EC2Fleet", "provider_name": "aws-prod", "fleet_type": "instant"}"#,
        );
        assert_eq!(named.fleet_type.value, "instant");
        let other = resolved(
            "{}",
            r#"{"template_id": "a", "provider_api": "EC2Fleet", "provider_name": "awsprod", "fleet_type": "instant"}"#,
        );
        assert_eq!(other.fleet_type.value, "request");
    }

    /// Scenarios defaults-metadata-fleet-type and defaults-metadata-shadowed: `metadata` merges whole.
    #[test]
    fn a_templates_own_metadata_hides_the_defaults_metadata() {
        let inherited = resolved(
            CONFIG,
            r#"{"template_id": "a", "provider_api": "EC2Fleet"}"#,
        );
        assert_eq!(inherited.fleet_type.value, "maintain");
        assert!(matches!(
            inherited.fleet_type.origin,
            Origin::Set {
                layer: "providers[].template_defaults",
                ..
            }
        ));
        let shadowed = resolved(
            CONFIG,
            r#"{"template_id": "a", "provider_api": "SpotFleet", "metadata": {"fleet_role": "r"}}"#,
        );
        assert_eq!(shadowed.fleet_type.value, "request");
        assert_eq!(shadowed.fleet_role.unwrap().value, "r");
    }

    /// Scenario aws-template-provider-config: the AWS template falls back to `provider_config`, and its
    /// own key outranks it from any layer.
    #[test]
    fn the_aws_template_reads_its_keys_in_order() {
        let t = resolved(
            r#"{"provider": {"providers": [{"name": "p", "type": "aws",
                "template_defaults": {"provider_type": "aws", "fleet_type": "instant"}}]}}"#,
            r#"{"template_id": "a", "provider_api": "EC2Fleet", "provider_config": {"fleet_type": "maintain"}}"#,
        );
        assert!(t.aws_template.is_some());
        assert_eq!(t.fleet_type.value, "instant");
    }

    /// Scenarios spotfleet-top-level-role, runinstances-spot, metadata-fleet-type-case.
    #[test]
    fn refusals() {
        let cases: [(&str, &[Refusal]); 4] = [
            (
                r#"{"template_id": "a", "provider_api": "SpotFleet", "fleet_role": "x"}"#,
                &[Refusal::NoMachineTypes, Refusal::NoFleetRole],
            ),
            (
                r#"{"template_id": "a", "provider_api": "RunInstances", "price_type": "spot"}"#,
                &[Refusal::NoMachineTypes, Refusal::SpotNotSupported],
            ),
            (
                r#"{"template_id": "a", "provider_api": "EC2Fleet", "metadata": {"fleet_type": "Instant"},
                    "machine_types": {"t3.large": 1}}"#,
                &[Refusal::InvalidFleetType],
            ),
            (
                r#"{"template_id": "a", "provider_api": "SpotFleet", "metadata": {"fleet_role": "x"},
                    "machine_types": {"t3.large": 1}}"#,
                &[],
            ),
        ];
        for (template, refusals) in cases {
            assert_eq!(resolved("{}", template).refusals(), refusals, "{template}");
        }
    }
}
