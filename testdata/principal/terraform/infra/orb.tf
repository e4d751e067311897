# ORB's role, written in Terraform: its policy names ORB's actions but lacks ec2:CreateTags.
resource "aws_iam_role" "orb" {
  name = "orb-runtime"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "runtime" {
  name = "orb-runtime"
  role = aws_iam_role.orb.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "OrbRuntime"
        Effect = "Allow"
        Action = [
          "ec2:DescribeInstances", "ec2:TerminateInstances", "ec2:DescribeLaunchTemplates",
          "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate", "ec2:CreateFleet",
          "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets",
        ]
        Resource = "*"
      },
      {
        Sid       = "ServiceLinkedRoles"
        Effect    = "Allow"
        Action    = "iam:CreateServiceLinkedRole"
        Resource  = "*"
        Condition = { StringEquals = { "iam:AWSServiceName" = ["ec2fleet.amazonaws.com"] } }
      },
    ]
  })
}
