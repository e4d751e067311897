//! Prints a generated least-privilege policy as IAM JSON or as a CloudFormation
//! `AWS::IAM::ManagedPolicy` resource in YAML.

use super::yaml;
use crate::generate::DraftStatement;
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
