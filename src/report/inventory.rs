//! `orb-scan inventory`: every document found, and which policies each deployment is checked against.

use super::json::{tool, JsonSpan, Positions};
use crate::cfn::link::Linked;
use crate::cfn::{ManagedRef, ManagedSource};
use crate::iam::policy::PolicyDocument;
use crate::model::deploy::{Model, Scope};
use crate::orb::files::TemplateFormat;
use crate::orb::resolve::lookup;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Document<'a> {
    Policy {
        policy_type: &'static str,
        file: &'a str,
        resource: Option<&'a str>,
        resource_type: Option<&'a str>,
        path: &'a str,
        span: JsonSpan,
        statements: usize,
        /// What orb-scan could not read of it (all of it, when it has no statement).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        unread: Vec<UnreadEntry<'a>>,
    },
    OrbConfig {
        file: &'a str,
        span: JsonSpan,
        packaged_defaults: bool,
        /// It configures the AWS provider; a config that does not is no deployment.
        aws_provider: bool,
        scheduler: Option<&'a str>,
    },
    OrbTemplates {
        file: &'a str,
        span: JsonSpan,
        format: &'static str,
        templates: Vec<TemplateEntry<'a>>,
    },
    /// A Terraform module folder that defines principals or instance profiles.
    TerraformModule { folder: &'a str, resources: usize },
    CfnTemplate {
        file: &'a str,
        span: JsonSpan,
        format: &'static str,
        sam: bool,
        resources: usize,
    },
    Principal {
        file: &'a str,
        resource: &'a str,
        resource_type: &'a str,
        principal_type: &'static str,
        name: Option<&'a str>,
        arn: &'a str,
        span: JsonSpan,
        /// Taken as the principal ORB runs under (DESIGN.md §3).
        orb: bool,
        service_role: bool,
        trusted_services: &'a [String],
        policies: Vec<PolicyRef<'a>>,
        managed_policies: Vec<ManagedEntry<'a>>,
        permissions_boundary: Option<ManagedEntry<'a>>,
        instance_profiles: Vec<&'a str>,
    },
}

#[derive(Serialize)]
struct ManagedEntry<'a> {
    arn: &'a str,
    path: &'a str,
    /// `aws` (bundled, evaluated), `aws_unbundled`, `template`, `external` or `unread` (not
    /// evaluated).
    source: &'static str,
    /// Why it is not evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    unread: Option<String>,
}

/// Something orb-scan could not read, where, and why.
#[derive(Serialize)]
struct UnreadEntry<'a> {
    file: &'a str,
    span: JsonSpan,
    why: &'a str,
}

fn managed_entry(m: &ManagedRef) -> ManagedEntry<'_> {
    ManagedEntry {
        arn: &m.arn,
        path: &m.path,
        unread: m.unread_why(),
        source: match m.source {
            ManagedSource::Aws(_) => "aws",
            ManagedSource::AwsUnbundled => "aws_unbundled",
            ManagedSource::Template(_) => "template",
            ManagedSource::External => "external",
            ManagedSource::Unread(_) => "unread",
        },
    }
}

fn principal_document<'a>(
    model: &Model<'a>,
    linked: &Linked<'a>,
    positions: &mut Positions<'a>,
) -> Document<'a> {
    let p = linked.principal;
    let file: &'a str = &p.file;
    Document::Principal {
        file,
        resource: &p.logical_id,
        resource_type: &p.resource_type,
        principal_type: p.kind.as_str(),
        name: p.name.as_deref(),
        arn: &p.arn,
        span: positions.span(file, p.span),
        orb: model.orb_principals.iter().any(|o| std::ptr::eq(*o, p)),
        service_role: p.is_service_role(),
        trusted_services: &p.trusted_services,
        policies: linked.identity.iter().map(|d| policy_ref(d)).collect(),
        managed_policies: p.managed.iter().map(managed_entry).collect(),
        permissions_boundary: p.permissions_boundary.as_ref().map(managed_entry),
        instance_profiles: linked
            .instance_profiles
            .iter()
            .map(|ip| ip.logical_id.as_str())
            .collect(),
    }
}

fn policy_ref(p: &PolicyDocument) -> PolicyRef<'_> {
    PolicyRef {
        file: &p.file,
        path: &p.origin.path,
    }
}

#[derive(Serialize)]
struct TemplateEntry<'a> {
    id: &'a str,
    provider_api: Option<&'a str>,
}

#[derive(Serialize)]
struct DeploymentEntry<'a> {
    config: Option<&'a str>,
    template_file: Option<&'a str>,
    templates: Vec<ResolvedEntry<'a>>,
    /// Every policy checked, over all candidates checked.
    policies: Vec<PolicyRef<'a>>,
    /// What the policies checked hold that orb-scan could not read: a permission they lack may be
    /// granted there (a warning, not an error).
    unread: Vec<UnreadEntry<'a>>,
    /// How they were chosen, as `--format json` reports it.
    scope: Scope,
}

#[derive(Serialize)]
struct ResolvedEntry<'a> {
    id: &'a str,
    provider: &'a str,
    region: &'a str,
    provider_api: &'a str,
    handler: Option<&'a str>,
    fleet_type: &'a str,
    machine_image: &'a str,
    launch_template_id: Option<&'a str>,
    fleet_role: Option<&'a str>,
    machine_role: Option<&'a str>,
}

#[derive(Serialize)]
struct PolicyRef<'a> {
    file: &'a str,
    path: &'a str,
}

#[derive(Serialize)]
struct Inventory<'a> {
    version: u32,
    tool: super::json::Tool,
    documents: Vec<Document<'a>>,
    deployments: Vec<DeploymentEntry<'a>>,
}

fn build<'a>(model: &'a Model<'a>) -> Inventory<'a> {
    let ws = model.workspace;
    let mut positions = Positions::new(&ws.sources);
    let mut documents = Vec::new();
    for p in &ws.policies {
        documents.push(Document::Policy {
            policy_type: p.kind.as_str(),
            file: &p.file,
            resource: p.origin.resource.as_deref(),
            resource_type: p.origin.resource_type.as_deref(),
            path: &p.origin.path,
            span: positions.span(&p.file, p.span),
            statements: p.statements.len(),
            unread: p
                .unread
                .iter()
                .map(|u| UnreadEntry {
                    file: &p.file,
                    span: positions.span(&p.file, u.span),
                    why: &u.why,
                })
                .collect(),
        });
    }
    for c in &ws.configs {
        documents.push(Document::OrbConfig {
            file: &c.file,
            span: positions.span(&c.file, c.node.span),
            packaged_defaults: c.packaged,
            aws_provider: c.aws,
            scheduler: lookup(&c.node, "scheduler.type").and_then(|n| n.as_str()),
        });
    }
    for t in &ws.template_files {
        documents.push(Document::OrbTemplates {
            file: &t.file,
            span: positions.span(&t.file, t.node.span),
            format: match t.format {
                TemplateFormat::Default => "default",
                TemplateFormat::HostFactory => "hostfactory",
            },
            templates: t
                .templates()
                .iter()
                .filter(|n| n.is_object())
                .map(|n| TemplateEntry {
                    id: n
                        .get_any(&["template_id", "templateId"])
                        .and_then(|e| e.value.as_str())
                        .unwrap_or(""),
                    provider_api: n
                        .get_any(&["provider_api", "providerApi"])
                        .and_then(|e| e.value.as_str()),
                })
                .collect(),
        });
    }
    for t in &ws.cfn_templates {
        if t.format == "terraform" {
            documents.push(Document::TerraformModule {
                folder: &t.file,
                resources: t.resources,
            });
            continue;
        }
        documents.push(Document::CfnTemplate {
            file: &t.file,
            span: positions.span(&t.file, t.span),
            format: t.format,
            sam: t.sam,
            resources: t.resources,
        });
    }
    for linked in &model.links.principals {
        documents.push(principal_document(model, linked, &mut positions));
    }
    let scopes = crate::model::deploy::scopes(model, ws.settings.paths_in_file(&ws.root));
    let deployments = model
        .deployments
        .iter()
        .zip(scopes)
        .map(|(d, scope)| DeploymentEntry {
            config: d.config.map(|c| c.file.as_ref()),
            template_file: d.template_file.map(|t| t.file.as_ref()),
            templates: d
                .templates
                .iter()
                .map(|t| ResolvedEntry {
                    id: &t.id,
                    provider: &t.provider.name,
                    region: &t.provider.region,
                    provider_api: &t.provider_api.value,
                    handler: t.handler.as_deref(),
                    fleet_type: &t.fleet_type.value,
                    machine_image: &t.machine_image.value,
                    launch_template_id: t.launch_template_id.as_ref().map(|s| s.value.as_str()),
                    fleet_role: t.fleet_role.as_ref().map(|s| s.value.as_str()),
                    machine_role: t.machine_role.as_ref().map(|s| s.value.as_str()),
                })
                .collect(),
            policies: d.policies().into_iter().map(policy_ref).collect(),
            unread: d
                .unread()
                .into_iter()
                .map(|u| UnreadEntry {
                    file: u.file,
                    span: positions.span(u.file, u.span),
                    why: &u.why,
                })
                .collect(),
            scope,
        })
        .collect();
    Inventory {
        version: 1,
        tool: tool(),
        documents,
        deployments,
    }
}

pub fn render_json(model: &Model, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(model))?;
    writeln!(out)
}

/// `1 policy`, `2 policies`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn render_human(model: &Model, out: &mut dyn Write) -> std::io::Result<()> {
    let inv = build(model);
    let esc = super::escape_text;
    if inv.documents.is_empty() {
        let walked = model.workspace.files_scanned;
        return writeln!(
            out,
            "orb-scan: found no IAM policy, CloudFormation template or ORB file ({} walked)",
            count(walked, "file", "files")
        );
    }
    // Each document as (kind, sub-kind, where, what), aligned in columns.
    let mut rows: Vec<[String; 4]> = Vec::new();
    for d in &inv.documents {
        rows.push(match d {
            Document::Policy {
                policy_type,
                file,
                resource,
                path,
                span,
                statements,
                unread,
                ..
            } => {
                let place = match resource {
                    Some(r) => format!("{}:{} ({r}, {path})", esc(file), span.start.line),
                    None => format!("{}:{}", esc(file), span.start.line),
                };
                let what = match (statements, unread.as_slice()) {
                    (0, [one]) => format!("not read: {}", esc(one.why)),
                    (_, []) => count(*statements, "statement", "statements"),
                    (_, more) => format!(
                        "{}, {} not read",
                        count(*statements, "statement", "statements"),
                        count(more.len(), "part", "parts")
                    ),
                };
                ["policy".into(), policy_type.to_string(), place, what]
            }
            Document::OrbConfig {
                file,
                packaged_defaults,
                aws_provider,
                scheduler,
                ..
            } => {
                let what = match (packaged_defaults, aws_provider) {
                    (true, _) => "ORB packaged defaults (not a deployment)",
                    (false, true) => "ORB config",
                    (false, false) => "ORB config without an AWS provider (not an AWS deployment)",
                };
                [
                    "config".into(),
                    scheduler.unwrap_or("default").to_string(),
                    esc(file),
                    what.into(),
                ]
            }
            Document::OrbTemplates {
                file,
                format,
                templates,
                ..
            } => [
                "templates".into(),
                format.to_string(),
                esc(file),
                count(templates.len(), "template", "templates"),
            ],
            Document::CfnTemplate {
                file,
                format,
                sam,
                resources,
                ..
            } => {
                let sam = if *sam { ", SAM" } else { "" };
                [
                    "cfn".into(),
                    format.to_string(),
                    esc(file),
                    format!("{}{sam}", count(*resources, "resource", "resources")),
                ]
            }
            Document::TerraformModule { folder, resources } => [
                "module".into(),
                "terraform".into(),
                esc(folder),
                count(*resources, "IAM resource", "IAM resources"),
            ],
            Document::Principal {
                file,
                resource,
                principal_type,
                span,
                orb,
                service_role,
                policies,
                managed_policies,
                ..
            } => {
                let role = match (orb, service_role) {
                    (true, _) => ", checked as ORB's principal",
                    (_, true) => ", service role",
                    _ => "",
                };
                let unevaluated = managed_policies
                    .iter()
                    .filter(|m| matches!(m.source, "aws_unbundled" | "external" | "unread"))
                    .count();
                let unevaluated = if unevaluated > 0 {
                    format!(
                        ", {} not evaluated",
                        count(unevaluated, "managed policy", "managed policies")
                    )
                } else {
                    String::new()
                };
                [
                    "principal".into(),
                    principal_type.to_string(),
                    format!(
                        "{}:{} ({}){role}",
                        esc(file),
                        span.start.line,
                        esc(resource)
                    ),
                    format!(
                        "{}{unevaluated}",
                        count(policies.len(), "policy", "policies")
                    ),
                ]
            }
        });
    }
    let width = |column: usize| rows.iter().map(|r| r[column].chars().count()).max();
    let (kind, sub) = (width(0).unwrap_or(0), width(1).unwrap_or(0));
    for [k, s, place, what] in &rows {
        writeln!(out, "{k:<kind$} {s:<sub$} {place}  [{what}]")?;
    }
    for d in &inv.deployments {
        let name = d.config.or(d.template_file).unwrap_or("");
        writeln!(out, "\ndeployment {}", esc(name))?;
        if let Some(t) = d.template_file {
            writeln!(out, "  templates from {}", esc(t))?;
        } else {
            writeln!(out, "  no template file found in ORB's search list")?;
        }
        for t in &d.templates {
            writeln!(
                out,
                "  - {} [{}] {} fleet_type={} image={}",
                esc(t.id),
                esc(t.provider),
                t.handler
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("invalid provider_api {:?}", t.provider_api)),
                esc(t.fleet_type),
                esc(t.machine_image)
            )?;
        }
        let how = super::scope_line(&d.scope);
        let how = how
            .strip_prefix(&format!("{}: ", d.scope.deployment))
            .unwrap_or(&how);
        writeln!(out, "  {}", esc(how))?;
        for p in &d.policies {
            let at = if p.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.path)
            };
            writeln!(out, "  checked against: {}{at}", esc(p.file))?;
        }
        for u in &d.unread {
            writeln!(
                out,
                "  could not read: {}:{} ({}): what the others lack is doubtful",
                esc(u.file),
                u.span.start.line,
                esc(u.why)
            )?;
        }
    }
    Ok(())
}
