"""``tencentcloud_route_table_entry``: one route; ID ``<routeEntryId>.<rtb-id>``."""

from __future__ import annotations

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import Block

from .. import rules
from ..client import CloudApiError
from .base import (
    ID,
    TAGS,
    Context,
    ResourceType,
    changed,
    check,
    computed,
    describe_one,
    keep_null,
    known,
    optional,
    required,
)


def split_id(id: str) -> tuple[int, str] | None:
    entry, _, rtb = id.partition(".")
    if not entry.isdigit() or not rtb:
        return None
    return int(entry), rtb


class RouteTableEntry(ResourceType):
    type_name = "tencentcloud_route_table_entry"
    noun = "route table entry"
    block = Block(attributes={
        "id": ID,
        "route_table_id": required(V.STRING, force_new=True),
        "destination_cidr_block": required(V.STRING, force_new=True),
        "next_type": required(V.STRING, force_new=True),
        "next_hub": required(V.STRING, force_new=True),
        "disabled": optional(V.BOOL, computed=True),
        "description": optional(V.STRING, force_new=True),
        # Routes carry no tags in the API: kept in state only, for configurations that set them.
        "tags": TAGS,
        "route_item_id": computed(V.STRING),
        "route_entry_id": computed(V.NUMBER),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        check(d, rules.check_cidr(known(config.get("destination_cidr_block")), "The destination"),
              "Invalid CIDR block", ("destination_cidr_block",))
        next_type = known(config.get("next_type"))
        check(d, rules.check_enum(next_type, rules.ROUTE_NEXT_TYPES, "Next hop type"),
              "Unsupported next hop type", ("next_type",))
        hub = known(config.get("next_hub"))
        if next_type == "EIP" and hub is not None and hub != "0":
            d.error("Invalid next hop", f'An EIP route takes next_hub = "0", not {hub!r}. '
                    'Set next_hub = "0".',
                    path=("next_hub",))
        if next_type == "VPN" and isinstance(hub, str) and not hub.startswith("vpngw-"):
            d.error("Invalid next hop", f"A VPN route's next_hub is a VPN gateway ID "
                    f"(vpngw-...), not {hub!r}. Refer to tencentcloud_vpn_gateway.<name>.id.",
                    path=("next_hub",))
        return d

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        # Routes take no tags: a route is found again by its destination, which the route
        # table holds at most once.
        rtb = planned["route_table_id"]
        body = ctx.client.call("CreateRoutes", RouteTableId=rtb, Routes=[{
            "DestinationCidrBlock": planned["destination_cidr_block"],
            "GatewayType": planned["next_type"], "GatewayId": planned["next_hub"],
            "RouteDescription": known(planned.get("description")) or None}])
        tables = body.get("RouteTableSet") or []
        found = _route_in(tables, planned)
        if found is None:
            raise CloudApiError("ResourceNotFound", "CreateRoutes did not return the new route.")
        if not known(planned.get("disabled")):  # (disabling it next changes the table)
            for t in tables:  # the read-back's answer
                ctx.keep_fresh("DescribeRouteTables", t["RouteTableId"], t)
        return found

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        table = describe_one(ctx, "DescribeRouteTables", "RouteTableIds", "RouteTableSet",
                             planned["route_table_id"])
        return _route_in([table] if table else [], planned)

    def after_create(self, ctx: Context, id: str, planned: dict) -> None:
        if known(planned.get("disabled")):
            entry, rtb = split_id(id) or (0, "")
            ctx.client.call("DisableRoutes", RouteTableId=rtb, RouteIds=[entry])

    def read_ahead(self, ctx: Context, priors: list[dict]) -> None:
        """The route tables the entries are in, each once."""
        parts = [split_id(p["id"]) for p in priors if isinstance(p.get("id"), str)]
        ctx.describe_many("DescribeRouteTables", "RouteTableIds", "RouteTableSet",
                          "RouteTableId", (rtb for _, rtb in filter(None, parts)))

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        parts = split_id(prior["id"])
        if parts is None:
            raise CloudApiError("InvalidParameterValue.Malformed",
                                f"{prior['id']!r} is not a route table entry ID "
                                "(<routeEntryId>.<rtb-id>).")
        entry, rtb = parts
        table = describe_one(ctx, "DescribeRouteTables", "RouteTableIds", "RouteTableSet", rtb)
        route = next((r for r in (table or {}).get("RouteSet") or [] if r["RouteId"] == entry),
                     None)
        if route is None:
            return None
        return {
            "id": prior["id"], "route_table_id": rtb,
            "destination_cidr_block": route["DestinationCidrBlock"],
            "next_type": route["GatewayType"], "next_hub": route["GatewayId"],
            "disabled": not route.get("Enabled", True),
            "description": keep_null(prior.get("description"), route.get("RouteDescription")),
            "route_item_id": route.get("RouteItemId", ""), "route_entry_id": route["RouteId"],
            "tags": prior.get("tags"),
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "disabled") and known(planned.get("disabled")) is not None:
            entry, rtb = split_id(prior["id"]) or (0, "")
            action = "DisableRoutes" if planned["disabled"] else "EnableRoutes"
            ctx.client.call(action, RouteTableId=rtb, RouteIds=[entry])

    def delete_object(self, ctx: Context, prior: dict) -> None:
        parts = split_id(prior["id"])
        if parts is None:
            return
        entry, rtb = parts
        try:
            ctx.client.call("DeleteRoutes", RouteTableId=rtb, Routes=[{"RouteId": entry}])
        except CloudApiError as e:
            if not e.is_not_found:
                raise


def _route_in(tables: list[dict], planned: dict) -> str | None:
    """The ID of the route ``planned`` describes, among the route tables ``tables``."""
    for table in tables:
        for r in table.get("RouteSet") or []:
            if (r["DestinationCidrBlock"] == planned["destination_cidr_block"]
                    and r["GatewayId"] == planned["next_hub"]):
                return f"{r['RouteId']}.{table['RouteTableId']}"
    return None


RESOURCE = RouteTableEntry()
