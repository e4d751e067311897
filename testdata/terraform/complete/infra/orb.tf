# ORB's role with everything its two templates need: the scan is quiet.
resource "aws_iam_role" "orb" {
  name = "orb-controller"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "orb" {
  name = "orb"
  role = aws_iam_role.orb.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Fleets"
        Effect = "Allow"
        Action = [
          "ec2:CreateFleet", "ec2:DescribeFleets", "ec2:DescribeFleetInstances", "ec2:DeleteFleets",
          "ec2:RequestSpotFleet", "ec2:DescribeSpotFleetRequests", "ec2:DescribeSpotFleetInstances",
          "ec2:CancelSpotFleetRequests", "ec2:RunInstances", "ec2:DescribeInstances", "ec2:TerminateInstances",
          "ec2:CreateTags", "ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate", "ec2:DeleteLaunchTemplate",
          "ec2:DescribeImages", "ssm:GetParameter", "iam:CreateServiceLinkedRole",
        ]
        Resource = "*"
      },
      {
        Sid      = "FleetRole"
        Effect   = "Allow"
        Action   = ["iam:PassRole", "iam:GetRole"]
        Resource = aws_iam_role.spot_fleet.arn
      },
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

resource "aws_iam_role" "spot_fleet" {
  name = "orb-spot-fleet"
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
  name               = "orb-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_instance_profile" "worker" {
  name = "orb-worker-profile"
  role = aws_iam_role.worker.name
}
