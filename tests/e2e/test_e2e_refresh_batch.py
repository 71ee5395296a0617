"""A no-change plan of many objects refreshes them in batches (issue #14): a Describe call
names up to 100 objects of one type, so the emulated cloud's call log shows a few calls per
type, not one per object — and what changed outside vpnform is still found: an object
deleted, an object renamed, in the plan and with -refresh-only."""

from __future__ import annotations

import math
import re
import sqlite3

import pytest
from cli import plan_summary, run, write_config

ENTRIES = 150
SUBNETS = 60

CONFIG = f'''
provider "tencentcloud" {{
  region = "ap-guangzhou"
}}

resource "tencentcloud_vpc" "v" {{
  name       = "batch"
  cidr_block = "10.0.0.0/16"
}}

resource "tencentcloud_route_table" "t" {{
  vpc_id = tencentcloud_vpc.v.id
  name   = "batch"
}}

resource "tencentcloud_vpn_gateway" "g" {{
  name      = "batch"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = 5
  zone      = "ap-guangzhou-3"
}}

resource "tencentcloud_subnet" "s" {{
  count             = {SUBNETS}
  vpc_id            = tencentcloud_vpc.v.id
  name              = "s-${{count.index}}"
  cidr_block        = "10.0.${{count.index}}.0/24"
  availability_zone = "ap-guangzhou-3"
}}

resource "tencentcloud_route_table_entry" "e" {{
  count                  = {ENTRIES}
  route_table_id         = tencentcloud_route_table.t.id
  destination_cidr_block = "172.16.${{count.index}}.0/24"
  next_type              = "VPN"
  next_hub               = tencentcloud_vpn_gateway.g.id
}}
'''


def _calls(workdir) -> list[str]:
    with sqlite3.connect(str(workdir / ".vpnform" / "cloud.db")) as db:
        return [a for (a,) in db.execute("SELECT action FROM calls ORDER BY id")]


def _console(workdir, expr: str) -> str:
    return run(workdir, "console", input=expr + "\n").stdout.strip().strip('"')


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    workdir = write_config(tmp_path_factory.mktemp("batch"), CONFIG)
    res = run(workdir, "apply", "-auto-approve", timeout=300)
    assert res.code == 0, res
    return workdir


def test_a_no_change_plan_describes_each_type_in_batches_of_100(many):
    before = len(_calls(many))
    res = run(many, "plan", "-detailed-exitcode", timeout=300)
    assert res.code == 0, res
    calls = _calls(many)[before:]
    counts: dict[str, int] = {}
    for action in calls:
        counts[action] = counts.get(action, 0) + 1
    # the subnets: one call for all 60; the entries' route table: one call a batch of 100
    # (and a few for the table itself, the VPC's main table and the plan's checks)
    assert counts.get("DescribeSubnets", 0) == math.ceil(SUBNETS / 100), counts
    assert counts.get("DescribeRouteTables", 0) <= math.ceil(ENTRIES / 100) + 4, counts
    describes = sum(n for a, n in counts.items() if a.startswith("Describe"))
    assert describes < 20, counts  # one a object would be over 210


def test_drift_is_found_in_a_batched_refresh(many):
    subnet = _console(many, "tencentcloud_subnet.s[7].id")
    rtb = _console(many, "tencentcloud_route_table.t.id")
    entry = _console(many, "tencentcloud_route_table_entry.e[120].route_entry_id")
    res = run(many, "cloud", "ModifySubnetAttribute", f"SubnetId={subnet}",
              "SubnetName=renamed-outside")
    assert res.code == 0, res
    res = run(many, "cloud", "DeleteRoutes", f"RouteTableId={rtb}",
              f"Routes.0.RouteId={entry}")
    assert res.code == 0, res

    res = run(many, "plan", "-detailed-exitcode", timeout=300)
    assert res.code == 2, res
    assert re.findall(r"^  # (\S+ .+)$", res.stdout.split("─" * 77, 1)[0],
                      flags=re.MULTILINE) == [
        "tencentcloud_route_table_entry.e[120] has been deleted",
        "tencentcloud_subnet.s[7] has changed"]
    assert plan_summary(res.stdout) == "Plan: 1 to add, 1 to change, 0 to destroy."

    # -refresh-only records what was read, and plans nothing else
    res = run(many, "apply", "-refresh-only", "-auto-approve", timeout=300)
    assert res.code == 0, res
    assert _console(many, "tencentcloud_subnet.s[7].name") == "renamed-outside"
    res = run(many, "plan", "-detailed-exitcode", timeout=300)
    assert res.code == 2, res
    assert plan_summary(res.stdout) == "Plan: 1 to add, 1 to change, 0 to destroy."
