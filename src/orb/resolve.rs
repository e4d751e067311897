//! Effective template settings, resolved the way ORB 1.8.5 resolves them (orb-facts.md §2-§3):
//! template value → provider instance `template_defaults` → `provider_defaults.aws.template_defaults`
//! → ORB's packaged defaults. Every value remembers where it was set.

use super::files::{is_aws_template, OrbConfig, OrbTemplateFile, TemplateFormat};
use super::requirements::{table, FieldKind, Table};
use crate::diagnostic::FilePath;
use crate::span::Span;
use crate::syntax::{Entry, Node, Value};

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
    pub on_update_failure: Setting,
    pub cleanup: Cleanup,
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

struct Layers<'a> {
    config_file: Option<&'a FilePath>,
    instance_defaults: Option<&'a Node>,
    type_defaults: Option<&'a Node>,
}

impl<'a> Layers<'a> {
    fn new(config: Option<&'a OrbConfig>, instance: &ProviderInstance<'a>) -> Layers<'a> {
        Layers {
            config_file: config.map(|c| &c.file),
            instance_defaults: instance.node.and_then(|n| n.get("template_defaults")),
            type_defaults: config
                .and_then(|c| lookup(&c.node, "provider.provider_defaults.aws.template_defaults")),
        }
    }
}

/// The first set string value of a field through the layers, or the packaged default.
fn resolve_field(
    t: &Table,
    field: &str,
    template: &Node,
    template_file: &FilePath,
    format: TemplateFormat,
    layers: &Layers,
    packaged: Option<&str>,
) -> Option<Setting> {
    let spec = &t.fields[field];
    let mut names: Vec<&str> = Vec::new();
    if format == TemplateFormat::HostFactory {
        names.extend(spec.hostfactory.iter().map(String::as_str));
    }
    names.extend(spec.names.iter().map(String::as_str));
    if let Some(s) = first_string(template, &names, template_file, "template") {
        return Some(s);
    }
    let snake: Vec<&str> = spec.names.iter().map(String::as_str).collect();
    for (layer, name) in [
        (layers.instance_defaults, "providers[].template_defaults"),
        (
            layers.type_defaults,
            "provider_defaults.aws.template_defaults",
        ),
    ] {
        if let (Some(node), Some(file)) = (layer, layers.config_file) {
            if let Some(s) = first_string(node, &snake, file, name) {
                return Some(s);
            }
        }
    }
    packaged.map(|v| Setting {
        value: v.to_string(),
        origin: Origin::Packaged,
    })
}

/// A string value is a setting; `None`, `[]` and `{}` count as unset (ORB's `_coalesce_merge`).
fn first_string(
    node: &Node,
    names: &[&str],
    file: &FilePath,
    layer: &'static str,
) -> Option<Setting> {
    names.iter().find_map(|name| {
        let v = lookup(node, name)?;
        let s = v.as_str()?;
        (!s.is_empty()).then(|| Setting {
            value: s.to_string(),
            origin: Origin::Set {
                file: file.clone(),
                span: v.span,
                key: name.to_string(),
                layer,
            },
        })
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
        let layers = Layers::new(config, instance);
        for node in templates
            .templates()
            .iter()
            .filter(|n| n.is_object() && is_aws_template(n))
        {
            out.push(resolve_one(
                t, config, templates, node, format, instance, &layers,
            ));
        }
    }
    out
}

fn resolve_one<'a>(
    t: &Table,
    config: Option<&'a OrbConfig>,
    templates: &'a OrbTemplateFile,
    node: &'a Node,
    format: TemplateFormat,
    instance: &ProviderInstance<'a>,
    layers: &Layers,
) -> ResolvedTemplate<'a> {
    let d = &t.packaged_defaults;
    let file = &templates.file;
    let field = |name: &str, packaged: Option<&str>| {
        resolve_field(t, name, node, file, format, layers, packaged)
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
    let fleet_role = field("fleet_role", None).or_else(|| {
        let cfg = instance.node?.get("config")?;
        first_string(cfg, &["fleet_role"], &config?.file, "providers[].config")
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
            let hf = (format == TemplateFormat::HostFactory).then_some(&f.hostfactory);
            f.names
                .iter()
                .chain(hf.into_iter().flatten())
                .map(move |n| (f.kind, n))
        })
        .filter_map(move |(kind, name)| Some((kind, name.as_str(), lookup(template, name)?)))
        .filter(|(kind, _, v)| {
            let scalar_ok =
                v.as_str().is_some() || v.is_unset() || matches!(v.value, Value::Number(_));
            match kind {
                FieldKind::String => !scalar_ok,
                FieldKind::List => !scalar_ok && v.as_array().is_none(),
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
