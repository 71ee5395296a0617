"""The emulated VPC/VPN service: actions, error codes, rules, limits, states, store sharing."""

import re
import time

import pytest
from tc_support import REGION, Api

from providers.tencentcloud.emulator import EmulatedVpcService, SqliteStore
from providers.tencentcloud.emulator.faults import arm_fault
from providers.tencentcloud.emulator.faults import main as faults_main

ID_RE = {
    k: re.compile(k + r"-[a-z0-9]{8}$")
    for k in ("vpc", "subnet", "rtb", "vpngw", "cgw", "vpnx", "vpnr")
}
TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
UUID_RE = re.compile(r"[0-9a-f-]{36}$")


def make_vpc(api, cidr="192.168.0.0/16", name="TomVPC"):
    return api.ok("CreateVpc", VpcName=name, CidrBlock=cidr)["Vpc"]


def make_gw(api, vpc_id, name="gw", bandwidth=5):
    return api.ok(
        "CreateVpnGateway", VpcId=vpc_id, VpnGatewayName=name, InternetMaxBandwidthOut=bandwidth
    )["VpnGateway"]


def make_cgw(api, ip="202.108.22.5", name="idc"):
    return api.ok("CreateCustomerGateway", CustomerGatewayName=name, IpAddress=ip)[
        "CustomerGateway"
    ]


def make_conn(api, vpc, gw, cgw, spd=None, **extra):
    spd = (
        spd
        if spd is not None
        else [{"LocalCidrBlock": "192.168.1.0/24", "RemoteCidrBlock": ["10.0.1.0/24"]}]
    )
    return api.ok(
        "CreateVpnConnection",
        VpcId=vpc["VpcId"],
        VpnGatewayId=gw["VpnGatewayId"],
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnConnectionName="conn",
        PreShareKey="psk-123",
        SecurityPolicyDatabases=spd,
        **extra,
    )["VpnConnection"]


@pytest.fixture
def quick(api):
    vpc = make_vpc(api)
    gw = make_gw(api, vpc["VpcId"])
    cgw = make_cgw(api)
    return vpc, gw, cgw


def test_envelopes_and_ids(api, svc):
    body = svc.call("CreateVpc", {"VpcName": "v", "CidrBlock": "10.0.0.0/16"}, REGION)
    assert UUID_RE.match(body["RequestId"]) and ID_RE["vpc"].match(body["Vpc"]["VpcId"])
    assert TIME_RE.match(body["Vpc"]["CreatedTime"])
    err = svc.call("NoSuchAction", {}, REGION)
    assert err["Error"]["Code"] == "InvalidAction" and set(err) == {"Error", "RequestId"}
    assert api.err("CreateVpc", VpcName="v") == "MissingParameter"
    assert api.err("CreateVpc", VpcName="v", CidrBlock="10.1.0.0/16", Bogus=1) == "UnknownParameter"


def test_vpc_gets_a_main_route_table_and_subnets_join_it(api):
    vpc = make_vpc(api)
    [main] = api.ok("DescribeRouteTables", Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "RouteTableSet"
    ]
    assert main["Main"] is True and ID_RE["rtb"].match(main["RouteTableId"])
    sub = api.ok(
        "CreateSubnet",
        VpcId=vpc["VpcId"],
        SubnetName="a",
        CidrBlock="192.168.1.0/24",
        Zone="ap-guangzhou-3",
    )["Subnet"]
    assert sub["RouteTableId"] == main["RouteTableId"] and sub["AvailableIpAddressCount"] == 253
    rtb = api.ok("CreateRouteTable", VpcId=vpc["VpcId"], RouteTableName="rt")["RouteTable"]
    api.ok(
        "ReplaceRouteTableAssociation", SubnetId=sub["SubnetId"], RouteTableId=rtb["RouteTableId"]
    )
    [got] = api.ok("DescribeRouteTables", RouteTableIds=[rtb["RouteTableId"]])["RouteTableSet"]
    assert got["AssociationSet"] == [
        {"SubnetId": sub["SubnetId"], "RouteTableId": rtb["RouteTableId"]}
    ]
    assert api.err("DeleteRouteTable", RouteTableId=rtb["RouteTableId"]) == "ResourceInUse"
    assert api.err("DeleteRouteTable", RouteTableId=main["RouteTableId"]) == "ResourceInUse"
    api.ok("ModifyRouteTableAttribute", RouteTableId=rtb["RouteTableId"], RouteTableName="rt2")
    api.ok("ModifySubnetAttribute", SubnetId=sub["SubnetId"], SubnetName="b")
    api.ok("ModifyVpcAttribute", VpcId=vpc["VpcId"], VpcName="v2")
    assert api.ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["VpcSet"][0]["VpcName"] == "v2"
    assert (
        api.ok("DescribeSubnets", SubnetIds=[sub["SubnetId"]])["SubnetSet"][0]["SubnetName"] == "b"
    )
    assert api.err("DeleteVpc", VpcId=vpc["VpcId"]) == "ResourceInUse"
    api.ok(
        "ReplaceRouteTableAssociation", SubnetId=sub["SubnetId"], RouteTableId=main["RouteTableId"]
    )
    api.ok("DeleteRouteTable", RouteTableId=rtb["RouteTableId"])
    api.ok("DeleteSubnet", SubnetId=sub["SubnetId"])
    api.ok("DeleteVpc", VpcId=vpc["VpcId"])
    assert api.err("DescribeVpcs", VpcIds=[vpc["VpcId"]]) == "ResourceNotFound"
    assert api.ok("DescribeRouteTables", Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
                  )["TotalCount"] == 0


def test_vpc_id_filters_are_answered_in_creation_order(api):
    a = make_vpc(api, "10.0.0.0/16", "a")["VpcId"]
    b = make_vpc(api, "10.1.0.0/16", "b")["VpcId"]
    rt_a = api.ok("CreateRouteTable", VpcId=a, RouteTableName="ra")["RouteTable"]["RouteTableId"]
    rt_b = api.ok("CreateRouteTable", VpcId=b, RouteTableName="rb")["RouteTable"]["RouteTableId"]

    def rtbs(*filters):
        body = api.ok("DescribeRouteTables", Filters=list(filters))
        return [(r["VpcId"], r["Main"], r["RouteTableId"]) for r in body["RouteTableSet"]]

    main_a, main_b = (rtbs({"Name": "vpc-id", "Values": [v]},
                           {"Name": "association.main", "Values": ["TRUE"]})[0][2]
                      for v in (a, b))
    assert rtbs({"Name": "vpc-id", "Values": [b, a]}) == [
        (a, True, main_a), (b, True, main_b), (a, False, rt_a), (b, False, rt_b)]
    assert rtbs({"Name": "vpc-id", "Values": [b]},
                {"Name": "route-table-name", "Values": ["rb"]}) == [(b, False, rt_b)]
    assert rtbs({"Name": "vpc-id", "Values": ["vpc-00000000"]}) == []
    sub = api.ok("CreateSubnet", VpcId=b, SubnetName="s", CidrBlock="10.1.1.0/24",
                 Zone="ap-guangzhou-3")["Subnet"]["SubnetId"]
    body = api.ok("DescribeSubnets", Filters=[{"Name": "vpc-id", "Values": [a, b]}])
    assert [s["SubnetId"] for s in body["SubnetSet"]] == [sub]
    [got] = api.ok("DescribeRouteTables", RouteTableIds=[main_b])["RouteTableSet"]
    assert got["AssociationSet"] == [{"SubnetId": sub, "RouteTableId": main_b}]


def test_vpc_and_subnet_cidr_rules(api):
    assert (
        api.err("CreateVpc", VpcName="v", CidrBlock="8.8.0.0/16") == "InvalidParameterValue.Range"
    )
    assert (
        api.err("CreateVpc", VpcName="v", CidrBlock="10.0.0.1/16")
        == "InvalidParameterValue.Malformed"
    )
    assert (
        api.err("CreateVpc", VpcName="x" * 61, CidrBlock="10.0.0.0/16")
        == "InvalidParameterValue.TooLong"
    )
    vpc = make_vpc(api, "10.0.0.0/16")
    sub = dict(VpcId=vpc["VpcId"], SubnetName="a", Zone="ap-guangzhou-3")
    assert (
        api.err("CreateSubnet", CidrBlock="10.1.0.0/24", **sub)
        == "InvalidParameterValue.SubnetRange"
    )
    api.ok("CreateSubnet", CidrBlock="10.0.0.0/23", **sub)
    assert (
        api.err("CreateSubnet", CidrBlock="10.0.1.0/24", **sub)
        == "InvalidParameterValue.SubnetOverlap"
    )
    assert (
        api.err("CreateSubnet", CidrBlock="10.0.4.0/24", **{**sub, "Zone": "ap-beijing-1"})
        == "InvalidZone.MismatchRegion"
    )


def test_describe_filters_paging_and_ids(api):
    ids = [api.ok("DescribeVpcs")["VpcSet"][0]["VpcId"]]  # the region's default VPC
    ids += [make_vpc(api, f"10.{i}.0.0/16", name=f"vpc-{i}")["VpcId"] for i in range(5)]
    page = api.ok("DescribeVpcs", Offset="1", Limit="2")
    assert page["TotalCount"] == 6 and [v["VpcId"] for v in page["VpcSet"]] == ids[1:3]
    assert (
        api.ok("DescribeVpcs", Filters=[{"Name": "vpc-name", "Values": ["vpc-3"]}])["TotalCount"]
        == 1
    )
    assert (
        api.ok(
            "DescribeVpcs",
            Filters=[{"Name": "cidr-block", "Values": ["10.1.0.0/16", "10.2.0.0/16"]}],
        )["TotalCount"]
        == 2
    )
    assert (
        api.err("DescribeVpcs", VpcIds=ids[:1], Filters=[{"Name": "vpc-id", "Values": ids[:1]}])
        == "InvalidParameter.Coexist"
    )
    assert (
        api.err("DescribeVpcs", Filters=[{"Name": "color", "Values": ["red"]}])
        == "InvalidParameter.FilterInvalidKey"
    )
    assert (
        api.err("DescribeVpcs", Filters=[{"Name": "vpc-id", "Values": "x"}])
        == "InvalidParameter.FilterValuesNotList"
    )
    assert api.err("DescribeVpcs", Limit=101) == "InvalidParameterValue.LimitExceeded"
    assert api.err("DescribeVpcs", Limit="ten") == "InvalidParameter"
    assert api.err("DescribeVpcs", VpcIds=["vpc-bad"]) == "InvalidVpcId.Malformed"
    assert api.err("DescribeVpnGateways", VpnGatewayIds=["nope"]) == "InvalidVpnGatewayId.Malformed"
    # Regions partition everything.
    other = Api(api.service, "ap-shanghai")
    [own] = other.ok("DescribeVpcs")["VpcSet"]  # that region's own default VPC only
    assert own["IsDefault"] and own["VpcId"] not in ids
    assert other.err("DescribeVpcs", VpcIds=ids[:1]) == "ResourceNotFound"


def test_tags_on_create_filters_and_modify(api):
    vpc = api.ok(
        "CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16", Tags=[{"Key": "env", "Value": "prod"}]
    )["Vpc"]
    assert (
        api.ok("DescribeVpcs", Filters=[{"Name": "tag:env", "Values": ["prod"]}])["TotalCount"] == 1
    )
    assert (
        api.ok("DescribeVpcs", Filters=[{"Name": "tag-key", "Values": ["team"]}])["TotalCount"] == 0
    )
    api.ok(
        "ModifyResourceTags",
        Resource=f"qcs::vpc:{REGION}:uin/:vpc/{vpc['VpcId']}",
        ReplaceTags=[{"TagKey": "team", "TagValue": "net"}],
        DeleteTags=[{"TagKey": "env"}],
    )
    assert api.ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["VpcSet"][0]["TagSet"] == [
        {"Key": "team", "Value": "net"}]


def test_vpn_gateway_lifecycle_and_states(store):
    svc = EmulatedVpcService(store, gateway_delay=0.15, delay_scale=1)
    api = Api(svc)
    vpc = make_vpc(api)
    gw = make_gw(api, vpc["VpcId"])
    assert gw["State"] == "PENDING" and ID_RE["vpngw"].match(gw["VpnGatewayId"])
    ip = gw["PublicIpAddress"]
    assert ip.startswith(("198.18.", "198.19."))
    assert (
        api.err(
            "ResetVpnGatewayInternetMaxBandwidth",
            VpnGatewayId=gw["VpnGatewayId"],
            InternetMaxBandwidthOut=10,
        )
        == "UnsupportedOperation.InvalidState"
    )
    time.sleep(0.2)
    [got] = api.ok("DescribeVpnGateways", VpnGatewayIds=[gw["VpnGatewayId"]])["VpnGatewaySet"]
    assert got["State"] == "AVAILABLE" and got["ExpiredTime"] == "0000-00-00 00:00:00"
    api.ok("ModifyVpnGatewayAttribute", VpnGatewayId=gw["VpnGatewayId"], VpnGatewayName="gw2")
    api.ok(
        "ResetVpnGatewayInternetMaxBandwidth",
        VpnGatewayId=gw["VpnGatewayId"],
        InternetMaxBandwidthOut="100",
    )
    code = api.err(
        "ResetVpnGatewayInternetMaxBandwidth",
        VpnGatewayId=gw["VpnGatewayId"],
        InternetMaxBandwidthOut=200,
    )
    assert code == "UnsupportedOperation.VpnUnsupportedModifyBandwidth"
    # lowering within the range is allowed (the product rules: changed at any time)
    api.ok(
        "ResetVpnGatewayInternetMaxBandwidth",
        VpnGatewayId=gw["VpnGatewayId"],
        InternetMaxBandwidthOut=50,
    )
    [got] = api.ok(
        "DescribeVpnGateways", Filters=[{"Name": "vpn-gateway-name", "Values": ["gw2"]}]
    )["VpnGatewaySet"]
    assert got["InternetMaxBandwidthOut"] == 50
    api.ok("DeleteVpnGateway", VpnGatewayId=gw["VpnGatewayId"])
    assert api.ok("DescribeVpnGateways")["TotalCount"] == 0


def test_vpn_gateway_create_checks(api):
    vpc = make_vpc(api)
    base = dict(VpcId=vpc["VpcId"], VpnGatewayName="g")
    assert (
        api.err("CreateVpnGateway", InternetMaxBandwidthOut=15, **base)
        == "InvalidParameterValue.Range"
    )
    assert (
        api.err("CreateVpnGateway", VpnGatewayName="g", InternetMaxBandwidthOut=5)
        == "UnsupportedOperation.VpnGwVpcIdMustHave"
    )
    assert (
        api.err("CreateVpnGateway", InternetMaxBandwidthOut=5, Type="WIREGUARD", **base)
        == "InvalidParameterValue"
    )
    assert (
        api.err("CreateVpnGateway", InternetMaxBandwidthOut=5, InstanceChargeType="PREPAID", **base)
        == "MissingParameter"
    )
    assert (
        api.err(
            "CreateVpnGateway", InternetMaxBandwidthOut=5, VpcId="vpc-00000000", VpnGatewayName="g"
        )
        == "ResourceNotFound"
    )
    ips = {make_gw(api, vpc["VpcId"], name=f"g{i}")["PublicIpAddress"] for i in range(10)}
    assert len(ips) == 10
    assert api.err("CreateVpnGateway", InternetMaxBandwidthOut=5, **base) == "LimitExceeded"
    other = make_vpc(api, "10.0.0.0/16", name="other")
    make_gw(api, other["VpcId"])


def test_price_inquiry(api):
    price = api.ok("InquiryPriceCreateVpnGateway", InternetMaxBandwidthOut=5)["Price"]
    assert (
        price["InstancePrice"]["UnitPrice"] == 0.078
        and price["InstancePrice"]["ChargeUnit"] == "HOUR"
    )
    sg = Api(api.service, "ap-singapore").ok(
        "InquiryPriceCreateVpnGateway", InternetMaxBandwidthOut=5
    )
    assert sg["Price"]["InstancePrice"]["UnitPrice"] == 0.12
    assert (
        Api(api.service, "mars-1").err("InquiryPriceCreateVpnGateway", InternetMaxBandwidthOut=5)
        == "UnsupportedRegion"
    )


def test_customer_gateways(api):
    assert (
        api.err("CreateCustomerGateway", CustomerGatewayName="c", IpAddress="224.0.0.5")
        == "InvalidParameterValue"
    )
    assert (
        api.err("CreateCustomerGateway", CustomerGatewayName="c", IpAddress="1.2.3")
        == "InvalidParameterValue.Malformed"
    )
    cgws = [make_cgw(api, f"203.0.113.{i + 1}", name=f"c{i}") for i in range(20)]
    assert ID_RE["cgw"].match(cgws[0]["CustomerGatewayId"])
    assert (
        api.err("CreateCustomerGateway", CustomerGatewayName="c", IpAddress="203.0.114.1")
        == "LimitExceeded"
    )
    # The limit is per region.
    make_cgw(Api(api.service, "ap-shanghai"))
    cid = cgws[0]["CustomerGatewayId"]
    api.ok("ModifyCustomerGatewayAttribute", CustomerGatewayId=cid, CustomerGatewayName="renamed")
    assert (
        api.ok(
            "DescribeCustomerGateways",
            Filters=[{"Name": "customer-gateway-name", "Values": ["renamed"]}],
        )["TotalCount"]
        == 1
    )
    api.ok("DeleteCustomerGateway", CustomerGatewayId=cid)
    assert api.err("DeleteCustomerGateway", CustomerGatewayId=cid) == "ResourceNotFound"
    vendors = api.ok("DescribeCustomerGatewayVendors")["CustomerGatewayVendorSet"]
    assert {"Platform": "comware", "SoftwareVersion": "V1.0", "VendorName": "h3c"} in vendors


def test_vpn_connection_lifecycle(quick, store):
    vpc, gw, cgw = quick
    svc = EmulatedVpcService(store, connection_delay=0.15, delay_scale=1)
    api = Api(svc)
    conn = make_conn(api, vpc, gw, cgw)
    cid = conn["VpnConnectionId"]
    assert ID_RE["vpnx"].match(cid) and conn["State"] == "PENDING"
    assert conn["NetStatus"] == "UNAVAILABLE"
    ike, ipsec = conn["IKEOptionsSpecification"], conn["IPSECOptionsSpecification"]
    assert ike["LocalAddress"] == gw["PublicIpAddress"] and ike["RemoteAddress"] == "202.108.22.5"
    assert ipsec["IntegrityAlgorith"] == ipsec["IntegrityAlgorithm"] == "MD5"
    assert (
        api.err("DeleteVpnConnection", VpnGatewayId=gw["VpnGatewayId"], VpnConnectionId=cid)
        == "UnsupportedOperation.InvalidState"
    )
    assert (
        api.err("ModifyVpnConnectionAttribute", VpnConnectionId=cid, VpnConnectionName="x")
        == "UnsupportedOperation.VpnConnInvalidState"
    )
    time.sleep(0.2)
    assert (
        api.ok("DescribeVpnConnections", VpnConnectionIds=[cid])["VpnConnectionSet"][0]["State"]
        == "AVAILABLE"
    )
    assert api.ok("DescribeCustomerGateways")["CustomerGatewaySet"][0]["VpnConnNum"] == 1
    api.ok(
        "ModifyVpnConnectionAttribute",
        VpnConnectionId=cid,
        IKEOptionsSpecification={"DhGroupName": "GROUP14", "IKESaLifetimeSeconds": "3600"},
        IPSECOptionsSpecification={"IntegrityAlgorithm": "SHA1"},
        DpdTimeout="45",
    )
    [got] = api.ok(
        "DescribeVpnConnections",
        Filters=[{"Name": "vpn-gateway-id", "Values": [gw["VpnGatewayId"]]}],
    )["VpnConnectionSet"]
    assert got["IKEOptionsSpecification"]["DhGroupName"] == "GROUP14"
    assert got["IKEOptionsSpecification"]["IKESaLifetimeSeconds"] == 3600
    assert got["IPSECOptionsSpecification"]["IntegrityAlgorith"] == "SHA1"
    assert got["DpdTimeout"] == "45"
    cfg = api.ok(
        "DownloadCustomerGatewayConfiguration",
        VpnGatewayId=gw["VpnGatewayId"],
        VpnConnectionId=cid,
        InterfaceName="GE1",
        CustomerGatewayVendor={
            "Platform": "ios",
            "SoftwareVersion": "V15.4",
            "VendorName": "cisco",
        },
    )["CustomerGatewayConfiguration"]
    assert cfg.startswith("!") and "crypto map TC-MAP 10 ipsec-isakmp" in cfg
    assert api.err("DeleteVpnGateway", VpnGatewayId=gw["VpnGatewayId"]) == "ResourceInUse"
    assert (
        api.err("DeleteCustomerGateway", CustomerGatewayId=cgw["CustomerGatewayId"])
        == "ResourceInUse"
    )
    api.ok("DeleteVpnConnection", VpnGatewayId=gw["VpnGatewayId"], VpnConnectionId=cid)
    api.ok("DeleteCustomerGateway", CustomerGatewayId=cgw["CustomerGatewayId"])
    api.ok("DeleteVpnGateway", VpnGatewayId=gw["VpnGatewayId"])


@pytest.mark.parametrize(
    "spd,code",
    [
        (
            [{"LocalCidrBlock": "192.168.1.0/24", "RemoteCidrBlock": ["192.168.1.128/25"]}],
            "InvalidParameterValue.VpnConnSpdCidrConflict",
        ),
        (
            [
                {"LocalCidrBlock": "192.168.1.0/24", "RemoteCidrBlock": ["10.0.0.0/24"]},
                {"LocalCidrBlock": "192.168.1.0/25", "RemoteCidrBlock": ["10.0.1.0/24"]},
            ],
            "UnsupportedOperation.VpnConnSPDOverlap",
        ),
        (
            [
                {
                    "LocalCidrBlock": "192.168.1.0/24",
                    "RemoteCidrBlock": ["10.0.0.0/16", "10.0.1.0/24"],
                }
            ],
            "UnsupportedOperation.VpnConnSPDOverlap",
        ),
        (
            [{"LocalCidrBlock": "192.168.1.0/24", "RemoteCidrBlock": ["192.168.200.0/24"]}],
            "InvalidParameterValue.VpnConnCidrConflict",
        ),
        (
            [{"LocalCidrBlock": "192.168.1.1/24", "RemoteCidrBlock": ["10.0.0.0/24"]}],
            "InvalidParameterValue.Malformed",
        ),
        (
            [
                {"LocalCidrBlock": f"192.168.{i}.0/24", "RemoteCidrBlock": ["10.0.0.0/24"]}
                for i in range(11)
            ],
            "LimitExceeded",
        ),
        (
            [
                {
                    "LocalCidrBlock": "192.168.1.0/24",
                    "RemoteCidrBlock": [f"10.0.{i}.0/24" for i in range(51)],
                }
            ],
            "LimitExceeded",
        ),
    ],
)
def test_vpn_connection_spd_rules(quick, api, spd, code):
    vpc, gw, cgw = quick
    body = api.CreateVpnConnection(
        VpcId=vpc["VpcId"],
        VpnGatewayId=gw["VpnGatewayId"],
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnConnectionName="c",
        PreShareKey="k",
        SecurityPolicyDatabases=spd,
    )
    assert body["Error"]["Code"] == code
    assert "k" not in body["Error"]["Message"].split()


@pytest.mark.parametrize(
    "field,value",
    [
        ("IKEOptionsSpecification", {"PropoEncryAlgorithm": "AES"}),
        ("IKEOptionsSpecification", {"DhGroupName": "GROUP3"}),
        ("IKEOptionsSpecification", {"IKESaLifetimeSeconds": 59}),
        ("IKEOptionsSpecification", {"LocalIdentity": "FQDN"}),
        ("IPSECOptionsSpecification", {"PfsDhGroup": "GROUP2"}),
        ("IPSECOptionsSpecification", {"IPSECSaLifetimeSeconds": 179}),
        ("IPSECOptionsSpecification", {"IPSECSaLifetimeTraffic": 100}),
        ("DpdTimeout", "29"),
        ("DpdAction", "hold"),
        ("RouteType", "OSPF"),
    ],
)
def test_vpn_connection_option_checks(quick, api, field, value):
    vpc, gw, cgw = quick
    body = api.CreateVpnConnection(
        VpcId=vpc["VpcId"],
        VpnGatewayId=gw["VpnGatewayId"],
        CustomerGatewayId=cgw["CustomerGatewayId"],
        VpnConnectionName="c",
        PreShareKey="k",
        **{field: value},
    )
    assert body["Error"]["Code"].startswith("InvalidParameterValue")


def test_tunnel_limits(api):
    vpc = make_vpc(api)
    gw = make_gw(api, vpc["VpcId"])
    cgws = [make_cgw(api, f"203.0.113.{i + 1}") for i in range(3)]
    for _i in range(10):
        make_conn(api, vpc, gw, cgws[0], spd=[])
    assert (
        api.err(
            "CreateVpnConnection",
            VpcId=vpc["VpcId"],
            VpnGatewayId=gw["VpnGatewayId"],
            CustomerGatewayId=cgws[0]["CustomerGatewayId"],
            VpnConnectionName="c",
            PreShareKey="k",
        )
        == "LimitExceeded"
    )
    for _i in range(10):
        make_conn(api, vpc, gw, cgws[1], spd=[])
    assert (
        api.err(
            "CreateVpnConnection",
            VpcId=vpc["VpcId"],
            VpnGatewayId=gw["VpnGatewayId"],
            CustomerGatewayId=cgws[2]["CustomerGatewayId"],
            VpnConnectionName="c",
            PreShareKey="k",
        )
        == "LimitExceeded"
    )


def test_routes_to_vpn_gateways(quick, api):
    vpc, gw, cgw = quick
    rtb = api.ok("CreateRouteTable", VpcId=vpc["VpcId"], RouteTableName="rt")["RouteTable"]
    rid = rtb["RouteTableId"]
    route = {
        "DestinationCidrBlock": "10.0.1.0/24",
        "GatewayType": "VPN",
        "GatewayId": gw["VpnGatewayId"],
    }
    out = api.ok("CreateRoutes", RouteTableId=rid, Routes=[route])
    assert out["TotalCount"] == 1
    [r] = out["RouteTableSet"][0]["RouteSet"]
    assert isinstance(r["RouteId"], int) and r["RouteItemId"].startswith("rti-") and r["Enabled"]
    assert (
        api.err("CreateRoutes", RouteTableId=rid, Routes=[route])
        == "InvalidParameterValue.Duplicate"
    )
    other_vpc = make_vpc(api, "10.8.0.0/16", name="o")
    other_gw = make_gw(api, other_vpc["VpcId"])
    assert (
        api.err(
            "CreateRoutes",
            RouteTableId=rid,
            Routes=[
                {
                    **route,
                    "DestinationCidrBlock": "10.0.2.0/24",
                    "GatewayId": other_gw["VpnGatewayId"],
                }
            ],
        )
        == "InvalidParameterValue.RouteNextHopInvalid"
    )
    assert (
        api.err(
            "CreateRoutes",
            RouteTableId=rid,
            Routes=[{**route, "DestinationCidrBlock": "192.168.5.0/24"}],
        )
        == "InvalidParameterValue.VpcCidrConflict"
    )
    api.ok("DisableRoutes", RouteTableId=rid, RouteIds=[r["RouteId"]])
    assert (
        api.ok("DescribeRouteTables", RouteTableIds=[rid])["RouteTableSet"][0]["RouteSet"][0][
            "Enabled"
        ]
        is False
    )
    api.ok("EnableRoutes", RouteTableId=rid, RouteItemIds=[r["RouteItemId"]])
    assert api.err("DeleteVpnGateway", VpnGatewayId=gw["VpnGatewayId"]) == "ResourceInUse"
    deleted = api.ok("DeleteRoutes", RouteTableId=rid, Routes=[{"RouteId": r["RouteId"]}])[
        "RouteSet"
    ]
    assert [d["RouteId"] for d in deleted] == [r["RouteId"]]
    assert (
        api.err("DeleteRoutes", RouteTableId=rid, Routes=[{"RouteId": r["RouteId"]}])
        == "ResourceNotFound"
    )
    api.ok("DeleteVpnGateway", VpnGatewayId=gw["VpnGatewayId"])


def test_vpn_gateway_routes(quick, api):
    vpc, gw, cgw = quick
    conn = make_conn(api, vpc, gw, cgw)
    gid = gw["VpnGatewayId"]
    route = {
        "DestinationCidrBlock": "10.0.1.0/24",
        "InstanceType": "VPNCONN",
        "InstanceId": conn["VpnConnectionId"],
        "Priority": "100",
        "Status": "ENABLE",
    }
    [r] = api.ok("CreateVpnGatewayRoutes", VpnGatewayId=gid, Routes=[route])["Routes"]
    assert ID_RE["vpnr"].match(r["RouteId"]) and r["Type"] == "Static" and r["Priority"] == 100
    assert (
        api.err("CreateVpnGatewayRoutes", VpnGatewayId=gid, Routes=[route])
        == "InvalidParameterValue.VpnGatewayRouteDuplicate"
    )
    assert (
        api.err("CreateVpnGatewayRoutes", VpnGatewayId=gid, Routes=[{**route, "Priority": 5}])
        == "InvalidParameterValue"
    )
    [m] = api.ok(
        "ModifyVpnGatewayRoutes",
        VpnGatewayId=gid,
        Routes=[{"RouteId": r["RouteId"], "Status": "DISABLE"}],
    )["Routes"]
    assert m["Status"] == "DISABLE"
    got = api.ok(
        "DescribeVpnGatewayRoutes",
        VpnGatewayId=gid,
        Filters=[{"Name": "InstanceId", "Values": [conn["VpnConnectionId"]]}],
    )
    assert got["TotalCount"] == 1
    assert (
        api.err("DeleteVpnConnection", VpnGatewayId=gid, VpnConnectionId=conn["VpnConnectionId"])
        == "ResourceInUse"
    )
    api.ok("DeleteVpnGatewayRoutes", VpnGatewayId=gid, RouteIds=[r["RouteId"]])
    assert (
        api.err("DeleteVpnGatewayRoutes", VpnGatewayId=gid, RouteIds=[r["RouteId"]])
        == "ResourceNotFound"
    )


def test_two_services_on_one_file_share_the_cloud(tmp_path):
    a = EmulatedVpcService(SqliteStore.for_workdir(tmp_path))
    b = EmulatedVpcService(SqliteStore.for_workdir(tmp_path))
    try:
        vpc = Api(a).ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]
        assert Api(b).ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["TotalCount"] == 1
        Api(b).ok("ModifyVpcAttribute", VpcId=vpc["VpcId"], VpcName="renamed")
        assert Api(a).ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["VpcSet"][0]["VpcName"] == "renamed"
        assert (tmp_path / ".vpnform" / "cloud.db").exists()
    finally:
        a.store.close()
        b.store.close()


def test_fault_injection(api, svc, tmp_path):
    svc.inject_fault("CreateVpc", "InternalError", "boom", count=2, match='"VpcName": "a"')
    assert api.ok("CreateVpc", VpcName="b", CidrBlock="10.0.0.0/16")
    body = api.CreateVpc(VpcName="a", CidrBlock="10.1.0.0/16")
    assert body["Error"] == {"Code": "InternalError", "Message": "boom"}
    assert api.err("CreateVpc", VpcName="a", CidrBlock="10.1.0.0/16") == "InternalError"
    api.ok("CreateVpc", VpcName="a", CidrBlock="10.1.0.0/16")
    assert svc.pending_faults() == []
    # Armed from "another process": through the workdir only.
    arm_fault(tmp_path, "DescribeVpcs", "RequestLimitExceeded", region="ap-shanghai")
    api.ok("DescribeVpcs")
    assert Api(svc, "ap-shanghai").err("DescribeVpcs") == "RequestLimitExceeded"
    assert faults_main([str(tmp_path), "DeleteVpc", "ResourceBusy", "--count", "3"]) == 0
    assert svc.pending_faults()[0]["remaining"] == 3
    assert faults_main([str(tmp_path), "--clear"]) == 0
    assert svc.pending_faults() == []
    logged = svc.calls("CreateVpc")
    assert [c["error_code"] for c in logged] == [None, "InternalError", "InternalError", None]


def test_psk_is_not_logged(quick, api, svc):
    vpc, gw, cgw = quick
    make_conn(api, vpc, gw, cgw)
    [call] = svc.calls("CreateVpnConnection")
    assert call["params"]["PreShareKey"] == "(sensitive)"


def test_fault_armed_by_another_process_reaches_this_one(svc, tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "providers.tencentcloud.emulator.faults", str(tmp_path),
                    "CreateCustomerGateway", "InternalError", "--message", "down for lunch"],
                   check=True)
    body = svc.call("CreateCustomerGateway", {"CustomerGatewayName": "c",
                                              "IpAddress": "203.0.113.1"}, REGION)
    assert body["Error"] == {"Code": "InternalError", "Message": "down for lunch"}


def test_read_latency_delays_describes_only(api, monkeypatch):
    monkeypatch.setenv("VPNFORM_EMULATOR_READ_LATENCY", "0.1")
    start = time.monotonic()
    vpc = make_vpc(api)
    assert time.monotonic() - start < 0.1  # a write is not delayed
    start = time.monotonic()
    assert api.ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["TotalCount"] == 1
    assert time.monotonic() - start >= 0.1
    monkeypatch.setenv("VPNFORM_EMULATOR_READ_LATENCY", "0")
    start = time.monotonic()
    api.ok("DescribeVpcs")
    assert time.monotonic() - start < 0.1


def test_read_latency_argument_overrides_the_environment(store, monkeypatch):
    monkeypatch.setenv("VPNFORM_EMULATOR_READ_LATENCY", "5")
    svc = EmulatedVpcService(store, read_latency=0.05)
    start = time.monotonic()
    assert "VpcSet" in svc.call("DescribeVpcs", {}, REGION)
    assert 0.05 <= time.monotonic() - start < 1


def test_parallel_reads_overlap_their_latency(api, svc, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    vpc = make_vpc(api)
    monkeypatch.setenv("VPNFORM_EMULATOR_READ_LATENCY", "0.2")
    n = 10

    def read(_):
        return api.ok("DescribeVpcs", VpcIds=[vpc["VpcId"]])["TotalCount"]

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=n) as pool:
        assert list(pool.map(read, range(n))) == [1] * n
    wall = time.monotonic() - start
    assert 0.2 <= wall < 0.2 * 3  # about one latency, not n (2.0 s) of them


def test_reset_vpn_connection(quick, store):
    vpc, gw, cgw = quick
    api = Api(EmulatedVpcService(store, connection_delay=0.2, delay_scale=1))
    cid = make_conn(api, vpc, gw, cgw)["VpnConnectionId"]
    gid = gw["VpnGatewayId"]
    assert api.err("ResetVpnConnection", VpnGatewayId=gid,
                   VpnConnectionId=cid) == "UnsupportedOperation.VpnConnInvalidState"
    time.sleep(0.25)
    api.ok("ResetVpnConnection", VpnGatewayId=gid, VpnConnectionId=cid)
    other = make_gw(api, vpc["VpcId"], name="other")
    assert api.err("ResetVpnConnection", VpnGatewayId=other["VpnGatewayId"],
                   VpnConnectionId=cid) == "InvalidParameterValue"
    assert api.err("ResetVpnConnection", VpnGatewayId=gid,
                   VpnConnectionId="vpnx-00000000") == "ResourceNotFound"


def test_action_table_names_each_modules_actions():
    """The lazy action tables (actions/__init__.py) list exactly what each module answers:
    an action missing from them would answer InvalidAction."""
    import importlib

    from providers.tencentcloud.emulator import actions
    for table in (actions.MODULE_ACTIONS, actions.MONITOR_MODULE_ACTIONS):
        for module, names in table.items():
            own = importlib.import_module(f"{actions.__name__}.{module}").ACTIONS
            assert sorted(names) == sorted(own), module
    every = [a for t in (actions.MODULE_ACTIONS, actions.MONITOR_MODULE_ACTIONS)
             for names in t.values() for a in names]
    assert len(every) == len(set(every))
    assert actions.ACTIONS["CreateVpc"].name == "CreateVpc"
