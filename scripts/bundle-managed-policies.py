#!/usr/bin/env python3
"""Writes data/aws-managed-policies.json: the AWS managed policies orb-scan evaluates when a template
attaches one by ARN (`ManagedPolicyArns`, `PermissionsBoundary`, SAM `Policies`).

Which policies: the ones people attach to the role ORB runs under, to its instances' role, or to a
Spot Fleet role (BUNDLED below, each with the reason). The bundle stays small on purpose; run with
`--report` to list the corpus policies that allow an ORB-specific action (data/orb-requirements.toml)
and are not bundled, as candidates to review.

Source: ../shared/corpus/managed-policies (github.com/iann0036/iam-dataset, aws/managedpolicies,
field `document`; MIT). Three policies are not in that snapshot and are written out below from the
AWS Managed Policy Reference Guide (docs.aws.amazon.com/aws-managed-policy/latest/reference/):
AdministratorAccess, PowerUserAccess and the deprecated AmazonEC2SpotFleetRole.

Usage: python3 scripts/bundle-managed-policies.py [--corpus DIR] [--report]
"""

import argparse
import fnmatch
import json
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "aws-managed-policies.json"

# ARN → why it is bundled.
BUNDLED = {
    "arn:aws:iam::aws:policy/AdministratorAccess": "broad grant often attached to automation roles",
    "arn:aws:iam::aws:policy/PowerUserAccess": "broad grant often attached to automation roles",
    "arn:aws:iam::aws:policy/job-function/SystemAdministrator": "job-function policy that covers EC2 and Auto Scaling",
    "arn:aws:iam::aws:policy/AmazonEC2FullAccess": "the usual shortcut for ORB's EC2 and Auto Scaling calls",
    "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess": "ORB's describe calls",
    "arn:aws:iam::aws:policy/AutoScalingFullAccess": "ORB's ASG handler",
    "arn:aws:iam::aws:policy/AutoScalingReadOnlyAccess": "ORB's ASG describe calls",
    "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess": "ssm:GetParameter for SSM image parameters",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore": "attached to the instances' role",
    "arn:aws:iam::aws:policy/IAMReadOnlyAccess": "iam:GetRole for a custom Spot Fleet role",
    "arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM": "attached to the instances' role (older SSM policy)",
    "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole": "the Spot Fleet role's policy",
    "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetRole": "the legacy Spot Fleet role policy (no tagging; ORB403)",
}

# Not in the corpus snapshot: the documents as the AWS Managed Policy Reference Guide publishes them.
FROM_REFERENCE_GUIDE = {
    "arn:aws:iam::aws:policy/AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    "arn:aws:iam::aws:policy/PowerUserAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": [
                    "account:GetAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                ],
                "Resource": "*",
            },
        ],
    },
    "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeImages",
                    "ec2:DescribeSubnets",
                    "ec2:RequestSpotInstances",
                    "ec2:TerminateInstances",
                    "ec2:DescribeInstanceStatus",
                    "iam:PassRole",
                ],
                "Resource": ["*"],
            }
        ],
    },
}


def corpus_documents(corpus):
    index = json.loads((corpus / "managed-policies-index.json").read_text())
    for arn, file in sorted(index.items()):
        if arn:
            yield arn, json.loads((corpus / "managed-policies" / file).read_text())


def allowed_orb_actions(document, orb_actions):
    statements = document.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    found = set()
    for s in statements:
        actions = s.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if s.get("Effect") != "Allow":
            continue
        for pattern in actions:
            if pattern == "*":
                continue
            found.update(a for a in orb_actions if fnmatch.fnmatchcase(a.lower(), pattern.lower()))
    return sorted(found)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    corpus = pathlib.Path(args.corpus)
    documents = dict(corpus_documents(corpus))
    documents.update(FROM_REFERENCE_GUIDE)
    missing = sorted(set(BUNDLED) - set(documents))
    if missing:
        sys.exit(f"not found in the corpus or the reference list: {missing}")
    policies = [
        {"arn": arn, "why": why, "document": documents[arn]}
        for arn, why in sorted(BUNDLED.items())
    ]
    bundle = {
        "source": "github.com/iann0036/iam-dataset aws/managedpolicies (MIT), via shared/corpus; "
        "AdministratorAccess, PowerUserAccess and AmazonEC2SpotFleetRole from the AWS Managed Policy Reference Guide",
        "generated_by": "scripts/bundle-managed-policies.py",
        "policies": policies,
    }
    OUT.write_text(json.dumps(bundle, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(policies)} policies to {OUT.relative_to(ROOT)}")
    if args.report:
        table = tomllib.loads((ROOT / "data" / "orb-requirements.toml").read_text())
        orb_actions = table["values"]["orb_specific_actions"]
        for arn, doc in sorted(documents.items()):
            if arn in BUNDLED or "/aws-service-role/" in arn:
                continue
            hits = allowed_orb_actions(doc, orb_actions)
            if hits:
                print(f"not bundled, allows {len(hits)} ORB-specific actions: {arn}")


if __name__ == "__main__":
    main()
