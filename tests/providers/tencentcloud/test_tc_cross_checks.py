"""check_plan: SPD rule 4 through references, and limits counted over plan and cloud."""

from tc_support import Api

from engine import values as V
from engine.providers import PlannedObject
from providers.tencentcloud import reachability

PSK = "k"


def cross_checks(provider, objects):
    """check_plan's diagnostics but reachability's (tested in tests/e2e/test_e2e_reachability.py):
    these tunnels have no routes on purpose."""
    return [d for d in provider.check_plan(objects) if d.summary not in reachability.SUMMARIES]


def planned(provider, address, type_name, action="create", references=None, **value):
    return PlannedObject(
        address=address,
        type_name=type_name,
        value=value,
        provider=provider,
        action=action,
        references=references or {},
    )


def conn(provider, address, spd, vpc_id=V.UNKNOWN, gw=V.UNKNOWN, cgw=V.UNKNOWN, refs=None):
    return planned(
        provider,
        address,
        "tencentcloud_vpn_connection",
        references=refs,
        id=V.UNKNOWN,
        name="c",
        vpc_id=vpc_id,
        vpn_gateway_id=gw,
        customer_gateway_id=cgw,
        pre_share_key=V.Sensitive(PSK),
        security_group_policy=spd,
    )


SPD_BAD = [{"local_cidr_block": "10.0.0.0/24", "remote_cidr_block": ["1.0.0.0/24", "10.8.1.0/24"]}]


def test_rule_4_through_a_reference_to_a_planned_vpc(provider):
    vpc = planned(
        provider,
        "tencentcloud_vpc.main",
        "tencentcloud_vpc",
        id=V.UNKNOWN,
        name="v",
        cidr_block="10.8.0.0/16",
    )
    c = conn(
        provider,
        "tencentcloud_vpn_connection.c",
        SPD_BAD,
        refs={"vpc_id": [("tencentcloud_vpc.main", "id")]},
    )
    [d] = cross_checks(provider, [vpc, c])
    assert (d.summary, d.address, d.attribute_path) == (
        "Invalid SPD policy",
        "tencentcloud_vpn_connection.c",
        ("security_group_policy", 0, "remote_cidr_block", 1),
    )
    assert "SPD rule 4" in d.detail and "10.8.0.0/16" in d.detail


def test_rule_4_through_the_gateway_when_vpc_id_is_not_set(provider):
    vpc = planned(
        provider,
        "tencentcloud_vpc.main",
        "tencentcloud_vpc",
        id=V.UNKNOWN,
        cidr_block="10.8.0.0/16",
    )
    gw = planned(
        provider,
        "tencentcloud_vpn_gateway.gw",
        "tencentcloud_vpn_gateway",
        id=V.UNKNOWN,
        vpc_id=V.UNKNOWN,
        references={"vpc_id": ["tencentcloud_vpc.main"]},
    )
    c = conn(
        provider,
        "tencentcloud_vpn_connection.c",
        SPD_BAD,
        vpc_id=None,
        refs={"vpn_gateway_id": [("tencentcloud_vpn_gateway.gw", "id")]},
    )
    assert len(cross_checks(provider, [vpc, gw, c])) == 1


def test_rule_4_against_a_vpc_read_from_the_cloud(provider):
    vpc = Api(provider.service).ok("CreateVpc", VpcName="v", CidrBlock="10.8.0.0/16")["Vpc"]
    c = conn(provider, "tencentcloud_vpn_connection.c", SPD_BAD, vpc_id=vpc["VpcId"])
    [d] = cross_checks(provider, [c])
    assert d.address == "tencentcloud_vpn_connection.c"
    ok = conn(
        provider,
        "tencentcloud_vpn_connection.ok",
        [{"local_cidr_block": "10.8.0.0/24", "remote_cidr_block": ["1.0.0.0/24"]}],
        vpc_id=vpc["VpcId"],
    )
    assert not cross_checks(provider, [ok])


def test_gateways_per_vpc_counts_cloud_and_plan(provider):
    api = Api(provider.service)
    vpc = api.ok("CreateVpc", VpcName="v", CidrBlock="10.0.0.0/16")["Vpc"]
    existing = [
        api.ok(
            "CreateVpnGateway",
            VpcId=vpc["VpcId"],
            VpnGatewayName=f"e{i}",
            InternetMaxBandwidthOut=5,
        )["VpnGateway"]
        for i in range(8)
    ]
    # One of the existing gateways is managed here (no-op): it must not count twice.
    managed = planned(
        provider,
        "tencentcloud_vpn_gateway.old",
        "tencentcloud_vpn_gateway",
        action="no-op",
        id=existing[0]["VpnGatewayId"],
        vpc_id=vpc["VpcId"],
    )
    new = [
        planned(
            provider,
            f"tencentcloud_vpn_gateway.n{i}",
            "tencentcloud_vpn_gateway",
            id=V.UNKNOWN,
            vpc_id=vpc["VpcId"],
        )
        for i in range(3)
    ]
    diags = cross_checks(provider, [managed] + new)
    assert [(d.address, d.attribute_path) for d in diags] == [
        ("tencentcloud_vpn_gateway.n2", None)
    ]
    assert diags[0].summary == "Limit exceeded" and "at most 10" in diags[0].detail
    assert not cross_checks(provider, [managed] + new[:2])


def test_gateways_per_planned_vpc_through_references(provider):
    vpc = planned(
        provider, "tencentcloud_vpc.v", "tencentcloud_vpc", id=V.UNKNOWN, cidr_block="10.0.0.0/16"
    )
    gws = [
        planned(
            provider,
            f'tencentcloud_vpn_gateway.g["{i:02d}"]',
            "tencentcloud_vpn_gateway",
            id=V.UNKNOWN,
            vpc_id=V.UNKNOWN,
            references={"vpc_id": [("tencentcloud_vpc.v", "id")]},
        )
        for i in range(11)
    ]
    [d] = cross_checks(provider, [vpc] + gws)
    assert d.address == 'tencentcloud_vpn_gateway.g["10"]'


def test_customer_gateways_per_region(provider, tmp_path):
    api = Api(provider.service)
    for i in range(18):
        api.ok("CreateCustomerGateway", CustomerGatewayName=f"c{i}", IpAddress=f"203.0.113.{i + 1}")
    new = [
        planned(
            provider,
            f"tencentcloud_vpn_customer_gateway.c{i}",
            "tencentcloud_vpn_customer_gateway",
            id=V.UNKNOWN,
            name=f"c{i}",
        )
        for i in range(3)
    ]
    diags = cross_checks(provider, new)
    assert [(d.address, d.attribute_path) for d in diags] == [
        ("tencentcloud_vpn_customer_gateway.c2", None)
    ]
    # Another region (another provider configuration) has its own budget.
    from providers.tencentcloud.provider import TencentCloudProvider

    other = TencentCloudProvider(str(tmp_path))
    other.configure({"region": "ap-shanghai"})
    try:
        moved = [planned(other, o.address, o.type_name, **o.value) for o in new]
        assert not cross_checks(provider, moved)
    finally:
        other.close()


def test_tunnels_per_gateway_and_customer_gateway(provider):
    gw = planned(provider, "tencentcloud_vpn_gateway.gw", "tencentcloud_vpn_gateway", id=V.UNKNOWN)
    cgws = [
        planned(
            provider,
            f"tencentcloud_vpn_customer_gateway.c{i}",
            "tencentcloud_vpn_customer_gateway",
            id=V.UNKNOWN,
        )
        for i in range(3)
    ]
    conns = []
    for i in range(21):
        cg = cgws[0] if i < 11 else cgws[1 + (i % 2)]
        conns.append(
            conn(
                provider,
                f"tencentcloud_vpn_connection.t{i:02d}",
                [],
                vpc_id="vpc-12345678",
                refs={
                    "vpn_gateway_id": [(gw.address, "id")],
                    "customer_gateway_id": [(cg.address, "id")],
                },
            )
        )
    diags = cross_checks(provider, [gw] + cgws + conns)
    got = {(d.address, d.attribute_path) for d in diags}
    assert got == {
        ("tencentcloud_vpn_connection.t20", None),
        ("tencentcloud_vpn_connection.t10", None),
    }


def test_tunnels_in_the_cloud_count_towards_each_gateways_limits(provider, tc, base):
    """Tunnels made outside the plan count towards their gateway's and customer gateway's
    limits; the region's tunnels are listed once for every gateway checked (issue #14: a
    call per gateway made 30 sequential calls a region)."""
    gw, vpc = base["gw"], base["vpc"]
    cgws = [base["cgw"]] + [tc.create("tencentcloud_vpn_customer_gateway", name=f"x{i}",
                                      public_ip_address=f"202.108.30.{i + 1}")
                            for i in range(3)]
    for i in range(1, 20):  # with base's tunnel: 20 on the gateway, 10 on cgws[0]
        tc.create("tencentcloud_vpn_connection", name=f"o{i}", vpc_id=vpc["id"],
                  vpn_gateway_id=gw["id"], customer_gateway_id=cgws[0 if i < 10 else 1]["id"],
                  pre_share_key=V.Sensitive(PSK), security_group_policy=[
                      {"local_cidr_block": "192.168.1.0/24",
                       "remote_cidr_block": [f"10.5.{i}.0/24"]}])
    calls = len(provider.service.calls("DescribeVpnConnections"))
    new = [conn(provider, f"tencentcloud_vpn_connection.n{i}", [], vpc_id=vpc["id"],
                gw=gw["id"], cgw=cgws[i]["id"]) for i in (0, 2)]
    got = [(d.address, d.detail) for d in cross_checks(provider, new)]
    # both past the gateway's 20 tunnels; n0 past cgws[0]'s 10 too (cgws[2] has room)
    assert sorted((a, "tunnels per VPN gateway" in t) for a, t in got) == [
        ("tencentcloud_vpn_connection.n0", False), ("tencentcloud_vpn_connection.n0", True),
        ("tencentcloud_vpn_connection.n2", True)], got
    assert len(provider.service.calls("DescribeVpnConnections")) == calls + 1


def test_rule_4_through_a_reference_to_the_only_instance_of_a_vpc(provider):
    """A reference to a counted (or for_each) VPC names its block: with one instance that is
    the VPC checked against, with two it is not known which (and nothing is reported)."""
    def vpc(address):
        return planned(provider, address, "tencentcloud_vpc", id=V.UNKNOWN, name="v",
                       cidr_block="10.8.0.0/16")

    c = conn(provider, "tencentcloud_vpn_connection.c", SPD_BAD,
             refs={"vpc_id": [("tencentcloud_vpc.main", "id")]})
    [d] = cross_checks(provider, [vpc('tencentcloud_vpc.main["a"]'), c])
    assert (d.summary, d.address) == ("Invalid SPD policy", "tencentcloud_vpn_connection.c")
    assert "10.8.0.0/16" in d.detail
    two = [vpc('tencentcloud_vpc.main["a"]'), vpc('tencentcloud_vpc.main["b"]')]
    assert cross_checks(provider, two + [c]) == []
    # another block whose name begins the same is not an instance of it
    assert cross_checks(provider, [vpc('tencentcloud_vpc.main2["a"]'), c]) == []
