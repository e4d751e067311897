use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::model::deploy::Model;
use crate::orb::requirements::table;
use crate::orb::resolve::{Dropped, ResolvedTemplate};
use std::collections::BTreeMap;

/// Handlers for which a field's value changes what ORB does.
fn matters(field: &str, handler: &str) -> bool {
    match field {
        "fleet_type" => matches!(handler, "EC2Fleet" | "SpotFleet"),
        "fleet_role" => handler == "SpotFleet",
        "launch_template_id" | "machine_image" | "machine_role" => true,
        _ => false,
    }
}

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    // A template file shared by several deployments or provider instances is reported once.
    let mut found: BTreeMap<(FilePath, u32), Diagnostic> = BTreeMap::new();
    for t in model.deployments.iter().flat_map(|d| &d.templates) {
        let Some(handler) = t.handler.as_deref() else {
            continue;
        };
        for d in t.dropped.iter().filter(|d| matters(d.field, handler)) {
            if let (Some((file, span)), Some(diagnostic)) = (d.setting.located(), diagnostic(t, d))
            {
                found
                    .entry((file.clone(), span.start))
                    .or_insert(diagnostic);
            }
        }
    }
    out.extend(found.into_values());
}

fn diagnostic(t: &ResolvedTemplate, d: &Dropped) -> Option<Diagnostic> {
    let (file, span) = d.setting.located()?;
    let written = &d.setting.value;
    let (consequence, help) = match d.field {
        "fleet_type" => {
            let used = &t.fleet_type;
            if used.value == *written {
                return None;
            }
            (
                format!("template `{}` runs as a `{}` fleet", t.id, used.value),
                format!(
                    "add `\"provider_type\": \"aws\"` to the template so ORB builds the AWS template, or write it under metadata: `\"metadata\": {{\"fleet_type\": \"{written}\"}}`"
                ),
            )
        }
        "fleet_role" => {
            let used = t.fleet_role.as_ref()?;
            if used.value == *written {
                return None;
            }
            let from = match &used.origin {
                crate::orb::resolve::Origin::Set { layer, .. } => format!(" (from {layer})"),
                crate::orb::resolve::Origin::Packaged => String::new(),
            };
            (
                format!("template `{}` passes `{}`{from} instead", t.id, used.value),
                format!(
                    "add `\"provider_type\": \"aws\"` to the template so ORB builds the AWS template, or write it under metadata: `\"metadata\": {{\"fleet_role\": \"{written}\"}}`"
                ),
            )
        }
        "machine_image" => (
            format!(
                "template `{}` runs on `{}` instead",
                t.id, t.machine_image.value
            ),
            format!(
                "write the image as `{}`: ORB {} reads it under that name only (ORB 1.8.4 and later read `machine_image`)",
                table().fields["machine_image"]
                    .names
                    .first()
                    .map_or("image_id", String::as_str),
                crate::orb::requirements::release_name()
            ),
        ),
        "machine_role" => (
            format!(
                "template `{}`'s instances launch without instance profile `{written}`",
                t.id
            ),
            format!(
                "ORB {} loses every instance profile on its way to the launch template (its TemplateDTO reads `instance_profile`, which the template no longer has); ORB 1.8.4 and later pass it",
                crate::orb::requirements::release_name()
            ),
        ),
        "launch_template_id" => (
            format!(
                "template `{}` gets a new launch template for every request (ec2:CreateLaunchTemplate) instead of `{written}`",
                t.id
            ),
            "add `\"provider_type\": \"aws\"` to the template: only the AWS template reads a pinned launch template".into(),
        ),
        _ => return None,
    };
    let version = crate::orb::requirements::release_name();
    let why = if table().fields[d.field].ignored.iter().any(|n| n == d.name) {
        String::new()
    } else {
        " (the template is not built as an AWS template)".to_string()
    };
    let mut diagnostic = Diagnostic::new(
        "ORB206",
        Severity::Warning,
        file,
        span,
        format!(
            "ORB {version} drops `{}` before provisioning{why}: {consequence}",
            d.name
        ),
    )
    .label_here("dropped by ORB's scheduler, never read")
    .with_help(help);
    let evidence = &table().fields[d.field].verified;
    // A field an earlier release reads otherwise was shown by that release's run.
    let release = table()
        .applied
        .map(|i| &table().release[i])
        .filter(|r| r.fields.contains_key(d.field));
    if !evidence.is_empty() {
        diagnostic = diagnostic.with_note(format!(
            "shown by running ORB{}: conformance scenario{} {}{}",
            release.map_or(String::new(), |_| format!(" {version}")),
            if evidence.len() == 1 { "" } else { "s" },
            evidence.join(", "),
            release.map_or(String::new(), |r| format!(" ({})", r.report)),
        ));
    }
    Some(diagnostic)
}
