"""VPN connections (tunnels) and the download of a device configuration."""

from __future__ import annotations

import ipaddress
import random
from typing import Any

from pydantic import create_model

from ... import rules
from ..store import Tx
from .common import ApiError, Context, describe, get, missing, new_id, public, violations
from .request import Bool, DescribeRequest, Int, Part, Request, Str, Tag, actions, tag_set
from .vpn_gateway import check_available

HEALTH_CHECK_DEFAULTS = {"ProbeType": "NQA", "ProbeInterval": 5000, "ProbeThreshold": 3,
                         "ProbeTimeout": 5000}


def _options(name: str, defaults: dict, **extra: Any) -> Any:
    """An option group's model: the fields of its defaults, each optional, typed as its
    default is."""
    fields = {k: ((Int if isinstance(v, int) else Str) | None, None) for k, v in defaults.items()}
    return create_model(name, __base__=Part, **fields, **extra)


IKEOptions = _options("IKEOptions", rules.IKE_DEFAULTS)
# The API has both spellings; the newer one wins.
IPSECOptions = _options("IPSECOptions", rules.IPSEC_DEFAULTS, IntegrityAlgorithm=(Str | None, None))
HealthCheckOptions = _options("HealthCheckOptions", HEALTH_CHECK_DEFAULTS)


class SecurityPolicyDatabase(Part):
    LocalCidrBlock: Str
    RemoteCidrBlock: list[Str]


class BgpOptions(Part):
    TunnelCidr: Str
    LocalBgpIp: Str
    RemoteBgpIp: Str


class ConnectionOptions(Request):
    """The option groups a tunnel's create and modify share."""

    SecurityPolicyDatabases: list[SecurityPolicyDatabase] | None = None
    IKEOptionsSpecification: IKEOptions | None = None  # type: ignore[valid-type]
    IPSECOptionsSpecification: IPSECOptions | None = None  # type: ignore[valid-type]
    EnableHealthCheck: Bool | None = None
    HealthCheckLocalIp: Str | None = None
    HealthCheckRemoteIp: Str | None = None
    NegotiationType: Str | None = None
    DpdEnable: Int | None = None
    DpdTimeout: Int | None = None
    DpdAction: Str | None = None
    BgpConfig: BgpOptions | None = None
    HealthCheckConfig: HealthCheckOptions | None = None  # type: ignore[valid-type]


class CreateVpnConnectionRequest(ConnectionOptions):
    VpnGatewayId: Str
    CustomerGatewayId: Str
    VpnConnectionName: Str
    PreShareKey: Str
    VpcId: Str | None = None
    RouteType: Str = "STATIC"
    Route: dict | None = None
    Tags: list[Tag] = []


class DescribeVpnConnectionsRequest(DescribeRequest):
    VpnConnectionIds: list[Str] = []


class ModifyVpnConnectionAttributeRequest(ConnectionOptions):
    VpnConnectionId: Str
    VpnConnectionName: Str | None = None
    PreShareKey: Str | None = None
    CustomerGatewayId: Str | None = None


class DeleteVpnConnectionRequest(Request):
    VpnGatewayId: Str
    VpnConnectionId: Str


class Vendor(Part):
    Platform: Str
    SoftwareVersion: Str
    VendorName: Str


class DownloadCustomerGatewayConfigurationRequest(Request):
    VpnGatewayId: Str
    VpnConnectionId: Str
    CustomerGatewayVendor: Vendor
    InterfaceName: Str


class ResetVpnConnectionRequest(Request):
    VpnGatewayId: Str
    VpnConnectionId: Str


class GenerateVpnConnectionDefaultHealthCheckIpRequest(Request):
    VpnGatewayId: Str


def conn_view(ctx: Context, c: dict) -> dict:
    v = public(c)
    v["State"] = "AVAILABLE" if ctx.ready(c) else "PENDING"
    v["NetStatus"] = "UNAVAILABLE"
    ipsec = dict(v["IPSECOptionsSpecification"])
    ipsec["IntegrityAlgorithm"] = ipsec["IntegrityAlgorith"]
    v["IPSECOptionsSpecification"] = ipsec
    return v


def _given(part: Part | None) -> dict:
    return {} if part is None else part.model_dump(exclude_none=True)


def conn_options(req: ConnectionOptions, base: dict) -> dict:
    """The tunnel ``base`` (the stored connection, or the defaults for a create) with the
    option groups ``req`` gives."""
    out = dict(base)
    if req.SecurityPolicyDatabases is not None:
        out["SecurityPolicyDatabaseSet"] = [
            {"LocalCidrBlock": s.LocalCidrBlock, "RemoteCidrBlock": list(s.RemoteCidrBlock)}
            for s in req.SecurityPolicyDatabases]
    if req.IKEOptionsSpecification is not None:
        out["IKEOptionsSpecification"] = {**out["IKEOptionsSpecification"],
                                          **_given(req.IKEOptionsSpecification)}
    if req.IPSECOptionsSpecification is not None:
        given = _given(req.IPSECOptionsSpecification)
        if "IntegrityAlgorithm" in given:
            given["IntegrityAlgorith"] = given.pop("IntegrityAlgorithm")
        out["IPSECOptionsSpecification"] = {**out["IPSECOptionsSpecification"], **given}
    if req.DpdTimeout is not None:
        out["DpdTimeout"] = str(req.DpdTimeout)
    for k in ("DpdEnable", "DpdAction", "NegotiationType", "EnableHealthCheck",
              "HealthCheckLocalIp", "HealthCheckRemoteIp"):
        if getattr(req, k) is not None:
            out[k] = getattr(req, k)
    if req.HealthCheckConfig is not None:
        out["HealthCheckConfig"] = {**(out.get("HealthCheckConfig") or HEALTH_CHECK_DEFAULTS),
                                    **_given(req.HealthCheckConfig)}
    if req.BgpConfig is not None:
        out["BgpConfig"] = req.BgpConfig.model_dump()
    if out["EnableHealthCheck"]:
        if not out["HealthCheckLocalIp"]:
            out["HealthCheckLocalIp"] = random_link_local()
        if not out["HealthCheckRemoteIp"]:
            out["HealthCheckRemoteIp"] = random_link_local()
        out["HealthCheckStatus"] = "UNAVAILABLE"
    return out


def check_conn(tx: Tx, c: dict) -> None:
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
        + rules.check_bgp_config(c["RouteType"], bool(c.get("BgpConfig")))
        + (rules.check_health_check(hc.get("ProbeType"), hc.get("ProbeInterval"),
                                    hc.get("ProbeThreshold"), hc.get("ProbeTimeout"))
           if hc else []))
    if dpd_timeout is None:
        raise ApiError("InvalidParameterValue", "`DpdTimeout` must be a number of seconds.")
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


def create_conn(ctx: Context, tx: Tx, req: CreateVpnConnectionRequest, region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    cgw = get(tx, "cgw", req.CustomerGatewayId, region)
    vpc_id = req.VpcId
    if gw["Type"] not in rules.CCN_GATEWAY_TYPES:
        if not vpc_id:
            raise missing("VpcId")
        get(tx, "vpc", vpc_id, region)
        if vpc_id != gw["VpcId"]:
            raise ApiError("InvalidParameterValue",
                           f"VPN gateway {gw['VpnGatewayId']} belongs to VPC {gw['VpcId']}, "
                           f"not {vpc_id}. Give the gateway's own VPC.")
    check_available(ctx, gw)
    base = {"VpnConnectionId": "", "VpnConnectionName": req.VpnConnectionName,
            "VpcId": vpc_id or "", "VpnGatewayId": gw["VpnGatewayId"],
            "CustomerGatewayId": cgw["CustomerGatewayId"], "PreShareKey": req.PreShareKey,
            "VpnProto": "IPSEC", "EncryptProto": "IKE", "RouteType": req.RouteType,
            "CreatedTime": ctx.now(), "SecurityPolicyDatabaseSet": [],
            "IKEOptionsSpecification": dict(rules.IKE_DEFAULTS),
            "IPSECOptionsSpecification": dict(rules.IPSEC_DEFAULTS),
            "EnableHealthCheck": False, "HealthCheckLocalIp": "", "HealthCheckRemoteIp": "",
            "HealthCheckStatus": "", "DpdEnable": 0, "DpdTimeout": "30", "DpdAction": "clear",
            "TagSet": tag_set(req.Tags), "NegotiationType": "active", "BgpConfig": None,
            "HealthCheckConfig": None}
    conn = conn_options(req, base)
    ike = conn["IKEOptionsSpecification"]
    if ike["LocalIdentity"] == "ADDRESS" and not ike["LocalAddress"]:
        ike["LocalAddress"] = gw["PublicIpAddress"]
    if ike["RemoteIdentity"] == "ADDRESS" and not ike["RemoteAddress"]:
        ike["RemoteAddress"] = cgw["IpAddress"]
    check_conn(tx, conn)
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


def describe_conns(ctx: Context, tx: Tx, req: DescribeVpnConnectionsRequest,
                   region: str) -> dict:
    spec = {"vpc-id": lambda v: v["VpcId"], "vpn-gateway-id": lambda v: v["VpnGatewayId"],
            "customer-gateway-id": lambda v: v["CustomerGatewayId"],
            "vpn-connection-name": lambda v: v["VpnConnectionName"],
            "vpn-connection-id": lambda v: v["VpnConnectionId"]}
    return describe(tx, req, region, "vpnx", "VpnConnectionIds", "VpnConnectionSet",
                    lambda c: conn_view(ctx, c), spec)


def modify_conn(ctx: Context, tx: Tx, req: ModifyVpnConnectionAttributeRequest,
                region: str) -> dict:
    conn = get(tx, "vpnx", req.VpnConnectionId, region)
    if not ctx.ready(conn):
        raise ApiError("UnsupportedOperation.VpnConnInvalidState",
                       f"VPN connection {conn['VpnConnectionId']} is still PENDING; retry "
                       "when it is AVAILABLE.")
    new = conn_options(req, conn)
    if req.VpnConnectionName is not None:
        new["VpnConnectionName"] = req.VpnConnectionName
    if req.PreShareKey is not None:
        new["PreShareKey"] = req.PreShareKey
    cgw_id = req.CustomerGatewayId
    if cgw_id is not None and cgw_id != conn["CustomerGatewayId"]:
        get(tx, "cgw", cgw_id, region)
        violations(rules.check_tunnels_per_customer_gateway(
            1 + tx.count_by("vpnx", "CustomerGatewayId", cgw_id, region)))
        new["CustomerGatewayId"] = cgw_id
    check_conn(tx, new)
    tx.put("vpnx", conn["VpnConnectionId"], new)
    return {}


def delete_conn(ctx: Context, tx: Tx, req: DeleteVpnConnectionRequest, region: str) -> dict:
    conn = _ready_connection(ctx, tx, req.VpnGatewayId, req.VpnConnectionId, region,
                             "UnsupportedOperation.InvalidState")
    cid = conn["VpnConnectionId"]
    routes = [r["RouteId"] for r in tx.list_by("vpnr", "InstanceId", cid, region)]
    if routes:
        raise ApiError("ResourceInUse", f"VPN gateway route(s) {', '.join(routes)} still "
                       f"send traffic into VPN connection {cid}. Delete them first.")
    tx.delete("vpnx", cid)
    return {}


def reset_conn(ctx: Context, tx: Tx, req: ResetVpnConnectionRequest, region: str) -> dict:
    """Renegotiate the tunnel: its SAs are torn down (by the dataplane, when there is one)
    and come back with the next traffic."""
    _ready_connection(ctx, tx, req.VpnGatewayId, req.VpnConnectionId, region,
                      "UnsupportedOperation.VpnConnInvalidState")
    return {}


def _ready_connection(ctx: Context, tx: Tx, gateway_id: str, connection_id: str, region: str,
                      pending_code: str) -> dict:
    """The tunnel ``connection_id`` of gateway ``gateway_id``, refused with ``pending_code``
    while it is still PENDING."""
    gw = get(tx, "vpngw", gateway_id, region)
    conn = get(tx, "vpnx", connection_id, region)
    cid = conn["VpnConnectionId"]
    if conn["VpnGatewayId"] != gw["VpnGatewayId"]:
        raise ApiError("InvalidParameterValue", f"VPN connection {cid} does not belong to "
                       f"VPN gateway {gw['VpnGatewayId']}.")
    if not ctx.ready(conn):
        raise ApiError(pending_code,
                       f"VPN connection {cid} is still PENDING; retry when it is AVAILABLE.")
    return conn


def download_config(ctx: Context, tx: Tx, req: DownloadCustomerGatewayConfigurationRequest,
                    region: str) -> dict:
    from ... import device_config  # the vendors' renderers: only for this action
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    conn = get(tx, "vpnx", req.VpnConnectionId, region)
    want = req.CustomerGatewayVendor.model_dump()
    vendor = device_config.by_api(want)
    if vendor is None:
        raise ApiError("InvalidParameterValue",
                       f"Vendor {want['VendorName']} {want['Platform']} "
                       f"{want['SoftwareVersion']} is not supported; see "
                       "DescribeCustomerGatewayVendors.")
    cgw = tx.get("cgw", conn["CustomerGatewayId"]) or {}
    try:
        text = device_config.render(vendor, gw, cgw, conn, req.InterfaceName)
    except device_config.UnsupportedChoice as e:
        raise ApiError("UnsupportedOperation", f"No {vendor.title} configuration for "
                       f"{conn['VpnConnectionId']}: {e}") from None
    return {"CustomerGatewayConfiguration": text}


HEALTH_CHECK_RANGE = ipaddress.IPv4Network("169.254.128.0/17")


def default_health_check_ip(ctx: Context, tx: Tx,
                            req: GenerateVpnConnectionDefaultHealthCheckIpRequest,
                            region: str) -> dict:
    """The first pair of health check addresses (.1 and .2 of a /30 in the link-local
    range) that no tunnel of the gateway uses: the same answer until a tunnel takes it."""
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    used = {c[k] for c in tx.list_by("vpnx", "VpnGatewayId", gw["VpnGatewayId"], region)
            for k in ("HealthCheckLocalIp", "HealthCheckRemoteIp") if c.get(k)}
    for block in HEALTH_CHECK_RANGE.subnets(new_prefix=30):
        local, remote = str(block.network_address + 1), str(block.network_address + 2)
        if local not in used and remote not in used:
            return {"HealthCheckLocalIp": local, "HealthCheckRemoteIp": remote}
    raise ApiError("LimitExceeded", "No free health check address is left on VPN gateway "
                   f"{gw['VpnGatewayId']}.")


def random_link_local() -> str:
    net = HEALTH_CHECK_RANGE
    return str(net.network_address + random.randrange(1, net.num_addresses - 1))


ACTIONS = actions({
    CreateVpnConnectionRequest: create_conn,
    DescribeVpnConnectionsRequest: describe_conns,
    ModifyVpnConnectionAttributeRequest: modify_conn,
    DeleteVpnConnectionRequest: delete_conn,
    DownloadCustomerGatewayConfigurationRequest: download_config,
    GenerateVpnConnectionDefaultHealthCheckIpRequest: default_health_check_ip,
    ResetVpnConnectionRequest: reset_conn,
})
