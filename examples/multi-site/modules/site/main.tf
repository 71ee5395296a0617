locals {
  subnet_cidr = cidrsubnet(var.vpc_cidr, 8, var.netnum)
  # the IDC's LANs: the first idc_lans /24s of its range
  idc_lans = [for i in range(var.idc_lans) : cidrsubnet(var.idc_cidr, 24 - tonumber(split("/", var.idc_cidr)[1]), i)]
  # one SPD policy per local range: the site's subnet and every shared range
  local_cidrs = concat([local.subnet_cidr], var.shared_cidrs)
}

resource "tencentcloud_subnet" "site" {
  name              = "${var.name}-subnet"
  vpc_id            = var.vpc_id
  cidr_block        = local.subnet_cidr
  availability_zone = var.availability_zone
  route_table_id    = var.route_table_id
}

resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "${var.name}-idc"
  public_ip_address = var.idc_public_ip
}

resource "tencentcloud_vpn_connection" "tunnel" {
  name                = "${var.name}-tunnel"
  vpc_id              = var.vpc_id
  vpn_gateway_id      = var.vpn_gateway_id
  customer_gateway_id = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key       = var.psk

  dynamic "security_group_policy" {
    for_each = local.local_cidrs
    content {
      local_cidr_block  = security_group_policy.value
      remote_cidr_block = local.idc_lans
    }
  }
}

resource "tencentcloud_route_table_entry" "to_idc" {
  for_each = toset(local.idc_lans)

  route_table_id         = var.route_table_id
  destination_cidr_block = each.value
  next_type              = "VPN"
  next_hub               = var.vpn_gateway_id
  description            = "${var.name} IDC ${each.value}"
}
