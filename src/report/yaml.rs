//! Block-style YAML for JSON values, for policies orb-scan writes into YAML files: mappings and lists
//! one entry a line, scalars plain where YAML reads them back unchanged, double-quoted otherwise.

use serde_json::Value;

/// A scalar as YAML reads it back: plain for action names, ARNs and words; JSON-quoted (valid YAML)
/// for anything YAML could take for another type, an alias, a tag or a comment.
pub fn scalar(value: &Value) -> String {
    let Value::String(s) = value else {
        return value.to_string();
    };
    let safe_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ":._/*-".contains(c));
    let starts_plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
        .contains(&s.to_ascii_lowercase().as_str());
    if safe_chars && starts_plain && !reserved && !s.ends_with(':') {
        s.clone()
    } else {
        Value::String(s.clone()).to_string()
    }
}

/// The lines of a mapping or list at `indent` spaces.
pub fn lines(value: &Value, indent: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = scalar(&Value::String(k.clone()));
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        out.push(format!("{pad}{key}:"));
                        out.extend(lines(v, indent + 2));
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push(format!("{pad}{key}:"));
                        out.extend(lines(v, indent + 2));
                    }
                    Value::Object(_) => out.push(format!("{pad}{key}: {{}}")),
                    Value::Array(_) => out.push(format!("{pad}{key}: []")),
                    scalar_value => out.push(format!("{pad}{key}: {}", scalar(scalar_value))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        let mut nested = lines(item, indent + 2);
                        if let Some(first) = nested.first_mut() {
                            *first = format!("{pad}- {}", &first[indent + 2..]);
                        }
                        out.extend(nested);
                    }
                    scalar_value => out.push(format!("{pad}- {}", scalar(scalar_value))),
                }
            }
        }
        scalar_value => out.push(format!("{pad}{}", scalar(scalar_value))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_round_trip_as_strings() {
        assert_eq!(scalar(&json!("ec2:CreateFleet")), "ec2:CreateFleet");
        assert_eq!(
            scalar(&json!("arn:aws:iam::*:role/x")),
            "arn:aws:iam::*:role/x"
        );
        for quoted in [
            "*",
            "2012-10-17",
            "yes",
            "a b",
            "x: y",
            "#c",
            "!Ref",
            "",
            "key:",
        ] {
            assert!(scalar(&json!(quoted)).starts_with('"'), "{quoted}");
        }
    }

    #[test]
    fn block_layout() {
        let v =
            json!([{"Sid": "A", "Action": ["ec2:X"], "Condition": {"StringEquals": {"k": "v"}}}]);
        assert_eq!(
            lines(&v, 4).join("\n"),
            "    - Sid: A\n      Action:\n        - ec2:X\n      Condition:\n        StringEquals:\n          k: v"
        );
    }
}
