"""The tencentcloud data sources against the emulator: every filter argument narrows the
result, a filter matching nothing gives an empty list, result_output_file is written, and
pre-shared keys in connection lists come back marked sensitive."""

import json
import os
import stat

import pytest
from tc_support import REGION

from engine import values as V
from providers.tencentcloud import rules
from providers.tencentcloud.data_sources import DATA_SOURCES
from providers.tencentcloud.data_sources.base import DataSource

LISTS = {name: ds for name, ds in DATA_SOURCES.items() if isinstance(ds, DataSource)}

# A fresh account's region holds its default VPC, with its main route table and a default
# subnet per zone.
DEFAULT_SUBNETS = len(rules.zones(REGION))

PSK_A, PSK_B = "site-a-psk-0123456789", "site-b-psk-9876543210"


@pytest.fixture
def sites(api):
    """Two sites made by hand through the API: each a VPC (the second tagged), a route
    table, a subnet, a VPN gateway, a customer gateway, a tunnel and a gateway route."""
    out = {}
    for n, (cidr, idc_ip, idc, psk) in enumerate([
            ("10.1.0.0/16", "203.0.113.1", "172.16.1.0/24", PSK_A),
            ("10.2.0.0/16", "203.0.113.2", "172.16.2.0/24", PSK_B)]):
        name = "ab"[n]
        tags = [{"Key": "site", "Value": name}] if n else []
        vpc = api.ok("CreateVpc", VpcName=f"vpc-{name}", CidrBlock=cidr, Tags=tags)["Vpc"]
        vid = vpc["VpcId"]
        rtb = api.ok("CreateRouteTable", VpcId=vid, RouteTableName=f"rt-{name}",
                     Tags=tags)["RouteTable"]
        sub = api.ok("CreateSubnet", VpcId=vid, SubnetName=f"sn-{name}",
                     CidrBlock=cidr.replace(".0.0/16", ".1.0/24"), Zone=f"{REGION}-{3 + n}",
                     Tags=tags)["Subnet"]
        api.ok("ReplaceRouteTableAssociation", SubnetId=sub["SubnetId"],
               RouteTableId=rtb["RouteTableId"])
        gw = api.ok("CreateVpnGateway", VpcId=vid, VpnGatewayName=f"gw-{name}",
                    InternetMaxBandwidthOut=5 * (n + 1), Zone=f"{REGION}-{3 + n}",
                    Tags=tags)["VpnGateway"]
        cgw = api.ok("CreateCustomerGateway", CustomerGatewayName=f"idc-{name}",
                     IpAddress=idc_ip, Tags=tags)["CustomerGateway"]
        conn = api.ok("CreateVpnConnection", VpcId=vid, VpnGatewayId=gw["VpnGatewayId"],
                      CustomerGatewayId=cgw["CustomerGatewayId"], VpnConnectionName=f"conn-{name}",
                      PreShareKey=psk, Tags=tags, SecurityPolicyDatabases=[
                          {"LocalCidrBlock": sub["CidrBlock"], "RemoteCidrBlock": [idc]}],
                      IKEOptionsSpecification={"PropoEncryAlgorithm": "AES-CBC-256",
                                               "DhGroupName": "GROUP14"},
                      IPSECOptionsSpecification={"IntegrityAlgorith": "SHA-256"})["VpnConnection"]
        api.ok("CreateRoutes", RouteTableId=rtb["RouteTableId"], Routes=[{
            "DestinationCidrBlock": idc, "GatewayType": "VPN", "GatewayId": gw["VpnGatewayId"],
            "RouteDescription": f"to idc {name}"}])
        routes = [api.ok("CreateVpnGatewayRoutes", VpnGatewayId=gw["VpnGatewayId"], Routes=[{
            "DestinationCidrBlock": dest, "InstanceType": "VPNCONN",
            "InstanceId": conn["VpnConnectionId"], "Priority": 100, "Status": "ENABLE"}]
        )["Routes"][0] for dest in (idc, "172.31.0.0/24")]
        out[name] = {"vpc": vpc, "rtb": rtb, "subnet": sub, "gw": gw, "cgw": cgw,
                     "conn": conn, "routes": routes}
    return out


def read(provider, type_name, **args):
    """The data source as the engine reads it: every argument present, unset ones null."""
    schema = provider.schema().data_sources[type_name].block
    config = {n: None for n, a in schema.attributes.items() if a.optional or a.required}
    config.update(args)
    result = provider.read_data_source(type_name, config)
    assert not result.diagnostics, list(result.diagnostics)
    return result.value


def items(provider, type_name, **args):
    value = read(provider, type_name, **args)
    return V.unmark(value[DATA_SOURCES[type_name].result])[0]


def test_schemas_name_the_public_providers_arguments_and_results(provider):
    ds = provider.schema().data_sources
    expect = {
        "tencentcloud_vpn_gateways": ({"id", "name", "public_ip_address", "zone", "vpc_id",
                                       "tags"}, "gateway_list"),
        "tencentcloud_vpn_customer_gateways": ({"id", "name", "public_ip_address", "tags"},
                                               "gateway_list"),
        "tencentcloud_vpn_connections": ({"id", "name", "vpn_gateway_id", "customer_gateway_id",
                                          "vpc_id", "tags"}, "connection_list"),
        "tencentcloud_vpn_customer_gateway_vendors": (set(), "customer_gateway_vendor_set"),
        "tencentcloud_vpn_gateway_routes": ({"vpn_gateway_id", "destination_cidr",
                                             "instance_type", "instance_id"},
                                            "vpn_gateway_route_list"),
        "tencentcloud_vpc_instances": ({"vpc_id", "name", "is_default", "tag_key", "cidr_block",
                                        "tags"}, "instance_list"),
        "tencentcloud_vpc_subnets": ({"vpc_id", "subnet_id", "name", "availability_zone",
                                      "is_default", "tag_key", "cidr_block", "cdc_id",
                                      "is_remote_vpc_snat", "tags"}, "instance_list"),
        "tencentcloud_vpc_route_tables": ({"route_table_id", "name", "tag_key", "vpc_id",
                                           "association_main", "tags"}, "instance_list"),
    }
    assert set(ds) == set(expect) | {"tencentcloud_vpn_default_health_check_ip"}
    hc = ds["tencentcloud_vpn_default_health_check_ip"].block.attributes
    assert {n for n, a in hc.items() if a.required} == {"vpn_gateway_id"}
    assert {n for n, a in hc.items() if a.is_computed_only} == {
        "id", "health_check_local_ip", "health_check_remote_ip"}
    for name, (args, result) in expect.items():
        attrs = ds[name].block.attributes
        given = {n for n, a in attrs.items() if (a.optional or a.required)}
        assert given == args | {"result_output_file"}, name
        assert attrs[result].is_computed_only and "id" in attrs, name
    assert ds["tencentcloud_vpn_gateway_routes"].block.attributes["vpn_gateway_id"].required
    element = DATA_SOURCES["tencentcloud_vpn_connections"].element.attributes
    assert [n for n, a in element.items() if a.sensitive] == ["pre_share_key"]
    assert not any(a.sensitive for d in LISTS.values() if d.type_name !=
                   "tencentcloud_vpn_connections" for a in d.element.attributes.values())


def test_vpn_gateways(provider, sites):
    a, b = sites["a"], sites["b"]
    assert len(items(provider, "tencentcloud_vpn_gateways")) == 2
    for arg, value in [("id", a["gw"]["VpnGatewayId"]), ("name", "gw-a"),
                       ("public_ip_address", a["gw"]["PublicIpAddress"]),
                       ("zone", f"{REGION}-3"), ("vpc_id", a["vpc"]["VpcId"])]:
        [g] = items(provider, "tencentcloud_vpn_gateways", **{arg: value})
        assert g["id"] == a["gw"]["VpnGatewayId"], arg
    [g] = items(provider, "tencentcloud_vpn_gateways", tags={"site": "b"})
    assert g["id"] == b["gw"]["VpnGatewayId"] and g["bandwidth"] == 10
    assert g["tags"] == {"site": "b"} and g["vpc_id"] == b["vpc"]["VpcId"]
    assert items(provider, "tencentcloud_vpn_gateways", name="gw-a", vpc_id=b["vpc"]["VpcId"]) == []
    assert items(provider, "tencentcloud_vpn_gateways", tags={"site": "c"}) == []


def test_vpn_customer_gateways(provider, sites):
    a, b = sites["a"], sites["b"]
    assert len(items(provider, "tencentcloud_vpn_customer_gateways")) == 2
    for arg, value in [("id", a["cgw"]["CustomerGatewayId"]), ("name", "idc-a"),
                       ("public_ip_address", "203.0.113.1")]:
        [g] = items(provider, "tencentcloud_vpn_customer_gateways", **{arg: value})
        assert g == {"id": a["cgw"]["CustomerGatewayId"], "name": "idc-a",
                     "public_ip_address": "203.0.113.1", "tags": {},
                     "create_time": a["cgw"]["CreatedTime"]}, arg
    [g] = items(provider, "tencentcloud_vpn_customer_gateways", tags={"site": "b"})
    assert g["id"] == b["cgw"]["CustomerGatewayId"]
    assert items(provider, "tencentcloud_vpn_customer_gateways", name="nope") == []


def test_vpn_connections_mark_the_pre_shared_key(provider, sites):
    a, b = sites["a"], sites["b"]
    value = read(provider, "tencentcloud_vpn_connections")
    assert len(value["connection_list"]) == 2
    for c in value["connection_list"]:
        assert isinstance(c["pre_share_key"], V.Sensitive)
        assert not isinstance(c["id"], V.Sensitive)
    assert V.sensitive_strings(value) == {PSK_A, PSK_B}
    for arg, value in [("id", a["conn"]["VpnConnectionId"]), ("name", "conn-a"),
                       ("vpn_gateway_id", a["gw"]["VpnGatewayId"]),
                       ("customer_gateway_id", a["cgw"]["CustomerGatewayId"]),
                       ("vpc_id", a["vpc"]["VpcId"])]:
        [c] = items(provider, "tencentcloud_vpn_connections", **{arg: value})
        assert c["id"] == a["conn"]["VpnConnectionId"], arg
    [c] = items(provider, "tencentcloud_vpn_connections", tags={"site": "b"})
    assert c["id"] == b["conn"]["VpnConnectionId"] and c["pre_share_key"] == PSK_B
    assert c["security_group_policy"] == [{"local_cidr_block": "10.2.1.0/24",
                                           "remote_cidr_block": ["172.16.2.0/24"]}]
    assert (c["ike_proto_encry_algorithm"], c["ike_dh_group_name"],
            c["ipsec_integrity_algorithm"]) == ("AES-CBC-256", "GROUP14", "SHA-256")
    assert (c["ike_sa_lifetime_seconds"], c["ipsec_sa_lifetime_traffic"]) == (86400, 1843200)
    assert c["state"] == "AVAILABLE" and c["vpn_proto"] == "IPSEC"
    assert items(provider, "tencentcloud_vpn_connections", name="conn-a",
                 vpn_gateway_id=b["gw"]["VpnGatewayId"]) == []


def test_vpn_gateway_routes(provider, sites):
    a = sites["a"]
    gw = a["gw"]["VpnGatewayId"]
    all_routes = items(provider, "tencentcloud_vpn_gateway_routes", vpn_gateway_id=gw)
    assert sorted(r["destination_cidr_block"] for r in all_routes) == ["172.16.1.0/24",
                                                                       "172.31.0.0/24"]
    [r] = items(provider, "tencentcloud_vpn_gateway_routes", vpn_gateway_id=gw,
                destination_cidr="172.31.0.0/24")
    assert r["route_id"] == a["routes"][1]["RouteId"] and r["priority"] == 100
    assert r["instance_id"] == a["conn"]["VpnConnectionId"] and r["status"] == "ENABLE"
    assert len(items(provider, "tencentcloud_vpn_gateway_routes", vpn_gateway_id=gw,
                     instance_type="VPNCONN", instance_id=a["conn"]["VpnConnectionId"])) == 2
    assert items(provider, "tencentcloud_vpn_gateway_routes", vpn_gateway_id=gw,
                 instance_type="CCN") == []
    # Another gateway's routes are not this one's.
    assert items(provider, "tencentcloud_vpn_gateway_routes",
                 vpn_gateway_id=sites["b"]["gw"]["VpnGatewayId"],
                 destination_cidr="172.16.1.0/24") == []


def test_vpn_gateway_routes_of_a_missing_gateway_is_an_error(provider):
    result = provider.read_data_source("tencentcloud_vpn_gateway_routes",
                                       {"vpn_gateway_id": "vpngw-00000000"})
    assert result.value is None
    [d] = result.diagnostics
    assert d.summary == "Error reading data source"
    assert "ResourceNotFound" in d.detail


def test_vpc_instances(provider, sites):
    a, b = sites["a"], sites["b"]
    assert len(items(provider, "tencentcloud_vpc_instances")) == 1 + 2
    for arg, value in [("vpc_id", a["vpc"]["VpcId"]), ("name", "vpc-a"),
                       ("cidr_block", "10.1.0.0/16")]:
        [v] = items(provider, "tencentcloud_vpc_instances", **{arg: value})
        assert v["vpc_id"] == a["vpc"]["VpcId"], arg
        assert v["subnet_ids"] == [a["subnet"]["SubnetId"]] and v["is_default"] is False
    [v] = items(provider, "tencentcloud_vpc_instances", tag_key="site")
    assert v["vpc_id"] == b["vpc"]["VpcId"] and v["tags"] == {"site": "b"}
    assert items(provider, "tencentcloud_vpc_instances", tags={"site": "b"}) == [v]
    assert len(items(provider, "tencentcloud_vpc_instances", is_default=False)) == 2
    [d] = items(provider, "tencentcloud_vpc_instances", is_default=True)
    assert (d["name"], d["cidr_block"], d["is_default"]) == ("Default-VPC", "172.16.0.0/16", True)
    assert len(d["subnet_ids"]) == DEFAULT_SUBNETS
    assert items(provider, "tencentcloud_vpc_instances", name="Default-VPC") == [d]
    assert items(provider, "tencentcloud_vpc_instances", cidr_block="10.9.0.0/16") == []


def test_vpc_subnets(provider, sites):
    a, b = sites["a"], sites["b"]
    assert len(items(provider, "tencentcloud_vpc_subnets")) == DEFAULT_SUBNETS + 2
    for arg, value in [("vpc_id", a["vpc"]["VpcId"]), ("subnet_id", a["subnet"]["SubnetId"]),
                       ("name", "sn-a"), ("availability_zone", f"{REGION}-3"),
                       ("cidr_block", "10.1.1.0/24")]:
        # (the zone's default subnet is there too)
        [s] = items(provider, "tencentcloud_vpc_subnets", **{arg: value}, is_default=False)
        assert s["subnet_id"] == a["subnet"]["SubnetId"], arg
        assert s["route_table_id"] == a["rtb"]["RouteTableId"] and s["available_ip_count"] == 253
    [s] = items(provider, "tencentcloud_vpc_subnets", tags={"site": "b"}, tag_key="site")
    assert s["subnet_id"] == b["subnet"]["SubnetId"]
    assert len(items(provider, "tencentcloud_vpc_subnets", is_default=False,
                     is_remote_vpc_snat=False)) == 2
    defaults = items(provider, "tencentcloud_vpc_subnets", is_default=True)
    assert sorted(s["availability_zone"] for s in defaults) == rules.zones(REGION)
    assert sorted(s["cidr_block"] for s in defaults)[:2] == ["172.16.0.0/20", "172.16.16.0/20"]
    assert items(provider, "tencentcloud_vpc_subnets", cdc_id="cluster-1") == []


def test_vpc_route_tables(provider, sites):
    a, b = sites["a"], sites["b"]
    # Each VPC has its main (default) table and the one made here; the default VPC its main.
    assert len(items(provider, "tencentcloud_vpc_route_tables")) == 1 + 4
    [main] = items(provider, "tencentcloud_vpc_route_tables", vpc_id=a["vpc"]["VpcId"],
                   association_main=True)
    assert main["is_default"] is True and main["subnet_ids"] == []
    for arg, value in [("route_table_id", a["rtb"]["RouteTableId"]), ("name", "rt-a")]:
        [t] = items(provider, "tencentcloud_vpc_route_tables", **{arg: value})
        assert t["route_table_id"] == a["rtb"]["RouteTableId"], arg
        assert t["subnet_ids"] == [a["subnet"]["SubnetId"]] and t["is_default"] is False
        [e] = t["route_entry_infos"]
        assert (e["destination_cidr_block"], e["next_type"], e["next_hub"], e["description"]) == (
            "172.16.1.0/24", "VPN", a["gw"]["VpnGatewayId"], "to idc a")
        assert isinstance(e["route_entry_id"], int) and e["route_item_id"].startswith("rti-")
    [t] = items(provider, "tencentcloud_vpc_route_tables", tag_key="site")
    assert t["route_table_id"] == b["rtb"]["RouteTableId"]
    assert items(provider, "tencentcloud_vpc_route_tables", tags={"site": "b"}) == [t]
    assert len(items(provider, "tencentcloud_vpc_route_tables", association_main=False)) == 2
    [d] = items(provider, "tencentcloud_vpc_route_tables", vpc_id=items(
        provider, "tencentcloud_vpc_instances", is_default=True)[0]["vpc_id"])
    assert d["is_default"] is True and len(d["subnet_ids"]) == DEFAULT_SUBNETS
    assert items(provider, "tencentcloud_vpc_route_tables", name="rt-c") == []


def test_fresh_account_gives_only_its_default_network(provider):
    defaults = {"tencentcloud_vpc_instances": 1, "tencentcloud_vpc_route_tables": 1,
                "tencentcloud_vpc_subnets": DEFAULT_SUBNETS}
    for type_name, ds in LISTS.items():
        if type_name in ("tencentcloud_vpn_gateway_routes",
                         "tencentcloud_vpn_customer_gateway_vendors"):
            continue
        value = read(provider, type_name)
        assert len(value[ds.result]) == defaults.get(type_name, 0), type_name
        if "id" in ds.schema.block.attributes and ds.id_of is not None:
            assert isinstance(value["id"], str), type_name


def test_list_ids_follow_the_result(provider, sites):
    one = read(provider, "tencentcloud_vpc_subnets", name="sn-a")["id"]
    two = read(provider, "tencentcloud_vpc_subnets")["id"]
    assert one != two and one == read(provider, "tencentcloud_vpc_subnets", name="sn-a")["id"]


def test_result_output_file(provider, sites, tmp_path):
    read(provider, "tencentcloud_vpc_subnets", name="sn-b", result_output_file="subnets.json")
    [s] = json.loads((tmp_path / "subnets.json").read_text())
    assert s["subnet_id"] == sites["b"]["subnet"]["SubnetId"]
    # A list holding pre-shared keys is written as the state is: owner-only.
    out = tmp_path / "out" / "conns.json"
    out.parent.mkdir()
    read(provider, "tencentcloud_vpn_connections", result_output_file=str(out))
    assert {c["pre_share_key"] for c in json.loads(out.read_text())} == {PSK_A, PSK_B}
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    result = provider.read_data_source("tencentcloud_vpc_subnets", {
        "result_output_file": "no/such/dir/x.json"})
    assert result.diagnostics.has_errors
    assert "Could not write result_output_file" in result.diagnostics.items[0].detail


def test_unknown_filter_values_never_reach_the_cloud(provider, sites, api):
    """Filters the engine leaves null are not sent; the API sees only what was asked."""
    items(provider, "tencentcloud_vpn_connections", name="conn-a")
    [call] = api.service.calls("DescribeVpnConnections")[-1:]
    assert call["params"]["Filters"] == [{"Name": "vpn-connection-name",
                                         "Values": ["conn-a"]}]


def test_default_health_check_ip_is_a_free_pair_of_the_gateway(provider, api, sites, tmp_path):
    gw = sites["a"]["gw"]["VpnGatewayId"]
    first = read(provider, "tencentcloud_vpn_default_health_check_ip", vpn_gateway_id=gw,
                 result_output_file="hc.json")
    pair = (first["health_check_local_ip"], first["health_check_remote_ip"])
    assert pair == ("169.254.128.1", "169.254.128.2") and first["id"] == gw
    assert json.loads((tmp_path / "hc.json").read_text())["health_check_remote_ip"] == pair[1]
    assert stat.S_IMODE(os.stat(tmp_path / "hc.json").st_mode) == 0o600
    # The same answer until a tunnel of the gateway takes the pair; then the next one.
    again = read(provider, "tencentcloud_vpn_default_health_check_ip", vpn_gateway_id=gw)
    assert (again["health_check_local_ip"], again["health_check_remote_ip"]) == pair
    api.ok("ModifyVpnConnectionAttribute", VpnConnectionId=sites["a"]["conn"]["VpnConnectionId"],
           EnableHealthCheck=True, HealthCheckLocalIp=pair[0], HealthCheckRemoteIp=pair[1])
    taken = read(provider, "tencentcloud_vpn_default_health_check_ip", vpn_gateway_id=gw)
    assert (taken["health_check_local_ip"], taken["health_check_remote_ip"]) == (
        "169.254.128.5", "169.254.128.6")
    other = read(provider, "tencentcloud_vpn_default_health_check_ip",
                 vpn_gateway_id=sites["b"]["gw"]["VpnGatewayId"])
    assert other["health_check_local_ip"] == "169.254.128.1"
