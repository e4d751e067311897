# ORB's controller role, its fleet role and the workers' instance profile.
variable "prod" {
  type    = bool
  default = true
}

resource "aws_iam_role" "orb_controller" {
  name               = "orb-controller"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy_attachment" "ssm_read" {
  role       = aws_iam_role.orb_controller.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"
}

data "aws_iam_policy_document" "orb_fleets" {
  statement {
    sid = "Fleets"
    actions = [
      "ec2:CreateFleet",
      "ec2:DescribeFleets",
      "ec2:DescribeFleetInstances",
      "ec2:DeleteFleets",
      "ec2:RequestSpotFleet",
      "ec2:DescribeSpotFleetRequests",
      "ec2:DescribeSpotFleetInstances",
      "ec2:CancelSpotFleetRequests",
      "ec2:RunInstances",
      "ec2:DescribeInstances",
      "ec2:TerminateInstances",
      "ec2:CreateTags",
      "ec2:DescribeLaunchTemplates",
      var.prod ? "ec2:CreateLaunchTemplate" : "ec2:DescribeLaunchTemplateVersions",
      "ec2:DeleteLaunchTemplate",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "NoTemplateDeletionInProd"
    effect    = "Deny"
    actions   = var.prod ? ["ec2:DeleteLaunchTemplate"] : []
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "orb_fleets" {
  name   = "orb-fleets"
  role   = aws_iam_role.orb_controller.id
  policy = data.aws_iam_policy_document.orb_fleets.json
}

resource "aws_iam_role_policy" "orb_pass_roles" {
  name = "orb-pass-roles"
  role = aws_iam_role.orb_controller.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PassSpotFleetRole"
        Effect   = "Allow"
        Action   = ["iam:PassRole", "iam:GetRole"]
        Resource = aws_iam_role.spot_fleet.arn
      },
      {
        Sid      = "PassWorkerRole"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/orb-worker-old"
        Condition = {
          StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" }
        }
      },
    ]
  })
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "spot_fleet" {
  name = "orb-spot-fleet"
  path = "/orb/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "spotfleet.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "spot_fleet_tagging" {
  role       = aws_iam_role.spot_fleet.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole"
}

resource "aws_iam_role" "worker" {
  name               = "orb-worker"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

resource "aws_iam_instance_profile" "worker" {
  name = "orb-worker-profile"
  role = aws_iam_role.worker.name
}
