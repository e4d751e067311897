//! Extract: one file's bytes → parsed tree → domain documents. Runs on the walk's worker threads, so
//! each file is read and parsed exactly once.

use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::base::span::Span;
use crate::cfn;
use crate::config::suppress::Suppression;
use crate::iam::policy::{looks_like_policy, Origin, PolicyDocument};
use crate::iam::role::{roles_in_template, Role};
use crate::orb::files::{
    is_aws_config, is_main_config, is_packaged_defaults, template_format, OrbConfig,
    OrbTemplateFile,
};
use crate::read::suppressions;
use crate::read::syntax::{comments, json, yaml, Node, ParseError, Parsed};
use crate::read::walk::Candidate;
use crate::terraform;

/// Everything one file contributed.
#[derive(Default)]
pub struct Extracted {
    pub policies: Vec<PolicyDocument>,
    pub roles: Vec<Role>,
    pub configs: Vec<OrbConfig>,
    pub template_files: Vec<OrbTemplateFile>,
    pub cfn_templates: Vec<cfn::Template>,
    pub diagnostics: Vec<Diagnostic>,
    pub suppressions: Vec<Suppression>,
    /// `.tf` files that hold IAM, linked by module once every file is read (`terraform::module`).
    pub terraform: Vec<terraform::File>,
}

impl Extracted {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
            && self.roles.is_empty()
            && self.configs.is_empty()
            && self.template_files.is_empty()
            && self.cfn_templates.is_empty()
            && self.diagnostics.is_empty()
            && self.suppressions.is_empty()
            && self.terraform.is_empty()
    }

    /// Roughly the memory these documents and findings hold until the report is written: per
    /// statement, per policy entry and per finding, as measured on files of a few megabytes of
    /// each (`tests/hostile.rs`, the scale cases).
    fn memory(&self) -> usize {
        let policies = self.policies.iter().map(|p| {
            let entries: usize = p
                .statements
                .iter()
                .map(|s| s.actions.items.len() + s.resources.items.len() + s.conditions.len())
                .sum();
            p.statements.len() * STATEMENT_COST
                + entries * ENTRY_COST
                + p.problems.len() * FINDING_COST
        });
        policies.sum::<usize>()
            + (self.diagnostics.len() + self.suppressions.len()) * FINDING_COST
            + self.roles.len() * STATEMENT_COST
    }

    /// Will the report quote this file whatever else the scan finds (`quoted_on_its_own`)? Its
    /// text is then kept when read rather than read again for the excerpt.
    pub fn quoted_on_its_own(&self) -> bool {
        !self.diagnostics.is_empty() || self.policies.iter().any(PolicyDocument::quoted_on_its_own)
    }

    pub fn append(&mut self, mut other: Extracted) {
        self.policies.append(&mut other.policies);
        self.roles.append(&mut other.roles);
        self.configs.append(&mut other.configs);
        self.template_files.append(&mut other.template_files);
        self.cfn_templates.append(&mut other.cfn_templates);
        self.diagnostics.append(&mut other.diagnostics);
        self.suppressions.append(&mut other.suppressions);
        self.terraform.append(&mut other.terraform);
    }
}

/// A file may hold the scan's memory in proportion to its size (`MEMORY_PER_BYTE` times its bytes,
/// past a floor): a file that needs more (a few megabytes of tiny statements, each a handful of
/// findings) is skipped with ORB902, so memory grows with the bytes read, never with what hostile
/// bytes make of them. Its parsed tree, about twenty times its size at worst, fits within it.
const MEMORY_PER_BYTE: usize = 32;
const MEMORY_FLOOR: usize = 1 << 20;
/// What a statement, a policy entry and a finding hold from extraction to the report.
const STATEMENT_COST: usize = 512;
const ENTRY_COST: usize = 64;
const FINDING_COST: usize = 1024;

fn memory_budget(text: &str) -> usize {
    MEMORY_PER_BYTE * text.len() + MEMORY_FLOOR
}

/// ORB902 for a file whose documents would take more than its budget.
fn over_budget(path: &FilePath, needed: usize, text: &str) -> Extracted {
    let mb = |bytes: usize| bytes.div_ceil(1 << 20);
    Extracted {
        diagnostics: vec![Diagnostic::new(
            "ORB902",
            Severity::Warning,
            path,
            Span::default(),
            format!(
                "skipped: reading it would take about {} MB, more than its memory budget of {} MB ({MEMORY_PER_BYTE} times its size)",
                mb(needed),
                mb(memory_budget(text))
            ),
        )],
        ..Extracted::default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Json,
    /// Read into a tree (templates); its comments are also scanned for suppressions.
    Yaml,
    Toml,
    /// Terraform: read by `terraform::read`, its comments scanned for suppressions.
    Hcl,
}

fn syntax_of(path: &str, text: &str) -> Syntax {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let opens_like_json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '[']);
    match ext.as_str() {
        _ if crate::read::walk::is_terraform_json(path) => Syntax::Hcl,
        "json" => Syntax::Json,
        "yaml" | "yml" => Syntax::Yaml,
        "toml" => Syntax::Toml,
        "tf" => Syntax::Hcl,
        // `.template` files, standard input and files named on the command line with another
        // extension are JSON when they open like JSON, YAML otherwise.
        _ if opens_like_json => Syntax::Json,
        _ => Syntax::Yaml,
    }
}

/// Jinja-rendered ORB spec payloads are not JSON until ORB renders them: not ours to report.
fn is_jinja(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// A file's tree, read as extraction reads it: by its name and first byte. `None` for TOML, which is
/// only scanned for suppressions.
pub fn tree_of(path: &str, text: &str) -> Option<Result<Parsed, ParseError>> {
    read_tree(syntax_of(path, text), text)
}

fn read_tree(syntax: Syntax, text: &str) -> Option<Result<Parsed, ParseError>> {
    match syntax {
        Syntax::Json => Some(json::parse(text)),
        Syntax::Yaml => Some(yaml::parse(text)),
        Syntax::Toml | Syntax::Hcl => None,
    }
}

pub fn extract(candidate: &Candidate) -> Extracted {
    let path = &candidate.path;
    let mut out = Extracted::default();
    if let Some(at) = candidate.invalid_utf8_at {
        out.diagnostics.push(
            Diagnostic::new(
                "ORB901",
                Severity::Error,
                path,
                Span::new(at, at),
                "file is not valid UTF-8",
            )
            .label_here(format!("invalid byte at offset {at}")),
        );
        return out;
    }
    let syntax = syntax_of(path, &candidate.text);
    // Only files that mention the directive are lexed for comments.
    if memchr::memmem::find(candidate.text.as_bytes(), b"orb-scan:").is_some() {
        let found = match syntax {
            Syntax::Yaml => comments::yaml(&candidate.text),
            Syntax::Toml => comments::toml(&candidate.text),
            // Terraform's JSON syntax has no comments (its `"//"` keys say nothing to orb-scan).
            Syntax::Hcl if crate::read::walk::is_terraform_json(path) => Vec::new(),
            Syntax::Hcl => comments::hcl(&candidate.text),
            Syntax::Json => Vec::new(),
        };
        out.suppressions = suppressions::from_comments(path, &candidate.text, &found);
    }
    if syntax == Syntax::Hcl {
        match terraform::read(path, &candidate.text) {
            Ok(file) => out.terraform.extend(file),
            Err(d) => out.diagnostics.push(*d),
        }
        return out;
    }
    let Some(parsed) = read_tree(syntax, &candidate.text) else {
        return out;
    };
    match parsed {
        Ok(parsed) if parsed.warnings.len() * FINDING_COST > memory_budget(&candidate.text) => {
            return over_budget(path, parsed.warnings.len() * FINDING_COST, &candidate.text);
        }
        Ok(parsed) => {
            from_tree(path, parsed, syntax, &mut out);
            let needed = out.memory();
            if needed > memory_budget(&candidate.text) {
                return over_budget(path, needed, &candidate.text);
            }
        }
        Err(e) if is_jinja(&candidate.text) => drop(e),
        // Most YAML is workflows and manifests: only a file meant as a template is ours to report.
        Err(e) if syntax == Syntax::Yaml && !cfn::mentions_template(&candidate.text) => drop(e),
        Err(ParseError { span, message }) => out.diagnostics.push(
            Diagnostic::new(
                "ORB901",
                Severity::Error,
                path,
                span,
                format!("cannot parse: {message}"),
            )
            .label_here(message),
        ),
    }
    out
}

fn from_tree(path: &FilePath, parsed: Parsed, syntax: Syntax, out: &mut Extracted) {
    let root = parsed.root;
    out.suppressions
        .extend(suppressions::from_cfn_metadata(path, &root));
    let mut recognised = true;
    if cfn::is_template(&root) {
        let format = if syntax == Syntax::Yaml {
            "yaml"
        } else {
            "json"
        };
        let (template, mut policies) = cfn::extract(path, &root, format);
        out.cfn_templates.push(template);
        out.policies.append(&mut policies);
        out.roles.extend(roles_in_template(path, &root));
    } else if looks_like_policy(&root) {
        out.policies.push(PolicyDocument::from_node(
            path,
            root,
            Origin::default(),
            None,
        ));
    } else if syntax == Syntax::Yaml {
        // ORB reads its configs and template files as JSON only.
        recognised = false;
    } else if is_main_config(&root) {
        out.configs.push(OrbConfig {
            file: path.clone(),
            packaged: is_packaged_defaults(&root),
            aws: is_aws_config(&root),
            node: root,
        });
    } else if let Some(format) = template_format(&root) {
        out.template_files.push(OrbTemplateFile {
            file: path.clone(),
            scheduler_type: root
                .get("scheduler_type")
                .and_then(Node::as_str)
                .map(str::to_string),
            node: root,
            format,
        });
    } else {
        recognised = false;
    }
    if recognised {
        for w in parsed.warnings {
            out.diagnostics.push(
                Diagnostic::new("ORB901", Severity::Warning, path, w.span, w.message.clone())
                    .label_here("this value replaces the earlier one")
                    .with_label(path, w.first, "first defined here"),
            );
        }
    }
}
