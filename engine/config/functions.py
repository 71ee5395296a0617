"""The built-in functions of the configuration language and the machinery to call them.

A ``Function`` declares its parameters (name, type, how it treats null, unknown and
sensitive arguments); ``call_function`` checks and converts arguments, propagates unknown
and sensitive marks, and turns failures into diagnostics naming the argument. Add a
function with the ``@builtin(...)`` decorator; ``standard_functions()`` returns the table
(each function under its name and under ``core::name``).
"""

from __future__ import annotations

import ipaddress
import json
import math
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..diagnostics import Diagnostics, SourceRange
from ..values import ListValue as _ListValue
from ..values import MapValue as _MapValue
from ..values import SetValue as _SetValue
from ..values import (
    ANY,
    BOOL,
    NUMBER,
    STRING,
    ConversionError,
    ListType,
    MapType,
    NumberError,
    Sensitive,
    Type,
    Unknown,
    contains_sensitive,
    format_number,
    is_wholly_known,
    leaves,
    loads_json,
    parse_number,
    sort_set,
    strip_sensitive,
    type_name_of,
    unmark,
)

# How a parameter treats sensitive marks on its argument.
DEEP = "deep"  # remove every mark; the result is marked if any was present (the default)
SHALLOW = "shallow"  # remove only the argument's own mark; marks of elements pass through
KEEP = "keep"  # the function sees marks and unknowns as they are (sensitive / nonsensitive)


class FunctionError(Exception):
    """Raised by a function implementation. ``arg``: index of the offending argument."""

    def __init__(self, message: str, arg: int | None = None):
        super().__init__(message)
        self.message = message
        self.arg = arg


@dataclass(frozen=True)
class Param:
    name: str
    type: Type = ANY
    allow_null: bool = False
    allow_unknown: bool = False  # the implementation copes with unknowns inside the value
    marks: str = DEEP


@dataclass(frozen=True)
class Function:
    params: tuple = ()  # tuple[Param, ...]
    impl: Callable | None = None
    variadic: Param | None = None
    return_type: Type | None = None  # type of the Unknown returned for unknown arguments
    needs_context: bool = False  # impl(ctx, *args): for file() and friends
    # A function whose arguments are expressions rather than values (can, try):
    # special(eval_arg, arg_exprs, call_range) -> (value, Diagnostics), where
    # eval_arg(expr) -> (value, Diagnostics) evaluates one argument in the caller's scope
    # (with needs_context: special(ctx, eval_arg, arg_exprs, call_range)).
    special: Callable | None = None
    description: str = ""

    def arity_text(self) -> str:
        return f"{len(self.params)} argument(s)"


_REGISTRY: dict[str, Function] = {}


def builtin(name: str, *params: Param, variadic: Param | None = None,
            return_type: Type | None = None, needs_context: bool = False,
            special: bool = False) -> Callable:
    """Register the decorated callable as the built-in function ``name``."""

    def deco(fn: Callable) -> Callable:
        _REGISTRY[name] = Function(
            tuple(params), None if special else fn, variadic, return_type, needs_context,
            fn if special else None, (fn.__doc__ or "").strip())
        return fn

    return deco


def standard_functions() -> dict[str, Function]:
    """A fresh table of every built-in function (callers may add their own)."""
    return with_core_names(_REGISTRY)


def with_core_names(table: dict[str, Function]) -> dict[str, Function]:
    """``table`` with each function also under its namespaced name, ``core::abs`` for
    ``abs``, as Terraform offers every built-in function."""
    return {**table, **{f"core::{name}": fn for name, fn in table.items()}}


# ---------------------------------------------------------------------------------------
# Calling


def _norm(v: Any) -> Any:
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return v


def call_function(name: str, fn: Function, args: list, arg_ranges: list,
                  call_range: SourceRange | None, ctx: Any = None) -> tuple[Any, Diagnostics]:
    """Check, convert and call. Unknown arguments give an Unknown result, marked arguments a
    Sensitive result; argument problems become "Invalid function argument" diagnostics."""
    diags = Diagnostics()
    n_fixed = len(fn.params)
    if len(args) < n_fixed:
        missing = fn.params[len(args)]
        diags.error("Not enough function arguments",
                    f'Function "{name}" expects {n_fixed} argument(s). Missing value for '
                    f'"{missing.name}".', call_range)
        return Unknown(fn.return_type), diags
    if len(args) > n_fixed and fn.variadic is None:
        diags.error("Too many function arguments",
                    f'Function "{name}" expects only {n_fixed} argument(s).',
                    arg_ranges[n_fixed] if len(arg_ranges) > n_fixed else call_range)
        return Unknown(fn.return_type), diags

    marked = False
    unknown = False
    converted: list = []
    for i, arg in enumerate(args):
        param = fn.params[i] if i < n_fixed else fn.variadic
        assert param is not None
        where = arg_ranges[i] if i < len(arg_ranges) else call_range
        if param.marks == DEEP:
            plain, paths = unmark(arg)
            marked = marked or bool(paths)
        elif param.marks == SHALLOW:
            marked = marked or isinstance(arg, Sensitive)
            plain = strip_sensitive(arg)
        else:
            plain = arg
        bare = strip_sensitive(plain)
        if param.marks == KEEP:
            converted.append(plain)
            continue
        if isinstance(bare, Unknown) or (not param.allow_unknown and not is_wholly_known(bare)):
            unknown = True
            converted.append(plain)
            continue
        if bare is None:
            if not param.allow_null:
                diags.error("Invalid function argument",
                            f'Invalid value for "{param.name}" parameter: argument must not be '
                            "null.", where)
            converted.append(plain)
            continue
        try:
            converted.append(param.type.convert(plain))
        except ConversionError as e:
            diags.error("Invalid function argument",
                        f'Invalid value for "{param.name}" parameter: '
                        f'{_conversion_words(str(e), arg)}.', where)
            converted.append(plain)
    if diags.has_errors:
        return Unknown(fn.return_type), diags
    if unknown:
        result: Any = Unknown(fn.return_type)
        return (Sensitive(result) if marked else result), diags
    assert fn.impl is not None
    try:
        result = fn.impl(ctx, *converted) if fn.needs_context else fn.impl(*converted)
    except TypeError:
        if all(_is_data(a) for a in converted):
            raise
        # an argument that is not configuration data: what the console's type() returns,
        # which Terraform lets through (marked) and the console then refuses to show
        return Unknown(fn.return_type), diags
    except FunctionError as e:
        if e.arg is not None and e.arg < len(args):
            param = fn.params[e.arg] if e.arg < n_fixed else fn.variadic
            why = _conversion_words(e.message, args[e.arg])
            diags.error("Invalid function argument",
                        f'Invalid value for "{param.name}" parameter: {_sentence(why)}',
                        arg_ranges[e.arg] if e.arg < len(arg_ranges) else call_range)
        else:
            diags.error("Error in function call",
                        f'Call to function "{name}" failed: {_sentence(e.message)}', call_range)
        return Unknown(fn.return_type), diags
    result = _norm(result)
    if marked and not isinstance(result, Sensitive):
        result = Sensitive(result)
    return result, diags


def _is_data(v: Any) -> bool:
    return all(x is None or isinstance(x, (bool, int, float, str, Unknown)) for x in leaves(v))


def _conversion_words(why: str, arg: Any) -> str:
    """Terraform's words for a sensitive value that does not convert: it says what the
    value is, never quotes it ("cannot convert this sensitive string to number")."""
    m = re.match(r"cannot convert .+ to (\w+)$", why, flags=re.DOTALL)
    if m is None or not contains_sensitive(arg):
        return why
    return f"cannot convert this sensitive {type_name_of(strip_sensitive(arg))} to {m.group(1)}"


def _sentence(msg: str) -> str:
    msg = msg.strip()
    return msg if msg.endswith((".", "?", "!", "\n")) else msg + "."


# ---------------------------------------------------------------------------------------
# Value helpers shared by the implementations


def _kind(v: Any) -> str:
    """The kind of a structural or collection value: tuple, list, set, object or map."""
    if isinstance(v, _SetValue):
        return "set"
    if isinstance(v, _ListValue):
        return "list"
    if isinstance(v, _MapValue):
        return "map"
    return "tuple" if isinstance(v, list) else "object"


def values_equal(a: Any, b: Any) -> bool:
    """Terraform equality on known values: type and value must both match, so a tuple never
    equals a list (``[1] == tolist([1])`` is false) nor an object a map. Sensitive marks are
    looked through; the caller marks the result."""
    a, b = strip_sensitive(a), strip_sensitive(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        if _kind(a) != _kind(b) or len(a) != len(b):
            return False
        if isinstance(a, _SetValue):  # elements are unique: equal sets hold the same ones
            return all(any(values_equal(x, y) for y in b) for x in a)
        return all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return (_kind(a) == _kind(b) and a.keys() == b.keys()
                and all(values_equal(a[k], b[k]) for k in a))
    return False


def to_display_string(v: Any) -> str:
    """A primitive as a template renders it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format_number(v)
    return str(v)


def _unify(items: list, what: str, arg: int = 0, source: str = "tuple") -> list:
    """Make a collection's elements one type, as Terraform's tolist/tomap/toset do: a mix
    of strings and other primitives becomes strings; tuples of one length tuples, other
    tuples and lists lists, of unified elements; objects with the same attributes objects,
    other objects and maps maps, of unified attributes."""
    try:
        shape = _unified_shape([_shape(x) for x in items])
    except ValueError:
        raise FunctionError(f"cannot convert {source} to {what} of any single type",
                            arg) from None
    return items if shape is None else [_convert_to(x, shape) for x in items]


_PRIMITIVE_SHAPES = ("string", "number", "bool")


def _shape(v: Any) -> Any:
    """A value's type as a comparable shape: "string", ("list", element), ("tuple",
    elements), ("object", ((name, shape), ...)), ...; None for null or unknown."""
    v = strip_sensitive(v)
    if v is None or isinstance(v, Unknown):
        return None
    if isinstance(v, (bool, int, float, str)):
        return type_name_of(v)
    if isinstance(v, (_SetValue, _ListValue)):
        kind = "set" if isinstance(v, _SetValue) else "list"
        return (kind, _unified_shape([_shape(x) for x in v]))
    if isinstance(v, _MapValue):
        return ("map", _unified_shape([_shape(x) for x in v.values()]))
    if isinstance(v, list):
        return ("tuple", tuple(_shape(x) for x in v))
    if isinstance(v, dict):
        return ("object", tuple(sorted((k, _shape(x)) for k, x in v.items())))
    raise ValueError(v)


def _unified_shape(shapes: list) -> Any:
    """The one shape all of ``shapes`` convert to (None: no constraint); ValueError if
    there is none."""
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    if all(s == known[0] for s in known):
        return known[0]
    if all(s in _PRIMITIVE_SHAPES for s in known) and "string" in known:
        return "string"  # numbers and bools convert to strings, not to each other
    kinds = {s[0] if isinstance(s, tuple) else s for s in known}
    if kinds == {"tuple"} and len({len(s[1]) for s in known}) == 1:
        return ("tuple", tuple(_unified_shape([s[1][i] for s in known])
                               for i in range(len(known[0][1]))))
    if kinds <= {"tuple", "list", "set"}:
        return ("set" if "set" in kinds else "list",
                _unified_shape([e for s in known for e in
                                (s[1] if s[0] == "tuple" else (s[1],))]))
    if kinds <= {"object", "map"}:
        names = {tuple(k for k, _ in s[1]) for s in known if s[0] == "object"}
        if kinds == {"object"} and len(names) == 1:
            return ("object", tuple((k, _unified_shape([dict(s[1])[k] for s in known]))
                                    for k in names.pop()))
        return ("map", _unified_shape([e for s in known for e in
                                        ([x for _, x in s[1]] if s[0] == "object" else [s[1]])]))
    raise ValueError(shapes)


def _convert_to(v: Any, shape: Any) -> Any:
    if isinstance(v, Sensitive):
        return Sensitive(_convert_to(v.value, shape))
    if v is None or shape is None or isinstance(v, Unknown):
        return v
    if shape == "string":
        return STRING.convert(v)
    if not isinstance(shape, tuple):
        return v
    kind, inner = shape
    if kind == "list":
        return _ListValue(_convert_to(x, inner) for x in v)
    if kind == "set":
        return _SetValue(sort_set(_distinct([_convert_to(x, inner) for x in v])))
    if kind == "map":
        return _MapValue((k, _convert_to(x, inner)) for k, x in v.items())
    if kind == "tuple":
        return [_convert_to(x, s) for x, s in zip(v, inner)]
    return {k: _convert_to(v[k], s) for k, s in inner}


def _distinct(items: list) -> list:
    out: list = []
    for x in items:
        if not any(values_equal(unmark(x)[0], unmark(y)[0]) for y in out):
            out.append(x)
    return out


def _whole(n: Any, what: str, arg: int) -> int:
    if isinstance(n, float):
        if not n.is_integer():
            raise FunctionError(f"{what} must be a whole number", arg)
        return int(n)
    return n


# ---------------------------------------------------------------------------------------
# Collections

@builtin("length", Param("value", ANY, allow_unknown=True, marks=SHALLOW), return_type=NUMBER)
def fn_length(value: Any) -> Any:
    """The number of elements of a collection, or characters of a string."""
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise FunctionError("argument must be a string, a collection type, or a structural type")


@builtin("concat", variadic=Param("seqs", ANY, marks=SHALLOW, allow_unknown=True))
def fn_concat(*seqs: Any) -> Any:
    if not seqs:
        raise FunctionError("at least one argument is required")
    out: list = []
    for i, s in enumerate(seqs):
        if not isinstance(s, list):
            raise FunctionError("all arguments must be lists or tuples; got "
                                f"{type_name_of(s)}", i)
        out.extend(s)
    return out


@builtin("merge", variadic=Param("maps", ANY, allow_null=True, marks=SHALLOW,
                                 allow_unknown=True))
def fn_merge(*maps: Any) -> Any:
    out: dict = {}
    for i, m in enumerate(maps):
        if m is None:
            continue
        if not isinstance(m, dict):
            raise FunctionError(f'arguments must be maps or objects, got "{type_name_of(m)}"')
        out.update(m)
    return out


@builtin("lookup", Param("inputMap", ANY, marks=SHALLOW, allow_unknown=True),
         Param("key", STRING), variadic=Param("default", ANY, allow_null=True, marks=SHALLOW,
                                              allow_unknown=True))
def fn_lookup(input_map: Any, key: str, *default: Any) -> Any:
    if len(default) > 1:
        raise FunctionError("lookup() takes at most three arguments", 3)
    if not isinstance(input_map, dict):
        raise FunctionError("map or object required", 0)
    if key in input_map:
        return input_map[key]
    if default:
        return default[0]
    raise FunctionError(f'lookup failed to find key "{key}"', 1)


@builtin("element", Param("list", ANY, marks=SHALLOW, allow_unknown=True),
         Param("index", NUMBER))
def fn_element(lst: Any, index: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError(f"cannot read elements from {type_name_of(lst)}")
    index = _whole(index, "index", 1)
    if not lst:
        raise FunctionError("cannot use element function with an empty list")
    if index < 0:
        raise FunctionError("cannot use element function with a negative index", 1)
    return lst[index % len(lst)]


@builtin("contains", Param("list", ANY), Param("value", ANY, allow_null=True),
         return_type=BOOL)
def fn_contains(lst: Any, value: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError("argument must be list, tuple, or set")
    return any(values_equal(x, value) for x in lst)


@builtin("keys", Param("inputMap", ANY, marks=SHALLOW, allow_unknown=True))
def fn_keys(m: Any) -> Any:
    if not isinstance(m, dict):
        raise FunctionError("must have map or object type", 0)
    return _ListValue(sorted(m)) if isinstance(m, _MapValue) else sorted(m)


@builtin("values", Param("mapping", ANY, marks=SHALLOW, allow_unknown=True))
def fn_values(m: Any) -> Any:
    if not isinstance(m, dict):
        raise FunctionError("values() requires a map as the first argument")
    out = [m[k] for k in sorted(m)]
    return _ListValue(out) if isinstance(m, _MapValue) else out


@builtin("coalesce", variadic=Param("vals", ANY, allow_null=True))
def fn_coalesce(*vals: Any) -> Any:
    kinds = {type_name_of(v) for v in vals if v is not None}
    if len(kinds) > 1 and kinds <= {"string", "number", "bool"}:
        vals = tuple(STRING.convert(v) for v in vals)
    for v in vals:
        if v is not None and v != "":
            return v
    raise FunctionError("no non-null, non-empty-string arguments")


@builtin("compact", Param("list", ListType(STRING), marks=SHALLOW))
def fn_compact(lst: list) -> Any:
    return _ListValue(x for x in lst if strip_sensitive(x) not in (None, ""))


@builtin("distinct", Param("list", ANY, marks=SHALLOW))
def fn_distinct(lst: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError("list or set required", 0)
    return _ListValue(_distinct(lst))


@builtin("flatten", Param("list", ANY, marks=SHALLOW, allow_unknown=True))
def fn_flatten(lst: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError("can only flatten lists, sets and tuples")
    out: list = []

    def walk(items: list, marked: bool) -> None:
        for x in items:
            inner = strip_sensitive(x)
            if isinstance(inner, Unknown):
                raise _UnknownResult()
            if isinstance(inner, list):
                walk(inner, marked or isinstance(x, Sensitive))
            else:
                out.append(Sensitive(x) if marked else x)

    try:
        walk(lst, False)
    except _UnknownResult:
        return Unknown()
    return out


class _UnknownResult(Exception):
    pass


@builtin("range", variadic=Param("params", NUMBER))
def fn_range(*params: Any) -> Any:
    if not 1 <= len(params) <= 3:
        raise FunctionError("must have one, two, or three arguments")
    if len(params) == 1:
        start, limit, step = 0, params[0], 1
    elif len(params) == 2:
        start, limit = params
        step = 1 if limit >= start else -1
    else:
        start, limit, step = params
    if step == 0:
        raise FunctionError("step must not be zero", 2)
    out: list = []
    x = start
    while (x < limit) if step > 0 else (x > limit):
        if len(out) >= 1024:
            raise FunctionError("more than 1024 values were generated; either decrease the "
                                "difference between start and end or use a smaller step")
        out.append(_norm(x))
        x = x + step
    return _ListValue(out)


# ---------------------------------------------------------------------------------------
# Strings

@builtin("lower", Param("str", STRING), return_type=STRING)
def fn_lower(s: str) -> Any:
    return _map_runes(s, str.lower)


@builtin("upper", Param("str", STRING), return_type=STRING)
def fn_upper(s: str) -> Any:
    return _map_runes(s, str.upper)


def _map_runes(s: str, case: Callable[[str], str]) -> str:
    """Change case one character at a time, as Go does: a character without a
    single-character mapping (ß has only "SS") stays as it is."""
    out = []
    for c in s:
        mapped = _SIMPLE_CASE.get(c) if case is str.lower else None
        mapped = mapped or case(c)
        out.append(mapped if len(mapped) == 1 else c)
    return "".join(out)


_SIMPLE_CASE = {"\u0130": "i"}  # İ: Unicode's simple lowercase, where Python gives "i̇"


@builtin("trimspace", Param("str", STRING), return_type=STRING)
def fn_trimspace(s: str) -> Any:
    return s.strip()


@builtin("join", Param("separator", STRING), variadic=Param("lists", ListType(STRING)),
         return_type=STRING)
def fn_join(sep: str, *lists: list) -> Any:
    if not lists:
        raise FunctionError("at least one list is required")
    parts: list[str] = []
    for li, lst in enumerate(lists):
        for i, x in enumerate(lst):
            if x is None:
                raise FunctionError(f"element {i} is null; cannot concatenate null values",
                                    li + 1)
            parts.append(x)
    return sep.join(parts)


@builtin("split", Param("separator", STRING), Param("str", STRING),
         return_type=ListType(STRING))
def fn_split(sep: str, s: str) -> Any:
    if sep == "":
        return _ListValue(s)
    return _ListValue(s.split(sep))


@builtin("replace", Param("str", STRING), Param("substr", STRING), Param("replace", STRING),
         return_type=STRING)
def fn_replace(s: str, sub: str, repl: str) -> Any:
    if len(sub) > 1 and sub.startswith("/") and sub.endswith("/"):
        try:
            pattern = re.compile(sub[1:-1])
        except re.error as e:
            raise FunctionError(f"error parsing regexp: {e}") from None
        template = _go_replacement(repl)
        return pattern.sub(lambda m: m.expand(template), s)
    return s.replace(sub, repl)


def _go_replacement(repl: str) -> str:
    """Go regexp replacement syntax ($1, ${1}, ${name}, $$) -> Python's."""
    out = []
    i = 0
    while i < len(repl):
        c = repl[i]
        if c == "\\":
            out.append("\\\\")
            i += 1
        elif c == "$" and i + 1 < len(repl):
            nxt = repl[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt == "{":
                end = repl.find("}", i)
                if end < 0:
                    out.append("$")
                    i += 1
                else:
                    out.append(f"\\g<{repl[i + 2:end]}>")
                    i = end + 1
            else:
                m = re.match(r"[A-Za-z0-9_]+", repl[i + 1:])
                if m:
                    out.append(f"\\g<{m.group(0)}>")
                    i += 1 + len(m.group(0))
                else:
                    out.append("$")
                    i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@builtin("substr", Param("str", STRING), Param("offset", NUMBER), Param("length", NUMBER),
         return_type=STRING)
def fn_substr(s: str, offset: Any, length: Any) -> Any:
    offset = _whole(offset, "offset", 1)
    length = _whole(length, "length", 2)
    n = len(s)
    if offset < 0:
        offset = max(n + offset, 0)
    if offset > n:
        return ""
    if length < 0:
        return s[offset:]
    return s[offset:offset + length]


_FORMAT_VERB = re.compile(r"%(?P<flags>[-+# 0]*)(?P<width>\d+)?(?:\.(?P<prec>\d+))?(?P<verb>.)",
                          re.S)


@builtin("format", Param("format", STRING), variadic=Param("args", ANY, allow_null=True),
         return_type=STRING)
def fn_format(fmt: str, *args: Any) -> Any:
    out = []
    i = 0
    argi = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        if fmt.startswith("%%", i):
            out.append("%")
            i += 2
            continue
        m = _FORMAT_VERB.match(fmt, i)
        if not m:
            raise FunctionError(f"invalid format verb at offset {i}")
        verb = m.group("verb")
        if argi >= len(args):
            raise FunctionError(f'not enough arguments for "%{verb}" at {i}: need index '
                                f"{argi + 1} but have {len(args)} total")
        out.append(_format_one(m, args[argi], argi + 1))
        argi += 1
        i = m.end()
    if argi < len(args):
        raise FunctionError(f"too many arguments; only {argi} used by format string")
    return "".join(out)


def _format_one(m: re.Match, v: Any, argn: int) -> str:
    flags, width, prec, verb = m.group("flags"), m.group("width"), m.group("prec"), m.group(
        "verb")
    spec_prefix = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
    if verb == "v":
        if isinstance(v, (list, dict)):
            text = _json_dumps(v)
        elif v is None:
            text = "null"
        else:
            text = to_display_string(v)
        return (spec_prefix.replace("#", "") + "s") % text
    if verb == "s":
        try:
            text = STRING.convert(v)
        except ConversionError as e:
            raise FunctionError(f'unsupported value for "%s" at {argn}: {e}') from None
        if text is None:
            raise FunctionError(f'unsupported value for "%s" at {argn}: null value cannot be '
                                "formatted")
        return (spec_prefix + "s") % text
    if verb == "q":
        text = STRING.convert(v) if v is not None else None
        if text is None:
            raise FunctionError(f'unsupported value for "%q" at {argn}: null value cannot be '
                                "formatted")
        return (spec_prefix.replace("#", "") + "s") % json.dumps(text, ensure_ascii=False)
    if verb == "t":
        try:
            b = BOOL.convert(v)
        except ConversionError as e:
            raise FunctionError(f'unsupported value for "%t" at {argn}: {e}') from None
        return (spec_prefix + "s") % ("true" if b else "false")
    if verb in "dbxXoeEfgG":
        try:
            n = NUMBER.convert(v)
        except ConversionError as e:
            raise FunctionError(f'unsupported value for "%{verb}" at {argn}: {e}') from None
        if n is None:
            raise FunctionError(f'unsupported value for "%{verb}" at {argn}: null value cannot '
                                "be formatted")
        if verb in "dbxXo":
            if isinstance(n, float) and not n.is_integer():
                raise FunctionError(f'unsupported value for "%{verb}" at {argn}: number must be '
                                    "a whole number")
            n = int(n)
            if verb == "b":
                return format(n, (flags.replace("#", "") + (width or "")) + "b")
            return (spec_prefix + ("d" if verb == "d" else verb)) % n
        try:
            return (spec_prefix + verb) % float(n)
        except OverflowError:  # a whole number beyond a float's range
            raise FunctionError(f'unsupported value for "%{verb}" at {argn}: the number is '
                                'too large for this verb; use "%d"') from None
    raise FunctionError(f'unsupported format verb "%{verb}"')


@builtin("tostring", Param("v", ANY, allow_null=True), return_type=STRING)
def fn_tostring(v: Any) -> Any:
    if v is None:
        return None
    if not isinstance(v, (str, int, float, bool)):
        kind = type_name_of(v) if _is_data(v) else "type"  # the console's type()
        raise FunctionError(f"cannot convert {kind} to string", 0)
    return to_display_string(v)


@builtin("tonumber", Param("v", ANY, allow_null=True), return_type=NUMBER)
def fn_tonumber(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise FunctionError(f"cannot convert {type_name_of(v)} to number", 0)
    if isinstance(v, str):
        try:
            return parse_number(v)
        except NumberError as err:
            raise FunctionError(f"cannot convert this string to number: {err}", 0) from None
        except ValueError:
            raise FunctionError(f'cannot convert "{v}" to number', 0) from None
    return v


@builtin("tobool", Param("v", ANY, allow_null=True), return_type=BOOL)
def fn_tobool(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        try:
            return BOOL.convert(v)  # "true"/"false", and "1"/"0" as Terraform converts them
        except ConversionError:
            pass
    raise FunctionError(f"cannot convert {type_name_of(v)} to bool"
                        if not isinstance(v, str) else f'cannot convert "{v}" to bool', 0)


@builtin("tolist", Param("v", ANY, allow_null=True, marks=SHALLOW), return_type=ListType())
def fn_tolist(v: Any) -> Any:
    if v is None:
        return None
    if not isinstance(v, list):
        raise FunctionError(f"cannot convert {type_name_of(v)} to list", 0)
    if isinstance(v, _SetValue):
        return _ListValue(sort_set(v))
    return _ListValue(_unify(v, "list", 0, type_name_of(v)))


@builtin("toset", Param("v", ANY, allow_null=True, marks=SHALLOW), return_type=ListType())
def fn_toset(v: Any) -> Any:
    if v is None:
        return None
    if not isinstance(v, list):
        raise FunctionError(f"cannot convert {type_name_of(v)} to set", 0)
    return _SetValue(sort_set(_distinct(_unify(v, "set", 0, type_name_of(v)))))


@builtin("tomap", Param("v", ANY, allow_null=True, marks=SHALLOW), return_type=MapType())
def fn_tomap(v: Any) -> Any:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise FunctionError(f"cannot convert {type_name_of(v)} to map", 0)
    keys = list(v)
    return _MapValue(zip(keys, _unify([v[k] for k in keys], "map", 0, type_name_of(v))))


# ---------------------------------------------------------------------------------------
# Numbers

@builtin("min", variadic=Param("numbers", NUMBER), return_type=NUMBER)
def fn_min(*numbers: Any) -> Any:
    if not numbers:
        raise FunctionError("must pass at least one number")
    return min(numbers)


@builtin("max", variadic=Param("numbers", NUMBER), return_type=NUMBER)
def fn_max(*numbers: Any) -> Any:
    if not numbers:
        raise FunctionError("must pass at least one number")
    return max(numbers)


@builtin("abs", Param("num", NUMBER), return_type=NUMBER)
def fn_abs(n: Any) -> Any:
    return abs(n)


@builtin("ceil", Param("num", NUMBER), return_type=NUMBER)
def fn_ceil(n: Any) -> Any:
    return n if isinstance(n, int) or math.isinf(n) else math.ceil(n)


@builtin("floor", Param("num", NUMBER), return_type=NUMBER)
def fn_floor(n: Any) -> Any:
    return n if isinstance(n, int) or math.isinf(n) else math.floor(n)


# ---------------------------------------------------------------------------------------
# Network

def _network(prefix: str, arg: int | None = None) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network of a CIDR prefix. Terraform reports a bad prefix as a failure of the call,
    except for cidrsubnets (``arg=0``)."""
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        raise FunctionError(f"invalid CIDR expression: invalid CIDR address: {prefix}",
                            arg) from None


def _whole_number(n: Any) -> int:
    if isinstance(n, float) and not n.is_integer():
        raise FunctionError("value must be a whole number")
    return int(n)


@builtin("cidrhost", Param("prefix", STRING), Param("hostnum", NUMBER), return_type=STRING)
def fn_cidrhost(prefix: str, hostnum: Any) -> Any:
    net = _network(prefix)
    hostnum = _whole_number(hostnum)
    size = net.num_addresses
    if hostnum >= size or hostnum < -size:
        raise FunctionError(f"prefix of {net.prefixlen} does not accommodate a host numbered "
                            f"{hostnum}")
    base = int(net.network_address)
    addr = base + hostnum if hostnum >= 0 else base + size + hostnum
    return str(ipaddress.ip_address(addr) if net.version == 4 else ipaddress.IPv6Address(addr))


@builtin("cidrnetmask", Param("prefix", STRING), return_type=STRING)
def fn_cidrnetmask(prefix: str) -> Any:
    net = _network(prefix)
    if net.version != 4:
        raise FunctionError(f"IPv6 addresses cannot have a netmask: {prefix}")
    return str(net.netmask)


@builtin("cidrsubnet", Param("prefix", STRING), Param("newbits", NUMBER),
         Param("netnum", NUMBER), return_type=STRING)
def fn_cidrsubnet(prefix: str, newbits: Any, netnum: Any) -> Any:
    net = _network(prefix)
    newbits = _whole_number(newbits)
    netnum = _whole_number(netnum)
    if newbits < 0:
        raise FunctionError("must not be negative", 1)
    new_len = net.prefixlen + newbits
    if new_len > net.max_prefixlen:
        raise FunctionError(f"insufficient address space to extend prefix of {net.prefixlen} "
                            f"by {newbits}")
    if netnum < 0 or netnum >= (1 << newbits):
        raise FunctionError(f"prefix extension of {newbits} does not accommodate a subnet "
                            f"numbered {netnum}")
    base = int(net.network_address) | (netnum << (net.max_prefixlen - new_len))
    addr = ipaddress.IPv4Address(base) if net.version == 4 else ipaddress.IPv6Address(base)
    return f"{addr}/{new_len}"


# ---------------------------------------------------------------------------------------
# Encoding, files, marks

def _json_dumps(v: Any) -> str:
    def check(x: Any) -> None:
        if isinstance(x, float) and not math.isfinite(x):
            raise FunctionError("cannot encode an infinite number as JSON", 0)
        if isinstance(x, list):
            for y in x:
                check(y)
        elif isinstance(x, dict):
            for y in x.values():
                check(y)

    check(v)
    text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # Terraform (Go's encoding/json) escapes these so the output is safe to embed in HTML
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@builtin("jsonencode", Param("val", ANY, allow_null=True), return_type=STRING)
def fn_jsonencode(v: Any) -> Any:
    return _json_dumps(v)


@builtin("jsondecode", Param("str", STRING))
def fn_jsondecode(s: str) -> Any:
    try:
        value = loads_json(s)
    except json.JSONDecodeError as e:
        raise FunctionError(f"invalid JSON: {e.msg} at line {e.lineno}, column {e.colno}"
                            ) from None
    except ValueError as e:  # a number vpnform refuses, or nesting too deep
        raise FunctionError(str(e)) from None

    def norm(x: Any) -> Any:
        if isinstance(x, list):
            return [norm(y) for y in x]
        if isinstance(x, dict):
            return {k: norm(y) for k, y in x.items()}
        return _norm(x)

    return norm(value)


@builtin("file", Param("path", STRING), needs_context=True, return_type=STRING)
def fn_file(ctx: Any, path: str) -> Any:
    full = _module_path(ctx, path)
    try:
        with open(full, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise FunctionError(
            f'no file exists at "{path}"; this function works only with files that are '
            "distributed as part of the configuration source code, so if this file will be "
            "created by a resource in this configuration you must instead obtain this result "
            "from an attribute of that resource", 0) from None
    except OSError as e:
        raise FunctionError(f'failed to read "{path}": {e.strerror}', 0) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(f'contents of "{path}" are not valid UTF-8; use the filebase64 '
                            "function to obtain the Base64 encoded contents or the other file "
                            "functions (e.g. filemd5, filesha256) to obtain file hashing "
                            "results instead", 0) from None


def _module_path(ctx: Any, path: str) -> str:
    """A path as the file functions read it: relative ones from the root module's
    directory (Terraform's working directory), whichever module the call is in."""
    base = getattr(ctx, "base_dir", None) or "."
    return path if os.path.isabs(path) else os.path.join(base, path)


def _read_bytes(ctx: Any, path: str) -> bytes:
    try:
        with open(_module_path(ctx, path), "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise FunctionError(f'no file exists at "{path}"', 0) from None
    except OSError as e:
        raise FunctionError(f'failed to read "{path}": {e.strerror}', 0) from None


@builtin("fileexists", Param("path", STRING), needs_context=True, return_type=BOOL)
def fn_fileexists(ctx: Any, path: str) -> Any:
    full = _module_path(ctx, path)
    if not os.path.exists(full):
        return False
    if os.path.isdir(full):
        raise FunctionError(f'"{path}" is a directory, not a file')
    if not os.path.isfile(full):
        raise FunctionError(f'"{path}" is not a regular file')
    return True


@builtin("fileset", Param("path", STRING), Param("pattern", STRING), needs_context=True,
         return_type=ListType(STRING))
def fn_fileset(ctx: Any, path: str, pattern: str) -> Any:
    """The regular files under ``path`` matching ``pattern`` (*, **, ?, [class], {a,b}),
    relative to ``path``."""
    joined = os.path.normpath(os.path.join(path, pattern))
    try:
        matcher = _glob_regex(os.path.normpath(pattern))
    except ValueError:
        raise FunctionError(f'failed to glob pattern "{joined}": syntax error in pattern'
                            ) from None
    root = _module_path(ctx, path)
    found = []
    for current, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            full = os.path.join(current, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if os.path.isfile(full) and matcher.fullmatch(rel):
                found.append(rel)
    return SetValue(sorted(found))


def _glob_regex(pattern: str) -> re.Pattern:
    """A doublestar pattern (Go's filepath.Match plus ** and {a,b}) as a regular
    expression over "/"-separated paths; ValueError for a malformed one."""
    out, i, braces = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i) and (i == 0 or pattern[i - 1] == "/"):
            if pattern.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
                continue
            if i + 2 == len(pattern):
                out.append(".*")
                i += 2
                continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1:i + 2] == "^" else i + 1)
            if end < 0:
                raise ValueError(pattern)
            body = pattern[i + 1:end]
            negate = body[:1] == "^"  # Go's filepath.Match: "!" is an ordinary character
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            out.append(f"[{'^' if negate else ''}{body}]")
            i = end
        elif c == "{":
            braces += 1
            out.append("(?:")
        elif c == "}" and braces:
            braces -= 1
            out.append(")")
        elif c == "," and braces:
            out.append("|")
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    if braces:
        raise ValueError(pattern)
    return re.compile("".join(out))


@builtin("filebase64", Param("path", STRING), needs_context=True, return_type=STRING)
def fn_filebase64(ctx: Any, path: str) -> Any:
    import base64
    return base64.b64encode(_read_bytes(ctx, path)).decode()


def _file_hash(algorithm: str, encode: Callable[[bytes], str]) -> Callable:
    def fn(ctx: Any, path: str) -> Any:
        # these open the file themselves in Terraform: Go's error, as the call's failure
        try:
            with open(_module_path(ctx, path), "rb") as f:
                data = f.read()
        except IsADirectoryError:
            raise FunctionError(f"read {path}: is a directory") from None
        except OSError as e:
            raise FunctionError(f"open {path}: {(e.strerror or str(e)).lower()}") from None
        return encode(hashlib.new(algorithm, data).digest())
    return fn


def _base64_text(digest: bytes) -> str:
    import base64
    return base64.b64encode(digest).decode()


for _name, _alg, _encode in (("filemd5", "md5", bytes.hex), ("filesha1", "sha1", bytes.hex),
                             ("filesha256", "sha256", bytes.hex),
                             ("filesha512", "sha512", bytes.hex),
                             ("filebase64sha256", "sha256", _base64_text),
                             ("filebase64sha512", "sha512", _base64_text)):
    builtin(_name, Param("path", STRING), needs_context=True, return_type=STRING)(
        _file_hash(_alg, _encode))


@builtin("templatefile", Param("path", STRING), Param("vars", ANY), needs_context=True,
         return_type=STRING)
def fn_templatefile(ctx: Any, path: str, variables: Any) -> Any:
    """Render the template file at ``path`` (relative to the module) with ``variables`` as
    its only names, as Terraform's templatefile does."""
    _check_template_vars(variables)
    try:
        text = _read_bytes(ctx, path).decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError(f'contents of "{path}" are not valid UTF-8', 0) from None
    return render_template(ctx, text, path, variables)


def _check_template_vars(variables: Any) -> None:
    if not isinstance(variables, dict):
        raise FunctionError("invalid vars value: must be a map", 1)
    for name in variables:
        if not re.fullmatch(r"[^\W\d]\w*", name):
            raise FunctionError(f'invalid template variable name "{name}": must start with a '
                                "letter, followed by zero or more letters, digits, and "
                                "underscores", 1)


FILESYSTEM_FUNCTIONS = ("file", "fileexists", "fileset", "filebase64", "filebase64sha256",
                        "filebase64sha512", "filemd5", "filesha1", "filesha256", "filesha512")


def _refused(message: str) -> Function:
    """A function a template may not call: any call fails with ``message``."""
    def refuse(*_args: Any) -> Any:
        raise FunctionError(message)
    return Function((), refuse, Param("args", ANY, allow_null=True, allow_unknown=True,
                                      marks=KEEP))


def _template_functions(from_string: bool) -> dict[str, Function]:
    """The functions a template may call: no template function (no recursion) and, in
    templatestring's templates, no filesystem access."""
    table = dict(_REGISTRY)
    for name in ("templatefile", "templatestring"):
        table[name] = _refused(f"cannot recursively call {name} from inside another "
                               "template function")
    if from_string:
        for name in FILESYSTEM_FUNCTIONS:
            table[name] = _refused(f"cannot use filesystem access functions like {name} in "
                                   "templatestring templates; consider passing the function "
                                   "result as a template variable instead")
    return with_core_names(table)


def render_template(ctx: Any, text: str, name: str, variables: dict,
                    from_string: bool = False) -> Any:
    """``text`` rendered as a template whose only names are ``variables``; ``name`` says
    where the text came from in messages (a file, or "<templatestring argument>")."""
    import secrets

    from . import evaluate as ev
    from . import hcl
    delimiter = "VPNFORMTEMPLATE" + secrets.token_hex(6).upper()
    ends_with_newline = text.endswith("\n")
    source = f"<<{delimiter}\n{text}{'' if ends_with_newline else chr(10)}{delimiter}\n"
    expr, diags = hcl.parse_expression(source, name)
    if expr is None or diags.has_errors:
        first = next(iter(diags.errors), None)
        raise FunctionError(f"{name}: {first.summary if first else 'invalid template'}: "
                            f"{first.detail if first else ''}".rstrip(": "), 0)

    def where(r: SourceRange | None) -> str:
        # line 1 of the source above is the heredoc's opening line
        return f"{name}:{r.start.line - 1},{r.start.column}-{r.end.column}" if r else name

    for t in expr.traversals():
        if t.root not in variables:
            raise FunctionError(f'vars map does not contain key "{t.root}", referenced at '
                                f"{where(t.range)}", 1)
    sub = ev.EvalContext(path_module=getattr(ctx, "path_module", "."),
                         path_root=getattr(ctx, "path_root", "."),
                         base_dir=getattr(ctx, "base_dir", "."),
                         bindings=dict(variables), declared_variables=set(),
                         declared_locals=set(), declared_resources=set(),
                         functions=_template_functions(from_string))
    value, diags = ev.evaluate(expr, sub)
    if diags.has_errors:
        first = diags.errors[0]
        raise FunctionError(f"{where(first.subject)}: {first.summary}; {first.detail}")
    if not ends_with_newline and isinstance(value, str) and value.endswith("\n"):
        value = value[:-1]
    return value


@builtin("templatestring", Param("template"), Param("vars"), special=True, needs_context=True)
def fn_templatestring(ctx: Any, eval_arg: Callable, args: list, call_range: SourceRange | None
                      ) -> tuple[Any, Diagnostics]:
    """Render the string a reference names (``local.tpl``) as a template: the template
    must come from elsewhere, never be written in the call itself."""
    from . import syntax as syn
    diags = Diagnostics()
    for param in ("template", "vars")[len(args):]:
        diags.error("Not enough function arguments",
                    f'Function "templatestring" expects 2 argument(s). Missing value for '
                    f'"{param}".', call_range)
        return Unknown(STRING), diags
    if len(args) > 2:
        diags.error("Too many function arguments",
                    'Function "templatestring" expects only 2 argument(s).', args[2].range)
        return Unknown(STRING), diags
    template_expr = args[0]
    problem = None
    if isinstance(template_expr, syn.TemplateWrapExpr):
        problem = ("templatestring is only for rendering templates retrieved dynamically from "
                   "elsewhere; to treat the inner expression as template syntax, write the "
                   "reference expression directly without any template interpolation syntax")
    elif isinstance(template_expr, syn.LiteralExpr) and isinstance(template_expr.value, str):
        problem = ("templatestring is only for rendering templates retrieved dynamically from "
                   "elsewhere, and so does not support providing a literal template; consider "
                   "using a template string expression instead")
    elif isinstance(template_expr, syn.TemplateExpr):
        problem = ("templatestring is only for rendering templates retrieved dynamically from "
                   "elsewhere, and so does not support providing a literal template; consider "
                   "using a template string expression instead"
                   if all(isinstance(p, syn.LiteralExpr) for p in template_expr.parts) else
                   "templatestring is only for rendering templates retrieved dynamically from "
                   "elsewhere; to render an inline template, consider using a plain template "
                   "string expression")
    elif not isinstance(template_expr, syn.ScopeTraversalExpr):
        problem = ("must be a direct reference to a single string from elsewhere, containing "
                   "valid Terraform template syntax")
    if problem:
        diags.error("Invalid function argument",
                    f'Invalid value for "template" parameter: invalid template expression: '
                    f"{problem}.", template_expr.range)
        return Unknown(STRING), diags
    values = []
    for a in args:
        v, d = eval_arg(a)
        diags.extend(d)
        values.append(v)
    if diags.has_errors:
        return Unknown(STRING), diags
    text = strip_sensitive(values[0])
    if not isinstance(text, (str, Unknown)) and text is not None:
        diags.error("Invalid function argument", 'Invalid value for "template" parameter: '
                    "invalid template value: a string is required.", template_expr.range)
        return Unknown(STRING), diags
    call = Function((Param("template", STRING), Param("vars", ANY)), _render_template_string,
                    return_type=STRING, needs_context=True)
    value, d = call_function("templatestring", call, values, [a.range for a in args],
                             call_range, ctx)
    diags.extend(d)
    return value, diags


def _render_template_string(ctx: Any, text: str, variables: Any) -> Any:
    _check_template_vars(variables)
    return render_template(ctx, text, "<templatestring argument>", variables, from_string=True)


@builtin("basename", Param("path", STRING), return_type=STRING)
def fn_basename(path: str) -> Any:
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    return os.path.basename(stripped)


@builtin("dirname", Param("path", STRING), return_type=STRING)
def fn_dirname(path: str) -> Any:
    # Go's filepath.Dir: everything up to the last separator, cleaned
    head = path[:path.rfind("/") + 1]
    return os.path.normpath(head) if head else "."


@builtin("abspath", Param("path", STRING), return_type=STRING)
def fn_abspath(path: str) -> Any:
    return os.path.abspath(path)


@builtin("pathexpand", Param("path", STRING), return_type=STRING)
def fn_pathexpand(path: str) -> Any:
    if not path.startswith("~"):
        return path
    if len(path) > 1 and path[1] != "/":
        raise FunctionError("cannot expand user-specific home dir")
    return os.path.expanduser("~") + path[1:]


@builtin("ephemeralasnull", Param("value", ANY, allow_null=True, allow_unknown=True,
                                  marks=KEEP))
def fn_ephemeralasnull(v: Any) -> Any:
    """Ephemeral parts of ``value`` as null; vpnform has no ephemeral values, so
    ``value`` itself."""
    return v


@builtin("sensitive", Param("value", ANY, allow_null=True, allow_unknown=True, marks=KEEP))
def fn_sensitive(v: Any) -> Any:
    return Sensitive(v)


@builtin("nonsensitive", Param("value", ANY, allow_null=True, allow_unknown=True, marks=KEEP))
def fn_nonsensitive(v: Any) -> Any:
    return strip_sensitive(v)


# ---------------------------------------------------------------------------------------
# Functions over expressions


@builtin("can", Param("expression"), special=True)
def fn_can(eval_arg: Callable, args: list, call_range: SourceRange | None
           ) -> tuple[Any, Diagnostics]:
    diags = Diagnostics()
    if len(args) != 1:
        diags.error("Not enough function arguments" if not args else "Too many function "
                    "arguments", 'Function "can" expects 1 argument(s).', call_range)
        return Unknown(BOOL), diags
    value, d = eval_arg(args[0])
    if d.has_errors:
        return False, diags
    if not is_wholly_known(value):
        return Unknown(BOOL), diags
    return True, diags


@builtin("try", variadic=Param("expressions"), special=True)
def fn_try(eval_arg: Callable, args: list, call_range: SourceRange | None
           ) -> tuple[Any, Diagnostics]:
    diags = Diagnostics()
    if not args:
        diags.error("Error in function call",
                    'Call to function "try" failed: at least one argument is required.',
                    call_range)
        return Unknown(), diags
    failures: list[str] = []
    for a in args:
        value, d = eval_arg(a)
        if d.has_errors:
            for e in d.errors:
                where = f" (at {e.subject})" if e.subject else ""
                failures.append(f"- {e.summary}{where}\n  {e.detail}")
            continue
        if not is_wholly_known(value):
            return Unknown(), diags
        return value, diags
    diags.error("Error in function call",
                'Call to function "try" failed: no expression succeeded:\n'
                + "\n".join(failures)
                + "\n\nAt least one expression must produce a successful result.", call_range)
    return Unknown(), diags


def function_names() -> list[str]:
    return sorted(_REGISTRY)


# ---------------------------------------------------------------------------------------
# Issue 4: the rest of the offline library (console differential suite)

import base64 as _base64  # noqa: E402
import csv as _csv  # noqa: E402
import hashlib as _hashlib  # noqa: E402
import io as _io  # noqa: E402
from fractions import Fraction as _Fraction  # noqa: E402

from ..values import ListValue, MapValue, SetValue, exact_of, make_number, round_binary  # noqa: E402,E501


def _same_kind(src: Any, out: list) -> list:
    """A list result of the same collection kind as ``src`` (tuple stays tuple)."""
    if isinstance(src, SetValue):
        return SetValue(out)
    if isinstance(src, ListValue):
        return ListValue(out)
    return out


@builtin("chomp", Param("str", STRING), return_type=STRING)
def fn_chomp(s: str) -> Any:
    return re.sub(r"(?:\r\n|\n)+\Z", "", s)


@builtin("startswith", Param("str", STRING), Param("prefix", STRING), return_type=BOOL)
def fn_startswith(s: str, p: str) -> Any:
    return s.startswith(p)


@builtin("strcontains", Param("str", STRING), Param("substr", STRING), return_type=BOOL)
def fn_strcontains(s: str, sub: str) -> Any:
    return sub in s


@builtin("endswith", Param("str", STRING), Param("suffix", STRING), return_type=BOOL)
def fn_endswith(s: str, p: str) -> Any:
    return s.endswith(p)


@builtin("strrev", Param("str", STRING), return_type=STRING)
def fn_strrev(s: str) -> Any:
    return s[::-1]


@builtin("title", Param("str", STRING), return_type=STRING)
def fn_title(s: str) -> Any:
    # Go's strings.Title: a letter after a separator (space, or ASCII punctuation other
    # than "_") starts a word
    def separates(c: str) -> bool:
        if c.isascii():
            return not (c.isalnum() or c == "_")
        return c.isspace()

    out, prev = [], " "
    for c in s:
        out.append(_map_runes(c, str.upper) if separates(prev) else c)
        prev = c
    return "".join(out)


@builtin("trim", Param("str", STRING), Param("cutset", STRING), return_type=STRING)
def fn_trim(s: str, cutset: str) -> Any:
    return s.strip(cutset)


@builtin("trimprefix", Param("str", STRING), Param("prefix", STRING), return_type=STRING)
def fn_trimprefix(s: str, p: str) -> Any:
    return s[len(p):] if p and s.startswith(p) else s


@builtin("trimsuffix", Param("str", STRING), Param("suffix", STRING), return_type=STRING)
def fn_trimsuffix(s: str, p: str) -> Any:
    return s[:-len(p)] if p and s.endswith(p) else s


@builtin("indent", Param("spaces", NUMBER), Param("str", STRING), return_type=STRING)
def fn_indent(n: Any, s: str) -> Any:
    pad = " " * _whole(n, "spaces", 0)
    return s.replace("\n", "\n" + pad)


@builtin("formatlist", Param("format", STRING), variadic=Param("args", ANY, allow_null=True),
         return_type=ListType(STRING))
def fn_formatlist(fmt: str, *args: Any) -> Any:
    n = None
    for i, a in enumerate(args):
        if isinstance(a, list):
            if n is not None and len(a) != n:
                raise FunctionError(f"argument {i + 1} has length {len(a)}, which is "
                                    f"inconsistent with argument 1 of length {n}")
            n = len(a)
    if n is None:
        n = 1
    return ListValue(fn_format(fmt, *[a[j] if isinstance(a, list) else a for a in args])
                     for j in range(n))


def _go_regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)  # Go RE2 syntax is a subset Python accepts
    except re.error as e:
        raise FunctionError(f"invalid regular expression pattern: {e}", 0) from None


def _match_value(p: re.Pattern, m: re.Match) -> Any:
    if p.groupindex:
        return {name: m.group(name) or "" for name in p.groupindex}
    if p.groups:
        return [g if g is not None else "" for g in m.groups()]
    return m.group(0)


@builtin("regex", Param("pattern", STRING), Param("string", STRING))
def fn_regex(pattern: str, s: str) -> Any:
    p = _go_regex(pattern)
    m = p.search(s)
    if m is None:
        raise FunctionError("pattern did not match any part of the given string")
    return _match_value(p, m)


@builtin("regexall", Param("pattern", STRING), Param("string", STRING), return_type=ListType())
def fn_regexall(pattern: str, s: str) -> Any:
    p = _go_regex(pattern)
    return ListValue(_match_value(p, m) for m in p.finditer(s))


@builtin("alltrue", Param("list", ListType(BOOL)), return_type=BOOL)
def fn_alltrue(lst: list) -> Any:
    return all(x is True for x in lst)


@builtin("anytrue", Param("list", ListType(BOOL)), return_type=BOOL)
def fn_anytrue(lst: list) -> Any:
    return any(x is True for x in lst)


@builtin("chunklist", Param("list", ListType(), marks=SHALLOW), Param("size", NUMBER),
         return_type=ListType())
def fn_chunklist(lst: list, size: Any) -> Any:
    size = _whole(size, "size", 1)
    if size < 0:
        raise FunctionError("the size argument must be positive")
    if size == 0:
        return ListValue([ListValue(lst)])
    return ListValue(ListValue(lst[i:i + size]) for i in range(0, len(lst), size))


@builtin("coalescelist", variadic=Param("vals", ANY, marks=SHALLOW))
def fn_coalescelist(*vals: Any) -> Any:
    for i, v in enumerate(vals):
        if not isinstance(v, list):
            raise FunctionError("coalescelist arguments must be lists or tuples")
        if v:
            return v
    raise FunctionError("no non-null arguments")


@builtin("index", Param("list", ANY), Param("value", ANY), return_type=NUMBER)
def fn_index(lst: Any, value: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError("argument must be a list or tuple", 0)
    for i, x in enumerate(lst):
        if values_equal(x, value):
            return i
    raise FunctionError("item not found")


@builtin("matchkeys", Param("values", ListType(), marks=SHALLOW), Param("keys", ListType()),
         Param("searchset", ListType()), return_type=ListType())
def fn_matchkeys(vals: list, keys: list, search: list) -> Any:
    if len(vals) != len(keys):
        raise FunctionError("length of keys and values should be equal")
    return ListValue(v for v, k in zip(vals, keys) if any(values_equal(k, s) for s in search))


@builtin("one", Param("list", ANY, marks=SHALLOW))
def fn_one(lst: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError("must be a list, set, or tuple value", 0)
    if len(lst) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one "
                            "elements", 0)
    return lst[0] if lst else None


@builtin("reverse", Param("list", ANY, marks=SHALLOW))
def fn_reverse(lst: Any) -> Any:
    if not isinstance(lst, list) or isinstance(lst, SetValue):
        raise FunctionError("can only reverse list or tuple values", 0)
    return _same_kind(lst, list(reversed(lst)))


def _set_args(sets: tuple, unify: bool = True) -> list[list]:
    """The sets' elements; with ``unify``, of one type across every set (a mix of
    primitives becomes strings, as Terraform unifies the arguments of setunion,
    setintersection and setsubtract)."""
    out = []
    for i, s in enumerate(sets):
        if not isinstance(s, list):
            raise FunctionError("a set is required", i)
        out.append(list(s))
    if not unify:
        return out
    flat = _unify([x for s in out for x in s], "set")
    unified, at = [], 0
    for s in out:
        unified.append(flat[at:at + len(s)])
        at += len(s)
    return unified


def _as_set(items: list) -> Any:
    return SetValue(sort_set(_distinct(_unify(items, "set"))))


@builtin("setunion", Param("first_set", ANY), variadic=Param("other_sets", ANY),
         return_type=ListType())
def fn_setunion(*sets: Any) -> Any:
    return _as_set([x for s in _set_args(sets) for x in s])


@builtin("setintersection", Param("first_set", ANY), variadic=Param("other_sets", ANY),
         return_type=ListType())
def fn_setintersection(first: Any, *others: Any) -> Any:
    allsets = _set_args((first,) + others)
    base = _as_set(allsets[0])
    return SetValue(x for x in base
                    if all(any(values_equal(x, y) for y in s) for s in allsets[1:]))


@builtin("setsubtract", Param("a", ANY), Param("b", ANY), return_type=ListType())
def fn_setsubtract(a: Any, b: Any) -> Any:
    sa, sb = _set_args((a, b))
    return SetValue(x for x in _as_set(sa) if not any(values_equal(x, y) for y in sb))


@builtin("setproduct", variadic=Param("sets", ANY, marks=SHALLOW), return_type=ListType())
def fn_setproduct(*sets: Any) -> Any:
    if len(sets) < 2:
        raise FunctionError("at least two arguments are required")
    lists = _set_args(sets, unify=False)
    out: list = [[]]
    for s in lists:
        out = [p + [x] for p in out for x in s]
    if any(isinstance(s, SetValue) for s in sets):  # a set among them makes a set
        return SetValue(sorted(_distinct(out), key=lambda t: json.dumps(unmark(t)[0])))
    return ListValue(out)


@builtin("slice", Param("list", ANY, marks=SHALLOW), Param("start_index", NUMBER),
         Param("end_index", NUMBER))
def fn_slice(lst: Any, start: Any, end: Any) -> Any:
    if not isinstance(lst, list):
        raise FunctionError("must be a list or tuple value", 0)
    start = _whole(start, "start_index", 1)
    end = _whole(end, "end_index", 2)
    if start < 0:
        raise FunctionError("must not be less than zero", 1)
    if end > len(lst):
        raise FunctionError("must not be greater than the length of the list", 2)
    if start > end:
        raise FunctionError("must not be greater than end_index", 1)
    return _same_kind(lst, lst[start:end])


@builtin("sort", Param("list", ListType(STRING)), return_type=ListType(STRING))
def fn_sort(lst: list) -> Any:
    if any(x is None for x in lst):
        raise FunctionError("given list element is null", 0)
    return ListValue(sorted(lst))


@builtin("sum", Param("list", ANY), return_type=NUMBER)
def fn_sum(lst: Any) -> Any:
    if not isinstance(lst, (list, dict)):
        raise FunctionError("argument must be list, set, or tuple", 0)
    items = list(lst.values()) if isinstance(lst, dict) else list(lst)
    if not items:
        raise FunctionError("cannot sum an empty list", 0)
    total = _Fraction(0)
    for x in items:
        try:
            n = NUMBER.convert(x)
        except ConversionError:
            raise FunctionError("argument must be list, set, or tuple of number values",
                                0) from None
        if n is None:
            raise FunctionError("argument must be list, set, or tuple of number values", 0)
        if isinstance(n, float) and not math.isfinite(n):
            return n
        total = round_binary(total + exact_of(n))
    return make_number(total)


@builtin("transpose", Param("values", MapType(ListType(STRING))), return_type=MapType())
def fn_transpose(m: dict) -> Any:
    out: dict = {}
    for k in sorted(m):
        for v in m[k]:
            out.setdefault(v, ListValue()).append(k)
    return MapValue(out)


@builtin("zipmap", Param("keys", ListType(STRING)), Param("values", ANY, marks=SHALLOW))
def fn_zipmap(keys: list, vals: Any) -> Any:
    if not isinstance(vals, list):
        raise FunctionError("values must be a list or tuple", 1)
    if len(keys) != len(vals):
        raise FunctionError(f"number of keys ({len(keys)}) does not match number of values "
                            f"({len(vals)})")
    out = dict(zip(keys, vals))
    return MapValue(out) if isinstance(vals, ListValue) else out


@builtin("base64encode", Param("str", STRING), return_type=STRING)
def fn_base64encode(s: str) -> Any:
    return _base64.b64encode(s.encode()).decode()


@builtin("base64gzip", Param("str", STRING), return_type=STRING)
def fn_base64gzip(s: str) -> Any:
    """``s`` gzipped and base64-encoded, byte for byte as Go's gzip writer does it: no
    name or time in the header, a sync flush, then an empty final block."""
    import struct
    import zlib
    data = s.encode()
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH) + b"\x01\x00\x00\xff\xff"
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return _base64.b64encode(header + body + trailer).decode()


# IANA character set names Terraform's text*base64 functions accept, as Python codecs;
# the value is the IANA name Terraform reports.
_IANA_ENCODINGS = {
    "utf-8": ("utf-8", "UTF-8"), "utf8": ("utf-8", "UTF-8"),
    "utf-16": ("utf-16", "UTF-16"), "utf-16le": ("utf-16-le", "UTF-16LE"),
    "utf-16be": ("utf-16-be", "UTF-16BE"),
    "us-ascii": ("ascii", "US-ASCII"), "ascii": ("ascii", "US-ASCII"),
    "iso-8859-1": ("latin-1", "ISO_8859-1:1987"), "latin1": ("latin-1", "ISO_8859-1:1987"),
    "iso-8859-2": ("iso8859-2", "ISO_8859-2:1987"), "iso-8859-15": ("iso8859-15", "ISO-8859-15"),
    "windows-1250": ("cp1250", "windows-1250"), "windows-1251": ("cp1251", "windows-1251"),
    "windows-1252": ("cp1252", "windows-1252"), "cp1252": ("cp1252", "windows-1252"),
    "shift_jis": ("shift_jis", "Shift_JIS"), "euc-jp": ("euc_jp", "EUC-JP"),
    "euc-kr": ("euc_kr", "EUC-KR"), "gbk": ("gbk", "GBK"), "gb18030": ("gb18030", "GB18030"),
    "big5": ("big5", "Big5"), "koi8-r": ("koi8_r", "KOI8-R"),
}


def _iana_encoding(name: str, arg: int) -> tuple[str, str]:
    found = _IANA_ENCODINGS.get(name.lower())
    if found is None:
        raise FunctionError(f'"{name}" is not a supported IANA encoding name or alias in this '
                            "Terraform version", arg)
    return found


@builtin("textencodebase64", Param("string", STRING), Param("encoding", STRING),
         return_type=STRING)
def fn_textencodebase64(s: str, encoding: str) -> Any:
    codec, iana = _iana_encoding(encoding, 1)
    if codec == "utf-16":  # Go writes a byte order mark, then big-endian
        codec, s = "utf-16-be", "\ufeff" + s
    try:
        data = s.encode(codec)
    except UnicodeEncodeError:
        raise FunctionError("the given string contains characters that cannot be represented "
                            f"in {iana}", 0) from None
    return _base64.b64encode(data).decode()


@builtin("textdecodebase64", Param("source", STRING), Param("encoding", STRING),
         return_type=STRING)
def fn_textdecodebase64(s: str, encoding: str) -> Any:
    codec, iana = _iana_encoding(encoding, 1)
    try:
        data = _base64.b64decode(s, validate=True)
    except ValueError:
        bad = next((i for i, c in enumerate(s) if not (c.isalnum() or c in "+/=")), 0)
        raise FunctionError(f"the given value is has an invalid base64 symbol at offset {bad}",
                            0) from None
    if codec == "utf-16" and not data.startswith((b"\xfe\xff", b"\xff\xfe")):
        codec = "utf-16-be"  # Go reads UTF-16 without a byte order mark as big-endian
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise FunctionError(f"the given value is not valid {iana}", 0) from None


@builtin("base64decode", Param("str", STRING), return_type=STRING)
def fn_base64decode(s: str) -> Any:
    try:
        data = _base64.b64decode(s, validate=True)
    except ValueError:
        raise FunctionError(f"failed to decode base64 data {s!r}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FunctionError("the result of decoding the provided string is not valid "
                            "UTF-8") from None


@builtin("csvdecode", Param("str", STRING), return_type=ListType())
def fn_csvdecode(s: str) -> Any:
    rows = list(_csv.reader(_io.StringIO(s)))
    if not rows:
        raise FunctionError("missing header line")
    header = rows[0]
    out = ListValue()
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            raise FunctionError(f"record on line {n}: wrong number of fields")
        out.append(dict(zip(header, row)))
    return out


@builtin("urlencode", Param("str", STRING), return_type=STRING)
def fn_urlencode(s: str) -> Any:
    from urllib.parse import quote_plus
    return quote_plus(s, safe="-_.~")


def _hash(algo: str) -> Callable:
    def impl(s: str) -> Any:
        return _hashlib.new(algo, s.encode()).hexdigest()
    return impl


for _name in ("md5", "sha1", "sha256", "sha512"):
    builtin(_name, Param("str", STRING), return_type=STRING)(_hash(_name))


@builtin("base64sha256", Param("str", STRING), return_type=STRING)
def fn_base64sha256(s: str) -> Any:
    return _base64.b64encode(_hashlib.sha256(s.encode()).digest()).decode()


@builtin("base64sha512", Param("str", STRING), return_type=STRING)
def fn_base64sha512(s: str) -> Any:
    return _base64.b64encode(_hashlib.sha512(s.encode()).digest()).decode()


@builtin("cidrsubnets", Param("prefix", STRING), variadic=Param("newbits", NUMBER),
         return_type=ListType(STRING))
def fn_cidrsubnets(prefix: str, *newbits: Any) -> Any:
    net = _network(prefix, 0)
    out = ListValue()
    cur = int(net.network_address)
    end = cur + net.num_addresses
    for i, nb in enumerate(newbits, 1):
        nb = _whole(nb, "newbits", i)
        length = net.prefixlen + nb
        if nb < 1 or length > net.max_prefixlen:
            raise FunctionError(f"would extend prefix to {length} bits, which is too long "
                                f"for an IPv{net.version} address", i)
        size = 1 << (net.max_prefixlen - length)
        cur = (cur + size - 1) // size * size  # align
        if cur + size > end:
            raise FunctionError(f"not enough remaining address space for a subnet with a "
                                f"prefix of {length} bits after {out[-1] if out else prefix}", i)
        addr = (ipaddress.IPv4Address(cur) if net.version == 4 else ipaddress.IPv6Address(cur))
        out.append(f"{addr}/{length}")
        cur += size
    return out


@builtin("issensitive", Param("value", ANY, allow_null=True, allow_unknown=True, marks=KEEP),
         return_type=BOOL)
def fn_issensitive(v: Any) -> Any:
    return isinstance(v, Sensitive)


@builtin("signum", Param("num", NUMBER), return_type=NUMBER)
def fn_signum(n: Any) -> Any:
    return (n > 0) - (n < 0)


@builtin("pow", Param("num", NUMBER), Param("power", NUMBER), return_type=NUMBER)
def fn_pow(a: Any, b: Any) -> Any:
    try:
        return math.pow(float(a), float(b))
    except (OverflowError, ValueError):
        return math.inf


@builtin("log", Param("num", NUMBER), Param("base", NUMBER), return_type=NUMBER)
def fn_log(n: Any, base: Any) -> Any:
    def go_log(x: float) -> float:  # Go's math.Log: -Inf at 0, NaN below
        return -math.inf if x == 0 else math.nan if x < 0 else math.log(x)

    try:
        try:
            result = go_log(float(n)) / go_log(float(base))
        except OverflowError:  # a whole number beyond a float's range: math.log takes any int
            result = go_log(n) / go_log(base)
    except ZeroDivisionError:
        result = math.nan
    if math.isnan(result):
        raise FunctionError("logarithm is not defined for these values")
    return result


@builtin("parseint", Param("number", ANY), Param("base", NUMBER), return_type=NUMBER)
def fn_parseint(s: Any, base: Any) -> Any:
    base = _whole(base, "base", 1)
    if not isinstance(s, str):
        raise FunctionError("first argument must be a string, not " + type_name_of(s), 0)
    if not 2 <= base <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive", 1)
    try:
        return int(s, base)
    except ValueError:
        raise FunctionError(f"cannot parse {s!r} as a base {base} integer", 0) from None


# Function groups kept in their own modules register themselves on import.
from . import functions_crypto, functions_time, functions_yaml  # noqa: E402,F401
