# Both ends of one site-to-site tunnel, from shared variables: the cloud side (the
# emulated cloud with a real strongSwan dataplane) and the IDC side (a real charon in the
# lab's simulated IDC, configured through the strongswan provider over VICI).
# One PSK, matching proposals, mirrored SPD.

terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
    strongswan = {
      source = "vpnform/strongswan"
    }
  }
}

provider "tencentcloud" {
  region    = "ap-guangzhou"
  dataplane = "strongswan"
}

# The IDC device: the charon `vpnform lab up` starts.
provider "strongswan" {
  vici_socket = "unix://.vpnform/lab/idc-gw/charon.vici"
}

locals {
  # the cloud API's algorithm names, as strongSwan spells them
  encryption = { "3DES-CBC" = "3des", "AES-CBC-128" = "aes128", "AES-CBC-192" = "aes192", "AES-CBC-256" = "aes256" }
  integrity  = { "MD5" = "md5", "SHA" = "sha1", "SHA1" = "sha1", "SHA-256" = "sha256" }
  dh_group   = { "GROUP1" = "modp768", "GROUP2" = "modp1024", "GROUP5" = "modp1536", "GROUP14" = "modp2048", "GROUP24" = "modp2048s256" }

  ike_proposal = "${local.encryption[var.ike_encryption]}-${local.integrity[var.ike_integrity]}-${local.dh_group[var.dh_group]}"
  esp_proposal = "${local.encryption[var.ipsec_encryption]}-${local.integrity[var.ipsec_integrity]}"
}

# --- the cloud side -----------------------------------------------------------------------

resource "tencentcloud_vpc" "main" {
  name       = "TomVPC"
  cidr_block = var.vpc_cidr
}

resource "tencentcloud_route_table" "main" {
  vpc_id = tencentcloud_vpc.main.id
  name   = "TomRouteTable"
}

resource "tencentcloud_subnet" "a" {
  vpc_id            = tencentcloud_vpc.main.id
  name              = "subnetA"
  cidr_block        = var.subnet_cidr
  availability_zone = "ap-guangzhou-3"
  route_table_id    = tencentcloud_route_table.main.id
}

resource "tencentcloud_vpn_gateway" "main" {
  name      = "TomVPNGw"
  vpc_id    = tencentcloud_vpc.main.id
  bandwidth = 5
  zone      = "ap-guangzhou-3"
}

resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "TomVPNUserGw"
  public_ip_address = var.idc_public_ip
}

resource "tencentcloud_vpn_connection" "main" {
  name                       = "TomVPNConn"
  vpc_id                     = tencentcloud_vpc.main.id
  vpn_gateway_id             = tencentcloud_vpn_gateway.main.id
  customer_gateway_id        = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key              = var.psk
  ike_proto_encry_algorithm  = var.ike_encryption
  ike_proto_authen_algorithm = var.ike_integrity
  ike_dh_group_name          = var.dh_group
  ipsec_encrypt_algorithm    = var.ipsec_encryption
  ipsec_integrity_algorithm  = var.ipsec_integrity

  security_group_policy {
    local_cidr_block  = var.subnet_cidr
    remote_cidr_block = [var.idc_cidr]
  }
}

resource "tencentcloud_route_table_entry" "to_idc" {
  route_table_id         = tencentcloud_route_table.main.id
  destination_cidr_block = var.idc_cidr
  next_type              = "VPN"
  next_hub               = tencentcloud_vpn_gateway.main.id
}

# --- the IDC side: the mirror image ------------------------------------------------------

resource "strongswan_connection" "to_cloud" {
  name         = "to-cloud"
  ike_version  = 1
  local_addrs  = [var.idc_public_ip]
  remote_addrs = [tencentcloud_vpn_gateway.main.public_ip_address]
  local_id     = var.idc_public_ip
  remote_id    = tencentcloud_vpn_gateway.main.public_ip_address
  proposals    = [local.ike_proposal]
  psk          = var.psk

  child {
    name          = "to-cloud"
    local_ts      = [var.idc_cidr]
    remote_ts     = [var.subnet_cidr]
    esp_proposals = [local.esp_proposal]
    start_action  = "none"
  }
}
