use super::Rule;
use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::model::deploy::Model;
use crate::orb::resolve::{lookup, Refusal};
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "ORB207",
    name: "missing-machine-types",
    severity: Severity::Error,
    summary: "a template gives no machine_types, which ORB's handlers require",
    doc: r#"## What it finds
A template that routes to a handler while neither it nor its `template_defaults` give `machine_types`
(HostFactory `vmTypes` or `vmType`), and no pinned launch template reaches ORB. `machine_type` (or the legacy
`instance_type`) alone does not count, nor does ORB's packaged default `machine_type`: every AWS handler
checks `machine_types`.

## Why it matters
ORB accepts the request, then fails it at provisioning ("Template validation failed - instanceType:
machine_types must be specified") before any AWS call. A held-out config written as a user would write it
(`"machine_type": "t3.large"`) failed this way when ORB 1.8.5 ran it (conformance scenario
`runinstances-golden-ami`). orb-scan needs nothing for such a template.

## Example
```json
{"template_id": "build-agents", "provider_api": "RunInstances", "machine_type": "t3.large"}
```

## Fix
Give the instance types with their weights: `"machine_types": {"t3.large": 1}`.

## ORB source
`providers/aws/infrastructure/handlers/base_handler.py:766-800` (`_validate_prerequisites`)."#,
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Diagnostic>) {
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
