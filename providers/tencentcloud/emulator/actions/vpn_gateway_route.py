"""A VPN gateway's own routes (destination to tunnel)."""

from __future__ import annotations


from ... import rules
from ..store import Tx
from .common import (
    ApiError,
    Context,
    _int,
    _obj_list,
    _str,
    _str_list,
    describe,
    get,
    new_id,
    public,
    violations,
)



def create_gw_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    gid = gw["VpnGatewayId"]
    routes = _obj_list(p, "Routes", required=True)
    if not routes:
        raise ApiError("InvalidParameterValue.Empty", "`Routes` must not be empty.")
    existing = tx.list_by("vpnr", "_gateway", gid, region)
    taken = {(r["DestinationCidrBlock"], r["InstanceId"]) for r in existing}
    created = []
    for r in routes:
        dest = _str(r, "DestinationCidrBlock", required=True)
        itype = _str(r, "InstanceType", required=True)
        iid = _str(r, "InstanceId", required=True)
        prio = _int(r, "Priority", required=True)
        status = _str(r, "Status", required=True)
        violations(rules.check_cidr(dest, "The destination")
                    + rules.check_enum(itype, rules.GATEWAY_ROUTE_INSTANCE_TYPES,
                                       "Instance type")
                    + rules.check_enum(prio, rules.GATEWAY_ROUTE_PRIORITIES, "Priority")
                    + rules.check_enum(status, rules.GATEWAY_ROUTE_STATUSES, "Status"))
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
                 "Priority": prio, "Status": status, "RouteId": new_id(tx, "vpnr"),
                 "Type": "Static", "CreateTime": now, "UpdateTime": now,
                 "Description": _str(r, "Description", default=""), "_gateway": gid}
        tx.insert("vpnr", route["RouteId"], region, route)
        created.append(public(route))
    return {"Routes": created}


def describe_gw_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    objs = tx.list_by("vpnr", "_gateway", gw["VpnGatewayId"], region)
    spec = {"DestinationCidr": lambda v: v["DestinationCidrBlock"],
            "InstanceId": lambda v: v["InstanceId"],
            "InstanceType": lambda v: v["InstanceType"]}
    out = describe(tx, p, region, "vpnr", None, "Routes", public, spec, objects=objs)
    return {"Routes": out["Routes"], "TotalCount": out["TotalCount"]}


def gw_route(ctx: Context, tx: Tx, gid: str, rid: str, region: str) -> dict:
    r = tx.get("vpnr", rid, region)
    if r is None or r["_gateway"] != gid:
        raise ApiError("ResourceNotFound", f"VPN gateway {gid} has no route {rid}.")
    return r


def modify_gw_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    out = []
    for m in _obj_list(p, "Routes", required=True):
        r = gw_route(ctx, tx, gw["VpnGatewayId"], _str(m, "RouteId", required=True), region)
        status = _str(m, "Status")
        violations(rules.check_enum(status, rules.GATEWAY_ROUTE_STATUSES, "Status"))
        if status is not None:
            r["Status"] = status
        if m.get("Description") is not None:
            r["Description"] = _str(m, "Description")
        r["UpdateTime"] = ctx.now()
        tx.put("vpnr", r["RouteId"], r)
        out.append(public(r))
    return {"Routes": out}


def delete_gw_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    gw = get(tx, "vpngw", _str(p, "VpnGatewayId", required=True), region)
    for rid in _str_list(p, "RouteIds", required=True):
        gw_route(ctx, tx, gw["VpnGatewayId"], rid, region)
        tx.delete("vpnr", rid)
    return {}


ACTIONS = {
    "CreateVpnGatewayRoutes": (create_gw_routes, ("VpnGatewayId", "Routes")),
    "DescribeVpnGatewayRoutes": (describe_gw_routes, ("VpnGatewayId", "Filters", "Offset", "Limit")),
    "ModifyVpnGatewayRoutes": (modify_gw_routes, ("VpnGatewayId", "Routes")),
    "DeleteVpnGatewayRoutes": (delete_gw_routes, ("VpnGatewayId", "RouteIds")),
}
