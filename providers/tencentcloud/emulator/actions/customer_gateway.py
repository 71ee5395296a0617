"""Customer gateways (the IDC side of a tunnel) and the device vendors."""

from __future__ import annotations

from typing import Callable

from ... import rules
from ..store import Tx
from .common import Context, describe, get, new_id, public, violations
from .request import DescribeRequest, Int, Request, Str, Tag, actions, tag_set


class CreateCustomerGatewayRequest(Request):
    CustomerGatewayName: Str
    IpAddress: Str
    BgpAsn: Int | None = None
    Tags: list[Tag] = []


class DescribeCustomerGatewaysRequest(DescribeRequest):
    CustomerGatewayIds: list[Str] = []


class ModifyCustomerGatewayAttributeRequest(Request):
    CustomerGatewayId: Str
    CustomerGatewayName: Str
    BgpAsn: Int | None = None


class DeleteCustomerGatewayRequest(Request):
    CustomerGatewayId: Str


class DescribeCustomerGatewayVendorsRequest(Request):
    pass


def cgw_view(tx: Tx) -> Callable[[dict], dict]:
    def view(g: dict) -> dict:
        v = public(g)
        v["VpnConnNum"] = tx.count_by("vpnx", "CustomerGatewayId", g["CustomerGatewayId"])
        return v
    return view


def create_cgw(ctx: Context, tx: Tx, req: CreateCustomerGatewayRequest, region: str) -> dict:
    name, ip, asn = req.CustomerGatewayName, req.IpAddress, req.BgpAsn
    violations(rules.check_name(name, "customer gateway name")
               + rules.check_customer_gateway_ip(ip) + rules.check_bgp_asn(asn, customer=True)
               + rules.check_customer_gateways_per_region(tx.count("cgw", region) + 1))
    cid = new_id(tx, "cgw")
    cgw = {"CustomerGatewayId": cid, "CustomerGatewayName": name, "IpAddress": ip,
           "CreatedTime": ctx.now(), "BgpAsn": asn or 0, "TagSet": tag_set(req.Tags)}
    tx.insert("cgw", cid, region, cgw)
    return {"CustomerGateway": cgw_view(tx)(cgw)}


def describe_cgws(ctx: Context, tx: Tx, req: DescribeCustomerGatewaysRequest,
                  region: str) -> dict:
    spec = {"customer-gateway-id": lambda v: v["CustomerGatewayId"],
            "customer-gateway-name": lambda v: v["CustomerGatewayName"],
            "ip-address": lambda v: v["IpAddress"], "ip-version": lambda v: "IPv4"}
    return describe(tx, req, region, "cgw", "CustomerGatewayIds", "CustomerGatewaySet",
                    cgw_view(tx), spec, max_filters=10)


def modify_cgw(ctx: Context, tx: Tx, req: ModifyCustomerGatewayAttributeRequest,
               region: str) -> dict:
    cgw = get(tx, "cgw", req.CustomerGatewayId, region)
    violations(rules.check_name(req.CustomerGatewayName, "customer gateway name")
               + rules.check_bgp_asn(req.BgpAsn, customer=True))
    cgw["CustomerGatewayName"] = req.CustomerGatewayName
    if req.BgpAsn is not None:
        cgw["BgpAsn"] = req.BgpAsn
    tx.put("cgw", cgw["CustomerGatewayId"], cgw)
    return {}


def delete_cgw(ctx: Context, tx: Tx, req: DeleteCustomerGatewayRequest, region: str) -> dict:
    cgw = get(tx, "cgw", req.CustomerGatewayId, region)
    cid = cgw["CustomerGatewayId"]
    conns = [c["VpnConnectionId"]
             for c in tx.list_by("vpnx", "CustomerGatewayId", cid, region)]
    violations(rules.check_no_tunnels("customer gateway", cid, conns))
    tx.delete("cgw", cid)
    return {}


def vendors(ctx: Context, tx: Tx, req: DescribeCustomerGatewayVendorsRequest,
            region: str) -> dict:
    # every vendor the device configuration download renders (the renderers are loaded
    # only by the actions that use them: startup time of every command, issue #14)
    from ... import device_config
    return {"CustomerGatewayVendorSet": [dict(v.api) for v in device_config.VENDORS]}


ACTIONS = actions({
    CreateCustomerGatewayRequest: create_cgw,
    DescribeCustomerGatewaysRequest: describe_cgws,
    ModifyCustomerGatewayAttributeRequest: modify_cgw,
    DeleteCustomerGatewayRequest: delete_cgw,
    DescribeCustomerGatewayVendorsRequest: vendors,
})
