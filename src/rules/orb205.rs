use super::Rule;
use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;
use crate::orb::resolve::Refusal;

pub static RULE: Rule = Rule {
    code: "ORB205",
    name: "missing-fleet-role",
    severity: Severity::Error,
    summary: "SpotFleet template with no fleet role anywhere in its resolution chain",
    doc: r#"## What it finds
A template whose effective `provider_api` is SpotFleet while no fleet role reaches ORB's Spot Fleet handler:
none under `metadata.fleet_role` in the template or in the `template_defaults` whose `metadata` it inherits,
none in `providers[N].config.fleet_role`, and, unless ORB builds the AWS template (`provider_type: aws`),
none that counts elsewhere: a fleet role at the template's top level, under `provider_config`, as HostFactory
`fleetRole` or as `fleet_role` in `template_defaults` is dropped before provisioning in a template without
`provider_type: aws` (labelled where it is written). `iam_fleet_role` never counts: ORB does not read it.

## Why it matters
ORB's validator refuses the request before any AWS call: "Fleet role ARN is required for Spot Fleet".
Running ORB 1.8.5 showed it for every dropped place (conformance scenarios `spotfleet-top-level-role`,
`spotfleet-provider-config-role`, `spotfleet-defaults-role`, `spotfleet-type-defaults-role`,
`hostfactory-spotfleet-fleetrole`).

## Example
ORB's own `config/config.example.json` sets `iam_fleet_role`, and its `config/aws_templates.json` SpotFleet
templates name none, so every one of them is refused.

## Fix
Write the role under the template's `metadata` (`"metadata": {"fleet_role": "AWSServiceRoleForEC2SpotFleet"}`)
or once in the provider's config (`providers[N].config.fleet_role`, where `orb init` writes it).

## ORB source
`handlers/spot_fleet/handler.py:244-270`, `handlers/spot_fleet/validator.py:40-41`,
`aws_template_aggregate.py:309-330`."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    // A template file shared by several configs is reported once, with every config's note.
    let mut by_template: std::collections::BTreeMap<
        (crate::base::diagnostic::FilePath, u32),
        Diagnostic,
    > = Default::default();
    for d in &model.deployments {
        for t in d
            .templates
            .iter()
            .filter(|t| t.refused_for(Refusal::NoFleetRole))
        {
            let diag = by_template.entry((t.file.clone(), t.anchor.start)).or_insert_with(|| Diagnostic::new(
                "ORB205",
                Severity::Error,
                &t.file,
                t.anchor,
                format!("SpotFleet template `{}` has no fleet role; ORB will refuse its requests", t.id),
            )
            .label_here("no fleet role ORB reads: none under metadata, none in the provider config")
            .with_help("write it under the template's metadata (`\"metadata\": {\"fleet_role\": \"AWSServiceRoleForEC2SpotFleet\"}`), add `\"provider_type\": \"aws\"` to a template that writes it elsewhere, or set `fleet_role` in the provider's config"));
            for dropped in t.dropped.iter().filter(|d| d.field == "fleet_role") {
                if let Some((file, span)) = dropped.setting.located() {
                    let text = format!("`{}` is dropped before provisioning: the template is not built as an AWS template", dropped.name);
                    if !diag
                        .labels
                        .iter()
                        .any(|l| l.file == *file && l.span == span)
                    {
                        diag.labels.push(crate::base::diagnostic::Label {
                            file: file.clone(),
                            span,
                            message: text,
                        });
                    }
                }
            }
            let misnamed = d.config.and_then(|c| {
                let path = "provider.provider_defaults.aws.template_defaults.iam_fleet_role";
                crate::orb::resolve::lookup(&c.node, path).map(|_| &c.file)
            });
            if let Some(file) = misnamed {
                let note = format!("{file} sets `iam_fleet_role`, which ORB does not read: write it as `fleet_role` in the provider's config");
                if !diag.notes.contains(&note) {
                    diag.notes.push(note);
                }
            }
        }
    }
    out.extend(by_template.into_values());
}
