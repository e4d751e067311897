//! Which resource attributes hold IAM policy documents: `data/terraform-policy-attributes.toml`,
//! parsed once.

use crate::iam::policy::PolicyKind;
use serde::Deserialize;
use std::sync::OnceLock;

/// `data/terraform-policy-attributes.toml`, as JSON (`build.rs`).
const TABLE_TEXT: &str = include_str!(concat!(
    env!("OUT_DIR"),
    "/terraform-policy-attributes.json"
));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    attribute: Vec<Attribute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub types: Vec<String>,
    pub path: String,
    pub kind: crate::cfn::properties::Kind,
}

impl Attribute {
    /// The nested block kinds to enter, and the attribute: `inline_policy.policy` →
    /// (`["inline_policy"]`, `policy`).
    pub fn steps(&self) -> (Vec<&str>, &str) {
        let mut parts: Vec<&str> = self.path.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        (parts, last)
    }

    pub fn policy_kind(&self) -> PolicyKind {
        self.kind.policy_kind()
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(TABLE_TEXT)
            .expect("data/terraform-policy-attributes.toml is checked by a unit test")
    })
}

/// The policy-holding attributes of a resource type.
pub fn of_type(resource_type: &str) -> impl Iterator<Item = &'static Attribute> + '_ {
    table()
        .attribute
        .iter()
        .filter(move |a| a.types.iter().any(|t| t == resource_type))
}

/// Every resource type the table names.
pub fn types() -> impl Iterator<Item = &'static str> {
    table()
        .attribute
        .iter()
        .flat_map(|a| a.types.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses() {
        let role: Vec<&str> = of_type("aws_iam_role").map(|a| a.path.as_str()).collect();
        assert_eq!(role, ["assume_role_policy", "inline_policy.policy"]);
        let inline = of_type("aws_iam_role").nth(1).unwrap();
        assert_eq!(inline.steps(), (vec!["inline_policy"], "policy"));
        assert_eq!(inline.policy_kind(), PolicyKind::Identity);
        assert!(types().all(|t| t.starts_with("aws_") && !t.contains(['.', ' '])));
    }
}
