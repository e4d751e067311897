//! Which resource properties hold IAM policy documents, and which resources AWS writes as one
//! statement of a resource policy: `data/cfn-policy-properties.toml`, parsed once.

use crate::iam::policy::PolicyKind;
use serde::Deserialize;
use std::sync::OnceLock;

/// `data/cfn-policy-properties.toml`, as JSON (`build.rs`).
const TABLE_TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/cfn-policy-properties.json"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    property: Vec<Property>,
    permission: Vec<Permission>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Property {
    pub types: Vec<String>,
    pub path: String,
    pub kind: Kind,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Identity,
    Trust,
    Resource,
}

impl Kind {
    pub fn policy_kind(self) -> PolicyKind {
        match self {
            Kind::Identity => PolicyKind::Identity,
            Kind::Trust => PolicyKind::Trust,
            Kind::Resource => PolicyKind::Resource,
        }
    }
}

/// A resource that grants one permission (`AWS::Lambda::Permission`): the properties AWS writes
/// the statement's fields from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    pub types: Vec<String>,
    pub principal: String,
    pub action: String,
    pub resource: String,
    /// The resource a `resource` that is not an ARN stands for.
    pub resource_pattern: String,
    pub conditions: Vec<ConditionProperty>,
}

/// A property that, when set, becomes a condition of the statement.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionProperty {
    pub property: String,
    pub operator: String,
    pub key: String,
}

impl Permission {
    /// The property a condition on `key` is written from.
    pub fn property_of(&self, key: &str) -> Option<&str> {
        self.conditions
            .iter()
            .find(|c| c.key.eq_ignore_ascii_case(key))
            .map(|c| c.property.as_str())
    }
}

/// One step of a property path: a key, or every item of a list (`[*]`).
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Each,
}

impl Property {
    pub fn steps(&self) -> Vec<Step<'_>> {
        let mut steps = Vec::new();
        for part in self.path.split('.') {
            let (key, each) = match part.strip_suffix("[*]") {
                Some(k) => (k, true),
                None => (part, false),
            };
            steps.push(Step::Key(key));
            if each {
                steps.push(Step::Each);
            }
        }
        steps
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(TABLE_TEXT)
            .expect("data/cfn-policy-properties.toml is checked by a unit test")
    })
}

/// How a resource type grants one permission, if it is such a resource.
pub fn permission_of(resource_type: &str) -> Option<&'static Permission> {
    table()
        .permission
        .iter()
        .find(|p| p.types.iter().any(|t| t == resource_type))
}

/// The policy-holding properties of a resource type.
pub fn of_type(resource_type: &str) -> impl Iterator<Item = &'static Property> + '_ {
    table()
        .property
        .iter()
        .filter(move |p| p.types.iter().any(|t| t == resource_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses() {
        assert!(table().property.len() >= 5);
        let role: Vec<&str> = of_type("AWS::IAM::Role").map(|p| p.path.as_str()).collect();
        assert_eq!(
            role,
            ["AssumeRolePolicyDocument", "Policies[*].PolicyDocument"]
        );
        let p = of_type("AWS::IAM::User").next().unwrap();
        assert_eq!(
            p.steps(),
            [
                Step::Key("Policies"),
                Step::Each,
                Step::Key("PolicyDocument")
            ]
        );
        for p in &table().property {
            assert!(
                p.types.iter().all(|t| t.starts_with("AWS::")),
                "{:?}",
                p.types
            );
        }
        let lambda = permission_of("AWS::Lambda::Permission").expect("Lambda's permission");
        assert_eq!(
            lambda.property_of("AWS:SourceAccount"),
            Some("SourceAccount")
        );
        assert_eq!(lambda.property_of("aws:SourceArn"), Some("SourceArn"));
        for p in &table().permission {
            let properties = p.types.iter().all(|t| of_type(t).next().is_none());
            assert!(properties, "{:?} also holds documents", p.types);
            for c in &p.conditions {
                let catalog = crate::iam::catalog::catalog();
                let known = catalog.global_key(&c.key).or(catalog.service_key(&c.key));
                assert!(known.is_some(), "{} is no condition key", c.key);
            }
        }
    }
}
