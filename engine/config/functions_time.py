"""Date and time functions: timestamp, formatdate, timeadd, timecmp.

Timestamps are RFC 3339 strings, read as strictly as Terraform reads them (with its error
messages) into an ``Instant``: a civil date and time with its UTC offset, any year from
0000 to 9999. Durations are Go duration strings ("1h30m", "-10s", "1.5h", "300ms").
``timestamp()`` is impure: unknown while ``ctx.impure_unknown`` is set (planning).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from typing import Any

from ..values import NUMBER, STRING, Unknown
from .functions import FunctionError, Param, builtin
from .render_value import go_quote

_NANOS = 1_000_000_000
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def days_in_month(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True)
class Instant:
    """A moment as written: civil date and time at a UTC offset (seconds east of UTC)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanos: int
    offset: int

    def epoch_nanos(self) -> int:
        secs = (_days_from_civil(self.year, self.month, self.day) * 86400
                + self.hour * 3600 + self.minute * 60 + self.second - self.offset)
        return secs * _NANOS + self.nanos

    @classmethod
    def from_epoch_nanos(cls, nanos: int, offset: int) -> "Instant":
        secs, frac = divmod(nanos, _NANOS)
        days, rest = divmod(secs + offset, 86400)
        y, m, d = _civil_from_days(days)
        return cls(y, m, d, rest // 3600, rest // 60 % 60, rest % 60, frac, offset)

    @property
    def weekday(self) -> int:  # 0 = Sunday
        return (_days_from_civil(self.year, self.month, self.day) + 4) % 7

    def offset_text(self, colon: bool) -> str:
        sign = "-" if self.offset < 0 else "+"
        h, m = divmod(abs(self.offset) // 60, 60)
        return f"{sign}{h:02d}{':' if colon else ''}{m:02d}"

    def rfc3339(self) -> str:
        zone = "Z" if self.offset == 0 else self.offset_text(True)
        year = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        return (f"{year}-{self.month:02d}-{self.day:02d}T{self.hour:02d}:{self.minute:02d}:"
                f"{self.second:02d}{zone}")


class _BadTimestamp(Exception):
    pass


def _bad(what: str, rest: str) -> _BadTimestamp:
    if not rest:
        return _BadTimestamp(f"end of string before {what}")
    return _BadTimestamp(f"cannot use {go_quote(rest)} as {what}")


def _two_digits(rest: str) -> int | None:
    if len(rest) >= 2 and rest[0] in "0123456789" and rest[1] in "0123456789":
        return int(rest[:2])
    return None


def parse_timestamp(text: str) -> Instant:
    """``text`` as an RFC 3339 timestamp; FunctionError-ready ValueError text otherwise."""
    try:
        return _parse(text)
    except _BadTimestamp as e:
        raise ValueError(f"not a valid RFC3339 timestamp: {e}") from None


def _expect(rest: str, sep: str) -> str:
    if not rest:
        raise _BadTimestamp(f'end of string where "{sep}" is expected')
    if rest[0] != sep:
        raise _BadTimestamp(f'found {go_quote(rest)} where "{sep}" is expected')
    return rest[1:]


def _parse(s: str) -> Instant:
    # The order of the checks, and so which message a malformed timestamp gets, follows
    # Terraform's parser: field by field, then the day of month, then the strict checks.
    if len(s) < 4 or s[0] not in "0123456789" or not s[:4].isdigit() or not s[:4].isascii():
        raise _bad("year", s)
    year, rest = int(s[:4]), s[4:]
    rest = _expect(rest, "-")
    month = _two_digits(rest)
    if month is None:
        raise _bad("month", rest)
    rest = rest[2:]
    if not 1 <= month <= 12:
        raise _bad("month", rest)
    rest = _expect(rest, "-")
    day = _two_digits(rest)
    if day is None:
        raise _bad("day of month", rest)
    rest = rest[2:]
    if not rest or rest[0] != "T":
        raise _BadTimestamp("missing required time introducer 'T'")
    rest = rest[1:]
    if len(rest) >= 2 and rest[0] in "0123456789" and rest[1] == ":":
        raise _BadTimestamp("hour must have exactly two digits")
    hour = _two_digits(rest)
    if not rest:
        raise _bad("hour", rest)
    if hour is None or hour > 23:
        raise _BadTimestamp("hour must be between 0 and 23 inclusive")
    rest = _expect(rest[2:], ":")
    minute = _two_digits(rest)
    if not rest:
        raise _bad("minute", rest)
    if minute is None or minute > 59:
        raise _BadTimestamp("minute must have exactly two digits")
    rest = _expect(rest[2:], ":")
    second = _two_digits(rest)
    if second is None:
        raise _bad("second", rest)
    rest = rest[2:]
    if second > 59:
        raise _bad("second", rest)
    nanos = 0
    comma = False
    if len(rest) >= 2 and rest[0] in ".," and rest[1] in "0123456789":
        n = 1
        while n < len(rest) and rest[n] in "0123456789":
            n += 1
        digits = rest[1:n][:9]
        nanos = int(digits.ljust(9, "0"))
        comma = rest[0] == ","
        rest = rest[n:]
    zone = ""
    if rest[:1] == "Z":
        offset, rest = 0, rest[1:]
    else:
        hh = _two_digits(rest[1:3]) if len(rest) >= 6 and rest[3] == ":" else None
        mm = _two_digits(rest[4:6]) if hh is not None else None
        if mm is None or rest[0] not in "+-":
            raise _bad("UTC offset", rest)
        if hh > 24 or mm > 60:  # type: ignore[operator]
            raise _bad("UTC offset", rest[6:])
        zone = rest[:6]
        offset = (hh * 60 + mm) * 60 * (-1 if rest[0] == "-" else 1)  # type: ignore[operator]
        rest = rest[6:]
    if rest:
        raise _bad("timestamp segment", rest)
    if not 1 <= day <= days_in_month(month, year):
        raise _BadTimestamp("day out of range")
    if comma:
        raise _bad("timestamp segment", ",")
    if zone and (int(zone[1:3]) >= 24 or int(zone[4:6]) >= 60):
        raise _bad("UTC offset", zone)
    return Instant(year, month, day, hour, minute, second, nanos, offset)


# ---------------------------------------------------------------------------------------
# Go duration strings

_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": _NANOS,
          "m": 60 * _NANOS, "h": 3600 * _NANOS}


def parse_duration(text: str) -> int:
    """A Go duration string in nanoseconds, with Go's error messages (ValueError)."""
    invalid = ValueError(f"time: invalid duration {go_quote(text)}")
    s = text
    neg = False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    total = 0
    while s:
        if not (s[0] == "." or s[0] in "0123456789"):
            raise invalid
        i = 0
        while i < len(s) and s[i] in "0123456789":
            i += 1
        whole = int(s[:i]) if i else 0
        pre = i > 0
        s = s[i:]
        frac, scale, post = 0, 1, False
        if s[:1] == ".":
            s = s[1:]
            i = 0
            while i < len(s) and s[i] in "0123456789":
                if frac <= (2 ** 63 - 1) // 10:
                    frac, scale = frac * 10 + int(s[i]), scale * 10
                i += 1
            post = i > 0
            s = s[i:]
        if not pre and not post:
            raise invalid
        i = 0
        while i < len(s) and not (s[i] == "." or s[i] in "0123456789"):
            i += 1
        if i == 0:
            raise ValueError(f"time: missing unit in duration {go_quote(text)}")
        unit, s = s[:i], s[i:]
        if unit not in _UNITS:
            raise ValueError(f"time: unknown unit {go_quote(unit)} in duration {go_quote(text)}")
        mult = _UNITS[unit]
        if whole > 2 ** 63 // mult:
            raise invalid
        value = whole * mult
        if frac:
            value += int(frac * (mult / scale))
            if value > 2 ** 63:
                raise invalid
        total += value
        if total > 2 ** 63:
            raise invalid
    if not neg and total > 2 ** 63 - 1:
        raise invalid
    return -total if neg else total


# ---------------------------------------------------------------------------------------
# formatdate

def _format_tokens(fmt: str) -> list[str]:
    """Split a formatdate format into quoted literals, verb runs and other text."""
    out: list[str] = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c == "'":
            if fmt.startswith("''", i):
                out.append("''")
                i += 2
                continue
            j = i + 1
            while j < n:
                if fmt[j] == "'":
                    if j + 1 < n and fmt[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            out.append(fmt[i:j + 1])
            i = j + 1
        elif c.isascii() and c.isalpha():
            j = i
            while j < n and fmt[j] == c:
                j += 1
            out.append(fmt[i:j])
            i = j
        else:
            j = i
            while j < n and fmt[j] != "'" and not (fmt[j].isascii() and fmt[j].isalpha()):
                j += 1
            out.append(fmt[i:j])
            i = j
    return out


def _verb(tok: str, t: Instant) -> str:
    c, n = tok[0], len(tok)

    def bad(rule: str = "") -> FunctionError:
        return FunctionError(f"invalid date format verb {go_quote(tok)}" + (f": {rule}" if rule else ""),
                             0)

    if c == "Y":
        if n == 2:
            return f"{t.year % 100:02d}"
        if n == 4:
            return f"{t.year:04d}"
        raise bad('year must either be "YY" or "YYYY"')
    if c == "M":
        texts = {1: str(t.month), 2: f"{t.month:02d}", 3: _MONTHS[t.month - 1][:3],
                 4: _MONTHS[t.month - 1]}
        if n in texts:
            return texts[n]
        raise bad('month must be "M", "MM", "MMM", or "MMMM"')
    if c == "E":
        if n in (3, 4):
            name = _WEEKDAYS[t.weekday]
            return name[:3] if n == 3 else name
        raise bad('day of week must either be "EEE" or "EEEE"')
    numeric = {"D": (t.day, "day of month", "D"), "h": (t.hour, "24-hour", "h"),
               "H": (t.hour % 12 or 12, "12-hour", "H"), "m": (t.minute, "minute", "m"),
               "s": (t.second, "second", "s")}
    if c in numeric:
        value, what, letter = numeric[c]
        if n == 1:
            return str(value)
        if n == 2:
            return f"{value:02d}"
        raise bad(f'{what} must either be "{letter}" or "{letter * 2}"')
    if c in "Aa":
        if n != 2:
            raise bad(f'must be "{c}{c}"')
        marker = "AM" if t.hour < 12 else "PM"
        return marker if c == "A" else marker.lower()
    if c == "Z":
        if n == 1:
            return "Z" if t.offset == 0 else t.offset_text(True)
        if n == 3:
            return "UTC" if t.offset == 0 else t.offset_text(False)
        if n == 4:
            return t.offset_text(False)
        if n == 5:
            return t.offset_text(True)
        raise bad("timezone must be Z, ZZZZ, or ZZZZZ")
    raise bad()


def _timestamp_arg(text: str, arg: int) -> Instant:
    try:
        return parse_timestamp(text)
    except ValueError as e:
        raise FunctionError(str(e), arg) from None


@builtin("formatdate", Param("format", STRING), Param("time", STRING), return_type=STRING)
def fn_formatdate(fmt: str, when: str) -> Any:
    """``when`` (RFC 3339) written in the format ``fmt`` (YYYY, MM, DD, hh, mm, ss, ...)."""
    t = _timestamp_arg(when, 1)
    out: list[str] = []
    for tok in _format_tokens(fmt):
        if tok[0] == "'":
            if len(tok) == 1 or tok[-1] != "'":
                raise FunctionError("unterminated literal '", 0)
            out.append("'" if tok == "''" else tok[1:-1].replace("''", "'"))
        elif tok[0].isascii() and tok[0].isalpha():
            out.append(_verb(tok, t))
        else:
            out.append(tok)
    return "".join(out)


@builtin("timestamp", needs_context=True, return_type=STRING)
def fn_timestamp(ctx: Any) -> Any:
    """The current UTC time in RFC 3339 form (unknown until apply while planning)."""
    if getattr(ctx, "impure_unknown", False):
        return Unknown(STRING)
    return Instant.from_epoch_nanos(_time.time_ns() // _NANOS * _NANOS, 0).rfc3339()


@builtin("timeadd", Param("timestamp", STRING), Param("duration", STRING), return_type=STRING)
def fn_timeadd(when: str, duration: str) -> Any:
    try:
        t = parse_timestamp(when)
        delta = parse_duration(duration)
    except ValueError as e:
        raise FunctionError(str(e)) from None
    return Instant.from_epoch_nanos(t.epoch_nanos() + delta, t.offset).rfc3339()


@builtin("timecmp", Param("timestamp_a", STRING), Param("timestamp_b", STRING),
         return_type=NUMBER)
def fn_timecmp(a: str, b: str) -> Any:
    ta, tb = _timestamp_arg(a, 0).epoch_nanos(), _timestamp_arg(b, 1).epoch_nanos()
    return (ta > tb) - (ta < tb)
