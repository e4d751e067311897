use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;
use crate::orb::resolve::Refusal;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
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
