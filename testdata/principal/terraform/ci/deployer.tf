# The CI deployer's role, in the same repository: service wildcards that reach ORB's actions.
resource "aws_iam_role" "deployer" {
  name = "ci-deployer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "sts:AssumeRole" }]
  })
}

data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "Deployer"
    actions   = ["ec2:*", "ssm:*", "iam:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deployer" {
  role   = aws_iam_role.deployer.name
  policy = data.aws_iam_policy_document.deployer.json
}
