"""Reachability over planned objects (the pure analysis; the CLI is in
tests/e2e/test_e2e_reachability.py): unknown values give "unknown" and no warning, split
routes still reach, a gateway route to another gateway's tunnel is caught."""

from engine import values as V
from engine.providers import PlannedObject
from providers.tencentcloud import reachability

U = V.UNKNOWN
VPC = "tencentcloud_vpc.v"
GW = "tencentcloud_vpn_gateway.gw"
RT = "tencentcloud_route_table.rt"


def obj(provider, address, references=None, **value):
    type_name = address.split(".")[0]
    return PlannedObject(address=address, type_name=type_name, value={"id": U, **value},
                         provider=provider, action="create", references=references or {})


def network(provider, spd=None, routes=(("to_idc", "10.0.1.0/24", "VPN", GW),)):
    """A VPC, route table, subnet, gateway and tunnel (SPD 192.168.1.0/24 → 10.0.1.0/24),
    with ``routes`` (name, destination, next type, next hub address or literal)."""
    spd = spd if spd is not None else [{"local_cidr_block": "192.168.1.0/24",
                                        "remote_cidr_block": ["10.0.1.0/24"]}]
    objs = [
        obj(provider, VPC, cidr_block="192.168.0.0/16", assistant_cidrs=U),
        obj(provider, RT, references={"vpc_id": [(VPC, "id")]}, vpc_id=U),
        obj(provider, "tencentcloud_subnet.a", cidr_block="192.168.1.0/24", vpc_id=U,
            route_table_id=U, references={"vpc_id": [(VPC, "id")],
                                          "route_table_id": [(RT, "id")]}),
        obj(provider, GW, vpc_id=U, references={"vpc_id": [(VPC, "id")]}),
        obj(provider, "tencentcloud_vpn_connection.c", vpc_id=U, vpn_gateway_id=U,
            customer_gateway_id="cgw-00000001", security_group_policy=spd,
            references={"vpc_id": [(VPC, "id")], "vpn_gateway_id": [(GW, "id")]}),
    ]
    for name, dest, next_type, hub in routes:
        refs = {"route_table_id": [(RT, "id")]}
        if hub.startswith("tencentcloud_"):
            refs["next_hub"] = [(hub, "id")]
            hub = U
        objs.append(obj(provider, f"tencentcloud_route_table_entry.{name}", route_table_id=U,
                        destination_cidr_block=dest, next_type=next_type, next_hub=hub,
                        references=refs))
    return objs


def warnings(objs):
    return [(d.summary, d.address) for d in reachability.check_reachability(objs)]


def statuses(objs):
    return [(c.subnet, c.remote_cidr, c.status) for c in reachability.matrix(objs).cells]


def test_a_full_path_is_reachable_through_the_tunnel(provider):
    objs = network(provider)
    assert warnings(objs) == []
    [cell] = reachability.matrix(objs).cells
    assert (cell.status, cell.tunnel, cell.route) == (
        "reachable", "tencentcloud_vpn_connection.c", "tencentcloud_route_table_entry.to_idc")


def test_a_route_destination_not_known_until_apply_gives_no_warning(provider):
    objs = network(provider, routes=[("to_idc", U, "VPN", GW)])
    assert warnings(objs) == []
    assert statuses(objs) == [("tencentcloud_subnet.a", "10.0.1.0/24", "unknown")]


def test_an_spd_not_known_until_apply_gives_no_warning(provider):
    assert warnings(network(provider, spd=U, routes=[])) == []
    spd = [{"local_cidr_block": "192.168.1.0/24", "remote_cidr_block": [U]}]
    assert warnings(network(provider, spd=spd, routes=[])) == []


def test_two_halves_routed_to_the_gateway_carry_the_whole_range(provider):
    objs = network(provider, routes=[("lo", "10.0.1.0/25", "VPN", GW),
                                     ("hi", "10.0.1.128/25", "VPN", GW)])
    assert warnings(objs) == []
    assert statuses(objs) == [("tencentcloud_subnet.a", "10.0.1.0/24", "reachable")]


def test_a_less_specific_route_elsewhere_does_not_shadow(provider):
    objs = network(provider, routes=[("to_idc", "10.0.1.0/24", "VPN", GW),
                                     ("wide", "10.0.0.0/8", "CVM", "192.168.1.10")])
    assert warnings(objs) == []


def test_a_route_to_another_next_hop_is_no_route_to_the_tunnel(provider):
    objs = network(provider, routes=[("wide", "10.0.0.0/8", "CVM", "192.168.1.10")])
    assert warnings(objs) == [("No route for SPD pair", "tencentcloud_vpn_connection.c"),
                              ("Tunnel without route", "tencentcloud_vpn_connection.c")]
    [cell] = reachability.matrix(objs).cells
    assert cell.status == "unreachable" and "not to a VPN gateway" in cell.reason


def test_a_gateway_route_to_a_tunnel_of_another_gateway(provider):
    objs = network(provider)
    objs.append(obj(provider, "tencentcloud_vpn_gateway.other", vpc_id=U,
                    references={"vpc_id": [(VPC, "id")]}))
    objs.append(obj(provider, "tencentcloud_vpn_gateway_route.r", vpn_gateway_id=U,
                    instance_id=U, instance_type="VPNCONN", destination_cidr_block="10.0.1.0/24",
                    references={"vpn_gateway_id": [("tencentcloud_vpn_gateway.other", "id")],
                                "instance_id": [("tencentcloud_vpn_connection.c", "id")]}))
    assert warnings(objs) == [("Gateway route to absent tunnel",
                               "tencentcloud_vpn_gateway_route.r")]


def test_each_route_to_a_gateway_is_checked_against_its_tunnels_spd(provider):
    """Several routes to one gateway: equal to a peer range, inside one, the halves of one
    (covered), and outside every one (the only warning, on that route)."""
    objs = network(provider, routes=[("exact", "10.0.1.0/24", "VPN", GW),
                                     ("inside", "10.0.1.64/26", "VPN", GW),
                                     ("outside", "10.0.2.0/24", "VPN", GW),
                                     ("wider", "10.0.0.0/16", "VPN", GW)])
    assert warnings(objs) == [
        ("VPN route not covered by SPD", "tencentcloud_route_table_entry.outside"),
        ("VPN route not covered by SPD", "tencentcloud_route_table_entry.wider")]
