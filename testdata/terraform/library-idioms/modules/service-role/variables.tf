variable "name" {
  type = string
}

variable "trusted_services" {
  type    = list(string)
  default = ["lambda.amazonaws.com"]
}

variable "trust_statements" {
  description = "More trust statements, as objects of the statement's fields"
  type        = any
  default     = {}
}

variable "policy_statements" {
  description = "Statements of the role's policy, as objects of the statement's fields"
  type        = any
  default     = {}
}

variable "create_log_group" {
  type    = bool
  default = true
}

variable "dead_letter_arn" {
  type    = string
  default = null
}

variable "extra_arns" {
  type    = list(string)
  default = []
}
