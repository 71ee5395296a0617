"""VPN gateways: create, describe, modify, bandwidth, renewal, deletion and prices."""

from __future__ import annotations

import ipaddress
import random
import time

from ... import rules
from ..store import Tx
from .common import (
    NEVER,
    ApiError,
    Context,
    _bool,
    _int,
    _obj,
    _str,
    _str_list,
    _tags,
    check_zone,
    describe,
    get,
    new_id,
    public,
    violations,
)


PUBLIC_IP_POOL = ipaddress.IPv4Network("198.18.0.0/15")

GATEWAY_QUOTAS = [
    {"Bandwidth": 5, "Cname": "mini", "Name": "mini"},
    {"Bandwidth": 10, "Cname": "small", "Name": "small"},
    {"Bandwidth": 20, "Cname": "middle", "Name": "middle"},
    {"Bandwidth": 50, "Cname": "large", "Name": "large"},
    {"Bandwidth": 100, "Cname": "superLarge", "Name": "superLarge"},
]


def gw_view(ctx: Context, g: dict) -> dict:
    v = public(g)
    v["State"] = "AVAILABLE" if ctx.ready(g) else "PENDING"
    return v


def pick_public_ip(ctx: Context, tx: Tx) -> str:
    used = {g["PublicIpAddress"] for g in tx.list("vpngw")}
    first = int(PUBLIC_IP_POOL.network_address)
    for _ in range(10000):
        offset = random.randrange(1, PUBLIC_IP_POOL.num_addresses - 1)
        ip = ipaddress.IPv4Address(first + offset)
        if ip.packed[3] not in (0, 255) and str(ip) not in used:
            return str(ip)
    raise ApiError("ResourceInsufficient", "No public IP address is left in the pool.")


def charge_prepaid(ctx: Context, p: dict, required: bool) -> dict | None:
    icp = _obj(p, "InstanceChargePrepaid", required=required)
    if icp is None:
        return None
    period = _int(icp, "Period", required=True)
    flag = _str(icp, "RenewFlag", default="NOTIFY_AND_MANUAL_RENEW")
    violations(rules.check_enum(period, rules.PREPAID_PERIODS, "Prepaid period (months)")
                + rules.check_enum(flag, rules.RENEW_FLAGS, "Renew flag"))
    return {"Period": period, "RenewFlag": flag}


def create_vpn_gateway(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    name = _str(p, "VpnGatewayName", required=True)
    bandwidth = _int(p, "InternetMaxBandwidthOut", required=True)
    gtype = _str(p, "Type", default="IPSEC")
    charge = _str(p, "InstanceChargeType", default="POSTPAID_BY_HOUR")
    vpc_id = _str(p, "VpcId")
    bgp_asn = _int(p, "BgpAsn")
    max_conn = _int(p, "MaxConnection")
    zone = _str(p, "Zone")
    violations(rules.check_name(name, "VPN gateway name") + rules.check_bandwidth(bandwidth)
                + rules.check_enum(gtype, rules.GATEWAY_TYPES, "Gateway type")
                + rules.check_enum(charge, rules.CHARGE_TYPES, "Charge type")
                + rules.check_bgp_asn(bgp_asn)
                + (rules.check_enum(max_conn, rules.MAX_CONNECTIONS, "Maximum connections")
                   if max_conn is not None else []))
    prepaid = charge_prepaid(ctx, p, required=charge == "PREPAID")
    if zone is not None:
        check_zone(zone, region)
    ccn = gtype in ("CCN", "SSL_CCN")
    if ccn and vpc_id:
        raise ApiError("InvalidParameterValue",
                       f"A {gtype} gateway is attached to a CCN, not a VPC; omit `VpcId`.")
    if not ccn and not vpc_id:
        raise ApiError("UnsupportedOperation.VpnGwVpcIdMustHave",
                       f"A {gtype} gateway must be created in a VPC; give `VpcId`.")
    if vpc_id:
        get(tx, "vpc", vpc_id, region)
        violations(rules.check_gateways_per_vpc(tx.count("vpngw", vpc_id=vpc_id) + 1))
    gid = new_id(tx, "vpngw")
    now = ctx.clock()
    expired = NEVER
    if prepaid:
        expired = time.strftime("%Y-%m-%d %H:%M:%S",
                                time.localtime(now + prepaid["Period"] * 30 * 86400))
    gw = {"VpnGatewayId": gid, "VpcId": vpc_id or "", "VpnGatewayName": name, "Type": gtype,
          "PublicIpAddress": pick_public_ip(ctx, tx),
          "RenewFlag": prepaid["RenewFlag"] if prepaid else "",
          "InstanceChargeType": charge, "InternetMaxBandwidthOut": bandwidth,
          "CreatedTime": ctx.now(), "ExpiredTime": expired, "IsAddressBlocked": False,
          "NewPurchasePlan": "", "RestrictState": "NORMAL",
          "Zone": zone or f"{region}-1", "VpnGatewayQuotaSet": GATEWAY_QUOTAS,
          "Version": "2.0", "NetworkInstanceId": "", "CdcId": _str(p, "CdcId", default=""),
          "MaxConnection": max_conn or (5 if gtype.startswith("SSL") else 0),
          "BgpAsn": bgp_asn or 0, "TagSet": _tags(p),
          "IsPrivate": _bool(p, "IsPrivate", False),
          "_ready_at": ctx.ready_at("vpngw")}
    tx.insert("vpngw", gid, region, gw, vpc_id=vpc_id or None)
    return {"VpnGateway": gw_view(ctx, gw)}


def describe_vpn_gateways(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    spec = {"vpc-id": lambda v: v["VpcId"], "vpn-gateway-id": lambda v: v["VpnGatewayId"],
            "vpn-gateway-name": lambda v: v["VpnGatewayName"], "type": lambda v: v["Type"],
            "public-ip-address": lambda v: v["PublicIpAddress"],
            "renew-flag": lambda v: v["RenewFlag"], "zone": lambda v: v["Zone"]}
    return describe(tx, p, region, "vpngw", "VpnGatewayIds", "VpnGatewaySet",
                          lambda g: gw_view(ctx, g), spec)


def modify_vpn_gateway(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    name = _str(p, "VpnGatewayName")
    charge = _str(p, "InstanceChargeType")
    bgp_asn = _int(p, "BgpAsn")
    max_conn = _int(p, "MaxConnection")
    violations(rules.check_name(name, "VPN gateway name") + rules.check_bgp_asn(bgp_asn))
    if charge is not None and charge != gw["InstanceChargeType"]:
        if not (gw["InstanceChargeType"] == "PREPAID" and charge == "POSTPAID_BY_HOUR"):
            raise ApiError("UnsupportedOperation",
                           f"The charge type can only change from PREPAID to "
                           f"POSTPAID_BY_HOUR, not from {gw['InstanceChargeType']} to "
                           f"{charge}.")
        gw["InstanceChargeType"] = charge
        gw["NewPurchasePlan"] = "PREPAID_TO_POSTPAID"
        gw["ExpiredTime"] = NEVER
        gw["RenewFlag"] = ""
    if max_conn is not None and max_conn != gw["MaxConnection"]:
        if not gw["Type"].startswith("SSL"):
            raise ApiError("UnsupportedOperation",
                           "Only SSL gateways have a maximum number of connections.")
        violations(rules.check_enum(max_conn, rules.MAX_CONNECTIONS, "Maximum connections"))
        gw["MaxConnection"] = max_conn
    if name is not None:
        gw["VpnGatewayName"] = name
    if bgp_asn is not None:
        gw["BgpAsn"] = bgp_asn
    tx.put("vpngw", gw["VpnGatewayId"], gw)
    return {}


def reset_bandwidth(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    new = _int(p, "InternetMaxBandwidthOut", required=True)
    if not ctx.ready(gw):
        raise ApiError("UnsupportedOperation.InvalidState",
                       f"VPN gateway {gw['VpnGatewayId']} is still PENDING; retry when it "
                       "is AVAILABLE.")
    violations(rules.check_bandwidth_reset(gw["InternetMaxBandwidthOut"], new))
    gw["InternetMaxBandwidthOut"] = new
    tx.put("vpngw", gw["VpnGatewayId"], gw)
    return {}


def renew_vpn_gateway(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    prepaid = charge_prepaid(ctx, p, required=True)
    assert prepaid is not None
    if gw["InstanceChargeType"] != "PREPAID":
        raise ApiError("UnsupportedOperation", "Only PREPAID gateways can be renewed.")
    base = time.mktime(time.strptime(gw["ExpiredTime"], "%Y-%m-%d %H:%M:%S"))
    gw["ExpiredTime"] = time.strftime("%Y-%m-%d %H:%M:%S",
                                      time.localtime(base + prepaid["Period"] * 30 * 86400))
    tx.put("vpngw", gw["VpnGatewayId"], gw)
    return {}


def set_renew_flag(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    ids = _str_list(p, "VpnGatewayIds", required=True)
    flag = _int(p, "AutoRenewFlag", required=True)
    names = {0: "NOTIFY_AND_MANUAL_RENEW", 1: "NOTIFY_AND_AUTO_RENEW",
             2: "NOT_NOTIFY_AND_NOT_RENEW"}
    if flag not in names:
        raise ApiError("InvalidParameterValue.Range", "`AutoRenewFlag` must be 0, 1 or 2.")
    for gid in ids:
        gw = get(tx, "vpngw", gid, region)
        if gw["InstanceChargeType"] != "PREPAID":
            raise ApiError("UnsupportedOperation",
                           f"VPN gateway {gid} is not PREPAID and has no renew flag.")
        gw["RenewFlag"] = names[flag]
        tx.put("vpngw", gid, gw)
    return {}


def delete_vpn_gateway(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    gid = gw["VpnGatewayId"]
    if gw["InstanceChargeType"] == "PREPAID" and gw["ExpiredTime"] > ctx.now():
        raise ApiError("UnsupportedOperation.InvalidState",
                       f"VPN gateway {gid} is PREPAID and not yet expired; only running "
                       "postpaid gateways can be deleted. Change it to POSTPAID_BY_HOUR first.")
    conns = [c["VpnConnectionId"] for c in tx.list_by("vpnx", "VpnGatewayId", gid, region)]
    if conns:
        raise ApiError("ResourceInUse", f"VPN gateway {gid} still has VPN connection(s) "
                       f"{', '.join(conns)}. Delete the tunnels first.")
    pointing = [f"{r['RouteTableId']}/{r['RouteId']}" for t in tx.list("rtb", region)
                for r in t["RouteSet"] if r["GatewayType"] == "VPN" and r["GatewayId"] == gid]
    if pointing:
        raise ApiError("ResourceInUse", f"Route(s) {', '.join(pointing)} still point at VPN "
                       f"gateway {gid}. Delete those routes first.")
    gw_routes = [r["RouteId"] for r in tx.list("vpnr", region) if r["_gateway"] == gid]
    if gw_routes:
        raise ApiError("ResourceInUse", f"VPN gateway {gid} still has gateway route(s) "
                       f"{', '.join(gw_routes)}. Delete them first.")
    tx.delete("vpngw", gid)
    return {}


def inquiry_price(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    bandwidth = _int(p, "InternetMaxBandwidthOut", required=True)
    charge = _str(p, "InstanceChargeType", default="POSTPAID_BY_HOUR")
    violations(rules.check_bandwidth(bandwidth)
                + rules.check_enum(charge, rules.CHARGE_TYPES, "Charge type"))
    prepaid = charge_prepaid(ctx, p, required=charge == "PREPAID")
    hourly = rules.hourly_price(region)
    if hourly is None:
        raise ApiError("UnsupportedRegion", f"VPN gateways are not sold in region {region}.")
    if prepaid:
        total = round(hourly * 24 * 30 * prepaid["Period"], 2)
        inst = {"OriginalPrice": total, "DiscountPrice": total, "ChargeUnit": "MONTH",
                "UnitPrice": None}
    else:
        inst = {"UnitPrice": hourly, "ChargeUnit": "HOUR", "OriginalPrice": None,
                "DiscountPrice": None}
    return {"Price": {"InstancePrice": inst,
                      "BandwidthPrice": {"UnitPrice": 0.0, "ChargeUnit": "HOUR",
                                         "OriginalPrice": None, "DiscountPrice": None}}}


ACTIONS = {
    "CreateVpnGateway": (create_vpn_gateway,
        ("VpcId", "VpnGatewayName", "InternetMaxBandwidthOut", "InstanceChargeType", "InstanceChargePrepaid",
        "Zone", "Type", "CdcId", "MaxConnection", "BgpAsn", "IsPrivate", "SubnetId", "BgpEnable", "IpStack",
        "AccessSubnet", "Tags")),
    "DescribeVpnGateways": (describe_vpn_gateways, ("VpnGatewayIds", "Filters", "Offset", "Limit")),
    "ModifyVpnGatewayAttribute": (modify_vpn_gateway,
        ("VpnGatewayId", "VpnGatewayName", "InstanceChargeType", "BgpAsn", "MaxConnection")),
    "ResetVpnGatewayInternetMaxBandwidth": (reset_bandwidth, ("VpnGatewayId", "InternetMaxBandwidthOut")),
    "RenewVpnGateway": (renew_vpn_gateway, ("VpnGatewayId", "InstanceChargePrepaid")),
    "SetVpnGatewaysRenewFlag": (set_renew_flag, ("VpnGatewayIds", "AutoRenewFlag", "Type")),
    "DeleteVpnGateway": (delete_vpn_gateway, ("VpnGatewayId",)),
    "InquiryPriceCreateVpnGateway": (inquiry_price,
        ("InternetMaxBandwidthOut", "InstanceChargeType", "InstanceChargePrepaid", "MaxConnection", "Type")),
}
