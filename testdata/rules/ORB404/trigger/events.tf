# A queue that EventBridge writes to, its policy inside the queue, and a key SNS uses, its policy
# from a data source: neither says for which account's rule or topic.
resource "aws_sqs_queue" "orb_events" {
  name = "orb-events"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:orb-events"
    }]
  })
}

data "aws_iam_policy_document" "key" {
  statement {
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
  }
}

resource "aws_kms_key" "orb_events" {
  description = "orb events"
  policy      = data.aws_iam_policy_document.key.json
}

# A bucket without a policy is not read.
resource "aws_s3_bucket" "logs" {
  bucket = "orb-logs"
}
