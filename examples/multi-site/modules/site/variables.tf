variable "name" {
  description = "The site's name: prefixes every object of the site."
  type        = string
}

variable "vpc_id" {
  type = string
}

variable "vpc_cidr" {
  type = string
}

variable "route_table_id" {
  type = string
}

variable "vpn_gateway_id" {
  type = string
}

variable "availability_zone" {
  type = string
}

variable "netnum" {
  description = "The site's /24 in the VPC: cidrsubnet(vpc_cidr, 8, netnum)."
  type        = number
}

variable "idc_public_ip" {
  type = string
}

variable "idc_cidr" {
  description = "The IDC's range; its first idc_lans /24s are reached through the tunnel."
  type        = string
}

variable "idc_lans" {
  type    = number
  default = 1

  validation {
    condition     = var.idc_lans >= 1 && var.idc_lans <= 50
    error_message = "An SPD policy holds 1 to 50 peer ranges."
  }
}

variable "shared_cidrs" {
  type    = list(string)
  default = []
}

variable "psk" {
  type      = string
  sensitive = true
}
