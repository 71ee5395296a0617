"""Lifecycle rules shared by plan and apply."""

from __future__ import annotations

from typing import Any


def ignore_changes(config: dict, prior: dict, lifecycle, block) -> dict:
    """The configuration with every ignored attribute (``ignore_changes``) set to what the
    prior object has, so differences there plan nothing — as Terraform does."""
    out = dict(config)
    if lifecycle.ignore_changes == ["*"]:  # ignore_changes = all
        for name in list(out):
            attr = block.attributes.get(name)
            if attr is None or not attr.is_computed_only:
                out[name] = prior.get(name)
        return out
    for path in lifecycle.ignore_changes_paths:
        _set_path(out, prior, path)
    return out


def _set_path(target: dict, source: Any, path: tuple) -> None:
    """target[path] = source[path] (copying containers on the way; a missing source value
    removes the key)."""
    head, rest = path[0], path[1:]
    src = source.get(head) if isinstance(source, dict) else None
    if not rest:
        target[head] = src
        return
    inner = target.get(head)
    if isinstance(inner, dict):
        inner = dict(inner)
        target[head] = inner
        if isinstance(rest[0], str) and isinstance(src, (dict, type(None))):
            if len(rest) == 1:
                value = (src or {}).get(rest[0])
                if value is None:
                    inner.pop(rest[0], None)
                else:
                    inner[rest[0]] = value
            else:
                _set_path(inner, src or {}, rest)
    elif isinstance(inner, list) and isinstance(rest[0], int) and isinstance(src, list):
        inner = list(inner)
        target[head] = inner
        if rest[0] < len(inner) and rest[0] < len(src):
            if len(rest) == 1:
                inner[rest[0]] = src[rest[0]]
            elif isinstance(inner[rest[0]], dict):
                item = dict(inner[rest[0]])
                inner[rest[0]] = item
                _set_path(item, src[rest[0]], rest[1:])


__all__ = ["ignore_changes"]
