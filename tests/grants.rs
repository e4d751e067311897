//! The action index finds the same Allow and Deny as trying every statement, over AWS managed
//! policies taken as one principal: a vendored sample, and, as large as real ones get, every AWS
//! managed policy of the shared corpus at once (thousands of statements mixing plain names, globs
//! within a service, globs over services and `NotAction`), for every action of the services ORB
//! calls, and for some of them in other spellings.

mod common;

use std::path::Path;

use orb_scan::iam::catalog::catalog;
use orb_scan::iam::grants::{evaluate, ActionIndex, Evaluation, Request, RequestContext};
use orb_scan::iam::policy::{Origin, PolicyDocument};
use orb_scan::read::syntax::json;

fn managed_policies(folder: &Path) -> Vec<PolicyDocument> {
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let root = json::parse(&text).ok()?.root;
            let file = path.display().to_string().into();
            Some(PolicyDocument::from_node(
                &file,
                root,
                Origin::default(),
                None,
            ))
        })
        .collect()
}

/// The hits as comparable values: which policy, which statement, how surely.
fn shown(e: Evaluation) -> [Option<(*const PolicyDocument, usize, String)>; 2] {
    [e.allow, e.deny].map(|h| {
        h.map(|h| {
            (
                h.policy as *const PolicyDocument,
                h.statement.span.start as usize,
                format!("{:?}", h.certainty),
            )
        })
    })
}

/// AWS managed policies vendored under `testdata/corpus/managed-policies`: a sample chosen for
/// ORB's services, `NotAction` and conditions.
#[test]
fn index_agrees_with_every_statement_over_sample_managed_policies() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus/managed-policies");
    index_agrees_with_every_statement(&folder, 10);
}

/// Every AWS managed policy of the shared corpus at once, when it is beside the checkout.
#[test]
fn index_agrees_with_every_statement_over_the_managed_policies() {
    let Some(folder) = common::shared("corpus/managed-policies") else {
        return;
    };
    index_agrees_with_every_statement(&folder, 1000);
}

fn index_agrees_with_every_statement(folder: &Path, at_least: usize) {
    let docs = managed_policies(folder);
    assert!(
        docs.len() > at_least,
        "only {} managed policies read",
        docs.len()
    );
    let refs: Vec<&PolicyDocument> = docs.iter().collect();
    let index = ActionIndex::new(&refs);
    let context = RequestContext {
        region: Some("eu-west-1".into()),
        passed_to_service: Some("ec2.amazonaws.com".into()),
        service_name: None,
        account: None,
    };
    let mut requests = 0;
    for prefix in ["ec2", "iam", "autoscaling", "ssm", "sts", "spot", "kms"] {
        let Some(service) = catalog().service(prefix) else {
            continue;
        };
        for (i, name) in service.actions.iter().enumerate() {
            let action = format!("{prefix}:{name}");
            // Every action as AWS spells it; a tenth in other cases and on a role (a debug build
            // evaluates every statement slowly).
            let mut spellings = vec![(action.clone(), "*")];
            if i % 10 == 0 {
                spellings.push((action.to_ascii_lowercase(), "arn:aws:iam::*:role/orb-*"));
                spellings.push((action.to_ascii_uppercase(), "*"));
            }
            for (spelled, resource) in spellings {
                let request = Request {
                    action: &spelled,
                    resource,
                    context: &context,
                    unknowns: Default::default(),
                };
                assert_eq!(
                    shown(index.evaluate(&request)),
                    shown(evaluate(&refs, &request)),
                    "{spelled} on {resource}"
                );
                requests += 1;
            }
        }
    }
    assert!(requests > 1000, "only {requests} requests tried");
}
