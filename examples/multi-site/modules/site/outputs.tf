output "connection_id" {
  value = tencentcloud_vpn_connection.tunnel.id
}

output "customer_gateway_id" {
  value = tencentcloud_vpn_customer_gateway.idc.id
}

output "local_cidrs" {
  value = local.local_cidrs
}

output "idc_lans" {
  value = local.idc_lans
}
