"""Diagnostics as data: severity, summary, detail, source range, address, attribute path.

Functions return ``Diagnostics`` with their value; exceptions are for bugs and I/O and are
turned into diagnostics at the CLI boundary. Rendering to text lives in engine/cli/views.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
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


@by_fields
@dataclass(frozen=True, slots=True)
class SourceRange:
    """A half-open range [start, end) in one file. ``filename`` is as the user would type it."""

    filename: str
    start: Pos
    end: Pos

    def __str__(self) -> str:
        return f"{self.filename}:{self.start.line},{self.start.column}"

    def to_json(self) -> dict:
        return {
            "filename": self.filename,
            "start": {"line": self.start.line, "column": self.start.column, "byte": self.start.byte},
            "end": {"line": self.end.line, "column": self.end.column, "byte": self.end.byte},
        }


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
