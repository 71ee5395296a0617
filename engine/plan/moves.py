"""``moved`` blocks: re-address recorded objects before planning, touching nothing remote.

Applied to the prior state in declaration order (so chains A -> B -> C work). A move whose
source holds nothing is already done and is skipped; one whose destination already holds
an object is skipped with a warning, as Terraform does.
"""

from __future__ import annotations

from ..addrs import (AddressError, InstanceAddr, ModuleInstanceStep, ResourceAddr, Target,
                     parse_target)
from ..diagnostics import Diagnostics
from ..state.model import State


def apply_moves(state: State, moves: list) -> tuple[State, dict, Diagnostics]:
    """(moved state, {new InstanceAddr: address it had before}, diagnostics)."""
    diags = Diagnostics()
    out = state.deepcopy()
    previous: dict[InstanceAddr, InstanceAddr] = {}
    for m in moves:
        try:
            src, dst = parse_target(m.from_), parse_target(m.to)
        except AddressError as err:
            diags.error("Invalid move statement", str(err), m.range)
            continue
        if (src.resource is None) != (dst.resource is None):
            diags.error("Invalid move statement",
                        f"This statement declares a move from {m.from_} to {m.to}: a module "
                        "can move only to a module, a resource only to a resource.", m.range)
            continue
        if src.resource is not None and (src.resource.mode, src.resource.type) != (
                dst.resource.mode, dst.resource.type):
            diags.error("Resource type mismatch",
                        f"This statement declares a move from {m.from_} to {m.to}, which is "
                        "a resource of a different type.", m.range)
            continue
        for addr, rs, obj in list(out.instances()):
            new = _rewrite(addr, src, dst)
            if new is None or new == addr:
                continue
            if out.instance(new) is not None:
                diags.warning("Moved object still exists",
                              f"This statement declares a move from {addr} to {new}, but both "
                              "addresses hold an object in the state; the move is ignored. "
                              f"Remove the moved block, or the object at {new}, to resolve "
                              "this.", m.range)
                continue
            each_mode = ("count" if isinstance(new.key, int) else
                         "for_each" if isinstance(new.key, str) else None)
            out.set_instance(addr, rs.provider, None)
            out.set_instance(new, rs.provider, obj, each_mode)
            previous[new] = previous.pop(addr, addr)
    return out, previous, diags


def _rewrite(addr: InstanceAddr, src: Target, dst: Target) -> InstanceAddr | None:
    r = addr.resource
    if src.resource is None:  # module move: every resource under the module instance(s)
        path = _move_module_path(r.module, src.module, dst.module)
        if path is None:
            return None
        return InstanceAddr(ResourceAddr(r.mode, r.type, r.name, path), addr.key)
    s = src.resource
    if (r.mode, r.type, r.name, r.module) != (s.mode, s.type, s.name, s.module):
        return None
    if src.keyed:
        if addr.key != src.key:
            return None
        key = dst.key if dst.keyed else None
    elif dst.keyed:
        if addr.key is not None:
            return None
        key = dst.key
    else:
        key = addr.key
    return InstanceAddr(dst.resource, key)


def _move_module_path(path: tuple, src: tuple, dst: tuple) -> tuple | None:
    if len(path) < len(src):
        return None
    carry = None
    for i, (s, p) in enumerate(zip(src, path)):
        if s.name != p.name:
            return None
        last = i == len(src) - 1
        if s.key is not None:
            if p.key != s.key:
                return None
        elif last and dst[-1].key is None:
            carry = p.key  # module.a[k] -> module.b[k]
        elif p.key is not None:
            return None
    new_dst = dst if carry is None else dst[:-1] + (ModuleInstanceStep(dst[-1].name, carry),)
    return tuple(new_dst) + tuple(path[len(src):])


__all__ = ["apply_moves"]
