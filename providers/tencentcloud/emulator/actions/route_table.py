"""Route tables and their route entries.

Each entry is its own stored object (kind ``route``, ``RouteTableId`` in its data, indexed),
so changing or reading one entry touches only its table's entries, never the table itself.
Stores written before entries had rows keep them inside the table (``RouteSet``): they are
read from there and moved into rows by the first change to that table's entries.
"""

from __future__ import annotations

from typing import Callable

from pydantic import field_validator, model_validator

from ... import rules
from ..store import Tx
from .common import ApiError, Context, bool_str, describe, get, new_id, public, rand8, violations
from .request import (
    Bool,
    DescribeRequest,
    Int,
    Part,
    Request,
    Str,
    Tag,
    actions,
    tag_set,
    value_error,
)

ROUTE = "route"
FIRST_ROUTE_ID = 100000


class RouteEntry(Part):
    DestinationCidrBlock: Str
    GatewayType: Str
    GatewayId: Str
    RouteDescription: Str = ""


class RouteRef(Part):
    RouteId: Int | None = None
    RouteItemId: Str | None = None

    @model_validator(mode="after")
    def _one_id(self) -> "RouteRef":
        if self.RouteId is None and self.RouteItemId is None:
            raise value_error("MissingParameter", "Each route needs `RouteId` or `RouteItemId`.")
        return self


def _not_empty(routes: list) -> list:
    if not routes:
        raise value_error("InvalidParameterValue.Empty", "`Routes` must not be empty.")
    return routes


class CreateRouteTableRequest(Request):
    VpcId: Str
    RouteTableName: Str
    Tags: list[Tag] = []


class DescribeRouteTablesRequest(DescribeRequest):
    RouteTableIds: list[Str] = []
    NeedRouterInfo: Bool | None = None


class ModifyRouteTableAttributeRequest(Request):
    RouteTableId: Str
    RouteTableName: Str


class DeleteRouteTableRequest(Request):
    RouteTableId: Str


class CreateRoutesRequest(Request):
    RouteTableId: Str
    Routes: list[RouteEntry]

    _not_empty = field_validator("Routes")(_not_empty)


class DeleteRoutesRequest(Request):
    RouteTableId: Str
    Routes: list[RouteRef]

    _not_empty = field_validator("Routes")(_not_empty)


class EnableRoutesRequest(Request):
    RouteTableId: Str
    RouteIds: list[Int] = []
    RouteItemIds: list[Str] = []

    @model_validator(mode="after")
    def _some_route(self) -> "EnableRoutesRequest":
        if not self.RouteIds and not self.RouteItemIds:
            raise value_error("MissingParameter",
                              "The request is missing the required parameter `RouteIds`.")
        return self


class DisableRoutesRequest(EnableRoutesRequest):
    pass


# --- entries ----------------------------------------------------------------------------------

def routes_of(tx: Tx, rtb: dict) -> list[dict]:
    """The table's entries, in creation order."""
    return list(rtb.get("RouteSet") or []) + tx.list_by(ROUTE, "RouteTableId",
                                                        rtb["RouteTableId"])


def routes_to_gateway(tx: Tx, gw: dict) -> list[dict]:
    """The entries that send traffic to VPN gateway ``gw`` (only its VPC's tables can)."""
    rows = tx.list(ROUTE, vpc_id=gw["VpcId"]) if gw["VpcId"] else []
    legacy = [r for t in tx.list("rtb", vpc_id=gw["VpcId"]) for r in t.get("RouteSet") or []]
    return [r for r in legacy + rows
            if r["GatewayType"] == "VPN" and r["GatewayId"] == gw["VpnGatewayId"]]


def _own_routes(tx: Tx, rtb: dict, region: str) -> None:
    """Move entries a store kept inside the table into rows of their own."""
    if "RouteSet" not in rtb:
        return
    for r in rtb.pop("RouteSet") or []:
        tx.insert(ROUTE, str(r["RouteId"]), region, r, vpc_id=rtb["VpcId"])
    tx.put("rtb", rtb["RouteTableId"], rtb)


def _select(tx: Tx, rtb: dict, ids: list[int], item_ids: list[str]) -> list[dict]:
    rid = rtb["RouteTableId"]
    by_item = {r["RouteItemId"]: r for r in routes_of(tx, rtb)} if item_ids else {}
    chosen = []
    for i in ids:
        r = tx.get(ROUTE, str(i))
        if r is None or r["RouteTableId"] != rid:
            raise ApiError("ResourceNotFound", f"Route {i} does not exist in route table {rid}.")
        chosen.append(r)
    for i in item_ids:
        if i not in by_item:
            raise ApiError("ResourceNotFound", f"Route {i} does not exist in route table {rid}.")
        chosen.append(by_item[i])
    for r in chosen:
        if r["RouteType"] != "USER":
            raise ApiError("UnsupportedOperation.SystemRoute",
                           f"Route {r['RouteId']} is a system route and cannot be changed.")
    return chosen


# --- tables -----------------------------------------------------------------------------------

def rtb_view(tx: Tx) -> Callable[[dict], dict]:
    return lambda r: table_view(tx, r, routes_of(tx, r))


def table_view(tx: Tx, r: dict, routes: list[dict]) -> dict:
    """Route table ``r`` as the API shows it, with its entries ``routes`` (as read from the
    store: nothing private in them)."""
    v = public(r)
    v["RouteSet"] = routes
    v["AssociationSet"] = [{"SubnetId": s["SubnetId"], "RouteTableId": r["RouteTableId"]}
                           for s in tx.list_by("subnet", "RouteTableId", r["RouteTableId"])]
    return v


def create_route_table(ctx: Context, tx: Tx, req: CreateRouteTableRequest, region: str) -> dict:
    vpc = get(tx, "vpc", req.VpcId, region)
    violations(rules.check_name(req.RouteTableName, "route table name"))
    rid = new_id(tx, "rtb")
    rtb = {"VpcId": vpc["VpcId"], "RouteTableId": rid, "RouteTableName": req.RouteTableName,
           "Main": False, "CreatedTime": ctx.now(), "TagSet": tag_set(req.Tags),
           "LocalCidrForCcn": []}
    tx.insert("rtb", rid, region, rtb, vpc_id=vpc["VpcId"])
    return {"RouteTable": rtb_view(tx)(rtb)}


def describe_route_tables(ctx: Context, tx: Tx, req: DescribeRouteTablesRequest,
                          region: str) -> dict:
    spec = {"route-table-id": lambda v: v["RouteTableId"],
            "route-table-name": lambda v: v["RouteTableName"],
            "vpc-id": lambda v: v["VpcId"], "association.main": lambda v: bool_str(v["Main"]),
            "visible": lambda v: "TRUE",
            "next-hop-type": lambda v: [r["GatewayType"] for r in v["RouteSet"]]}
    return describe(tx, req, region, "rtb", "RouteTableIds", "RouteTableSet", rtb_view(tx),
                    spec)


def modify_route_table(ctx: Context, tx: Tx, req: ModifyRouteTableAttributeRequest,
                       region: str) -> dict:
    rtb = get(tx, "rtb", req.RouteTableId, region)
    violations(rules.check_name(req.RouteTableName, "route table name"))
    rtb["RouteTableName"] = req.RouteTableName
    tx.put("rtb", rtb["RouteTableId"], rtb)
    return {}


def delete_route_table(ctx: Context, tx: Tx, req: DeleteRouteTableRequest, region: str) -> dict:
    rtb = get(tx, "rtb", req.RouteTableId, region)
    rid = rtb["RouteTableId"]
    if rtb["Main"]:
        raise ApiError("ResourceInUse", f"Route table {rid} is the main route table of its "
                       "VPC; it is deleted together with the VPC.")
    assoc = tx.list_by("subnet", "RouteTableId", rid)
    if assoc:
        ids = ", ".join(s["SubnetId"] for s in assoc)
        raise ApiError("ResourceInUse", f"Route table {rid} is still associated with "
                       f"subnet(s) {ids}. Associate them with another route table first.")
    for r in tx.list_by(ROUTE, "RouteTableId", rid):
        tx.delete(ROUTE, str(r["RouteId"]))
    tx.delete("rtb", rid)
    return {}


def create_routes(ctx: Context, tx: Tx, req: CreateRoutesRequest, region: str) -> dict:
    rtb = get(tx, "rtb", req.RouteTableId, region)
    _own_routes(tx, rtb, region)
    vpc = tx.get("vpc", rtb["VpcId"])
    routes = routes_of(tx, rtb)
    taken = {r["DestinationCidrBlock"] for r in routes}
    for r in req.Routes:
        dest, gtype, gid = r.DestinationCidrBlock, r.GatewayType, r.GatewayId
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
        entry = {"DestinationCidrBlock": dest, "GatewayType": gtype, "GatewayId": gid,
                 "RouteId": tx.next_counter("route_id", FIRST_ROUTE_ID),
                 "RouteDescription": r.RouteDescription, "Enabled": True, "RouteType": "USER",
                 "RouteTableId": rtb["RouteTableId"], "DestinationIpv6CidrBlock": "",
                 "RouteItemId": "rti-" + rand8(),
                 "PublishedToVbc": False, "CreatedTime": ctx.now(), "CdcId": ""}
        tx.insert(ROUTE, str(entry["RouteId"]), region, entry, vpc_id=rtb["VpcId"])
        routes.append(dict(entry))
    return {"TotalCount": len(req.Routes), "RouteTableSet": [table_view(tx, rtb, routes)]}


def delete_routes(ctx: Context, tx: Tx, req: DeleteRoutesRequest, region: str) -> dict:
    rtb = get(tx, "rtb", req.RouteTableId, region)
    _own_routes(tx, rtb, region)
    ids = [r.RouteId for r in req.Routes if r.RouteId is not None]
    item_ids = [r.RouteItemId for r in req.Routes if r.RouteId is None and r.RouteItemId]
    chosen = _select(tx, rtb, ids, item_ids)
    for r in chosen:
        tx.delete(ROUTE, str(r["RouteId"]))
    return {"RouteSet": [public(r) for r in chosen]}


def _toggle_routes(tx: Tx, req: EnableRoutesRequest, region: str, enabled: bool) -> dict:
    rtb = get(tx, "rtb", req.RouteTableId, region)
    _own_routes(tx, rtb, region)
    for r in _select(tx, rtb, list(req.RouteIds), list(req.RouteItemIds)):
        r["Enabled"] = enabled
        tx.put(ROUTE, str(r["RouteId"]), r)
    return {}


def enable_routes(ctx: Context, tx: Tx, req: EnableRoutesRequest, region: str) -> dict:
    return _toggle_routes(tx, req, region, True)


def disable_routes(ctx: Context, tx: Tx, req: DisableRoutesRequest, region: str) -> dict:
    return _toggle_routes(tx, req, region, False)


ACTIONS = actions({
    CreateRouteTableRequest: create_route_table,
    DescribeRouteTablesRequest: describe_route_tables,
    ModifyRouteTableAttributeRequest: modify_route_table,
    DeleteRouteTableRequest: delete_route_table,
    CreateRoutesRequest: create_routes,
    DeleteRoutesRequest: delete_routes,
    EnableRoutesRequest: enable_routes,
    DisableRoutesRequest: disable_routes,
})
