# One hub VPC in Guangzhou with one VPN gateway, and one IPsec tunnel per IDC site.
# Each site is an instance of ./modules/site, made by for_each over var.sites: adding a
# site to the map adds exactly that site's subnet, customer gateway, tunnel and routes.

terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpc" "hub" {
  name       = "hub"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_route_table" "hub" {
  vpc_id = tencentcloud_vpc.hub.id
  name   = "hub-routes"
}

resource "tencentcloud_vpn_gateway" "hub" {
  name      = "hub-vpngw"
  vpc_id    = tencentcloud_vpc.hub.id
  bandwidth = var.bandwidth
  zone      = var.zone
}

module "site" {
  source   = "./modules/site"
  for_each = var.sites

  name              = each.key
  vpc_id            = tencentcloud_vpc.hub.id
  vpc_cidr          = tencentcloud_vpc.hub.cidr_block
  route_table_id    = tencentcloud_route_table.hub.id
  vpn_gateway_id    = tencentcloud_vpn_gateway.hub.id
  availability_zone = var.zone
  netnum            = each.value.netnum
  idc_public_ip     = each.value.public_ip
  idc_cidr          = each.value.idc_cidr
  idc_lans          = each.value.lans
  shared_cidrs      = var.shared_cidrs
  psk               = var.psk
}
