"""Configuration written for imported objects (``plan -generate-config-out=FILE``).

As Terraform does: every argument the schema lets configuration set (required or
optional, never computed-only), sorted by name, nested blocks as blocks, sensitive
arguments written as ``null # sensitive`` (never their value), the file in canonical
``fmt`` style under a ``# __generated__ by vpnform`` header. An optional argument the
provider computes when it is not set is left out while its value is empty (null, "", 0,
false, [] or {}): unset, it plans as the value it has, while the empty value written out
may be one configuration is not allowed to set (a VPN gateway's ``max_connection = 0``).
"""

from __future__ import annotations

import json
from typing import Any

from ..addrs import InstanceAddr
from ..config.fmt import format_source
from ..schema import Block
from ..values import Sensitive, format_number, unmark

HEADER = ("# __generated__ by vpnform\n"
          "# Please review these resources and move them into your main configuration "
          "files.\n")


def hcl_string(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.replace("${", "$${").replace("%{", "%%{")


def hcl_literal(v: Any, indent: int = 0) -> str:
    """``v`` as an HCL expression (lists on one line, maps one entry per line)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format_number(v)
    if isinstance(v, str):
        return hcl_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(hcl_literal(x, indent) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        pad = " " * (indent + 2)
        rows = [f"{pad}{k if k.isidentifier() else hcl_string(k)} = "
                f"{hcl_literal(v[k], indent + 2)}" for k in sorted(v)]
        return "{\n" + "\n".join(rows) + "\n" + " " * indent + "}"
    raise TypeError(f"cannot write {type(v).__name__} as configuration")


def _body(block: Block, value: dict, marks: set, path: tuple, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for name in sorted(block.attributes):
        attr = block.attributes[name]
        if not (attr.required or attr.optional):
            continue  # computed only: the cloud decides it
        v = value.get(name)
        if attr.optional and attr.computed and _is_empty(v):
            continue  # left unset, the provider computes this same value
        if attr.sensitive or (path + (name,)) in marks or isinstance(v, Sensitive):
            lines.append(f"{pad}{name} = null # sensitive")
        else:
            lines.append(f"{pad}{name} = {hcl_literal(v, indent)}")
    for name in sorted(block.block_types):
        items = value.get(name) or []
        for i, item in enumerate(items if isinstance(items, list) else [items]):
            if not isinstance(item, dict):
                continue
            lines.append(f"{pad}{name} {{")
            lines.extend(_body(block.block_types[name].block, item, marks,
                               path + (name, i), indent + 2))
            lines.append(f"{pad}}}")
    return lines


def _is_empty(v: Any) -> bool:
    return v is None or (not isinstance(v, Sensitive) and v in ("", 0, False, [], {}))


def resource_block(addr: InstanceAddr, block: Block, value: dict, import_id: str,
                   provider: str | None = None) -> str:
    """One ``resource`` block for the object ``value`` imported with ``import_id``;
    ``provider`` is a non-default configuration (``tencentcloud.hk``) to name."""
    plain, marks = unmark(value)
    lines = [f"# __generated__ by vpnform from {hcl_string(import_id)}",
             f'resource "{addr.resource.type}" "{addr.resource.name}" {{']
    if provider:
        lines.append(f"  provider = {provider}")
    lines.extend(_body(block, plain, {tuple(p) for p in marks}, (), 2))
    lines.append("}")
    return "\n".join(lines) + "\n"


def file_text(blocks: list[str]) -> str:
    """The whole generated file, formatted as ``vpnform fmt`` writes it."""
    return format_source(HEADER + "".join("\n" + b for b in blocks))
