"""``plan -generate-config-out`` for every resource type of the tencentcloud provider: the
configuration written for an imported object plans with no changes.

One working directory: the quick start plus a VPN gateway route (one object of each of
the eight types) is applied, then forgotten (``removed`` blocks, ``destroy = false``),
then imported again through import blocks with generated configuration. The tunnel's
pre-shared key is sensitive, so it is generated as ``null # sensitive``; the test fills it
in, as a user must, before applying the imports.
"""

from __future__ import annotations

import json
import re

import pytest
from cli import QUICKSTART, copy_config, errors, run

TYPES = ["tencentcloud_vpc", "tencentcloud_subnet", "tencentcloud_route_table",
         "tencentcloud_route_table_entry", "tencentcloud_vpn_gateway",
         "tencentcloud_vpn_customer_gateway", "tencentcloud_vpn_connection",
         "tencentcloud_vpn_gateway_route"]

GATEWAY_ROUTE = """
resource "tencentcloud_vpn_gateway_route" "r" {
  vpn_gateway_id         = tencentcloud_vpn_gateway.tom.id
  destination_cidr_block = "10.0.2.0/24"
  instance_type          = "VPNCONN"
  instance_id            = tencentcloud_vpn_connection.tom.id
  priority               = 0
  status                 = "ENABLE"
}
"""

PSK = "TomVPN-demo-key-2019"  # examples/quickstart's demo key


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(working directory, the plan that generated the file, the generated text)."""
    wd = copy_config(QUICKSTART, tmp_path_factory.mktemp("gen") / "w")
    with open(wd / "main.tf", "a") as f:
        f.write(GATEWAY_ROUTE)
    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0, res
    state = json.loads((wd / "terraform.tfstate").read_text())
    objects = {r["type"]: (r["name"], r["instances"][0]["attributes"]["id"])
               for r in state["resources"] if r["mode"] == "managed"}
    assert sorted(objects) == sorted(TYPES)
    for name in ("main.tf", "outputs.tf", "variables.tf"):
        (wd / name).unlink()
    (wd / "main.tf").write_text("".join(
        f"removed {{\n  from = {t}.{n}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
        for t, (n, _) in objects.items()))
    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0, res
    (wd / "main.tf").write_text("".join(
        f'import {{\n  to = {t}.copy\n  id = "{i}"\n}}\n' for t, (_, i) in objects.items()))
    plan = run(wd, "plan", "-generate-config-out=generated.tf")
    text = (wd / "generated.tf").read_text()
    (wd / "generated.tf").write_text(
        re.sub(r"(pre_share_key *= )null # sensitive", rf'\g<1>"{PSK}"', text))
    res = run(wd, "apply", "-auto-approve")
    assert res.code == 0, res
    assert "Resources: 8 imported, 0 added, 0 changed, 0 destroyed." in res.stdout, res
    return wd, plan, text


@pytest.mark.parametrize("rtype", TYPES)
def test_generated_configuration_plans_no_changes(generated, rtype):
    wd, plan, text = generated
    assert f'resource "{rtype}" "copy" {{' in text
    # the generated block is accepted as written (but for the key to fill in)
    mine = [(e.summary, e.source.split("=")[0].strip()) for e in errors(plan.output)
            if e.address == f"{rtype}.copy"]
    expected = ([("Missing required argument", "pre_share_key")]
                if rtype == "tencentcloud_vpn_connection" else [])
    assert mine == expected, plan
    res = run(wd, "plan", "-detailed-exitcode", f"-target={rtype}.copy")
    assert res.code == 0, res
    assert "No changes. Your infrastructure matches the configuration." in res.stdout, res


def test_a_vpn_gateway_without_max_connection_is_generated_without_it(generated):
    """The cloud reports no maximum as 0, which configuration may not set."""
    _, _, text = generated
    block = text[text.index('resource "tencentcloud_vpn_gateway" "copy"'):]
    block = block[:block.index("\n}\n")]
    assert "max_connection" not in block
    assert re.search(r"^  pre_share_key +\= null # sensitive$", text, re.MULTILINE)
