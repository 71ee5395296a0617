"""Progress of long operations, as Terraform prints it: "Creating...", "Still creating...
[Ns elapsed]" while the cloud provisions, "Creation complete after Ns [id=...]"."""

from __future__ import annotations

import re

from cli import run


def test_slow_creates_report_progress(quickstart):
    # gateways take 0.3 s x 10 and tunnels 0.2 s x 10 to provision; report every second
    env = {"VPNFORM_EMULATOR_DELAY_SCALE": "10", "VPNFORM_PROGRESS_INTERVAL": "1"}
    res = run(quickstart, "apply", "-auto-approve", env=env, fast=False, timeout=120)
    assert res.code == 0, res
    gw = [ln for ln in res.stdout.splitlines() if ln.startswith("tencentcloud_vpn_gateway.tom:")]
    assert gw[0] == "tencentcloud_vpn_gateway.tom: Creating..."
    assert "tencentcloud_vpn_gateway.tom: Still creating... [1s elapsed]" in gw
    assert re.fullmatch(r"tencentcloud_vpn_gateway\.tom: Creation complete after [23]s "
                        r"\[id=vpngw-[a-z0-9]+\]", gw[-1]), gw
    # the connection waits for its gateway: it starts after the gateway completed
    lines = res.stdout.splitlines()
    assert lines.index(gw[-1]) < lines.index("tencentcloud_vpn_connection.tom: Creating...")
