"""``tencentcloud_vpn_gateway_route``: a route on a VPN gateway; ID ``<vpngw-id>#<routeId>``."""

from __future__ import annotations

from engine import values as V
from engine.diagnostics import Diagnostics
from engine.schema import Block

from .. import rules
from ..client import CloudApiError
from .base import ID, TAGS, Context, ResourceType, changed, check, computed, known, num, required


ROUTES = "DescribeVpnGatewayRoutes"


def split_id(id: str) -> tuple[str, str] | None:
    gw, sep, route = id.partition("#")
    return (gw, route) if sep and gw and route else None


class VpnGatewayRoute(ResourceType):
    type_name = "tencentcloud_vpn_gateway_route"
    noun = "VPN gateway route"
    block = Block(attributes={
        "id": ID,
        "vpn_gateway_id": required(V.STRING, force_new=True),
        "destination_cidr_block": required(V.STRING, force_new=True),
        "instance_id": required(V.STRING, force_new=True),
        "instance_type": required(V.STRING, force_new=True),
        "priority": required(V.NUMBER, force_new=True),
        "status": required(V.STRING),
        # Routes carry no tags in the API: kept in state only, for configurations that set them.
        "tags": TAGS,
        "route_id": computed(V.STRING),
        "type": computed(V.STRING),
        "create_time": computed(V.STRING),
        "update_time": computed(V.STRING),
    })

    def validate(self, config: dict) -> Diagnostics:
        d = Diagnostics()
        check(d, rules.check_cidr(known(config.get("destination_cidr_block")), "The destination"),
              "Invalid CIDR block", ("destination_cidr_block",))
        check(d, rules.check_enum(known(config.get("instance_type")),
                                  rules.GATEWAY_ROUTE_INSTANCE_TYPES, "Instance type"),
              "Unsupported instance type", ("instance_type",))
        check(d, rules.check_enum(num(config.get("priority")), rules.GATEWAY_ROUTE_PRIORITIES,
                                  "Priority"), "Unsupported priority", ("priority",))
        check(d, rules.check_enum(known(config.get("status")), rules.GATEWAY_ROUTE_STATUSES,
                                  "Status"), "Unsupported status", ("status",))
        return d

    def unknown_after_update(self, changed: set[str]) -> set[str]:
        return {"update_time"} if "status" in changed else set()

    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        # Gateway routes take no tags: a route is found again by what it is (the gateway
        # refuses a second route with the same destination and next hop).
        gw = planned["vpn_gateway_id"]
        body = ctx.client.call("CreateVpnGatewayRoutes", VpnGatewayId=gw, Routes=[{
            "DestinationCidrBlock": planned["destination_cidr_block"],
            "InstanceType": planned["instance_type"], "InstanceId": planned["instance_id"],
            "Priority": num(planned.get("priority")), "Status": planned["status"]}])
        routes = body.get("Routes") or []
        if not routes:
            raise CloudApiError("ResourceNotFound", "CreateVpnGatewayRoutes returned no route.")
        id = f"{gw}#{routes[0]['RouteId']}"
        ctx.keep_fresh(ROUTES, id, routes[0])  # the read-back's answer
        return id

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        gw = planned["vpn_gateway_id"]
        for r in _routes(ctx, gw, planned["destination_cidr_block"]):
            if (r["DestinationCidrBlock"] == planned["destination_cidr_block"]
                    and r["InstanceId"] == planned["instance_id"]):
                return f"{gw}#{r['RouteId']}"
        return None

    def read_ahead(self, ctx: Context, priors: list[dict]) -> None:
        """Every route of a gateway that more than one of ``priors`` is on, page by page,
        instead of one call per route."""
        per_gateway: dict[str, int] = {}
        for p in priors:
            parts = split_id(p["id"]) if isinstance(p.get("id"), str) else None
            if parts is not None:
                per_gateway[parts[0]] = per_gateway.get(parts[0], 0) + 1
        for gw, count in sorted(per_gateway.items()):
            if count > 1 and (ROUTES, gw) not in ctx.known:
                ctx.known[(ROUTES, gw)] = _routes(ctx, gw)

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        parts = split_id(prior["id"])
        if parts is None:
            raise CloudApiError("InvalidParameterValue.Malformed",
                                f"{prior['id']!r} is not a VPN gateway route ID "
                                "(<vpngw-id>#<routeId>).")
        gw, rid = parts
        # the create's answer, else one destination's routes, not the gateway's every page
        # (an import knows no destination yet: then all of them)
        r = ctx.take_fresh(ROUTES, prior["id"]) or next(
            (r for r in _routes(ctx, gw, prior.get("destination_cidr_block"))
             if r["RouteId"] == rid), None)
        if r is None:
            return None
        return {
            "id": prior["id"], "vpn_gateway_id": gw,
            "destination_cidr_block": r["DestinationCidrBlock"], "instance_id": r["InstanceId"],
            "instance_type": r["InstanceType"], "priority": r["Priority"], "status": r["Status"],
            "route_id": r["RouteId"], "type": r.get("Type", ""),
            "create_time": r.get("CreateTime", ""), "update_time": r.get("UpdateTime", ""),
            "tags": prior.get("tags"),
        }

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        if changed(prior, planned, "status"):
            gw, rid = split_id(prior["id"]) or ("", "")
            ctx.client.call("ModifyVpnGatewayRoutes",
                            VpnGatewayId=gw, Routes=[{"RouteId": rid, "Status": planned["status"]}])

    def delete_object(self, ctx: Context, prior: dict) -> None:
        parts = split_id(prior["id"])
        if parts is None:
            return
        gw, rid = parts
        try:
            ctx.client.call("DeleteVpnGatewayRoutes", VpnGatewayId=gw, RouteIds=[rid])
        except CloudApiError as e:
            if not e.is_not_found:
                raise


def _routes(ctx: Context, gw: str, destination: str | None = None) -> list[dict]:
    """The routes of VPN gateway ``gw`` (to ``destination`` only, when given; none when the
    gateway is gone)."""
    if (ROUTES, gw) in ctx.known:  # every route of the gateway, read ahead
        return [r for r in ctx.known[(ROUTES, gw)]
                if not (isinstance(destination, str) and destination)
                or r.get("DestinationCidrBlock") == destination]
    filters = ([{"Name": "DestinationCidr", "Values": [destination]}]
               if isinstance(destination, str) and destination else None)
    try:
        return ctx.client.describe_all(ROUTES, "Routes", VpnGatewayId=gw,
                                       Filters=filters)
    except CloudApiError as e:
        if e.is_not_found:
            return []
        raise


RESOURCE = VpnGatewayRoute()
