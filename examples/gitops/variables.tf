variable "psk" {
  description = "Pre-shared key of the tunnel: a CI secret (TF_VAR_psk), never in the repository."
  type        = string
  sensitive   = true
}

variable "state_passphrase" {
  description = "Passphrase that encrypts the state and saved plans: a CI secret (TF_VAR_state_passphrase), at least 16 characters."
  type        = string
  sensitive   = true
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
