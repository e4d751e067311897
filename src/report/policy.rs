//! Prints a generated least-privilege policy as IAM JSON or as a CloudFormation
//! `AWS::IAM::ManagedPolicy` resource in YAML.

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

/// YAML by hand: every scalar is a JSON string, which is valid double-quoted YAML.
pub fn render_cloudformation(
    statements: &[DraftStatement],
    description: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let q = |s: &str| Value::String(s.to_string()).to_string();
    writeln!(out, "OrbScanLeastPrivilegePolicy:")?;
    writeln!(out, "  Type: AWS::IAM::ManagedPolicy")?;
    writeln!(out, "  Properties:")?;
    writeln!(out, "    Description: {}", q(description))?;
    writeln!(out, "    PolicyDocument:")?;
    writeln!(out, "      Version: \"2012-10-17\"")?;
    writeln!(out, "      Statement:")?;
    for s in statements {
        writeln!(out, "        - Sid: {}", q(&s.sid))?;
        writeln!(out, "          Effect: Allow")?;
        writeln!(out, "          Action:")?;
        for a in &s.actions {
            writeln!(out, "            - {}", q(a))?;
        }
        writeln!(out, "          Resource:")?;
        for r in &s.resources {
            writeln!(out, "            - {}", q(r))?;
        }
        if !s.string_equals.is_empty() {
            writeln!(out, "          Condition:")?;
            writeln!(out, "            StringEquals:")?;
            for (k, values) in &s.string_equals {
                writeln!(out, "              {}:", q(k))?;
                for v in values {
                    writeln!(out, "                - {}", q(v))?;
                }
            }
        }
    }
    Ok(())
}
