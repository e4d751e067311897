use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::model::deploy::Model;
use crate::orb::files::{is_aws_template, TemplateFormat};
use crate::orb::requirements::table;
use crate::orb::resolve::{lookup, Refusal, Setting};
use crate::read::syntax::{Node, Value};

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let t = table();
    let ws = model.workspace;
    for file in &ws.template_files {
        for item in file.templates() {
            if !item.is_object() {
                wrong_type(&file.file, item, "a template", "an object", out);
                continue;
            }
            if !is_aws_template(item) {
                continue;
            }
            template_values(&file.file, item, out);
            // provider_api is ORB201's; fleet_type values are judged as enum values below.
            let hostfactory = file.format == TemplateFormat::HostFactory;
            let judged: Vec<&str> = ["provider_api", "fleet_type"]
                .iter()
                .flat_map(|f| t.fields[*f].groups(hostfactory, true).into_iter().flatten())
                .collect();
            for (name, value) in crate::orb::resolve::mistyped_fields(t, item, file.format) {
                if !judged.contains(&name) {
                    wrong_type(&file.file, value, name, "a string", out);
                }
            }
        }
    }
    // Handler-dependent values need the resolved handler; only written values can be pointed at.
    let mut reject = |setting: &Setting, message: String, label: &str, help: String| {
        if let Some((file, span)) = setting.located() {
            out.push(
                Diagnostic::new("ORB202", Severity::Error, file, span, message)
                    .label_here(label)
                    .with_help(help),
            );
        }
    };
    for r in model.deployments.iter().flat_map(|d| &d.templates) {
        let Some(handler) = r.handler.as_deref() else {
            continue;
        };
        // Judged where ORB reads it: a value written where ORB drops it is never validated (ORB206).
        if r.refused_for(Refusal::InvalidFleetType) {
            let near = t
                .values
                .fleet_type
                .iter()
                .find(|v| v.eq_ignore_ascii_case(&r.fleet_type.value));
            let help = match near {
                Some(v) => format!("did you mean `{v}`? ORB accepts lowercase values only"),
                None => format!("use one of: {}", t.values.fleet_type.join(", ")),
            };
            reject(
                &r.fleet_type,
                format!("`{}` is not a fleet_type ORB accepts", r.fleet_type.value),
                "rejected by ORB's template model",
                help,
            );
            continue;
        }
        let instant_ok = t
            .values
            .fleet_type_instant_only
            .iter()
            .any(|h| h == handler);
        if r.fleet_type.value == "instant" && !instant_ok {
            let message = format!("fleet_type `instant` is valid only for EC2Fleet, not {handler}");
            reject(
                &r.fleet_type,
                message,
                "rejected by ORB's handler validator",
                "use `request` or `maintain`".into(),
            );
        }
        let spot_handlers = &t.values.price_type_spot_handlers;
        if r.refused_for(Refusal::SpotNotSupported) {
            let message =
                format!("price_type `spot` is not valid for {handler}: ORB refuses the request");
            let help = format!("for spot instances use {}", spot_handlers.join(", "));
            reject(
                &r.price_type,
                message,
                "excluded by the handler's capabilities (supports_spot = false)",
                help,
            );
        }
        let spot_prices = &t.values.price_type_spotfleet;
        if handler == "SpotFleet" && !spot_prices.contains(&r.price_type.value) {
            let message = format!(
                "price_type `{}` is not valid for SpotFleet",
                r.price_type.value
            );
            let help = format!("SpotFleet accepts: {}", spot_prices.join(", "));
            reject(
                &r.price_type,
                message,
                "rejected by the SpotFleet validator",
                help,
            );
        }
    }
    for config in ws.configs.iter().filter(|c| !c.packaged) {
        config_values(&config.file, &config.node, out);
    }
}

fn template_values(file: &FilePath, item: &Node, out: &mut Vec<Diagnostic>) {
    let t = table();
    for key in ["price_type", "priceType"] {
        enum_value(file, item.get(key), &t.values.price_type, key, out);
    }
    for key in ["launch_template_version", "launchTemplateVersion"] {
        if let Some(v) = item.get(key) {
            let ok = match &v.value {
                Value::String(s) => {
                    s == "$Latest" || s == "$Default" || s.parse::<u64>().is_ok_and(|n| n >= 1)
                }
                Value::Number(n) => n.parse::<u64>().is_ok_and(|n| n >= 1),
                Value::Null => true,
                _ => false,
            };
            if !ok {
                out.push(
                    Diagnostic::new(
                        "ORB202",
                        Severity::Error,
                        file,
                        v.span,
                        format!("{key} must be `$Latest`, `$Default` or a version number ≥ 1"),
                    )
                    .label_here("rejected by AWSTemplate"),
                );
            }
        }
    }
    for key in ["template_defaults"] {
        if let Some(v) = item.get(key).filter(|v| !v.is_object() && !v.is_null()) {
            wrong_type(file, v, key, "an object", out);
        }
    }
}

fn config_values(file: &FilePath, root: &Node, out: &mut Vec<Diagnostic>) {
    let t = table();
    let Some(provider) = root.get("provider") else {
        return;
    };
    if !provider.is_object() {
        return wrong_type(file, provider, "provider", "an object", out);
    }
    enum_value(
        file,
        lookup(root, "scheduler.type"),
        &t.values.scheduler_type,
        "scheduler.type",
        out,
    );
    enum_value(
        file,
        provider.get("selection_policy"),
        &t.values.selection_policy,
        "selection_policy",
        out,
    );
    if let Some(providers) = provider.get("providers") {
        match providers.as_array() {
            None if !providers.is_null() => {
                wrong_type(file, providers, "provider.providers", "a list", out)
            }
            None => {}
            Some(list) => {
                for p in list {
                    if !p.is_object() {
                        wrong_type(file, p, "a provider instance", "an object", out);
                        continue;
                    }
                    for key in [
                        "config",
                        "template_defaults",
                        "handlers",
                        "handler_overrides",
                    ] {
                        if let Some(v) = p.get(key).filter(|v| !v.is_object() && !v.is_null()) {
                            wrong_type(file, v, key, "an object", out);
                        }
                    }
                    for key in ["region", "profile"] {
                        if let Some(v) = lookup(p, &format!("config.{key}"))
                            .filter(|v| v.as_str().is_none() && !v.is_null())
                        {
                            wrong_type(file, v, key, "a string", out);
                        }
                    }
                    let values = &t.values;
                    enum_value(
                        file,
                        lookup(p, "config.launch_template.on_update_failure"),
                        &values.on_update_failure,
                        "on_update_failure",
                        out,
                    );
                    enum_value(
                        file,
                        lookup(p, "config.tagging.on_tag_failure"),
                        &values.on_tag_failure,
                        "on_tag_failure",
                        out,
                    );
                    defaults_values(file, p.get("template_defaults"), out);
                }
            }
        }
    }
    defaults_values(
        file,
        lookup(provider, "provider_defaults.aws.template_defaults"),
        out,
    );
    if let Some(cleanup) = lookup(provider, "provider_defaults.aws.cleanup") {
        if !cleanup.is_object() {
            return wrong_type(file, cleanup, "cleanup", "an object", out);
        }
        for key in ["enabled", "delete_launch_template", "dry_run"] {
            if let Some(v) = cleanup.get(key).filter(|v| v.as_bool().is_none()) {
                wrong_type(file, v, &format!("cleanup.{key}"), "true or false", out);
            }
        }
        for e in cleanup
            .get("resources")
            .and_then(Node::as_object)
            .unwrap_or(&[])
        {
            if e.value.as_bool().is_none() {
                wrong_type(
                    file,
                    &e.value,
                    &format!("cleanup.resources.{}", e.key),
                    "true or false",
                    out,
                );
            }
        }
    }
}

fn defaults_values(file: &FilePath, defaults: Option<&Node>, out: &mut Vec<Diagnostic>) {
    let t = table();
    let Some(d) = defaults.filter(|d| d.is_object()) else {
        return;
    };
    enum_value(
        file,
        d.get("fleet_type"),
        &t.values.fleet_type,
        "fleet_type",
        out,
    );
    enum_value(
        file,
        d.get("price_type"),
        &t.values.price_type,
        "price_type",
        out,
    );
}

fn enum_value(
    file: &FilePath,
    node: Option<&Node>,
    allowed: &[String],
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return;
    };
    let Some(text) = node.as_str() else {
        return wrong_type(file, node, what, "a string", out);
    };
    if allowed.iter().any(|a| a == text) {
        return;
    }
    let mut d = Diagnostic::new(
        "ORB202",
        Severity::Error,
        file,
        node.span,
        format!("`{text}` is not a valid {what}"),
    )
    .label_here("ORB rejects this value")
    .with_note(format!("valid values: {}", allowed.join(", ")));
    if let Some(s) = allowed.iter().find(|a| a.eq_ignore_ascii_case(text)) {
        d = d.with_help(format!("did you mean `{s}`? values are case-sensitive"));
    } else if let Some(s) = crate::base::suggest::nearest(text, allowed.iter().map(String::as_str))
    {
        d = d.with_help(format!("did you mean `{s}`?"));
    }
    out.push(d);
}

fn wrong_type(file: &FilePath, node: &Node, what: &str, expected: &str, out: &mut Vec<Diagnostic>) {
    out.push(
        Diagnostic::new(
            "ORB202",
            Severity::Error,
            file,
            node.span,
            format!("{what} must be {expected}, not {}", node.type_name()),
        )
        .label_here(format!("expected {expected}")),
    );
}
