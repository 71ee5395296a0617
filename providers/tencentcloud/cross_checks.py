"""Checks across objects of one plan: SPD rule 4 against the VPC's CIDR and the product's
limits (gateways per VPC, customer gateways per region, tunnels per gateway and per
customer gateway), counting what the plan will hold plus what already exists in the cloud.

Objects are linked through known IDs or, while an ID is unknown, through
``PlannedObject.references``. Cloud reads go through each object's own provider instance.
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine.addrs import AddressError, parse_instance
from engine.diagnostics import Diagnostics, error, warning
from engine.providers import PlannedObject

from . import rules
from .client import CloudError
from .resources.base import Context, known
from .resources.vpn_connection import spd_path, spd_policies

VPC = "tencentcloud_vpc"
GATEWAY = "tencentcloud_vpn_gateway"
CUSTOMER_GATEWAY = "tencentcloud_vpn_customer_gateway"
CONNECTION = "tencentcloud_vpn_connection"
EXISTING_ACTIONS = ("no-op", "update")


class _Cloud:
    """Cached reads of the cloud for one check, per provider instance."""

    def __init__(self) -> None:
        self._cache: dict = {}
        self.failures: list[str] = []

    def call(self, obj: PlannedObject, action: str, set_key: str,
             **params: Any) -> list[dict] | None:
        ctx = _context(obj)
        if ctx is None:
            return None
        key = (ctx.region, action, json.dumps(params, sort_keys=True))
        if key not in self._cache:
            try:
                self._cache[key] = ctx.client.describe_all(action, set_key, **params)
            except CloudError as e:
                text = str(e)  # transport errors already begin with the action
                self.failures.append(text if text.startswith(f"{action}:")
                                     else f"{action}: {text}")
                self._cache[key] = None
        return self._cache[key]


    def tunnels(self, obj: PlannedObject, filter_name: str, id: str) -> list[dict] | None:
        """The tunnels of ``obj``'s region whose gateway (``filter_name`` "vpn-gateway-id")
        or customer gateway ("customer-gateway-id") is ``id``. Read from one listing of the
        region's tunnels, shared by every gateway checked: a region holds at most 200
        (20 customer gateways of 10), two pages, where a call per gateway and customer
        gateway made 30 sequential calls a region."""
        every = self.call(obj, "DescribeVpnConnections", "VpnConnectionSet")
        if every is None:
            return None
        field = TUNNEL_FILTERS[filter_name]
        return [c for c in every if c.get(field) == id]


# Describe filter of tunnels -> the tunnel's field it selects on
TUNNEL_FILTERS = {"vpn-gateway-id": "VpnGatewayId", "customer-gateway-id": "CustomerGatewayId"}


def _context(obj: PlannedObject) -> Context | None:
    getter = getattr(obj.provider, "cloud_context", None)
    return getter() if callable(getter) else None


def _region(obj: PlannedObject) -> str | None:
    return getattr(obj.provider, "region", None)


class _Index:
    def __init__(self, objects: list[PlannedObject]):
        # Objects the plan destroys (deletions, and the old half of replacements) do not
        # count towards limits: their IDs are remembered so cloud reads can discount them.
        self.leaving: set[str] = set()
        for o in objects:
            oid = known(o.value.get("id")) if o.action == "delete" else None
            if isinstance(oid, str) and oid:
                self.leaving.add(oid)
        objects = [o for o in objects if o.action != "delete"]
        self.objects = objects
        self.by_address = {o.address: o for o in objects}
        self.by_id: dict[str, PlannedObject] = {}
        for o in objects:
            oid = known(o.value.get("id"))
            if isinstance(oid, str) and oid:
                self.by_id[oid] = o
        self._by_type: dict[str, list[PlannedObject]] | None = None
        self._by_prefix: dict[str, list[PlannedObject]] | None = None

    def of_type(self, type_name: str) -> list[PlannedObject]:
        if self._by_type is None:  # made when first asked (not every check asks)
            self._by_type = {}
            for o in self.objects:
                self._by_type.setdefault(o.type_name, []).append(o)
        return list(self._by_type.get(type_name, ()))

    def _instances_of(self, address: str) -> list[PlannedObject]:
        """The objects whose address is ``address`` followed by ``[`` (its instances)."""
        if self._by_prefix is None:
            self._by_prefix = {}
            for o in self.objects:
                at = o.address.find("[")
                while at >= 0:
                    self._by_prefix.setdefault(o.address[:at], []).append(o)
                    at = o.address.find("[", at + 1)
        return self._by_prefix.get(address, [])

    def referenced(self, obj: PlannedObject, attr: str) -> PlannedObject | None:
        for ref in _pairs(obj.references.get(attr)):
            address = ref[0]
            target = self.by_address.get(address)
            if target is None:
                cands = self._instances_of(address)
                target = cands[0] if len(cands) == 1 else None
            if target is not None:
                return target
        return None

    def target(self, obj: PlannedObject, attr: str) -> tuple[tuple | None, PlannedObject | None]:
        """The object ``obj.<attr>`` names: (group key, the planned object if in the plan)."""
        value = known(obj.value.get(attr))
        if isinstance(value, str) and value:
            return ("id", value), self.by_id.get(value)
        t = self.referenced(obj, attr)
        if t is None:
            return None, None
        tid = known(t.value.get("id"))
        return (("id", tid) if tid else ("address", t.address)), t


def _pairs(refs: Any) -> list[tuple]:
    """``references[attr]`` as (address, attribute) pairs, whatever its exact shape: a list of
    pairs, a list of addresses, one pair or one address."""
    if not refs:
        return []
    if isinstance(refs, str):
        return [(refs, "id")]
    if (isinstance(refs, tuple) and len(refs) == 2 and isinstance(refs[1], str)
            and "." not in refs[1]):
        return [(str(refs[0]), refs[1])]
    out = []
    for r in refs if isinstance(refs, (list, tuple, set, frozenset)) else [refs]:
        if isinstance(r, (tuple, list)) and r:
            out.append((str(r[0]), str(r[1]) if len(r) > 1 else "id"))
        else:
            out.append((str(r), "id"))
    return out


def _address_order(address: str) -> tuple:
    """Natural order: ``gw[9]`` before ``gw[10]`` and ``gw9`` before ``gw10``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", address))


def _sort_members(members: list[PlannedObject]) -> list[PlannedObject]:
    """Existing objects first (they already count), then new ones in natural address order,
    so the instance named is the one past the limit."""
    return sorted(members, key=lambda o: (o.action not in EXISTING_ACTIONS,
                                          _address_order(o.address)))


def _resource_of(address: str) -> str:
    """The resource (block) an instance address belongs to."""
    try:
        return str(parse_instance(address).resource)
    except AddressError:
        return address


def _limit_diags(d: Diagnostics, kind: str, members: list[PlannedObject], outside: int) -> None:
    """One error per resource block with instances past the limit, naming the first of them.

    The error has no attribute path: it is about the instances' existence, so the engine
    points at what makes them (the block's count or for_each, else the block itself)."""
    limit = rules.LIMITS[kind].maximum
    vs = rules.check_limit(kind, outside + len(members))
    if not vs:
        return
    reported: set[str] = set()
    for pos, obj in enumerate(_sort_members(members), start=outside):
        block = _resource_of(obj.address)
        if pos < limit or block in reported:
            continue
        reported.add(block)
        d.append(error("Limit exceeded", vs[0].message, address=obj.address))


def check_plan(objects: list[PlannedObject]) -> Diagnostics:
    index = _Index(objects)
    cloud = _Cloud()
    d = Diagnostics()
    _check_spd_vpc(index, cloud, d)
    _check_gateways_per_vpc(index, cloud, d)
    _check_customer_gateways_per_region(index, cloud, d)
    _check_tunnels(index, cloud, d, "vpn_gateway_id", "vpn-gateway-id",
                   "tunnels_per_vpn_gateway")
    _check_tunnels(index, cloud, d, "customer_gateway_id", "customer-gateway-id",
                   "tunnels_per_customer_gateway")
    if cloud.failures:
        d.append(warning("Cloud not readable",
                         "Some limits could not be checked against objects that already exist "
                         f"in the cloud ({cloud.failures[0]}), so apply may still fail on them. "
                         "Check that the cloud is reachable and run plan again."))
    return d


# --- SPD rule 4 ------------------------------------------------------------------------------

def _vpc_cidr(index: _Index, cloud: _Cloud, obj: PlannedObject, attr: str = "vpc_id") -> str | None:
    key, target = index.target(obj, attr)
    if target is not None and target.type_name == VPC:
        return known(target.value.get("cidr_block"))
    if key is not None and key[0] == "id":
        vpcs = cloud.call(obj, "DescribeVpcs", "VpcSet", Filters=[
            {"Name": "vpc-id", "Values": [key[1]]}])
        if vpcs:
            return vpcs[0].get("CidrBlock")
    return None


def _connection_vpc_cidr(index: _Index, cloud: _Cloud, conn: PlannedObject) -> str | None:
    cidr = _vpc_cidr(index, cloud, conn)
    if cidr:
        return cidr
    key, gw = index.target(conn, "vpn_gateway_id")
    if gw is not None and gw.type_name == GATEWAY:
        return _vpc_cidr(index, cloud, gw)
    if key is not None and key[0] == "id":
        gws = cloud.call(conn, "DescribeVpnGateways", "VpnGatewaySet", Filters=[
            {"Name": "vpn-gateway-id", "Values": [key[1]]}])
        if gws and gws[0].get("VpcId"):
            vpcs = cloud.call(conn, "DescribeVpcs", "VpcSet", Filters=[
                {"Name": "vpc-id", "Values": [gws[0]["VpcId"]]}])
            if vpcs:
                return vpcs[0].get("CidrBlock")
    return None


def _check_spd_vpc(index: _Index, cloud: _Cloud, d: Diagnostics) -> None:
    for conn in index.of_type(CONNECTION):
        policies = spd_policies(conn.value.get("security_group_policy"))
        if not policies:
            continue
        cidr = _connection_vpc_cidr(index, cloud, conn)
        for v in rules.check_spd_vpc(policies, cidr):
            d.append(error("Invalid SPD policy", v.message, address=conn.address,
                           path=spd_path(v.locator)))


# --- limits ---------------------------------------------------------------------------------

def _group(index: _Index, objs: list[PlannedObject], attr: str) -> dict[tuple, list[PlannedObject]]:
    groups: dict[tuple, list[PlannedObject]] = {}
    for o in objs:
        key, _ = index.target(o, attr)
        if key is not None:
            groups.setdefault(key, []).append(o)
    return groups


def _outside(cloud_items: list[dict] | None, id_key: str, index: _Index) -> int:
    return sum(1 for item in cloud_items or []
               if item.get(id_key) not in index.by_id and item.get(id_key) not in index.leaving)


def _check_gateways_per_vpc(index: _Index, cloud: _Cloud, d: Diagnostics) -> None:
    for key, members in _group(index, index.of_type(GATEWAY), "vpc_id").items():
        outside = 0
        if key[0] == "id":
            outside = _outside(cloud.call(members[0], "DescribeVpnGateways", "VpnGatewaySet",
                                          Filters=[{"Name": "vpc-id", "Values": [key[1]]}]),
                               "VpnGatewayId", index)
        _limit_diags(d, "gateways_per_vpc", members, outside)


def _check_customer_gateways_per_region(index: _Index, cloud: _Cloud, d: Diagnostics) -> None:
    groups: dict[str | None, list[PlannedObject]] = {}
    for o in index.of_type(CUSTOMER_GATEWAY):
        groups.setdefault(_region(o), []).append(o)
    for _region_name, members in groups.items():
        outside = _outside(cloud.call(members[0], "DescribeCustomerGateways", "CustomerGatewaySet"),
                           "CustomerGatewayId", index)
        _limit_diags(d, "customer_gateways_per_region", members, outside)


def _check_tunnels(index: _Index, cloud: _Cloud, d: Diagnostics, attr: str, filter_name: str,
                   kind: str) -> None:
    for key, members in _group(index, index.of_type(CONNECTION), attr).items():
        outside = 0
        if key[0] == "id":
            outside = _outside(cloud.tunnels(members[0], filter_name, key[1]),
                               "VpnConnectionId", index)
        _limit_diags(d, kind, members, outside)
