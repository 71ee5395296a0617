"""Sample states shared by the state tests."""

from engine.addrs import DATA, MANAGED, ModuleInstanceStep, ProviderConfigAddr, ResourceAddr
from engine.state.codec import MapKey
from engine.state.model import TAINTED, InstanceObject, OutputValue, State

TC = ProviderConfigAddr("tencentcloud")
TC_HK = ProviderConfigAddr("tencentcloud", "hk")
LINEAGE = "6f1c3c52-9a55-4f0e-9a9a-0e8cf4d8c001"


def conn_attrs(i: int) -> dict:
    return {
        "id": f"vpnx-{i:08x}",
        "name": f"conn-{i}",
        "vpn_gateway_id": "vpngw-1",
        "customer_gateway_id": "cgw-1",
        "pre_share_key": f"secret-{i}",
        "ike_proto_encry_algorithm": "AES-CBC-128",
        "ike_local_identity": "address",
        "ike_dh_group_name": "GROUP2",
        "ipsec_pfs_dh_group": "NULL",
        "security_group_policy": [{"local_cidr_block": "10.0.0.0/16",
                                   "remote_cidr_block": ["192.168.0.0/24"]}],
        "tags": {"env": "test"},
        "route_type": "StaticRoute",
        "dpd_timeout": 30,
        "enable_health_check": False,
    }


def sample_state() -> State:
    s = State(lineage=LINEAGE, serial=3)
    conn = ResourceAddr(MANAGED, "tencentcloud_vpn_connection", "conn")
    s.set_instance(conn.instance(0), TC, InstanceObject(
        conn_attrs(0), sensitive_paths=[("pre_share_key",)],
        dependencies=["tencentcloud_vpn_customer_gateway.cgw", "tencentcloud_vpn_gateway.gw"]))
    s.set_instance(conn.instance(1), TC, InstanceObject(
        conn_attrs(1), sensitive_paths=[("pre_share_key",),
                                        ("security_group_policy", 0, "remote_cidr_block")],
        status=TAINTED))
    gw = ResourceAddr(MANAGED, "tencentcloud_vpn_gateway", "gw")
    s.set_instance(gw.instance(), TC, InstanceObject({"id": "vpngw-1", "bandwidth": 5},
                                                      schema_version=1,
                                                      create_before_destroy=True))
    site = ResourceAddr(MANAGED, "tencentcloud_vpn_customer_gateway", "cgw",
                        (ModuleInstanceStep("site", "sh"),))
    s.set_instance(site.instance("a"), TC_HK, InstanceObject(
        {"id": "cgw-1", "public_ip_address": "203.0.113.1", "tags": {"k": "v"}},
        sensitive_paths=[("tags", MapKey("k"))]))
    zones = ResourceAddr(DATA, "tencentcloud_availability_zones", "z")
    s.set_instance(zones.instance(), TC, InstanceObject({"id": "z", "zones": ["ap-1"]}))
    s.outputs["conn_id"] = OutputValue("vpnx-00000000")
    s.outputs["psk"] = OutputValue("secret-0", sensitive=True)
    s.outputs["ids"] = OutputValue(["a", "b"], type=["list", "string"])
    return s
