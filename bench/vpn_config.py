#!/usr/bin/env python3
"""A generated VPN configuration of about N resources (N up to 10,000), for benchmarks.

The mix is issue #14's: VPCs, route tables with route table entries to the VPN gateway,
VPN gateways, customer gateways, tunnels (each with an SPD policy) and VPN gateway routes,
spread over regions (one provider alias per region), within the product's limits
(/work/shared/reference/product-rules.md), which the emulated cloud enforces:

- 20 customer gateways per region, 10 tunnels per customer gateway: 200 tunnels a region;
- 10 VPN gateways per VPC, 20 tunnels per VPN gateway: 2 VPCs of 5 gateways a region;
- one route table per VPC, one entry per tunnel (100 a table, within 200 routes a table).

A full region holds 634 resources: 2 VPCs, 2 route tables, 10 VPN gateways, 20 customer
gateways, 200 tunnels, 200 gateway routes and 200 route table entries; 22 regions (the
emulated cloud's) allow about 13,900. Every block is written out (no ``count``), as a
hand-written configuration would be, so the parse is part of what a cold plan costs.

    .venv/bin/python bench/vpn_config.py 6900 > main.tf    # prints the count on stderr
"""

from __future__ import annotations

import sys

# The emulated cloud's regions (providers/tencentcloud/rules.py ZONES), mainland first.
REGIONS = ("ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-nanjing",
           "ap-chongqing", "ap-shenzhen-fsi", "ap-shanghai-fsi", "ap-beijing-fsi",
           "ap-hongkong", "ap-singapore", "ap-seoul", "ap-tokyo", "ap-mumbai", "ap-bangkok",
           "ap-jakarta", "na-siliconvalley", "na-ashburn", "na-toronto", "eu-frankfurt",
           "eu-moscow", "sa-saopaulo")
TUNNELS_PER_REGION = 200     # 20 customer gateways x 10 tunnels each
TUNNELS_PER_CGW = 10
TUNNELS_PER_GATEWAY = 20
TUNNELS_PER_VPC = 100        # 5 VPN gateways of 20 tunnels (at most 10 gateways a VPC)
PER_TUNNEL = 3               # the tunnel, its gateway route and its route table entry
MAX_RESOURCES = len(REGIONS) * (TUNNELS_PER_REGION * PER_TUNNEL + 2 + 2 + 10 + 20)

_HEADER = '''terraform {
  required_providers {
    tencentcloud = {
      source = "tencentcloudstack/tencentcloud"
    }
  }
}

variable "psk" {
  type      = string
  sensitive = true
  default   = "bench-Psk-7f3a9c2e5b1d8046"
}
'''


def _provider(alias: str, region: str) -> str:
    return f'provider "tencentcloud" {{\n  alias  = "{alias}"\n  region = "{region}"\n}}\n'


def _vpc(alias: str, v: str, octet: int) -> str:
    return (f'resource "tencentcloud_vpc" "{v}" {{\n  provider   = tencentcloud.{alias}\n'
            f'  name       = "{v}"\n  cidr_block = "10.{octet}.0.0/16"\n}}\n\n'
            f'resource "tencentcloud_route_table" "{v}" {{\n'
            f'  provider = tencentcloud.{alias}\n  vpc_id   = tencentcloud_vpc.{v}.id\n'
            f'  name     = "{v}"\n}}\n')


def _gateway(alias: str, gw: str, v: str) -> str:
    return (f'resource "tencentcloud_vpn_gateway" "{gw}" {{\n'
            f'  provider  = tencentcloud.{alias}\n  name      = "{gw}"\n'
            f'  vpc_id    = tencentcloud_vpc.{v}.id\n  bandwidth = 5\n}}\n')


def _customer_gateway(alias: str, cgw: str, r: int, c: int) -> str:
    return (f'resource "tencentcloud_vpn_customer_gateway" "{cgw}" {{\n'
            f'  provider          = tencentcloud.{alias}\n  name              = "{cgw}"\n'
            f'  public_ip_address = "203.{r + 1}.{c + 1}.10"\n}}\n')


def _tunnel(alias: str, t: str, v: str, gw: str, cgw: str, local: str, peer: str) -> str:
    return (f'resource "tencentcloud_vpn_connection" "{t}" {{\n'
            f'  provider                   = tencentcloud.{alias}\n'
            f'  name                       = "{t}"\n'
            f'  vpc_id                     = tencentcloud_vpc.{v}.id\n'
            f'  vpn_gateway_id             = tencentcloud_vpn_gateway.{gw}.id\n'
            f'  customer_gateway_id        = tencentcloud_vpn_customer_gateway.{cgw}.id\n'
            f'  pre_share_key              = "${{var.psk}}-{t}"\n'
            f'  ike_version                = "IKEV2"\n'
            f'  ike_proto_encry_algorithm  = "AES-CBC-256"\n'
            f'  ike_proto_authen_algorithm = "SHA-256"\n'
            f'  ike_dh_group_name          = "GROUP14"\n'
            f'  ipsec_encrypt_algorithm    = "AES-CBC-256"\n'
            f'  ipsec_integrity_algorithm  = "SHA-256"\n'
            f'  ipsec_pfs_dh_group         = "DH-GROUP14"\n'
            f'  security_group_policy {{\n'
            f'    local_cidr_block  = "{local}"\n'
            f'    remote_cidr_block = ["{peer}"]\n  }}\n}}\n\n'
            f'resource "tencentcloud_vpn_gateway_route" "{t}" {{\n'
            f'  provider               = tencentcloud.{alias}\n'
            f'  vpn_gateway_id         = tencentcloud_vpn_gateway.{gw}.id\n'
            f'  destination_cidr_block = "{peer}"\n'
            f'  instance_type          = "VPNCONN"\n'
            f'  instance_id            = tencentcloud_vpn_connection.{t}.id\n'
            f'  priority               = 100\n  status                 = "ENABLE"\n}}\n\n'
            f'resource "tencentcloud_route_table_entry" "{t}" {{\n'
            f'  provider               = tencentcloud.{alias}\n'
            f'  route_table_id         = tencentcloud_route_table.{v}.id\n'
            f'  destination_cidr_block = "{peer}"\n'
            f'  next_type              = "VPN"\n'
            f'  next_hub               = tencentcloud_vpn_gateway.{gw}.id\n}}\n')


def generate(resources: int) -> tuple[str, int]:
    """The configuration's text and its number of resources: the first ``resources`` or a
    few more (a tunnel brings its gateway route and route table entry, and the first tunnel
    of a VPC, gateway or customer gateway brings that object)."""
    if not 1 <= resources <= MAX_RESOURCES:
        raise ValueError(f"resources must be within 1..{MAX_RESOURCES}, not {resources}")
    out = [_HEADER]
    count = 0
    g = 0  # tunnels so far, across regions: numbers the peer ranges
    for r, region in enumerate(REGIONS):
        alias = region.replace("-", "_")
        out.append(_provider(alias, region))
        for t in range(TUNNELS_PER_REGION):
            v = f"vpc_{r}_{t // TUNNELS_PER_VPC}"
            gw = f"gw_{r}_{t // TUNNELS_PER_GATEWAY}"
            cgw = f"cgw_{r}_{t // TUNNELS_PER_CGW}"
            if t % TUNNELS_PER_VPC == 0:
                out.append(_vpc(alias, v, 2 * r + t // TUNNELS_PER_VPC))
                count += 2
            if t % TUNNELS_PER_GATEWAY == 0:
                out.append(_gateway(alias, gw, v))
                count += 1
            if t % TUNNELS_PER_CGW == 0:
                out.append(_customer_gateway(alias, cgw, r, t // TUNNELS_PER_CGW))
                count += 1
            octet = 2 * r + t // TUNNELS_PER_VPC
            local = f"10.{octet}.{t % TUNNELS_PER_VPC}.0/24"
            peer = f"10.{128 + g // 250}.{g % 250}.0/24"  # outside every VPC (10.0-43.x)
            out.append(_tunnel(alias, f"t_{r}_{t}", v, gw, cgw, local, peer))
            count += PER_TUNNEL
            g += 1
            if count >= resources:
                return "\n".join(out), count
    return "\n".join(out), count


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print(f"usage: {sys.argv[0]} RESOURCES > main.tf   (1..{MAX_RESOURCES})",
              file=sys.stderr)
        return 2
    text, count = generate(int(sys.argv[1]))
    sys.stdout.write(text)
    print(f"{count} resources", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
