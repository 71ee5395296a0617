"""Response shapes against the cloud's published examples (tccli's examples.json for the VPC
API): for every action the emulator answers, each example output deserializes into the
official SDK's response model, and vpnform's answer to an equivalent request carries every
field the example has (recursively; vpnform may have more)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import tccli
from tc_support import REGION, Api
from tencentcloud.vpc.v20170312 import models

from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore

EXAMPLES_FILE = Path(tccli.__file__).parent / "services" / "vpc" / "v20170312" / "examples.json"
EXAMPLES = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))["actions"]
ACTIONS = EmulatedVpcService.action_names()
# Actions vpnform answers that have no example in the VPC API's examples.json, and why.
NO_EXAMPLE = {"ModifyResourceTags": "an action of the tag service (2018-08-13), not of VPC"}
# Lists vpnform always answers empty, as an account that never used the feature: present,
# but their items' fields cannot be compared.
EMPTY_BY_DESIGN = {"AssistantCidrSet": "vpnform models no secondary CIDR blocks",
                   "Ipv6CidrBlockSet": "vpnform models no IPv6",
                   "LocalCidrForCcn": "vpnform models no Cloud Connect Network"}
ZONE = "ap-guangzhou-3"
TAGS = [{"Key": "city", "Value": "shanghai"}]


def example_outputs(action: str) -> list[dict]:
    return [json.loads(e["output"])["Response"] for e in EXAMPLES.get(action, [])]


def missing_fields(example, ours, path: str = "") -> list[str]:
    """Paths of fields the example has and ``ours`` lacks. Lists compare as the union of
    their items' fields; an empty list of ours cannot be compared and is reported."""
    out: list[str] = []
    if isinstance(example, dict):
        if not isinstance(ours, dict):
            return [f"{path or '.'} (an object in the example)"] if ours is not None else []
        for key, value in example.items():
            if key == "RequestId":
                continue
            if key not in ours:
                out.append(f"{path}.{key}")
            else:
                out += missing_fields(value, ours[key], f"{path}.{key}")
    elif isinstance(example, list) and any(isinstance(x, (dict, list)) for x in example):
        if path.rsplit(".", 1)[-1] in EMPTY_BY_DESIGN and ours == []:
            return []
        if not isinstance(ours, list) or not ours:
            return [f"{path}[] (nothing to compare: vpnform's list is empty)"]
        merged_ours = _merge(ours)
        for item in example:
            out += missing_fields(item, merged_ours, f"{path}[]")
    return sorted(set(out))


def _merge(items: list):
    if all(isinstance(i, dict) for i in items):
        merged: dict = {}
        for i in items:
            for k, v in i.items():
                if k not in merged or merged[k] in (None, [], {}):
                    merged[k] = v
        return merged
    return items[0]


# --- a small world in the embedded emulator, and one equivalent request per action ----------


class World:
    def __init__(self, api: Api):
        self.api = api
        self.vpc = api.ok("CreateVpc", VpcName="vpc", CidrBlock="10.0.0.0/16",
                          Tags=TAGS)["Vpc"]["VpcId"]
        self.subnet = api.ok("CreateSubnet", VpcId=self.vpc, SubnetName="subnet",
                             CidrBlock="10.0.1.0/24", Zone=ZONE,
                             Tags=TAGS)["Subnet"]["SubnetId"]
        self.rtb = api.ok("CreateRouteTable", VpcId=self.vpc, RouteTableName="rtb",
                          Tags=TAGS)["RouteTable"]["RouteTableId"]
        spare = api.ok("CreateSubnet", VpcId=self.vpc, SubnetName="associated",
                       CidrBlock="10.0.2.0/24", Zone=ZONE)["Subnet"]["SubnetId"]
        api.ok("ReplaceRouteTableAssociation", SubnetId=spare, RouteTableId=self.rtb)
        self.gw = self.gateway("gw")
        self.cgw = self.customer_gateway("cgw", "203.0.113.10")
        self.conn = api.ok("CreateVpnConnection", **self.connection_params(self.cgw))[
            "VpnConnection"]["VpnConnectionId"]
        body = api.ok("CreateRoutes", RouteTableId=self.rtb, Routes=[
            {"DestinationCidrBlock": "192.168.0.0/16", "GatewayType": "VPN",
             "GatewayId": self.gw, "RouteDescription": "to idc"}])
        self.route = next(r for r in body["RouteTableSet"][0]["RouteSet"]
                          if r["DestinationCidrBlock"] == "192.168.0.0/16")
        self.gw_route = api.ok("CreateVpnGatewayRoutes", VpnGatewayId=self.gw, Routes=[
            {"DestinationCidrBlock": "172.16.0.0/16", "InstanceType": "VPNCONN",
             "InstanceId": self.conn, "Priority": 0, "Status": "ENABLE"}])["Routes"][0]

    def gateway(self, name: str, **extra) -> str:
        params = {"VpcId": self.vpc, "VpnGatewayName": name, "InternetMaxBandwidthOut": 5,
                  "InstanceChargeType": "POSTPAID_BY_HOUR", "Zone": ZONE, **extra}
        return self.api.ok("CreateVpnGateway", **params)["VpnGateway"]["VpnGatewayId"]

    def customer_gateway(self, name: str, ip: str) -> str:
        return self.api.ok("CreateCustomerGateway", CustomerGatewayName=name, IpAddress=ip,
                           Tags=TAGS)["CustomerGateway"]["CustomerGatewayId"]

    def connection_params(self, cgw: str) -> dict:
        return {"VpnGatewayId": self.gw, "CustomerGatewayId": cgw, "VpcId": self.vpc,
                "VpnConnectionName": f"conn-{cgw}", "PreShareKey": "example-psk-1",
                "Tags": TAGS, "SecurityPolicyDatabases": [
                    {"LocalCidrBlock": "10.0.1.0/24", "RemoteCidrBlock": [
                        "192.168.%d.0/24" % (len(cgw) % 200)]}]}


def request(action: str, w: World) -> dict:
    """Parameters of a request equivalent to the examples' (made valid in ``w``)."""
    api = w.api
    if action == "CreateVpc":
        return {"VpcName": "TestVPC", "CidrBlock": "10.8.0.0/16", "Tags": TAGS}
    if action == "DescribeVpcs":
        return {"VpcIds": [w.vpc]}
    if action == "ModifyVpcAttribute":
        return {"VpcId": w.vpc, "VpcName": "vpc_dev"}
    if action == "DeleteVpc":
        return {"VpcId": api.ok("CreateVpc", VpcName="gone",
                                CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]}
    if action == "CreateSubnet":
        return {"VpcId": w.vpc, "SubnetName": "subnet1", "CidrBlock": "10.0.8.0/24",
                "Zone": ZONE, "Tags": TAGS}
    if action == "DescribeSubnets":
        return {"SubnetIds": [w.subnet]}
    if action == "ModifySubnetAttribute":
        return {"SubnetId": w.subnet, "SubnetName": "renamed"}
    if action == "DeleteSubnet":
        return {"SubnetId": w.subnet}
    if action == "ReplaceRouteTableAssociation":
        return {"SubnetId": w.subnet, "RouteTableId": w.rtb}
    if action == "CreateRouteTable":
        return {"VpcId": w.vpc, "RouteTableName": "TestRouteTable", "Tags": TAGS}
    if action == "DescribeRouteTables":
        return {"RouteTableIds": [w.rtb]}
    if action == "ModifyRouteTableAttribute":
        return {"RouteTableId": w.rtb, "RouteTableName": "renamed"}
    if action == "DeleteRouteTable":
        return {"RouteTableId": api.ok("CreateRouteTable", VpcId=w.vpc, RouteTableName="gone")[
            "RouteTable"]["RouteTableId"]}
    if action == "CreateRoutes":
        return {"RouteTableId": w.rtb, "Routes": [
            {"DestinationCidrBlock": "192.169.0.0/16", "GatewayType": "VPN",
             "GatewayId": w.gw, "RouteDescription": "demo"}]}
    if action == "DeleteRoutes":
        return {"RouteTableId": w.rtb, "Routes": [{"RouteId": w.route["RouteId"]}]}
    if action in ("EnableRoutes", "DisableRoutes"):
        return {"RouteTableId": w.rtb, "RouteIds": [w.route["RouteId"]]}
    if action == "CreateVpnGateway":
        return {"VpcId": w.vpc, "VpnGatewayName": "test", "InternetMaxBandwidthOut": 5,
                "InstanceChargeType": "POSTPAID_BY_HOUR", "Zone": ZONE}
    if action == "DescribeVpnGateways":
        return {"VpnGatewayIds": [w.gw]}
    if action == "ModifyVpnGatewayAttribute":
        return {"VpnGatewayId": w.gw, "VpnGatewayName": "test-vpn"}
    if action == "ResetVpnGatewayInternetMaxBandwidth":
        return {"VpnGatewayId": w.gw, "InternetMaxBandwidthOut": 10}
    if action in ("RenewVpnGateway", "SetVpnGatewaysRenewFlag"):
        prepaid = w.gateway("prepaid", InstanceChargeType="PREPAID",
                            InstanceChargePrepaid={"Period": 1,
                                                   "RenewFlag": "NOTIFY_AND_AUTO_RENEW"})
        if action == "RenewVpnGateway":
            return {"VpnGatewayId": prepaid, "InstanceChargePrepaid": {"Period": 1}}
        return {"VpnGatewayIds": [prepaid], "AutoRenewFlag": 0}
    if action == "InquiryPriceRenewVpnGateway":  # served with `vpnform cloud serve`
        prepaid = w.gateway("prepaid", InstanceChargeType="PREPAID",
                            InstanceChargePrepaid={"Period": 1})
        return {"VpnGatewayId": prepaid, "InstanceChargePrepaid": {"Period": 1}}
    if action == "InquiryPriceResetVpnGatewayInternetMaxBandwidth":
        return {"VpnGatewayId": w.gw, "InternetMaxBandwidthOut": 10}
    if action == "DeleteVpnGateway":
        return {"VpnGatewayId": w.gateway("spare")}
    if action == "InquiryPriceCreateVpnGateway":
        return {"InternetMaxBandwidthOut": 5, "InstanceChargeType": "POSTPAID_BY_HOUR"}
    if action == "CreateCustomerGateway":
        return {"CustomerGatewayName": "test-cgw", "IpAddress": "58.211.1.12", "Tags": TAGS}
    if action == "DescribeCustomerGateways":
        return {"CustomerGatewayIds": [w.cgw]}
    if action == "ModifyCustomerGatewayAttribute":
        return {"CustomerGatewayId": w.cgw, "CustomerGatewayName": "NewName"}
    if action == "DeleteCustomerGateway":
        return {"CustomerGatewayId": w.customer_gateway("spare", "203.0.113.77")}
    if action == "DescribeCustomerGatewayVendors":
        return {}
    if action == "CreateVpnConnection":
        return w.connection_params(w.customer_gateway("another", "203.0.113.20"))
    if action == "DescribeVpnConnections":
        return {"VpnConnectionIds": [w.conn]}
    if action == "ModifyVpnConnectionAttribute":
        return {"VpnConnectionId": w.conn, "VpnConnectionName": "test-abc"}
    if action == "DeleteVpnConnection":
        api.ok("DeleteVpnGatewayRoutes", VpnGatewayId=w.gw, RouteIds=[w.gw_route["RouteId"]])
        return {"VpnGatewayId": w.gw, "VpnConnectionId": w.conn}
    if action == "DownloadCustomerGatewayConfiguration":
        vendor = api.ok("DescribeCustomerGatewayVendors")["CustomerGatewayVendorSet"][0]
        return {"VpnGatewayId": w.gw, "VpnConnectionId": w.conn,
                "CustomerGatewayVendor": vendor, "InterfaceName": "eth0"}
    if action == "ResetVpnConnection":
        return {"VpnGatewayId": w.gw, "VpnConnectionId": w.conn}
    if action == "GenerateVpnConnectionDefaultHealthCheckIp":
        return {"VpnGatewayId": w.gw}
    if action == "CreateVpnGatewayRoutes":
        return {"VpnGatewayId": w.gw, "Routes": [
            {"DestinationCidrBlock": "172.17.0.0/16", "InstanceType": "VPNCONN",
             "InstanceId": w.conn, "Priority": 0, "Status": "ENABLE"}]}
    if action == "DescribeVpnGatewayRoutes":
        return {"VpnGatewayId": w.gw, "Offset": 0, "Limit": 20}
    if action == "ModifyVpnGatewayRoutes":
        return {"VpnGatewayId": w.gw, "Routes": [{"RouteId": w.gw_route["RouteId"],
                                                  "Status": "DISABLE"}]}
    if action == "DeleteVpnGatewayRoutes":
        return {"VpnGatewayId": w.gw, "RouteIds": [w.gw_route["RouteId"]]}
    raise AssertionError(f"no equivalent request written for {action}: add one here")


@pytest.fixture
def world(tmp_path):
    store = SqliteStore.for_workdir(tmp_path)
    try:
        yield World(Api(EmulatedVpcService(store), REGION))
    finally:
        store.close()


def params_for(action: str) -> list:
    marks = []
    if action in NO_EXAMPLE:
        marks = [pytest.mark.skip(reason=f"no example: {NO_EXAMPLE[action]}")]
    return [pytest.param(action, id=action, marks=marks)]


ALL = [p for a in ACTIONS for p in params_for(a)]


def test_every_action_has_an_example_or_a_reason():
    assert sorted(a for a in ACTIONS if a not in EXAMPLES) == sorted(NO_EXAMPLE)


@pytest.mark.parametrize("action", ALL)
def test_examples_deserialize_into_the_sdk_model(action):
    model = getattr(models, f"{action}Response")
    for output in example_outputs(action):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model()._deserialize(output)
        # the SDK warns about nested fields its models lack; top-level ones it ignores
        assert not [str(w.message) for w in caught], (action, output)
        assert [k for k in output if not hasattr(model(), k)] == [], action


@pytest.mark.parametrize("action", ALL)
def test_vpnform_answers_with_the_examples_fields(action, world):
    body = world.api.ok(action, **request(action, world))
    model = getattr(models, f"{action}Response")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model()._deserialize(body)
    assert not [str(w.message) for w in caught], f"{action}: fields the SDK does not know"
    missing = sorted({m for output in example_outputs(action)
                      for m in missing_fields(output, body)})
    assert not missing, f"{action}: vpnform's answer lacks {missing}"
