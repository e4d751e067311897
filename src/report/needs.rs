//! `orb-scan needs`: every permission each deployment's templates need, with its severity, the rule
//! that reports it, the requirement behind it and the setting that causes it, and each template as
//! orb-scan resolved it. The JSON form is what `conformance/` compares with what ORB really calls.

use super::json::{tool, JsonSpan, Positions};
use crate::model::deploy::{Deployment, Model};
use crate::orb::needs::Need;
use crate::orb::resolve::{Origin, ResolvedTemplate, Setting};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Serialize)]
struct Needs<'a> {
    version: u32,
    tool: super::json::Tool,
    /// The requirements table these needs come from (`orb_version` selects it).
    orb_version: &'static str,
    deployments: Vec<DeploymentNeeds<'a>>,
}

#[derive(Serialize)]
struct DeploymentNeeds<'a> {
    /// Its name, as `--deployment` takes it: the config, else the template file.
    deployment: &'a str,
    config: Option<&'a str>,
    template_file: Option<&'a str>,
    templates: Vec<TemplateNeeds<'a>>,
}

#[derive(Serialize)]
struct TemplateNeeds<'a> {
    id: &'a str,
    file: &'a str,
    span: JsonSpan,
    provider: &'a str,
    region: &'a str,
    /// The handler ORB routes to; `null` when ORB would refuse the template.
    handler: Option<&'a str>,
    settings: BTreeMap<&'static str, Option<SettingEntry<'a>>>,
    /// What launch template cleanup does for this handler: `delete`, `describe` (dry run) or `null`.
    cleanup: Option<&'static str>,
    needs: Vec<NeedEntry<'a>>,
}

#[derive(Serialize)]
struct SettingEntry<'a> {
    value: &'a str,
    /// Where it is written: `null` for ORB's packaged default.
    set_at: Option<Place<'a>>,
}

#[derive(Serialize)]
struct Place<'a> {
    file: &'a str,
    span: JsonSpan,
    /// The key as the file writes it (`image_id`, `provider_config.fleet_role`, `fleetType`).
    key: &'a str,
    /// `template`, `providers[].template_defaults`, `provider_defaults.aws.template_defaults`, ...
    layer: &'a str,
}

#[derive(Serialize)]
struct NeedEntry<'a> {
    action: &'a str,
    resource: &'a str,
    severity: &'static str,
    rule: &'a str,
    /// The requirement's `id` in `data/orb-requirements.toml`.
    requirement: &'a str,
    sid: &'a str,
    /// `StringEquals` values a generated policy scopes the grant with.
    conditions: BTreeMap<&'static str, &'a str>,
    cause: CauseEntry<'a>,
}

#[derive(Serialize)]
struct CauseEntry<'a> {
    label: &'a str,
    file: &'a str,
    span: JsonSpan,
    packaged_default: Option<&'a str>,
}

fn setting<'a>(s: &'a Setting, positions: &mut Positions<'a>) -> SettingEntry<'a> {
    SettingEntry {
        value: &s.value,
        set_at: match &s.origin {
            Origin::Set {
                file,
                span,
                key,
                layer,
            } => Some(Place {
                file,
                span: positions.span(file, *span),
                key,
                layer,
            }),
            Origin::Packaged => None,
        },
    }
}

fn template<'a>(
    d: &'a Deployment<'a>,
    index: usize,
    t: &'a ResolvedTemplate<'a>,
    positions: &mut Positions<'a>,
) -> TemplateNeeds<'a> {
    let mut settings = BTreeMap::new();
    let mut put = |name, value: Option<&'a Setting>| {
        settings.insert(name, value.map(|s| setting(s, positions)));
    };
    put("provider_api", Some(&t.provider_api));
    put("fleet_type", Some(&t.fleet_type));
    put("machine_image", Some(&t.machine_image));
    put("price_type", Some(&t.price_type));
    put("on_update_failure", Some(&t.on_update_failure));
    put("launch_template_id", t.launch_template_id.as_ref());
    put("fleet_role", t.fleet_role.as_ref());
    put("machine_role", t.machine_role.as_ref());
    let needs = d
        .needs
        .iter()
        .filter(|n| n.template == index)
        .flat_map(|n| n.requirement.actions.iter().map(move |a| (n, a.as_str())))
        .map(|(n, action)| need(n, action, positions))
        .collect();
    TemplateNeeds {
        id: &t.id,
        file: &t.file,
        span: positions.span(&t.file, t.anchor),
        provider: &t.provider.name,
        region: &t.provider.region,
        handler: t.handler.as_deref(),
        settings,
        cleanup: t.handler.as_deref().and_then(|h| t.cleanup.mode_for(h)),
        needs,
    }
}

fn need<'a>(n: &'a Need, action: &'a str, positions: &mut Positions<'a>) -> NeedEntry<'a> {
    let mut conditions = BTreeMap::new();
    if let Some(s) = &n.context.passed_to_service {
        conditions.insert("iam:PassedToService", s.as_str());
    }
    if let Some(s) = &n.context.service_name {
        conditions.insert("iam:AWSServiceName", s.as_str());
    }
    NeedEntry {
        action,
        resource: &n.resource,
        severity: n.severity.as_str(),
        rule: &n.requirement.rule,
        requirement: &n.requirement.id,
        sid: &n.requirement.sid,
        conditions,
        cause: CauseEntry {
            label: &n.cause.label,
            file: &n.cause.file,
            span: positions.span(&n.cause.file, n.cause.span),
            packaged_default: n.cause.packaged_default.as_deref(),
        },
    }
}

fn build<'a>(model: &'a Model<'a>, deployments: &[&'a Deployment<'a>]) -> Needs<'a> {
    let mut positions = Positions::new(&model.workspace.sources);
    let deployments = deployments
        .iter()
        .map(|d| DeploymentNeeds {
            deployment: d.file(),
            config: d.config.map(|c| c.file.as_ref()),
            template_file: d.template_file.map(|t| t.file.as_ref()),
            templates: d
                .templates
                .iter()
                .enumerate()
                .map(|(i, t)| template(d, i, t, &mut positions))
                .collect(),
        })
        .collect();
    Needs {
        version: 1,
        tool: tool(),
        orb_version: crate::orb::requirements::selected_version(),
        deployments,
    }
}

pub fn render_json(
    model: &Model,
    deployments: &[&Deployment],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(model, deployments))?;
    writeln!(out)
}

/// One block per template: how it resolved, then one line per action.
pub fn render_human(
    model: &Model,
    deployments: &[&Deployment],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let esc = super::escape_text;
    let needs = build(model, deployments);
    for d in &needs.deployments {
        writeln!(out, "deployment {}", esc(d.deployment))?;
        for t in &d.templates {
            let value = |name| {
                t.settings
                    .get(name)
                    .and_then(|s| s.as_ref())
                    .map(|s| esc(s.value))
                    .unwrap_or_else(|| "-".into())
            };
            writeln!(
                out,
                "  template {} ({}:{}) [{}] {} fleet_type={} image={} fleet_role={} machine_role={}",
                esc(t.id),
                esc(t.file),
                t.span.start.line,
                esc(t.provider),
                t.handler.unwrap_or("(refused by ORB)"),
                value("fleet_type"),
                value("machine_image"),
                value("fleet_role"),
                value("machine_role"),
            )?;
            for n in &t.needs {
                writeln!(
                    out,
                    "    {:<7} {} {:<46} {}  <- {}",
                    n.severity,
                    n.rule,
                    n.action,
                    esc(n.resource),
                    esc(n.cause.label)
                )?;
            }
        }
    }
    Ok(())
}
