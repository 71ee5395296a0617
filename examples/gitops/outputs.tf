output "vpn_gateway_public_ip" {
  description = "The VPN gateway's public IP: configure it as the peer on the IDC device."
  value       = tencentcloud_vpn_gateway.tom.public_ip_address
}

output "vpn_connection_id" {
  description = "The tunnel's id."
  value       = tencentcloud_vpn_connection.tom.id
}
