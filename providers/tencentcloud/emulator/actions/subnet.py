"""Subnets and their route table association."""

from __future__ import annotations

import ipaddress

from ... import rules
from ..store import Tx
from .common import (
    ApiError,
    Context,
    _bool,
    _str,
    _tags,
    bool_str,
    check_zone,
    describe,
    get,
    new_id,
    public,
    violations,
)



def subnet_view(ctx: Context, s: dict) -> dict:
    v = public(s)
    net = ipaddress.IPv4Network(s["CidrBlock"])
    v["TotalIpAddressCount"] = net.num_addresses
    v["AvailableIpAddressCount"] = max(net.num_addresses - 3, 0)
    return v


def create_subnet(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    vpc = get(tx, "vpc", _str(p, "VpcId", required=True), region)
    name = _str(p, "SubnetName", required=True)
    cidr = _str(p, "CidrBlock", required=True)
    zone = _str(p, "Zone", required=True)
    siblings = [s["CidrBlock"] for s in tx.list("subnet", vpc_id=vpc["VpcId"])]
    violations(rules.check_name(name, "subnet name")
                + rules.check_subnet_cidr(cidr, vpc["CidrBlock"], siblings))
    check_zone(zone, region)
    main = next(r for r in tx.list("rtb", vpc_id=vpc["VpcId"]) if r["Main"])
    sid = new_id(tx, "subnet")
    subnet = {"VpcId": vpc["VpcId"], "SubnetId": sid, "SubnetName": name, "CidrBlock": cidr,
              "IsDefault": False, "EnableBroadcast": False, "Zone": zone,
              "RouteTableId": main["RouteTableId"], "CreatedTime": ctx.now(),
              "Ipv6CidrBlock": "", "NetworkAclId": "", "IsRemoteVpcSnat": False,
              "TagSet": _tags(p), "CdcId": _str(p, "CdcId", default=""),
              "IsCdcSubnet": 1 if p.get("CdcId") else 0}
    tx.insert("subnet", sid, region, subnet, vpc_id=vpc["VpcId"])
    return {"Subnet": subnet_view(ctx, subnet)}


def describe_subnets(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    spec = {"subnet-id": lambda v: v["SubnetId"], "vpc-id": lambda v: v["VpcId"],
            "cidr-block": lambda v: v["CidrBlock"],
            "is-default": lambda v: bool_str(v["IsDefault"]),
            "is-remote-vpc-snat": lambda v: bool_str(v["IsRemoteVpcSnat"]),
            "subnet-name": lambda v: v["SubnetName"], "zone": lambda v: v["Zone"],
            "cdc-id": lambda v: v["CdcId"], "is-cdc-subnet": lambda v: str(v["IsCdcSubnet"]),
            "ipv6-cidr-block": lambda v: v["Ipv6CidrBlock"], "isp-type": lambda v: [],
            "address-type": lambda v: []}
    return describe(tx, p, region, "subnet", "SubnetIds", "SubnetSet",
                          lambda s: subnet_view(ctx, s), spec)


def modify_subnet(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    s = get(tx, "subnet", _str(p, "SubnetId", required=True), region)
    name = _str(p, "SubnetName")
    violations(rules.check_name(name, "subnet name"))
    if name is not None:
        s["SubnetName"] = name
    if p.get("EnableBroadcast") is not None:
        s["EnableBroadcast"] = _bool(p, "EnableBroadcast")
    tx.put("subnet", s["SubnetId"], s)
    return {}


def delete_subnet(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    s = get(tx, "subnet", _str(p, "SubnetId", required=True), region)
    tx.delete("subnet", s["SubnetId"])
    return {}


def replace_association(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    s = get(tx, "subnet", _str(p, "SubnetId", required=True), region)
    rtb = get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
    if rtb["VpcId"] != s["VpcId"]:
        raise ApiError("UnsupportedOperation.VpcMismatch",
                       f"Route table {rtb['RouteTableId']} belongs to VPC {rtb['VpcId']}, "
                       f"but subnet {s['SubnetId']} is in VPC {s['VpcId']}. Associate a "
                       "route table of the subnet's own VPC.")
    s["RouteTableId"] = rtb["RouteTableId"]
    tx.put("subnet", s["SubnetId"], s)
    return {}


ACTIONS = {
    "CreateSubnet": (create_subnet, ("VpcId", "SubnetName", "CidrBlock", "Zone", "CdcId", "Tags")),
    "DescribeSubnets": (describe_subnets, ("SubnetIds", "Filters", "Offset", "Limit")),
    "ModifySubnetAttribute": (modify_subnet, ("SubnetId", "SubnetName", "EnableBroadcast")),
    "DeleteSubnet": (delete_subnet, ("SubnetId",)),
    "ReplaceRouteTableAssociation": (replace_association, ("SubnetId", "RouteTableId")),
}
