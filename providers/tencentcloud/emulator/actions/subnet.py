"""Subnets and their route table association."""

from __future__ import annotations

import ipaddress

from ... import rules
from ..store import Tx
from .common import ApiError, Context, bool_str, check_zone, describe, get, new_id, public, violations
from .request import Bool, DescribeRequest, Request, Str, Tag, actions, tag_set


class CreateSubnetRequest(Request):
    VpcId: Str
    SubnetName: Str
    CidrBlock: Str
    Zone: Str
    CdcId: Str = ""
    Tags: list[Tag] = []


class DescribeSubnetsRequest(DescribeRequest):
    SubnetIds: list[Str] = []


class ModifySubnetAttributeRequest(Request):
    SubnetId: Str
    SubnetName: Str | None = None
    EnableBroadcast: Bool | None = None


class DeleteSubnetRequest(Request):
    SubnetId: Str


class ReplaceRouteTableAssociationRequest(Request):
    SubnetId: Str
    RouteTableId: Str


def subnet_view(s: dict) -> dict:
    v = public(s)
    net = ipaddress.IPv4Network(s["CidrBlock"])
    v["TotalIpAddressCount"] = net.num_addresses
    v["AvailableIpAddressCount"] = max(net.num_addresses - 3, 0)
    return v


def create_subnet(ctx: Context, tx: Tx, req: CreateSubnetRequest, region: str) -> dict:
    vpc = get(tx, "vpc", req.VpcId, region)
    name, cidr, zone = req.SubnetName, req.CidrBlock, req.Zone
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
              "TagSet": tag_set(req.Tags), "CdcId": req.CdcId,
              "IsCdcSubnet": 1 if req.CdcId else 0}
    tx.insert("subnet", sid, region, subnet, vpc_id=vpc["VpcId"])
    return {"Subnet": subnet_view(subnet)}


def describe_subnets(ctx: Context, tx: Tx, req: DescribeSubnetsRequest, region: str) -> dict:
    spec = {"subnet-id": lambda v: v["SubnetId"], "vpc-id": lambda v: v["VpcId"],
            "cidr-block": lambda v: v["CidrBlock"],
            "is-default": lambda v: bool_str(v["IsDefault"]),
            "is-remote-vpc-snat": lambda v: bool_str(v["IsRemoteVpcSnat"]),
            "subnet-name": lambda v: v["SubnetName"], "zone": lambda v: v["Zone"],
            "cdc-id": lambda v: v["CdcId"], "is-cdc-subnet": lambda v: str(v["IsCdcSubnet"]),
            "ipv6-cidr-block": lambda v: v["Ipv6CidrBlock"], "isp-type": lambda v: [],
            "address-type": lambda v: []}
    return describe(tx, req, region, "subnet", "SubnetIds", "SubnetSet", subnet_view, spec)


def modify_subnet(ctx: Context, tx: Tx, req: ModifySubnetAttributeRequest, region: str) -> dict:
    s = get(tx, "subnet", req.SubnetId, region)
    name = req.SubnetName
    violations(rules.check_name(name, "subnet name"))
    if name is not None:
        s["SubnetName"] = name
    if req.EnableBroadcast is not None:
        s["EnableBroadcast"] = req.EnableBroadcast
    tx.put("subnet", s["SubnetId"], s)
    return {}


def delete_subnet(ctx: Context, tx: Tx, req: DeleteSubnetRequest, region: str) -> dict:
    s = get(tx, "subnet", req.SubnetId, region)
    tx.delete("subnet", s["SubnetId"])
    return {}


def replace_association(ctx: Context, tx: Tx, req: ReplaceRouteTableAssociationRequest,
                        region: str) -> dict:
    s = get(tx, "subnet", req.SubnetId, region)
    rtb = get(tx, "rtb", req.RouteTableId, region)
    if rtb["VpcId"] != s["VpcId"]:
        raise ApiError("UnsupportedOperation.VpcMismatch",
                       f"Route table {rtb['RouteTableId']} belongs to VPC {rtb['VpcId']}, "
                       f"but subnet {s['SubnetId']} is in VPC {s['VpcId']}. Associate a "
                       "route table of the subnet's own VPC.")
    s["RouteTableId"] = rtb["RouteTableId"]
    tx.put("subnet", s["SubnetId"], s)
    return {}


ACTIONS = actions({
    CreateSubnetRequest: create_subnet,
    DescribeSubnetsRequest: describe_subnets,
    ModifySubnetAttributeRequest: modify_subnet,
    DeleteSubnetRequest: delete_subnet,
    ReplaceRouteTableAssociationRequest: replace_association,
})
