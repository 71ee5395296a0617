"""Reachability at plan time (issue #13 §1), through the real CLI and the embedded emulator:
each warning tripped by a configuration and its file:line, configurations that pass, unknown
values that give no warning, and ``graph -type=reachability`` in its three formats."""

from __future__ import annotations

import json
import shutil

from cli import REPO, diagnostics, run, write_config

REACH_SUMMARIES = {"No route for SPD pair", "VPN route not covered by SPD", "Route shadowed",
                   "SPD local range outside VPC", "Tunnel without route",
                   "Gateway route to absent tunnel"}

# The quick start with literals; ROUTES and EXTRA are replaced per test.
BASE = """\
terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "192.168.0.0/16"
}

resource "tencentcloud_route_table" "rt" {
  vpc_id = tencentcloud_vpc.v.id
  name   = "rt"
}

resource "tencentcloud_subnet" "a" {
  vpc_id            = tencentcloud_vpc.v.id
  name              = "a"
  cidr_block        = "192.168.1.0/24"
  availability_zone = "ap-guangzhou-3"
  SUBNET_ROUTE_TABLE
}

resource "tencentcloud_vpn_gateway" "gw" {
  name      = "gw"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = 5
  zone      = "ap-guangzhou-3"
}

resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "idc"
  public_ip_address = "202.108.22.5"
}

resource "tencentcloud_vpn_connection" "c" {
  name                = "c"
  vpc_id              = tencentcloud_vpc.v.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.gw.id
  customer_gateway_id = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key       = "reach-test-key"

  security_group_policy {
    local_cidr_block  = "LOCAL"
    remote_cidr_block = ["10.0.1.0/24"]
  }
}
"""

VPN_ROUTE = """
resource "tencentcloud_route_table_entry" "to_idc" {
  route_table_id         = tencentcloud_route_table.rt.id
  destination_cidr_block = "DEST"
  next_type              = "VPN"
  next_hub               = tencentcloud_vpn_gateway.gw.id
}
"""


def config(tmp_path, *, local="192.168.1.0/24", dest="10.0.1.0/24", route=True, extra="",
           subnet_table=True):
    text = BASE.replace("LOCAL", local).replace(
        "SUBNET_ROUTE_TABLE",
        "route_table_id    = tencentcloud_route_table.rt.id" if subnet_table else "")
    if route:
        text += VPN_ROUTE.replace("DEST", dest)
    return write_config(tmp_path / "cfg", text + extra)


def line_of(workdir, needle: str, after: str = "") -> int:
    lines = (workdir / "main.tf").read_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if after in ln) if after else 0
    return next(i for i, ln in enumerate(lines) if i >= start and needle in ln) + 1


def reach_warnings(workdir):
    res = run(workdir, "plan")
    assert res.code == 0, res
    return [d for d in diagnostics(res.output) if d.summary in REACH_SUMMARIES], res


def test_a_complete_path_plans_without_reachability_warnings(tmp_path):
    ws, res = reach_warnings(config(tmp_path))
    assert ws == [], res


def test_quickstart_has_no_reachability_warning(quickstart):
    ws, res = reach_warnings(quickstart)
    assert ws == [], res


def test_spd_pair_with_no_route_is_named_at_the_spd_and_the_tunnel(tmp_path):
    wd = config(tmp_path, route=False)
    ws, res = reach_warnings(wd)
    by = {d.summary: d for d in ws}
    assert set(by) == {"No route for SPD pair", "Tunnel without route"}, res
    pair = by["No route for SPD pair"]
    assert (pair.filename, pair.line) == ("main.tf", line_of(wd, "remote_cidr_block")), res
    assert "192.168.1.0/24" in pair.detail and "10.0.1.0/24" in pair.detail
    tunnel = by["Tunnel without route"]
    assert (tunnel.filename, tunnel.line) == (
        "main.tf", line_of(wd, 'resource "tencentcloud_vpn_connection" "c"')), res


def test_vpn_route_no_spd_covers(tmp_path):
    extra = VPN_ROUTE.replace("to_idc", "stray").replace("DEST", "10.9.0.0/24")
    wd = config(tmp_path, extra=extra)
    ws, res = reach_warnings(wd)
    assert [d.summary for d in ws] == ["VPN route not covered by SPD"], res
    assert (ws[0].filename, ws[0].line) == (
        "main.tf", line_of(wd, '"10.9.0.0/24"')), res
    assert "tencentcloud_route_table_entry.stray" in ws[0].detail


def test_route_shadowed_by_a_more_specific_route_elsewhere(tmp_path):
    extra = """
resource "tencentcloud_route_table_entry" "to_cvm" {
  route_table_id         = tencentcloud_route_table.rt.id
  destination_cidr_block = "10.0.1.0/25"
  next_type              = "CVM"
  next_hub               = "192.168.1.10"
}
"""
    wd = config(tmp_path, extra=extra)
    ws, res = reach_warnings(wd)
    assert [d.summary for d in ws] == ["Route shadowed"], res
    d = ws[0]
    assert (d.filename, d.line) == (
        "main.tf", line_of(wd, "destination_cidr_block", after='"to_idc"')), res
    assert "tencentcloud_route_table_entry.to_cvm" in d.detail and "10.0.1.0/25" in d.detail


def test_spd_local_range_outside_the_vpc(tmp_path):
    wd = config(tmp_path, local="172.16.0.0/24")
    ws, res = reach_warnings(wd)
    assert [d.summary for d in ws] == ["SPD local range outside VPC"], res
    assert (ws[0].filename, ws[0].line) == ("main.tf", line_of(wd, '"172.16.0.0/24"')), res
    assert "192.168.0.0/16" in ws[0].detail


def test_gateway_route_whose_tunnel_is_absent(tmp_path):
    extra = """
resource "tencentcloud_vpn_gateway_route" "gr" {
  vpn_gateway_id         = tencentcloud_vpn_gateway.gw.id
  destination_cidr_block = "10.0.1.0/24"
  instance_type          = "VPNCONN"
  instance_id            = "vpnx-0000dead"
  priority               = 100
  status                 = "ENABLE"
}
"""
    wd = config(tmp_path, extra=extra)
    ws, res = reach_warnings(wd)
    assert [d.summary for d in ws] == ["Gateway route to absent tunnel"], res
    assert (ws[0].filename, ws[0].line) == ("main.tf", line_of(wd, '"vpnx-0000dead"')), res


def test_gateway_route_to_a_planned_tunnel_passes(tmp_path):
    extra = """
resource "tencentcloud_vpn_gateway_route" "gr" {
  vpn_gateway_id         = tencentcloud_vpn_gateway.gw.id
  destination_cidr_block = "10.0.1.0/24"
  instance_type          = "VPNCONN"
  instance_id            = tencentcloud_vpn_connection.c.id
  priority               = 100
  status                 = "ENABLE"
}
"""
    ws, res = reach_warnings(config(tmp_path, extra=extra))
    assert ws == [], res


def test_a_route_table_not_known_until_apply_gives_no_warning(tmp_path):
    """The subnet's route table is the VPC's default one, whose ID only apply knows: the
    pair is "unknown", not a missing route."""
    wd = config(tmp_path, subnet_table=False)
    ws, res = reach_warnings(wd)
    assert ws == [], res
    res = run(wd, "graph", "-type=reachability", "-format=json")
    assert res.code == 0, res
    [pair] = json.loads(res.stdout)["pairs"]
    assert pair["status"] == "unknown" and "until apply" in pair["reason"]


def test_a_subnet_of_another_vpc_with_the_same_range_is_not_a_pair(tmp_path):
    extra = """
resource "tencentcloud_vpc" "other" {
  name       = "other"
  cidr_block = "192.168.0.0/16"
}

resource "tencentcloud_route_table" "other" {
  vpc_id = tencentcloud_vpc.other.id
  name   = "other"
}

resource "tencentcloud_subnet" "other" {
  vpc_id            = tencentcloud_vpc.other.id
  name              = "other"
  cidr_block        = "192.168.1.0/24"
  availability_zone = "ap-guangzhou-3"
  route_table_id    = tencentcloud_route_table.other.id
}
"""
    wd = config(tmp_path, extra=extra)
    ws, res = reach_warnings(wd)
    assert ws == [], res
    res = run(wd, "graph", "-type=reachability", "-format=json")
    status = {p["subnet"]: p["status"] for p in json.loads(res.stdout)["pairs"]}
    assert status == {"tencentcloud_subnet.a": "reachable",
                      "tencentcloud_subnet.other": "undeclared"}, res


def test_graph_reachability_of_a_gap_names_the_reason(tmp_path):
    res = run(config(tmp_path, route=False), "graph", "-type=reachability", "-format=table")
    assert res.code == 0, res
    assert "UNREACHABLE: no route for 10.0.1.0/24" in res.stdout
    assert "0 reachable, 1 unreachable" in res.stdout


# --- examples/multi-site ----------------------------------------------------------------------

def _multi_site(tmp_path):
    dst = tmp_path / "multi-site"
    shutil.copytree(REPO / "examples" / "multi-site", dst)
    return dst


SH = 'module.site["sh"]'
BJ = 'module.site["bj"]'


def test_multi_site_matrix_in_json(tmp_path):
    res = run(_multi_site(tmp_path), "graph", "-type=reachability", "-format=json")
    assert res.code == 0, res
    pairs = {(p["local_cidr"], p["remote_cidr"]): p for p in json.loads(res.stdout)["pairs"]}
    assert len(pairs) == 9
    for local, remote, site in [("192.168.1.0/24", "10.1.0.0/24", SH),
                                ("192.168.1.0/24", "10.1.1.0/24", SH),
                                ("192.168.2.0/24", "10.2.0.0/24", BJ)]:
        p = pairs[(local, remote)]
        assert p["status"] == "reachable", p
        assert p["subnet"] == f"{site}.tencentcloud_subnet.site"
        assert p["tunnel"] == f"{site}.tencentcloud_vpn_connection.tunnel"
        assert p["customer_gateway"] == f"{site}.tencentcloud_vpn_customer_gateway.idc"
        assert p["route"] == f'{site}.tencentcloud_route_table_entry.to_idc["{remote}"]'
    assert pairs[("192.168.1.0/24", "10.2.0.0/24")]["status"] == "undeclared"
    assert pairs[("192.168.2.0/24", "10.1.0.0/24")]["status"] == "undeclared"
    # the shared range is in every site's SPD, but no subnet of the configuration lies in it
    for remote in ("10.1.0.0/24", "10.1.1.0/24", "10.2.0.0/24"):
        assert pairs[("192.168.100.0/24", remote)]["status"] == "no-subnet"


def test_multi_site_matrix_as_table_and_dot(tmp_path):
    wd = _multi_site(tmp_path)
    table = run(wd, "graph", "-type=reachability", "-format=table")
    assert table.code == 0, table
    rows = [ln.split() for ln in table.stdout.splitlines()]
    assert [f"{SH}.tencentcloud_subnet.site", "192.168.1.0/24", "10.1.0.0/24",
            f"{SH}.tencentcloud_vpn_connection.tunnel"] in rows, table
    assert "3 reachable, 0 unreachable, 0 unknown until apply, 3 with no subnet." in table.stdout
    dot = run(wd, "graph", "-type=reachability")
    assert dot.code == 0, dot
    assert dot.stdout.startswith("digraph reachability {")
    assert (f'"{SH.replace(chr(34), chr(92) + chr(34))}.tencentcloud_subnet.site (192.168.1.0/24)"'
            ' -> "10.1.0.0/24"') in dot.stdout
    # undeclared pairs are not drawn: 3 reachable + 3 with no subnet
    assert dot.stdout.count(" -> ") == 6


def test_multi_site_plans_without_reachability_warnings(tmp_path):
    ws, res = reach_warnings(_multi_site(tmp_path))
    assert ws == [], res


def test_format_needs_the_reachability_type(quickstart):
    res = run(quickstart, "graph", "-format=table")
    assert res.code != 0 and "-type=reachability" in res.output, res
    res = run(quickstart, "graph", "-type=reachability", "-format=xml")
    assert res.code != 0 and "dot, table, json" in res.output, res



def test_a_route_made_outside_vpnform_that_shadows_the_tunnel_is_found(applied):
    """The cloud's own routes count: a more specific route added to the quick start's route
    table outside vpnform takes part of the IDC range away from the tunnel."""
    assert reach_warnings(applied)[0] == []
    tables = run(applied, "cloud", "DescribeRouteTables", "Filters.0.Name=route-table-name",
                 "Filters.0.Values.0=TomRouteTable")
    assert tables.code == 0, tables
    [rtb] = [t["RouteTableId"] for t in json.loads(tables.stdout)["RouteTableSet"]]
    made = run(applied, "cloud", "CreateRoutes", f"RouteTableId={rtb}",
               "Routes.0.DestinationCidrBlock=10.0.1.128/25", "Routes.0.GatewayType=CVM",
               "Routes.0.GatewayId=192.168.1.9")
    assert made.code == 0, made
    ws, res = reach_warnings(applied)
    assert [d.summary for d in ws] == ["Route shadowed"], res
    assert ws[0].address == "tencentcloud_route_table_entry.to_idc"
    assert f"of {rtb} (10.0.1.128/25 → CVM 192.168.1.9)" in ws[0].detail
    table = run(applied, "graph", "-type=reachability", "-format=table")
    assert "UNREACHABLE: the VPN route tencentcloud_route_table_entry.to_idc" in table.stdout
