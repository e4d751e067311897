# ORB's role holds policies orb-scan cannot read: a module input without a default, a module's
# output, a template whose JSON its directives decide, and statements a variable lists. What the
# policies it reads lack is then doubtful (a warning at the setting, labels at what was not read),
# never a certain error.
variable "base_policy" {
  type = string
}

variable "extra_statements" {
  type    = list(object({ actions = list(string), resources = list(string) }))
  default = []
}

variable "buckets" {
  type = list(string)
}

resource "aws_iam_role" "orb" {
  name = "orb-controller"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

data "aws_iam_policy_document" "orb" {
  source_policy_documents = [var.base_policy]

  statement {
    sid = "Fleets"
    actions = [
      "ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets",
      "ec2:RequestSpotFleet", "ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetInstances",
      "ec2:CancelSpotFleetRequests", "ec2:RunInstances", "ec2:DescribeInstances", "ec2:TerminateInstances",
      "ec2:CreateTags", "ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.extra_statements
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "orb" {
  name   = "orb"
  role   = aws_iam_role.orb.id
  policy = data.aws_iam_policy_document.orb.json
}

resource "aws_iam_role_policy" "shared" {
  name   = "shared"
  role   = aws_iam_role.orb.id
  policy = module.policies.orb_json
}

resource "aws_iam_role_policy" "buckets" {
  name   = "buckets"
  role   = aws_iam_role.orb.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        %{ for b in var.buckets }
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${b}/*"},
        %{ endfor }
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "platform" {
  role       = aws_iam_role.orb.name
  policy_arn = module.platform.boundary_arn
}

resource "aws_iam_role" "spot_fleet" {
  name = "orb-spot-fleet"
  path = "/orb/"
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

resource "aws_iam_role_policy_attachment" "spot_fleet" {
  role       = aws_iam_role.spot_fleet.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole"
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
