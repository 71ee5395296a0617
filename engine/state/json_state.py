"""State in Terraform's machine-readable JSON (``show -json``, format 1.0), and the value
helpers every JSON document shares.

Values carry Sensitive marks and Unknowns; JSON has neither. ``json_value`` omits unknown
attributes (as Terraform does) and, unlike Terraform, replaces every sensitive part with
``null`` unless ``show_sensitive``: the path stays in ``sensitive_values`` (or
``before_sensitive``/``after_sensitive``) as ``true``, so a reader can tell a redacted
value from a real null.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..addrs import DATA, MANAGED, InstanceAddr, ModulePath, ProviderConfigAddr, ResourceAddr, module_str
from ..values import Sensitive, Unknown, mark_paths, redact_text
from .codec import infer_type
from .model import TAINTED, State

FORMAT_VERSION = "1.0"

_OMIT = object()


def json_value(v: Any, show_sensitive: bool = False) -> Any:
    """``v`` as plain JSON: unknowns left out of objects (null in lists), sensitive parts
    null unless ``show_sensitive``."""

    def walk(x: Any) -> Any:
        if isinstance(x, Sensitive):
            inner = x.value
            if isinstance(inner, Unknown):
                return _OMIT
            return walk(inner) if show_sensitive else None
        if isinstance(x, Unknown):
            return _OMIT
        if isinstance(x, dict):
            out = {}
            for k in sorted(x):
                val = walk(x[k])
                if val is not _OMIT:
                    out[str(k)] = val
            return out
        if isinstance(x, (list, tuple)):
            return [None if val is _OMIT else val for val in map(walk, x)]
        return x

    out = walk(v)
    return None if out is _OMIT else out


def unknown_shape(v: Any) -> Any:
    """Terraform's ``after_unknown``: ``true`` where the value is unknown, objects keep
    only their non-false entries, lists keep every position."""
    if isinstance(v, Sensitive):
        return unknown_shape(v.value)
    if isinstance(v, Unknown):
        return True
    if isinstance(v, dict):
        out = {}
        for k in sorted(v):
            s = unknown_shape(v[k])
            if s is not False:
                out[str(k)] = s
        return out
    if isinstance(v, (list, tuple)):
        return [unknown_shape(x) for x in v]
    return False


def sensitive_shape(v: Any) -> Any:
    """Terraform's ``sensitive_values`` / ``*_sensitive``: ``true`` where the value is
    sensitive, objects keep only their non-false entries, lists keep every position."""
    if isinstance(v, Sensitive):
        return True
    if isinstance(v, dict):
        out = {}
        for k in sorted(v):
            s = sensitive_shape(v[k])
            if s is not False:
                out[str(k)] = s
        return out
    if isinstance(v, (list, tuple)):
        return [sensitive_shape(x) for x in v]
    return False


def scrub(doc: Any, secrets: Iterable[str]) -> Any:
    """A last line of defence: every string in ``doc`` with each known secret replaced by
    ``(sensitive value)`` (a secret copied into an attribute the schema does not mark)."""
    secrets = frozenset(secrets)
    if not secrets:
        return doc

    def walk(x: Any) -> Any:
        if isinstance(x, str):
            return redact_text(x, secrets)
        if isinstance(x, dict):
            return {walk(k): walk(val) for k, val in x.items()}
        if isinstance(x, list):
            return [walk(val) for val in x]
        return x

    return walk(doc)


# --- resources and modules ------------------------------------------------------------

def resource_json(addr: InstanceAddr, provider: ProviderConfigAddr | None, value: Any,
                  schema_version: int, show_sensitive: bool) -> dict:
    """One ``resources[]`` element of a values representation (``value`` marked)."""
    r = addr.resource
    out: dict = {"address": str(addr), "mode": "data" if r.mode == DATA else "managed",
                 "type": r.type, "name": r.name}
    if addr.key is not None:
        out["index"] = addr.key
    out["provider_name"] = provider.source if provider else ""
    out["schema_version"] = schema_version
    out["values"] = json_value(value, show_sensitive) if value is not None else {}
    out["sensitive_values"] = sensitive_shape(value) if value is not None else {}
    return out


def module_tree(resources: list[tuple[InstanceAddr, dict]]) -> dict:
    """A ``root_module`` with nested ``child_modules`` holding the given resource entries.
    Empty lists are left out, as Terraform does."""
    root: dict = {"resources": [], "children": {}}
    for addr, entry in sorted(resources, key=lambda x: x[0].sort_key()):
        node = root
        path: ModulePath = ()
        for step in addr.resource.module:
            path = path + (step,)
            node = node["children"].setdefault(path, {"resources": [], "children": {}})
        node["resources"].append(entry)

    def emit(node: dict, path: ModulePath) -> dict:
        out: dict = {}
        if node["resources"]:
            out["resources"] = node["resources"]
        if path:
            out["address"] = module_str(path)
        kids = [emit(node["children"][p], p)
                for p in sorted(node["children"], key=lambda p: ResourceAddr(MANAGED, "", "", p))]
        if kids:
            out["child_modules"] = kids
        return out

    return emit(root, ())


def outputs_json(outputs: dict, show_sensitive: bool) -> dict:
    out = {}
    for name in sorted(outputs):
        ov = outputs[name]
        value = ov.value
        hidden = ov.sensitive and not show_sensitive
        out[name] = {"sensitive": bool(ov.sensitive),
                     "value": None if hidden else json_value(value, show_sensitive),
                     "type": ov.type if ov.type is not None else infer_type(
                         json_value(value, True))}
    return out


def state_values(state: State, show_sensitive: bool,
                 extra: list[tuple[InstanceAddr, dict]] | None = None) -> dict:
    """The ``values`` representation of a state (plus extra resource entries, e.g. data
    sources read while planning)."""
    entries = []
    for addr, rs, obj in state.instances():
        value = mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])
        entry = resource_json(addr, rs.provider, value, obj.schema_version, show_sensitive)
        if obj.dependencies:
            entry["depends_on"] = list(obj.dependencies)
        if obj.status == TAINTED:
            entry["tainted"] = True
        entries.append((addr, entry))
    entries.extend(extra or [])
    return {"outputs": outputs_json(state.outputs, show_sensitive),
            "root_module": module_tree(entries)}


def state_json(state: State | None, version: str, show_sensitive: bool = False) -> dict:
    """``vpnform show -json`` of a state. No state: only the format version, as Terraform."""
    if state is None or (state.empty and not state.outputs):
        return {"format_version": FORMAT_VERSION}
    return {"format_version": FORMAT_VERSION, "terraform_version": version,
            "values": state_values(state, show_sensitive)}
