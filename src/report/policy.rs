//! Prints a generated least-privilege policy as IAM JSON, as a CloudFormation
//! `AWS::IAM::ManagedPolicy` resource in YAML, or as a Terraform `aws_iam_policy_document`.

use super::yaml;
use crate::model::generate::DraftStatement;
use serde_json::{json, Value};
use std::io::Write;

pub fn document(statements: &[DraftStatement]) -> Value {
    let statements: Vec<Value> = statements.iter().map(DraftStatement::to_json).collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

pub fn render_json(statements: &[DraftStatement], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(statements))?;
    writeln!(out)
}

/// An `AWS::IAM::ManagedPolicy` resource to paste under a template's `Resources`.
pub fn render_cloudformation(
    statements: &[DraftStatement],
    description: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let resource = json!({"OrbScanLeastPrivilegePolicy": {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {"Description": description, "PolicyDocument": document(statements)},
    }});
    for line in yaml::lines(&resource, 0) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A Terraform `data "aws_iam_policy_document"` to reference as `...orb_scan_least_privilege.json`.
pub fn render_terraform(
    statements: &[DraftStatement],
    description: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "# {}", description.replace('\n', " "))?;
    writeln!(
        out,
        "data \"aws_iam_policy_document\" \"orb_scan_least_privilege\" {{"
    )?;
    for (i, s) in statements.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        for line in terraform_statement(s, "  ") {
            writeln!(out, "{line}")?;
        }
    }
    writeln!(out, "}}")
}

/// One `statement` block, indented by `indent`, its `=` aligned as `terraform fmt` aligns them.
pub fn terraform_statement(s: &DraftStatement, indent: &str) -> Vec<String> {
    let mut lines = vec![format!("{indent}statement {{")];
    let fields = [
        ("sid", hcl_string(&s.sid)),
        ("effect", hcl_string("Allow")),
        ("actions", hcl_list(&s.actions)),
        ("resources", hcl_list(&s.resources)),
    ];
    for (key, value) in fields {
        lines.push(format!("{indent}  {key:<9} = {value}"));
    }
    for (variable, values) in &s.string_equals {
        lines.push(format!("{indent}  condition {{"));
        lines.push(format!(
            "{indent}    test     = {}",
            hcl_string("StringEquals")
        ));
        lines.push(format!("{indent}    variable = {}", hcl_string(variable)));
        lines.push(format!("{indent}    values   = {}", hcl_list(values)));
        lines.push(format!("{indent}  }}"));
    }
    lines.push(format!("{indent}}}"));
    lines
}

/// An HCL quoted string: JSON's escapes, and `${`/`%{` written so Terraform does not interpolate.
pub fn hcl_string(s: &str) -> String {
    serde_json::Value::String(s.to_string())
        .to_string()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

fn hcl_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|i| hcl_string(i)).collect();
    format!("[{}]", items.join(", "))
}
