# The idioms of a reusable module: statements a caller passes in as objects (written through
# dynamic blocks, each field possibly null), optional features behind conditionals, compact() lists,
# null defaults. None of them is an error in the policies Terraform writes.
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = var.trusted_services
    }
  }

  dynamic "statement" {
    for_each = var.trust_statements
    content {
      sid           = try(statement.value.sid, statement.key)
      effect        = try(statement.value.effect, null)
      actions       = try(statement.value.actions, null)
      not_actions   = try(statement.value.not_actions, null)
      resources     = try(statement.value.resources, null)
      not_resources = try(statement.value.not_resources, null)

      dynamic "principals" {
        for_each = try(statement.value.principals, [])
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }

      dynamic "condition" {
        for_each = try(statement.value.conditions, [])
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "this" {
  statement {
    sid = "Logs"
    actions = compact([
      var.create_log_group ? "logs:CreateLogGroup" : "",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ])
    resources = ["arn:aws:logs:*:*:log-group:/aws/lambda/${var.name}:*"]
  }

  statement {
    sid       = "DeadLetter"
    actions   = ["sqs:SendMessage"]
    resources = [var.dead_letter_arn]
  }

  dynamic "statement" {
    for_each = length(var.extra_arns) > 0 ? [1] : []
    content {
      sid       = "Extra"
      actions   = ["s3:GetObject"]
      resources = var.extra_arns
    }
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid         = try(statement.value.sid, statement.key)
      effect      = try(statement.value.effect, null)
      actions     = try(statement.value.actions, null)
      not_actions = try(statement.value.not_actions, null)
      resources   = try(statement.value.resources, null)

      dynamic "principals" {
        for_each = try(statement.value.principals, [])
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }

      dynamic "condition" {
        for_each = try(statement.value.conditions, [])
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
