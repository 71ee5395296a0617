"""The emulator's requests (pydantic models) and their errors as the cloud's codes; the price
inquiries for renewing a gateway and resetting its bandwidth; route entries stored one a row."""

import glob
import json
import os
import warnings

import pytest
from tc_support import REGION

from providers.tencentcloud import rules
from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore
from providers.tencentcloud.emulator.actions import ACTIONS

VPC = {"VpcName": "v", "CidrBlock": "10.0.0.0/16"}


def _tccli_file(name):
    import tccli
    [path] = glob.glob(os.path.join(os.path.dirname(tccli.__file__), "services", "vpc",
                                    "v20170312", name))
    with open(path) as f:
        return json.load(f)


def error(api, action, **params):
    body = getattr(api, action)(**params)
    assert "Error" in body, body
    return body["Error"]["Code"], body["Error"]["Message"]


@pytest.fixture
def vpc_id(api):
    return api.ok("CreateVpc", **VPC)["Vpc"]["VpcId"]


@pytest.fixture
def gateways(api, vpc_id):
    """A postpaid and a prepaid gateway."""
    post = api.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="post",
                  InternetMaxBandwidthOut=5)["VpnGateway"]
    pre = api.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="pre",
                 InternetMaxBandwidthOut=10, InstanceChargeType="PREPAID",
                 InstanceChargePrepaid={"Period": 1})["VpnGateway"]
    return post["VpnGatewayId"], pre["VpnGatewayId"]


# --- validation errors ----------------------------------------------------------------------

@pytest.mark.parametrize("action,params,code,names", [
    # missing, at the top and inside a structure
    ("CreateVpc", {"VpcName": "v"}, "MissingParameter", "`CidrBlock`"),
    ("CreateRoutes", {"RouteTableId": "rtb-00000000",
                      "Routes": [{"DestinationCidrBlock": "10.9.0.0/16", "GatewayType": "VPN"}]},
     "MissingParameter", "`Routes.0.GatewayId`"),
    ("RenewVpnGateway", {"VpnGatewayId": "vpngw-00000000"}, "MissingParameter",
     "`InstanceChargePrepaid`"),
    # wrong type or format
    ("CreateVpc", {**VPC, "VpcName": 5}, "InvalidParameter", "`VpcName` must be a string"),
    ("DescribeVpcs", {"Limit": "ten"}, "InvalidParameter", "`Limit` must be an integer"),
    ("DescribeVpcs", {"Offset": 1.5}, "InvalidParameter", "`Offset` must be an integer"),
    ("SetVpnGatewaysRenewFlag", {"VpnGatewayIds": ["vpngw-00000000"], "AutoRenewFlag": True},
     "InvalidParameter", "`AutoRenewFlag` must be an integer"),
    ("CreateVpc", {**VPC, "EnableMulticast": "yes"}, "InvalidParameter",
     "`EnableMulticast` must be a boolean"),
    ("CreateVpc", {**VPC, "DnsServers": "1.1.1.1"}, "InvalidParameter",
     "`DnsServers` must be a list"),
    ("CreateVpc", {**VPC, "Tags": [{"Key": 1}]}, "InvalidParameter", "`Tags.0.Key`"),
    # a bad value: the cloud's specific codes where it has one
    ("DescribeVpcs", {"Limit": -1}, "InvalidParameterValue.Range", "`Limit`"),
    ("DescribeVpcs", {"Limit": 101}, "InvalidParameterValue.LimitExceeded", "`Limit`"),
    ("CreateVpc", {**VPC, "DnsServers": ["dns.example"]}, "InvalidParameterValue.Malformed",
     "dns.example"),
    ("CreateRoutes", {"RouteTableId": "rtb-00000000", "Routes": []},
     "InvalidParameterValue.Empty", "`Routes`"),
    ("DescribeVpcs", {"Filters": [{"Name": "vpc-name", "Values": "v"}]},
     "InvalidParameter.FilterValuesNotList", "`Filters.0.Values`"),
    ("DescribeVpcs", {"Filters": ["vpc-name"]}, "InvalidParameter.FilterNotDict", "`Filters`"),
    # unknown, and before anything else is wrong
    ("CreateVpc", {"Bogus": 1}, "UnknownParameter", "`Bogus` is not defined for `CreateVpc`"),
    ("DescribeCustomerGatewayVendors", {"Limit": 1}, "UnknownParameter", "`Limit`"),
])
def test_a_bad_request_gets_the_clouds_code_naming_the_parameter(api, action, params, code,
                                                                 names):
    got_code, message = error(api, action, **params)
    assert got_code == code and names in message, message


def test_integers_may_come_as_numeric_strings_or_whole_floats(api, vpc_id):
    for n in range(3):
        api.ok("CreateCustomerGateway", CustomerGatewayName=f"c{n}", IpAddress=f"203.0.113.{n + 1}")
    page = api.ok("DescribeCustomerGateways", Offset="1", Limit="1")
    assert page["TotalCount"] == 3 and len(page["CustomerGatewaySet"]) == 1
    every = api.ok("DescribeCustomerGateways")["CustomerGatewaySet"]
    assert page["CustomerGatewaySet"] == every[1:2]  # the page of the whole listing, as it is
    gw = api.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="g",
                InternetMaxBandwidthOut="20", BgpAsn=64512.0)["VpnGateway"]
    assert gw["InternetMaxBandwidthOut"] == 20 and gw["BgpAsn"] == 64512


def test_a_type_error_on_the_pre_shared_key_does_not_echo_it(api):
    code, message = error(api, "CreateVpnConnection", VpnGatewayId="vpngw-00000000",
                          CustomerGatewayId="cgw-00000000", VpnConnectionName="c",
                          PreShareKey=918273645)
    assert code == "InvalidParameter" and "`PreShareKey`" in message
    assert "918273645" not in message


def test_null_parameters_are_absent_ones(api):
    """The SDK leaves out what is None; an in-process caller may send it."""
    vpc = api.ok("CreateVpc", **VPC, DomainName=None, Tags=[{"Key": "k", "Value": None}])["Vpc"]
    assert vpc["DomainName"] == "" and vpc["TagSet"] == [{"Key": "k", "Value": ""}]


def test_every_request_field_is_a_parameter_of_the_clouds_schema():
    objects = _tccli_file("api.json")["objects"]
    checked = 0
    for name, action in ACTIONS.items():
        schema = objects.get(f"{name}Request")
        if schema is None:  # ModifyResourceTags: the tag service's
            continue
        members = {m["name"] for m in schema["members"]}
        assert set(action.request.model_fields) <= members, name
        checked += 1
    assert checked == len(ACTIONS) - 1


# --- the price inquiries --------------------------------------------------------------------

def _sdk_reads(action, body):
    from tencentcloud.vpc.v20170312 import models
    resp = getattr(models, f"{action}Response")()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resp._deserialize(body)
    return resp


def test_renewal_price_is_the_prepaid_months_price(api, gateways):
    post, pre = gateways
    body = api.ok("InquiryPriceRenewVpnGateway", VpnGatewayId=pre,
                  InstanceChargePrepaid={"Period": "3"})
    inst = body["Price"]["InstancePrice"]
    assert inst["OriginalPrice"] == inst["DiscountPrice"] == rules.prepaid_price(REGION, 3) > 0
    assert inst["ChargeUnit"] == "MONTH"
    assert _sdk_reads("InquiryPriceRenewVpnGateway", body).Price.InstancePrice.OriginalPrice \
        == inst["OriginalPrice"]
    example = json.loads(_tccli_file("examples.json")["actions"]["InquiryPriceRenewVpnGateway"]
                         [0]["output"])["Response"]
    assert set(example) <= set(body) and set(example["Price"]) <= set(body["Price"])
    assert error(api, "InquiryPriceRenewVpnGateway", VpnGatewayId=post,
                 InstanceChargePrepaid={"Period": 1})[0] == "UnsupportedOperation"
    assert error(api, "InquiryPriceRenewVpnGateway", VpnGatewayId=pre,
                 InstanceChargePrepaid={"Period": 5})[0] == "InvalidParameterValue"


def test_bandwidth_reset_price_follows_the_reset_rule(api, gateways):
    post, pre = gateways
    body = api.ok("InquiryPriceResetVpnGatewayInternetMaxBandwidth", VpnGatewayId=post,
                  InternetMaxBandwidthOut=100)
    assert body["Price"]["InstancePrice"]["UnitPrice"] == rules.hourly_price(REGION)
    assert _sdk_reads("InquiryPriceResetVpnGatewayInternetMaxBandwidth", body).Price
    # prepaid: the term already paid includes the bandwidth
    body = api.ok("InquiryPriceResetVpnGatewayInternetMaxBandwidth", VpnGatewayId=pre,
                  InternetMaxBandwidthOut=50)
    assert body["Price"]["InstancePrice"]["OriginalPrice"] == 0.0
    code, message = error(api, "InquiryPriceResetVpnGatewayInternetMaxBandwidth",
                          VpnGatewayId=post, InternetMaxBandwidthOut=200)
    assert code == rules.BANDWIDTH_MODIFY
    assert message == rules.check_bandwidth_reset(5, 200)[0].message
    assert error(api, "InquiryPriceResetVpnGatewayInternetMaxBandwidth",
                 VpnGatewayId="vpngw-00000000", InternetMaxBandwidthOut=10)[0] \
        == "ResourceNotFound"
    # asking changes nothing
    [gw] = api.ok("DescribeVpnGateways", VpnGatewayIds=[post])["VpnGatewaySet"]
    assert gw["InternetMaxBandwidthOut"] == 5


def test_the_new_actions_are_answered():
    names = EmulatedVpcService.action_names()
    assert {"InquiryPriceRenewVpnGateway",
            "InquiryPriceResetVpnGatewayInternetMaxBandwidth"} <= set(names)


# --- one rule, both sides -------------------------------------------------------------------

def test_a_charge_type_change_is_refused_alike_at_plan_time_and_by_the_cloud(api, gateways,
                                                                            provider):
    post, _ = gateways
    code, message = error(api, "ModifyVpnGatewayAttribute", VpnGatewayId=post,
                          InstanceChargeType="PREPAID")
    from providers.tencentcloud.resources.vpn_gateway import RESOURCE
    diags = RESOURCE.plan_checks({"charge_type": "POSTPAID_BY_HOUR"},
                                 {"charge_type": "PREPAID"})
    assert [d.detail for d in diags] == [message] and code == "UnsupportedOperation"


# --- route entries, one a row ---------------------------------------------------------------

def _rtb(api, vpc_id):
    return api.ok("DescribeRouteTables", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTableSet"][0]


def test_route_entries_are_rows_and_the_table_answers_as_before(api, svc, vpc_id):
    gw = api.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="g",
                InternetMaxBandwidthOut=5)["VpnGateway"]["VpnGatewayId"]
    rtb = _rtb(api, vpc_id)["RouteTableId"]
    routes = [{"DestinationCidrBlock": f"172.16.{i}.0/24", "GatewayType": "VPN",
               "GatewayId": gw} for i in range(3)]
    api.ok("CreateRoutes", RouteTableId=rtb, Routes=routes)
    with svc.store.transaction() as tx:
        rows = tx.list_by("route", "RouteTableId", rtb)
        assert "RouteSet" not in tx.get("rtb", rtb)
    assert [r["DestinationCidrBlock"] for r in rows] == [r["DestinationCidrBlock"] for r in routes]
    ids = [r["RouteId"] for r in rows]
    api.ok("DisableRoutes", RouteTableId=rtb, RouteIds=[ids[1]])
    api.ok("DeleteRoutes", RouteTableId=rtb, Routes=[{"RouteId": ids[0]}])
    table = _rtb(api, vpc_id)
    assert [(r["RouteId"], r["Enabled"]) for r in table["RouteSet"]] == [(ids[1], False),
                                                                         (ids[2], True)]
    assert set(table["RouteSet"][0]) == {
        "DestinationCidrBlock", "GatewayType", "GatewayId", "RouteId", "RouteDescription",
        "Enabled", "RouteType", "RouteTableId", "DestinationIpv6CidrBlock", "RouteItemId",
        "PublishedToVbc", "CreatedTime", "CdcId"}
    # the gateway is still the next hop of two entries
    assert error(api, "DeleteVpnGateway", VpnGatewayId=gw)[0] == "ResourceInUse"
    # deleting the VPC's last objects takes its table's entries with it
    api.ok("DeleteRoutes", RouteTableId=rtb, Routes=[{"RouteId": i} for i in ids[1:]])
    api.ok("DeleteVpnGateway", VpnGatewayId=gw)
    api.ok("CreateRoutes", RouteTableId=rtb, Routes=[{"DestinationCidrBlock": "172.17.0.0/16",
                                                      "GatewayType": "NAT", "GatewayId": "n"}])
    api.ok("DeleteVpc", VpcId=vpc_id)
    with svc.store.transaction() as tx:
        assert tx.list("route") == []


def test_entries_kept_inside_a_table_by_an_older_store_are_read_and_moved(api, svc, vpc_id):
    rtb = _rtb(api, vpc_id)["RouteTableId"]
    old = {"DestinationCidrBlock": "172.16.0.0/24", "GatewayType": "NAT", "GatewayId": "n",
           "RouteId": 42, "RouteDescription": "", "Enabled": True, "RouteType": "USER",
           "RouteTableId": rtb, "DestinationIpv6CidrBlock": "", "RouteItemId": "rti-old00000",
           "PublishedToVbc": False, "CreatedTime": "2026-01-01 00:00:00", "CdcId": ""}
    with svc.store.transaction() as tx:
        tx.put("rtb", rtb, {**tx.get("rtb", rtb), "RouteSet": [old]})
    assert [r["RouteId"] for r in _rtb(api, vpc_id)["RouteSet"]] == [42]
    api.ok("DisableRoutes", RouteTableId=rtb, RouteItemIds=["rti-old00000"])
    with svc.store.transaction() as tx:
        assert "RouteSet" not in tx.get("rtb", rtb)
        assert tx.get("route", "42")["Enabled"] is False
    assert [r["RouteId"] for r in _rtb(api, vpc_id)["RouteSet"]] == [42]


def test_the_dataplane_routes_by_the_entry_rows(api, svc, vpc_id):
    from providers.tencentcloud.dataplane.network import desired_routing
    from providers.tencentcloud.emulator.realiser import RealiserRecords
    gw = api.ok("CreateVpnGateway", VpcId=vpc_id, VpnGatewayName="g",
                InternetMaxBandwidthOut=5)["VpnGateway"]["VpnGatewayId"]
    rtb = _rtb(api, vpc_id)["RouteTableId"]
    api.ok("CreateRoutes", RouteTableId=rtb, Routes=[
        {"DestinationCidrBlock": "172.16.0.0/24", "GatewayType": "VPN", "GatewayId": gw},
        {"DestinationCidrBlock": "172.16.1.0/24", "GatewayType": "VPN", "GatewayId": gw}])
    second = _rtb(api, vpc_id)["RouteSet"][1]["RouteId"]
    api.ok("DisableRoutes", RouteTableId=rtb, RouteIds=[second])
    with svc.store.transaction() as tx:
        records = RealiserRecords(tx)
        records.put("gateway", gw, {"sides": [{"lan_ip": "10.0.255.2"}], "active": 0})
        tables, _ = desired_routing(records, vpc_id)
    assert list(tables.values()) == [{"172.16.0.0/24": "10.0.255.2"}]


# --- lookups by ID and by indexed field, across regions ---------------------------------------

def test_ids_are_found_across_kinds_and_regions(store):
    with store.transaction() as tx:
        tx.insert("vpc", "vpc-aaaaaaaa", "ap-guangzhou", {"VpcId": "vpc-aaaaaaaa"})
        tx.insert("cgw", "cgw-bbbbbbbb", "ap-shanghai", {"CustomerGatewayId": "cgw-bbbbbbbb"})
    with store.snapshot() as tx:
        assert tx.id_exists("vpc-aaaaaaaa") and tx.id_exists("cgw-bbbbbbbb")
        assert not tx.id_exists("vpc-cccccccc")
        assert tx.get("cgw", "cgw-bbbbbbbb", "ap-guangzhou") is None  # another region's
        assert tx.get("cgw", "cgw-bbbbbbbb", "ap-shanghai") == {
            "CustomerGatewayId": "cgw-bbbbbbbb"}


def test_field_lookups_in_a_region_keep_only_its_objects_in_creation_order(store):
    with store.transaction() as tx:
        for i, region in enumerate(["ap-guangzhou", "ap-shanghai"] * 3):
            tx.insert("vpnx", f"vpnx-0000000{i}", region,
                      {"VpnConnectionId": f"vpnx-0000000{i}", "VpnGatewayId": "vpngw-1",
                       "CustomerGatewayId": "cgw-1", "N": i})
    with store.snapshot() as tx:
        assert [c["N"] for c in tx.list_by("vpnx", "VpnGatewayId", "vpngw-1",
                                           "ap-shanghai")] == [1, 3, 5]
        assert [c["N"] for c in tx.list_by("vpnx", "VpnGatewayId", "vpngw-1")] == list(range(6))
        assert tx.count_by("vpnx", "CustomerGatewayId", "cgw-1", "ap-guangzhou") == 3
        assert tx.count_by("vpnx", "CustomerGatewayId", "cgw-1") == 6


def test_a_cloud_made_before_the_id_index_gets_it(tmp_path):
    old = SqliteStore.for_workdir(tmp_path)
    with old.transaction() as tx:
        tx._c.execute("DROP INDEX objects_by_id")
        tx.insert("vpc", "vpc-aaaaaaaa", "ap-guangzhou", {"VpcId": "vpc-aaaaaaaa"})
    old.close()
    store = SqliteStore.for_workdir(tmp_path)
    try:
        with store.snapshot() as tx:
            assert tx._c.execute("SELECT 1 FROM sqlite_master WHERE name='objects_by_id'"
                                 ).fetchone()
            assert tx.id_exists("vpc-aaaaaaaa")
    finally:
        store.close()
