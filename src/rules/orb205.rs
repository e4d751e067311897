use super::Rule;
use crate::deploy::Model;
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "ORB205",
    name: "missing-fleet-role",
    severity: Severity::Error,
    summary: "SpotFleet template with no fleet role anywhere in its resolution chain",
    doc: r#"## What it finds
A template whose effective `provider_api` is SpotFleet while no fleet role is set in the template
(`fleet_role`, HostFactory `fleetRole`, `provider_config.fleet_role`, `metadata.fleet_role`), in any
`template_defaults`, or in `providers[N].config.fleet_role`. `iam_fleet_role` does not count: ORB does not
read it.

## Why it matters
ORB's validator refuses the request: "Fleet role ARN is required for Spot Fleet".

## Example
ORB's own `config/config.example.json` sets `iam_fleet_role`, so its SpotFleet templates have no fleet role.

## Fix
Set `fleet_role` (for example `AWSServiceRoleForEC2SpotFleet`) in the template or its defaults.

## ORB source
`handlers/spot_fleet/handler.py:244-270`, `handlers/spot_fleet/validator.py:40-41`."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    // A template file shared by several configs is reported once, with every config's note.
    let mut by_template: std::collections::BTreeMap<
        (crate::diagnostic::FilePath, u32),
        Diagnostic,
    > = Default::default();
    for d in &model.deployments {
        for t in d
            .templates
            .iter()
            .filter(|t| t.handler.as_deref() == Some("SpotFleet") && t.fleet_role.is_none())
        {
            let diag = by_template.entry((t.file.clone(), t.anchor.start)).or_insert_with(|| Diagnostic::new(
                "ORB205",
                Severity::Error,
                &t.file,
                t.anchor,
                format!("SpotFleet template `{}` has no fleet role; ORB will refuse its requests", t.id),
            )
            .label_here("no fleet_role in the template, its defaults or the provider config")
            .with_help("set `fleet_role` (for example `AWSServiceRoleForEC2SpotFleet`) in the template or its template_defaults"));
            let misnamed = d.config.and_then(|c| {
                let path = "provider.provider_defaults.aws.template_defaults.iam_fleet_role";
                crate::orb::resolve::lookup(&c.node, path).map(|_| &c.file)
            });
            if let Some(file) = misnamed {
                let note = format!("{file} sets `iam_fleet_role`, which ORB does not read: rename it to `fleet_role`");
                if !diag.notes.contains(&note) {
                    diag.notes.push(note);
                }
            }
        }
    }
    out.extend(by_template.into_values());
}
