"""Which declared IDC-side connection (the strongswan provider's ``strongswan_connection``) is
the other end of which planned ``tencentcloud_vpn_connection``, so plan-time checks can look
at both ends of a tunnel.

A strongSwan connection is a tunnel's IDC end when its remote end is the tunnel's VPN
gateway (a reference to the gateway, or its known public IP in ``remote_addrs`` /
``remote_id``) and its local end is the tunnel's customer gateway (its known public IP in
``local_addrs`` / ``local_id``, or a reference to it). A side that cannot be told yet
(unknown values, no reference) neither pairs nor rules out; one side must pair and neither
may contradict. Pure: works on planned values only.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.providers import PlannedObject

from .cross_checks import CONNECTION, CUSTOMER_GATEWAY, GATEWAY, _Index, _pairs
from .resources.base import known

IDC_CONNECTION = "strongswan_connection"


@dataclass(frozen=True)
class TunnelEnds:
    cloud: PlannedObject  # the tencentcloud_vpn_connection
    idc: PlannedObject  # the strongswan_connection


def _strings(value) -> list[str]:
    items = known(value)
    if isinstance(items, str):
        return [items]
    if not isinstance(items, (list, tuple)):
        return []
    return [s for s in (known(i) for i in items) if isinstance(s, str)]


def _refers_to(obj: PlannedObject, attrs: tuple[str, ...], target: PlannedObject) -> bool:
    return any(address == target.address or address.startswith(target.address + "[")
               or target.address.startswith(address + "[")
               for attr in attrs for address, _ in _pairs(obj.references.get(attr)))


def _side(idc: PlannedObject, side: str, end: PlannedObject | None, ip_attr: str) -> bool | None:
    """Whether ``idc``'s ``side`` ("local"/"remote") is ``end``: True, False, or None (not
    known yet)."""
    if end is None:
        return None
    attrs = (f"{side}_addrs", f"{side}_id")
    if _refers_to(idc, attrs, end):
        return True
    ip = known(end.value.get(ip_attr))
    given = _strings(idc.value.get(f"{side}_addrs")) + _strings(idc.value.get(f"{side}_id"))
    if not isinstance(ip, str) or not ip or not given:
        return None
    return ip in given


def tunnel_ends(objects: list[PlannedObject]) -> list[TunnelEnds]:
    """Every planned tunnel whose IDC end is declared too, in address order. An IDC
    connection that could be the end of several tunnels pairs with none."""
    index = _Index(objects)
    idcs = [o for o in index.objects if o.type_name == IDC_CONNECTION]
    candidates: dict[str, list[PlannedObject]] = {}
    for conn in index.of_type(CONNECTION):
        _, gw = index.target(conn, "vpn_gateway_id")
        _, cgw = index.target(conn, "customer_gateway_id")
        gw = gw if gw is not None and gw.type_name == GATEWAY else None
        cgw = cgw if cgw is not None and cgw.type_name == CUSTOMER_GATEWAY else None
        for idc in idcs:
            remote = _side(idc, "remote", gw, "public_ip_address")
            local = _side(idc, "local", cgw, "public_ip_address")
            if False in (remote, local) or True not in (remote, local):
                continue
            candidates.setdefault(idc.address, []).append(conn)
    out = [TunnelEnds(conns[0], index.by_address[idc])
           for idc, conns in candidates.items() if len(conns) == 1]
    return sorted(out, key=lambda e: e.cloud.address)
