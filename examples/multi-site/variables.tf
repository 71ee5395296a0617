variable "sites" {
  description = "IDC sites by name: the IDC gateway's public IP, the IDC's range (carved into `lans` /24s reached through the tunnel) and the site's subnet number in the hub VPC (stable, so adding a site moves nothing)."
  type = map(object({
    public_ip = string
    idc_cidr  = string
    netnum    = number
    lans      = optional(number, 1)
  }))

  validation {
    condition     = length(distinct([for s in values(var.sites) : s.netnum])) == length(var.sites)
    error_message = "Each site needs its own netnum: two sites would share a subnet."
  }
}

variable "vpc_cidr" {
  description = "The hub VPC's range; each site gets the /24 cidrsubnet(vpc_cidr, 8, netnum)."
  type        = string
  default     = "192.168.0.0/16"
}

variable "shared_cidrs" {
  description = "Hub ranges every site reaches besides its own subnet (one SPD policy each)."
  type        = list(string)
  default     = []
}

variable "zone" {
  type    = string
  default = "ap-guangzhou-3"
}

variable "bandwidth" {
  description = "VPN gateway bandwidth in Mbps (5, 10, 20, 50 or 100)."
  type        = number
  default     = 10
}

variable "psk" {
  description = "Pre-shared key of every tunnel. The default is for the demo only: set TF_VAR_psk for anything real."
  type        = string
  sensitive   = true
  default     = "multi-site-demo-key"
}
