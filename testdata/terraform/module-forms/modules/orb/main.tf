locals {
  boundary = "arn:aws:iam::${var.account}:policy/boundary"
}

resource "aws_iam_role" "orb" {
  name = var.name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })

  # Deprecated, still common: the policy as a block of the role, written as a heredoc.
  inline_policy {
    name   = "fleets"
    policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "Fleets",
            "Effect": "Allow",
            "Action": ["ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets",
                       "ec2:RequestSpotFleet", "ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetInstances",
                       "ec2:CancelSpotFleetRequests", "ec2:RunInstances", "ec2:DescribeInstances",
                       "ec2:TerminateInstances", "ec2:CreateTags", "ec2:DescribeLaunchTemplates",
                       "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate", "ssm:GetParameter"],
            "Resource": "*"
          },
          {
            "Sid": "PassFleetRole",
            "Effect": "Allow",
            "Action": ["iam:PassRole", "iam:GetRole"],
            "Resource": "${aws_iam_role.spot_fleet[0].arn}"
          }
        ]
      }
    EOT
  }
}

# A module input: the one module block that calls this folder passes a data source of the root.
resource "aws_iam_role_policy" "extra" {
  role   = aws_iam_role.orb.id
  policy = var.extra_policy
}

resource "aws_iam_policy" "workers" {
  name_prefix = "orb-workers-"
  policy = templatefile("${path.module}/policies/workers.json.tpl", {
    account = var.account
  })
}

resource "aws_iam_policy_attachment" "workers" {
  name       = "orb-workers"
  roles      = [aws_iam_role.orb.name]
  policy_arn = aws_iam_policy.workers.arn
}

resource "aws_iam_role" "spot_fleet" {
  count = 1
  name  = "orb-spot-fleet"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "spotfleet.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account } }
    }]
  })
  permissions_boundary = local.boundary
}

resource "aws_iam_role_policy_attachment" "spot_fleet" {
  count      = 1
  role       = aws_iam_role.spot_fleet[count.index].name
  // orb-scan: ignore[ORB403] tagging comes from the fleet request's own tags here
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetRole"
}

resource "aws_iam_role" "worker" {
  for_each           = toset(["default"])
  name               = "orb-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_instance_profile" "worker" {
  for_each = aws_iam_role.worker
  name     = "orb-worker-profile"
  role     = aws_iam_role.worker["default"].name
}
