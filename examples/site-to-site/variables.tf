variable "psk" {
  description = "The tunnel's pre-shared key, used on both ends (demo default: set TF_VAR_psk for anything real)."
  type        = string
  sensitive   = true
  default     = "site-to-site-demo-key"
}

variable "vpc_cidr" {
  type    = string
  default = "192.168.0.0/16"
}

variable "subnet_cidr" {
  type    = string
  default = "192.168.1.0/24"
}

variable "idc_cidr" {
  description = "The IDC's private range (what `vpnform lab up` builds by default)."
  type        = string
  default     = "10.0.1.0/24"
}

variable "idc_public_ip" {
  description = "The IDC gateway's public IP (what `vpnform lab up` builds by default)."
  type        = string
  default     = "202.108.22.5"
}

variable "ike_encryption" {
  type    = string
  default = "AES-CBC-128"
}

variable "ike_integrity" {
  type    = string
  default = "SHA"
}

variable "dh_group" {
  type    = string
  default = "GROUP2"
}

variable "ipsec_encryption" {
  type    = string
  default = "AES-CBC-128"
}

variable "ipsec_integrity" {
  type    = string
  default = "SHA1"
}
