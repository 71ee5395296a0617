"""Functions that exist only in ``console``: type(), which shows a value's type.

They are not in ``standard_functions()``: the evaluator offers them only to expressions
read from the console (engine/config/evaluate.py, CONSOLE_FILENAME), as Terraform does.
What type() returns can only be shown: evaluate() refuses a result computed from it.
"""

from __future__ import annotations

from typing import Any, Callable

from ..diagnostics import Diagnostics, SourceRange
from ..values import ListValue, MapValue, SetValue, Type, Unknown, strip_sensitive
from .functions import Function, with_core_names

_PRIMITIVES = ("string", "number", "bool", "dynamic", "type")


class TypeValue:
    """What type() returns: printed by the console as Terraform prints the type."""

    made = 0  # how many were ever made: none outside `vpnform console` (evaluate.py reads it)

    def __init__(self, text: str):
        TypeValue.made += 1
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"TypeValue({self.text!r})"


def _type_of(v: Any) -> tuple:
    v = strip_sensitive(v)
    if isinstance(v, Unknown):
        return _from_constraint(v.type)
    if v is None:
        return ("dynamic",)
    if isinstance(v, TypeValue):
        return ("type",)
    if isinstance(v, bool):
        return ("bool",)
    if isinstance(v, (int, float)):
        return ("number",)
    if isinstance(v, str):
        return ("string",)
    if isinstance(v, (ListValue, SetValue, MapValue)):
        items = list(v.values()) if isinstance(v, MapValue) else list(v)
        known = [x for x in items if strip_sensitive(x) is not None]
        kind = "set" if isinstance(v, SetValue) else "list" if isinstance(v, ListValue) else "map"
        return (kind, _type_of(known[0]) if known else ("dynamic",))
    if isinstance(v, list):
        return ("tuple", [_type_of(x) for x in v])
    if isinstance(v, dict):
        return ("object", {k: _type_of(x) for k, x in v.items()})
    return ("dynamic",)


def _from_constraint(t: Type | None) -> tuple:
    name = str(t) if t is not None else "dynamic"
    return (name if name in _PRIMITIVES else "dynamic",)


def type_string(t: tuple, level: int = 0) -> str:
    """A type as terraform console prints it: nested structural types one per line."""
    pad, inner = "    " * level, "    " * (level + 1)
    kind = t[0]
    if kind in _PRIMITIVES:
        return kind
    if kind in ("list", "set", "map"):
        elem = t[1]
        if elem[0] in ("tuple", "object"):
            return f"{kind}(\n{inner}{type_string(elem, level + 1)},\n{pad})"
        return f"{kind}({type_string(elem, level)})"
    if kind == "tuple":
        if not t[1]:
            return "tuple([])"
        body = "".join(f"\n{inner}{type_string(e, level + 1)}," for e in t[1])
        return f"tuple([{body}\n{pad}])"
    if not t[1]:
        return "object({})"
    body = "".join(f"\n{inner}{k}: {type_string(t[1][k], level + 1)},"
                   for k in sorted(t[1]))
    return f"object({{{body}\n{pad}}})"


def _type(eval_arg: Callable, args: list, call_range: SourceRange | None
          ) -> tuple[Any, Diagnostics]:
    diags = Diagnostics()
    if not args:
        diags.error("Not enough function arguments",
                    'Function "type" expects 1 argument(s). Missing value for "value".',
                    call_range)
        return Unknown(), diags
    if len(args) > 1:
        diags.error("Too many function arguments", 'Function "type" expects only 1 argument(s).',
                    args[1].range)
        return Unknown(), diags
    value, d = eval_arg(args[0])
    diags.extend(d)
    if d.has_errors:
        return Unknown(), diags
    return TypeValue(type_string(_type_of(value))), diags


CONSOLE_FUNCTIONS: dict[str, Function] = with_core_names({
    "type": Function(special=_type, description="The type of a value (console only)."),
})

__all__ = ["CONSOLE_FUNCTIONS", "TypeValue", "type_string"]
