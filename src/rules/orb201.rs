use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;
use crate::orb::files::{is_aws_template, TemplateFormat};
use crate::orb::requirements::table;
use crate::orb::resolve::{handler_for, lookup};
use crate::read::syntax::Node;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    disabled(model, out);
    let ws = model.workspace;
    for file in &ws.template_files {
        for t in file
            .templates()
            .iter()
            .filter(|t| t.is_object() && is_aws_template(t))
        {
            for key in ["provider_api", "providerApi"] {
                if let Some(v) = t.get(key) {
                    report(&file.file, v, file.format, out);
                }
            }
        }
    }
    for config in ws.configs.iter().filter(|c| !c.packaged) {
        let mut places: Vec<&Node> = Vec::new();
        if let Some(list) = lookup(&config.node, "provider.providers").and_then(Node::as_array) {
            places.extend(
                list.iter()
                    .filter_map(|p| lookup(p, "template_defaults.provider_api")),
            );
        }
        places.extend(lookup(
            &config.node,
            "provider.provider_defaults.aws.template_defaults.provider_api",
        ));
        places
            .extend(lookup(&config.node, "template.default_provider_api").filter(|n| !n.is_null()));
        for v in places {
            report(&config.file, v, TemplateFormat::Default, out);
        }
    }
}

/// Templates whose handler the provider instance switches off: ORB finds no handler for them.
fn disabled(model: &Model, out: &mut Vec<Diagnostic>) {
    for d in &model.deployments {
        for t in &d.templates {
            let Some(at) = &t.handler_disabled_at else {
                continue;
            };
            let Some((file, span)) = at.located() else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    "ORB201",
                    Severity::Error,
                    &t.file,
                    t.anchor,
                    format!(
                        "template `{}` uses provider_api `{}`, which provider instance `{}` does not enable",
                        t.id, at.value, t.provider.name
                    ),
                )
                .label_here("ORB finds no handler for this template")
                .with_label(file, span, "the handler is switched off here")
                .with_help("enable the handler for this instance, or use a provider_api it enables"),
            );
        }
    }
}

fn report(
    file: &crate::base::diagnostic::FilePath,
    value: &Node,
    format: TemplateFormat,
    out: &mut Vec<Diagnostic>,
) {
    let t = table();
    let Some(text) = value.as_str() else {
        if !value.is_null() {
            out.push(
                Diagnostic::new(
                    "ORB201",
                    Severity::Error,
                    file,
                    value.span,
                    format!("provider_api must be a string, not {}", value.type_name()),
                )
                .label_here("not a handler name"),
            );
        }
        return;
    };
    if handler_for(t, text, format).is_some() {
        return;
    }
    let mut d = Diagnostic::new(
        "ORB201",
        Severity::Error,
        file,
        value.span,
        format!("`{text}` is not a provider_api ORB accepts"),
    )
    .label_here("ORB rejects this template")
    .with_note(format!(
        "valid values (case-sensitive): {}",
        t.values.provider_api.join(", ")
    ));
    if let Some(s) = suggestion(text) {
        d = d.with_help(format!("did you mean `{s}`?"));
        if format == TemplateFormat::Default
            && t.values.hostfactory_provider_api_aliases.contains_key(text)
        {
            d = d.with_note("this alias is accepted only in HostFactory template files, not by the default scheduler");
        }
    }
    out.push(d);
}

/// The handler a misspelling most likely meant: same letters ignoring case, `_` and `-`, or an alias.
pub fn suggestion(text: &str) -> Option<String> {
    let t = table();
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let n = norm(text);
    if let Some(v) = t.values.provider_api.iter().find(|v| norm(v) == n) {
        return Some(v.clone());
    }
    let alias = t
        .values
        .hostfactory_provider_api_aliases
        .iter()
        .find(|(alias, _)| norm(alias) == n)
        .map(|(_, target)| target.clone());
    alias.or_else(|| {
        crate::base::suggest::nearest(text, t.values.provider_api.iter().map(String::as_str))
            .map(str::to_string)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggestions() {
        assert_eq!(super::suggestion("ec2fleet").as_deref(), Some("EC2Fleet"));
        assert_eq!(super::suggestion("EC2_FLEET").as_deref(), Some("EC2Fleet"));
        assert_eq!(
            super::suggestion("AutoScalingGroup").as_deref(),
            Some("ASG")
        );
        assert_eq!(
            super::suggestion("spot-fleet").as_deref(),
            Some("SpotFleet")
        );
        assert_eq!(super::suggestion("EC2Fleat").as_deref(), Some("EC2Fleet"));
        assert_eq!(super::suggestion("Pod"), None);
    }
}
