"""VPCs: CreateVpc, DescribeVpcs, ModifyVpcAttribute, DeleteVpc."""

from __future__ import annotations

import ipaddress

from ... import rules
from ..store import Tx
from .common import (
    NOUN,
    ApiError,
    Context,
    _bool,
    _str,
    _str_list,
    _tags,
    bool_str,
    describe,
    get,
    new_id,
    public,
    violations,
)



def vpc_view(ctx: Context, vpc: dict) -> dict:
    return public(vpc)


def create_vpc(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    name = _str(p, "VpcName", required=True)
    cidr = _str(p, "CidrBlock", required=True)
    dns = _str_list(p, "DnsServers")
    violations(rules.check_name(name, "VPC name") + rules.check_vpc_cidr(cidr))
    check_dns(dns)
    vpc_id = new_id(tx, "vpc")
    now = ctx.now()
    vpc = {"VpcId": vpc_id, "VpcName": name, "CidrBlock": cidr, "IsDefault": False,
           "EnableMulticast": _bool(p, "EnableMulticast", False),
           "DnsServerSet": dns or ["183.60.83.19", "183.60.82.98"],
           "DomainName": _str(p, "DomainName", default=""), "DhcpOptionsId": "",
           "EnableDhcp": True, "Ipv6CidrBlock": "", "CreatedTime": now,
           "TagSet": _tags(p), "AssistantCidrSet": [], "Ipv6CidrBlockSet": [],
           "EnableRouteVpcPublish": _bool(p, "EnableRouteVpcPublish", False),
           "EnableRouteVpcPublishIpv6": _bool(p, "EnableRouteVpcPublishIpv6", False)}
    tx.insert("vpc", vpc_id, region, vpc, vpc_id=vpc_id)
    rtb_id = new_id(tx, "rtb")
    tx.insert("rtb", rtb_id, region, {
        "VpcId": vpc_id, "RouteTableId": rtb_id, "RouteTableName": "default",
        "RouteSet": [], "Main": True, "CreatedTime": now, "TagSet": [],
        "LocalCidrForCcn": []}, vpc_id=vpc_id)
    return {"Vpc": vpc_view(ctx, vpc)}


def check_dns(dns: list[str]) -> None:
    if len(dns) > 4:
        raise ApiError("InvalidParameterValue.LimitExceeded",
                       "A VPC can have at most 4 DNS servers.")
    for d in dns:
        try:
            ipaddress.IPv4Address(d)
        except ValueError:
            raise ApiError("InvalidParameterValue.Malformed",
                           f"DNS server {d!r} is not an IPv4 address.") from None


def describe_vpcs(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    spec = {"vpc-name": lambda v: v["VpcName"],
            "is-default": lambda v: bool_str(v["IsDefault"]),
            "vpc-id": lambda v: v["VpcId"], "cidr-block": lambda v: v["CidrBlock"],
            "ipv6-cidr-block": lambda v: v["Ipv6CidrBlock"], "isp-type": lambda v: [],
            "address-type": lambda v: []}
    return describe(tx, p, region, "vpc", "VpcIds", "VpcSet", lambda v: vpc_view(ctx, v), spec,
                          fuzzy=("vpc-name",))


def modify_vpc(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    vpc = get(tx, "vpc", _str(p, "VpcId", required=True), region)
    name = _str(p, "VpcName")
    violations(rules.check_name(name, "VPC name"))
    if name is not None:
        vpc["VpcName"] = name
    if p.get("EnableMulticast") is not None:
        vpc["EnableMulticast"] = _bool(p, "EnableMulticast")
    if p.get("DnsServers") is not None:
        dns = _str_list(p, "DnsServers")
        check_dns(dns)
        vpc["DnsServerSet"] = dns
    if p.get("DomainName") is not None:
        vpc["DomainName"] = _str(p, "DomainName")
    tx.put("vpc", vpc["VpcId"], vpc)
    return {}


def delete_vpc(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    vpc = get(tx, "vpc", _str(p, "VpcId", required=True), region)
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
    for r in tx.list("rtb", vpc_id=vid):
        tx.delete("rtb", r["RouteTableId"])
    tx.delete("vpc", vid)
    return {}


ACTIONS = {
    "CreateVpc": (create_vpc,
        ("VpcName", "CidrBlock", "DnsServers", "DomainName", "EnableMulticast", "EnableRouteVpcPublish",
        "EnableRouteVpcPublishIpv6", "Tags")),
    "DescribeVpcs": (describe_vpcs, ("VpcIds", "Filters", "Offset", "Limit")),
    "ModifyVpcAttribute": (modify_vpc,
        ("VpcId", "VpcName", "EnableMulticast", "DnsServers", "DomainName", "EnableCdcPublish")),
    "DeleteVpc": (delete_vpc, ("VpcId",)),
}
