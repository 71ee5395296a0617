"""``tencentcloud_vpc``: a VPC (CreateVpc / DescribeVpcs / ModifyVpcAttribute / DeleteVpc)."""

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
    known,
    name_check,
    optional,
    required,
    tags_from_api,
    tags_to_api,
    token_filter,
    update_tags,
)


class Vpc(ResourceType):
    type_name = "tencentcloud_vpc"
    noun = "VPC"
    describe_by_id = ("DescribeVpcs", "VpcIds", "VpcSet", "VpcId")
    block = Block(attributes={
        "id": ID,
        "name": required(V.STRING),
        "cidr_block": required(V.STRING, force_new=True),
        "dns_servers": optional(V.SetType(V.STRING), computed=True),
        "is_multicast": optional(V.BOOL, computed=True),
        "assistant_cidrs": optional(V.SetType(V.STRING), computed=True),
        "enable_route_vpc_publish": optional(V.BOOL, computed=True),
        "enable_route_vpc_publish_ipv6": optional(V.BOOL, computed=True),
        "tags": TAGS,
        "docker_assistant_cidrs": computed(V.ListType(V.STRING)),
        "is_default": computed(V.BOOL),
        "create_time": computed(V.STRING),
        "default_route_table_id": computed(V.STRING),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        name_check(d, config, "VPC name")
        check(d, rules.check_vpc_cidr(known(config.get("cidr_block"))), "Invalid CIDR block",
              ("cidr_block",))
        dns = known(config.get("dns_servers"))
        if isinstance(dns, list) and not 1 <= len(dns) <= 4:
            d.error("Invalid DNS servers", f"A VPC takes 1 to 4 DNS servers, not {len(dns)}. "
                    "List at most four addresses.", path=("dns_servers",))
        assistant = known(config.get("assistant_cidrs"))
        if assistant:
            d.error("Unsupported argument", "Assistant CIDRs are not supported by the emulated "
                    "cloud yet. Remove assistant_cidrs.", path=("assistant_cidrs",))
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        multicast = known(planned.get("is_multicast"))
        body = ctx.client.call(
            "CreateVpc", VpcName=planned["name"], CidrBlock=planned["cidr_block"],
            DnsServers=known(planned.get("dns_servers")) or None,
            EnableMulticast=None if multicast is None else str(bool(multicast)).lower(),
            EnableRouteVpcPublish=known(planned.get("enable_route_vpc_publish")),
            Tags=tags_to_api(known(planned.get("tags")), token))
        vpc = body["Vpc"]
        ctx.keep_fresh("DescribeVpcs", vpc["VpcId"], vpc)  # the read-back's answer
        return vpc["VpcId"]

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        return find_by_token(ctx, "DescribeVpcs", "VpcSet", "VpcId", token, token_filter(token))

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        vpc = describe_one(ctx, "DescribeVpcs", "VpcIds", "VpcSet", prior["id"])
        if vpc is None:
            return None
        main = ctx.client.call("DescribeRouteTables", Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "association.main", "Values": ["TRUE"]}]).get("RouteTableSet") or []
        return {
            "id": vpc["VpcId"], "name": vpc["VpcName"], "cidr_block": vpc["CidrBlock"],
            "dns_servers": list(vpc.get("DnsServerSet") or []),
            "is_multicast": bool(vpc.get("EnableMulticast")),
            "assistant_cidrs": [c["CidrBlock"] for c in vpc.get("AssistantCidrSet") or []
                                if c.get("AssistantType", 0) == 0],
            "enable_route_vpc_publish": bool(vpc.get("EnableRouteVpcPublish")),
            "enable_route_vpc_publish_ipv6": bool(vpc.get("EnableRouteVpcPublishIpv6")),
            "tags": tags_from_api(vpc.get("TagSet"), prior.get("tags")),
            "docker_assistant_cidrs": [],
            "is_default": bool(vpc.get("IsDefault")),
            "create_time": vpc.get("CreatedTime", ""),
            "default_route_table_id": main[0]["RouteTableId"] if main else "",
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "name", "is_multicast", "dns_servers"):
            multicast = known(planned.get("is_multicast"))
            ctx.client.call(
                "ModifyVpcAttribute", VpcId=prior["id"], VpcName=planned["name"],
                EnableMulticast=None if multicast is None else str(bool(multicast)).lower(),
                DnsServers=known(planned.get("dns_servers")) or None)
        update_tags(ctx, "vpc", prior["id"], prior.get("tags"), known(planned.get("tags")))

    def delete_object(self, ctx: Context, prior: dict) -> None:
        ctx.client.call("DeleteVpc", VpcId=prior["id"])
        self.wait_gone(ctx, f"VPC {prior['id']}",
                       lambda: describe_one(ctx, "DescribeVpcs", "VpcIds", "VpcSet", prior["id"]))


RESOURCE = Vpc()
