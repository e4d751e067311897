# The root module calls ORB's module once: the policy it passes is read here, in the root, and
# linked to the role the module defines.
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
