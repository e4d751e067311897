resource "aws_iam_policy" "p" {
  policy = <<EOT
{"a": "${x}", ${y}: 1, "b": "$${z}%%{"}
EOT
}
