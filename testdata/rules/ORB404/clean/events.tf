resource "aws_sqs_queue" "orb_events" {
  name = "orb-events"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:orb-events"
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:events:eu-west-1:123456789012:rule/orb" } }
    }]
  })
}

resource "aws_sqs_queue_policy" "orb_events" {
  queue_url = aws_sqs_queue.orb_events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:orb-events"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}
