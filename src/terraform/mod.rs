//! Terraform (`.tf`): the IAM a module writes, read into the same documents and principals as
//! CloudFormation's. Each file is read on the walk's workers (`read`, keeping only the blocks IAM
//! needs); once every file is in, the files of each module folder are linked together (`module`):
//! references between resources and data sources resolve within a folder, as Terraform resolves them.

pub mod attributes;
pub mod document;
pub mod eval;
pub mod json;
pub mod module;

use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::read::syntax::hcl::{self, Block, Body};
use crate::read::walk::is_terraform_json;

/// One `.tf` file: the blocks that matter to IAM, and its text (policy values written as heredocs
/// are read from it when the module is linked).
#[derive(Debug)]
pub struct File {
    pub path: FilePath,
    pub text: String,
    /// Top-level `resource`, `data "aws_iam_policy_document"` and `variable` blocks.
    pub body: Body,
}

/// Resource types that relate principals, policies and instance profiles (besides those that hold
/// policies, `attributes::types`).
pub const RELATION_TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_instance_profile",
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_user_group_membership",
    "aws_iam_group_membership",
];

/// The data source that writes policy documents.
pub const POLICY_DOCUMENT: &str = "aws_iam_policy_document";

/// Reads a `.tf` or `.tf.json` file's blocks.
pub fn parse(path: &str, text: &str) -> Result<Body, crate::read::syntax::ParseError> {
    if is_terraform_json(path) {
        json::parse(text)
    } else {
        hcl::parse(text)
    }
}

fn is_kept(block: &Block) -> bool {
    match (block.kind.as_str(), block.label(0)) {
        // A bucket or queue matters only when it holds its policy.
        ("resource", Some(ty)) => {
            RELATION_TYPES.contains(&ty)
                || attributes::of_type(ty).any(|a| {
                    let (blocks, key) = a.steps();
                    match blocks.first() {
                        Some(kind) => block.body.blocks(kind).next().is_some(),
                        None => block.body.attribute(key).is_some(),
                    }
                })
        }
        ("data", Some(ty)) => ty == POLICY_DOCUMENT,
        ("variable", Some(_)) => true,
        // Its inputs are the variables of the module folder it calls.
        ("module", Some(_)) => block
            .body
            .attribute("source")
            .and_then(|a| a.value.as_str())
            .is_some_and(|s| s.starts_with("./") || s.starts_with("../")),
        _ => false,
    }
}

/// Reads one `.tf` file; `None` when it holds nothing IAM needs.
pub fn read(path: &FilePath, text: &str) -> Result<Option<File>, Box<Diagnostic>> {
    let body = parse(path, text).map_err(|e| {
        Box::new(
            Diagnostic::new(
                "ORB901",
                Severity::Error,
                path,
                e.span,
                format!("cannot parse: {}", e.message),
            )
            .label_here(e.message),
        )
    })?;
    let blocks: Vec<Block> = body.blocks.into_iter().filter(is_kept).collect();
    let iam = blocks.iter().any(|b| b.kind != "variable");
    Ok(iam.then(|| File {
        path: path.clone(),
        text: text.to_string(),
        body: Body {
            attributes: Vec::new(),
            blocks,
        },
    }))
}

/// The tree of a document a `.tf` file holds at `span`, written as `embedding` says, read again
/// from the text for `--fix` (the model keeps spans, not trees). References resolve within the
/// file only: an edit needs the tree's shape and spans, not its values.
pub fn document_tree(
    path: &FilePath,
    text: &str,
    span: crate::base::span::Span,
    embedding: crate::read::syntax::Embedding,
) -> Option<crate::read::syntax::Node> {
    use crate::read::syntax::hcl::{Expr, ExprKind, Part};
    use crate::read::syntax::Embedding;
    let file = read(path, text).ok()??;
    let module = module::Module::single(&file);
    let scope = eval::Scope::new(&module, &file);
    fn exprs<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        out.push(e);
        match &e.kind {
            ExprKind::Array(items) => items.iter().for_each(|i| exprs(i, out)),
            ExprKind::Object(entries) => entries.iter().for_each(|(_, v)| exprs(v, out)),
            ExprKind::Call { args, .. } => args.iter().for_each(|a| exprs(a, out)),
            ExprKind::Conditional(c) => c.iter().for_each(|x| exprs(x, out)),
            ExprKind::Template(t) => {
                for p in &t.parts {
                    if let Part::Interpolation(i, _) = p {
                        exprs(i, out);
                    }
                }
            }
            _ => {}
        }
    }
    fn blocks<'b>(body: &'b Body, out: &mut Vec<&'b Block>) {
        for b in &body.blocks {
            out.push(b);
            blocks(&b.body, out);
        }
    }
    let mut all_blocks = Vec::new();
    blocks(&file.body, &mut all_blocks);
    if embedding == Embedding::DataSource {
        let block = all_blocks.iter().find(|b| b.span == span)?;
        let piece = document::pieces(&scope, block).into_iter().next()?;
        return Some(piece.node);
    }
    let mut all = Vec::new();
    for b in &all_blocks {
        for a in &b.body.attributes {
            exprs(&a.value, &mut all);
        }
    }
    all.into_iter().find_map(|e| match (&e.kind, embedding) {
        (ExprKind::Template(t), Embedding::JsonInTemplate) => {
            let node = eval::json_in_template(text, t, |i| scope.node(i)).ok()?;
            (node.span == span).then_some(node)
        }
        (ExprKind::Object(_), Embedding::Hcl) if e.span == span => Some(scope.node(e)),
        _ => None,
    })
}

/// The folder a file is in (`""` for the scan root).
pub fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Reads files a module names (`file()`, `templatefile()`, `variable` blocks in files the prefilter
/// passed over), by their path as shown (relative to the scan root, `/`-separated).
pub trait Repository {
    /// The file's text; `Err` with the reason it cannot be read.
    fn read(&self, shown: &str) -> Result<String, String>;
    /// The `.tf` files of a folder, as shown.
    fn terraform_files(&self, folder: &str) -> Vec<String>;
}

/// A repository with nothing in it beyond what the walk read.
pub struct NoRepository;

impl Repository for NoRepository {
    fn read(&self, shown: &str) -> Result<String, String> {
        Err(format!("{shown} is not in the scan"))
    }

    fn terraform_files(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_iam_blocks_are_kept() {
        let text = r#"
resource "aws_iam_role" "r" {}
resource "aws_s3_bucket" "b" {}
resource "aws_s3_bucket_policy" "p" { policy = "" }
resource "aws_s3_bucket" "with_policy" { policy = "" }
data "aws_iam_policy_document" "d" {}
data "aws_caller_identity" "me" {}
variable "v" { default = "x" }
locals { a = 1 }
"#;
        let file = read(&"m/main.tf".into(), text).unwrap().unwrap();
        let kept: Vec<(&str, Option<&str>)> = file
            .body
            .blocks
            .iter()
            .map(|b| (b.kind.as_str(), b.label(0)))
            .collect();
        assert_eq!(
            kept,
            [
                ("resource", Some("aws_iam_role")),
                ("resource", Some("aws_s3_bucket_policy")),
                ("resource", Some("aws_s3_bucket")),
                ("data", Some("aws_iam_policy_document")),
                ("variable", Some("v")),
            ]
        );
        assert!(read(&"v.tf".into(), "variable \"x\" {}\n")
            .unwrap()
            .is_none());
        assert!(read(&"bad.tf".into(), "resource {").is_err());
        // The walk reads every file that can hold a type the table names: by its name, or by its
        // name and its policy attribute's.
        use crate::read::walk::{TERRAFORM_EMBEDDED_NEEDLES, TERRAFORM_NEEDLES};
        let named = |ty: &str| TERRAFORM_NEEDLES.iter().any(|n| ty.contains(n));
        for ty in RELATION_TYPES {
            assert!(named(ty), "{ty}");
        }
        for ty in attributes::types() {
            let embedded = TERRAFORM_EMBEDDED_NEEDLES.iter().any(|n| ty.contains(n))
                && attributes::of_type(ty).all(|a| a.steps().1.contains("polic"));
            assert!(named(ty) || embedded, "{ty}");
        }
        let passes = |text: &str| {
            crate::read::walk::passes_prefilter_of("m/main.tf".as_ref(), text.as_bytes())
        };
        assert!(passes(
            "resource \"aws_sqs_queue\" \"q\" {\n  policy = x\n}"
        ));
        assert!(!passes(
            "resource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}"
        ));
        assert!(passes(
            "resource \"aws_opensearch_domain\" \"d\" { access_policies = x }"
        ));
        // A label spelled with escapes is the label Terraform reads.
        assert!(passes("resource \"\\u0061ws_iam_role\" \"r\" {}"));
        assert!(passes(
            "resource \"aws_sqs_queue\" \"q\" { p\\u006flicy = x }"
        ));
        assert!(!passes(
            "resource \"aws_instance\" \"i\" { user_data = \"a\\nb\" }"
        ));
        assert!(
            crate::read::walk::TERRAFORM_NEEDLES.contains(&POLICY_DOCUMENT)
                || POLICY_DOCUMENT.contains("aws_iam_")
        );
        assert_eq!(folder("a/b/c.tf"), "a/b");
        assert_eq!(folder("c.tf"), "");
    }
}
