#!/usr/bin/env python3
"""Plan and apply wall time and peak memory for configurations of N tunnels.

Generates, for each N, a configuration of N tunnels with their VPN gateways, customer
gateways and gateway routes (spread over as many regions as the product's limits need:
one VPC with 10 gateways, 20 customer gateways and 200 tunnels per region), then runs the
real CLI against the embedded emulator in a fresh directory and prints figures.

    .venv/bin/python bench/plan_apply.py            # N = 100 and 1000
    .venv/bin/python bench/plan_apply.py 100 500    # other sizes
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from child import measure  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VPNFORM = os.path.join(ROOT, ".venv", "bin", "vpnform")
REGIONS = ["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-nanjing",
           "ap-hongkong", "ap-seoul", "ap-tokyo", "ap-singapore", "ap-bangkok"]
PER_REGION = 200  # 20 customer gateways x 10 tunnels each; 10 gateways x 20 tunnels each


def generate(n: int) -> str:
    regions = (n + PER_REGION - 1) // PER_REGION
    if regions > len(REGIONS):
        raise SystemExit(f"N={n} needs {regions} regions; at most {len(REGIONS) * PER_REGION}")
    out = ['variable "psk" {\n  type      = string\n  sensitive = true\n'
           '  default   = "bench-psk-0123456789"\n}\n']
    for r in range(regions):
        region = REGIONS[r]
        alias = region.replace("-", "_")
        count = min(PER_REGION, n - r * PER_REGION)
        out.append(f'provider "tencentcloud" {{\n  alias  = "{alias}"\n  region = "{region}"\n}}\n')
        out.append(f'resource "tencentcloud_vpc" "vpc_{r}" {{\n  provider   = tencentcloud.{alias}\n'
                   f'  name       = "bench-{r}"\n  cidr_block = "10.{r}.0.0/16"\n}}\n')
        gws = (count + 19) // 20
        cgws = (count + 9) // 10
        for g in range(gws):
            out.append(f'resource "tencentcloud_vpn_gateway" "gw_{r}_{g}" {{\n'
                       f'  provider  = tencentcloud.{alias}\n  name      = "gw-{r}-{g}"\n'
                       f'  vpc_id    = tencentcloud_vpc.vpc_{r}.id\n  bandwidth = 5\n}}\n')
        for c in range(cgws):
            out.append(f'resource "tencentcloud_vpn_customer_gateway" "cgw_{r}_{c}" {{\n'
                       f'  provider          = tencentcloud.{alias}\n  name              = "cgw-{r}-{c}"\n'
                       f'  public_ip_address = "203.0.{r * 20 + c + 1}.10"\n}}\n')
        for t in range(count):
            g, c = t // 20, t // 10
            out.append(
                f'resource "tencentcloud_vpn_connection" "t_{r}_{t}" {{\n'
                f'  provider            = tencentcloud.{alias}\n'
                f'  name                = "t-{r}-{t}"\n'
                f'  vpc_id              = tencentcloud_vpc.vpc_{r}.id\n'
                f'  vpn_gateway_id      = tencentcloud_vpn_gateway.gw_{r}_{g}.id\n'
                f'  customer_gateway_id = tencentcloud_vpn_customer_gateway.cgw_{r}_{c}.id\n'
                f'  pre_share_key       = var.psk\n'
                f'  security_group_policy {{\n'
                f'    local_cidr_block  = "10.{r}.{t % 250}.0/24"\n'
                f'    remote_cidr_block = ["172.{16 + t // 250}.{t % 250}.0/24"]\n  }}\n}}\n')
            out.append(
                f'resource "tencentcloud_vpn_gateway_route" "r_{r}_{t}" {{\n'
                f'  provider               = tencentcloud.{alias}\n'
                f'  vpn_gateway_id         = tencentcloud_vpn_gateway.gw_{r}_{g}.id\n'
                f'  destination_cidr_block = "172.{16 + t // 250}.{t % 250}.0/24"\n'
                f'  instance_type          = "VPNCONN"\n'
                f'  instance_id            = tencentcloud_vpn_connection.t_{r}_{t}.id\n'
                f'  priority               = 100\n  status                 = "ENABLE"\n}}\n')
    return "\n".join(out)


def run(args: list[str], cwd: str) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MiB) and exit code of one CLI run."""
    m = measure([VPNFORM, *args], cwd, dict(os.environ, VPNFORM_EMULATOR_DELAY_SCALE="0"))
    return m.wall, m.rss, m.code, m.output


def count_resources(text: str) -> int:
    return text.count('\nresource "') + (1 if text.startswith('resource "') else 0)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000]
    print(f"{'N':>6} {'resources':>9} {'step':<22} {'wall s':>8} {'peak MiB':>9} {'ms/resource':>11}")
    for n in sizes:
        d = tempfile.mkdtemp(prefix=f"vpnform-bench-{n}-")
        try:
            text = generate(n)
            with open(os.path.join(d, "main.tf"), "w") as fh:
                fh.write(text)
            resources = count_resources("\n" + text)
            steps = [("plan (cold parse)", ["plan", "-out=bench.tfplan", "-input=false"]),
                     ("apply (saved plan)", ["apply", "-input=false", "bench.tfplan"]),
                     ("plan (no changes)", ["plan", "-input=false", "-detailed-exitcode"])]
            for label, args in steps:
                wall, rss, rc, out = run(args, d)
                ok = rc == 0  # the last plan must find no changes (-detailed-exitcode)
                if not ok:
                    print(out[-3000:])
                    raise SystemExit(f"{label} failed with exit code {rc}")
                print(f"{n:>6} {resources:>9} {label:<22} {wall:>8.2f} {rss:>9.1f} "
                      f"{wall * 1000 / resources:>11.2f}")
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
