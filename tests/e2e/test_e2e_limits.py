"""Limit diagnostics point at what makes too many (issue #9).

Every limit of the product rules, with the objects made by one ``count``, by one
``for_each`` or by separate blocks (for the per-tunnel SPD limits: separate nested blocks or
a dynamic block, a literal list or a ``for`` expression). ``vpnform plan`` must fail with one
``Limit exceeded`` error located at the ``count``/``for_each`` argument when the instances
come from one block, else at the block (or element) that crosses the limit, and show that
source line.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cli import errors, position, run, source_line, write_config

HEAD = '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "10.10.0.0/16"
}
'''

GATEWAY = '''
resource "tencentcloud_vpn_gateway" "gw" {
  name      = "gw"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = 5
}
'''

CUSTOMER_GATEWAYS = '''
resource "tencentcloud_vpn_customer_gateway" "cgw" {
  count             = 3
  name              = "cgw-${count.index}"
  public_ip_address = "198.51.100.${count.index + 1}"
}
'''

ONE_CUSTOMER_GATEWAY = '''
resource "tencentcloud_vpn_customer_gateway" "one" {
  name              = "one"
  public_ip_address = "198.51.100.10"
}
'''

SPD = '''\
  security_group_policy {
    local_cidr_block  = "10.10.1.0/24"
    remote_cidr_block = ["172.16.0.0/16"]
  }'''


@dataclass
class Limit:
    type: str
    maximum: int
    name: str  # as the detail names the limit
    prelude: str  # what the limited objects need
    body: str  # the block's arguments; {i} is the instance's number


LIMITS = {
    "gateways_per_vpc": Limit(
        "tencentcloud_vpn_gateway", 10, "VPN gateways per VPC", "",
        '  name      = "gw-{i}"\n  vpc_id    = tencentcloud_vpc.v.id\n  bandwidth = 5\n'),
    "customer_gateways_per_region": Limit(
        "tencentcloud_vpn_customer_gateway", 20, "customer gateways per region", "",
        '  name              = "cgw-{i}"\n  public_ip_address = "203.0.113.{i1}"\n'),
    "tunnels_per_customer_gateway": Limit(
        "tencentcloud_vpn_connection", 10, "tunnels per customer gateway",
        GATEWAY + ONE_CUSTOMER_GATEWAY,
        '  name                = "t-{i}"\n  vpc_id              = tencentcloud_vpc.v.id\n'
        '  vpn_gateway_id      = tencentcloud_vpn_gateway.gw.id\n'
        '  customer_gateway_id = tencentcloud_vpn_customer_gateway.one.id\n'
        '  pre_share_key       = "limit-psk"\n' + SPD + "\n"),
    # 21 tunnels on one gateway, spread over three customer gateways (10 tunnels each at
    # most), so only the gateway's limit is crossed.
    "tunnels_per_vpn_gateway": Limit(
        "tencentcloud_vpn_connection", 20, "tunnels per VPN gateway",
        GATEWAY + CUSTOMER_GATEWAYS,
        '  name                = "t-{i}"\n  vpc_id              = tencentcloud_vpc.v.id\n'
        '  vpn_gateway_id      = tencentcloud_vpn_gateway.gw.id\n'
        '  customer_gateway_id = tencentcloud_vpn_customer_gateway.cgw[{i3}].id\n'
        '  pre_share_key       = "limit-psk"\n' + SPD + "\n"),
}


def _body(limit: Limit, i: str, i1: str, i3: str) -> str:
    return limit.body.replace("{i}", i).replace("{i1}", i1).replace("{i3}", i3)


def limited_config(limit: Limit, form: str) -> tuple[str, tuple[str, str], str]:
    """(configuration, (text on the expected line, token where the range starts), address
    of the first instance past the limit) for one more object than ``limit`` allows."""
    n = limit.maximum + 1
    text = HEAD + limit.prelude
    if form == "count":
        text += (f'\nresource "{limit.type}" "x" {{\n  count = {n}\n'
                 + _body(limit, "${count.index}", "${count.index + 1}", "${count.index % 3}")
                 + "}\n")
        text = text.replace("cgw[${count.index % 3}]", "cgw[count.index % 3]")
        return text, (f"count = {n}", str(n)), f"{limit.type}.x[{n - 1}]"
    if form == "for_each":
        text += (f'\nresource "{limit.type}" "x" {{\n'
                 f'  for_each = {{ for i in range({n}) : "k${{i}}" => i }}\n'
                 + _body(limit, "${each.value}", "${each.value + 1}", "${each.value % 3}")
                 + "}\n")
        text = text.replace("cgw[${each.value % 3}]", "cgw[each.value % 3]")
        return text, ("for_each = ", "{"), f'{limit.type}.x["k{n - 1}"]'
    assert form == "blocks"
    for i in range(n):
        text += (f'\nresource "{limit.type}" "x{i}" {{\n'
                 + _body(limit, str(i), str(i + 1), str(i % 3)) + "}\n")
    return text, (f'"{limit.type}" "x{n - 1}"', "resource"), f"{limit.type}.x{n - 1}"


def _assert_located(res, text: str, at: tuple[str, str], address: str, detail: tuple[str, ...]):
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert len(errs) == 1, res
    [d] = errs
    assert d.summary == "Limit exceeded", res
    assert (d.filename, d.line, d.col) == ("main.tf", *position(text, *at)), res
    assert f"on main.tf:{d.line},{d.col}" in res.stderr
    assert d.source == source_line(text, d.line), res
    assert d.caret_col == d.col and d.caret_width >= 1, res
    assert d.address == address, res
    for phrase in detail:
        assert phrase in d.detail, res
    assert "limit-psk" not in res.output


@pytest.mark.parametrize("form", ["count", "for_each", "blocks"])
@pytest.mark.parametrize("kind", list(LIMITS))
def test_limit_points_at_what_makes_too_many(tmp_path, kind, form):
    limit = LIMITS[kind]
    text, at, address = limited_config(limit, form)
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, "plan")
    _assert_located(res, text, at, address,
                    (f"at most {limit.maximum} (limit: {limit.name})",))
    assert not (workdir / "terraform.tfstate").exists()


def test_limit_at_the_limit_plans(tmp_path):
    limit = LIMITS["customer_gateways_per_region"]
    text, _, _ = limited_config(limit, "count")
    workdir = write_config(tmp_path / "cfg", text.replace("count = 21", "count = 20"))
    res = run(workdir, "plan", "-detailed-exitcode")
    assert res.code == 2, res


def test_a_count_far_past_the_limit_is_one_error(tmp_path):
    """25 customer gateways from one count: one error on the count, not one per instance."""
    limit = LIMITS["customer_gateways_per_region"]
    text, _, _ = limited_config(limit, "count")
    text = text.replace("count = 21", "count = 25")
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, "plan")
    _assert_located(res, text, ("count = 25", "25"), f"{limit.type}.x[20]",
                    ("This would make 25 customer gateways",))


# --- the per-tunnel limits: SPD policies and peer ranges ------------------------------------

def connection(spd: str) -> str:
    return HEAD + GATEWAY + CUSTOMER_GATEWAYS + f'''
resource "tencentcloud_vpn_connection" "c" {{
  name                = "c"
  vpc_id              = tencentcloud_vpc.v.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.gw.id
  customer_gateway_id = tencentcloud_vpn_customer_gateway.cgw[0].id
  pre_share_key       = "limit-psk"
{spd}
}}
'''


def _policy(i: int) -> str:
    return (f'  security_group_policy {{\n    local_cidr_block  = "10.10.{i}.0/24"\n'
            f'    remote_cidr_block = ["172.16.{i}.0/24"]\n  }}')


SPD_CASES = {
    # 11 policies: the 11th block, or the dynamic block that generates them.
    "policies-blocks": ("\n".join(_policy(i) for i in range(11)),
                        ("security_group_policy {", "security_group_policy", 10),
                        "at most 10 (limit: SPD policies per tunnel)"),
    "policies-dynamic": ('''\
  dynamic "security_group_policy" {
    for_each = range(11)
    content {
      local_cidr_block  = "10.10.${security_group_policy.value}.0/24"
      remote_cidr_block = ["172.16.${security_group_policy.value}.0/24"]
    }
  }''', ('dynamic "security_group_policy"', "dynamic", 0),
        "at most 10 (limit: SPD policies per tunnel)"),
    # 51 peer ranges (a set: its order is not the order written): the list as a whole,
    # literal or made by an expression.
    "peers-literal": ("  security_group_policy {\n    local_cidr_block  = \"10.10.1.0/24\"\n"
                      "    remote_cidr_block = ["
                      + ", ".join(f'"172.16.{i}.0/24"' for i in range(51)) + "]\n  }",
                      ("remote_cidr_block", "[", 0),
                      "at most 50 (limit: peer ranges per SPD policy)"),
    "peers-for": ('''\
  security_group_policy {
    local_cidr_block  = "10.10.1.0/24"
    remote_cidr_block = [for i in range(51) : "172.16.${i}.0/24"]
  }''', ("remote_cidr_block", "[for", 0), "at most 50 (limit: peer ranges per SPD policy)"),
}


@pytest.mark.parametrize("name", list(SPD_CASES))
def test_spd_limit_points_at_what_makes_too_many(tmp_path, name):
    spd, (line, token, nth), detail = SPD_CASES[name]
    text = connection(spd)
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, "plan")
    assert res.code == 1, res
    [d] = errors(res.stderr)
    assert d.summary == "Limit exceeded", res
    assert (d.filename, d.line, d.col) == ("main.tf", *position(text, line, token, nth)), res
    assert d.source == source_line(text, d.line) and d.caret_col == d.col, res
    assert d.address == "tencentcloud_vpn_connection.c", res
    assert detail in d.detail, res
    assert "limit-psk" not in res.output
