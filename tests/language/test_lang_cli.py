"""dynamic blocks, variable validation, pre/postconditions and check blocks, end to end
through the real ``vpnform`` binary against the embedded emulated cloud."""

from __future__ import annotations

from cli import diagnostics as all_diagnostics
from cli import errors, run, write_config

from providers.tencentcloud.reachability import SUMMARIES as REACHABILITY


def diagnostics(text: str) -> list:
    """The diagnostics these language tests are about: the fixtures' tunnels have no
    route, which reachability rightly warns about (its own tests cover that)."""
    return [d for d in all_diagnostics(text) if d.summary not in REACHABILITY]

HEAD = """terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}

provider "tencentcloud" {
  region = "ap-guangzhou"
}

variable "spd" {
  type = list(object({ local = string, remote = list(string) }))
  default = [
    { local = "192.168.1.0/24", remote = ["10.0.1.0/24"] },
    { local = "192.168.2.0/24", remote = ["10.0.2.0/24", "10.0.3.0/24"] },
  ]
}

variable "psk" {
  type      = string
  sensitive = true
  default   = "TomVPN-demo-key-2019"
  validation {
    condition     = length(var.psk) >= 12
    error_message = "The pre-shared key must be at least 12 characters long."
  }
}

variable "bandwidth" {
  type    = number
  default = 5
}

variable "tunnel_prefix" {
  type    = string
  default = "vpnx-"
}

resource "tencentcloud_vpc" "tom" {
  name       = "TomVPC"
  cidr_block = "192.168.0.0/16"
}

resource "tencentcloud_vpn_customer_gateway" "idc" {
  name              = "TomVPNUserGw"
  public_ip_address = "202.108.22.5"
}
"""

GATEWAY = """
resource "tencentcloud_vpn_gateway" "tom" {
  name      = "TomVPNGw"
  vpc_id    = tencentcloud_vpc.tom.id
  bandwidth = var.bandwidth
  zone      = "ap-guangzhou-3"
  lifecycle {
    precondition {
      condition     = contains([5, 10, 20, 50, 100], var.bandwidth)
      error_message = "The bandwidth must be a tier: 5, 10, 20, 50 or 100 Mbps."
    }
    postcondition {
      condition     = %s
      error_message = "The gateway did not get the expected public IP."
    }
  }
}
"""

CONNECTION = """
resource "tencentcloud_vpn_connection" "tom" {
  name                = "TomVPNConn"
  vpc_id              = tencentcloud_vpc.tom.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.tom.id
  customer_gateway_id = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key       = var.psk

  dynamic "security_group_policy" {
    for_each = var.spd
    iterator = p
    content {
      local_cidr_block  = p.value.local
      remote_cidr_block = p.value.remote
    }
  }
}

check "tunnel_id" {
  assert {
    condition     = startswith(tencentcloud_vpn_connection.tom.id, var.tunnel_prefix)
    error_message = "The tunnel id must start with ${var.tunnel_prefix}."
  }
}
"""

GOOD_POST = 'self.public_ip_address != ""'


def config(tmp_path, post: str = GOOD_POST, extra: str = ""):
    return write_config(tmp_path / "w", HEAD + GATEWAY % post + CONNECTION + extra)


# -lint=off where a test counts diagnostics: the tunnel keeps the cloud's default (weak)
# algorithms, whose security findings are tests/e2e/test_e2e_security_lint.py's subject.
def test_dynamic_blocks_plan_apply_and_converge(tmp_path):
    wd = config(tmp_path)
    res = run(wd, "plan", "-lint=off")
    assert res.code == 0, res
    assert res.stdout.count("+ security_group_policy {") == 2, res
    assert '"10.0.3.0/24"' in res.stdout and '"192.168.2.0/24"' in res.stdout, res
    assert not diagnostics(res.output), res
    res = run(wd, "apply", "-lint=off", "-auto-approve")
    assert res.code == 0, res
    assert "Apply complete! Resources: 4 added" in res.stdout, res
    assert not diagnostics(res.output), res  # the postcondition and the check hold
    res = run(wd, "plan", "-lint=off", "-detailed-exitcode")
    assert res.code == 0, res
    assert "No changes." in res.stdout, res


def test_dynamic_block_for_unknown_block_type_suggests(tmp_path):
    wd = config(tmp_path, extra="""
resource "tencentcloud_vpn_connection" "typo" {
  name                = "typo"
  vpc_id              = tencentcloud_vpc.tom.id
  vpn_gateway_id      = tencentcloud_vpn_gateway.tom.id
  customer_gateway_id = tencentcloud_vpn_customer_gateway.idc.id
  pre_share_key       = var.psk
  dynamic "security_group_polices" {
    for_each = var.spd
    content {}
  }
}
""")
    res = run(wd, "plan")
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "Unsupported block type"
    assert 'Did you mean "security_group_policy"?' in d.detail
    assert d.source is not None and 'dynamic "security_group_polices"' in d.source
    assert d.caret_col == d.source.index('"security_group_polices"') + 1


def test_variable_validation_fails_with_the_authors_message(tmp_path):
    wd = config(tmp_path)
    res = run(wd, "plan", "-var", "psk=short-key")
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "Invalid value for variable"
    assert d.detail.startswith("The pre-shared key must be at least 12 characters long.")
    assert "This was checked by the validation rule at main.tf:" in d.detail
    assert "short-key" not in res.output  # a sensitive value is never quoted
    assert run(wd, "plan", "-var", "psk=long-enough-key-1").code == 0


def test_precondition_bandwidth_tier(tmp_path):
    wd = config(tmp_path)
    res = run(wd, "plan", "-var", "bandwidth=7")
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "Resource precondition failed"
    assert d.detail == "The bandwidth must be a tier: 5, 10, 20, 50 or 100 Mbps."
    assert d.source.strip().startswith("condition     = contains(")
    assert d.address == "tencentcloud_vpn_gateway.tom"
    res = run(wd, "plan", "-var", "bandwidth=10")
    assert res.code == 0, res


def test_postcondition_after_apply_keeps_the_object(tmp_path):
    wd = config(tmp_path, post='self.public_ip_address == "203.0.113.1"')
    res = run(wd, "plan", "-lint=off")  # the address is unknown at plan: deferred
    assert res.code == 0, res
    assert not diagnostics(res.output), res
    res = run(wd, "apply", "-lint=off", "-auto-approve")
    assert res.code == 1, res
    [d] = errors(res.output)
    assert d.summary == "Resource postcondition failed"
    assert d.detail == "The gateway did not get the expected public IP."
    assert d.source.strip().startswith('condition     = self.public_ip_address ==')
    listed = run(wd, "state", "list").stdout.split()
    assert "tencentcloud_vpn_gateway.tom" in listed  # the object stays in state
    assert "tencentcloud_vpn_connection.tom" not in listed  # dependents were not applied
    # now the address is known: the next plan reports the failure without applying
    res = run(wd, "plan", "-lint=off")
    assert res.code == 1, res
    assert [d.summary for d in errors(res.output)] == ["Resource postcondition failed"]


def test_check_block_warns_and_never_blocks_apply(tmp_path):
    wd = config(tmp_path)
    res = run(wd, "plan", "-lint=off", "-var", "tunnel_prefix=vpn-x")
    assert res.code == 0 and not diagnostics(res.output), res  # unknown id at plan
    res = run(wd, "apply", "-lint=off", "-auto-approve", "-var", "tunnel_prefix=vpn-x")
    assert res.code == 0, res
    assert "Apply complete! Resources: 4 added" in res.stdout, res
    ds = diagnostics(res.output)
    assert [(d.severity, d.summary) for d in ds] == [("Warning",
                                                      "Check block assertion failed")], res
    assert ds[0].detail == "The tunnel id must start with vpn-x."
    assert ds[0].source.strip().startswith("condition     = startswith(")
    # known now: plan warns too, and still succeeds
    res = run(wd, "plan", "-lint=off", "-var", "tunnel_prefix=vpn-x")
    assert res.code == 0, res
    assert [d.summary for d in diagnostics(res.output)] == ["Check block assertion failed"]
    # an apply reports a failing check once, at its end (not again from its plan step)
    res = run(wd, "apply", "-lint=off", "-auto-approve", "-var", "tunnel_prefix=vpn-x")
    assert res.code == 0, res
    assert [d.summary for d in diagnostics(res.output)] == ["Check block assertion failed"]
    res = run(wd, "plan", "-lint=off")
    assert res.code == 0 and not diagnostics(res.output), res
