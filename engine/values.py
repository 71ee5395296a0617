"""Values: plain Python data plus two markers — Unknown ("known after apply") and Sensitive.

A value is None, bool, int, float, str, list, dict (object/map), an ``Unknown``, or a
``Sensitive`` wrapping any of those. Sets are lists with unique elements. Type constraints
(``Type`` and its subclasses) describe and convert values the way Terraform converts them.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterator, Sequence


class Unknown:
    """A value not known until apply. ``type`` is a Type or None when not known either."""

    __slots__ = ("type",)

    def __init__(self, type: "Type | None" = None):
        self.type = type

    def __repr__(self) -> str:
        return "Unknown()" if self.type is None else f"Unknown({self.type})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return hash("Unknown")


UNKNOWN = Unknown()


# ---------------------------------------------------------------------------------------
# Typed collections. A plain list is a tuple and a plain dict an object; these subclasses
# record that a value is a list(T), set(T) or map(T) (as tolist/toset/tomap and typed
# variables produce), which only matters for display (`tolist([...])`). They compare equal
# to plain lists and dicts, so every other part of the engine may ignore them.


class ListValue(list):
    """A value of a list type."""

    def __repr__(self) -> str:
        return f"ListValue({list.__repr__(self)})"


class SetValue(list):
    """A value of a set type (elements unique)."""

    def __repr__(self) -> str:
        return f"SetValue({list.__repr__(self)})"


class MapValue(dict):
    """A value of a map type."""

    def __repr__(self) -> str:
        return f"MapValue({dict.__repr__(self)})"


class SchemaObject(dict):
    """An object of a schema block: a resource instance, a data source, a nested block.
    Its keys are the schema's arguments, nested blocks and exported attributes."""

    def __repr__(self) -> str:
        return f"SchemaObject({dict.__repr__(self)})"


# ---------------------------------------------------------------------------------------
# Numbers. Integers are Python ints (arbitrary precision). Terraform computes with 512-bit
# binary floating point; ``Num`` is a float that also carries that exact value, produced
# by arithmetic on non-integers, so `0.1 + 0.2` is 0.3 and `1/3` prints as Terraform
# prints it. Anything that treats it as a float keeps working.

PRECISION = 512


class Num(float):
    """A non-integral number with its exact (512-bit rounded) value in ``exact``."""

    def __new__(cls, exact: Fraction) -> "Num":
        self = super().__new__(cls, float(exact) if abs(exact) < 2 ** 1023 else math.inf)
        self.exact = exact
        return self

    def __reduce__(self):  # pickles/copies as a plain float
        return (float, (float(self),))


def round_binary(q: Fraction, prec: int = PRECISION) -> Fraction:
    """``q`` rounded to ``prec`` significant bits (round half to even), as Go's big.Float."""
    if q == 0:
        return q
    sign = -1 if q < 0 else 1
    q = abs(q)
    n, d = q.numerator, q.denominator
    e = n.bit_length() - d.bit_length()
    if (n << max(0, -e)) < (d << max(0, e)):
        e -= 1
    shift = prec - 1 - e  # scale so the mantissa has prec bits
    if shift >= 0:
        m, r = divmod(n << shift, d)
        rem2 = 2 * r
        denom = d
    else:
        m, r = divmod(n, d << -shift)
        rem2 = 2 * r
        denom = d << -shift
    if rem2 > denom or (rem2 == denom and m & 1):
        m += 1
    return sign * (Fraction(m, 1 << shift) if shift >= 0 else Fraction(m << -shift))


def exact_of(x: int | float) -> Fraction:
    """The exact value Terraform would hold for ``x`` (a float from a literal is read as
    its shortest decimal text, rounded to 512 bits)."""
    if isinstance(x, Num):
        return x.exact
    if isinstance(x, int):
        return Fraction(x)
    return round_binary(Fraction(Decimal(repr(float(x)))))


def make_number(q: Fraction) -> int | float:
    """An exact result as a value: an int when whole, otherwise a Num."""
    if q.denominator == 1:
        return int(q)
    return Num(q)


def _shortest_decimal(q: Fraction, prec: int = PRECISION) -> str:
    """The fewest significant digits that read back (rounded to ``prec`` bits) as ``q``;
    fixed-point notation, as Go's big.Float.Text('f', -1)."""
    target = round_binary(q, prec)
    sign = "-" if target < 0 else ""
    a = abs(target)
    # decimal exponent of the leading digit
    n, d = a.numerator, a.denominator
    exp10 = len(str(n // d)) - 1 if n >= d else -len(str(d // n))
    while Fraction(10) ** exp10 > a:
        exp10 -= 1
    while Fraction(10) ** (exp10 + 1) <= a:
        exp10 += 1
    for digits in range(1, 400):
        scale = digits - 1 - exp10  # round a * 10**scale to an integer
        scaled = a * Fraction(10) ** scale
        m = scaled.numerator // scaled.denominator
        rest = scaled - m
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and m % 2):
            m += 1
        cand = Fraction(m) / Fraction(10) ** scale
        if round_binary(cand, prec) == a:
            break
    if scale <= 0:
        return sign + str(m * 10 ** (-scale))
    text = str(m).rjust(scale + 1, "0")
    whole, frac = text[:-scale], text[-scale:].rstrip("0")
    return sign + whole + ("." + frac if frac else "")


class Sensitive:
    """A value marked sensitive. Marks flow through every operation on the value."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value.value if isinstance(value, Sensitive) else value

    def __repr__(self) -> str:
        return "Sensitive(...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and self.value == other.value

    def __hash__(self) -> int:
        return hash(("Sensitive", repr(type(self.value))))


def is_unknown(v: Any) -> bool:
    return isinstance(v, Unknown) or (isinstance(v, Sensitive) and isinstance(v.value, Unknown))


def is_sensitive(v: Any) -> bool:
    return isinstance(v, Sensitive)


def strip_sensitive(v: Any) -> Any:
    """The value with the top-level mark removed (deep marks stay)."""
    return v.value if isinstance(v, Sensitive) else v


def is_wholly_known(v: Any) -> bool:
    v = strip_sensitive(v)
    if isinstance(v, Unknown):
        return False
    if isinstance(v, dict):
        return all(is_wholly_known(x) for x in v.values())
    if isinstance(v, list):
        return all(is_wholly_known(x) for x in v)
    return True


def unknown_as_null(v: Any) -> Any:
    """``v`` (unmarked) with every Unknown read as null: what is known of a value so far."""
    if isinstance(v, Unknown):
        return None
    if isinstance(v, dict):
        return {k: unknown_as_null(x) for k, x in v.items()}
    if isinstance(v, list):
        return [unknown_as_null(x) for x in v]
    return v


def leaves(v: Any) -> Iterator[Any]:
    """Every part of ``v`` that is not a collection, marks removed."""
    v = strip_sensitive(v)
    if isinstance(v, dict):
        for x in v.values():
            yield from leaves(x)
    elif isinstance(v, list):
        for x in v:
            yield from leaves(x)
    else:
        yield v


def non_finite_path(v: Any, path: tuple = ()) -> tuple | None:
    """The path of the first infinity in ``v`` (arithmetic can make one, as in Terraform:
    ``5 / 0``), or None. Such a number is refused where a value leaves the language."""
    v = strip_sensitive(v)
    if isinstance(v, float) and not math.isfinite(v):
        return path
    items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
    for k, x in items:
        found = non_finite_path(x, path + (k,))
        if found is not None:
            return found
    return None


def contains_sensitive(v: Any) -> bool:
    if isinstance(v, Sensitive):
        return True
    if isinstance(v, dict):
        return any(contains_sensitive(x) for x in v.values())
    if isinstance(v, list):
        return any(contains_sensitive(x) for x in v)
    return False


# Leaf types that are never marked nor hold anything marked (exact types, not subclasses)
_PLAIN_LEAVES = frozenset({str, int, float, bool, type(None)})


def unmark(v: Any, path: tuple = ()) -> tuple[Any, list[tuple]]:
    """Split a value into its plain value and the paths of its sensitive parts."""
    paths: list[tuple] = []
    plain = _PLAIN_LEAVES

    def walk(x: Any, p: tuple) -> Any:
        # (plain leaves, most of a value, are taken as they are without a call or a path)
        if isinstance(x, Sensitive):
            paths.append(p)
            x = x.value
            if type(x) in plain:
                return x
        if isinstance(x, dict):
            return {k: val if type(val) in plain else walk(val, p + (k,))
                    for k, val in x.items()}
        if isinstance(x, list):
            return [val if type(val) in plain else walk(val, p + (i,))
                    for i, val in enumerate(x)]
        return x

    if type(v) in plain:
        return v, paths
    return walk(v, path), paths


def mark_paths(v: Any, paths: list[tuple]) -> Any:
    """Re-apply sensitive marks at ``paths`` (the inverse of ``unmark``). Missing paths are ignored."""
    for p in paths:
        v = _mark_one(v, tuple(p))
    return v


def _mark_one(v: Any, p: tuple) -> Any:
    if not p:
        return v if isinstance(v, Sensitive) else Sensitive(v)
    inner = strip_sensitive(v)
    head, rest = p[0], p[1:]
    if isinstance(inner, dict) and head in inner:
        new = dict(inner)
        new[head] = _mark_one(inner[head], rest)
    elif isinstance(inner, list) and isinstance(head, int) and 0 <= head < len(inner):
        new = list(inner)
        new[head] = _mark_one(inner[head], rest)
    else:
        return v
    return Sensitive(new) if isinstance(v, Sensitive) else new


_NOWHERE = object()


def _follow(v: Any, path: Sequence) -> Any:
    """The part of ``v`` at ``path`` (keys of maps, indexes of lists, through marks), or
    ``_NOWHERE`` when the path leads nowhere."""
    for step in path:
        v = strip_sensitive(v)
        if isinstance(v, dict) and step in v:
            v = v[step]
        elif isinstance(v, list) and isinstance(step, int) and 0 <= step < len(v):
            v = v[step]
        else:
            return _NOWHERE
    return v


def value_at(v: Any, path: Sequence) -> Any:
    """The part of ``v`` at ``path`` (as ``mark_paths`` follows it), or None when there is
    none."""
    found = _follow(v, path)
    return None if found is _NOWHERE else found


def sensitive_strings(v: Any, min_length: int = 4) -> set[str]:
    """The text forms of every sensitive leaf in ``v``, for redacting messages. Very short
    values are left out: redacting "1" everywhere would garble every message."""
    out: set[str] = set()

    def walk(x: Any, marked: bool) -> None:
        if not marked and type(x) in _PLAIN_LEAVES:
            return
        if isinstance(x, Sensitive):
            walk(x.value, True)
        elif isinstance(x, dict):
            for val in x.values():
                walk(val, marked)
        elif isinstance(x, list):
            for val in x:
                walk(val, marked)
        elif marked and x is not None and not isinstance(x, (bool, Unknown)):
            text = format_number(x) if isinstance(x, (int, float)) else str(x)
            if len(text) >= min_length:
                out.add(text)

    walk(v, False)
    return out


REDACTED = "(sensitive value)"


def redact_text(text: str, secrets: set[str] | frozenset[str]) -> str:
    """``text`` with every occurrence of a secret replaced by ``(sensitive value)``.

    A quoted secret loses its quotes, as in Terraform's messages (``no file exists at
    (sensitive value)``). Secrets shorter than four characters are replaced only where
    they stand alone (not inside a longer word or number), so a sensitive ``5`` does not
    garble every other number of the message."""
    for secret in sorted(secrets, key=len, reverse=True):
        if not secret:
            continue
        if secret not in text and _quotes_plainly(secret):
            continue  # each quoted form holds the secret itself: none is in the text either
        for quoted in _quoted_forms(secret):
            if quoted in text:
                text = text.replace(quoted, REDACTED)
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
        elif secret in text:
            text = re.sub(rf"(?<![\w.]){re.escape(secret)}(?![\w.])", REDACTED, text)
    return text


def _quotes_plainly(secret: str) -> bool:
    """Whether every form of ``_quoted_forms`` is the secret between two quotes (nothing
    in it escaped by JSON or ``repr``)."""
    return (secret.isprintable() and '"' not in secret and "'" not in secret
            and "\\" not in secret)


@functools.lru_cache(maxsize=64)
def _quoted_forms(secret: str) -> tuple[str, ...]:
    # cached: a plan redacts the same few secrets from thousands of messages
    return (json.dumps(secret, ensure_ascii=False), repr(secret), f'"{secret}"', f"'{secret}'")


def has_path(v: Any, path: tuple) -> bool:
    """Whether ``path`` (attribute names and list indexes) leads somewhere in ``v``."""
    return _follow(v, path) is not _NOWHERE


def walk_leaves(v: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    v = strip_sensitive(v)
    if isinstance(v, dict):
        for k, x in v.items():
            yield from walk_leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from walk_leaves(x, path + (i,))
    else:
        yield path, v


def sort_set(items: list) -> list:
    """A set's elements in Terraform's order: strings lexically, numbers by value, any
    other mix as given."""
    plain = [strip_sensitive(x) for x in items]
    if all(isinstance(x, str) for x in plain):
        return [x for _, x in sorted(zip(plain, items), key=lambda p: p[0])]
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in plain):
        return [x for _, x in sorted(zip(plain, items), key=lambda p: p[0])]
    return items


def friendly_type_name(v: Any) -> str:
    """The type of ``v`` as Terraform names it in messages: "tuple", "list of string",
    "set of number", "map of bool", "object", "string"."""
    v = strip_sensitive(v)
    if isinstance(v, (ListValue, SetValue, MapValue)):
        kind = "set" if isinstance(v, SetValue) else "list" if isinstance(v, ListValue) else "map"
        elements = {type_name_of(x) for x in (v.values() if isinstance(v, dict) else v)
                    if strip_sensitive(x) is not None}
        element = elements.pop() if len(elements) == 1 else "dynamic"
        return f"{kind} of {element}"
    return type_name_of(v)


# ---------------------------------------------------------------------------------------
# Type constraints


class ElementKey(str):
    """A map key in a ``ConversionError`` path (an object's attribute is a plain str)."""


class ConversionError(Exception):
    """A value does not convert to a type. ``path`` locates the offending element: ints
    are list/tuple indexes, ``ElementKey``s map keys, other strings object attributes."""

    def __init__(self, message: str, path: tuple = ()):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        if not self.path:
            return self.message
        # Terraform's wording: element 0, element "k" (a map), attribute "k" (an object)
        where = ", ".join(f"element {p}" if isinstance(p, int)
                          else f'element "{p}"' if isinstance(p, ElementKey)
                          else f'attribute "{p}"' for p in self.path)
        return f"{where}: {self.message}"


class Type:
    """Base class of type constraints."""

    name = "any"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(str(self))


def _passthrough(v: Any, conv) -> Any:
    """Apply ``conv`` under marks: Unknown stays Unknown, Sensitive stays Sensitive, null stays null."""
    if isinstance(v, Sensitive):
        return Sensitive(_passthrough(v.value, conv))
    if v is None or isinstance(v, Unknown):
        return v
    return conv(v)


def type_name_of(v: Any) -> str:
    v = strip_sensitive(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "tuple"
    if isinstance(v, dict):
        return "object"
    return "unknown"


class AnyType(Type):
    name = "any"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        return v


class StringType(Type):
    name = "string"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if isinstance(x, bool):
                return "true" if x else "false"
            if isinstance(x, int):
                return str(x)
            if isinstance(x, float):
                return format_number(x)
            if isinstance(x, str):
                return x
            raise ConversionError("string required", path)
        return _passthrough(v, conv)


def format_number(x: float | int) -> str:
    """A number as Terraform prints it: integers in full, others in fixed-point notation
    with the fewest digits that identify the value."""
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    if isinstance(x, Num):  # exact, even beyond a float's range
        return _shortest_decimal(x.exact)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if float(x).is_integer() and abs(x) < 2 ** 53:
        return str(int(x))
    return format(Decimal(repr(float(x))), "f")


# Terraform's numbers have no size limit. Python guards the conversion of ints to and from
# text at 4,300 digits (it is quadratic); vpnform's numbers may have up to MAX_NUMBER_DIGITS
# digits, read through parse_number and loads_json, made by arithmetic (evaluate.py checks
# with int_in_range) and printed in full.
MAX_NUMBER_DIGITS = 20_000
sys.set_int_max_str_digits(MAX_NUMBER_DIGITS)
_MAX_INT_BITS = int((MAX_NUMBER_DIGITS - 1) * math.log2(10))  # below 10**(digits - 1)


def int_in_range(n: int) -> bool:
    """Whether an int has few enough digits to be a vpnform number."""
    return n.bit_length() <= _MAX_INT_BITS


class NumberError(ValueError):
    """Text that is a number vpnform does not hold: not finite, or too large. The message is
    a sentence for the user."""


def _not_finite(text: str) -> NumberError:
    return NumberError(f"{text} is not a finite number: vpnform numbers are finite, so an "
                       "infinity or NaN is refused where a number is read")


def number_from_decimal(exact: Decimal, text: str) -> int | float:
    """A number read exactly (``Decimal``) as a value: an int when whole, as Terraform prints
    1e400 in full, else the nearest 512-bit number. Refuses what vpnform cannot hold."""
    if not exact.is_finite():
        raise _not_finite(text)
    if exact.adjusted() >= MAX_NUMBER_DIGITS or exact.adjusted() < -MAX_NUMBER_DIGITS:
        raise NumberError(f"{text[:40]}{'…' if len(text) > 40 else ''} is out of range: "
                          f"vpnform numbers have at most {MAX_NUMBER_DIGITS:,} digits")
    if exact == exact.to_integral_value():
        return int(exact)
    return make_number(round_binary(Fraction(exact)))


_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def parse_number(s: str) -> int | float:
    """The number a string holds (``-var``, variable files, ``tonumber``, literals, JSON),
    written in decimal as Terraform reads one ("20", "2.5", "1e2"); ValueError when it
    holds none (spaces, hex, words), NumberError when it holds one vpnform refuses."""
    t = s
    if len(t) > MAX_NUMBER_DIGITS:
        digits = sum(ch.isdigit() for ch in t)
        if digits > MAX_NUMBER_DIGITS:
            raise NumberError(f"the number has {digits:,} digits: vpnform numbers have at most "
                              f"{MAX_NUMBER_DIGITS:,}")
    if not _DECIMAL.fullmatch(t):
        if t.strip().lstrip("+-").lower() in ("inf", "infinity", "nan"):
            raise _not_finite(t)
        raise ValueError(s)  # as Terraform: decimal text only (no spaces, hex or words)
    try:
        return int(s)
    except ValueError:
        return number_from_decimal(Decimal(t), t)


def _json_float(text: str) -> int | float:
    """A JSON number with a fraction or exponent: the float it denotes, as JSON decoders
    read it (so state files round-trip exactly); beyond a float's range, the exact value
    parse_number gives."""
    f = float(text)
    return f if math.isfinite(f) else parse_number(text)


def _refuse_constant(name: str) -> Any:
    raise _not_finite(name)


# Values nest a few levels in practice; vpnform walks them recursively, so a value read from
# JSON (a state file, a journal, jsondecode, a variables file) may nest at most this deep.
MAX_VALUE_DEPTH = 100


def _too_deep(value: Any) -> bool:
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_VALUE_DEPTH):  # one nesting level at a time
        level = [x for v in level for x in (v.values() if isinstance(v, dict) else v)
                 if isinstance(x, (dict, list))]
        if not level:
            return False
    return True


def loads_json(text: str | bytes) -> Any:
    """JSON text as plain values: integers of at most MAX_NUMBER_DIGITS digits, the others
    as floats (exact beyond a float's range), NaN and infinities refused. ValueError (json.JSONDecodeError or
    NumberError) when it is not valid, or nested more than MAX_VALUE_DEPTH levels deep."""
    try:
        value = json.loads(text, parse_float=_json_float, parse_constant=_refuse_constant)
    except RecursionError:
        value = None
    except json.JSONDecodeError:
        raise
    except ValueError as err:
        if isinstance(err, NumberError) or not str(err).startswith("Exceeds the limit"):
            raise
        raise NumberError(f"a number has more than {MAX_NUMBER_DIGITS:,} digits: vpnform "
                          f"numbers have at most {MAX_NUMBER_DIGITS:,}") from None
    else:
        if not _may_be_too_deep(text) or not _too_deep(value):
            return value
    raise ValueError(f"the JSON is nested more than {MAX_VALUE_DEPTH} levels deep")


def _may_be_too_deep(text: str | bytes) -> bool:
    """False when ``text`` holds too few brackets to nest that deep (each level opens one;
    those in strings only add to the count): the walk of the value is then not needed."""
    if isinstance(text, str):
        return text.count("[") + text.count("{") > MAX_VALUE_DEPTH
    return text.count(b"[") + text.count(b"{") > MAX_VALUE_DEPTH


class NumberType(Type):
    name = "number"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if isinstance(x, bool):
                raise ConversionError("number required", path)
            if isinstance(x, (int, float)):
                return x
            if isinstance(x, str):
                try:
                    return parse_number(x)
                except NumberError as err:
                    raise ConversionError(str(err), path) from None
                except ValueError:
                    raise ConversionError("a number is required", path) from None
            raise ConversionError("number required", path)
        return _passthrough(v, conv)


class BoolType(Type):
    name = "bool"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if isinstance(x, bool):
                return x
            if not isinstance(x, str):
                raise ConversionError("bool required", path)
            if x in ("true", "1"):
                return True
            if x in ("false", "0"):
                return False
            if x.lower() in ("true", "false"):
                raise ConversionError("a bool is required; to convert from string, use "
                                      f'lowercase "{x.lower()}"', path)
            raise ConversionError("a bool is required", path)
        return _passthrough(v, conv)


@dataclass(eq=False)
class ListType(Type):
    element: Type = field(default_factory=AnyType)
    kind: str = "list"

    def __str__(self) -> str:
        return f"{self.kind}({self.element})"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if not isinstance(x, list):
                raise ConversionError(f"{self.kind} of {self.element} required", path)
            out = [self.element.convert(e, path + (i,)) for i, e in enumerate(x)]
            if self.kind == "set":
                dedup: list = []
                for e in out:
                    if e not in dedup:
                        dedup.append(e)
                return SetValue(sort_set(dedup))
            return ListValue(out)
        return _passthrough(v, conv)


def SetType(element: Type | None = None) -> ListType:  # noqa: N802 - reads like a type
    return ListType(element or AnyType(), "set")


@dataclass(eq=False)
class MapType(Type):
    element: Type = field(default_factory=AnyType)

    def __str__(self) -> str:
        return f"map({self.element})"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if not isinstance(x, dict):
                raise ConversionError(f"map of {self.element} required", path)
            return MapValue((k, self.element.convert(e, path + (ElementKey(k),)))
                            for k, e in x.items())
        return _passthrough(v, conv)


@dataclass(eq=False)
class ObjectType(Type):
    attributes: dict = field(default_factory=dict)  # name -> Type
    optional: frozenset = frozenset()
    defaults: dict = field(default_factory=dict)

    def __str__(self) -> str:
        inner = ", ".join(f"{k}={t}" for k, t in self.attributes.items())
        return f"object({{{inner}}})"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if not isinstance(x, dict):
                raise ConversionError("object required", path)
            out = {}
            for k, t in self.attributes.items():
                if k in x:
                    out[k] = t.convert(x[k], path + (k,))
                elif k in self.optional:
                    out[k] = t.convert(self.defaults.get(k), path + (k,))
                else:
                    raise ConversionError(f"attribute {k!r} is required", path)
            return out
        return _passthrough(v, conv)


@dataclass(eq=False)
class TupleType(Type):
    elements: list = field(default_factory=list)

    def __str__(self) -> str:
        return "tuple([" + ", ".join(str(t) for t in self.elements) + "])"

    def convert(self, v: Any, path: tuple = ()) -> Any:
        def conv(x: Any) -> Any:
            if not isinstance(x, list) or len(x) != len(self.elements):
                raise ConversionError(f"tuple of {len(self.elements)} elements required", path)
            return [t.convert(e, path + (i,)) for i, (t, e) in enumerate(zip(self.elements, x))]
        return _passthrough(v, conv)


STRING = StringType()
NUMBER = NumberType()
BOOL = BoolType()
ANY = AnyType()
