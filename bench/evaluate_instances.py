#!/usr/bin/env python3
"""Evaluating a configuration of N resource instances made by for_each over an N-entry map.

Two shapes, each in a fresh directory, through the real CLI (no state, embedded
emulator; plan reads nothing from the cloud, so the figures are the language's and the
planner's own):

- ``resource``: one ``tencentcloud_subnet`` block with ``for_each = var.sites`` (the map
  given in terraform.tfvars), every argument computed from ``each.value`` with
  ``cidrsubnet``, templates and a conditional;
- ``module``: the same subnet inside a module called with ``for_each = var.sites``
  (N module instances, each evaluating its own inputs).

For each shape: ``plan`` twice (every instance evaluated, decoded, provider-planned and
rendered): cold, then again with the syntax trees of the unchanged files (the N-line
terraform.tfvars included) taken from the parse cache; wall time and peak RSS.

    .venv/bin/python bench/evaluate_instances.py            # N = 10000
    .venv/bin/python bench/evaluate_instances.py 1000 10000
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plan_apply import run  # noqa: E402 - the same subprocess timing helper

PROVIDER = """terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "sites" {
  type = map(object({
    netnum = number
    tier   = string
  }))
}

resource "tencentcloud_vpc" "hub" {
  name       = "hub"
  cidr_block = "10.0.0.0/8"
}
"""

SUBNET = """resource "tencentcloud_subnet" "site" {
  for_each = var.sites

  name              = "site-${each.key}-${each.value.tier}"
  vpc_id            = tencentcloud_vpc.hub.id
  cidr_block        = cidrsubnet("10.0.0.0/8", 16, each.value.netnum)
  availability_zone = each.value.tier == "gold" ? "ap-guangzhou-3" : "ap-guangzhou-4"
}
"""

MODULE_CALL = """module "site" {
  source   = "./modules/site"
  for_each = var.sites

  name   = each.key
  vpc_id = tencentcloud_vpc.hub.id
  netnum = each.value.netnum
  tier   = each.value.tier
}
"""

MODULE = """variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "netnum" {
  type = number
}

variable "tier" {
  type = string
}

resource "tencentcloud_subnet" "site" {
  name              = "site-${var.name}-${var.tier}"
  vpc_id            = var.vpc_id
  cidr_block        = cidrsubnet("10.0.0.0/8", 16, var.netnum)
  availability_zone = var.tier == "gold" ? "ap-guangzhou-3" : "ap-guangzhou-4"
}
"""


def tfvars(n: int) -> str:
    lines = ["sites = {"]
    for i in range(n):
        lines.append(f'  s{i:05d} = {{ netnum = {i}, tier = "{"gold" if i % 3 == 0 else "std"}" }}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def write(d: str, shape: str, n: int) -> None:
    with open(os.path.join(d, "main.tf"), "w") as fh:
        fh.write(PROVIDER + "\n" + (SUBNET if shape == "resource" else MODULE_CALL))
    with open(os.path.join(d, "terraform.tfvars"), "w") as fh:
        fh.write(tfvars(n))
    if shape == "module":
        os.makedirs(os.path.join(d, "modules", "site"))
        with open(os.path.join(d, "modules", "site", "main.tf"), "w") as fh:
            fh.write(MODULE)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10000]
    print(f"{'N':>6} {'shape':<9} {'step':<14} {'wall s':>8} {'peak MiB':>9} {'ms/instance':>11}")
    for n in sizes:
        for shape in ("resource", "module"):
            d = tempfile.mkdtemp(prefix=f"vpnform-eval-{shape}-{n}-")
            try:
                write(d, shape, n)
                for label, args in (("plan (cold)", ["plan", "-input=false"]),
                                    ("plan (parsed)", ["plan", "-input=false"])):
                    wall, rss, rc, out = run(args, d)
                    if rc != 0:
                        print(out[-3000:])
                        raise SystemExit(f"{shape} {label} failed with exit code {rc}")
                    if label.startswith("plan"):
                        want = f"Plan: {n + 1} to add, 0 to change, 0 to destroy."
                        if want not in out:
                            raise SystemExit(f"{shape} plan did not plan {n + 1} objects")
                    print(f"{n:>6} {shape:<9} {label:<14} {wall:>8.2f} {rss:>9.1f} "
                          f"{wall * 1000 / n:>11.3f}", flush=True)
            finally:
                shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
