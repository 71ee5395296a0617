"""What refresh found changed outside vpnform: recorded object vs. object read back.

Compared through the resource's schema, so only real changes count: sets (and set-nested
blocks) compare regardless of order, and an absent value equals an empty collection. In
a normal plan only what the configuration can set is reported (a status attribute moving
on by itself is not drift anyone acted on); a refresh-only plan reports everything.
"""

from __future__ import annotations

import json
from typing import Any

from ..addrs import MANAGED
from ..provider_set import ProviderSet
from ..schema import SET, Block
from ..state.model import State
from ..values import ListType, mark_paths
from .model import Action, ResourceInstanceChange


def detect_drift(prior: State, refreshed: State, providers: ProviderSet,
                 everything: bool = False) -> dict:
    """InstanceAddr -> ResourceInstanceChange (UPDATE: changed, DELETE: gone)."""
    out: dict = {}
    for addr, rs, obj in prior.instances():
        if addr.resource.mode != MANAGED:
            continue
        schema = providers.resource_schema(rs.provider.name, addr.resource.type)
        block = schema.block if schema is not None else Block()
        before = mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])
        new = refreshed.instance(addr)
        blocks = sorted(block.block_types)
        if new is None:
            out[addr] = ResourceInstanceChange(addr, rs.provider, Action.DELETE, before, None,
                                               block_types=blocks)
            continue
        changed = changed_attributes(obj.attributes, new.attributes, block)
        if not everything:
            changed = [n for n in changed if n not in block.attributes
                       or not block.attributes[n].is_computed_only]
        if changed:
            after = mark_paths(new.attributes, [tuple(p) for p in new.sensitive_paths])
            if not everything:
                # what the configuration cannot set is shown as it was, not as drift
                after = dict(after)
                for n, a in block.attributes.items():
                    if a.is_computed_only and n in before:
                        after[n] = before[n]
            out[addr] = ResourceInstanceChange(addr, rs.provider, Action.UPDATE, before, after,
                                               block_types=blocks)
    return out


def changed_attributes(old: dict, new: dict, block: Block) -> list[str]:
    """Top-level names whose values really differ."""
    out = []
    for n in sorted(set(old) | set(new)):
        a, b = old.get(n), new.get(n)
        t = type(a)
        if t is type(b) and t in _SAME_WHEN_EQUAL and a == b:
            continue  # most attributes of a no-change refresh: no call, no repr
        if not same_value(a, b, _shape(block, n)):
            out.append(n)
    return out


# Scalar types whose equal values are identical (same repr; not float: 0.0 == -0.0)
_SAME_WHEN_EQUAL = frozenset({str, int, bool, type(None)})


def _shape(block: Block, name: str) -> Any:
    """What a value of ``name`` is: a type, a nested block (with its nesting), or None."""
    if name in block.attributes:
        return block.attributes[name].type
    if name in block.block_types:
        return block.block_types[name]
    return None


def same_value(a: Any, b: Any, shape: Any = None) -> bool:
    if a == b and repr(a) == repr(b):
        # identical (repr tells True from 1 and 1 from 1.0, which == does not): equal
        # whatever the normal form; most values of a no-change refresh take this path
        return True
    return _canon(_normal(a, shape)) == _canon(_normal(b, shape))


def _normal(v: Any, shape: Any) -> Any:
    """``v`` in a form where equal means "no real change": sets sorted (at any depth the
    schema says so), empty collections as null."""
    if v is None or (isinstance(v, (list, dict)) and not v):
        return None
    nested = getattr(shape, "block", None)
    if nested is not None and isinstance(v, list):  # a nested block type
        items = [_normal_object(x, nested) for x in v]
        return sorted(items, key=_canon) if shape.nesting == SET else items
    if isinstance(shape, ListType) and isinstance(v, list):
        items = [_normal(x, shape.element) for x in v]
        return sorted(items, key=_canon) if shape.kind == "set" else items
    if isinstance(v, dict):
        return {k: _normal(x, None) for k, x in v.items() if _normal(x, None) is not None}
    if isinstance(v, list):
        return [_normal(x, None) for x in v]
    return v


def _normal_object(v: Any, block: Block) -> Any:
    if not isinstance(v, dict):
        return _normal(v, None)
    out = {}
    for k, x in v.items():
        n = _normal(x, _shape(block, k))
        if n is not None:
            out[k] = n
    return out


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str)


__all__ = ["detect_drift", "changed_attributes", "same_value"]
