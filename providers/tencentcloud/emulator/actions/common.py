"""What every action module shares: the service's error, object IDs and lookups, and the
Describe machinery (IDs or filters, then paging)."""

from __future__ import annotations

import json
import marshal
import random
import re
import string
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ... import rules
from ..store import Tx

NEVER = "0000-00-00 00:00:00"

# kind -> id prefix
PREFIX = {"vpc": "vpc", "subnet": "subnet", "rtb": "rtb", "vpngw": "vpngw", "cgw": "cgw",
          "vpnx": "vpnx", "vpnr": "vpnr"}
NOUN = {"vpc": "VPC", "subnet": "subnet", "rtb": "route table", "vpngw": "VPN gateway",
        "cgw": "customer gateway", "vpnx": "VPN connection", "vpnr": "VPN gateway route"}

# Describe filters answered through an indexed lookup before the generic filtering.
INDEXED_FILTERS = {("vpnx", "vpn-gateway-id"): "VpnGatewayId",
                   ("vpnx", "customer-gateway-id"): "CustomerGatewayId"}


class ApiError(Exception):
    """An error the service answers with (code and message as the cloud sends them)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class Context(Protocol):
    """What a handler needs of the service besides the transaction: its clock."""

    def clock(self) -> float: ...

    def now(self) -> str: ...

    def ready(self, obj: dict) -> bool: ...

    def ready_at(self, kind: str) -> float: ...


def violations(vs: list[rules.Violation]) -> None:
    """Raise the first broken rule as the cloud's error."""
    if vs:
        raise ApiError(vs[0].code, vs[0].message)


def missing(name: str) -> ApiError:
    return ApiError("MissingParameter", f"The request is missing the required parameter `{name}`.")


# --- objects ------------------------------------------------------------------------------

def rand8() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=8))


def new_id(tx: Tx, kind: str) -> str:
    while True:
        candidate = PREFIX[kind] + "-" + rand8()
        if not tx.id_exists(candidate):
            return candidate


def check_id(kind: str, value: str) -> None:
    if not re.fullmatch(PREFIX[kind] + r"-[a-z0-9]{8}", value):
        code = {"vpc": "InvalidVpcId.Malformed", "vpngw": "InvalidVpnGatewayId.Malformed"}.get(
            kind, "InvalidParameterValue.Malformed")
        raise ApiError(code, f"{value!r} is not a valid {NOUN[kind]} ID.")


def get(tx: Tx, kind: str, id: str, region: str) -> dict:
    """The stored object ``id`` of ``kind`` in ``region``, or the cloud's error."""
    check_id(kind, id)
    obj = tx.get(kind, id, region)
    if obj is None:
        raise ApiError("ResourceNotFound",
                       f"The {NOUN[kind]} {id} does not exist in region {region}.")
    return obj


def public(obj: dict) -> dict:
    """The API view of a stored object: private ``_`` keys removed, nested values copied.
    (marshal copies plain data in C, twice as fast as a JSON round trip; what only JSON
    would change, a tuple or a non-string key, the transport's wire copy changes after.)"""
    view = {k: v for k, v in obj.items() if not k.startswith("_")}
    try:
        return marshal.loads(marshal.dumps(view))
    except ValueError:  # a type marshal does not take (a str subclass…): as JSON writes it
        return json.loads(json.dumps(view))


def bool_str(b: Any) -> str:
    return "TRUE" if b else "FALSE"


def check_zone(zone: str, region: str) -> None:
    if not re.fullmatch(re.escape(region) + r"-\d+", zone):
        raise ApiError("InvalidZone.MismatchRegion",
                       f"Zone {zone!r} is not a zone of region {region}; zones are named "
                       f"like {region}-3.")


# --- Describe -------------------------------------------------------------------------------

@dataclass
class Filter:
    name: str
    values: list[str]


# filter name -> (view -> value or values)
FilterSpec = dict


def _tag_match(view: dict, f: Filter) -> bool | None:
    tags = {t["Key"]: t.get("Value", "") for t in view.get("TagSet") or []}
    if f.name == "tag-key":
        return any(v in tags for v in f.values)
    if f.name.startswith("tag:"):
        key = f.name[4:]
        return key in tags and tags[key] in f.values
    return None


def _matches(view: dict, f: Filter, spec: FilterSpec, fuzzy: tuple) -> bool:
    tag = _tag_match(view, f)
    if tag is not None:
        return tag
    got = spec[f.name](view)
    got = [str(g) for g in (got if isinstance(got, list) else [got])]
    if got and set(got) <= {"TRUE", "FALSE"}:  # a boolean: the cloud takes true or TRUE
        return any(want.upper() in got for want in f.values)
    if f.name in fuzzy:
        return any(want in g for want in f.values for g in got)
    return any(want in got for want in f.values)


def describe(tx: Tx, req: Any, region: str, kind: str, ids_param: str | None,
             set_key: str, view: Callable[[dict], dict], spec: FilterSpec,
             fuzzy: tuple = (), objects: list[dict] | None = None,
             max_filters: int | None = None) -> dict:
    """A Describe action's answer: the objects named by ``ids_param`` or matching the
    filters of ``req`` (a ``DescribeRequest``; ``spec`` says how each filter reads a view),
    one page of them."""
    ids = (getattr(req, ids_param) or []) if ids_param else []
    filters = [Filter(f.Name, list(f.Values)) for f in req.Filters]
    if ids and filters:
        raise ApiError("InvalidParameter.Coexist",
                       f"`{ids_param}` and `Filters` cannot be given together.")
    if max_filters is not None and (len(filters) > max_filters
                                    or any(len(f.values) > 5 for f in filters)):
        raise ApiError("InvalidParameterValue.LimitExceeded",
                       f"At most {max_filters} filters with 5 values each are allowed.")
    if len(ids) > 100:
        raise ApiError("InvalidParameterValue.LimitExceeded",
                       f"At most 100 IDs may be given in `{ids_param}`.")
    offset, limit = req.Offset, req.Limit
    if offset < 0 or limit < 0:
        raise ApiError("InvalidParameterValue.Range",
                       "`Offset` and `Limit` must not be negative.")
    if limit > 100:
        raise ApiError("InvalidParameterValue.LimitExceeded", "`Limit` must be at most 100.")
    for f in filters:
        if f.name not in spec and not f.name.startswith("tag:") and f.name != "tag-key":
            raise ApiError("InvalidParameter.FilterInvalidKey",
                           f"The filter name `{f.name}` is not supported.")
    if ids:
        objs = [get(tx, kind, i, region) for i in ids]
    elif objects is None:
        indexed = next(((INDEXED_FILTERS[(kind, f.name)], f.values) for f in filters
                        if (kind, f.name) in INDEXED_FILTERS), None)
        # The store's vpc_id column holds every object's non-empty VpcId: a vpc-id
        # filter narrows through its index (the filters below still apply).
        in_vpcs = next((f.values for f in filters
                        if f.name == "vpc-id" and all(f.values)), None)
        if indexed:
            objs = tx.list_by(kind, indexed[0], indexed[1], region)
        elif in_vpcs is not None:
            objs = tx.list(kind, region, vpc_id=list(in_vpcs))
        else:
            objs = tx.list(kind, region)
    else:
        objs = objects
    if view is public:
        # The public view only drops private keys, which no filter reads: filter the
        # stored objects and copy only the page asked for.
        for f in filters:
            objs = [o for o in objs if _matches(o, f, spec, fuzzy)]
        return {"TotalCount": len(objs),
                set_key: [public(o) for o in objs[offset:offset + limit]]}
    if not filters:  # only the page is seen: a listing of a region's 200 tunnels in
        # pages of 100 made the view of every one of them for each page
        return {"TotalCount": len(objs), set_key: [view(o) for o in objs[offset:offset + limit]]}
    views = [view(o) for o in objs]
    for f in filters:
        views = [v for v in views if _matches(v, f, spec, fuzzy)]
    return {"TotalCount": len(views), set_key: views[offset:offset + limit]}
