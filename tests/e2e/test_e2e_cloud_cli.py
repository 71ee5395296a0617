"""``vpnform cloud``: playing the console of the emulated cloud behind vpnform's back, with
the real executable, and what ``plan`` then sees."""

from __future__ import annotations

import json

from cli import (
    QUICKSTART,
    cloud,
    copy_config,
    run_script,
    plan_summary,
    readme_script,
    resource_headers,
    run,
)


def _state_attr(workdir, address: str, attr: str):
    res = run(workdir, "console", input=f"{address}.{attr}\n")
    assert res.code == 0, res
    return json.loads(res.stdout.strip())


def test_console_changes_show_in_the_cloud_and_in_plan(applied):
    gw_id = _state_attr(applied, "tencentcloud_vpn_gateway.tom", "id")
    rtb_id = _state_attr(applied, "tencentcloud_route_table.tom", "id")
    entry_id = _state_attr(applied, "tencentcloud_route_table_entry.to_idc", "route_entry_id")

    # Raise the gateway's bandwidth, as in the cloud's console.
    res = run(applied, "cloud", "ResetVpnGatewayInternetMaxBandwidth",
              f"VpnGatewayId={gw_id}", "InternetMaxBandwidthOut=10")
    assert res.code == 0 and res.stderr == "", res
    assert list(json.loads(res.stdout)) == ["RequestId"]

    # Delete the route entry to the IDC (a dotted, indexed parameter).
    res = run(applied, "cloud", "DeleteRoutes", f"RouteTableId={rtb_id}",
              f"Routes.0.RouteId={entry_id}")
    assert res.code == 0, res
    assert [r["RouteId"] for r in json.loads(res.stdout)["RouteSet"]] == [entry_id]

    # The change, through the same verb (-param form and a filter).
    res = run(applied, "cloud", "DescribeVpnGateways",
              "-param", json.dumps({"Filters": [{"Name": "vpn-gateway-id", "Values": [gw_id]}]}))
    assert res.code == 0, res
    body = json.loads(res.stdout)
    assert body["TotalCount"] == 1
    assert body["VpnGatewaySet"][0]["InternetMaxBandwidthOut"] == 10
    assert res.stdout.startswith('{\n    "TotalCount": 1,\n    "VpnGatewaySet": [')
    [table] = [t for t in cloud(applied)["route_tables"] if t["RouteTableId"] == rtb_id]
    assert table["RouteSet"] == []

    # plan sees both: at bandwidth 10 only the deleted route is to be re-created...
    res = run(applied, "plan", "-var", "bandwidth=10")
    assert res.code == 0, res
    assert resource_headers(res.stdout) == ["tencentcloud_route_table_entry.to_idc will be created"]
    assert plan_summary(res.stdout) == "Plan: 1 to add, 0 to change, 0 to destroy."
    # ...and at the configuration's 5 Mbps the gateway is set back as well.
    res = run(applied, "plan")
    assert res.code == 0, res
    assert plan_summary(res.stdout) == "Plan: 1 to add, 1 to change, 0 to destroy."


def test_api_errors_and_unknown_actions(applied):
    res = run(applied, "cloud", "ResetVpnGatewayInternetMaxBandwidth",
              "VpnGatewayId=vpngw-00000000", "InternetMaxBandwidthOut=10")
    assert res.code == 1 and res.stdout == "", res
    envelope = json.loads(res.stderr)
    assert envelope["Error"]["Code"] == "ResourceNotFound"
    assert envelope["Error"]["Message"] and envelope["RequestId"]

    res = run(applied, "cloud", "DescribeVpnGateway")
    assert res.code == 1, res
    assert "Did you mean: DescribeVpnGateways" in res.stderr

    res = run(applied, "cloud", "DescribeVpcs", "VpcIds")
    assert res.code == 1 and "Key=Value" in res.stderr, res


def test_chdir_and_objects_made_by_hand(tmp_path):
    """In a directory with no configuration yet: -chdir picks the directory's cloud."""
    work = tmp_path / "site"
    work.mkdir()
    res = run(tmp_path, "-chdir=site", "cloud", "CreateCustomerGateway",
              "CustomerGatewayName=by-hand", "IpAddress=203.0.113.9")
    assert res.code == 0, res
    cgw_id = json.loads(res.stdout)["CustomerGateway"]["CustomerGatewayId"]
    assert [g["CustomerGatewayId"] for g in cloud(work)["customer_gateways"]] == [cgw_id]
    assert cloud(tmp_path, kinds=["customer_gateways"]) == {"customer_gateways": []}
    res = run(work, "cloud", "DescribeCustomerGateways", "-region=ap-shanghai")
    assert res.code == 0 and json.loads(res.stdout)["TotalCount"] == 0, res


def test_readme_cloud_section_runs_as_shown(tmp_path):
    """README's `vpnform cloud` block, in one shell (its variables carry over), each line
    with the exit code its comment names (0 otherwise), in a copy of examples/quickstart."""
    copy_config(QUICKSTART, tmp_path / "examples" / "quickstart")
    res = run_script(readme_script("### Playing the console: `vpnform cloud`"), tmp_path)
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert '"InternetMaxBandwidthOut": 10,' in res.stdout
    assert "Did you mean: DescribeVpnGateways" in res.stderr
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in res.stdout
