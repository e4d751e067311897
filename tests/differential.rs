//! orb-scan's evaluator against an independent IAM simulator, `@cloud-copilot/iam-simulate` (npm):
//! seeded random policy sets for three ORB deployments, every request ORB's requirements make judged
//! by both. orb-scan may be unsure (a doubtful verdict makes no claim), but every certain verdict must
//! be the simulator's, and above all no request orb-scan calls granted may be denied. Disagreements
//! that IAM itself decides otherwise than the simulator are listed, with the AWS rule, in
//! tests/differential/README.md, and allowed here only by that name.
//!
//! The simulator is installed by `.ci/run` (pinned) into a folder named by
//! `ORB_SCAN_IAM_SIMULATE`; without it the test says it skipped.

use orb_scan::iam::catalog::catalog;
use orb_scan::iam::grants::{evaluate, Request, RequestContext, Unknowns, Verdict};
use orb_scan::iam::policy::{Origin, PolicyDocument};
use orb_scan::orb::needs::call_resources;
use orb_scan::orb::requirements::table;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const SEED: u64 = 0x0b5c_a22e_1a4d_2026;
const POLICY_SETS: usize = 800;
const ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "999999999999";

/// SplitMix64: reproducible from the seed, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One request ORB's requirements make, as orb-scan and as the simulator see it.
struct OrbRequest {
    action: String,
    /// orb-scan's pattern: `*` for parts nobody knows before the call.
    resource: String,
    unknowns: Unknowns,
    context: RequestContext,
    partition: String,
    /// The simulator's request: one concrete resource the pattern stands for.
    concrete: String,
    keys: BTreeMap<String, String>,
}

/// Every (action, resource) ORB's requirements table makes in a deployment.
fn orb_requests(partition: &str, region: &str) -> Vec<OrbRequest> {
    let mut out = Vec::new();
    for r in &table().requirement {
        let resource = r
            .resource
            .replace(
                "{fleet_role_arn}",
                &format!("arn:{partition}:iam::*:role/orb-fleet-role"),
            )
            .replace(
                "{instance_role_arn}",
                &format!("arn:{partition}:iam::*:role/orb-instance-role"),
            )
            .replace(
                "{ssm_parameter_arn}",
                // A parameter of the account's own: a public one (`/aws/service/...`) has no account
                // in its ARN, and the simulator cannot type such an ARN.
                &format!("arn:{partition}:ssm:{region}:*:parameter/golden-ami"),
            )
            .replace("{partition}", partition)
            .replace("{region}", region);
        for action in &r.actions {
            for (pattern, unknowns) in call_resources(action, &resource, partition, region) {
                let context = RequestContext {
                    region: Some(region.into()),
                    passed_to_service: r.passed_to_service.clone(),
                    service_name: r.service_name.clone(),
                    account: Some(ACCOUNT.into()),
                };
                out.push(OrbRequest {
                    concrete: concrete(action, &pattern, partition, region),
                    keys: simulator_keys(action, &context, partition),
                    action: action.clone(),
                    resource: pattern,
                    unknowns,
                    context,
                    partition: partition.into(),
                });
            }
        }
    }
    out
}

/// A resource the pattern stands for: the account filled in, every unknown name one made-up id.
/// For an action whose every resource type is optional (`*`), an instance, or its first type.
fn concrete(action: &str, pattern: &str, partition: &str, region: &str) -> String {
    if pattern == "*" {
        let c = catalog();
        let id = c
            .action_id(action)
            .expect("ORB's actions are in the catalog");
        let types: Vec<_> = c.resource_types(id).map(|(t, _)| t).collect();
        let Some(t) = types
            .iter()
            .find(|t| t.name == "instance")
            .or(types.first())
        else {
            return "*".into();
        };
        let arn = orb_scan::iam::catalog::format_arn(t.arns().next().unwrap(), partition, region);
        return concrete(action, &arn, partition, region);
    }
    let fields: Vec<&str> = pattern.splitn(6, ':').collect();
    let account = if fields[4] == "*" { ACCOUNT } else { fields[4] };
    let resource = fields[5].replace('*', "orb0a1b2c3d4");
    format!(
        "{}:{}:{}:{}:{account}:{resource}",
        fields[0], fields[1], fields[2], fields[3]
    )
}

/// The request context orb-scan takes as fixed, given to the simulator (`grants::key_value`).
fn simulator_keys(
    action: &str,
    context: &RequestContext,
    partition: &str,
) -> BTreeMap<String, String> {
    let region = context.region.clone().unwrap();
    let mut keys = BTreeMap::new();
    let service = action.split(':').next().unwrap();
    let inside_ec2_call = action == "iam:PassRole" || action == "iam:CreateServiceLinkedRole";
    let requested = if service == "iam" && !inside_ec2_call {
        match partition {
            "aws-cn" => "cn-north-1",
            "aws-us-gov" => "us-gov-west-1",
            _ => "us-east-1",
        }
        .to_string()
    } else {
        region.clone()
    };
    keys.insert("aws:RequestedRegion".into(), requested);
    keys.insert("aws:SecureTransport".into(), "true".into());
    if service == "ec2" {
        keys.insert("ec2:Region".into(), region);
    }
    if let Some(s) = &context.passed_to_service {
        keys.insert("iam:PassedToService".into(), s.clone());
    }
    if let Some(s) = &context.service_name {
        keys.insert("iam:AWSServiceName".into(), s.clone());
    }
    keys
}

fn random_statement(rng: &mut Rng, partition: &str) -> Value {
    const ACTIONS: &[&str] = &[
        "ec2:CreateFleet",
        "ec2:DescribeFleets",
        "ec2:DescribeInstances",
        "ec2:TerminateInstances",
        "ec2:RunInstances",
        "ec2:CreateTags",
        "ec2:CreateLaunchTemplate",
        "ec2:DescribeLaunchTemplates",
        "ec2:DeleteLaunchTemplate",
        "ec2:RequestSpotFleet",
        "ec2:CancelSpotFleetRequests",
        "EC2:createfleet",
        "ec2:*",
        "ec2:Describe*",
        "ec2:*Fleet*",
        "ec2:Create*",
        "ec2:*LaunchTemplate*",
        "iam:PassRole",
        "iam:GetRole",
        "iam:CreateServiceLinkedRole",
        "iam:*",
        "iam:Pass*",
        "autoscaling:*",
        "autoscaling:CreateAutoScalingGroup",
        "autoscaling:Describe*",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:Get*",
        "sts:GetCallerIdentity",
        "*",
        "s3:*",
    ];
    let p = partition;
    let resources: Vec<String> = vec![
        "*".into(),
        format!("arn:{p}:ec2:*:*:*"),
        format!("arn:{p}:ec2:eu-west-1:*:*"),
        format!("arn:{p}:ec2:us-east-1:*:*"),
        format!("arn:{p}:ec2:*:*:fleet/*"),
        format!("arn:{p}:ec2:*:*:instance/*"),
        format!("arn:{p}:ec2:*:*:Instance/*"),
        format!("arn:{p}:ec2:*:*:launch-template/*"),
        format!("arn:{p}:ec2:*:*:spot-fleet-request/*"),
        format!("arn:{p}:ec2:*::image/*"),
        format!("arn:{p}:ec2:*:*:subnet/*"),
        format!("arn:{p}:ec2:*:*:network-interface/*"),
        format!("arn:{p}:ec2:*:*:security-group/*"),
        format!("arn:{p}:ec2:*:*:volume/*"),
        format!("arn:{p}:ec2:*:{ACCOUNT}:*"),
        format!("arn:{p}:ec2:*:{OTHER_ACCOUNT}:*"),
        format!("arn:{p}:iam::*:role/*"),
        format!("arn:{p}:iam::{ACCOUNT}:role/orb-*"),
        format!("arn:{p}:iam::{OTHER_ACCOUNT}:role/orb-fleet-role"),
        format!("arn:{p}:iam::*:role/orb-fleet-role"),
        format!("arn:{p}:iam::*:role/aws-service-role/*"),
        format!("arn:{p}:ssm:*::parameter/aws/service/*"),
        format!("arn:{p}:ssm:eu-west-1::parameter/*"),
        format!("arn:{p}:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*"),
        "arn:*:ec2:*:*:*".into(),
        "arn:aws-cn:ec2:*:*:*".into(),
        format!("arn:{p}:s3:::orb-bucket/*"),
        "arn:*:*:*:*:*".into(),
    ];
    let conditions: Vec<Value> = vec![
        json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
        json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        json!({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}),
        json!({"StringLike": {"aws:RequestedRegion": "eu-*"}}),
        json!({"StringEquals": {"ec2:Region": "eu-west-1"}}),
        json!({"StringEqualsIfExists": {"ec2:Region": "us-east-1"}}),
        json!({"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
        json!({"StringLike": {"iam:PassedToService": "spotfleet.*"}}),
        json!({"StringEquals": {"iam:AWSServiceName": "spotfleet.amazonaws.com"}}),
        json!({"Bool": {"aws:SecureTransport": "true"}}),
        json!({"Bool": {"aws:SecureTransport": "false"}}),
        json!({"Null": {"ec2:Region": "true"}}),
        json!({"StringEquals": {"aws:PrincipalTag/team": "hpc"}}),
        json!({"ForAnyValue:StringEquals": {"aws:RequestedRegion": ["eu-west-1", "ap-south-1"]}}),
    ];
    let actions: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(ACTIONS)).collect();
    let resources_picked: Vec<&String> = (0..1 + rng.below(2))
        .map(|_| rng.pick(&resources))
        .collect();
    let mut s = serde_json::Map::new();
    s.insert(
        "Effect".into(),
        json!(if rng.chance(70) { "Allow" } else { "Deny" }),
    );
    let action_key = if rng.chance(10) {
        "NotAction"
    } else {
        "Action"
    };
    s.insert(action_key.into(), json!(actions));
    let resource_key = if rng.chance(10) {
        "NotResource"
    } else {
        "Resource"
    };
    s.insert(resource_key.into(), json!(resources_picked));
    if rng.chance(35) {
        s.insert("Condition".into(), rng.pick(&conditions).clone());
    }
    Value::Object(s)
}

fn random_policy_set(rng: &mut Rng, partition: &str) -> Vec<Value> {
    (0..1 + rng.below(3))
        .map(|_| {
            let statements: Vec<Value> = (0..1 + rng.below(4))
                .map(|_| random_statement(rng, partition))
                .collect();
            json!({"Version": "2012-10-17", "Statement": statements})
        })
        .collect()
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Allowed => "Allowed",
        Verdict::MaybeDenied => "MaybeDenied",
        Verdict::Conditional => "Conditional",
        Verdict::Denied => "Denied",
        Verdict::NotGranted => "NotGranted",
        Verdict::MaybeGranted => "MaybeGranted",
    }
}

/// How a certain verdict of orb-scan's relates to the simulator's; `None` when they agree or
/// orb-scan claims nothing (a doubtful verdict). `deny_seen`: orb-scan found a Deny that may apply;
/// then "not granted" and "explicitly denied" refuse the call alike.
fn disagreement(ours: Verdict, deny_seen: bool, theirs: &str) -> Option<&'static str> {
    match (ours, theirs) {
        (Verdict::Allowed, "Allowed")
        | (Verdict::Denied, "ExplicitlyDenied")
        | (Verdict::NotGranted, "ImplicitlyDenied")
        | (Verdict::Conditional | Verdict::MaybeDenied | Verdict::MaybeGranted, _) => None,
        (Verdict::NotGranted, "ExplicitlyDenied") if deny_seen => None,
        (_, t) if t.starts_with("error:") => Some("the simulator cannot judge the request"),
        (Verdict::Allowed, _) => Some("granted by orb-scan, denied by IAM"),
        (Verdict::Denied, _) => Some("denied by orb-scan, not by IAM"),
        (Verdict::NotGranted, "Allowed") => Some("missing for orb-scan, granted by IAM"),
        (Verdict::NotGranted, _) => Some("missing for orb-scan, explicitly denied by IAM"),
    }
}

#[test]
fn evaluator_agrees_with_the_iam_simulator() {
    let Some(folder) = std::env::var_os("ORB_SCAN_IAM_SIMULATE") else {
        eprintln!("skipped: set ORB_SCAN_IAM_SIMULATE to a folder with @cloud-copilot/iam-simulate installed (.ci/run does)");
        return;
    };
    let folder = Path::new(&folder);
    assert!(
        folder
            .join("node_modules/@cloud-copilot/iam-simulate")
            .is_dir(),
        "{} has no node_modules/@cloud-copilot/iam-simulate",
        folder.display()
    );
    let deployments = [
        ("aws", "eu-west-1"),
        ("aws", "us-east-1"),
        ("aws-us-gov", "us-gov-west-1"),
    ];
    let mut rng = Rng(SEED);
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    let mut described = Vec::new();
    for set in 0..POLICY_SETS {
        let (partition, region) = deployments[set % deployments.len()];
        let policies = random_policy_set(&mut rng, partition);
        let docs: Vec<PolicyDocument> = policies
            .iter()
            .map(|p| {
                let text = p.to_string();
                let root = orb_scan::read::syntax::json::parse(&text)
                    .expect("json")
                    .root;
                PolicyDocument::from_node(&"p.json".into(), root, Origin::default(), None)
            })
            .collect();
        let refs: Vec<&PolicyDocument> = docs.iter().collect();
        let requests = orb_requests(partition, region);
        let mut sim_requests = Vec::new();
        for r in &requests {
            let request = Request {
                action: &r.action,
                resource: &r.resource,
                context: &r.context,
                unknowns: r.unknowns,
            };
            let eval = evaluate(&refs, &request);
            ours.push((eval.verdict(), eval.deny.is_some()));
            described.push((set, r.action.clone(), r.concrete.clone()));
            sim_requests.push(json!({
                "action": r.action, "resource": r.concrete, "partition": r.partition,
                "context": r.keys,
            }));
        }
        cases.push(json!({"account": ACCOUNT, "policies": policies, "requests": sim_requests}));
    }
    let dir = tempfile::tempdir().unwrap();
    let cases_file = dir.path().join("cases.json");
    std::fs::write(&cases_file, serde_json::to_string(&cases).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/simulate.cjs");
    let out = Command::new("node")
        .arg(script)
        .arg(folder)
        .arg(&cases_file)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "simulator: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(theirs.len(), ours.len());
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, ((v, deny_seen), t)) in ours.iter().zip(&theirs).enumerate() {
        *tally
            .entry(format!("{} / {t}", verdict_name(*v)))
            .or_default() += 1;
        if let Some(kind) = disagreement(*v, *deny_seen, t) {
            let (set, action, resource) = &described[i];
            problems.entry(kind).or_default().push(format!(
                "set {set}: {action} on {resource}: {}\n{}",
                t,
                serde_json::to_string(&cases[*set]["policies"]).unwrap()
            ));
        }
    }
    eprintln!(
        "{} requests over {POLICY_SETS} policy sets (seed {SEED:#x}), orb-scan / simulator:",
        ours.len()
    );
    for (k, n) in &tally {
        eprintln!("  {n:>6}  {k}");
    }
    let report: Vec<String> = problems
        .iter()
        .map(|(kind, cases)| {
            format!(
                "{} x {kind}, e.g.\n  {}",
                cases.len(),
                cases
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            )
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}
