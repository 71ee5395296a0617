"""A VPN gateway's own routes (destination to tunnel)."""

from __future__ import annotations

from pydantic import field_validator

from ... import rules
from ..store import Tx
from .common import ApiError, Context, describe, get, new_id, public, violations
from .request import DescribeRequest, Int, Part, Request, Str, actions, value_error


class GatewayRoute(Part):
    DestinationCidrBlock: Str
    InstanceType: Str
    InstanceId: Str
    Priority: Int
    Status: Str
    Description: Str = ""


class GatewayRouteChange(Part):
    RouteId: Str
    Status: Str | None = None
    Description: Str | None = None


class CreateVpnGatewayRoutesRequest(Request):
    VpnGatewayId: Str
    Routes: list[GatewayRoute]

    @field_validator("Routes")
    @classmethod
    def _not_empty(cls, routes: list[GatewayRoute]) -> list[GatewayRoute]:
        if not routes:
            raise value_error("InvalidParameterValue.Empty", "`Routes` must not be empty.")
        return routes


class DescribeVpnGatewayRoutesRequest(DescribeRequest):
    VpnGatewayId: Str


class ModifyVpnGatewayRoutesRequest(Request):
    VpnGatewayId: Str
    Routes: list[GatewayRouteChange]


class DeleteVpnGatewayRoutesRequest(Request):
    VpnGatewayId: Str
    RouteIds: list[Str]


def create_gw_routes(ctx: Context, tx: Tx, req: CreateVpnGatewayRoutesRequest,
                     region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    gid = gw["VpnGatewayId"]
    existing = tx.list_by("vpnr", "_gateway", gid, region)
    taken = {(r["DestinationCidrBlock"], r["InstanceId"]) for r in existing}
    created = []
    for r in req.Routes:
        dest, itype, iid = r.DestinationCidrBlock, r.InstanceType, r.InstanceId
        violations(rules.check_cidr(dest, "The destination")
                   + rules.check_enum(itype, rules.GATEWAY_ROUTE_INSTANCE_TYPES, "Instance type")
                   + rules.check_enum(r.Priority, rules.GATEWAY_ROUTE_PRIORITIES, "Priority")
                   + rules.check_enum(r.Status, rules.GATEWAY_ROUTE_STATUSES, "Status"))
        if itype == "VPNCONN":
            conn = tx.get("vpnx", iid, region)
            if conn is None or conn["VpnGatewayId"] != gid:
                raise ApiError("InvalidParameterValue",
                               f"{iid} is not a VPN connection of VPN gateway {gid}.")
        if (dest, iid) in taken:
            raise ApiError("InvalidParameterValue.VpnGatewayRouteDuplicate",
                           f"VPN gateway {gid} already routes {dest} to {iid}.")
        taken.add((dest, iid))
        now = ctx.now()
        route = {"DestinationCidrBlock": dest, "InstanceType": itype, "InstanceId": iid,
                 "Priority": r.Priority, "Status": r.Status, "RouteId": new_id(tx, "vpnr"),
                 "Type": "Static", "CreateTime": now, "UpdateTime": now,
                 "Description": r.Description, "_gateway": gid}
        tx.insert("vpnr", route["RouteId"], region, route)
        created.append(public(route))
    return {"Routes": created}


def describe_gw_routes(ctx: Context, tx: Tx, req: DescribeVpnGatewayRoutesRequest,
                       region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    # A destination filter (exact, as every filter here) narrows in the store: a refresh
    # reads one route of a gateway of many without decoding the others.
    dest = next((f.Values for f in req.Filters if f.Name == "DestinationCidr"), None)
    objs = tx.list_by("vpnr", "_gateway", gw["VpnGatewayId"], region,
                      narrow=("DestinationCidrBlock", [str(v) for v in dest])
                      if dest else None)
    spec = {"DestinationCidr": lambda v: v["DestinationCidrBlock"],
            "InstanceId": lambda v: v["InstanceId"],
            "InstanceType": lambda v: v["InstanceType"]}
    out = describe(tx, req, region, "vpnr", None, "Routes", public, spec, objects=objs)
    return {"Routes": out["Routes"], "TotalCount": out["TotalCount"]}


def _gw_route(tx: Tx, gid: str, rid: str, region: str) -> dict:
    r = tx.get("vpnr", rid, region)
    if r is None or r["_gateway"] != gid:
        raise ApiError("ResourceNotFound", f"VPN gateway {gid} has no route {rid}.")
    return r


def modify_gw_routes(ctx: Context, tx: Tx, req: ModifyVpnGatewayRoutesRequest,
                     region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    out = []
    for m in req.Routes:
        r = _gw_route(tx, gw["VpnGatewayId"], m.RouteId, region)
        violations(rules.check_enum(m.Status, rules.GATEWAY_ROUTE_STATUSES, "Status"))
        if m.Status is not None:
            r["Status"] = m.Status
        if m.Description is not None:
            r["Description"] = m.Description
        r["UpdateTime"] = ctx.now()
        tx.put("vpnr", r["RouteId"], r)
        out.append(public(r))
    return {"Routes": out}


def delete_gw_routes(ctx: Context, tx: Tx, req: DeleteVpnGatewayRoutesRequest,
                     region: str) -> dict:
    gw = get(tx, "vpngw", req.VpnGatewayId, region)
    for rid in req.RouteIds:
        _gw_route(tx, gw["VpnGatewayId"], rid, region)
        tx.delete("vpnr", rid)
    return {}


ACTIONS = actions({
    CreateVpnGatewayRoutesRequest: create_gw_routes,
    DescribeVpnGatewayRoutesRequest: describe_gw_routes,
    ModifyVpnGatewayRoutesRequest: modify_gw_routes,
    DeleteVpnGatewayRoutesRequest: delete_gw_routes,
})
