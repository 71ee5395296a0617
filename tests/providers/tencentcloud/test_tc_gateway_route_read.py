"""Refreshing one VPN gateway route asks the cloud for that route's destination, not for
every page of the gateway's routes (a gateway with hundreds of routes is refreshed in
one call per route, not hundreds of pages)."""

from __future__ import annotations

from tc_support import REGION

def test_reading_one_route_of_a_busy_gateway_is_one_call(tc, provider, base):
    gw, conn = base["gw"], base["conn"]
    svc = provider.service
    others = [{"DestinationCidrBlock": f"10.{i // 256}.{i % 256}.0/24", "InstanceType": "VPNCONN",
               "InstanceId": conn["id"], "Priority": 0, "Status": "ENABLE"}
              for i in range(1, 251)]
    body = svc.call("CreateVpnGatewayRoutes", {"VpnGatewayId": gw["id"], "Routes": others},
                    REGION)
    assert "Error" not in body, body
    mine = tc.create("tencentcloud_vpn_gateway_route", vpn_gateway_id=gw["id"],
                     destination_cidr_block="172.20.0.0/24", instance_type="VPNCONN",
                     instance_id=conn["id"], priority=100, status="ENABLE")
    before = len(svc.calls("DescribeVpnGatewayRoutes"))
    res = provider.read("tencentcloud_vpn_gateway_route", mine)
    assert not res.diagnostics.has_errors, list(res.diagnostics)
    assert res.value["destination_cidr_block"] == "172.20.0.0/24"
    assert res.value["route_id"] == mine["route_id"]
    assert len(svc.calls("DescribeVpnGatewayRoutes")) == before + 1

    # deleted behind vpnform's back: the same one call finds it gone
    rid = mine["id"].split("#", 1)[1]
    svc.call("DeleteVpnGatewayRoutes", {"VpnGatewayId": gw["id"], "RouteIds": [rid]}, REGION)
    assert provider.read("tencentcloud_vpn_gateway_route", mine).value is None


def test_destination_filter_answers_as_filtering_every_route(tc, provider, base):
    gw, conn = base["gw"], base["conn"]
    svc = provider.service
    routes = [{"DestinationCidrBlock": f"10.9.{i}.0/24", "InstanceType": "VPNCONN",
               "InstanceId": conn["id"], "Priority": 0, "Status": "ENABLE"} for i in range(3)]
    body = svc.call("CreateVpnGatewayRoutes", {"VpnGatewayId": gw["id"], "Routes": routes},
                    REGION)
    assert "Error" not in body, body
    every = svc.call("DescribeVpnGatewayRoutes", {"VpnGatewayId": gw["id"], "Limit": 100},
                     REGION)["Routes"]
    want = [r for r in every if r["DestinationCidrBlock"] in ("10.9.1.0/24", "10.9.2.0/24")]
    body = svc.call("DescribeVpnGatewayRoutes", {
        "VpnGatewayId": gw["id"], "Limit": 1, "Offset": 1,
        "Filters": [{"Name": "DestinationCidr", "Values": ["10.9.1.0/24", "10.9.2.0/24"]}]},
        REGION)
    assert body["TotalCount"] == len(want) == 2
    assert body["Routes"] == want[1:2]
    assert not any(k.startswith("_") for k in body["Routes"][0])
    # a second filter still applies; a destination no route has finds none
    body = svc.call("DescribeVpnGatewayRoutes", {"VpnGatewayId": gw["id"], "Filters": [
        {"Name": "DestinationCidr", "Values": ["10.9.1.0/24"]},
        {"Name": "InstanceId", "Values": ["vpnx-00000000"]}]}, REGION)
    assert body["TotalCount"] == 0 and body["Routes"] == []
    body = svc.call("DescribeVpnGatewayRoutes", {"VpnGatewayId": gw["id"], "Filters": [
        {"Name": "DestinationCidr", "Values": ["192.0.2.0/24"]}]}, REGION)
    assert body["TotalCount"] == 0
