# ruff: noqa: E501  (an HCL error_message template reads best on one line)
"""check blocks with scoped data sources, through the real CLI and the emulated cloud:
a scoped data source is read when its arguments are known, its assertions warn with the
author's message, a failed read is a warning (never an error), and it cannot be seen
outside its check block."""

from __future__ import annotations

from cli import QUICKSTART, arm_fault, copy_config, diagnostics, errors, run, write_config

CHECK = """
check "gateway_listed" {
  data "tencentcloud_vpn_gateways" "mine" {
    name = tencentcloud_vpn_gateway.tom.name
  }

  assert {
    condition     = length(data.tencentcloud_vpn_gateways.mine.gateway_list) == 1
    error_message = "Expected the gateway ${tencentcloud_vpn_gateway.tom.name} in the cloud, found ${length(data.tencentcloud_vpn_gateways.mine.gateway_list)}."
  }
}
"""


def _workdir(tmp_path, extra: str):
    w = copy_config(QUICKSTART, tmp_path / "w")
    write_config(w, extra, "checks.tf")
    assert run(w, "init").code == 0
    return w


def _warnings(res):
    return [d for d in diagnostics(res.output) if d.severity == "Warning"]


def test_scoped_data_is_read_at_plan_and_after_apply(tmp_path):
    w = _workdir(tmp_path, CHECK)
    plan = run(w, "plan")
    assert plan.code == 0, plan
    # The name is known at plan time, so the data source is read now: nothing yet.
    [warn] = [d for d in _warnings(plan) if d.summary == "Check block assertion failed"]
    assert warn.detail == "Expected the gateway TomVPNGw in the cloud, found 0."
    assert (warn.filename, warn.line) == ("checks.tf", 8)
    assert warn.address == "check.gateway_listed"

    apply = run(w, "apply", "-auto-approve")
    assert apply.code == 0, apply
    assert not [d for d in _warnings(apply) if d.summary == "Check block assertion failed"]
    again = run(w, "plan", "-detailed-exitcode", "-lint=off")  # the tunnel's own findings
    assert again.code == 0 and not _warnings(again), again


def test_failed_scoped_read_is_a_warning_not_an_error(tmp_path):
    w = _workdir(tmp_path, CHECK)
    assert run(w, "apply", "-auto-approve").code == 0
    # (more failures than the client's eight tries: a transient InternalError is retried)
    arm_fault(w, "DescribeVpnGateways", "InternalError", "the listing service is down",
              count=20)
    # -refresh=false: the gateway's own refresh uses the same failing action
    res = run(w, "plan", "-refresh=false", "-detailed-exitcode")
    assert res.code == 0, res  # no changes, and no error
    assert not errors(res.output), res
    assert any("the listing service is down" in d.detail for d in _warnings(res)), res


def test_scoped_data_is_not_visible_outside_its_check(tmp_path):
    extra = CHECK + """
output "leak" {
  value = data.tencentcloud_vpn_gateways.mine.gateway_list
}
"""
    w = _workdir(tmp_path, extra)
    res = run(w, "plan")
    assert res.code == 1, res
    [err] = errors(res.output)
    assert err.summary == "Reference to undeclared resource"
    assert err.filename == "checks.tf" and err.line == 14, err


def test_check_in_a_module_instance_names_the_module(tmp_path):
    w = tmp_path / "w"
    write_config(w / "modules" / "probe", """
variable "want" {
  type = number
}

check "count" {
  assert {
    condition     = var.want < 2
    error_message = "want is ${var.want}."
  }
}
""")
    write_config(w, """
module "probe" {
  source   = "./modules/probe"
  for_each = { a = 1, b = 5 }
  want     = each.value
}
""")
    res = run(w, "plan")
    assert res.code == 0, res
    [warn] = _warnings(res)
    assert warn.summary == "Check block assertion failed"
    assert warn.detail == "want is 5."
    assert warn.filename == "modules/probe/main.tf"
    assert warn.address == 'module.probe["b"].check.count'
