//! Recognising ORB files by content (orb-facts.md §1.4), not by name: HostFactory names depend on
//! provider instance names, and a JSON file with a `templates` or `provider` key is not always ORB's.

use crate::base::diagnostic::FilePath;
use crate::read::syntax::{Node, Value};

/// A main config (`config.json` shape) or ORB's own packaged defaults.
#[derive(Debug)]
pub struct OrbConfig {
    pub file: FilePath,
    pub node: Node,
    /// ORB's packaged provider defaults (`aws_defaults.json`, `k8s_defaults.json`: handlers carry
    /// `handler_class`): inventoried, not deployed.
    pub packaged: bool,
    /// It configures the AWS provider (`is_aws_config`); any other config is not an AWS deployment.
    pub aws: bool,
}

impl OrbConfig {
    /// A config ORB would run against AWS: a deployment whose permissions orb-scan checks.
    pub fn is_aws_deployment(&self) -> bool {
        self.aws && !self.packaged
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateFormat {
    /// snake_case `template_id`, read by the default scheduler.
    Default,
    /// camelCase `templateId`, mapped by the HostFactory scheduler (which also applies ASG aliases).
    HostFactory,
}

#[derive(Debug)]
pub struct OrbTemplateFile {
    pub file: FilePath,
    pub node: Node,
    pub format: TemplateFormat,
    /// The file's own `scheduler_type`, which decides the strategy that loads it.
    pub scheduler_type: Option<String>,
}

impl OrbTemplateFile {
    /// The template objects, from `{"templates": [...]}` or a bare list.
    pub fn templates(&self) -> &[Node] {
        template_list(&self.node).unwrap_or(&[])
    }
}

fn template_list(node: &Node) -> Option<&[Node]> {
    match &node.value {
        Value::Array(items) => Some(items),
        Value::Object(_) => node.get("templates")?.as_array(),
        _ => None,
    }
}

pub fn is_main_config(node: &Node) -> bool {
    let Some(provider) = node.get("provider").filter(|p| p.is_object()) else {
        return false;
    };
    let providers_list = provider
        .get("providers")
        .is_some_and(|p| p.as_array().is_some());
    providers_list
        || provider.get("provider_defaults").is_some()
        || provider.get("selection_policy").is_some()
}

/// ORB's packaged defaults for a provider type: `provider.provider_defaults.<type>.handlers.*`
/// carry `handler_class` (`aws_defaults.json`, `k8s_defaults.json`), which no user config does.
pub fn is_packaged_defaults(node: &Node) -> bool {
    let Some(types) = node
        .get("provider")
        .and_then(|p| p.get("provider_defaults"))
        .and_then(Node::as_object)
    else {
        return false;
    };
    types.iter().any(|t| {
        t.value
            .get("handlers")
            .and_then(Node::as_object)
            .is_some_and(|hs| hs.iter().any(|h| h.value.get("handler_class").is_some()))
    })
}

/// A config for the AWS provider (orb-facts.md §1.4): a `provider.providers` entry of `type`
/// `"aws"`, or `provider.provider_defaults.aws`. ORB's empty packaged `default_config.json`
/// (`providers: []`) and a Kubernetes-only config are not.
pub fn is_aws_config(node: &Node) -> bool {
    let Some(provider) = node.get("provider") else {
        return false;
    };
    let aws_instance = provider
        .get("providers")
        .and_then(Node::as_array)
        .is_some_and(|list| {
            list.iter()
                .any(|p| p.get("type").and_then(Node::as_str) == Some("aws"))
        });
    aws_instance
        || provider
            .get("provider_defaults")
            .is_some_and(|d| d.get("aws").is_some())
}

/// A template file: a template list whose object items carry `template_id` or `templateId`.
pub fn template_format(node: &Node) -> Option<TemplateFormat> {
    let items = template_list(node)?;
    let mut format = None;
    for item in items.iter().filter(|i| i.is_object()) {
        if item.get("templateId").is_some() {
            format = Some(TemplateFormat::HostFactory);
            break;
        }
        if item.get("template_id").is_some() {
            format = Some(TemplateFormat::Default);
        }
    }
    let format = format?;
    // A file's own scheduler_type decides how ORB loads it.
    match node.get("scheduler_type").and_then(Node::as_str) {
        Some("hostfactory") => Some(TemplateFormat::HostFactory),
        Some("default") => Some(TemplateFormat::Default),
        _ => Some(format),
    }
}

/// Is this template one the AWS provider serves? `providerType`/`provider_type` other than `aws`
/// (k8s `Pod` templates) is skipped.
pub fn is_aws_template(template: &Node) -> bool {
    match template
        .get_any(&["providerType", "provider_type"])
        .and_then(|e| e.value.as_str())
    {
        Some(t) => t == "aws",
        None => true,
    }
}
