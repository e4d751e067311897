//! Prints a generated least-privilege policy as IAM JSON or as a CloudFormation
//! `AWS::IAM::ManagedPolicy` resource in YAML.

use crate::generate::DraftStatement;
use serde_json::{json, Map, Value};
use std::io::Write;

fn one_or_many(items: &[String]) -> Value {
    match items {
        [one] => json!(one),
        many => json!(many),
    }
}

pub fn document(statements: &[DraftStatement]) -> Value {
    let statements: Vec<Value> = statements
        .iter()
        .map(|s| {
            let mut m = Map::new();
            m.insert("Sid".into(), json!(s.sid));
            m.insert("Effect".into(), json!("Allow"));
            m.insert("Action".into(), one_or_many(&s.actions));
            m.insert("Resource".into(), one_or_many(&s.resources));
            if !s.string_equals.is_empty() {
                let equals: Map<String, Value> = s
                    .string_equals
                    .iter()
                    .map(|(k, v)| (k.clone(), one_or_many(v)))
                    .collect();
                m.insert("Condition".into(), json!({ "StringEquals": equals }));
            }
            Value::Object(m)
        })
        .collect();
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
