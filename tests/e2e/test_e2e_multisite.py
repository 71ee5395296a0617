"""Acceptance test of examples/multi-site: one hub VPC and VPN gateway, one module instance
per IDC site (for_each over a map). init → plan → apply → plan, then a site is added and
another removed, each touching exactly that site's objects."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from cli import REPO, cloud, errors, plan_summary, resource_headers, run

MULTISITE = REPO / "examples" / "multi-site"

ROOT = ["tencentcloud_route_table.hub", "tencentcloud_vpc.hub", "tencentcloud_vpn_gateway.hub"]


def site_addresses(site: str, lans: list[str]) -> list[str]:
    m = f'module.site["{site}"]'
    return sorted([f"{m}.tencentcloud_subnet.site",
                   f"{m}.tencentcloud_vpn_customer_gateway.idc",
                   f"{m}.tencentcloud_vpn_connection.tunnel"]
                  + [f'{m}.tencentcloud_route_table_entry.to_idc["{lan}"]' for lan in lans])


SH = site_addresses("sh", ["10.1.0.0/24", "10.1.1.0/24"])
BJ = site_addresses("bj", ["10.2.0.0/24"])
GZ = site_addresses("gz", ["10.3.0.0/24"])

TFVARS_GZ = """sites = {
  sh = { public_ip = "202.108.22.5", idc_cidr = "10.1.0.0/16", netnum = 1, lans = 2 }
  bj = { public_ip = "203.0.113.7", idc_cidr = "10.2.0.0/16", netnum = 2 }
  gz = { public_ip = "198.51.100.9", idc_cidr = "10.3.0.0/16", netnum = 3 }
}

shared_cidrs = ["192.168.100.0/24"]
"""

TFVARS_NO_BJ = """sites = {
  sh = { public_ip = "202.108.22.5", idc_cidr = "10.1.0.0/16", netnum = 1, lans = 2 }
  gz = { public_ip = "198.51.100.9", idc_cidr = "10.3.0.0/16", netnum = 3 }
}

shared_cidrs = ["192.168.100.0/24"]
"""


def headers(text: str) -> dict[str, str]:
    """address -> action phrase of a rendered plan."""
    out = {}
    for h in resource_headers(text):
        addr, rest = h.split(" ", 1)
        out[addr] = rest
    return out


def state_list(workdir) -> list[str]:
    res = run(workdir, "state", "list")
    assert res.code == 0, res
    return sorted(res.stdout.split())


def spd(conn: dict) -> list[tuple[str, list[str]]]:
    return [(p["LocalCidrBlock"], sorted(p["RemoteCidrBlock"]))
            for p in conn["SecurityPolicyDatabaseSet"]]


@pytest.fixture
def multisite(tmp_path):
    work = tmp_path / "multi-site"
    shutil.copytree(MULTISITE, work, ignore=shutil.ignore_patterns(
        ".terraform*", ".vpnform", "terraform.tfstate*", "*.tfplan"))
    return work


@pytest.fixture
def applied(multisite):
    res = run(multisite, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 12 added, 0 changed, 0 destroyed." in res.stdout, res
    return multisite


def test_multisite_init_plan_apply_plan(multisite):
    init = run(multisite, "init")
    assert init.code == 0, init
    assert "vpnform has been successfully initialized!" in init.stdout

    plan = run(multisite, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert plan_summary(plan.stdout) == "Plan: 12 to add, 0 to change, 0 to destroy."
    got = headers(plan.stdout)
    assert sorted(got) == sorted(ROOT + SH + BJ), plan
    assert set(got.values()) == {"will be created"}, plan
    # the subnets are carved by cidrsubnet(vpc_cidr, 8, netnum)
    assert re.search(r'\+ cidr_block\s+= "192\.168\.1\.0/24"', plan.stdout), plan
    assert re.search(r'\+ cidr_block\s+= "192\.168\.2\.0/24"', plan.stdout), plan
    assert "multi-site-demo-key" not in plan.output
    assert not (multisite / "terraform.tfstate").exists()

    apply = run(multisite, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 12 added, 0 changed, 0 destroyed." in apply.stdout
    assert "multi-site-demo-key" not in apply.output
    assert state_list(multisite) == sorted(ROOT + SH + BJ)

    # the cloud: one VPC, one gateway, two customer gateways, two tunnels, with the SPD
    # policies carved by cidrsubnet (site subnet + the shared range -> the IDC's LANs)
    inv = cloud(multisite)
    assert len(inv["vpcs"]) == 1 and len(inv["vpn_gateways"]) == 1
    gw = inv["vpn_gateways"][0]["VpnGatewayId"]
    conns = {c["VpnConnectionName"]: c for c in inv["vpn_connections"]}
    assert sorted(conns) == ["bj-tunnel", "sh-tunnel"]
    assert all(c["VpnGatewayId"] == gw for c in conns.values())
    assert spd(conns["sh-tunnel"]) == [
        ("192.168.1.0/24", ["10.1.0.0/24", "10.1.1.0/24"]),
        ("192.168.100.0/24", ["10.1.0.0/24", "10.1.1.0/24"]),
    ]
    assert spd(conns["bj-tunnel"]) == [
        ("192.168.2.0/24", ["10.2.0.0/24"]),
        ("192.168.100.0/24", ["10.2.0.0/24"]),
    ]
    cgws = {g["CustomerGatewayName"]: g["IpAddress"] for g in inv["customer_gateways"]}
    assert cgws == {"sh-idc": "202.108.22.5", "bj-idc": "203.0.113.7"}
    assert conns["sh-tunnel"]["CustomerGatewayId"] == next(
        g["CustomerGatewayId"] for g in inv["customer_gateways"]
        if g["CustomerGatewayName"] == "sh-idc")
    subnets = {s["SubnetName"]: s["CidrBlock"] for s in inv["subnets"]}
    assert subnets == {"sh-subnet": "192.168.1.0/24", "bj-subnet": "192.168.2.0/24"}
    routes = sorted((r["DestinationCidrBlock"], r["GatewayType"], r["GatewayId"])
                    for t in inv["route_tables"] for r in t["RouteSet"])
    assert routes == [("10.1.0.0/24", "VPN", gw), ("10.1.1.0/24", "VPN", gw),
                      ("10.2.0.0/24", "VPN", gw)]

    # the state file: module instances recorded as Terraform records them
    st = json.loads((multisite / "terraform.tfstate").read_text())
    mods = sorted({r.get("module") for r in st["resources"] if r.get("module")})
    assert mods == ['module.site["bj"]', 'module.site["sh"]']
    entries = next(r for r in st["resources"] if r.get("module") == 'module.site["sh"]'
                   and r["type"] == "tencentcloud_route_table_entry")
    assert sorted(i["index_key"] for i in entries["instances"]) == ["10.1.0.0/24",
                                                                     "10.1.1.0/24"]

    # the tunnels output, keyed by site, names the cloud's tunnels
    out = run(multisite, "output", "-json", "tunnels")
    assert out.code == 0, out
    tunnels = json.loads(out.stdout)
    assert sorted(tunnels) == ["bj", "sh"]
    assert tunnels["sh"] == {"connection_id": conns["sh-tunnel"]["VpnConnectionId"],
                             "local_cidrs": ["192.168.1.0/24", "192.168.100.0/24"],
                             "idc_lans": ["10.1.0.0/24", "10.1.1.0/24"]}
    assert tunnels["bj"]["connection_id"] == conns["bj-tunnel"]["VpnConnectionId"]
    assert tunnels["bj"]["idc_lans"] == ["10.2.0.0/24"]

    again = run(multisite, "plan", "-detailed-exitcode")
    assert again.code == 0, again
    assert "No changes." in again.stdout
    assert plan_summary(again.stdout) is None


def test_adding_a_site_plans_and_applies_only_that_site(applied):
    before = {c["VpnConnectionId"] for c in cloud(applied)["vpn_connections"]}
    (applied / "terraform.tfvars").write_text(TFVARS_GZ, encoding="utf-8")
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert plan_summary(plan.stdout) == "Plan: 4 to add, 0 to change, 0 to destroy."
    got = headers(plan.stdout)
    assert sorted(got) == GZ, plan
    assert set(got.values()) == {"will be created"}
    assert re.search(r'\+ cidr_block\s+= "192\.168\.3\.0/24"', plan.stdout), plan

    apply = run(applied, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." in apply.stdout
    assert state_list(applied) == sorted(ROOT + SH + BJ + GZ)
    conns = {c["VpnConnectionName"]: c for c in cloud(applied)["vpn_connections"]}
    assert sorted(conns) == ["bj-tunnel", "gz-tunnel", "sh-tunnel"]
    assert before < {c["VpnConnectionId"] for c in conns.values()}  # nothing replaced
    assert spd(conns["gz-tunnel"]) == [("192.168.3.0/24", ["10.3.0.0/24"]),
                                       ("192.168.100.0/24", ["10.3.0.0/24"])]
    tunnels = json.loads(run(applied, "output", "-json", "tunnels").stdout)
    assert sorted(tunnels) == ["bj", "gz", "sh"]
    assert tunnels["gz"]["connection_id"] == conns["gz-tunnel"]["VpnConnectionId"]

    assert run(applied, "plan", "-detailed-exitcode").code == 0

    # removing bj plans exactly bj's four objects for destruction, each with the reason
    (applied / "terraform.tfvars").write_text(TFVARS_NO_BJ, encoding="utf-8")
    plan = run(applied, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert plan_summary(plan.stdout) == "Plan: 0 to add, 0 to change, 4 to destroy."
    got = headers(plan.stdout)
    assert sorted(got) == BJ, plan
    assert set(got.values()) == {"will be destroyed"}
    for addr in BJ:
        assert (f"  # {addr} will be destroyed\n"
                '  # (because module.site["bj"] is not in configuration)\n') in plan.stdout, plan

    apply = run(applied, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 0 added, 0 changed, 4 destroyed." in apply.stdout
    assert state_list(applied) == sorted(ROOT + SH + GZ)
    inv = cloud(applied)
    assert sorted(c["VpnConnectionName"] for c in inv["vpn_connections"]) == [
        "gz-tunnel", "sh-tunnel"]
    assert sorted(g["CustomerGatewayName"] for g in inv["customer_gateways"]) == [
        "gz-idc", "sh-idc"]
    assert sorted(s["SubnetName"] for s in inv["subnets"]) == ["gz-subnet", "sh-subnet"]
    tunnels = json.loads(run(applied, "output", "-json", "tunnels").stdout)
    assert sorted(tunnels) == ["gz", "sh"]
    assert run(applied, "plan", "-detailed-exitcode").code == 0


def test_adding_a_site_with_var_flag_plans_only_that_site(applied):
    sites = ('sites={sh={public_ip="202.108.22.5",idc_cidr="10.1.0.0/16",netnum=1,lans=2},'
             'bj={public_ip="203.0.113.7",idc_cidr="10.2.0.0/16",netnum=2},'
             'gz={public_ip="198.51.100.9",idc_cidr="10.3.0.0/16",netnum=3}}')
    plan = run(applied, "plan", "-var", sites)
    assert plan.code == 0, plan
    assert plan_summary(plan.stdout) == "Plan: 4 to add, 0 to change, 0 to destroy."
    assert sorted(headers(plan.stdout)) == GZ, plan
    # the output changes by one key
    assert re.search(r"~ tunnels\s+= \{\n(.*\n)*?\s+\+ gz = \{", plan.stdout), plan


def test_two_sites_sharing_a_netnum_are_refused(multisite):
    tfvars = TFVARS_GZ.replace("netnum = 3", "netnum = 2")
    (multisite / "terraform.tfvars").write_text(tfvars, encoding="utf-8")
    plan = run(multisite, "plan")
    assert plan.code == 1, plan
    errs = errors(plan.stderr)
    assert [e.summary for e in errs] == ["Invalid value for variable"], plan
    assert "Each site needs its own netnum" in errs[0].detail


def test_destroy_removes_every_site(applied):
    res = run(applied, "destroy", "-auto-approve")
    assert res.code == 0, res
    assert "Destroy complete! Resources: 12 destroyed." in res.stdout
    inv = cloud(applied)
    assert {k: v for k, v in inv.items() if k != "route_tables" and v} == {}
    assert run(applied, "state", "list").stdout.strip() == ""
