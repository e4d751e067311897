# The root module calls ORB's module: its folder is read as a module of its own.
module "orb" {
  source       = "./modules/orb"
  extra_policy = data.aws_iam_policy_document.extra.json
}

data "aws_iam_policy_document" "extra" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::orb-config/&{aws:username}/*"]
  }
}
