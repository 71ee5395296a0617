"""swanctl.conf text from VICI-shaped connections and shared secrets (pure: no I/O).

The same connection dicts that are loaded over VICI (``load-conn``, ``load-shared``) are
written here as a file a stock strongSwan loads with ``swanctl --load-all --file <file>``,
so a file and a loaded charon agree by construction.
"""

from __future__ import annotations

import base64
import re

_PLAIN = re.compile(r"[A-Za-z0-9_.:/@%+*-]+")
_QUOTABLE = re.compile(r"[ !#$%&'()*+,\-./0-9:;<=>?@A-Z\[\]^_`a-z{|}~]*")


def _value(v: str) -> str:
    v = str(v)
    if _PLAIN.fullmatch(v):
        return v
    return '"' + v + '"'


def _secret(psk: str) -> str:
    # swanctl.conf strings cannot carry every character; 0s<base64> carries any PSK.
    if _QUOTABLE.fullmatch(psk) and psk and psk == psk.strip():
        return '"' + psk + '"'
    return "0s" + base64.b64encode(psk.encode()).decode()


def _section(name: str, body: dict, indent: int) -> list[str]:
    pad = "    " * indent
    lines = [f"{pad}{name} {{"]
    for key, val in body.items():
        if isinstance(val, dict):
            lines += _section(key, val, indent + 1)
        elif isinstance(val, list):
            lines.append(f"{pad}    {key} = {', '.join(_value(v) for v in val)}")
        else:
            lines.append(f"{pad}    {key} = {_value(val)}")
    lines.append(f"{pad}}}")
    return lines


def render(connections: dict, secrets: dict[str, dict], header: list[str] = ()) -> str:
    """A whole swanctl.conf: ``header`` lines (written as ``#`` comments), a
    ``connections`` section of ``{name: VICI connection body}`` and a ``secrets`` section of
    ``{section name: VICI load-shared message}`` (IKE pre-shared keys: owners and data)."""
    lines = [f"# {h}" if h else "#" for h in header]
    lines += ([""] if header else []) + ["connections {"]
    for name, body in connections.items():
        lines += _section(name, body, 1)
    lines += ["}", "", "secrets {"]
    for name, secret in secrets.items():
        lines.append(f"    {name} {{")
        for i, owner in enumerate(secret["owners"], 1):
            lines.append(f"        id-{i} = {_value(owner)}")
        lines.append(f"        secret = {_secret(secret['data'])}")
        lines.append("    }")
    lines += ["}", ""]
    return "\n".join(lines)
