use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::model::deploy::Model;
use crate::orb::resolve::{lookup, Refusal};
use std::collections::BTreeMap;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    // A template file shared by several deployments or provider instances is reported once.
    let mut found: BTreeMap<(FilePath, u32), Diagnostic> = BTreeMap::new();
    for t in model.deployments.iter().flat_map(|d| &d.templates) {
        if !t.refused_for(Refusal::NoMachineTypes) {
            continue;
        }
        found
            .entry((t.file.clone(), t.anchor.start))
            .or_insert_with(|| {
                let mut d = Diagnostic::new(
                    "ORB207",
                    Severity::Error,
                    &t.file,
                    t.anchor,
                    format!(
                        "template `{}` gives no machine_types; ORB will fail its requests",
                        t.id
                    ),
                )
                .label_here("no machine_types here or in its template_defaults")
                .with_help(
                    "give the instance types with their weights: `\"machine_types\": {\"t3.large\": 1}`",
                );
                let singular = ["machine_type", "instance_type"]
                    .iter()
                    .find_map(|k| lookup(t.node, k).map(|v| (k, v)));
                if let Some((key, value)) = singular {
                    d = d.with_label(
                        &t.file,
                        value.span,
                        format!("`{key}` alone does not count: ORB's handlers read `machine_types`"),
                    );
                }
                d
            });
    }
    out.extend(found.into_values());
}
