"""VPN connections (tunnels) and the download of a device configuration."""

from __future__ import annotations

import ipaddress
import random

from ... import rules
from ..store import Tx
from .customer_gateway import VENDORS
from .common import (
    ApiError,
    Context,
    _bool,
    _int,
    _obj,
    _obj_list,
    _str,
    _str_list,
    _tags,
    describe,
    get,
    missing,
    new_id,
    public,
    violations,
)


IKE_DEFAULTS = {"PropoEncryAlgorithm": "3DES-CBC", "PropoAuthenAlgorithm": "MD5",
                "ExchangeMode": "MAIN", "LocalIdentity": "ADDRESS", "RemoteIdentity": "ADDRESS",
                "LocalAddress": "", "RemoteAddress": "", "LocalFqdnName": "",
                "RemoteFqdnName": "", "DhGroupName": "GROUP1", "IKESaLifetimeSeconds": 86400,
                "IKEVersion": "IKEV1"}
IPSEC_DEFAULTS = {"EncryptAlgorithm": "3DES-CBC", "IntegrityAlgorith": "MD5",
                  "IPSECSaLifetimeSeconds": 3600, "PfsDhGroup": "NULL",
                  "IPSECSaLifetimeTraffic": 1843200}
HEALTH_CHECK_DEFAULTS = {"ProbeType": "NQA", "ProbeInterval": 5000, "ProbeThreshold": 3,
                         "ProbeTimeout": 5000}
CONN_PARAMS = ("SecurityPolicyDatabases", "IKEOptionsSpecification", "IPSECOptionsSpecification",
               "EnableHealthCheck", "HealthCheckLocalIp", "HealthCheckRemoteIp",
               "NegotiationType", "DpdEnable", "DpdTimeout", "DpdAction", "BgpConfig",
               "HealthCheckConfig")


def conn_view(ctx: Context, c: dict) -> dict:
    v = public(c)
    v["State"] = "AVAILABLE" if ctx.ready(c) else "PENDING"
    v["NetStatus"] = "UNAVAILABLE"
    ipsec = dict(v["IPSECOptionsSpecification"])
    ipsec["IntegrityAlgorithm"] = ipsec["IntegrityAlgorith"]
    v["IPSECOptionsSpecification"] = ipsec
    return v


def conn_options(ctx: Context, p: dict, base: dict) -> dict:
    """Decode and check the option groups of a create/modify over ``base`` (the stored
    connection, or defaults for a create)."""
    out = dict(base)
    if p.get("SecurityPolicyDatabases") is not None:
        spd = []
        for s in _obj_list(p, "SecurityPolicyDatabases"):
            spd.append({"LocalCidrBlock": _str(s, "LocalCidrBlock", required=True),
                        "RemoteCidrBlock": _str_list(s, "RemoteCidrBlock", required=True)})
        out["SecurityPolicyDatabaseSet"] = spd
    ike_in = _obj(p, "IKEOptionsSpecification")
    if ike_in is not None:
        ike = dict(out["IKEOptionsSpecification"])
        for k in IKE_DEFAULTS:
            if ike_in.get(k) is not None:
                ike[k] = (_int(ike_in, k) if k == "IKESaLifetimeSeconds" else _str(ike_in, k))
        out["IKEOptionsSpecification"] = ike
    ipsec_in = _obj(p, "IPSECOptionsSpecification")
    if ipsec_in is not None:
        ipsec = dict(out["IPSECOptionsSpecification"])
        if ipsec_in.get("IntegrityAlgorithm") is not None:
            ipsec_in = {**ipsec_in, "IntegrityAlgorith": ipsec_in["IntegrityAlgorithm"]}
        for k in IPSEC_DEFAULTS:
            if ipsec_in.get(k) is not None:
                ipsec[k] = (_int(ipsec_in, k) if k.startswith("IPSECSa") else _str(ipsec_in, k))
        out["IPSECOptionsSpecification"] = ipsec
    if p.get("DpdEnable") is not None:
        out["DpdEnable"] = _int(p, "DpdEnable")
    if p.get("DpdTimeout") is not None:
        out["DpdTimeout"] = str(_int(p, "DpdTimeout"))
    if p.get("DpdAction") is not None:
        out["DpdAction"] = _str(p, "DpdAction")
    if p.get("NegotiationType") is not None:
        out["NegotiationType"] = _str(p, "NegotiationType")
    if p.get("EnableHealthCheck") is not None:
        out["EnableHealthCheck"] = _bool(p, "EnableHealthCheck")
    for k in ("HealthCheckLocalIp", "HealthCheckRemoteIp"):
        if p.get(k) is not None:
            out[k] = _str(p, k)
    hc_in = _obj(p, "HealthCheckConfig")
    if hc_in is not None:
        hc = dict(out.get("HealthCheckConfig") or HEALTH_CHECK_DEFAULTS)
        for k in HEALTH_CHECK_DEFAULTS:
            if hc_in.get(k) is not None:
                hc[k] = _str(hc_in, k) if k == "ProbeType" else _int(hc_in, k)
        out["HealthCheckConfig"] = hc
    bgp_in = _obj(p, "BgpConfig")
    if bgp_in is not None:
        out["BgpConfig"] = {"TunnelCidr": _str(bgp_in, "TunnelCidr", required=True),
                            "LocalBgpIp": _str(bgp_in, "LocalBgpIp", required=True),
                            "RemoteBgpIp": _str(bgp_in, "RemoteBgpIp", required=True)}
    if out["EnableHealthCheck"]:
        if not out["HealthCheckLocalIp"]:
            out["HealthCheckLocalIp"] = random_link_local()
        if not out["HealthCheckRemoteIp"]:
            out["HealthCheckRemoteIp"] = random_link_local()
        out["HealthCheckStatus"] = "UNAVAILABLE"
    return out


def check_conn(ctx: Context, tx: Tx, c: dict, region: str) -> None:
    ike, ipsec = c["IKEOptionsSpecification"], c["IPSECOptionsSpecification"]
    hc = c.get("HealthCheckConfig") or {}
    policies = [rules.SpdPolicy(s["LocalCidrBlock"], tuple(s["RemoteCidrBlock"]))
                for s in c["SecurityPolicyDatabaseSet"]]
    vpc = tx.get("vpc", c["VpcId"]) if c["VpcId"] else None
    dpd_timeout = int(c["DpdTimeout"]) if str(c["DpdTimeout"]).lstrip("-").isdigit() else None
    violations(
        rules.check_name(c["VpnConnectionName"], "VPN connection name")
        + (rules.check_name(c["PreShareKey"], "pre-shared key")
           if c["PreShareKey"] == "" else [])
        + rules.check_spd(policies, vpc["CidrBlock"] if vpc else None)
        + rules.check_ike_encryption(ike["PropoEncryAlgorithm"])
        + rules.check_ike_authentication(ike["PropoAuthenAlgorithm"])
        + rules.check_exchange_mode(ike["ExchangeMode"])
        + rules.check_identity(ike["LocalIdentity"], "local")
        + rules.check_identity(ike["RemoteIdentity"], "remote")
        + rules.check_ike_identity("local", ike["LocalIdentity"], ike["LocalAddress"],
                                   ike["LocalFqdnName"])
        + rules.check_ike_identity("remote", ike["RemoteIdentity"], ike["RemoteAddress"],
                                   ike["RemoteFqdnName"])
        + rules.check_dh_group(ike["DhGroupName"])
        + rules.check_ike_sa_lifetime(ike["IKESaLifetimeSeconds"])
        + rules.check_ike_version(ike["IKEVersion"])
        + rules.check_ipsec_encryption(ipsec["EncryptAlgorithm"])
        + rules.check_ipsec_integrity(ipsec["IntegrityAlgorith"])
        + rules.check_pfs_group(ipsec["PfsDhGroup"])
        + rules.check_ipsec_sa_lifetime(ipsec["IPSECSaLifetimeSeconds"])
        + rules.check_ipsec_sa_lifetime_traffic(ipsec["IPSECSaLifetimeTraffic"])
        + rules.check_dpd_enable(c["DpdEnable"])
        + rules.check_dpd_timeout(dpd_timeout)
        + rules.check_dpd_action(c["DpdAction"])
        + rules.check_route_type(c["RouteType"])
        + rules.check_negotiation_type(c["NegotiationType"])
        + (rules.check_health_check(hc.get("ProbeType"), hc.get("ProbeInterval"),
                                    hc.get("ProbeThreshold"), hc.get("ProbeTimeout"))
           if hc else []))
    if dpd_timeout is None:
        raise ApiError("InvalidParameterValue", "`DpdTimeout` must be a number of seconds.")
    if c["RouteType"] == "Bgp" and not c.get("BgpConfig"):
        raise ApiError("MissingParameter", "A BGP tunnel needs `BgpConfig`.")
    for k in ("HealthCheckLocalIp", "HealthCheckRemoteIp"):
        if c[k]:
            try:
                ipaddress.IPv4Address(c[k])
            except ValueError:
                raise ApiError("InvalidParameterValue.Malformed",
                               f"`{k}` {c[k]!r} is not an IPv4 address.") from None
    if c["HealthCheckLocalIp"] and c["HealthCheckLocalIp"] == c["HealthCheckRemoteIp"]:
        raise ApiError("InvalidParameterValue.VpnConnHealthCheckIpConflict",
                       "The health check's local and remote IPs must differ.")


def create_conn(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    cgw = get(tx, "cgw", _str(p, "CustomerGatewayId", required=True), region)
    name = _str(p, "VpnConnectionName", required=True)
    psk = _str(p, "PreShareKey", required=True)
    vpc_id = _str(p, "VpcId")
    ccn = gw["Type"] in ("CCN", "SSL_CCN")
    if not ccn:
        if not vpc_id:
            raise missing("VpcId")
        get(tx, "vpc", vpc_id, region)
        if vpc_id != gw["VpcId"]:
            raise ApiError("InvalidParameterValue",
                           f"VPN gateway {gw['VpnGatewayId']} belongs to VPC {gw['VpcId']}, "
                           f"not {vpc_id}. Give the gateway's own VPC.")
    if not ctx.ready(gw):
        raise ApiError("UnsupportedOperation.InvalidState",
                       f"VPN gateway {gw['VpnGatewayId']} is still PENDING; retry when it "
                       "is AVAILABLE.")
    now = ctx.clock()
    base = {"VpnConnectionId": "", "VpnConnectionName": name, "VpcId": vpc_id or "",
            "VpnGatewayId": gw["VpnGatewayId"], "CustomerGatewayId": cgw["CustomerGatewayId"],
            "PreShareKey": psk, "VpnProto": "IPSEC", "EncryptProto": "IKE",
            "RouteType": _str(p, "RouteType", default="STATIC"), "CreatedTime": ctx.now(),
            "SecurityPolicyDatabaseSet": [],
            "IKEOptionsSpecification": dict(IKE_DEFAULTS),
            "IPSECOptionsSpecification": dict(IPSEC_DEFAULTS),
            "EnableHealthCheck": False, "HealthCheckLocalIp": "", "HealthCheckRemoteIp": "",
            "HealthCheckStatus": "", "DpdEnable": 0, "DpdTimeout": "30", "DpdAction": "clear",
            "TagSet": _tags(p), "NegotiationType": "active", "BgpConfig": None,
            "HealthCheckConfig": None}
    conn = conn_options(ctx, p, base)
    ike = conn["IKEOptionsSpecification"]
    if ike["LocalIdentity"] == "ADDRESS" and not ike["LocalAddress"]:
        ike["LocalAddress"] = gw["PublicIpAddress"]
    if ike["RemoteIdentity"] == "ADDRESS" and not ike["RemoteAddress"]:
        ike["RemoteAddress"] = cgw["IpAddress"]
    check_conn(ctx, tx, conn, region)
    violations(rules.check_tunnels_per_vpn_gateway(
        1 + tx.count_by("vpnx", "VpnGatewayId", gw["VpnGatewayId"], region)))
    violations(rules.check_tunnels_per_customer_gateway(
        1 + tx.count_by("vpnx", "CustomerGatewayId", cgw["CustomerGatewayId"], region)))
    if conn["BgpConfig"]:
        conn["BgpConfig"] = {**conn["BgpConfig"], "LocalBgpAsn": str(gw["BgpAsn"] or 64551),
                             "RemoteBgpAsn": str(cgw["BgpAsn"] or 0)}
    conn["VpnConnectionId"] = new_id(tx, "vpnx")
    conn["_ready_at"] = ctx.ready_at("vpnx")
    tx.insert("vpnx", conn["VpnConnectionId"], region, conn, vpc_id=vpc_id or None)
    return {"VpnConnection": conn_view(ctx, conn)}


def describe_conns(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    spec = {"vpc-id": lambda v: v["VpcId"], "vpn-gateway-id": lambda v: v["VpnGatewayId"],
            "customer-gateway-id": lambda v: v["CustomerGatewayId"],
            "vpn-connection-name": lambda v: v["VpnConnectionName"],
            "vpn-connection-id": lambda v: v["VpnConnectionId"]}
    return describe(tx, p, region, "vpnx", "VpnConnectionIds", "VpnConnectionSet",
                          lambda c: conn_view(ctx, c), spec)


def modify_conn(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    conn = get(tx, "vpnx", _str(p, "VpnConnectionId", required=True), region)
    if not ctx.ready(conn):
        raise ApiError("UnsupportedOperation.VpnConnInvalidState",
                       f"VPN connection {conn['VpnConnectionId']} is still PENDING; retry "
                       "when it is AVAILABLE.")
    new = conn_options(ctx, p, conn)
    name = _str(p, "VpnConnectionName")
    if name is not None:
        new["VpnConnectionName"] = name
    psk = _str(p, "PreShareKey")
    if psk is not None:
        new["PreShareKey"] = psk
    cgw_id = _str(p, "CustomerGatewayId")
    if cgw_id is not None and cgw_id != conn["CustomerGatewayId"]:
        get(tx, "cgw", cgw_id, region)
        violations(rules.check_tunnels_per_customer_gateway(
            1 + tx.count_by("vpnx", "CustomerGatewayId", cgw_id, region)))
        new["CustomerGatewayId"] = cgw_id
    check_conn(ctx, tx, new, region)
    tx.put("vpnx", conn["VpnConnectionId"], new)
    return {}


def delete_conn(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    conn = get(tx, "vpnx", _str(p, "VpnConnectionId", required=True), region)
    cid = conn["VpnConnectionId"]
    if conn["VpnGatewayId"] != gw["VpnGatewayId"]:
        raise ApiError("InvalidParameterValue", f"VPN connection {cid} does not belong to "
                       f"VPN gateway {gw['VpnGatewayId']}.")
    if not ctx.ready(conn):
        raise ApiError("UnsupportedOperation.InvalidState",
                       f"VPN connection {cid} is still PENDING; retry when it is AVAILABLE.")
    routes = [r["RouteId"] for r in tx.list_by("vpnr", "InstanceId", cid, region)]
    if routes:
        raise ApiError("ResourceInUse", f"VPN gateway route(s) {', '.join(routes)} still "
                       f"send traffic into VPN connection {cid}. Delete them first.")
    tx.delete("vpnx", cid)
    return {}


def download_config(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    conn = get(tx, "vpnx", _str(p, "VpnConnectionId", required=True), region)
    vendor = _obj(p, "CustomerGatewayVendor", required=True)
    assert vendor is not None
    iface = _str(p, "InterfaceName", required=True)
    want = {k: _str(vendor, k, required=True)
            for k in ("Platform", "SoftwareVersion", "VendorName")}
    if want not in VENDORS:
        raise ApiError("InvalidParameterValue",
                       f"Vendor {want['VendorName']} {want['Platform']} "
                       f"{want['SoftwareVersion']} is not supported; see "
                       "DescribeCustomerGatewayVendors.")
    cgw = tx.get("cgw", conn["CustomerGatewayId"]) or {}
    if want["Platform"] == "strongswan":
        from ...dataplane import swanctl_render
        from ...dataplane.proposals import ProposalError
        try:
            text = swanctl_render.render(conn, gw, cgw)
        except ProposalError as e:
            raise ApiError("UnsupportedOperation", f"No strongSwan configuration for "
                           f"{conn['VpnConnectionId']}: {str(e).rstrip('.')}.") from None
        return {"CustomerGatewayConfiguration": text}
    return {"CustomerGatewayConfiguration": _render_config(gw, cgw, conn, want, iface)}


def random_link_local() -> str:
    net = ipaddress.IPv4Network("169.254.128.0/17")
    return str(net.network_address + random.randrange(1, net.num_addresses - 1))


def _render_config(gw: dict, cgw: dict, conn: dict, vendor: dict, iface: str) -> str:
    ike, ipsec = conn["IKEOptionsSpecification"], conn["IPSECOptionsSpecification"]
    lines = [
        f"# IPsec configuration for {vendor['VendorName']} {vendor['Platform']} "
        f"{vendor['SoftwareVersion']}",
        f"# VPN connection {conn['VpnConnectionId']} ({conn['VpnConnectionName']})",
        f"# cloud gateway {gw['VpnGatewayId']} public IP {gw['PublicIpAddress']}",
        f"# customer gateway {cgw.get('CustomerGatewayId', '')} public IP "
        f"{cgw.get('IpAddress', '')}",
        f"interface {iface}",
        "ike proposal 1",
        f"  encryption {ike['PropoEncryAlgorithm']}",
        f"  authentication {ike['PropoAuthenAlgorithm']}",
        f"  dh {ike['DhGroupName']}",
        f"  lifetime {ike['IKESaLifetimeSeconds']}",
        f"  version {ike['IKEVersion']}",
        f"  exchange-mode {ike['ExchangeMode']}",
        f"ike peer {gw['PublicIpAddress']}",
        f"  pre-shared-key {conn['PreShareKey']}",
        "ipsec proposal 1",
        f"  esp encryption {ipsec['EncryptAlgorithm']}",
        f"  esp authentication {ipsec['IntegrityAlgorith']}",
        f"  pfs {ipsec['PfsDhGroup']}",
        f"  lifetime {ipsec['IPSECSaLifetimeSeconds']} seconds "
        f"{ipsec['IPSECSaLifetimeTraffic']} kilobytes",
    ]
    for i, s in enumerate(conn["SecurityPolicyDatabaseSet"]):
        for r in s["RemoteCidrBlock"]:
            # The IDC side's view: its own range is the peer range, the VPC's is local.
            lines.append(f"acl {i + 1} permit ip source {r} destination {s['LocalCidrBlock']}")
    return "\n".join(lines) + "\n"


ACTIONS = {
    "CreateVpnConnection": (create_conn,
        CONN_PARAMS + ("VpnGatewayId", "CustomerGatewayId", "VpnConnectionName", "PreShareKey", "VpcId",
        "RouteType", "Route", "Tags")),
    "DescribeVpnConnections": (describe_conns, ("VpnConnectionIds", "Filters", "Offset", "Limit")),
    "ModifyVpnConnectionAttribute": (modify_conn,
        CONN_PARAMS + ("VpnConnectionId", "VpnConnectionName", "PreShareKey", "CustomerGatewayId")),
    "DeleteVpnConnection": (delete_conn, ("VpnGatewayId", "VpnConnectionId")),
    "DownloadCustomerGatewayConfiguration": (download_config,
        ("VpnGatewayId", "VpnConnectionId", "CustomerGatewayVendor", "InterfaceName")),
}
