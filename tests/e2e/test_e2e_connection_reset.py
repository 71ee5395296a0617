"""The public provider's tencentcloud_vpn_connection_reset: creating it resets the tunnel
(ResetVpnConnection), once; a later plan finds nothing to do; destroy leaves the tunnel.
(That a reset renegotiates a real tunnel is tests/dataplane/test_dp_live.py's.)"""

from __future__ import annotations

from cli import cloud_call, run, write_config

RESET = """
resource "tencentcloud_vpn_connection_reset" "tom" {
  vpn_gateway_id    = tencentcloud_vpn_gateway.tom.id
  vpn_connection_id = tencentcloud_vpn_connection.tom.id
}
"""


def test_connection_reset_resource(applied):
    write_config(applied, RESET, name="reset.tf")
    res = run(applied, "apply", "-auto-approve")
    assert res.code == 0 and "Resources: 1 added, 0 changed, 0 destroyed." in res.stdout, res
    shown = run(applied, "state", "show", "tencentcloud_vpn_connection_reset.tom")
    conn = cloud_call(applied, "DescribeVpnConnections")["VpnConnectionSet"][0]
    assert f'id                = "{conn["VpnGatewayId"]}#{conn["VpnConnectionId"]}"' in shown.stdout
    assert run(applied, "plan", "-detailed-exitcode").code == 0
    (applied / "reset.tf").unlink()
    gone = run(applied, "apply", "-auto-approve")
    assert gone.code == 0 and "0 added, 0 changed, 1 destroyed." in gone.stdout, gone
    assert cloud_call(applied, "DescribeVpnConnections")["TotalCount"] == 1
