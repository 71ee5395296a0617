# The quick start's VPN (VPC "TomVPC" in Guangzhou, one IPsec tunnel to the IDC), run
# from pipelines: state in PostgreSQL (backend.tf), encrypted at rest (encryption.tf).

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

resource "tencentcloud_vpc" "tom" {
  name       = "TomVPC"
  cidr_block = "192.168.0.0/16"
}

resource "tencentcloud_route_table" "tom" {
  vpc_id = tencentcloud_vpc.tom.id
  name   = "TomRouteTable"
}

resource "tencentcloud_subnet" "a" {
  vpc_id            = tencentcloud_vpc.tom.id
  name              = "subnetA"
  cidr_block        = "192.168.1.0/24"
  availability_zone = "ap-guangzhou-3"
  route_table_id    = tencentcloud_route_table.tom.id
}

# Step 1: the VPN gateway (a public IP is assigned on creation).
resource "tencentcloud_vpn_gateway" "tom" {
  name      = "TomVPNGw"
  vpc_id    = tencentcloud_vpc.tom.id
  bandwidth = var.bandwidth
  zone      = "ap-guangzhou-3"
}

# Step 2: the customer gateway: the IDC's IPsec device.
resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "TomVPNUserGw"
  public_ip_address = var.idc_public_ip
}

# Step 3: the tunnel, with its pre-shared key and SPD policy. Unlike the guide's defaults
# (3DES, MD5, DH group 1, IKEv1, no PFS), strong choices: the pipeline plans with
# -lint=error, so a weak algorithm or key fails the merge request.
resource "tencentcloud_vpn_connection" "tom" {
  name                       = "TomVPNConn"
  vpc_id                     = tencentcloud_vpc.tom.id
  vpn_gateway_id             = tencentcloud_vpn_gateway.tom.id
  customer_gateway_id        = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key              = var.psk
  ike_version                = "IKEV2"
  ike_proto_encry_algorithm  = "AES-CBC-256"
  ike_proto_authen_algorithm = "SHA-256"
  ike_dh_group_name          = "GROUP14"
  ipsec_encrypt_algorithm    = "AES-CBC-256"
  ipsec_integrity_algorithm  = "SHA-256"
  ipsec_pfs_dh_group         = "DH-GROUP14"

  security_group_policy {
    local_cidr_block  = tencentcloud_subnet.a.cidr_block
    remote_cidr_block = [var.idc_cidr]
  }
}

# Step 5: route the IDC range to the VPN gateway.
resource "tencentcloud_route_table_entry" "to_idc" {
  route_table_id         = tencentcloud_route_table.tom.id
  destination_cidr_block = var.idc_cidr
  next_type              = "VPN"
  next_hub               = tencentcloud_vpn_gateway.tom.id
}
