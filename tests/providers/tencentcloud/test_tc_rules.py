"""The product rules as pure functions (providers/tencentcloud/rules.py)."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.tencentcloud import rules
from providers.tencentcloud.rules import SpdPolicy


@st.composite
def cidrs(draw):
    prefix = draw(st.integers(min_value=8, max_value=32))
    addr = draw(st.integers(min_value=0, max_value=2**32 - 1))
    return str(ipaddress.IPv4Network((addr, prefix), strict=False))


def codes(vs):
    return [v.code for v in vs]


@given(cidrs(), cidrs())
def test_overlap_is_symmetric_and_matches_address_sets(a, b):
    na, nb = ipaddress.IPv4Network(a), ipaddress.IPv4Network(b)
    assert rules.overlaps(a, b) == rules.overlaps(b, a)
    shared = max(int(na.network_address), int(nb.network_address)) <= min(
        int(na.broadcast_address), int(nb.broadcast_address)
    )
    assert rules.overlaps(a, b) == shared


@given(cidrs(), cidrs())
def test_spd_rule_1_is_symmetric_in_local_and_peer(a, b):
    one = rules.check_spd_rules([SpdPolicy(a, (b,))])
    other = rules.check_spd_rules([SpdPolicy(b, (a,))])
    assert bool(one) == bool(other) == rules.overlaps(a, b)


@given(cidrs(), cidrs())
def test_spd_rules_2_and_3_do_not_depend_on_order(a, b):
    rule2 = bool(rules.check_spd_rules([SpdPolicy(a, ()), SpdPolicy(b, ())]))
    assert rule2 == bool(rules.check_spd_rules([SpdPolicy(b, ()), SpdPolicy(a, ())]))
    assert rule2 == rules.overlaps(a, b)
    # Peers from far away so rule 1 never fires.
    local = (
        "1.0.0.0/24"
        if not (rules.overlaps(a, "1.0.0.0/24") or rules.overlaps(b, "1.0.0.0/24"))
        else None
    )
    if local:
        rule3 = bool(rules.check_spd_rules([SpdPolicy(local, (a, b))]))
        assert rule3 == rules.overlaps(a, b)


def test_guide_example_is_valid():
    spd = [
        SpdPolicy("10.0.0.0/24", ("192.168.0.0/24", "192.168.1.0/24")),
        SpdPolicy("10.0.1.0/24", ("192.168.2.0/24",)),
        SpdPolicy("10.0.2.0/24", ("192.168.2.0/24",)),
    ]
    assert rules.check_spd(spd, vpc_cidr="10.0.0.0/16") == []


def test_spd_rule_1_local_overlaps_its_peer():
    [v] = rules.check_spd_rules([("10.0.0.0/16", ["10.0.1.0/24"])])
    assert v.rule == "spd-1" and v.locator == (0, "remote", 0)
    assert v.code == "InvalidParameterValue.VpnConnSpdCidrConflict"
    assert "SPD rule 1" in v.message


def test_spd_rule_2_local_ranges_across_policies():
    [v] = rules.check_spd_rules(
        [("10.0.0.0/24", ["1.1.1.0/24"]), ("10.0.0.128/25", ["2.2.2.0/24"])]
    )
    assert v.rule == "spd-2" and v.locator == (1, "local")
    assert v.code == "UnsupportedOperation.VpnConnSPDOverlap"


def test_spd_rule_3_peers_of_one_local_range():
    [v] = rules.check_spd_rules([("10.0.0.0/24", ["1.1.0.0/16", "2.2.2.0/24", "1.1.5.0/24"])])
    assert v.rule == "spd-3" and v.locator == (0, "remote", 2)


def test_spd_rule_4_peer_overlaps_vpc():
    [v] = rules.check_spd_vpc(
        [("10.0.0.0/24", ["192.168.1.0/24", "172.16.0.0/24"])], "192.168.0.0/16"
    )
    assert v.rule == "spd-4" and v.locator == (0, "remote", 0)
    assert v.code == "InvalidParameterValue.VpnConnCidrConflict"
    assert v.message == (
        "Peer range 192.168.1.0/24 overlaps the VPC's CIDR 192.168.0.0/16 (SPD "
        "rule 4: no peer range may overlap the VPC's own CIDR). Choose a peer "
        "range outside 192.168.0.0/16."
    )


def test_spd_unknown_ranges_are_skipped():
    assert rules.check_spd([SpdPolicy(None, ("10.0.0.0/24", None))], vpc_cidr=None) == []
    assert rules.check_spd_vpc([SpdPolicy("1.0.0.0/24", ("10.0.0.0/24",))], None) == []


@pytest.mark.parametrize("text", ["10.0.0.1/24", "10.0.0.0", "300.0.0.0/8", "::/0", "abc", ""])
def test_cidr_syntax_requires_canonical_ipv4_network(text):
    [v] = rules.check_cidr(text)
    assert v.code == "InvalidParameterValue.Malformed"


def test_cidr_syntax_suggests_the_network():
    [v] = rules.check_cidr("10.0.0.1/24")
    assert "Write the network, 10.0.0.0/24." in v.message
    [v] = rules.check_spd_syntax([("10.0.0.0/24", ["1.2.3.4/16"])])
    assert v.locator == (0, "remote", 0)


@pytest.mark.parametrize(
    "ip,reason",
    [
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("0.1.2.3", "starting with 0"),
        ("127.0.0.1", "loopback"),
        ("169.254.10.1", "link-local"),
        ("10.0.0.0", "class A"),
        ("10.255.255.255", "class A"),
        ("126.0.0.0", "class A"),
        ("172.16.0.0", "class B"),
        ("128.1.255.255", "class B"),
        ("191.255.0.0", "class B"),
        ("192.168.1.0", "class C"),
        ("202.108.22.255", "class C"),
        ("223.1.1.0", "class C"),
    ],
)
def test_customer_gateway_ip_rejected_categories(ip, reason):
    [v] = rules.check_customer_gateway_ip(ip)
    assert reason in v.message and v.code == "InvalidParameterValue"


@pytest.mark.parametrize(
    "ip",
    [
        "202.108.22.5",
        "10.1.0.0",
        "172.16.1.0",
        "1.0.0.1",
        "203.0.113.10",
        "128.0.0.1",
        "10.0.0.255",
    ],
)
def test_customer_gateway_ip_accepted(ip):
    assert rules.check_customer_gateway_ip(ip) == []


@pytest.mark.parametrize("ip", ["1.2.3", "fe80::1", "202.108.022.5", "hostname", ""])
def test_customer_gateway_ip_must_be_ipv4(ip):
    [v] = rules.check_customer_gateway_ip(ip)
    assert v.code == "InvalidParameterValue.Malformed"


@pytest.mark.parametrize(
    "fn,limit",
    [
        (rules.check_gateways_per_vpc, 10),
        (rules.check_customer_gateways_per_region, 20),
        (rules.check_tunnels_per_customer_gateway, 10),
        (rules.check_tunnels_per_vpn_gateway, 20),
        (rules.check_spd_policies_per_tunnel, 10),
        (rules.check_peers_per_spd_policy, 50),
    ],
)
def test_limits(fn, limit):
    assert fn(limit) == [] and fn(None) == []
    [v] = fn(limit + 1)
    assert v.code == "LimitExceeded" and f"at most {limit}" in v.message


def test_spd_limits_locate_the_policy():
    peers = tuple(f"10.{i}.0.0/24" for i in range(51))
    vs = rules.check_spd_limits([SpdPolicy("192.168.0.0/24", peers)] * 11)
    assert vs[0].rule == "limit-spd_policies_per_tunnel" and vs[0].locator == (10,)
    assert vs[1].locator == (0, "remote")


@pytest.mark.parametrize("mbps", rules.BANDWIDTH_TIERS)
def test_bandwidth_tiers(mbps):
    assert rules.check_bandwidth(mbps) == []


@pytest.mark.parametrize("mbps", [0, 1, 15, 3000])
def test_bandwidth_not_a_tier(mbps):
    assert codes(rules.check_bandwidth(mbps)) == ["InvalidParameterValue.Range"]


@pytest.mark.parametrize(
    "old,new,ok",
    [
        (5, 10, True),
        (5, 100, True),
        (200, 1000, True),
        (10, 10, True),
        (10, 5, True),
        (1000, 200, True),
        (100, 200, False),
        (50, 500, False),
        (10, 15, False),
    ],
)
def test_bandwidth_reset_rule(old, new, ok):
    vs = rules.check_bandwidth_reset(old, new)
    assert (vs == []) == ok
    if not ok and new in rules.BANDWIDTH_TIERS:
        assert codes(vs) == ["UnsupportedOperation.VpnUnsupportedModifyBandwidth"]


@pytest.mark.parametrize(
    "fn,good,bad",
    [
        (
            rules.check_ike_encryption,
            ["3DES-CBC", "AES-CBC-256", "SM4", "AES256GCM128"],
            ["AES", "NULL"],
        ),
        (rules.check_ike_authentication, ["MD5", "SHA", "SHA1", "SHA-256"], ["SHA256", "md5"]),
        (rules.check_exchange_mode, ["MAIN", "AGGRESSIVE"], ["main"]),
        (rules.check_identity, ["ADDRESS", "FQDN"], ["IP"]),
        (
            rules.check_dh_group,
            [
                "GROUP1",
                "GROUP2",
                "GROUP5",
                "GROUP14",
                "GROUP24",
                "GROUP15",
                "GROUP16",
                "GROUP19",
                "GROUP20",
                "GROUP21",
            ],
            ["GROUP3", "14"],
        ),
        (rules.check_ike_version, ["IKEV1", "IKEV2"], ["IKEV3"]),
        (rules.check_ipsec_encryption, ["NULL", "AES-CBC-128"], ["AES-GCM"]),
        (rules.check_ipsec_integrity, ["MD5", "SHA1", "SHA-256"], ["SHA"]),
        (
            rules.check_pfs_group,
            ["NULL", "DH-GROUP1", "DH-GROUP14", "DH-GROUP24"],
            ["GROUP1", "DH-GROUP3"],
        ),
        (rules.check_route_type, ["STATIC", "StaticRoute", "Policy", "Bgp"], ["static"]),
        (rules.check_negotiation_type, ["active", "passive", "flowTrigger"], ["ACTIVE"]),
        (rules.check_dpd_action, ["clear", "restart"], ["hold"]),
    ],
)
def test_enums(fn, good, bad):
    for v in good + [None]:
        assert fn(v) == [], v
    for v in bad:
        [viol] = fn(v)
        assert viol.code == "InvalidParameterValue" and repr(v) in viol.message


@pytest.mark.parametrize(
    "fn,lo,hi",
    [
        (rules.check_ike_sa_lifetime, 60, 604800),
        (rules.check_ipsec_sa_lifetime, 180, 604800),
        (rules.check_dpd_timeout, 30, 60),
        (rules.check_dpd_enable, 0, 1),
    ],
)
def test_ranges(fn, lo, hi):
    assert fn(lo) == [] and fn(hi) == []
    assert codes(fn(lo - 1)) == codes(fn(hi + 1)) == ["InvalidParameterValue.Range"]


def test_traffic_lifetime_minimum():
    assert rules.check_ipsec_sa_lifetime_traffic(2560) == []
    assert codes(rules.check_ipsec_sa_lifetime_traffic(2559)) == ["InvalidParameterValue.Range"]


def test_name_lengths():
    assert rules.check_name("a") == [] and rules.check_name("a" * 60) == []
    assert codes(rules.check_name("a" * 61)) == ["InvalidParameterValue.TooLong"]
    assert codes(rules.check_name("")) == ["InvalidParameterValue.Empty"]


def test_ike_identity_consistency():
    assert codes(rules.check_ike_identity("local", "FQDN", None, "")) == [
        "InvalidParameterValue.Empty"
    ]
    assert codes(rules.check_ike_identity("remote", "ADDRESS", "nope", None)) == [
        "InvalidParameterValue.Malformed"
    ]
    assert rules.check_ike_identity("local", "ADDRESS", "1.2.3.4", None) == []


def test_bgp_asn_and_health_check():
    assert rules.check_bgp_asn(65000) == [] and rules.check_bgp_asn(0)
    assert rules.check_bgp_asn(139341, customer=True) and not rules.check_bgp_asn(139341)
    assert rules.check_health_check("NQA", 1000, 3, 10) == []
    assert len(rules.check_health_check("PING", 999, 9, 5001)) == 4


def test_vpc_subnet_and_route_cidrs():
    assert rules.check_vpc_cidr("10.0.0.0/16") == [] and rules.check_vpc_cidr("172.16.0.0/12") == []
    assert codes(rules.check_vpc_cidr("11.0.0.0/16")) == ["InvalidParameterValue.Range"]
    assert codes(rules.check_vpc_cidr("10.0.0.0/29")) == ["InvalidParameterValue.Range"]
    assert codes(rules.check_subnet_cidr("10.1.0.0/24", "10.0.0.0/16")) == [
        "InvalidParameterValue.SubnetRange"
    ]
    assert codes(rules.check_subnet_cidr("10.0.1.0/24", "10.0.0.0/16", ["10.0.0.0/23"])) == [
        "InvalidParameterValue.SubnetOverlap"
    ]
    assert codes(rules.check_route_destination("10.0.1.0/24", "10.0.0.0/16")) == [
        "InvalidParameterValue.VpcCidrConflict"
    ]
    assert rules.check_route_destination("0.0.0.0/0", "10.0.0.0/16") == []


def test_hourly_price_by_region():
    assert rules.hourly_price("ap-guangzhou") == 0.078
    assert rules.hourly_price("ap-hongkong") == 0.088
    assert rules.hourly_price("na-ashburn") == 0.088
    assert rules.hourly_price("ap-singapore") == 0.12
    assert rules.hourly_price("mars-1") is None
