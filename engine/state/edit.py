"""What the state commands change: moves and removals by address (``state mv``,
``state rm``) and the check of a state pushed over the stored one (``state push``).

Pure functions on the model: they check the request against the state, change it, and
say what they changed. Locking and persistence belong to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..addrs import (AddressError, InstanceAddr, ModulePath, ResourceAddr, Target, module_str,
                     parse_instance, parse_target)
from . import codec
from .model import ResourceState, State


class StateEditError(ValueError):
    """A move or removal the state does not allow; nothing was changed."""

    def __init__(self, summary: str, detail: str):
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail


@dataclass(frozen=True)
class Move:
    """One object moved: a module instance, a resource or a resource instance."""

    source: str
    destination: str


def _each_mode_of(rs: ResourceState) -> str:
    keys = set(rs.instances) | {k for k, _ in rs.deposed}
    if keys and all(isinstance(k, int) for k in keys):
        return "count"
    if keys and all(isinstance(k, str) for k in keys):
        return "for_each"
    return "" if keys == {None} else rs.each_mode


def _in_module(addr: ResourceAddr, path: ModulePath) -> bool:
    return addr.module[:len(path)] == path


def _rehome(addr: ResourceAddr, old: ModulePath, new: ModulePath) -> ResourceAddr:
    return ResourceAddr(addr.mode, addr.type, addr.name, new + addr.module[len(old):])


def _invalid_source(target: Target) -> StateEditError:
    return StateEditError("Invalid source address",
                          f"Cannot move {target}: does not match anything in the current "
                          "state.")


def _parse(text: str, role: str) -> Target:
    try:
        return parse_target(text)
    except AddressError as err:
        raise StateEditError("Invalid address", f"The {role} address is invalid: {err}") \
            from None


def move(state: State, source: str, destination: str) -> Move:
    """Move what ``source`` names in ``state`` to ``destination``: a module instance to
    another module instance (with everything in it), a resource to another resource of
    the same type, or a resource instance to another instance (count or for_each key, or
    none). The destination must not exist yet, except that an instance may join an
    existing resource. Raises StateEditError (state unchanged)."""
    src, dst = _parse(source, "source"), _parse(destination, "destination")
    if src.resource is None:
        return _move_module(state, src, dst)
    rs = state.resources.get(src.resource)
    if rs is None:
        raise _invalid_source(src)
    if dst.resource is None:
        raise StateEditError("Invalid target address",
                             f"Cannot move {src} to {dst}: the target must also be a resource "
                             "or a resource instance, not a module.")
    if (src.resource.mode, src.resource.type) != (dst.resource.mode, dst.resource.type):
        raise StateEditError("Invalid state move request",
                             f"Cannot move {src} to {dst}: resource types don't match.")
    # A resource whose only instance has no key may move as that instance (to a key).
    whole = not src.keyed and not (dst.keyed and set(rs.instances) == {None})
    if whole:
        if dst.keyed:
            raise StateEditError("Invalid target address",
                                 f"Cannot move {src} to {dst}: the source is a whole resource "
                                 "(not a resource instance) so the target must also be a whole "
                                 "resource.")
        if dst.resource in state.resources:
            raise StateEditError("Invalid target address",
                                 f"Cannot move to {dst}: there is already a resource at that "
                                 "address in the current state.")
        del state.resources[src.resource]
        rs.addr = dst.resource
        state.resources[dst.resource] = rs
        return Move(str(src), str(dst))
    key = src.key if src.keyed else None
    if key not in rs.instances:
        raise _invalid_source(src)
    to = InstanceAddr(dst.resource, dst.key if dst.keyed else None)
    if state.instance(to) is not None:
        raise StateEditError("Invalid target address",
                             f"Cannot move to {to}: there is already a resource instance at "
                             "that address in the current state.")
    src_addr = InstanceAddr(src.resource, key)
    _move_instance(state, rs, src_addr, to)
    return Move(str(src_addr), str(to))


def _move_instance(state: State, rs: ResourceState, src: InstanceAddr,
                   to: InstanceAddr) -> None:
    dest = state.resources.get(to.resource)
    if dest is None:
        dest = state.resources[to.resource] = ResourceState(to.resource, rs.provider)
    dest.instances[to.key] = rs.instances.pop(src.key)
    for dkey in [d for k, d in rs.deposed if k == src.key]:
        dest.deposed[(to.key, dkey)] = rs.deposed.pop((src.key, dkey))
    dest.each_mode = _each_mode_of(dest)
    if not rs.instances and not rs.deposed:
        del state.resources[src.resource]
    else:
        rs.each_mode = _each_mode_of(rs)


def _move_module(state: State, src: Target, dst: Target) -> Move:
    if dst.resource is not None:
        raise StateEditError("Invalid target address",
                             f"Cannot move {src} to {dst}: the target must also be a module.")
    old, new = src.module, dst.module
    if old == new[:len(old)]:
        raise StateEditError("Invalid target address",
                             f"Cannot move {src} to {dst}: a module cannot move into itself.")
    moving = [a for a in state.resources if _in_module(a, old)]
    if not moving:
        raise StateEditError("Invalid source address",
                             f"Cannot move {module_str(old)}: does not match anything in the "
                             "current state.")
    if any(_in_module(a, new) for a in state.resources):
        raise StateEditError("Invalid target address",
                             f"Cannot move to {module_str(new)}: there is already a module "
                             "instance at that address in the current state.")
    for addr in moving:
        rs = state.resources.pop(addr)
        rs.addr = _rehome(addr, old, new)
        state.resources[rs.addr] = rs
    return Move(module_str(old), module_str(new))


def matching_instances(state: State, addresses: list[str]) -> list[InstanceAddr]:
    """The instances (in state order) that ``addresses`` (modules, resources or instances)
    name. Raises StateEditError naming the first address that matches nothing."""
    targets = [_parse(text, "target") for text in addresses]
    found: list[InstanceAddr] = []
    for target in targets:
        hits = [a for a in _all_instances(state) if target.matches(a)]
        if not hits:
            raise StateEditError("Invalid target address",
                                 f"No matching objects found for {target}. To view the "
                                 'available instances, use "vpnform state list". Please '
                                 "modify the address to reference a specific instance.")
        found.extend(hits)
    return sorted(set(found))


def _all_instances(state: State) -> list[InstanceAddr]:
    keys = {InstanceAddr(a, k) for a, rs in state.resources.items() for k in rs.instances}
    keys |= {InstanceAddr(a, k) for a, rs in state.resources.items() for k, _ in rs.deposed}
    return sorted(keys)


def remove(state: State, addresses: list[str]) -> list[InstanceAddr]:
    """Forget the instances ``addresses`` name (with their deposed objects), without
    touching infrastructure; the removed instances, in order. Raises StateEditError
    (state unchanged) when an address matches nothing."""
    doomed = matching_instances(state, addresses)
    for addr in doomed:
        rs = state.resources.get(addr.resource)
        if rs is None:
            continue
        rs.instances.pop(addr.key, None)
        for k in [k for k in rs.deposed if k[0] == addr.key]:
            del rs.deposed[k]
        if not rs.instances and not rs.deposed:
            del state.resources[addr.resource]
    return doomed


def _content(state: State) -> dict:
    data = codec.encode_state(state)
    return {k: v for k, v in data.items() if k not in ("serial", "lineage", "terraform_version")}


def check_push(stored: State | None, pushed: State) -> None:
    """Terraform's checks before ``state push`` replaces ``stored`` with ``pushed``: an
    empty or missing stored state may be replaced by anything; otherwise the lineage must
    be the same, the serial not lower, and an equal serial must carry equal content.
    Raises StateEditError."""
    if stored is None or (stored.empty and not stored.outputs):
        return
    if stored.lineage != pushed.lineage:
        raise StateEditError("Failed to write state",
                             f"cannot import state with lineage {pushed.lineage!r} over "
                             f"unrelated state with lineage {stored.lineage!r}.")
    if stored.serial > pushed.serial:
        raise StateEditError("Failed to write state",
                             f"cannot import state with serial {pushed.serial} over newer "
                             f"state with serial {stored.serial}.")
    if stored.serial == pushed.serial and _content(stored) != _content(pushed):
        raise StateEditError("Failed to write state",
                             "cannot overwrite existing state with serial "
                             f"{stored.serial} with a different state that has the same "
                             "serial.")


def keep_in_flight(stored: State | None, pushed: State) -> list[str]:
    """Carry ``stored``'s creates still in flight (journalled idempotency tokens of a
    crashed apply, which ``state pull`` does not print) into ``pushed``, unless ``pushed``
    holds an object at that address: a push must never make vpnform lose track of an
    object the cloud may have created. The next plan adopts them. Returns their addresses."""
    if stored is None:
        return []
    kept = []
    for address, pending in sorted(stored.in_flight.items()):
        if address in pushed.in_flight or _has_instance(pushed, address):
            continue
        pushed.in_flight[address] = pending
        kept.append(address)
    return kept


def _has_instance(state: State, address: str) -> bool:
    addr = parse_instance(address)
    rs = state.resources.get(addr.resource)
    return rs is not None and addr.key in rs.instances
