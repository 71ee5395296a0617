"""Values in the textual form ``terraform console`` prints them.

``render_value(v)``: strings quoted (Go ``strconv.Quote``) or, when multi-line, as a
heredoc; numbers in full fixed-point notation; ``tolist([...])``, ``toset([...])``,
``tomap({...})`` for typed collections (engine.values ListValue / SetValue / MapValue),
``[...]`` for tuples and ``{...}`` for objects (attributes sorted), one element a line
indented by two spaces; ``(sensitive value)``, ``(known after apply)`` and ``null``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ..values import ListValue, MapValue, Sensitive, SetValue, Unknown, format_number

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v", "\\": "\\\\", '"': '\\"'}


def _printable(ch: str) -> bool:
    """Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space."""
    if ch == " ":
        return True
    return unicodedata.category(ch)[0] in "LMNPS"


def go_quote(s: str) -> str:
    """``s`` as Go's strconv.Quote writes it."""
    out = ['"']
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            o = ord(ch)
            if o < 0x80:
                out.append(f"\\x{o:02x}")
            elif o < 0x10000:
                out.append(f"\\u{o:04x}")
            else:
                out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def _heredoc(s: str, indent: int) -> str:
    lines = s.split("\n")
    op = "<<-" if indent > 0 else "<<"
    delim = "EOT"
    while any(line.strip() == delim for line in lines):
        delim += "_"
    pad = " " * indent
    return op + delim + "".join("\n" + pad + line for line in lines) + "\n" + pad + delim


def _set_order(items: list) -> list:
    def plain(x: Any) -> Any:
        return x.value if isinstance(x, Sensitive) else x

    vals = [plain(x) for x in items]
    if all(isinstance(v, str) for v in vals):
        return [x for _, x in sorted(zip(vals, items), key=lambda p: p[0])]
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return [x for _, x in sorted(zip(vals, items), key=lambda p: p[0])]
    return list(items)


def render_value(v: Any, indent: int = 0) -> str:
    """The text ``terraform console`` prints for ``v``."""
    if isinstance(v, Unknown):
        return "(known after apply)"
    if isinstance(v, Sensitive):
        return "(sensitive value)"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format_number(v)
    if isinstance(v, str):
        if "\n" in v:
            return _heredoc(v, indent)
        return go_quote(v)
    if isinstance(v, list):
        if isinstance(v, SetValue):
            prefix, suffix, items = "toset([", "])", _set_order(v)
        elif isinstance(v, ListValue):
            prefix, suffix, items = "tolist([", "])", list(v)
        else:
            prefix, suffix, items = "[", "]", list(v)
        if not items:
            return prefix + suffix
        pad = " " * (indent + 2)
        body = "".join(f"\n{pad}{render_value(x, indent + 2)}," for x in items)
        return prefix + body + "\n" + " " * indent + suffix
    if isinstance(v, dict):
        prefix, suffix = ("tomap({", "})") if isinstance(v, MapValue) else ("{", "}")
        if not v:
            return prefix + suffix
        pad = " " * (indent + 2)
        body = "".join(f"\n{pad}{render_value(k, indent + 2)} = {render_value(v[k], indent + 2)}"
                       for k in sorted(v))
        return prefix + body + "\n" + " " * indent + suffix
    return str(v)


__all__ = ["render_value", "go_quote"]
