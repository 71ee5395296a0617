"""The YAML of yamlencode and yamldecode (functions_yaml.py), byte for byte as Terraform's
(go-cty-yaml, a libyaml port). Imported on the first call of either function, so that a run
that calls neither does not load PyYAML (startup time, issue #14).

Encoding drives PyYAML's emitter (also a libyaml port) with Terraform's choices: strings
double-quoted, multi-line strings as literal blocks where YAML allows, keys sorted; the
emitter is adjusted where PyYAML departs from libyaml (folding long quoted strings, which
characters must be escaped, simple-key length). Decoding composes with PyYAML and resolves
plain scalars with YAML 1.1 rules as go-cty-yaml does (yes/on are true, 0x1F is 31,
timestamps become RFC 3339 strings, keys become strings).
"""

from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.emitter import Emitter
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..values import NumberError, format_number, number_from_decimal
from .functions import FunctionError
from .functions_time import Instant, days_in_month

# ---------------------------------------------------------------------------------------
# Encoding

_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f",
            "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_",
            "\u2028": "L", "\u2029": "P"}


def _printable(ch: str) -> bool:
    """libyaml's IS_PRINTABLE (characters beyond the BMP are not)."""
    o = ord(ch)
    return (o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF
            or (0xE000 <= o <= 0xFFFD and o != 0xFEFF))


class _LibyamlEmitter(Emitter):
    """PyYAML's emitter where it differs from libyaml's."""

    def analyze_scalar(self, scalar):  # noqa: ANN001, ANN201 - PyYAML's signature
        analysis = super().analyze_scalar(scalar)
        if any(not _printable(ch) and ch not in "\t\r" for ch in scalar if ord(ch) >= 0x80):
            # libyaml counts NEL and non-BMP characters as special: no block or plain style
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = analysis.allow_block = False
        return analysis

    def check_simple_key(self):  # noqa: ANN201
        if isinstance(self.event, ScalarEvent):
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            # libyaml: not multi-line and at most 128 bytes (empty keys are fine)
            return (not self.analysis.multiline
                    and len(self.analysis.scalar.encode("utf-8")) <= 128)
        return super().check_simple_key()

    def check_empty_document(self):  # noqa: ANN201
        return False  # libyaml writes `""` for an empty string, not an empty `---` document

    def write_literal(self, text):  # noqa: ANN001, ANN201
        open_ended = self.open_ended
        super().write_literal(text)
        self.open_ended = open_ended  # "|+" ends a document without "..." in go-yaml

    def write_double_quoted(self, text, split=True):  # noqa: ANN001, ANN201
        self.write_indicator('"', True)
        spaces = False
        last = len(text) - 1
        i = 0
        while i <= last:
            ch = text[i]
            if (not _printable(ch) or ch in '"\\\n\r\x85\u2028\u2029'):
                if ch in _ESCAPES:
                    data = "\\" + _ESCAPES[ch]
                elif ord(ch) <= 0xFF:
                    data = f"\\x{ord(ch):02X}"
                elif ord(ch) <= 0xFFFF:
                    data = f"\\u{ord(ch):04X}"
                else:
                    data = f"\\U{ord(ch):08X}"
                self._write(data)
                spaces = False
            elif ch == " ":
                if split and not spaces and self.column > self.best_width and 0 < i < last:
                    self.write_indent()
                    if text[i + 1] == " ":
                        self._write("\\")
                else:
                    self._write(" ")
                spaces = True
            else:
                self._write(ch)
                spaces = False
            i += 1
        self.write_indicator('"', False)

    def _write(self, data: str) -> None:
        self.column += len(data)
        self.stream.write(data)


class _Dumper(_LibyamlEmitter, yaml.serializer.Serializer, yaml.representer.SafeRepresenter,
              yaml.resolver.Resolver):
    def __init__(self, stream: Any) -> None:
        _LibyamlEmitter.__init__(self, stream, allow_unicode=True, width=80, indent=2)
        yaml.serializer.Serializer.__init__(self)
        yaml.representer.SafeRepresenter.__init__(self)
        yaml.resolver.Resolver.__init__(self)


def _events(v: Any, out: list) -> None:
    if isinstance(v, dict):
        out.append(MappingStartEvent(None, None, True, flow_style=False))
        for k in sorted(v):
            _events(k, out)
            _events(v[k], out)
        out.append(MappingEndEvent())
    elif isinstance(v, list):
        out.append(SequenceStartEvent(None, None, True, flow_style=False))
        for x in v:
            _events(x, out)
        out.append(SequenceEndEvent())
    elif isinstance(v, str):
        out.append(ScalarEvent(None, None, (True, True), v, style="|" if "\n" in v else '"'))
    else:
        text = "null" if v is None else ("true" if v is True else "false") if isinstance(
            v, bool) else format_number(v)
        out.append(ScalarEvent(None, None, (True, True), text, style=None))


def encode(value: Any) -> Any:
    """``value`` as a YAML document, in the style Terraform writes it."""
    events: list = [StreamStartEvent(), DocumentStartEvent(explicit=False)]
    _events(value, events)
    events += [DocumentEndEvent(explicit=False), StreamEndEvent()]
    stream = io.StringIO()
    dumper = _Dumper(stream)
    for event in events:
        dumper.emit(event)
    return stream.getvalue()


# ---------------------------------------------------------------------------------------
# Decoding

_PLAIN = "!vpnform-plain"
_CORE = "tag:yaml.org,2002:"
_BOOLS = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On",
                           "ON"), True),
          **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off",
                           "OFF"), False)}
_NULLS = ("", "~", "null", "Null", "NULL")
_INFS = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf,
         "+.Inf": math.inf, "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf,
         "-.INF": -math.inf}
_DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\Z")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d?)-(\d\d?)(?:(?:([Tt])|[ ])(\d\d?):(\d\d?):(\d\d?)(?:\.(\d+))?"
    r"(Z|[-+]\d\d:\d\d)?)?\Z")


class _Loader(yaml.SafeLoader):
    """Composes without resolving plain scalars (resolved by ``_plain`` instead)."""

    def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN201
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


def _timestamp(m: re.Match) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    has_time = m.group(5) is not None
    t_sep, zone = m.group(4), m.group(9)
    if has_time and bool(t_sep) != bool(zone):  # "T" needs a zone; " " must have none
        return None
    hh, mm, ss = (int(m.group(i)) for i in (5, 6, 7)) if has_time else (0, 0, 0)
    if not (1 <= mo <= 12 and hh < 24 and mm < 60 and ss < 60):
        return None
    if not 1 <= d <= days_in_month(mo, y):
        return None
    offset = 0
    if zone and zone != "Z":
        offset = (int(zone[1:3]) * 60 + int(zone[4:6])) * 60 * (-1 if zone[0] == "-" else 1)
    return Instant(y, mo, d, hh, mm, ss, 0, offset).rfc3339()


def _plain(text: str) -> Any:
    """A plain scalar resolved as go-cty-yaml resolves it."""
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if text in (".nan", ".NaN", ".NAN"):
        raise FunctionError("floating point NaN is not supported")
    if text in _INFS:
        return _INFS[text]
    if not text or text[0] not in "0123456789+-.":
        return text
    m = _TIMESTAMP.match(text)
    if m:
        stamp = _timestamp(m)
        if stamp is not None:
            return stamp
    if _DECIMAL.match(text):
        try:
            return number_from_decimal(Decimal(text), text)  # 1e400 written out in full
        except NumberError as err:
            raise FunctionError(str(err)) from None
    for prefix, base in (("0x", 16), ("0o", 8)):
        if text.startswith(prefix) and len(text) > 2:
            try:
                return int(text[2:], base)
            except ValueError:
                return text
    return text


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _PLAIN:
        return _plain(node.value)
    if tag in (_CORE + "str", _CORE + "binary"):
        return node.value
    if tag == _CORE + "null":
        return None
    if tag.startswith(_CORE):
        return _plain(node.value)
    raise FunctionError(f'unsupported tag "{tag}"')


def _key_text(node: Any) -> str:
    if not isinstance(node, ScalarNode):
        raise FunctionError("only strings are allowed as mapping keys")
    key = _scalar(node)
    if key is None:
        line = node.start_mark.line + 1
        raise FunctionError(f"on line {line}, column 1: mapping key cannot be null")
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return format_number(key)
    return key


def _value(node: Any, active: dict) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if id(node) in active:
        raise FunctionError(f'cannot refer to anchor "{active[id(node)]}" from inside its own '
                            "definition")
    active[id(node)] = getattr(node, "anchor", None)  # a cycle goes through an anchor
    try:
        if isinstance(node, SequenceNode):
            return [_value(x, active) for x in node.value]
        assert isinstance(node, MappingNode)
        out: dict = {}
        merged: dict = {}
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.tag in (_PLAIN, _CORE + "merge") and k.value == "<<":
                sources = v.value if isinstance(v, SequenceNode) else [v]
                for src in sources:
                    inner = _value(src, active)
                    if not isinstance(inner, dict):
                        raise FunctionError("map merge requires map or sequence of maps as the "
                                            "value")
                    merged.update({key: val for key, val in inner.items() if key not in merged})
                continue
            out[_key_text(k)] = _value(v, active)
        return {**merged, **out}
    finally:
        del active[id(node)]


class _AnchorComposer(_Loader):
    """Remembers each collection's anchor name, for the self-reference message."""

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201
        event = self.peek_event()
        node = super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is not None and isinstance(node, (SequenceNode, MappingNode)):
            node.anchor = anchor
        return node


def decode(src: str) -> Any:
    """The value of the YAML document ``src``."""
    loader = _AnchorComposer(src)
    try:
        if not loader.check_node():
            raise FunctionError("on line 1, column 1: missing start of document")
        root = loader.get_node()
        if loader.check_node():
            raise FunctionError("on line 1, column 1: unexpected extra content after value")
    except yaml.MarkedYAMLError as e:
        where = e.problem_mark or e.context_mark
        prefix = f"on line {where.line + 1}, column {where.column + 1}: " if where else ""
        raise FunctionError(f"{prefix}{e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise FunctionError(str(e)) from None
    finally:
        loader.dispose()
    return None if root is None else _value(root, {})
