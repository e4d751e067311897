# ORB runs as an IAM user (access keys on a host outside AWS). What it needs is spread over the
# forms Terraform offers: its own policy (a policy document built from a source document, with an
# override that adds ec2:CreateTags), its group's policy, and a managed policy attached to it. The
# scan is quiet only when all of them are linked to the user.
resource "aws_iam_user" "orb" {
  name = "orb-controller"
}

resource "aws_iam_group" "orb" {
  name = "orb-operators"
}

resource "aws_iam_user_group_membership" "orb" {
  user   = aws_iam_user.orb.name
  groups = [aws_iam_group.orb.name]
}

data "aws_iam_policy_document" "fleets_base" {
  statement {
    sid = "Fleets"
    actions = [
      "ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets",
      "ec2:RequestSpotFleet", "ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetInstances",
      "ec2:CancelSpotFleetRequests", "ec2:RunInstances", "ec2:DescribeInstances", "ec2:TerminateInstances",
    ]
    resources = ["*"]
  }
}

# The override replaces the base's "Fleets" statement by Sid: the merged policy is this one's.
data "aws_iam_policy_document" "fleets_tagged" {
  statement {
    sid = "Fleets"
    actions = [
      "ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets",
      "ec2:RequestSpotFleet", "ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetInstances",
      "ec2:CancelSpotFleetRequests", "ec2:RunInstances", "ec2:DescribeInstances", "ec2:TerminateInstances",
      "ec2:CreateTags",
    ]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "orb" {
  source_policy_documents   = [data.aws_iam_policy_document.fleets_base.json]
  override_policy_documents = [data.aws_iam_policy_document.fleets_tagged.json]

  statement {
    sid       = "FleetRole"
    actions   = ["iam:PassRole", "iam:GetRole"]
    resources = [aws_iam_role.spot_fleet.arn]
  }
}

resource "aws_iam_user_policy" "orb" {
  name   = "orb"
  user   = aws_iam_user.orb.name
  policy = data.aws_iam_policy_document.orb.json
}

# The group's policy: launch templates, images and the service-linked role, from a deprecated
# source_json.
data "aws_iam_policy_document" "operators" {
  source_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "LaunchTemplates"
      Effect   = "Allow"
      Action   = ["ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate", "ec2:DescribeImages"]
      Resource = "*"
    }]
  })

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["*"]
  }
}

resource "aws_iam_group_policy" "operators" {
  name   = "orb-operators"
  group  = aws_iam_group.orb.name
  policy = data.aws_iam_policy_document.operators.json
}

# A managed policy of the repository, attached to the user: the SSM parameter lookup and the
# instance role ORB's workers get.
resource "aws_iam_policy" "workers" {
  name = "orb-workers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Images", Effect = "Allow", Action = "ssm:GetParameter", Resource = "*" },
      {
        Sid       = "Workers"
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = aws_iam_role.worker.arn
        Condition = { StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" } }
      },
    ]
  })
}

resource "aws_iam_user_policy_attachment" "workers" {
  user       = aws_iam_user.orb.name
  policy_arn = aws_iam_policy.workers.arn
}

# The Spot Fleet role takes its AWS managed policy through managed_policy_arns.
resource "aws_iam_role" "spot_fleet" {
  name                = "orb-spot-fleet"
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole"]
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "spotfleet.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}

resource "aws_iam_role" "worker" {
  name = "orb-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_instance_profile" "worker" {
  name = "orb-worker-profile"
  role = aws_iam_role.worker.name
}
