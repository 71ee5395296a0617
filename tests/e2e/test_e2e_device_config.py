"""The IDC device's configuration from the command line: `tunnel config -vendor=` for
vendors beyond strongSwan, and the public provider's
tencentcloud_vpn_customer_gateway_configuration_download resource."""

from __future__ import annotations

import json
import os
import stat

from cli import run, write_config

DOWNLOAD = """
resource "tencentcloud_vpn_customer_gateway_configuration_download" "srx" {
  vpn_gateway_id    = tencentcloud_vpn_gateway.tom.id
  vpn_connection_id = tencentcloud_vpn_connection.tom.id
  interface_name    = "ge-0/0/3.0"
  customer_gateway_vendor {
    platform         = "junos"
    software_version = "V12.1"
    vendor_name      = "juniper"
  }
}
"""
ADDR = "tencentcloud_vpn_customer_gateway_configuration_download.srx"


def _psk(workdir) -> str:
    state = json.loads((workdir / "terraform.tfstate").read_text())
    [conn] = [r for r in state["resources"] if r["type"] == "tencentcloud_vpn_connection"]
    return conn["instances"][0]["attributes"]["pre_share_key"]


def test_tunnel_config_renders_each_vendor_and_refuses_by_name(applied):
    psk = _psk(applied)
    ios = run(applied, "tunnel", "config", "tencentcloud_vpn_connection.tom", "-vendor=cisco-ios")
    assert ios.code == 0, ios
    assert f"crypto isakmp key {psk} address " in ios.stdout
    assert "pre-shared key" in ios.stderr and psk not in ios.stderr
    out = applied / "asa.cfg"
    asa = run(applied, "tunnel", "config", "tencentcloud_vpn_connection.tom", "-vendor=cisco-asa",
              f"-out={out}")
    assert asa.code == 0 and psk not in asa.output, asa
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert f" ikev1 pre-shared-key {psk}" in out.read_text()
    # The quick start negotiates DH group 1, which Libreswan refuses to run.
    lsw = run(applied, "tunnel", "config", "tencentcloud_vpn_connection.tom", "-vendor=libreswan")
    assert lsw.code == 1 and "Libreswan has no DH group GROUP1; choose one of: GROUP5" in lsw.stderr
    assert psk not in lsw.output
    bad = run(applied, "tunnel", "config", "tencentcloud_vpn_connection.tom", "-vendor=nokia")
    assert bad.code == 1 and "cisco-asa, paloalto, libreswan" in bad.stderr


def test_configuration_download_resource_keeps_the_text_sensitive(applied):
    psk = _psk(applied)
    write_config(applied, DOWNLOAD, name="download.tf")
    plan = run(applied, "plan")
    assert "customer_gateway_configuration = (sensitive value)" in plan.stdout, plan
    res = run(applied, "apply", "-auto-approve")
    assert res.code == 0 and "1 added" in res.stdout and psk not in res.output, res
    state = json.loads((applied / "terraform.tfstate").read_text())
    [inst] = [r["instances"][0] for r in state["resources"]
              if r["type"] == "tencentcloud_vpn_customer_gateway_configuration_download"]
    attrs = inst["attributes"]
    assert attrs["id"] == f"{attrs['vpn_gateway_id']}#{attrs['vpn_connection_id']}"
    assert ("set security ike gateway TC-GW-" in attrs["customer_gateway_configuration"]
            and "external-interface ge-0/0/3.0" in attrs["customer_gateway_configuration"])
    assert {"type": "get_attr", "value": "customer_gateway_configuration"} in \
        inst["sensitive_attributes"][0]
    shown = run(applied, "state", "show", ADDR)
    assert "(sensitive value)" in shown.stdout and psk not in shown.output
    again = run(applied, "plan", "-detailed-exitcode")
    assert again.code == 0, again
    gone = run(applied, "destroy", "-auto-approve")
    assert gone.code == 0 and "8 destroyed" in gone.stdout, gone
