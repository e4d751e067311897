variable "name" {
  type    = string
  default = "orb-controller"
}

variable "account" {
  type    = string
  default = "123456789012"
}

variable "extra_policy" {
  type = string
}
