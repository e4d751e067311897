{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PassWorkerRole",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::${account}:role/orb-worker",
      "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}
    },
    {
      "Sid": "OwnObjects",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::orb-$${aws:username}/*"
    }
  ]
}
