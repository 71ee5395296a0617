variable "psk" {
  description = "Pre-shared key of the tunnel. The default is for the demo only: set TF_VAR_psk for anything real."
  type        = string
  sensitive   = true
  default     = "TomVPN-demo-key-2019"
}

variable "bandwidth" {
  description = "VPN gateway bandwidth in Mbps (5, 10, 20, 50 or 100)."
  type        = number
  default     = 5
}

variable "idc_cidr" {
  description = "The IDC's private range, reached through the tunnel."
  type        = string
  default     = "10.0.1.0/24"
}

variable "idc_public_ip" {
  description = "Public IP of the IDC's IPsec gateway."
  type        = string
  default     = "202.108.22.5"
}
