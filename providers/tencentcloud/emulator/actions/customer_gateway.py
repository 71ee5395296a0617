"""Customer gateways (the IDC side of a tunnel) and the device vendors."""

from __future__ import annotations

from typing import Callable

from ... import rules
from ..store import Tx
from .common import (
    ApiError,
    Context,
    _int,
    _str,
    _tags,
    describe,
    get,
    new_id,
    public,
    violations,
)


VENDORS = [
    {"Platform": "comware", "SoftwareVersion": "V1.0", "VendorName": "h3c"},
    {"Platform": "ios", "SoftwareVersion": "V15.4", "VendorName": "cisco"},
    {"Platform": "vrp", "SoftwareVersion": "V5.1", "VendorName": "huawei"},
    {"Platform": "fortios", "SoftwareVersion": "V5.6", "VendorName": "fortinet"},
    {"Platform": "junos", "SoftwareVersion": "V12.1", "VendorName": "juniper"},
    {"Platform": "strongswan", "SoftwareVersion": "5.9", "VendorName": "strongswan"},
]


def cgw_view(ctx: Context, tx: Tx) -> Callable[[dict], dict]:
    def view(g: dict) -> dict:
        v = public(g)
        v["VpnConnNum"] = tx.count_by("vpnx", "CustomerGatewayId", g["CustomerGatewayId"])
        return v
    return view


def create_cgw(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    name = _str(p, "CustomerGatewayName", required=True)
    ip = _str(p, "IpAddress", required=True)
    asn = _int(p, "BgpAsn")
    violations(rules.check_name(name, "customer gateway name")
                + rules.check_customer_gateway_ip(ip) + rules.check_bgp_asn(asn, customer=True)
                + rules.check_customer_gateways_per_region(tx.count("cgw", region) + 1))
    cid = new_id(tx, "cgw")
    cgw = {"CustomerGatewayId": cid, "CustomerGatewayName": name, "IpAddress": ip,
           "CreatedTime": ctx.now(), "BgpAsn": asn or 0, "TagSet": _tags(p)}
    tx.insert("cgw", cid, region, cgw)
    return {"CustomerGateway": cgw_view(ctx, tx)(cgw)}


def describe_cgws(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    spec = {"customer-gateway-id": lambda v: v["CustomerGatewayId"],
            "customer-gateway-name": lambda v: v["CustomerGatewayName"],
            "ip-address": lambda v: v["IpAddress"], "ip-version": lambda v: "IPv4"}
    return describe(tx, p, region, "cgw", "CustomerGatewayIds", "CustomerGatewaySet",
                          cgw_view(ctx, tx), spec, max_filters=10)


def modify_cgw(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    cgw = get(tx, "cgw", _str(p, "CustomerGatewayId", required=True), region)
    name = _str(p, "CustomerGatewayName", required=True)
    asn = _int(p, "BgpAsn")
    violations(rules.check_name(name, "customer gateway name")
                + rules.check_bgp_asn(asn, customer=True))
    cgw["CustomerGatewayName"] = name
    if asn is not None:
        cgw["BgpAsn"] = asn
    tx.put("cgw", cgw["CustomerGatewayId"], cgw)
    return {}


def delete_cgw(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    cgw = get(tx, "cgw", _str(p, "CustomerGatewayId", required=True), region)
    cid = cgw["CustomerGatewayId"]
    conns = [c["VpnConnectionId"]
             for c in tx.list_by("vpnx", "CustomerGatewayId", cid, region)]
    if conns:
        raise ApiError("ResourceInUse", f"Customer gateway {cid} is still used by VPN "
                       f"connection(s) {', '.join(conns)}. Delete those tunnels first.")
    tx.delete("cgw", cid)
    return {}


def vendors(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    return {"CustomerGatewayVendorSet": [dict(v) for v in VENDORS]}


ACTIONS = {
    "CreateCustomerGateway": (create_cgw, ("CustomerGatewayName", "IpAddress", "BgpAsn", "Tags")),
    "DescribeCustomerGateways": (describe_cgws, ("CustomerGatewayIds", "Filters", "Offset", "Limit")),
    "ModifyCustomerGatewayAttribute": (modify_cgw, ("CustomerGatewayId", "CustomerGatewayName", "BgpAsn")),
    "DeleteCustomerGateway": (delete_cgw, ("CustomerGatewayId",)),
    "DescribeCustomerGatewayVendors": (vendors, ()),
}
