"""VPC data sources: ``tencentcloud_vpc_instances``, ``tencentcloud_vpc_subnets`` and
``tencentcloud_vpc_route_tables``."""

from __future__ import annotations

from engine import values as V
from engine.schema import Block

from ..resources.base import Context, computed, optional
from .base import DataSource, filters, id_from, tag_map

S, N, B = V.STRING, V.NUMBER, V.BOOL
TAGS = V.MapType(V.STRING)


def _subnet_ids_by_vpc(ctx: Context, vpc_ids: list[str]) -> dict[str, list[str]]:
    """Subnet IDs per VPC, in one paged DescribeSubnets."""
    out: dict[str, list[str]] = {v: [] for v in vpc_ids}
    if not vpc_ids:
        return out
    # Filter values are at most 5 per filter: ask per chunk of VPCs.
    for i in range(0, len(vpc_ids), 5):
        chunk = vpc_ids[i:i + 5]
        for s in ctx.client.describe_all("DescribeSubnets", "SubnetSet",
                                         Filters=[{"Name": "vpc-id", "Values": chunk}]):
            out.setdefault(s["VpcId"], []).append(s["SubnetId"])
    return out


# --- tencentcloud_vpc_instances --------------------------------------------------------------

def _vpcs(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.describe_all("DescribeVpcs", "VpcSet", Filters=filters(
        config, {"vpc_id": "vpc-id", "name": "vpc-name", "is_default": "is-default",
                 "tag_key": "tag-key", "cidr_block": "cidr-block"}, booleans=("is_default",)))
    subnets = _subnet_ids_by_vpc(ctx, [v["VpcId"] for v in items])
    return [{"vpc_id": v["VpcId"], "name": v["VpcName"], "cidr_block": v["CidrBlock"],
             "common_assistant_cidr": [c["CidrBlock"] for c in v.get("AssistantCidrSet") or []
                                       if c.get("AssistantType", 0) == 0],
             "container_assistant_cidr": [c["CidrBlock"]
                                          for c in v.get("AssistantCidrSet") or []
                                          if c.get("AssistantType", 0) == 1],
             "is_default": bool(v.get("IsDefault")),
             "is_multicast": bool(v.get("EnableMulticast")),
             "dns_servers": list(v.get("DnsServerSet") or []),
             "subnet_ids": subnets.get(v["VpcId"], []),
             "create_time": v.get("CreatedTime", ""), "tags": tag_map(v.get("TagSet"))}
            for v in items]


VPC_INSTANCES = DataSource(
    "tencentcloud_vpc_instances",
    {"vpc_id": optional(S, description="ID of the VPC."),
     "name": optional(S, description="Name of the VPC (matches names containing it)."),
     "is_default": optional(B, description="Only the default VPC, or only the others."),
     "tag_key": optional(S, description="Only VPCs having a tag with this key."),
     "cidr_block": optional(S, description="Only VPCs with this CIDR block."),
     "tags": optional(TAGS, description="Only VPCs with all these tags.")},
    "instance_list",
    Block(attributes={n: computed(t) for n, t in {
        "vpc_id": S, "name": S, "cidr_block": S, "common_assistant_cidr": V.ListType(S),
        "container_assistant_cidr": V.ListType(S), "is_default": B, "is_multicast": B,
        "dns_servers": V.ListType(S), "subnet_ids": V.ListType(S), "create_time": S,
        "tags": TAGS}.items()}),
    _vpcs, id_of=id_from("vpc_id"), description="The VPCs found.")


# --- tencentcloud_vpc_subnets ----------------------------------------------------------------

def _subnets(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.describe_all("DescribeSubnets", "SubnetSet", Filters=filters(
        config, {"vpc_id": "vpc-id", "subnet_id": "subnet-id", "name": "subnet-name",
                 "availability_zone": "zone", "is_default": "is-default",
                 "tag_key": "tag-key", "cidr_block": "cidr-block", "cdc_id": "cdc-id",
                 "is_remote_vpc_snat": "is-remote-vpc-snat"},
        booleans=("is_default", "is_remote_vpc_snat")))
    return [{"subnet_id": s["SubnetId"], "vpc_id": s["VpcId"], "name": s["SubnetName"],
             "cidr_block": s["CidrBlock"], "availability_zone": s.get("Zone", ""),
             "is_default": bool(s.get("IsDefault")),
             "is_multicast": bool(s.get("EnableBroadcast")),
             "route_table_id": s.get("RouteTableId", ""),
             "available_ip_count": s.get("AvailableIpAddressCount", 0),
             "cdc_id": s.get("CdcId", ""), "create_time": s.get("CreatedTime", ""),
             "tags": tag_map(s.get("TagSet"))} for s in items]


VPC_SUBNETS = DataSource(
    "tencentcloud_vpc_subnets",
    {"vpc_id": optional(S, description="ID of the VPC."),
     "subnet_id": optional(S, description="ID of the subnet."),
     "name": optional(S, description="Name of the subnet."),
     "availability_zone": optional(S, description="Zone of the subnet."),
     "is_default": optional(B, description="Only default subnets, or only the others."),
     "tag_key": optional(S, description="Only subnets having a tag with this key."),
     "cidr_block": optional(S, description="Only subnets with this CIDR block."),
     "cdc_id": optional(S, description="Only subnets of this CDC."),
     "is_remote_vpc_snat": optional(B, description="Only SNAT subnets, or only the others."),
     "tags": optional(TAGS, description="Only subnets with all these tags.")},
    "instance_list",
    Block(attributes={n: computed(t) for n, t in {
        "subnet_id": S, "vpc_id": S, "name": S, "cidr_block": S, "availability_zone": S,
        "is_default": B, "is_multicast": B, "route_table_id": S, "available_ip_count": N,
        "cdc_id": S, "create_time": S, "tags": TAGS}.items()}),
    _subnets, id_from("subnet_id"), description="The subnets found.")


# --- tencentcloud_vpc_route_tables -----------------------------------------------------------

ROUTE_ENTRY = V.ObjectType({"route_entry_id": N, "description": S, "destination_cidr_block": S,
                            "next_type": S, "next_hub": S, "route_item_id": S})


def _route_tables(ctx: Context, config: dict) -> list[dict]:
    items = ctx.client.describe_all("DescribeRouteTables", "RouteTableSet", Filters=filters(
        config, {"route_table_id": "route-table-id", "name": "route-table-name",
                 "tag_key": "tag-key", "vpc_id": "vpc-id",
                 "association_main": "association.main"}, booleans=("association_main",)))
    return [{"route_table_id": t["RouteTableId"], "name": t["RouteTableName"],
             "vpc_id": t["VpcId"],
             "subnet_ids": [a["SubnetId"] for a in t.get("AssociationSet") or []],
             "is_default": bool(t.get("Main")), "create_time": t.get("CreatedTime", ""),
             "tags": tag_map(t.get("TagSet")),
             "route_entry_infos": [
                 {"route_entry_id": r["RouteId"], "description": r.get("RouteDescription", ""),
                  "destination_cidr_block": r["DestinationCidrBlock"],
                  "next_type": r["GatewayType"], "next_hub": r["GatewayId"],
                  "route_item_id": r.get("RouteItemId", "")}
                 for r in t.get("RouteSet") or []]}
            for t in items]


VPC_ROUTE_TABLES = DataSource(
    "tencentcloud_vpc_route_tables",
    {"route_table_id": optional(S, description="ID of the route table."),
     "name": optional(S, description="Name of the route table."),
     "tag_key": optional(S, description="Only route tables having a tag with this key."),
     "vpc_id": optional(S, description="ID of the VPC."),
     "association_main": optional(B, description="Only main route tables, or only the "
                                  "others."),
     "tags": optional(TAGS, description="Only route tables with all these tags.")},
    "instance_list",
    Block(attributes={n: computed(t) for n, t in {
        "route_table_id": S, "name": S, "vpc_id": S, "subnet_ids": V.ListType(S),
        "is_default": B, "create_time": S, "tags": TAGS,
        "route_entry_infos": V.ListType(ROUTE_ENTRY)}.items()}),
    _route_tables, id_from("route_table_id"), description="The route tables found.")


ALL = [VPC_INSTANCES, VPC_SUBNETS, VPC_ROUTE_TABLES]
