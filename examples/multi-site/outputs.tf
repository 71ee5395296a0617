output "vpn_gateway_public_ip" {
  description = "Configure this as the peer on every IDC device."
  value       = tencentcloud_vpn_gateway.hub.public_ip_address
}

output "tunnels" {
  description = "Per site: the tunnel id and the ranges it carries."
  value = {
    for name, site in module.site : name => {
      connection_id = site.connection_id
      local_cidrs   = site.local_cidrs
      idc_lans      = site.idc_lans
    }
  }
}
