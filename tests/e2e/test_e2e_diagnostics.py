"""Plan-time diagnostics as a user sees them: the VPN product's rules (SPD, customer
gateway address, limits, bandwidth, DH group), dependency cycles and language errors.

Each case writes a small configuration, runs ``vpnform plan`` and checks: exit 1, one
``Error: <summary>`` on stderr, ``on main.tf:LINE,COL`` computed from the fixture text, the
source line quoted with a ``^`` marker under the offending range, no traceback, the PSK
nowhere in the output, and nothing applied (no state file, an empty emulated cloud).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from cli import (cloud, cloud_is_empty, diagnostics, errors, position, run, source_line,
                 write_config)

from providers.tencentcloud.reachability import SUMMARIES as REACHABILITY

PSK = "Rule-Matrix-PSK-q8Zt3v"
ENV = {"TF_VAR_psk": PSK}

BASE = '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "psk" {
  type      = string
  sensitive = true
}

resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "10.10.0.0/16"
}

resource "tencentcloud_vpn_gateway" "gw" {
  name      = "gw"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = @BANDWIDTH@
  zone      = "ap-guangzhou-3"
}

resource "tencentcloud_vpn_customer_gateway" "cgw" {
  name              = "cgw"
  public_ip_address = "@CGW_IP@"
}

resource "tencentcloud_vpn_connection" "c" {
  name                = "c"
  vpc_id              = tencentcloud_vpc.v.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.gw.id
  customer_gateway_id = tencentcloud_vpn_customer_gateway.cgw.id
  pre_share_key       = var.psk
  ike_dh_group_name   = "@DH@"
@SPD@
}
'''

GOOD_SPD = '''\
  security_group_policy {
    local_cidr_block  = "10.10.1.0/24"
    remote_cidr_block = ["172.16.0.0/16"]
  }'''


def config(bandwidth: str = "5", cgw_ip: str = "203.0.113.10", dh: str = "GROUP2",
           spd: str = GOOD_SPD) -> str:
    return (BASE.replace("@BANDWIDTH@", bandwidth).replace("@CGW_IP@", cgw_ip)
            .replace("@DH@", dh).replace("@SPD@", spd))


def spd(*policies: tuple[str, list[str]]) -> str:
    blocks = []
    for local, remotes in policies:
        rs = ", ".join(f'"{r}"' for r in remotes)
        blocks.append(f'  security_group_policy {{\n    local_cidr_block  = "{local}"\n'
                      f'    remote_cidr_block = [{rs}]\n  }}')
    return "\n".join(blocks)


@dataclass
class Case:
    text: str
    summary: str
    at: tuple[str, str]  # (text on the offending line, token where the range starts)
    detail: str  # a phrase the detail must contain
    address: str | None = None
    nth: int = 0  # which line containing at[0]


def gateways_count(n: int) -> str:
    return f'''\
provider "tencentcloud" {{
  region = "ap-guangzhou"
}}

resource "tencentcloud_vpc" "v" {{
  name       = "v"
  cidr_block = "10.10.0.0/16"
}}

resource "tencentcloud_vpn_gateway" "gw" {{
  count     = {n}
  name      = "gw-${{count.index}}"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = 5
}}
'''


def gateways_blocks(n: int) -> str:
    text = '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "10.10.0.0/16"
}
'''
    for i in range(n):
        text += f'''
resource "tencentcloud_vpn_gateway" "gw{i}" {{
  name      = "gw{i}"
  vpc_id    = tencentcloud_vpc.v.id
  bandwidth = 5
}}
'''
    return text


SPD_SUMMARY = "Invalid SPD policy"
CGW_SUMMARY = "Invalid customer gateway address"

CASES = {
    # The four SPD rules.
    "spd-1-local-overlaps-peer": Case(
        config(spd=spd(("10.10.1.0/24", ["10.10.1.128/25"]))), SPD_SUMMARY,
        ('"10.10.1.128/25"', '"10.10.1.128/25"'), "SPD rule 1", "tencentcloud_vpn_connection.c"),
    "spd-2-local-ranges-overlap": Case(
        config(spd=spd(("10.10.1.0/24", ["172.16.0.0/16"]),
                       ("10.10.1.128/25", ["172.17.0.0/16"]))), SPD_SUMMARY,
        ('"10.10.1.128/25"', '"10.10.1.128/25"'), "SPD rule 2", "tencentcloud_vpn_connection.c"),
    "spd-3-peer-ranges-overlap": Case(
        config(spd=spd(("10.10.1.0/24", ["172.16.0.0/16", "172.16.5.0/24"]))), SPD_SUMMARY,
        ('"172.16.5.0/24"', '"172.16.5.0/24"'), "SPD rule 3", "tencentcloud_vpn_connection.c"),
    "spd-4-peer-overlaps-vpc": Case(
        config(spd=spd(("10.10.1.0/24", ["172.16.0.0/16", "10.10.200.0/24"]))), SPD_SUMMARY,
        ('"10.10.200.0/24"', '"10.10.200.0/24"'), "SPD rule 4",
        "tencentcloud_vpn_connection.c"),
    # Bandwidth tier and DH group.
    "bandwidth-7": Case(config(bandwidth="7"), "Unsupported bandwidth", ("bandwidth = 7", "7"),
                        "not 7", "tencentcloud_vpn_gateway.gw"),
    "dh-group-GROUP3": Case(config(dh="GROUP3"), "Unsupported DH group",
                            ('"GROUP3"', '"GROUP3"'), "'GROUP3' is not supported",
                            "tencentcloud_vpn_connection.c"),
    # The VPC limit: an 11th VPN gateway, by count (located at the count) and by separate
    # blocks (at the 11th block); every limit and form: test_e2e_limits.py.
    "gateways-per-vpc-count-11": Case(
        gateways_count(11), "Limit exceeded", ("count     = 11", "11"),
        "at most 10 (limit: VPN gateways per VPC)"),
    "gateways-per-vpc-11-blocks": Case(
        gateways_blocks(11), "Limit exceeded", ('"tencentcloud_vpn_gateway" "gw10"', "resource"),
        "at most 10 (limit: VPN gateways per VPC)", "tencentcloud_vpn_gateway.gw10"),
}

# Every customer-gateway address category the product refuses.
CGW_IPS = {
    "multicast": ("224.0.0.5", "multicast"),
    "multicast-top": ("239.255.255.250", "multicast"),
    "zero-first-octet": ("0.1.2.3", "starting with 0"),
    "loopback": ("127.0.0.1", "loopback"),
    "link-local": ("169.254.10.20", "link-local"),
    "class-a-network": ("58.0.0.0", "class A"),
    "class-a-broadcast": ("58.255.255.255", "class A"),
    "class-b-network": ("150.20.0.0", "class B"),
    "class-b-broadcast": ("150.20.255.255", "class B"),
    "class-c-network": ("203.0.113.0", "class C"),
    "class-c-broadcast": ("203.0.113.255", "class C"),
}
for _name, (_ip, _why) in CGW_IPS.items():
    CASES[f"cgw-{_name}"] = Case(config(cgw_ip=_ip), CGW_SUMMARY, (f'"{_ip}"', f'"{_ip}"'),
                                 _why, "tencentcloud_vpn_customer_gateway.cgw")


def _assert_nothing_applied(workdir) -> None:
    assert not (workdir / "terraform.tfstate").exists()
    assert not (workdir / "terraform.tfstate.backup").exists()
    assert cloud_is_empty(workdir) == {}


def _assert_one_located_error(res, text: str, case: Case):
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert len(errs) == 1, res
    d = errs[0]
    assert f"Error: {case.summary}" in res.stderr
    assert d.summary == case.summary, res
    assert d.filename == "main.tf", res
    assert (d.line, d.col) == position(text, case.at[0], case.at[1], nth=case.nth), res
    assert f"on main.tf:{d.line},{d.col}" in res.stderr
    assert d.source == source_line(text, d.line), res
    assert d.caret_col == d.col and d.caret_width >= 1, res
    assert case.detail in d.detail, res
    if case.address:
        assert d.address == case.address, res
    return d


@pytest.mark.parametrize("name", list(CASES))
def test_rule_violation_is_reported_at_plan_time(tmp_path, name):
    case = CASES[name]
    workdir = write_config(tmp_path / "cfg", case.text)
    res = run(workdir, "plan", "-lint=off", env=ENV)  # only the rule's error
    d = _assert_one_located_error(res, case.text, case)
    assert PSK not in res.output
    # no plan is rendered when it is invalid: only the cloud it would talk to is named, and
    # the true reachability warnings of a tunnel these cases give no route
    shown = re.sub(r"╷\n.*?\n╵\n?", "", res.stdout, flags=re.DOTALL).strip()
    assert shown == "Provider tencentcloud: embedded emulator (.vpnform/cloud.db)", res
    assert {w.summary for w in diagnostics(res.stdout) if w.severity == "Warning"} <= set(
        REACHABILITY), res
    if name == "gateways-per-vpc-11-blocks":
        # The address named is the block the marked line belongs to.
        block = [ln for ln in case.text.splitlines()[:d.line] if ln.startswith("resource")][-1]
        assert block == f'resource "tencentcloud_vpn_gateway" "{d.address.split(".")[1]}" {{'
    _assert_nothing_applied(workdir)


def test_ten_gateways_per_vpc_are_fine(tmp_path):
    workdir = write_config(tmp_path / "cfg", gateways_count(10))
    res = run(workdir, "plan", "-detailed-exitcode")
    assert res.code == 2, res
    assert "Plan: 11 to add, 0 to change, 0 to destroy." in res.stdout


def test_gateway_limit_names_the_eleventh_instance(tmp_path):
    workdir = write_config(tmp_path / "cfg", gateways_count(11))
    res = run(workdir, "plan")
    assert res.code == 1, res
    [d] = errors(res.stderr)
    assert d.address == "tencentcloud_vpn_gateway.gw[10]", res


# --- criterion 5: dependency cycles ----------------------------------------------------------

CYCLES = {
    "attributes": '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "a" {
  name              = "a-${tencentcloud_vpn_customer_gateway.b.id}"
  public_ip_address = "203.0.113.10"
}

resource "tencentcloud_vpn_customer_gateway" "b" {
  name              = "b-${tencentcloud_vpn_customer_gateway.a.id}"
  public_ip_address = "203.0.113.11"
}
''',
    "depends_on": '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "a" {
  name              = "a"
  public_ip_address = "203.0.113.10"
  depends_on        = [tencentcloud_vpn_customer_gateway.b]
}

resource "tencentcloud_vpn_customer_gateway" "b" {
  name              = "b"
  public_ip_address = "203.0.113.11"
  depends_on        = [tencentcloud_vpn_customer_gateway.a]
}
''',
    "mixed": '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "a" {
  name              = "a-${tencentcloud_vpn_customer_gateway.b.id}"
  public_ip_address = "203.0.113.10"
}

resource "tencentcloud_vpn_customer_gateway" "b" {
  name              = "b"
  public_ip_address = "203.0.113.11"
  depends_on        = [tencentcloud_vpn_customer_gateway.a]
}
''',
}


@pytest.mark.parametrize("kind", list(CYCLES))
@pytest.mark.parametrize("verb", ["plan", "validate"])
def test_two_resource_cycle_is_one_diagnostic(tmp_path, kind, verb):
    text = CYCLES[kind]
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, verb)
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert len(errs) == 1, res
    d = errs[0]
    assert "cycle" in d.summary.lower(), res
    assert res.output.lower().count("cycle in") == 1
    for addr in ("tencentcloud_vpn_customer_gateway.a", "tencentcloud_vpn_customer_gateway.b"):
        assert addr in d.detail, res
    assert d.filename == "main.tf" and d.source == source_line(text, d.line), res
    if verb == "plan":
        _assert_nothing_applied(workdir)


# --- criterion 6 and 12: language and variable errors ----------------------------------------

LANG = {
    "unsupported-argument": ('''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpc" "v" {
  name       = "v"
  cidr_block = "10.10.0.0/16"
}

resource "tencentcloud_vpn_gateway" "gw" {
  name     = "gw"
  vpc_id   = tencentcloud_vpc.v.id
  bandwith = 5
}
''', "Unsupported argument", ("bandwith = 5", "bandwith"), 'Did you mean "bandwidth"?'),
    "missing-required-argument": ('''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "cgw" {
  name = "cgw"
}
''', "Missing required argument",
        ('resource "tencentcloud_vpn_customer_gateway"', "resource"),
        'The argument "public_ip_address" is required'),
    "syntax-error": ('''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "cgw" {
  name              = "cgw"
  public_ip_address = "203.0.113.10
}
''', "Unterminated template string", ('"203.0.113.10', '"203.0.113.10'),
        "No closing marker"),
    "undeclared-variable": ('''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

resource "tencentcloud_vpn_customer_gateway" "cgw" {
  name              = "cgw"
  public_ip_address = var.idc_ip
}
''', "Reference to undeclared input variable", ("var.idc_ip", "var.idc_ip"),
        'variable "idc_ip"'),
    "required-variable-without-value": ('''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "idc_ip" {
  type = string
}

resource "tencentcloud_vpn_customer_gateway" "cgw" {
  name              = "cgw"
  public_ip_address = var.idc_ip
}
''', "No value for required variable", ('variable "idc_ip"', "variable"), '"idc_ip" is not set'),
}


LANG_RUNS = [pytest.param(name, ("plan", "-input=false"), id=f"plan-{name}") for name in LANG]
# apply and validate share plan's loader; one case each checks those paths too.
LANG_RUNS.append(pytest.param("required-variable-without-value",
                              ("apply", "-auto-approve", "-input=false"),
                              id="apply-required-variable-without-value"))
LANG_RUNS.append(pytest.param("unsupported-argument", ("validate",),
                              id="validate-unsupported-argument"))


@pytest.mark.parametrize(("name", "verb"), LANG_RUNS)
def test_language_error_is_located(tmp_path, name, verb):
    text, summary, at, detail = LANG[name]
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, *verb)
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert len(errs) == 1, res
    d = errs[0]
    assert d.summary == summary, res
    assert d.filename == "main.tf", res
    assert (d.line, d.col) == position(text, *at), res
    assert d.source == source_line(text, d.line) and d.caret_col == d.col, res
    assert detail in d.detail, res
    assert not (workdir / "terraform.tfstate").exists()


def test_required_variable_without_terminal_is_an_error_not_a_prompt(tmp_path):
    """stdin is a pipe, not a terminal: no prompt, the same located error as -input=false."""
    text, summary, at, _ = LANG["required-variable-without-value"]
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, "plan", input="203.0.113.10\n", timeout=30)
    assert res.code == 1, res
    [d] = errors(res.stderr)
    assert d.summary == summary and (d.line, d.col) == position(text, *at), res
    assert "Enter a value" not in res.stdout


def test_required_variable_given_by_var_plans(tmp_path):
    text = LANG["required-variable-without-value"][0]
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, "plan", "-input=false", "-var", "idc_ip=203.0.113.10")
    assert res.code == 0, res
    assert 'public_ip_address = "203.0.113.10"' in res.stdout


# --- criterion 13: provider aliases, count, [0] and .0 ---------------------------------------

ALIASES = '''\
provider "tencentcloud" {
  region = "ap-guangzhou"
}

provider "tencentcloud" {
  alias  = "sh"
  region = "ap-shanghai"
}

resource "tencentcloud_vpn_customer_gateway" "gz" {
  count             = 20
  name              = "gz-${count.index}"
  public_ip_address = "203.0.113.${count.index + 1}"
}

resource "tencentcloud_vpn_customer_gateway" "sh" {
  provider          = tencentcloud.sh
  count             = @SH@
  name              = "sh-${count.index}"
  public_ip_address = "198.51.100.${count.index + 1}"
}

output "first_gz" {
  value = tencentcloud_vpn_customer_gateway.gz[0].name
}

output "first_sh" {
  value = tencentcloud_vpn_customer_gateway.sh.0.public_ip_address
}

output "last_sh_id" {
  value = tencentcloud_vpn_customer_gateway.sh[19].id
}
'''


def test_aliases_twenty_customer_gateways_per_region(tmp_path):
    workdir = write_config(tmp_path / "cfg", ALIASES.replace("@SH@", "20"))
    plan = run(workdir, "plan", "-detailed-exitcode")
    assert plan.code == 2, plan
    assert "Plan: 40 to add, 0 to change, 0 to destroy." in plan.stdout
    assert '+ first_gz   = "gz-0"' in plan.stdout, plan
    assert '+ first_sh   = "198.51.100.1"' in plan.stdout, plan
    assert "# tencentcloud_vpn_customer_gateway.sh[19] will be created" in plan.stdout
    assert 'name              = "sh-19"' in plan.stdout

    apply = run(workdir, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert "Apply complete! Resources: 40 added, 0 changed, 0 destroyed." in apply.stdout
    gz = cloud(workdir, "ap-guangzhou")["customer_gateways"]
    sh = cloud(workdir, "ap-shanghai")["customer_gateways"]
    assert sorted(c["CustomerGatewayName"] for c in gz) == sorted(f"gz-{i}" for i in range(20))
    assert sorted(c["CustomerGatewayName"] for c in sh) == sorted(f"sh-{i}" for i in range(20))
    assert {c["IpAddress"] for c in sh} == {f"198.51.100.{i + 1}" for i in range(20)}
    last_sh = [c["CustomerGatewayId"] for c in sh if c["CustomerGatewayName"] == "sh-19"]
    out = run(workdir, "output", "-raw", "last_sh_id")
    assert [out.stdout] == last_sh, out

    # State and configuration together: a 21st customer gateway in Guangzhou is refused.
    extra = ('\nresource "tencentcloud_vpn_customer_gateway" "one_more" {\n'
             '  name              = "one-more"\n  public_ip_address = "203.0.113.99"\n}\n')
    with open(workdir / "main.tf", "a", encoding="utf-8") as fh:
        fh.write(extra)
    more = run(workdir, "plan")
    assert more.code == 1, more
    [d] = errors(more.stderr)
    assert d.summary == "Limit exceeded" and "at most 20" in d.detail, more
    assert d.address == "tencentcloud_vpn_customer_gateway.one_more", more


def test_aliases_twenty_one_customer_gateways_in_one_region(tmp_path):
    text = ALIASES.replace("@SH@", "21")
    workdir = write_config(tmp_path / "cfg", text)
    res = run(workdir, "plan")
    assert res.code == 1, res
    errs = errors(res.stderr)
    assert len(errs) == 1, res
    d = errs[0]
    assert d.summary == "Limit exceeded"
    assert "This would make 21 customer gateways in a region" in d.detail
    assert "limit: customer gateways per region" in d.detail
    assert d.address.startswith("tencentcloud_vpn_customer_gateway.sh["), res
    # The marked line lies inside the "sh" resource block.
    lines = text.splitlines()
    start = lines.index('resource "tencentcloud_vpn_customer_gateway" "sh" {') + 1
    end = start + lines[start:].index("}")
    assert start < d.line <= end, res
    assert d.source == source_line(text, d.line) and d.caret_col == d.col
    _assert_nothing_applied_regions(workdir)


def _assert_nothing_applied_regions(workdir) -> None:
    assert not (workdir / "terraform.tfstate").exists()
    assert cloud_is_empty(workdir, ("ap-guangzhou", "ap-shanghai")) == {}

