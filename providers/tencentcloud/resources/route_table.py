"""``tencentcloud_route_table``: a custom route table of a VPC."""

from __future__ import annotations

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import Block

from .base import (
    Context,
    ID,
    ResourceType,
    TAGS,
    changed,
    computed,
    describe_one,
    find_by_token,
    known,
    name_check,
    required,
    tags_from_api,
    tags_to_api,
    token_filter,
    update_tags,
)


class RouteTable(ResourceType):
    type_name = "tencentcloud_route_table"
    noun = "route table"
    describe_by_id = ("DescribeRouteTables", "RouteTableIds", "RouteTableSet",
                      "RouteTableId")
    block = Block(attributes={
        "id": ID,
        "vpc_id": required(V.STRING, force_new=True),
        "name": required(V.STRING),
        "tags": TAGS,
        "subnet_ids": computed(V.ListType(V.STRING)),
        "route_entry_ids": computed(V.ListType(V.NUMBER)),
        "is_default": computed(V.BOOL),
        "create_time": computed(V.STRING),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name_check(d, config, "route table name")
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        body = ctx.client.call("CreateRouteTable", VpcId=planned["vpc_id"],
                               RouteTableName=planned["name"],
                               Tags=tags_to_api(known(planned.get("tags")), token))
        t = body["RouteTable"]
        ctx.keep_fresh("DescribeRouteTables", t["RouteTableId"], t)  # the read-back's answer
        return t["RouteTableId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        return find_by_token(ctx, "DescribeRouteTables", "RouteTableSet", "RouteTableId",
                             token, token_filter(token))

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        t = describe_one(ctx, "DescribeRouteTables", "RouteTableIds", "RouteTableSet", prior["id"])
        if t is None:
            return None
        return {
            "id": t["RouteTableId"], "vpc_id": t["VpcId"], "name": t["RouteTableName"],
            "tags": tags_from_api(t.get("TagSet"), prior.get("tags")),
            "subnet_ids": [a["SubnetId"] for a in t.get("AssociationSet") or []],
            "route_entry_ids": [r["RouteId"] for r in t.get("RouteSet") or []
                                if r.get("RouteType", "USER") == "USER"],
            "is_default": bool(t.get("Main")),
            "create_time": t.get("CreatedTime", ""),
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "name"):
            ctx.client.call("ModifyRouteTableAttribute", RouteTableId=prior["id"],
                            RouteTableName=planned["name"])
        update_tags(ctx, "rtb", prior["id"], prior.get("tags"), known(planned.get("tags")))

    def delete_object(self, ctx: Context, prior: dict) -> None:
        ctx.client.call("DeleteRouteTable", RouteTableId=prior["id"])
        self.wait_gone(ctx, f"route table {prior['id']}", lambda: describe_one(
            ctx, "DescribeRouteTables", "RouteTableIds", "RouteTableSet", prior["id"]))


RESOURCE = RouteTable()
