output "vpn_gateway_public_ip" {
  value = tencentcloud_vpn_gateway.main.public_ip_address
}

output "vpn_connection_id" {
  value = tencentcloud_vpn_connection.main.id
}
