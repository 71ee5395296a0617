"""Diagnostics as data: severity, summary, detail, source range, address, attribute path.

Functions return ``Diagnostics`` with their value; exceptions are for bugs and I/O and are
turned into diagnostics at the CLI boundary. Rendering to text lives in engine/cli/views.py.
"""

from __future__ import annotations

import enum
from dataclasses import FrozenInstanceError, dataclass, field, replace
from typing import Iterable, Iterator, Sequence

from .pickled_fields import by_fields


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@by_fields
@dataclass(frozen=True, order=True, slots=True)
class Pos:
    """A position in a source file: 1-based line and column, 0-based byte offset."""

    line: int
    column: int
    byte: int = 0


# SourceRange packs its six numbers into one int, FIELD_BITS bits each, when all of them fit
# (non-negative ints below 2**FIELD_BITS); otherwise it keeps its two Pos. A parsed
# configuration holds one range per syntax node (420,000 for 10,000 resources): as a
# dataclass of two Pos, each of three ints, they were 85 of the tree's 125 MiB.
_FIELD_BITS = 32
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_LIMIT = 1 << _FIELD_BITS
_START_MASK = (1 << 96) - 1  # a packed range's start; its end is the bits above


def pack_pos(line: int, column: int, byte: int) -> "int | Pos":
    """One end of a range as SourceRange stores it (a start's bits; an end's are these
    shifted by 96), or the Pos itself when a number does not fit: for builders that make
    many ranges over the same positions (``SourceRange.from_packed``)."""
    if (type(line) is int and type(column) is int and type(byte) is int
            and 0 <= line < _LIMIT and 0 <= column < _LIMIT and 0 <= byte < _LIMIT):
        return line | column << 32 | byte << 64
    return Pos(line, column, byte)


def _pack(start: Pos, end: Pos) -> "int | tuple[Pos, Pos]":
    a = pack_pos(start.line, start.column, start.byte)
    b = pack_pos(end.line, end.column, end.byte)
    if type(a) is int and type(b) is int:
        return a | b << 96
    return (start, end)


def _unpack(at: "int | tuple[Pos, Pos]", shift: int) -> Pos:
    if type(at) is tuple:
        return at[shift // 96]
    return Pos((at >> shift) & _FIELD_MASK, (at >> (shift + 32)) & _FIELD_MASK,
               (at >> (shift + 64)) & _FIELD_MASK)


class SourceRange:
    """A half-open range [start, end) in one file. ``filename`` is as the user would type it.

    Immutable, compared and hashed by value (filename, start, end), as a frozen dataclass
    of ``filename``, ``start`` and ``end`` would be; ``start`` and ``end`` are Pos values
    made on each access (the numbers are stored packed: see ``_pack``)."""

    __slots__ = ("filename", "_at")

    def __init__(self, filename: str, start: Pos, end: Pos):
        _set_filename(self, filename)
        _set_at(self, _pack(start, end))

    @staticmethod
    def from_packed(filename: str, start: "int | Pos", end: "int | Pos") -> "SourceRange":
        """The range between two ends made by ``pack_pos``."""
        if type(start) is int and type(end) is int:
            return _source_range(filename, start | end << 96)
        return SourceRange(filename, _unpack(start, 0) if type(start) is int else start,
                           _unpack(end, 0) if type(end) is int else end)

    @staticmethod
    def spanning(a: "SourceRange", b: "SourceRange") -> "SourceRange":
        """From the start of ``a`` to the end of ``b``, in a's file."""
        at, bt = a._at, b._at
        if type(at) is int and type(bt) is int:
            return _source_range(a.filename, at & _START_MASK | bt & ~_START_MASK)
        return SourceRange(a.filename, a.start, b.end)

    @property
    def start(self) -> Pos:
        return _unpack(self._at, 0)

    @property
    def end(self) -> Pos:
        return _unpack(self._at, 96)

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other):
        if other.__class__ is not SourceRange:
            return NotImplemented
        return self._at == other._at and self.filename == other.filename

    def __hash__(self) -> int:
        return hash((self.filename, self._at))

    def __repr__(self) -> str:
        return f"SourceRange(filename={self.filename!r}, start={self.start!r}, end={self.end!r})"

    def __reduce__(self):
        # compact pickles (the parse cache, engine/config/hcl.py): the name and one int
        return _source_range, (self.filename, self._at)

    def __str__(self) -> str:
        return f"{self.filename}:{self.start.line},{self.start.column}"

    def to_json(self) -> dict:
        start, end = self.start, self.end
        return {
            "filename": self.filename,
            "start": {"line": start.line, "column": start.column, "byte": start.byte},
            "end": {"line": end.line, "column": end.column, "byte": end.byte},
        }


_set_filename = SourceRange.filename.__set__  # type: ignore[attr-defined]
_set_at = SourceRange._at.__set__  # type: ignore[attr-defined]


def _source_range(filename: str, at: "int | tuple[Pos, Pos]") -> SourceRange:
    """A SourceRange from its stored fields (unpickling)."""
    r = object.__new__(SourceRange)
    _set_filename(r, filename)
    _set_at(r, at)
    return r


# An attribute path inside a resource's value: names (str) and list/map keys (int|str),
# e.g. ("security_group_policy", 0, "remote_cidr_block", 1). Providers report these; the
# engine maps them to source ranges.
AttrPath = tuple


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    summary: str
    detail: str = ""
    subject: SourceRange | None = None
    address: str | None = None  # canonical resource instance address, if any
    attribute_path: AttrPath | None = None
    # a lint finding's stable rule name (e.g. "weak-dh-group"), which -lint policies name;
    # None for every other diagnostic
    rule: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def with_subject(self, subject: SourceRange | None) -> "Diagnostic":
        return replace(self, subject=subject)

    def with_severity(self, severity: Severity) -> "Diagnostic":
        return replace(self, severity=severity)

    def redacted(self, secrets) -> "Diagnostic":
        """The diagnostic with every secret in its text replaced by (sensitive value)."""
        from .values import redact_text
        if not secrets:
            return self
        return replace(self, summary=redact_text(self.summary, secrets),
                       detail=redact_text(self.detail, secrets))

    def with_address(self, address: str | None) -> "Diagnostic":
        return replace(self, address=address)


def sentence(text: object) -> str:
    """``text`` (often another component's message, quoted as it was said) as a sentence of
    a detail: stripped, ending with a period unless it already ends a sentence."""
    s = str(text).strip()
    return s if not s or s.endswith((".", "?", "!")) else s + "."


def error(summary: str, detail: str = "", subject: SourceRange | None = None, *,
          address: str | None = None, path: AttrPath | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, summary, detail, subject, address, path)


def warning(summary: str, detail: str = "", subject: SourceRange | None = None, *,
            address: str | None = None, path: AttrPath | None = None,
            rule: str | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, summary, detail, subject, address, path, rule)


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics. Falsy when empty."""

    items: list[Diagnostic] = field(default_factory=list)

    def append(self, diag: Diagnostic) -> None:
        self.items.append(diag)

    def extend(self, other: "Diagnostics | Iterable[Diagnostic]") -> "Diagnostics":
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)
        return self

    def error(self, summary: str, detail: str = "", subject: SourceRange | None = None,
              **kw) -> None:
        self.items.append(error(summary, detail, subject, **kw))

    def warning(self, summary: str, detail: str = "", subject: SourceRange | None = None,
                **kw) -> None:
        self.items.append(warning(summary, detail, subject, **kw))

    def redacted(self, secrets) -> "Diagnostics":
        """A copy with every secret in the text replaced by (sensitive value)."""
        if not secrets:
            return self
        return Diagnostics([d.redacted(secrets) for d in self.items])

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    @classmethod
    def of(cls, diags: Sequence[Diagnostic]) -> "Diagnostics":
        return cls(list(diags))


class DiagnosticsError(Exception):
    """Raised only to unwind to the CLI boundary when diagnostics are fatal."""

    def __init__(self, diagnostics: Diagnostics):
        super().__init__("; ".join(d.summary for d in diagnostics))
        self.diagnostics = diagnostics
