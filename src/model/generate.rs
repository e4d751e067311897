//! The least-privilege policy a set of deployments needs: exactly the actions their settings call for,
//! grouped into statements named by the requirements table, scoped to the resources and conditions the
//! needs carry. This is model work; `report::policy` prints it.

use crate::model::deploy::Deployment;
use crate::orb::needs::Need;
use crate::orb::requirements::table;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftStatement {
    pub sid: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// `StringEquals` key → values.
    pub string_equals: BTreeMap<String, Vec<String>>,
}

impl DraftStatement {
    /// The statement as IAM JSON, keys in the order people write them.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("Sid".into(), json!(self.sid));
        m.insert("Effect".into(), json!("Allow"));
        m.insert("Action".into(), one_or_many(&self.actions));
        m.insert("Resource".into(), one_or_many(&self.resources));
        if !self.string_equals.is_empty() {
            let equals: Map<String, Value> = self
                .string_equals
                .iter()
                .map(|(k, v)| (k.clone(), one_or_many(v)))
                .collect();
            m.insert("Condition".into(), json!({ "StringEquals": equals }));
        }
        Value::Object(m)
    }
}

fn one_or_many(items: &[String]) -> Value {
    match items {
        [one] => json!(one),
        many => json!(many),
    }
}

/// Statements in the order the requirements table first names their Sid; actions, resources and
/// condition values sorted, so the same deployments always give the same bytes.
pub fn least_privilege(deployments: &[&Deployment]) -> Vec<DraftStatement> {
    let needs = deployments.iter().flat_map(|d| &d.needs);
    draft(needs.map(|n| {
        (
            n,
            n.requirement.actions.iter().map(String::as_str).collect(),
        )
    }))
}

/// Statements granting the given actions of each need, grouped by the requirement's Sid.
pub fn draft<'n>(items: impl IntoIterator<Item = (&'n Need, Vec<&'n str>)>) -> Vec<DraftStatement> {
    let order: Vec<&str> = {
        let mut sids: Vec<&str> = Vec::new();
        for r in &table().requirement {
            if !sids.contains(&r.sid.as_str()) {
                sids.push(&r.sid);
            }
        }
        sids
    };
    let mut by_sid: BTreeMap<usize, DraftStatement> = BTreeMap::new();
    for (need, actions) in items {
        let r = need.requirement;
        let position = order
            .iter()
            .position(|s| *s == r.sid)
            .unwrap_or(order.len());
        let statement = by_sid.entry(position).or_insert_with(|| DraftStatement {
            sid: r.sid.clone(),
            actions: Vec::new(),
            resources: Vec::new(),
            string_equals: BTreeMap::new(),
        });
        statement
            .actions
            .extend(actions.into_iter().map(str::to_string));
        statement.resources.push(need.resource.clone());
        let conditions = [
            ("iam:PassedToService", &need.context.passed_to_service),
            ("iam:AWSServiceName", &need.context.service_name),
        ];
        for (key, value) in conditions {
            if let Some(v) = value {
                statement
                    .string_equals
                    .entry(key.to_string())
                    .or_default()
                    .push(v.clone());
            }
        }
    }
    let mut statements: Vec<DraftStatement> = by_sid
        .into_values()
        .map(|mut s| {
            for list in [&mut s.actions, &mut s.resources] {
                list.sort();
                list.dedup();
            }
            // A `*` resource already covers every narrower one in the same statement.
            if s.resources.iter().any(|r| r == "*") {
                s.resources = vec!["*".to_string()];
            }
            for values in s.string_equals.values_mut() {
                values.sort();
                values.dedup();
            }
            s
        })
        .collect();
    drop_repeats(&mut statements);
    statements
}

/// An action an earlier unconditioned `*` statement already grants is dropped from later ones
/// (cleanup's `ec2:DescribeLaunchTemplates` after the launch template statement).
fn drop_repeats(statements: &mut Vec<DraftStatement>) {
    let mut granted: Vec<String> = Vec::new();
    for s in statements.iter_mut() {
        let unconditioned_any = s.resources == ["*"] && s.string_equals.is_empty();
        if unconditioned_any {
            s.actions.retain(|a| !granted.contains(a));
            granted.extend(s.actions.iter().cloned());
        }
    }
    statements.retain(|s| !s.actions.is_empty());
}
