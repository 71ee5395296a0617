"""Reachability at plan time: for every pair (VPC subnet, IDC range) an SPD declares, the path
subnet → its route table's longest-prefix route → the VPN gateway → a tunnel on that gateway
whose SPD covers the pair → the customer gateway; the matrix of those paths, and warnings for
the gaps (a pair with no route, a route no SPD covers, a shadowed route, an SPD local range
outside the VPC, a tunnel with no route, a gateway route whose tunnel is absent).

Works from the planned objects (the configuration) and what the cloud already holds for
objects whose IDs are known. A value not known until apply makes the answer "unknown", never
a warning.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from engine.addrs import AddressError, ModuleInstanceStep, ResourceAddr, module_str, parse_instance
from engine.diagnostics import Diagnostics, warning
from engine.providers import PlannedObject, ReachabilityCell, ReachabilityMatrix

from . import rules
from .cross_checks import (CONNECTION, GATEWAY, VPC, _Cloud, _connection_vpc_cidr, _Index,
                           _pairs)
from .resources.base import known
from .resources.vpn_connection import spd_policies

SUBNET = "tencentcloud_subnet"
ROUTE = "tencentcloud_route_table_entry"
GATEWAY_ROUTE = "tencentcloud_vpn_gateway_route"
ROUTE_BASED = ("StaticRoute", "Bgp")  # tunnels whose traffic the gateway's routes choose
SUMMARIES = ("No route for SPD pair", "VPN route not covered by SPD", "Route shadowed",
             "SPD local range outside VPC", "Tunnel without route",
             "Gateway route to absent tunnel")

Net = ipaddress.IPv4Network
Key = tuple  # ("id", value) or ("ref", address, attribute): one object, known or not


@dataclass
class Route:
    """One route of a route table, planned or read from the cloud."""

    table: Key | None
    destination: Net | None
    next_type: str | None
    next_hub: Key | None
    name: str  # the planned object's address, or "route <id> of <rtb>" for a cloud route
    obj: PlannedObject | None = None

    @property
    def known(self) -> bool:
        return (self.table is not None and self.destination is not None
                and self.next_type is not None and self.next_hub is not None)

    def to_gateway(self) -> Key | None:
        return self.next_hub if self.next_type == "VPN" else None

    def describe(self) -> str:
        hop = _key_text(self.next_hub)
        return f"{self.name} ({self.destination} → {self.next_type} {hop})"


@dataclass
class Tunnel:
    obj: PlannedObject
    gateway: Key | None
    customer_gateway: Key | None
    policies: list | None  # [(local Net | None, [remote Net | None])] ; None: not known
    route_based: bool
    vpc: Key | None = None

    def declares(self, local: Net, remote: Net) -> bool | None:
        """Whether an SPD policy of this tunnel covers (local, remote): None when unknown."""
        if self.policies is None:
            return None
        unsure = False
        for loc, remotes in self.policies:
            if loc is None:
                unsure = True
                continue
            if not loc.overlaps(local):
                continue
            for r in remotes:
                if r is None:
                    unsure = True
                elif remote.subnet_of(r):
                    return True
        return None if unsure else False

    def remotes(self) -> list[Net] | None:
        if self.policies is None:
            return None
        out = []
        for _loc, remotes in self.policies:
            if any(r is None for r in remotes):
                return None
            out.extend(remotes)
        return out


@dataclass
class Model:
    """What the plan (and the cloud) says about routes, tunnels and subnets."""

    index: _Index
    cloud: _Cloud
    routes: dict = field(default_factory=dict)  # table Key -> [Route]
    unsure_tables: set = field(default_factory=set)  # tables with routes not known
    loose_routes: list = field(default_factory=list)  # planned routes whose table is unknown
    tunnels: list = field(default_factory=list)  # Tunnel
    subnets: list = field(default_factory=list)  # (obj, Net, table Key | None)
    subnet_vpc: dict = field(default_factory=dict)  # subnet address -> VPC Key | None
    by_remote: dict = field(default_factory=dict)  # peer range -> tunnels whose SPD names it
    candidates_of: dict = field(default_factory=dict)  # remote Net -> candidates(remote)
    unsure_tunnels: list = field(default_factory=list)  # tunnels whose SPD is not all known
    by_gateway: dict | None = None  # gateway Key -> tunnels (made when first asked)
    by_vpc: dict | None = None  # VPC Key | None -> tunnels (made when first asked)

    def candidates(self, remote: Net) -> list:
        """The tunnels that may declare a pair with ``remote`` (a subset of ``tunnels``)."""
        if remote not in self.candidates_of:
            found: list = []
            for prefix in range(remote.prefixlen, -1, -1):
                for t in self.by_remote.get(remote.supernet(new_prefix=prefix), []):
                    if t not in found:
                        found.append(t)
            self.candidates_of[remote] = found + self.unsure_tunnels
        return self.candidates_of[remote]


def _net(text: Any) -> Net | None:
    return rules.parse_cidr(known(text))


def _key_text(key: Key | None) -> str:
    if key is None:
        return "(unknown)"
    if key[0] == "id":
        return str(key[1])
    return f"{key[1]}.{key[2]}"


def _resolve(index: _Index, obj: PlannedObject, attr: str) -> list[tuple[PlannedObject, str]]:
    """The planned objects (with the attribute) that ``obj.<attr>`` refers to. A reference
    into a module is resolved in the referring object's own module instance."""
    out = []
    for address, target_attr in _pairs(obj.references.get(attr)):
        target = index.by_address.get(address)
        if target is not None:
            out.append((target, target_attr))
            continue
        cands = _by_config(index).get(address, [])
        if len(cands) > 1:
            mine = _module_prefix(obj.address)
            cands = [o for o in cands if mine.startswith(_module_prefix(o.address))]
        if len(cands) == 1:
            out.append((cands[0], target_attr))
    return out


def _by_config(index: _Index) -> dict[str, list[PlannedObject]]:
    """The index's objects by configuration address (made once per index)."""
    cached = getattr(index, "_reach_by_config", None)
    if cached is None:
        cached = {}
        for o in index.objects:
            cached.setdefault(_config_address(o.address), []).append(o)
        index._reach_by_config = cached  # type: ignore[attr-defined]
    return cached


@functools.lru_cache(maxsize=4096)
def _module_prefix(address: str) -> str:
    """``module.a["x"].module.b[0].`` of an instance address ('' in the root module)."""
    try:
        text = module_str(parse_instance(address).resource.module)
    except AddressError:
        return ""
    return text + "." if text else ""


@functools.lru_cache(maxsize=4096)
def _config_address(address: str) -> str:
    """The configuration resource of an instance address (module keys and its key dropped)."""
    try:
        r = parse_instance(address).resource
    except AddressError:
        return address
    return str(ResourceAddr(r.mode, r.type, r.name,
                            tuple(ModuleInstanceStep(s.name) for s in r.module)))


def _key(index: _Index, obj: PlannedObject, attr: str) -> Key | None:
    """The object ``obj.<attr>`` names: its ID when known, else the referenced attribute."""
    value = known(obj.value.get(attr))
    if isinstance(value, str) and value:
        return ("id", value)
    targets = _resolve(index, obj, attr)
    if len(targets) != 1:
        return None
    target, target_attr = targets[0]
    return _own_key(target, target_attr)


def _own_key(obj: PlannedObject, attr: str = "id") -> Key:
    value = known(obj.value.get(attr))
    if isinstance(value, str) and value:
        return ("id", value)
    return ("ref", obj.address, attr)


def _same(a: Key | None, b: Key | None) -> bool:
    return a is not None and a == b


# --- the model --------------------------------------------------------------------------------

def build_model(objects: list[PlannedObject]) -> Model:
    index = _Index(objects)
    m = Model(index, _Cloud())
    planned_route_ids: set[str] = set()
    for o in index.of_type(ROUTE):
        rid = known(o.value.get("id"))
        if isinstance(rid, str):
            planned_route_ids.add(rid)
        if known(o.value.get("disabled")) is True:
            continue
        r = Route(_key(index, o, "route_table_id"), _net(o.value.get("destination_cidr_block")),
                  known(o.value.get("next_type")), _key(index, o, "next_hub"), o.address, o)
        if r.table is None:
            m.loose_routes.append(r)
        else:
            m.routes.setdefault(r.table, []).append(r)
    for o in index.of_type(SUBNET):
        net = _net(o.value.get("cidr_block"))
        if net is not None:
            m.subnets.append((o, net, _key(index, o, "route_table_id")))
            m.subnet_vpc[o.address] = _key(index, o, "vpc_id")
    # Tables that already exist hold routes this configuration may not manage.
    tables = {t for _o, _n, t in m.subnets if t is not None and t[0] == "id"}
    tables |= {t for t in m.routes if t[0] == "id"}
    for table in sorted(tables):
        _cloud_routes(m, table, planned_route_ids)
    for o in index.of_type(CONNECTION):
        policies = spd_policies(o.value.get("security_group_policy"))
        parsed = None
        if policies is not None:
            parsed = [(rules.parse_cidr(p.local), [rules.parse_cidr(r) for r in p.remotes])
                      for p in policies]
        m.tunnels.append(Tunnel(o, _key(index, o, "vpn_gateway_id"),
                                _key(index, o, "customer_gateway_id"), parsed,
                                known(o.value.get("route_type")) in ROUTE_BASED,
                                _tunnel_vpc(index, o)))
    m.unsure_tunnels = [t for t in m.tunnels if t.remotes() is None
                        or any(loc is None for loc, _r in t.policies or [])]
    for t in m.tunnels:
        if t not in m.unsure_tunnels:
            for r in t.remotes() or []:
                m.by_remote.setdefault(r, []).append(t)
    return m


def _tunnel_vpc(index: _Index, conn: PlannedObject) -> Key | None:
    """The tunnel's VPC: its vpc_id, else its gateway's."""
    vpc = _key(index, conn, "vpc_id")
    if vpc is not None:
        return vpc
    gateways = _resolve(index, conn, "vpn_gateway_id")
    gw = gateways[0][0] if len(gateways) == 1 else index.by_id.get(
        known(conn.value.get("vpn_gateway_id")) or "")
    return _key(index, gw, "vpc_id") if gw is not None else None


def _declares(m: Model, t: Tunnel, subnet: PlannedObject | None, local: Net,
              remote: Net) -> bool | None:
    """Whether tunnel ``t`` declares (subnet, remote): its SPD covers the pair and the subnet
    is in the tunnel's VPC (None when either is not known)."""
    answer = t.declares(local, remote)
    if subnet is None or answer is False:
        return answer
    vpc = m.subnet_vpc.get(subnet.address)
    if vpc is None or t.vpc is None:
        return None
    return answer if vpc == t.vpc else False


def _cloud_routes(m: Model, table: Key, planned_route_ids: set[str]) -> None:
    anchor = next((o for o in m.index.objects), None)
    if anchor is None:
        return
    found = m.cloud.call(anchor, "DescribeRouteTables", "RouteTableSet",
                         RouteTableIds=[table[1]])
    if found is None:
        m.unsure_tables.add(table)
        return
    for t in found:
        for r in t.get("RouteSet") or []:
            rid = f"{r.get('RouteId')}.{t.get('RouteTableId')}"
            if rid in planned_route_ids or rid in m.index.leaving:
                continue
            if r.get("Enabled") is False or r.get("GatewayType") == "LOCAL":
                continue
            m.routes.setdefault(table, []).append(Route(
                table, rules.parse_cidr(r.get("DestinationCidrBlock")), r.get("GatewayType"),
                ("id", r.get("GatewayId")),
                f"route {r.get('RouteId')} of {t.get('RouteTableId')}"))


# --- one pair ---------------------------------------------------------------------------------

@dataclass
class Verdict:
    status: str  # reachable | unreachable | unknown | undeclared | no-subnet
    reason: str
    tunnel: Tunnel | None = None
    route: Route | None = None
    kind: str = ""  # for unreachable: "no-route", "shadowed", "wrong-gateway"
    shadowing: Route | None = None


def _lookup(m: Model, table: Key | None, remote: Net) -> tuple[str, Route | None, Route | None]:
    """Longest-prefix match of the whole range ``remote`` in ``table``: (outcome, route,
    shadowing route). Outcomes: "route" (route carries all of it), "none", "shadowed" (a VPN
    route loses part or all of it to a more specific route elsewhere), "other" (the winner is
    not a VPN route), "unknown"."""
    if table is None or table in m.unsure_tables or m.loose_routes:
        return "unknown", None, None
    routes = m.routes.get(table, [])
    if any(not r.known for r in routes):
        return "unknown", None, None
    covering = sorted((r for r in routes if remote.subnet_of(r.destination)),
                      key=lambda r: r.destination.prefixlen, reverse=True)
    inner = [r for r in routes if r.destination != remote and r.destination.subnet_of(remote)]
    outer = covering[0] if covering else None
    if outer is None:
        gw = {r.to_gateway() for r in inner}
        if inner and len(gw) == 1 and None not in gw:
            union = list(ipaddress.collapse_addresses(r.destination for r in inner))
            if union == [remote]:
                return "route", inner[0], None
        return "none", None, None
    gw = outer.to_gateway()
    if gw is None:
        shadowed = next((r for r in covering[1:] if r.to_gateway() is not None), None)
        if shadowed is not None:
            return "shadowed", shadowed, outer
        return "other", outer, None
    thief = next((r for r in inner if r.to_gateway() != gw), None)
    if thief is not None:
        return "shadowed", outer, thief
    return "route", outer, None


def pair_verdict(m: Model, subnet: PlannedObject | None, local: Net, table: Key | None,
                 remote: Net) -> Verdict:
    answers = [(t, _declares(m, t, subnet, local, remote)) for t in m.candidates(remote)]
    declaring = [t for t, a in answers if a]
    if not declaring:
        if any(a is None for _t, a in answers):
            return Verdict("unknown", "unknown until apply: an SPD, or the VPC of the "
                           "subnet or of a tunnel, is not known yet")
        return Verdict("undeclared", "no SPD declares this pair")
    if subnet is None:
        return Verdict("no-subnet", f"no subnet of this configuration lies in {local}")
    outcome, route, other = _lookup(m, table, remote)
    if outcome == "unknown":
        return Verdict("unknown", "unknown until apply: the subnet's route table or one of "
                       "its routes is not known yet")
    if outcome == "none":
        return Verdict("unreachable", f"no route for {remote} in the subnet's route table "
                       f"{_key_text(table)}", kind="no-route")
    if outcome == "other":
        return Verdict("unreachable", f"{remote} is routed by {route.describe()}, not to a "
                       "VPN gateway", route=route, kind="no-route")
    if outcome == "shadowed":
        return Verdict("unreachable", f"the VPN route {route.describe()} is shadowed by the "
                       f"more specific {other.describe()}", route=route, kind="shadowed",
                       shadowing=other)
    gw = route.to_gateway()
    on_gw = [t for t in declaring if _same(t.gateway, gw)]
    if not on_gw:
        if any(t.gateway is None for t in declaring):
            return Verdict("unknown", "unknown until apply: a tunnel's gateway is not known "
                           "yet")
        names = ", ".join(t.obj.address for t in declaring)
        return Verdict("unreachable", f"{route.describe()} leads to gateway {_key_text(gw)}, "
                       f"but the SPD declaring the pair is on {names}", route=route,
                       kind="wrong-gateway")
    tunnel = on_gw[0]
    return Verdict("reachable", f"{route.describe()} → {tunnel.obj.address} → customer "
                   f"gateway {_key_text(tunnel.customer_gateway)}", tunnel, route)


# --- the matrix -------------------------------------------------------------------------------

def _rows(m: Model) -> list[tuple[PlannedObject | None, Net, Key | None]]:
    rows: list[tuple[PlannedObject | None, Net, Key | None]] = sorted(
        m.subnets, key=lambda s: (s[1], s[0].address))
    locals_: set[Net] = set()
    for t in m.tunnels:
        for loc, _r in t.policies or []:
            if loc is not None:
                locals_.add(loc)
    for loc in sorted(locals_):
        if not any(net.overlaps(loc) for _o, net, _t in m.subnets):
            rows.append((None, loc, None))
    return rows


def _columns(m: Model) -> list[Net]:
    out: set[Net] = set()
    for t in m.tunnels:
        for _loc, remotes in t.policies or []:
            out.update(r for r in remotes if r is not None)
    return sorted(out)


def matrix(objects: list[PlannedObject]) -> ReachabilityMatrix:
    m = build_model(objects)
    result = ReachabilityMatrix()
    columns = _columns(m)
    for subnet, net, table in _rows(m):
        for remote in columns:
            v = pair_verdict(m, subnet, net, table, remote)
            result.cells.append(ReachabilityCell(
                subnet=subnet.address if subnet else None, local_cidr=str(net),
                remote_cidr=str(remote), status=v.status,
                tunnel=v.tunnel.obj.address if v.tunnel else None,
                customer_gateway=_customer_gateway(m, v.tunnel),
                route=v.route.name if v.route else None, reason=v.reason))
    return result


def _customer_gateway(m: Model, tunnel: Tunnel | None) -> str | None:
    if tunnel is None:
        return None
    targets = _resolve(m.index, tunnel.obj, "customer_gateway_id")
    if len(targets) == 1:
        return targets[0][0].address
    return _key_text(tunnel.customer_gateway) if tunnel.customer_gateway else None


# --- warnings ---------------------------------------------------------------------------------

def check_reachability(objects: list[PlannedObject]) -> Diagnostics:
    """The path warnings; none for a -target'ed plan, which holds only part of the
    configuration (a route outside the targets is not missing)."""
    d = Diagnostics()
    if any(o.partial for o in objects):
        return d
    m = build_model(objects)
    _warn_pairs(m, d)
    _warn_routes(m, d)
    _warn_spd_local_outside_vpc(m, d)
    _warn_tunnels_without_route(m, d)
    _warn_gateway_routes(m, d)
    return d


def _spd_index(tunnel: Tunnel, local: Net, remote: Net) -> tuple:
    for i, (loc, remotes) in enumerate(tunnel.policies or []):
        if loc is not None and loc.overlaps(local):
            for j, r in enumerate(remotes):
                if r is not None and remote.subnet_of(r):
                    return ("security_group_policy", i, "remote_cidr_block", j)
    return ("security_group_policy",)


def _declared_remotes(m: Model, local: Net, vpc: Key | None) -> list[Net]:
    """The remote ranges of the SPD policies whose local range overlaps ``local``, of the
    tunnels that may be in the VPC ``vpc``."""
    if m.by_vpc is None:
        m.by_vpc = {}
        for t in m.tunnels:
            m.by_vpc.setdefault(t.vpc, []).append(t)
    tunnels = m.tunnels if vpc is None else m.by_vpc.get(vpc, []) + m.by_vpc.get(None, [])
    out: set[Net] = set()
    for t in tunnels:
        for loc, remotes in t.policies or []:
            if loc is not None and loc.overlaps(local):
                out.update(r for r in remotes if r is not None)
    return sorted(out)


def _warn_pairs(m: Model, d: Diagnostics) -> None:
    seen: set[tuple] = set()
    for subnet, net, table in m.subnets:
        for remote in _declared_remotes(m, net, m.subnet_vpc.get(subnet.address)):
            v = pair_verdict(m, subnet, net, table, remote)
            if v.status != "unreachable":
                continue
            if v.kind == "shadowed":
                key = ("shadow", v.route.name, v.shadowing.name, str(remote))
                if key in seen or v.route.obj is None:
                    continue
                seen.add(key)
                d.append(warning(
                    "Route shadowed",
                    f"The VPN route {v.route.describe()} would carry {remote} from subnet "
                    f"{subnet.address} ({net}) to its tunnel, but the more specific "
                    f"{v.shadowing.describe()} takes {v.shadowing.destination} of it "
                    "elsewhere, so that traffic never reaches the tunnel. Remove or narrow "
                    "the more specific route, or point it at the VPN gateway.",
                    address=v.route.obj.address, path=("destination_cidr_block",)))
                continue
            for t in m.candidates(remote):
                if not _declares(m, t, subnet, net, remote):
                    continue
                key = ("pair", t.obj.address, str(net), str(remote))
                if key in seen:
                    continue
                seen.add(key)
                d.append(warning(
                    "No route for SPD pair",
                    f"The SPD of {t.obj.address} declares traffic between subnet "
                    f"{subnet.address} ({net}) and {remote}, but {v.reason}: that traffic "
                    "never enters the tunnel. Add a tencentcloud_route_table_entry to the "
                    f"subnet's route table with destination_cidr_block = \"{remote}\", "
                    "next_type = \"VPN\" and next_hub = the tunnel's VPN gateway.",
                    address=t.obj.address, path=_spd_index(t, net, remote)))


def _tunnels_on(m: Model, gw: Key) -> list[Tunnel] | None:
    """The tunnels on gateway ``gw``; None when that cannot be known from the plan."""
    if gw[0] == "id" and gw[1] not in m.index.by_id:
        return None  # an existing gateway outside the configuration: its tunnels are elsewhere
    if m.by_gateway is None:
        if any(t.gateway is None for t in m.tunnels):
            return None
        m.by_gateway = {}
        for t in m.tunnels:
            m.by_gateway.setdefault(t.gateway, []).append(t)
    return m.by_gateway.get(gw, [])


def _warn_routes(m: Model, d: Diagnostics) -> None:
    """A VPN route that no SPD of any tunnel on its gateway covers."""
    # gateway -> (its tunnels, their peer ranges, those as a set), or None when its routes
    # are not checked (tunnels not known, route-based, or a peer range not known): made
    # once per gateway, not once per route to it
    gateways: dict[Key, tuple[list[Tunnel], list[Net], set[Net]] | None] = {}
    for routes in list(m.routes.values()) + [m.loose_routes]:
        for r in routes:
            gw = r.to_gateway()
            if r.obj is None or gw is None or r.destination is None:
                continue
            if gw not in gateways:
                gateways[gw] = _gateway_remotes(m, gw)
            found = gateways[gw]
            if found is not None:
                tunnels, remotes, exact = found
                if r.destination in exact or _covered(r.destination, remotes):
                    continue
                where = (f"the tunnels on it ({', '.join(t.obj.address for t in tunnels)}) "
                         "declare no SPD peer range covering it" if tunnels
                         else "no tunnel is on that gateway")
                d.append(warning(
                    "VPN route not covered by SPD",
                    f"{r.obj.address} sends {r.destination} to VPN gateway {_key_text(gw)}, "
                    f"but {where}, so the gateway drops that traffic. Add {r.destination} to "
                    "the remote_cidr_block of a tunnel's security_group_policy on that "
                    "gateway, or remove the route.",
                    address=r.obj.address, path=("destination_cidr_block",)))


def _gateway_remotes(m: Model, gw: Key) -> tuple[list[Tunnel], list[Net], set[Net]] | None:
    """The tunnels on ``gw`` and their SPD peer ranges (a list, and a set), or None when
    routes to ``gw`` are not checked: its tunnels are not known, one is route-based, or a
    peer range is not known."""
    tunnels = _tunnels_on(m, gw)
    if tunnels is None or any(t.route_based for t in tunnels):
        return None
    remotes: list[Net] = []
    for t in tunnels:
        rs = t.remotes()
        if rs is None:
            return None
        remotes.extend(rs)
    return tunnels, remotes, set(remotes)


def _covered(net: Net, ranges: list[Net]) -> bool:
    if any(net.subnet_of(r) for r in ranges):
        return True
    inside = [r for r in ranges if r.subnet_of(net)]
    return bool(inside) and list(ipaddress.collapse_addresses(inside)) == [net]


def _vpc_ranges(m: Model, tunnel: Tunnel) -> list[Net] | None:
    cidr = _connection_vpc_cidr(m.index, m.cloud, tunnel.obj)
    net = rules.parse_cidr(cidr)
    if net is None:
        return None
    out = [net]
    key, vpc = m.index.target(tunnel.obj, "vpc_id")
    if vpc is None:
        _k, gw = m.index.target(tunnel.obj, "vpn_gateway_id")
        if gw is not None and gw.type_name == GATEWAY:
            _k, vpc = m.index.target(gw, "vpc_id")
    if vpc is not None and vpc.type_name == VPC:
        assistants = known(vpc.value.get("assistant_cidrs"))
        if assistants is None and vpc.action in ("create", "replace"):
            return out
        if assistants is None:
            return None
        out.extend(n for n in (rules.parse_cidr(a) for a in assistants) if n is not None)
    return out


def _warn_spd_local_outside_vpc(m: Model, d: Diagnostics) -> None:
    for t in m.tunnels:
        if not t.policies:
            continue
        vpc = _vpc_ranges(m, t)
        if vpc is None:
            continue
        for i, (loc, _remotes) in enumerate(t.policies):
            if loc is None or any(loc.subnet_of(v) for v in vpc):
                continue
            d.append(warning(
                "SPD local range outside VPC",
                f"The SPD of {t.obj.address} declares local range {loc}, which is not inside "
                f"the VPC's CIDR ({', '.join(str(v) for v in vpc)}): no subnet of the VPC "
                "sends traffic from it, so that policy carries nothing. Use a subnet's range "
                "inside the VPC as local_cidr_block.",
                address=t.obj.address, path=("security_group_policy", i, "local_cidr_block")))


def _warn_tunnels_without_route(m: Model, d: Diagnostics) -> None:
    every = [r for routes in m.routes.values() for r in routes] + m.loose_routes
    if any(r.next_hub is None or r.next_type is None or r.destination is None for r in every):
        return
    by_gateway: dict[Key, list[Route]] = {}
    for r in every:
        if r.to_gateway() is not None:
            by_gateway.setdefault(r.to_gateway(), []).append(r)
    # gateway -> its routes' destinations: a peer range routed as it is overlaps at once
    destinations = {gw: {r.destination for r in routes} for gw, routes in by_gateway.items()}
    for t in m.tunnels:
        if t.gateway is None or t.route_based:
            continue
        remotes = t.remotes()
        if not remotes:
            continue
        to_gw = by_gateway.get(t.gateway, [])
        if to_gw and not destinations[t.gateway].isdisjoint(remotes):
            continue
        if any(r.destination.overlaps(x) for r in to_gw for x in remotes):
            continue
        if t.gateway[0] == "id":
            # an existing gateway: routes to it outside this configuration count too
            cloud = _cloud_routes_to_gateway(m, t.gateway)
            if cloud is None or any(r.destination is None or r.destination.overlaps(x)
                                    for r in cloud for x in remotes):
                continue
        d.append(warning(
            "Tunnel without route",
            f"No route table sends any of {t.obj.address}'s peer ranges "
            f"({', '.join(str(x) for x in remotes)}) to its VPN gateway "
            f"{_key_text(t.gateway)}, so the tunnel carries nothing. Add a "
            "tencentcloud_route_table_entry with next_type = \"VPN\" and next_hub = the "
            "gateway for each peer range, in the route table of the subnets that use it.",
            address=t.obj.address))


def _cloud_routes_to_gateway(m: Model, gw: Key) -> list[Route] | None:
    """The routes of the existing gateway ``gw``'s VPC, read from the cloud, that lead to it
    and that this configuration does not manage; None when they cannot be read."""
    obj = m.index.by_id.get(gw[1])
    if obj is None:
        return None
    vpc = _key(m.index, obj, "vpc_id")
    if vpc is None or vpc[0] != "id":
        return None
    tables = m.cloud.call(obj, "DescribeRouteTables", "RouteTableSet",
                          Filters=[{"Name": "vpc-id", "Values": [vpc[1]]}])
    if tables is None:
        return None
    planned_ids = {known(o.value.get("id")) for o in m.index.of_type(ROUTE)}
    out = []
    for t in tables:
        for r in t.get("RouteSet") or []:
            rid = f"{r.get('RouteId')}.{t.get('RouteTableId')}"
            if rid in planned_ids or rid in m.index.leaving or r.get("Enabled") is False:
                continue
            if r.get("GatewayType") == "VPN" and r.get("GatewayId") == gw[1]:
                out.append(Route(("id", t.get("RouteTableId")),
                                 rules.parse_cidr(r.get("DestinationCidrBlock")), "VPN", gw,
                                 f"route {r.get('RouteId')} of {t.get('RouteTableId')}"))
    return out


def _warn_gateway_routes(m: Model, d: Diagnostics) -> None:
    for o in m.index.of_type(GATEWAY_ROUTE):
        if known(o.value.get("instance_type")) != "VPNCONN":
            continue
        targets = _resolve(m.index, o, "instance_id")
        gw = _key(m.index, o, "vpn_gateway_id")
        if len(targets) == 1:
            tunnel = targets[0][0]
            tgw = _key(m.index, tunnel, "vpn_gateway_id")
            if gw is not None and tgw is not None and gw != tgw:
                d.append(warning(
                    "Gateway route to absent tunnel",
                    f"{o.address} sends traffic on VPN gateway {_key_text(gw)} to "
                    f"{tunnel.address}, which is on another gateway ({_key_text(tgw)}), so "
                    "the route has no tunnel to use. Set instance_id to a tunnel of the "
                    "same gateway.", address=o.address, path=("instance_id",)))
            continue
        value = known(o.value.get("instance_id"))
        if not isinstance(value, str) or not value or value in m.index.by_id:
            continue
        if value in m.index.leaving:
            absent = "this plan destroys it"
        else:
            found = m.cloud.call(o, "DescribeVpnConnections", "VpnConnectionSet",
                                 Filters=[{"Name": "vpn-connection-id", "Values": [value]}])
            if found is None or found:
                continue
            absent = "no such tunnel exists"
        d.append(warning(
            "Gateway route to absent tunnel",
            f"{o.address} sends traffic to tunnel {value}, but {absent}, so the route "
            "leads nowhere. Set instance_id to a tunnel of this configuration "
            "(tencentcloud_vpn_connection.<name>.id), or remove the route.",
            address=o.address, path=("instance_id",)))
