"""VPCs: CreateVpc, DescribeVpcs, ModifyVpcAttribute, DeleteVpc."""

from __future__ import annotations

import ipaddress

from pydantic import field_validator

from ... import rules
from ..store import Tx
from .common import NOUN, ApiError, Context, bool_str, describe, get, new_id, public, violations
from .request import Bool, DescribeRequest, Request, Str, Tag, actions, tag_set, value_error

DEFAULT_DNS_SERVERS = ["183.60.83.19", "183.60.82.98"]


def _dns_servers(dns: list[str] | None) -> list[str] | None:
    if dns is None:
        return None
    if len(dns) > 4:
        raise value_error("InvalidParameterValue.LimitExceeded",
                          "A VPC can have at most 4 DNS servers.")
    for d in dns:
        try:
            ipaddress.IPv4Address(d)
        except ValueError:
            raise value_error("InvalidParameterValue.Malformed",
                              f"DNS server {d!r} is not an IPv4 address.") from None
    return dns


class CreateVpcRequest(Request):
    VpcName: Str
    CidrBlock: Str
    DnsServers: list[Str] | None = None
    DomainName: Str = ""
    EnableMulticast: Bool = False
    EnableRouteVpcPublish: Bool = False
    EnableRouteVpcPublishIpv6: Bool = False
    Tags: list[Tag] = []

    _dns = field_validator("DnsServers")(_dns_servers)


class DescribeVpcsRequest(DescribeRequest):
    VpcIds: list[Str] = []


class ModifyVpcAttributeRequest(Request):
    VpcId: Str
    VpcName: Str | None = None
    EnableMulticast: Bool | None = None
    DnsServers: list[Str] | None = None
    DomainName: Str | None = None
    EnableCdcPublish: Bool | None = None

    _dns = field_validator("DnsServers")(_dns_servers)


class DeleteVpcRequest(Request):
    VpcId: Str


def vpc_view(vpc: dict) -> dict:
    return public(vpc)


def create_vpc(ctx: Context, tx: Tx, req: CreateVpcRequest, region: str) -> dict:
    violations(rules.check_name(req.VpcName, "VPC name") + rules.check_vpc_cidr(req.CidrBlock))
    vpc_id = new_id(tx, "vpc")
    now = ctx.now()
    vpc = {"VpcId": vpc_id, "VpcName": req.VpcName, "CidrBlock": req.CidrBlock,
           "IsDefault": False, "EnableMulticast": req.EnableMulticast,
           "DnsServerSet": req.DnsServers or DEFAULT_DNS_SERVERS,
           "DomainName": req.DomainName, "DhcpOptionsId": "",
           "EnableDhcp": True, "Ipv6CidrBlock": "", "CreatedTime": now,
           "TagSet": tag_set(req.Tags), "AssistantCidrSet": [], "Ipv6CidrBlockSet": [],
           "EnableRouteVpcPublish": req.EnableRouteVpcPublish,
           "EnableRouteVpcPublishIpv6": req.EnableRouteVpcPublishIpv6}
    tx.insert("vpc", vpc_id, region, vpc, vpc_id=vpc_id)
    rtb_id = new_id(tx, "rtb")
    tx.insert("rtb", rtb_id, region, {
        "VpcId": vpc_id, "RouteTableId": rtb_id, "RouteTableName": "default",
        "Main": True, "CreatedTime": now, "TagSet": [], "LocalCidrForCcn": []}, vpc_id=vpc_id)
    return {"Vpc": vpc_view(vpc)}


def describe_vpcs(ctx: Context, tx: Tx, req: DescribeVpcsRequest, region: str) -> dict:
    spec = {"vpc-name": lambda v: v["VpcName"],
            "is-default": lambda v: bool_str(v["IsDefault"]),
            "vpc-id": lambda v: v["VpcId"], "cidr-block": lambda v: v["CidrBlock"],
            "ipv6-cidr-block": lambda v: v["Ipv6CidrBlock"], "isp-type": lambda v: [],
            "address-type": lambda v: []}
    return describe(tx, req, region, "vpc", "VpcIds", "VpcSet", vpc_view, spec,
                    fuzzy=("vpc-name",))


def modify_vpc(ctx: Context, tx: Tx, req: ModifyVpcAttributeRequest, region: str) -> dict:
    vpc = get(tx, "vpc", req.VpcId, region)
    violations(rules.check_name(req.VpcName, "VPC name"))
    if req.VpcName is not None:
        vpc["VpcName"] = req.VpcName
    if req.EnableMulticast is not None:
        vpc["EnableMulticast"] = req.EnableMulticast
    if req.DnsServers is not None:
        vpc["DnsServerSet"] = req.DnsServers
    if req.DomainName is not None:
        vpc["DomainName"] = req.DomainName
    tx.put("vpc", vpc["VpcId"], vpc)
    return {}


def delete_vpc(ctx: Context, tx: Tx, req: DeleteVpcRequest, region: str) -> dict:
    vpc = get(tx, "vpc", req.VpcId, region)
    vid = vpc["VpcId"]
    deps = []
    for kind in ("subnet", "vpngw"):
        n = tx.count(kind, vpc_id=vid)
        if n:
            deps.append(f"{n} {NOUN[kind]}{'s' if n > 1 else ''}")
    rtbs = [r for r in tx.list("rtb", vpc_id=vid) if not r["Main"]]
    if rtbs:
        deps.append(f"{len(rtbs)} route table{'s' if len(rtbs) > 1 else ''}")
    if deps:
        raise ApiError("ResourceInUse", f"The VPC {vid} still holds {', '.join(deps)}. "
                       "Delete them before deleting the VPC.")
    for r in tx.list("route", vpc_id=vid):
        tx.delete("route", str(r["RouteId"]))
    for r in tx.list("rtb", vpc_id=vid):
        tx.delete("rtb", r["RouteTableId"])
    tx.delete("vpc", vid)
    return {}


ACTIONS = actions({
    CreateVpcRequest: create_vpc,
    DescribeVpcsRequest: describe_vpcs,
    ModifyVpcAttributeRequest: modify_vpc,
    DeleteVpcRequest: delete_vpc,
})
