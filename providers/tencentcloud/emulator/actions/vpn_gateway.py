"""VPN gateways: create, describe, modify, bandwidth, renewal, deletion and prices."""

from __future__ import annotations

import ipaddress
import random
import time

from ... import rules
from ..store import Tx
from .common import NEVER, ApiError, Context, check_zone, describe, get, missing, new_id, public, violations
from .request import Bool, DescribeRequest, Int, Part, Request, Str, Tag, actions, tag_set
from .route_table import routes_to_gateway

PUBLIC_IP_POOL = ipaddress.IPv4Network("198.18.0.0/15")
GATEWAY_QUOTAS = [{"Bandwidth": bw, "Cname": name, "Name": name}
                  for bw, name in rules.BANDWIDTH_QUOTA_NAMES]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class ChargePrepaid(Part):
    Period: Int
    RenewFlag: Str = "NOTIFY_AND_MANUAL_RENEW"


class CreateVpnGatewayRequest(Request):
    VpnGatewayName: Str
    InternetMaxBandwidthOut: Int
    VpcId: Str | None = None
    InstanceChargeType: Str = "POSTPAID_BY_HOUR"
    InstanceChargePrepaid: ChargePrepaid | None = None
    Zone: Str | None = None
    Type: Str = "IPSEC"
    CdcId: Str = ""
    MaxConnection: Int | None = None
    BgpAsn: Int | None = None
    IsPrivate: Bool = False
    SubnetId: Str | None = None
    BgpEnable: Bool | None = None
    IpStack: Str | None = None
    AccessSubnet: Str | None = None
    Tags: list[Tag] = []


class DescribeVpnGatewaysRequest(DescribeRequest):
    VpnGatewayIds: list[Str] = []


class ModifyVpnGatewayAttributeRequest(Request):
    VpnGatewayId: Str
    VpnGatewayName: Str | None = None
    InstanceChargeType: Str | None = None
    BgpAsn: Int | None = None
    MaxConnection: Int | None = None


class ResetVpnGatewayInternetMaxBandwidthRequest(Request):
    VpnGatewayId: Str
    InternetMaxBandwidthOut: Int


class RenewVpnGatewayRequest(Request):
    VpnGatewayId: Str
    InstanceChargePrepaid: ChargePrepaid


class SetVpnGatewaysRenewFlagRequest(Request):
    VpnGatewayIds: list[Str]
    AutoRenewFlag: Int
    Type: Str | None = None


class DeleteVpnGatewayRequest(Request):
    VpnGatewayId: Str


class InquiryPriceCreateVpnGatewayRequest(Request):
    InternetMaxBandwidthOut: Int
    InstanceChargeType: Str = "POSTPAID_BY_HOUR"
    InstanceChargePrepaid: ChargePrepaid | None = None
    MaxConnection: Int | None = None
    Type: Str | None = None


class InquiryPriceRenewVpnGatewayRequest(Request):
    VpnGatewayId: Str
    InstanceChargePrepaid: ChargePrepaid


class InquiryPriceResetVpnGatewayInternetMaxBandwidthRequest(Request):
    VpnGatewayId: Str
    InternetMaxBandwidthOut: Int


def gw_view(ctx: Context, g: dict) -> dict:
    v = public(g)
    v["State"] = "AVAILABLE" if ctx.ready(g) else "PENDING"
    return v


def pick_public_ip(tx: Tx) -> str:
    used = {g["PublicIpAddress"] for g in tx.list("vpngw")}
    first = int(PUBLIC_IP_POOL.network_address)
    for _ in range(10000):
        offset = random.randrange(1, PUBLIC_IP_POOL.num_addresses - 1)
        ip = ipaddress.IPv4Address(first + offset)
        if ip.packed[3] not in (0, 255) and str(ip) not in used:
            return str(ip)
    raise ApiError("ResourceInsufficient", "No public IP address is left in the pool.")


def _check_prepaid(prepaid: ChargePrepaid | None) -> None:
    if prepaid is not None:
        violations(rules.check_enum(prepaid.Period, rules.PREPAID_PERIODS,
                                    "Prepaid period (months)")
                   + rules.check_enum(prepaid.RenewFlag, rules.RENEW_FLAGS, "Renew flag"))


def _prepaid_for(charge: str, prepaid: ChargePrepaid | None) -> ChargePrepaid | None:
    """The prepaid terms, required for (and only used by) a PREPAID gateway."""
    if charge == "PREPAID" and prepaid is None:
        raise missing("InstanceChargePrepaid")
    _check_prepaid(prepaid)
    return prepaid if charge == "PREPAID" else None


def _months_later(start: float, months: int) -> str:
    return time.strftime(TIME_FORMAT,
                         time.localtime(start + months * rules.DAYS_PER_MONTH * 86400))


def check_available(ctx: Context, gw: dict) -> None:
    """A gateway still PENDING refuses changes."""
    if not ctx.ready(gw):
        raise ApiError("UnsupportedOperation.InvalidState",
                       f"VPN gateway {gw['VpnGatewayId']} is still PENDING; retry when it "
                       "is AVAILABLE.")


def create_vpn_gateway(ctx: Context, tx: Tx, req: CreateVpnGatewayRequest, region: str) -> dict:
    gtype, charge, vpc_id = req.Type, req.InstanceChargeType, req.VpcId
    max_conn = req.MaxConnection
    violations(rules.check_name(req.VpnGatewayName, "VPN gateway name")
               + rules.check_bandwidth(req.InternetMaxBandwidthOut)
               + rules.check_enum(gtype, rules.GATEWAY_TYPES, "Gateway type")
               + rules.check_enum(charge, rules.CHARGE_TYPES, "Charge type")
               + rules.check_bgp_asn(req.BgpAsn)
               + rules.check_enum(max_conn, rules.MAX_CONNECTIONS, "Maximum connections"))
    prepaid = _prepaid_for(charge, req.InstanceChargePrepaid)
    if req.Zone is not None:
        check_zone(req.Zone, region)
    violations(rules.check_gateway_vpc(gtype, bool(vpc_id)))
    if vpc_id:
        get(tx, "vpc", vpc_id, region)
        violations(rules.check_gateways_per_vpc(tx.count("vpngw", vpc_id=vpc_id) + 1))
    gid = new_id(tx, "vpngw")
    expired = _months_later(ctx.clock(), prepaid.Period) if prepaid else NEVER
    gw = {"VpnGatewayId": gid, "VpcId": vpc_id or "", "VpnGatewayName": req.VpnGatewayName,
          "Type": gtype, "PublicIpAddress": pick_public_ip(tx),
          "RenewFlag": prepaid.RenewFlag if prepaid else "",
          "InstanceChargeType": charge, "InternetMaxBandwidthOut": req.InternetMaxBandwidthOut,
          "CreatedTime": ctx.now(), "ExpiredTime": expired, "IsAddressBlocked": False,
          "NewPurchasePlan": "", "RestrictState": "NORMAL",
          "Zone": req.Zone or f"{region}-1", "VpnGatewayQuotaSet": GATEWAY_QUOTAS,
          "Version": "2.0", "NetworkInstanceId": "", "CdcId": req.CdcId,
          "MaxConnection": max_conn or (5 if gtype.startswith("SSL") else 0),
          "BgpAsn": req.BgpAsn or 0, "TagSet": tag_set(req.Tags), "IsPrivate": req.IsPrivate,
          "_ready_at": ctx.ready_at("vpngw")}
    tx.insert("vpngw", gid, region, gw, vpc_id=vpc_id or None)
    return {"VpnGateway": gw_view(ctx, gw)}


def describe_vpn_gateways(ctx: Context, tx: Tx, req: DescribeVpnGatewaysRequest,
                          region: str) -> dict:
    spec = {"vpc-id": lambda v: v["VpcId"], "vpn-gateway-id": lambda v: v["VpnGatewayId"],
            "vpn-gateway-name": lambda v: v["VpnGatewayName"], "type": lambda v: v["Type"],
            "public-ip-address": lambda v: v["PublicIpAddress"],
            "renew-flag": lambda v: v["RenewFlag"], "zone": lambda v: v["Zone"]}
    return describe(tx, req, region, "vpngw", "VpnGatewayIds", "VpnGatewaySet",
                    lambda g: gw_view(ctx, g), spec)


def modify_vpn_gateway(ctx: Context, tx: Tx, req: ModifyVpnGatewayAttributeRequest,
                       region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    charge, max_conn = req.InstanceChargeType, req.MaxConnection
    violations(rules.check_name(req.VpnGatewayName, "VPN gateway name")
               + rules.check_bgp_asn(req.BgpAsn)
               + rules.check_charge_type_change(gw["InstanceChargeType"], charge))
    if charge is not None and charge != gw["InstanceChargeType"]:
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
    if req.VpnGatewayName is not None:
        gw["VpnGatewayName"] = req.VpnGatewayName
    if req.BgpAsn is not None:
        gw["BgpAsn"] = req.BgpAsn
    tx.put("vpngw", gw["VpnGatewayId"], gw)
    return {}


def reset_bandwidth(ctx: Context, tx: Tx, req: ResetVpnGatewayInternetMaxBandwidthRequest,
                    region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    check_available(ctx, gw)
    violations(rules.check_bandwidth_reset(gw["InternetMaxBandwidthOut"],
                                           req.InternetMaxBandwidthOut))
    gw["InternetMaxBandwidthOut"] = req.InternetMaxBandwidthOut
    tx.put("vpngw", gw["VpnGatewayId"], gw)
    return {}


def _renewable(tx: Tx, gateway_id: str, prepaid: ChargePrepaid, region: str) -> dict:
    gw = get(tx, "vpngw", gateway_id, region)
    _check_prepaid(prepaid)
    if gw["InstanceChargeType"] != "PREPAID":
        raise ApiError("UnsupportedOperation", "Only PREPAID gateways can be renewed.")
    return gw


def renew_vpn_gateway(ctx: Context, tx: Tx, req: RenewVpnGatewayRequest, region: str) -> dict:
    gw = _renewable(tx, req.VpnGatewayId, req.InstanceChargePrepaid, region)
    base = time.mktime(time.strptime(gw["ExpiredTime"], TIME_FORMAT))
    gw["ExpiredTime"] = _months_later(base, req.InstanceChargePrepaid.Period)
    tx.put("vpngw", gw["VpnGatewayId"], gw)
    return {}


def set_renew_flag(ctx: Context, tx: Tx, req: SetVpnGatewaysRenewFlagRequest,
                   region: str) -> dict:
    flag = rules.AUTO_RENEW_FLAGS.get(req.AutoRenewFlag)
    if flag is None:
        raise ApiError("InvalidParameterValue.Range", "`AutoRenewFlag` must be 0, 1 or 2.")
    for gid in req.VpnGatewayIds:
        gw = get(tx, "vpngw", gid, region)
        if gw["InstanceChargeType"] != "PREPAID":
            raise ApiError("UnsupportedOperation",
                           f"VPN gateway {gid} is not PREPAID and has no renew flag.")
        gw["RenewFlag"] = flag
        tx.put("vpngw", gid, gw)
    return {}


def delete_vpn_gateway(ctx: Context, tx: Tx, req: DeleteVpnGatewayRequest, region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    gid = gw["VpnGatewayId"]
    conns = [c["VpnConnectionId"] for c in tx.list_by("vpnx", "VpnGatewayId", gid, region)]
    violations(rules.check_gateway_deletable(gid, gw["InstanceChargeType"], gw["ExpiredTime"],
                                             ctx.now())
               + rules.check_no_tunnels("VPN gateway", gid, conns))
    pointing = [f"{r['RouteTableId']}/{r['RouteId']}" for r in routes_to_gateway(tx, gw)]
    if pointing:
        raise ApiError("ResourceInUse", f"Route(s) {', '.join(pointing)} still point at VPN "
                       f"gateway {gid}. Delete those routes first.")
    gw_routes = [r["RouteId"] for r in tx.list_by("vpnr", "_gateway", gid, region)]
    if gw_routes:
        raise ApiError("ResourceInUse", f"VPN gateway {gid} still has gateway route(s) "
                       f"{', '.join(gw_routes)}. Delete them first.")
    tx.delete("vpngw", gid)
    return {}


# --- prices (rules.py's billing section) -------------------------------------------------------

def _price(instance: dict) -> dict:
    """A ``Price``: the gateway's, with its bandwidth included (so bandwidth itself is free)."""
    return {"Price": {"InstancePrice": instance,
                      "BandwidthPrice": {"UnitPrice": 0.0, "ChargeUnit": "HOUR",
                                         "OriginalPrice": None, "DiscountPrice": None}}}


def _hourly(region: str) -> dict:
    hourly = rules.hourly_price(region)
    if hourly is None:
        raise ApiError("UnsupportedRegion", f"VPN gateways are not sold in region {region}.")
    return {"UnitPrice": hourly, "ChargeUnit": "HOUR", "OriginalPrice": None,
            "DiscountPrice": None}


def _months(region: str, months: int) -> dict:
    total = rules.prepaid_price(region, months)
    if total is None:
        raise ApiError("UnsupportedRegion", f"VPN gateways are not sold in region {region}.")
    return {"OriginalPrice": total, "DiscountPrice": total, "ChargeUnit": "MONTH",
            "UnitPrice": None}


def inquiry_price_create(ctx: Context, tx: Tx, req: InquiryPriceCreateVpnGatewayRequest,
                         region: str) -> dict:
    charge = req.InstanceChargeType
    violations(rules.check_bandwidth(req.InternetMaxBandwidthOut)
               + rules.check_enum(charge, rules.CHARGE_TYPES, "Charge type"))
    prepaid = _prepaid_for(charge, req.InstanceChargePrepaid)
    return _price(_months(region, prepaid.Period) if prepaid else _hourly(region))


def inquiry_price_renew(ctx: Context, tx: Tx, req: InquiryPriceRenewVpnGatewayRequest,
                        region: str) -> dict:
    _renewable(tx, req.VpnGatewayId, req.InstanceChargePrepaid, region)
    return _price(_months(region, req.InstanceChargePrepaid.Period))


def inquiry_price_reset_bandwidth(ctx: Context, tx: Tx,
                                  req: InquiryPriceResetVpnGatewayInternetMaxBandwidthRequest,
                                  region: str) -> dict:
    """What the gateway costs at the new bandwidth: postpaid, its hourly price; prepaid,
    nothing more for the term already paid (the price includes the bandwidth)."""
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    violations(rules.check_bandwidth_reset(gw["InternetMaxBandwidthOut"],
                                           req.InternetMaxBandwidthOut))
    instance = _hourly(region)
    if gw["InstanceChargeType"] == "PREPAID":
        instance = {"OriginalPrice": 0.0, "DiscountPrice": 0.0, "ChargeUnit": "MONTH",
                    "UnitPrice": None}
    return _price(instance)


ACTIONS = actions({
    CreateVpnGatewayRequest: create_vpn_gateway,
    DescribeVpnGatewaysRequest: describe_vpn_gateways,
    ModifyVpnGatewayAttributeRequest: modify_vpn_gateway,
    ResetVpnGatewayInternetMaxBandwidthRequest: reset_bandwidth,
    RenewVpnGatewayRequest: renew_vpn_gateway,
    SetVpnGatewaysRenewFlagRequest: set_renew_flag,
    DeleteVpnGatewayRequest: delete_vpn_gateway,
    InquiryPriceCreateVpnGatewayRequest: inquiry_price_create,
    InquiryPriceRenewVpnGatewayRequest: inquiry_price_renew,
    InquiryPriceResetVpnGatewayInternetMaxBandwidthRequest: inquiry_price_reset_bandwidth,
})
