"""Route tables and their route entries."""

from __future__ import annotations

from typing import Callable

from ... import rules
from ..store import Tx
from .common import (
    ApiError,
    Context,
    _int,
    _obj_list,
    _str,
    _str_list,
    _tags,
    bool_str,
    describe,
    get,
    missing,
    new_id,
    public,
    rand8,
    violations,
)



def rtb_view(ctx: Context, tx: Tx) -> Callable[[dict], dict]:
    def view(r: dict) -> dict:
        v = public(r)
        v["AssociationSet"] = [{"SubnetId": s["SubnetId"], "RouteTableId": r["RouteTableId"]}
                               for s in tx.list_by("subnet", "RouteTableId",
                                                   r["RouteTableId"])]
        return v
    return view


def create_route_table(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    vpc = get(tx, "vpc", _str(p, "VpcId", required=True), region)
    name = _str(p, "RouteTableName", required=True)
    violations(rules.check_name(name, "route table name"))
    rid = new_id(tx, "rtb")
    rtb = {"VpcId": vpc["VpcId"], "RouteTableId": rid, "RouteTableName": name,
           "RouteSet": [], "Main": False, "CreatedTime": ctx.now(), "TagSet": _tags(p),
           "LocalCidrForCcn": []}
    tx.insert("rtb", rid, region, rtb, vpc_id=vpc["VpcId"])
    return {"RouteTable": rtb_view(ctx, tx)(rtb)}


def describe_route_tables(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    spec = {"route-table-id": lambda v: v["RouteTableId"],
            "route-table-name": lambda v: v["RouteTableName"],
            "vpc-id": lambda v: v["VpcId"], "association.main": lambda v: bool_str(v["Main"]),
            "visible": lambda v: "TRUE",
            "next-hop-type": lambda v: [r["GatewayType"] for r in v["RouteSet"]]}
    return describe(tx, p, region, "rtb", "RouteTableIds", "RouteTableSet",
                          rtb_view(ctx, tx), spec)


def modify_route_table(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    rtb = get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
    name = _str(p, "RouteTableName", required=True)
    violations(rules.check_name(name, "route table name"))
    rtb["RouteTableName"] = name
    tx.put("rtb", rtb["RouteTableId"], rtb)
    return {}


def delete_route_table(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    rtb = get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
    if rtb["Main"]:
        raise ApiError("ResourceInUse", f"Route table {rtb['RouteTableId']} is the main "
                       "route table of its VPC; it is deleted together with the VPC.")
    assoc = rtb_view(ctx, tx)(rtb)["AssociationSet"]
    if assoc:
        ids = ", ".join(a["SubnetId"] for a in assoc)
        raise ApiError("ResourceInUse", f"Route table {rtb['RouteTableId']} is still "
                       f"associated with subnet(s) {ids}. Associate them with another "
                       "route table first.")
    tx.delete("rtb", rtb["RouteTableId"])
    return {}


def create_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    rtb = get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
    routes = _obj_list(p, "Routes", required=True)
    if not routes:
        raise ApiError("InvalidParameterValue.Empty", "`Routes` must not be empty.")
    vpc = tx.get("vpc", rtb["VpcId"])
    taken = {r["DestinationCidrBlock"] for r in rtb["RouteSet"]}
    added = []
    for r in routes:
        dest = _str(r, "DestinationCidrBlock", required=True)
        gtype = _str(r, "GatewayType", required=True)
        gid = _str(r, "GatewayId", required=True)
        violations(rules.check_route_destination(dest, vpc["CidrBlock"] if vpc else None)
                    + rules.check_enum(gtype, rules.ROUTE_NEXT_TYPES, "Next hop type"))
        if dest in taken:
            raise ApiError("InvalidParameterValue.Duplicate",
                           f"Route table {rtb['RouteTableId']} already has a route to {dest}. "
                           "Change or delete that route instead.")
        taken.add(dest)
        if gtype == "VPN":
            gw = tx.get("vpngw", gid, region)
            if gw is None or gw["VpcId"] != rtb["VpcId"]:
                raise ApiError("InvalidParameterValue.RouteNextHopInvalid",
                               f"Next hop {gid} is not a VPN gateway of VPC {rtb['VpcId']}. "
                               "Route to a VPN gateway in the route table's own VPC.")
        added.append({"DestinationCidrBlock": dest, "GatewayType": gtype, "GatewayId": gid,
                      "RouteId": tx.next_counter("route_id", 100000),
                      "RouteDescription": _str(r, "RouteDescription", default=""),
                      "Enabled": True, "RouteType": "USER",
                      "RouteTableId": rtb["RouteTableId"], "DestinationIpv6CidrBlock": "",
                      "RouteItemId": "rti-" + rand8(),
                      "PublishedToVbc": False, "CreatedTime": ctx.now(), "CdcId": ""})
    rtb["RouteSet"].extend(added)
    tx.put("rtb", rtb["RouteTableId"], rtb)
    return {"TotalCount": len(added), "RouteTableSet": [rtb_view(ctx, tx)(rtb)]}


def select_routes(ctx: Context, rtb: dict, ids: list, item_ids: list) -> list[dict]:
    chosen = []
    for rid in ids:
        m = [r for r in rtb["RouteSet"] if r["RouteId"] == rid]
        if not m:
            raise ApiError("ResourceNotFound", f"Route {rid} does not exist in route table "
                           f"{rtb['RouteTableId']}.")
        chosen += m
    for iid in item_ids:
        m = [r for r in rtb["RouteSet"] if r["RouteItemId"] == iid]
        if not m:
            raise ApiError("ResourceNotFound", f"Route {iid} does not exist in route table "
                           f"{rtb['RouteTableId']}.")
        chosen += m
    for r in chosen:
        if r["RouteType"] != "USER":
            raise ApiError("UnsupportedOperation.SystemRoute",
                           f"Route {r['RouteId']} is a system route and cannot be changed.")
    return chosen


def delete_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    rtb = get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
    ids, item_ids = [], []
    for r in _obj_list(p, "Routes", required=True):
        if r.get("RouteId") is not None:
            ids.append(_int(r, "RouteId"))
        elif r.get("RouteItemId") is not None:
            item_ids.append(_str(r, "RouteItemId"))
        else:
            raise missing("Routes.RouteId")
    chosen = select_routes(ctx, rtb, ids, item_ids)
    gone = {r["RouteId"] for r in chosen}
    rtb["RouteSet"] = [r for r in rtb["RouteSet"] if r["RouteId"] not in gone]
    tx.put("rtb", rtb["RouteTableId"], rtb)
    return {"RouteSet": chosen}


def toggle_routes(ctx: Context, tx: Tx, p: dict, region: str, enabled: bool) -> dict:
    rtb = get(tx, "rtb", _str(p, "RouteTableId", required=True), region)
    raw_ids = p.get("RouteIds") or []
    if not isinstance(raw_ids, list):
        raise ApiError("InvalidParameter", "`RouteIds` must be a list of integers.")
    ids = [_int({"RouteIds": x}, "RouteIds") for x in raw_ids]
    item_ids = _str_list(p, "RouteItemIds")
    if not ids and not item_ids:
        raise missing("RouteIds")
    for r in select_routes(ctx, rtb, ids, item_ids):
        r["Enabled"] = enabled
    tx.put("rtb", rtb["RouteTableId"], rtb)
    return {}


def enable_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    return toggle_routes(ctx, tx, p, region, True)


def disable_routes(ctx: Context, tx: Tx, p: dict, region: str) -> dict:
    return toggle_routes(ctx, tx, p, region, False)


ACTIONS = {
    "CreateRouteTable": (create_route_table, ("VpcId", "RouteTableName", "Tags")),
    "DescribeRouteTables": (describe_route_tables,
        ("RouteTableIds", "NeedRouterInfo", "Filters", "Offset", "Limit")),
    "ModifyRouteTableAttribute": (modify_route_table, ("RouteTableId", "RouteTableName")),
    "DeleteRouteTable": (delete_route_table, ("RouteTableId",)),
    "CreateRoutes": (create_routes, ("RouteTableId", "Routes")),
    "DeleteRoutes": (delete_routes, ("RouteTableId", "Routes")),
    "EnableRoutes": (enable_routes, ("RouteTableId", "RouteIds", "RouteItemIds")),
    "DisableRoutes": (disable_routes, ("RouteTableId", "RouteIds", "RouteItemIds")),
}
