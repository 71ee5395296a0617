"""``tencentcloud_subnet``: a subnet and its route table association."""

from __future__ import annotations

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import Block

from .. import rules
from .base import (
    Context,
    ID,
    ResourceType,
    TAGS,
    changed,
    check,
    computed,
    describe_one,
    find_by_token,
    keep_null,
    known,
    name_check,
    optional,
    required,
    tags_from_api,
    tags_to_api,
    token_filter,
    update_tags,
)


class Subnet(ResourceType):
    type_name = "tencentcloud_subnet"
    noun = "subnet"
    describe_by_id = ("DescribeSubnets", "SubnetIds", "SubnetSet", "SubnetId")
    block = Block(attributes={
        "id": ID,
        "vpc_id": required(V.STRING, force_new=True),
        "availability_zone": required(V.STRING, force_new=True),
        "name": required(V.STRING),
        "cidr_block": required(V.STRING, force_new=True),
        "is_multicast": optional(V.BOOL, computed=True),
        "cdc_id": optional(V.STRING, force_new=True),
        "route_table_id": optional(V.STRING, computed=True),
        "tags": TAGS,
        "is_default": computed(V.BOOL),
        "available_ip_count": computed(V.NUMBER),
        "create_time": computed(V.STRING),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name_check(d, config, "subnet name")
        check(d, rules.check_cidr(known(config.get("cidr_block")), "The subnet CIDR block"),
              "Invalid CIDR block", ("cidr_block",))
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        body = ctx.client.call("CreateSubnet", VpcId=planned["vpc_id"],
                               SubnetName=planned["name"], CidrBlock=planned["cidr_block"],
                               Zone=planned["availability_zone"],
                               CdcId=known(planned.get("cdc_id")),
                               Tags=tags_to_api(known(planned.get("tags")), token))
        return body["Subnet"]["SubnetId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        return find_by_token(ctx, "DescribeSubnets", "SubnetSet", "SubnetId", token,
                             token_filter(token))

    def after_create(self, ctx: Context, id: str, planned: dict) -> None:
        if known(planned.get("is_multicast")):
            ctx.client.call("ModifySubnetAttribute", SubnetId=id, EnableBroadcast="true")
        rtb = known(planned.get("route_table_id"))
        if rtb:
            ctx.client.call("ReplaceRouteTableAssociation", SubnetId=id, RouteTableId=rtb)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        s = describe_one(ctx, "DescribeSubnets", "SubnetIds", "SubnetSet", prior["id"])
        if s is None:
            return None
        return {
            "id": s["SubnetId"], "vpc_id": s["VpcId"], "availability_zone": s["Zone"],
            "name": s["SubnetName"], "cidr_block": s["CidrBlock"],
            "is_multicast": bool(s.get("EnableBroadcast")),
            "cdc_id": keep_null(prior.get("cdc_id"), s.get("CdcId")),
            "route_table_id": s.get("RouteTableId", ""),
            "tags": tags_from_api(s.get("TagSet"), prior.get("tags")),
            "is_default": bool(s.get("IsDefault")),
            "available_ip_count": s.get("AvailableIpAddressCount", 0),
            "create_time": s.get("CreatedTime", ""),
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "name", "is_multicast"):
            multicast = known(planned.get("is_multicast"))
            broadcast = None if multicast is None else str(bool(multicast)).lower()
            ctx.client.call("ModifySubnetAttribute", SubnetId=prior["id"],
                            SubnetName=planned["name"], EnableBroadcast=broadcast)
        rtb = known(planned.get("route_table_id"))
        if rtb and changed(prior, planned, "route_table_id"):
            ctx.client.call("ReplaceRouteTableAssociation", SubnetId=prior["id"], RouteTableId=rtb)
        update_tags(ctx, "subnet", prior["id"], prior.get("tags"), known(planned.get("tags")))

    def delete_object(self, ctx: Context, prior: dict) -> None:
        ctx.client.call("DeleteSubnet", SubnetId=prior["id"])
        self.wait_gone(ctx, f"subnet {prior['id']}", lambda: describe_one(
            ctx, "DescribeSubnets", "SubnetIds", "SubnetSet", prior["id"]))


RESOURCE = Subnet()
